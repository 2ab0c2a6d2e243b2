/* SPDX-License-Identifier: MIT */
/*
 * ext_support.c - which extensions this kernel has (decided once, from the
 * probe humboldt's start-up takes) and the small pieces every extension
 * shares: per-ring state and the completion of a CQE whose flags matter.
 */
#include <stdlib.h>

#include "ext.h"

/* What each extension needs, as opcodes of the probe.  Flags and register
 * calls have no probe of their own, so an opcode of the same release
 * stands for them: IORING_OP_SOCKET (5.19) for IORING_ACCEPT_MULTISHOT and
 * IORING_REGISTER_PBUF_RING, IORING_OP_FILES_UPDATE (5.6) for sparse file
 * tables and their updates. */
static const struct {
	int feature;
	uint8_t ops[2];
} needs[] = {
	{ HUMBOLDT_MULTISHOT_ACCEPT, { IORING_OP_ACCEPT, IORING_OP_SOCKET } },
	{ HUMBOLDT_BUFFER_RING, { IORING_OP_RECV, IORING_OP_SOCKET } },
	{ HUMBOLDT_SEND_ZC, { IORING_OP_SEND_ZC, IORING_OP_SEND_ZC } },
	{ HUMBOLDT_REGISTERED_FILES, { IORING_OP_FILES_UPDATE, IORING_OP_FILES_UPDATE } },
	{ HUMBOLDT_REGISTERED_BUFFERS, { IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED } },
	{ HUMBOLDT_LINK_TIMEOUT, { IORING_OP_LINK_TIMEOUT, IORING_OP_RECV } },
};

unsigned hb__ext_from_probe(const struct io_uring_probe *probe, unsigned features)
{
	unsigned mask = 0;
	if (!probe)
		return 0;
	/* Reads at offset -1 (the current position, for pipes and sockets)
	 * need IORING_FEAT_RW_CUR_POS (5.6). */
	bool cur_pos = features & IORING_FEAT_RW_CUR_POS;
	for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
		if (io_uring_opcode_supported(probe, needs[i].ops[0]) &&
		    io_uring_opcode_supported(probe, needs[i].ops[1]))
			mask |= HB_EXT(needs[i].feature);
	}
	if (!cur_pos)
		mask &= ~(HB_EXT(HUMBOLDT_REGISTERED_BUFFERS) | HB_EXT(HUMBOLDT_LINK_TIMEOUT));
	return mask;
}

HB_EXPORT int humboldt_supported(int feature)
{
	if (feature < HUMBOLDT_MULTISHOT_ACCEPT || feature > HUMBOLDT_LINK_TIMEOUT)
		return (int)as__ret(-EINVAL);
	as__config(); /* the probe, once */
	return hb__uring_on && (hb__ext_supported & HB_EXT(feature)) ? 1 : 0;
}

struct hb_ring_ext *hb__ring_ext(struct as_uring *u)
{
	if (AS_UNLIKELY(!u->ext))
		u->ext = calloc(1, sizeof(*u->ext));
	return u->ext;
}

void hb__cqe_keep_flags(struct as_uring *u, struct uring_cb *cb, const struct io_uring_cqe *cqe)
{
	(void)u;
	cb->cqe_flags = cqe->flags;
	cb->op.res = cqe->res;
	cb->op.done = true;
	as__unpark(cb->op.parker, AS_WAKE_EVENT);
}
