/* SPDX-License-Identifier: MIT */
/*
 * ext.h - what humboldt's extension API (humboldt.h, the ext_*.c files)
 * shares: the export attribute, the gate on the probe's findings, and the
 * per-ring state the extensions keep next to the ring (uring.h).
 */
#ifndef HUMBOLDT_EXT_H
#define HUMBOLDT_EXT_H

#include "humboldt.h"
#include "uring.h"

/* humboldt_* are exported in node HUMBOLDT_1.0 (humboldt.map). */
#define HB_EXPORT __attribute__((visibility("default")))

#define HB_EXT(feature) (1u << (feature))

/* Provided-buffer group ids per ring (the kernel allows 65536). */
#define HB_BGIDS 1024

struct humboldt_buffers;

struct hb_ring_ext {
	/* Registered files: the kernel table's size (0 until the first
	 * registration) and its free slots. */
	unsigned files_size;
	uint32_t *files_free;
	unsigned files_nfree;
	/* The ring's one set of registered buffers, or NULL. */
	struct humboldt_buffers *buffers;
	/* Buffer group ids in use by this ring's buffer rings. */
	uint64_t bgid_used[HB_BGIDS / 64];
};

/* The HB_EXT bits this kernel supports, from the probe (NULL: none) and the
 * ring's features; called once by hb__probe. */
unsigned hb__ext_from_probe(const struct io_uring_probe *probe, unsigned features);

/* The calling task's ring when `feature` is usable there, else NULL: a
 * plain thread, the epoll fallback or a kernel without it (ENOTSUP). */
static inline struct as_uring *hb__ext_ring(int feature)
{
	struct as_uring *u = hb__ring();
	return u && (hb__ext_supported & HB_EXT(feature)) ? u : NULL;
}

/* u's extension state, allocated on first use; NULL when out of memory. */
struct hb_ring_ext *hb__ring_ext(struct as_uring *u);

/* on_cqe for a single-CQE operation whose CQE flags matter (a provided
 * buffer's id): records res and flags, then completes it. */
void hb__cqe_keep_flags(struct as_uring *u, struct uring_cb *cb, const struct io_uring_cqe *cqe);

#endif
