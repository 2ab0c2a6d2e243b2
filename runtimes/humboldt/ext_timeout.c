/* SPDX-License-Identifier: MIT */
/*
 * ext_timeout.c - read and recv with a per-call timeout that the kernel
 * enforces: the operation is linked to an IORING_OP_LINK_TIMEOUT, so no
 * timer runs on the worker and the task's own deadline is left alone.
 */
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ext.h"

enum timed_kind { TIMED_READ, TIMED_RECV, TIMED_POLL };

/* One operation linked to a timeout at absolute CLOCK_MONOTONIC time *ts.
 * The kernel copies *ts when it takes the SQE, which happens while this
 * frame waits in hb__submit_wait_linked. */
static int run_timed(struct as_uring *u, enum timed_kind kind, int fd, void *buf, size_t n,
		     int flags, struct __kernel_timespec *ts)
{
	struct uring_op op;
	struct io_uring_sqe *sqe, *link;
	hb__sqe_pair(u, &sqe, &link);
	switch (kind) {
	case TIMED_READ:
		io_uring_prep_read(sqe, fd, buf, (unsigned)as__rw_len(n), (uint64_t)-1);
		break;
	case TIMED_RECV:
		io_uring_prep_recv(sqe, fd, buf, as__rw_len(n), flags);
		break;
	case TIMED_POLL:
		io_uring_prep_poll_add(sqe, fd, (unsigned)flags);
		break;
	}
	hb__use_fixed(u, sqe, fd);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_prep_link_timeout(link, ts, IORING_TIMEOUT_ABS);
	io_uring_sqe_set_data64(link, HB_TOKEN_IGNORE);
	int r = hb__submit_wait_linked(u, sqe, link, &op, fd);
	if (r == -ECANCELED || r == -EINTR) {
		/* The task's cancel and deadline and a close come back as
		 * themselves only when they interrupted the wait; otherwise the
		 * kernel cancelled the operation because its timeout fired (an
		 * io-wq worker reports that as EINTR). */
		int e = as__check_interrupt();
		return e < 0 ? e : -ETIMEDOUT;
	}
	return r;
}

static ssize_t timed_io(enum timed_kind kind, int fd, void *buf, size_t n, int flags,
			int64_t timeout_ns)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_LINK_TIMEOUT);
	if (!u)
		return as__ret(-ENOTSUP);
	if (timeout_ns < 0)
		return as__ret(-EINVAL);
	AS_ENTER();
	int64_t now = as__now();
	int64_t when = timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
	struct __kernel_timespec ts = hb__kernel_timespec(when);
	for (;;) {
		int r = run_timed(u, kind, fd, buf, n, flags, &ts);
		if (r != -EAGAIN || (flags & MSG_DONTWAIT))
			return as__ret(r);
		/* An O_NONBLOCK fd: wait for data under the same timeout. */
		r = run_timed(u, TIMED_POLL, fd, NULL, 0, POLLIN, &ts);
		if (r < 0)
			return as__ret(r);
	}
}

HB_EXPORT ssize_t humboldt_read_timeout(int fd, void *buf, size_t n, int64_t timeout_ns)
{
	return timed_io(TIMED_READ, fd, buf, n, 0, timeout_ns);
}

HB_EXPORT ssize_t humboldt_recv_timeout(int fd, void *buf, size_t n, int flags,
					int64_t timeout_ns)
{
	return timed_io(TIMED_RECV, fd, buf, n, flags, timeout_ns);
}
