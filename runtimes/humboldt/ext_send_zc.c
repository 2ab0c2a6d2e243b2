/* SPDX-License-Identifier: MIT */
/*
 * ext_send_zc.c - zero-copy send (IORING_OP_SEND_ZC).  The kernel posts two
 * CQEs: the send's result (with IORING_CQE_F_MORE when a notification
 * follows) and, once the network stack has let go of the pages, the
 * notification (IORING_CQE_F_NOTIF).  The call returns after the second,
 * so the caller may reuse its buffer at once.
 */
#include <poll.h>
#include <sys/socket.h>

#include "ext.h"

static void send_zc_cqe(struct as_uring *u, struct uring_cb *cb, const struct io_uring_cqe *cqe)
{
	(void)u;
	if (!(cqe->flags & IORING_CQE_F_NOTIF)) {
		cb->op.res = cqe->res;
		if (cqe->flags & IORING_CQE_F_MORE)
			return; /* the notification is still to come */
	}
	cb->op.done = true;
	as__unpark(cb->op.parker, AS_WAKE_EVENT);
}

HB_EXPORT ssize_t humboldt_send_zc(int fd, const void *buf, size_t n, int flags)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_SEND_ZC);
	if (!u)
		return as__ret(-ENOTSUP);
	AS_ENTER();
	for (;;) {
		struct uring_cb cb = { .on_cqe = send_zc_cqe };
		struct io_uring_sqe *sqe = hb__sqe(u);
		io_uring_prep_send_zc(sqe, fd, buf, as__rw_len(n), flags | MSG_NOSIGNAL, 0);
		hb__use_fixed(u, sqe, fd);
		int r = hb__submit_wait_cb(u, sqe, &cb, fd);
		if (r != -EAGAIN || (flags & MSG_DONTWAIT))
			return as__ret(r);
		r = hb__ring_poll(u, fd, POLLOUT);
		if (r < 0)
			return as__ret(r);
	}
}
