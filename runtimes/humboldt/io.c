/* SPDX-License-Identifier: MIT */
/*
 * io.c - humboldt's I/O calls.  A task on a ring worker submits its
 * operation to the ring, files included (no blocking pool); plain threads and
 * the epoll fallback use the default runtime's calls (as__epoll_*).  An
 * O_NONBLOCK fd makes the kernel answer -EAGAIN instead of waiting: then a
 * poll on the ring waits for readiness and the operation is tried again.
 * An fd registered with humboldt_file_register goes by its slot in the
 * worker's file table (hb__use_fixed).
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "default.h"
#include "uring.h"

int hb__ring_poll(struct as_uring *u, int fd, short events)
{
	struct uring_op op;
	struct io_uring_sqe *sqe = hb__sqe(u);
	io_uring_prep_poll_add(sqe, fd, (unsigned)(unsigned short)events);
	hb__use_fixed(u, sqe, fd);
	return hb__submit_wait(u, sqe, &op, fd);
}

/* Runs the operation `prep` prepares until it stops saying EAGAIN. */
#define HB_RUN(u, fd, events, prep)                                          \
	for (;;) {                                                           \
		struct uring_op op_;                                         \
		struct io_uring_sqe *sqe = hb__sqe(u);                       \
		prep;                                                        \
		hb__use_fixed((u), sqe, (fd));                               \
		int r_ = hb__submit_wait((u), sqe, &op_, (fd));              \
		if (r_ != -EAGAIN)                                           \
			return as__ret(r_);                                  \
		r_ = hb__ring_poll((u), (fd), (events));                         \
		if (r_ < 0)                                                  \
			return as__ret(r_);                                  \
	}

ssize_t as__read(int fd, void *buf, size_t n)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_read(fd, buf, n);
	AS_ENTER();
	HB_RUN(u, fd, POLLIN, io_uring_prep_read(sqe, fd, buf, (unsigned)as__rw_len(n), -1));
}

ssize_t as__write(int fd, const void *buf, size_t n)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_write(fd, buf, n);
	AS_ENTER();
	HB_RUN(u, fd, POLLOUT, io_uring_prep_write(sqe, fd, buf, (unsigned)as__rw_len(n), -1));
}

ssize_t as__readv(int fd, const struct iovec *iov, int cnt)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_readv(fd, iov, cnt);
	AS_ENTER();
	if (cnt < 0)
		return as__ret(-EINVAL);
	HB_RUN(u, fd, POLLIN, io_uring_prep_readv(sqe, fd, iov, (unsigned)cnt, -1));
}

ssize_t as__writev(int fd, const struct iovec *iov, int cnt)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_writev(fd, iov, cnt);
	AS_ENTER();
	if (cnt < 0)
		return as__ret(-EINVAL);
	HB_RUN(u, fd, POLLOUT, io_uring_prep_writev(sqe, fd, iov, (unsigned)cnt, -1));
}

ssize_t as__pread(int fd, void *buf, size_t n, off_t off)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_pread(fd, buf, n, off);
	AS_ENTER();
	if (off < 0)
		return as__ret(-EINVAL);
	HB_RUN(u, fd, POLLIN, io_uring_prep_read(sqe, fd, buf, (unsigned)as__rw_len(n), (uint64_t)off));
}

ssize_t as__pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_pwrite(fd, buf, n, off);
	AS_ENTER();
	if (off < 0)
		return as__ret(-EINVAL);
	HB_RUN(u, fd, POLLOUT, io_uring_prep_write(sqe, fd, buf, (unsigned)as__rw_len(n), (uint64_t)off));
}

/* A caller's MSG_DONTWAIT means one try: the plain call does exactly that. */
ssize_t as__recv(int fd, void *buf, size_t n, int flags)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_recv(fd, buf, n, flags);
	AS_ENTER();
	HB_RUN(u, fd, POLLIN, io_uring_prep_recv(sqe, fd, buf, as__rw_len(n), flags));
}

ssize_t as__send(int fd, const void *buf, size_t n, int flags)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_send(fd, buf, n, flags);
	AS_ENTER();
	HB_RUN(u, fd, POLLOUT, io_uring_prep_send(sqe, fd, buf, as__rw_len(n), flags | MSG_NOSIGNAL));
}

ssize_t as__recvmsg(int fd, struct msghdr *m, int flags)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_recvmsg(fd, m, flags);
	AS_ENTER();
	HB_RUN(u, fd, POLLIN, io_uring_prep_recvmsg(sqe, fd, m, (unsigned)flags));
}

ssize_t as__sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_sendmsg(fd, m, flags);
	AS_ENTER();
	HB_RUN(u, fd, POLLOUT, io_uring_prep_sendmsg(sqe, fd, m, (unsigned)(flags | MSG_NOSIGNAL)));
}

ssize_t as__recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a, socklen_t *l)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_recvfrom(fd, buf, n, flags, a, l);
	struct iovec v = { .iov_base = buf, .iov_len = n };
	struct msghdr m = { .msg_name = a, .msg_namelen = (a && l) ? *l : 0,
			    .msg_iov = &v, .msg_iovlen = 1 };
	ssize_t r = as__recvmsg(fd, &m, flags);
	if (r >= 0 && a && l)
		*l = m.msg_namelen;
	return r;
}

ssize_t as__sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a,
		   socklen_t l)
{
	struct as_uring *u = hb__ring();
	if (!u || (flags & MSG_DONTWAIT))
		return as__epoll_sendto(fd, buf, n, flags, a, l);
	struct iovec v = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr m = { .msg_name = (void *)a, .msg_namelen = a ? l : 0,
			    .msg_iov = &v, .msg_iovlen = 1 };
	return as__sendmsg(fd, &m, flags);
}

int as__accept(int fd, struct sockaddr *a, socklen_t *l)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_accept(fd, a, l);
	AS_ENTER();
	/* A waiting connection is taken at once when the listener is
	 * O_NONBLOCK (async_std_tcp_listen's are).  Through the ring it would
	 * wait for the worker's next look at the ring and then for a round of
	 * the ready queue: with 10,000 busy connections, 10 ms per accept, so
	 * a burst of connects overflowed the backlog for longer than the
	 * clients' SYN-ACK retries and they were reset (bench/soak).  A
	 * blocking listener keeps its flags and goes through the ring. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK)) {
		int c = accept4(fd, a, l, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0 || (errno != EAGAIN && errno != EINTR))
			return c;
	}
	HB_RUN(u, fd, POLLIN,
	       io_uring_prep_accept(sqe, fd, a, l, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

int as__connect(int fd, const struct sockaddr *a, socklen_t l)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_connect(fd, a, l);
	AS_ENTER();
	struct uring_op op;
	struct io_uring_sqe *sqe = hb__sqe(u);
	io_uring_prep_connect(sqe, fd, a, l);
	hb__use_fixed(u, sqe, fd);
	int r = hb__submit_wait(u, sqe, &op, fd);
	/* An O_NONBLOCK socket: the kernel started the connection and said so;
	 * wait for it on the ring, then finish as a blocking connect would. */
	while (r == -EINPROGRESS || r == -EALREADY || r == -EAGAIN) {
		if (r == -EAGAIN) {
			/* An AF_UNIX listener's backlog is full, and its socket
			 * polls writable anyway: back off 1 ms and retry (the
			 * sleep honours the deadline and cancellation). */
			if (as__sleep(1000000) < 0)
				return -1;
		} else {
			r = hb__ring_poll(u, fd, POLLOUT);
			if (r < 0)
				return (int)as__ret(r);
		}
		r = connect(fd, a, l) == 0 || errno == EISCONN ? 0 : -errno;
	}
	return (int)as__ret(r);
}

int as__poll(int fd, short events)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_poll(fd, events);
	AS_ENTER();
	if (fd < 0)
		return (int)as__ret(-EBADF);
	struct pollfd p = { .fd = fd, .events = events };
	if (poll(&p, 1, 0) > 0)
		return (p.revents & POLLNVAL) ? (int)as__ret(-EBADF) : p.revents;
	int r = hb__ring_poll(u, fd, events);
	if (r == -EINVAL || r == -EPERM) {
		/* The kernel cannot poll it (a regular file asked for POLLPRI) and
		 * poll(2) said none of `events` will come: block as poll(2)
		 * would, until the deadline or a cancel. */
		do {
			r = as__park_prepare(true);
			if (r == 0)
				r = as__park_wait(as__deadline());
		} while (r == 0);
	}
	return (int)as__ret(r);
}

int as__openat(int dfd, const char *path, int flags, mode_t mode)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_openat(dfd, path, flags, mode);
	AS_ENTER();
	struct uring_op op;
	struct io_uring_sqe *sqe = hb__sqe(u);
	io_uring_prep_openat(sqe, dfd, path, flags | O_CLOEXEC, mode);
	return (int)as__ret(hb__submit_wait(u, sqe, &op, -1));
}

int as__fsync(int fd)
{
	struct as_uring *u = hb__ring();
	if (!u)
		return as__epoll_fsync(fd);
	AS_ENTER();
	struct uring_op op;
	struct io_uring_sqe *sqe = hb__sqe(u);
	io_uring_prep_fsync(sqe, fd, 0);
	hb__use_fixed(u, sqe, fd);
	return (int)as__ret(hb__submit_wait(u, sqe, &op, fd));
}

/* Calls that never wait are the same everywhere. */
int as__socket(int domain, int type, int proto)
{
	return as__epoll_socket(domain, type, proto);
}

int as__bind(int fd, const struct sockaddr *a, socklen_t l)
{
	return as__epoll_bind(fd, a, l);
}

int as__listen(int fd, int backlog)
{
	return as__epoll_listen(fd, backlog);
}

int as__shutdown(int fd, int how)
{
	return as__epoll_shutdown(fd, how);
}

/* Wakes every waiter on fd (epoll waiters, ring operations: cancelled and
 * reported as EBADF) before the fd number can be reused. */
int as__close(int fd)
{
	return as__epoll_close(fd);
}
