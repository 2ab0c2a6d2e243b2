/* SPDX-License-Identifier: MIT */
/*
 * io.c - the default runtime's I/O calls: sockets wait in the worker's epoll,
 * everything epoll cannot wait on runs on the blocking pool.
 *
 * File status flags: data calls on sockets use MSG_DONTWAIT per call and
 * never change the fd's flags.  accept and connect have no per-call
 * non-blocking form, so they set O_NONBLOCK on a socket that lacks it (the
 * README says so).  A non-socket fd that is O_NONBLOCK (pipe, tty, eventfd)
 * waits in epoll; a blocking one, and every regular file, goes to the pool.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "default.h"

/* Retries `call` until it stops failing with EAGAIN, waiting for `events`
 * on fd in between. */
#define AS_RETRY(fd, events, call)                                   \
	for (;;) {                                                   \
		ssize_t r_ = (call);                                 \
		if (r_ >= 0)                                         \
			return r_;                                   \
		if (errno == EINTR)                                  \
			continue;                                    \
		if (errno != EAGAIN && errno != EWOULDBLOCK)         \
			return -1;                                   \
		int w_ = as__fd_wait((fd), (events));                \
		if (w_ < 0)                                          \
			return as__ret(w_);                          \
	}

/* ---- non-socket fds: epoll when O_NONBLOCK, else the blocking pool ------- */
enum io_kind { IO_READ, IO_WRITE, IO_READV, IO_WRITEV, IO_PREAD, IO_PWRITE, IO_FSYNC, IO_OPENAT };

struct io_op {
	struct as_job job;
	enum io_kind kind;
	int fd;
	void *buf;
	const struct iovec *iov;
	size_t n;
	off_t off;
	int flags;
	mode_t mode;
	ssize_t res;
	int err;
};

static ssize_t io_syscall(struct io_op *op)
{
	switch (op->kind) {
	case IO_READ: return read(op->fd, op->buf, op->n);
	case IO_WRITE: as__sigpipe_install(); return AS_EPIPE_OK(write(op->fd, op->buf, op->n));
	case IO_READV: return readv(op->fd, op->iov, (int)op->n);
	case IO_WRITEV:
		as__sigpipe_install();
		return AS_EPIPE_OK(writev(op->fd, op->iov, (int)op->n));
	case IO_PREAD: return pread(op->fd, op->buf, op->n, op->off);
	case IO_PWRITE:
		as__sigpipe_install();
		return AS_EPIPE_OK(pwrite(op->fd, op->buf, op->n, op->off));
	case IO_FSYNC: return fsync(op->fd);
	case IO_OPENAT: return openat(op->fd, op->buf, op->flags | O_CLOEXEC, op->mode);
	}
	errno = EINVAL;
	return -1;
}

static void io_job_run(struct as_job *job)
{
	struct io_op *op = (struct io_op *)job;
	op->res = io_syscall(op);
	op->err = op->res < 0 ? errno : 0;
}

static ssize_t io_on_pool(struct io_op *op)
{
	if (!as__current())
		return io_syscall(op); /* a plain thread may block */
	op->job.run = io_job_run;
	op->job.fd = op->kind == IO_OPENAT ? -1 : op->fd;
	/* Until the job runs: a job its fd's close ends unrun reports EBADF. */
	op->res = -1;
	op->err = EINTR;
	int r = as__blocking_run(&op->job, true);
	if (r < 0)
		return as__ret(r);
	if (op->res < 0 && op->err == EINTR && op->job.closing)
		return as__ret(-EBADF);
	if (op->res < 0 && op->err == EINTR && op->job.interrupted)
		return as__ret(op->job.interrupted);
	if (op->res < 0)
		errno = op->err;
	return op->res;
}

/* Regular files and block devices are always "ready": epoll cannot watch
 * them, and their calls go to the pool.  Pipes, ttys and other devices wait
 * for readiness in epoll first (plain threads: poll(2), with their deadline),
 * so a blocked reader holds no pool thread; an O_NONBLOCK one then retries
 * its call itself, a blocking one runs it on the pool, where it should
 * return at once. */
/* A read of nothing: read(2) returns 0 at once (or the fd's error) on any
 * fd, data or not, so it must not wait for readiness. */
static bool read_of_nothing(const struct io_op *op)
{
	if (op->kind == IO_READ || op->kind == IO_PREAD)
		return op->n == 0;
	if (op->kind != IO_READV)
		return false;
	for (size_t i = 0; i < op->n; i++)
		if (op->iov[i].iov_len)
			return false;
	return true;
}

static ssize_t nonsock_io(struct io_op *op, uint32_t events)
{
	if (read_of_nothing(op))
		return io_syscall(op);
	int fl = fcntl(op->fd, F_GETFL);
	struct stat st;
	if (fl < 0 || fstat(op->fd, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return io_on_pool(op);
	if (fl & O_NONBLOCK)
		AS_RETRY(op->fd, events, io_syscall(op));
	int w = as__fd_wait(op->fd, events);
	if (w < 0 && w != -EPERM)
		return as__ret(w);
	return io_on_pool(op);
}

/* The socket form of a data call: per-call MSG_DONTWAIT, flags untouched. */
static ssize_t sock_try(struct io_op *op)
{
	struct msghdr m = { .msg_iov = (struct iovec *)op->iov, .msg_iovlen = op->n };
	switch (op->kind) {
	case IO_READ: return recv(op->fd, op->buf, op->n, MSG_DONTWAIT);
	case IO_WRITE: return send(op->fd, op->buf, op->n, MSG_DONTWAIT | MSG_NOSIGNAL);
	case IO_READV: return recvmsg(op->fd, &m, MSG_DONTWAIT);
	case IO_WRITEV: return sendmsg(op->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	default: errno = ENOTSOCK; return -1;
	}
}

/* What a read asks for: the hints (epoll.c) compare it with what came. */
static size_t read_asked(const struct io_op *op)
{
	if (op->kind == IO_READ)
		return op->n;
	size_t n = 0;
	for (size_t i = 0; i < op->n; i++)
		n += op->iov[i].iov_len;
	return n;
}

/* read/write/readv/writev: the socket form first (the common case costs one
 * system call; after a read that emptied the socket, the wait comes first);
 * ENOTSOCK sends the call down the non-socket path. */

static ssize_t data_io(struct io_op *op, uint32_t events)
{
	AS_ENTER();
	bool reading = events == EPOLLIN;
	if (reading && as__epoll_read_drained(op->fd)) {
		/* The last read emptied the socket: wait first, not try a call
		 * that says EAGAIN.  EPERM (not a socket any more): just try. */
		int w = as__fd_wait(op->fd, EPOLLIN);
		if (w < 0 && w != -EPERM)
			return as__ret(w);
	}
	for (;;) {
		ssize_t r = sock_try(op);
		if (reading && (r >= 0 || errno != ENOTSOCK))
			as__epoll_read_note(op->fd, read_asked(op), r);
		if (r >= 0)
			return r;
		if (errno == ENOTSOCK)
			return nonsock_io(op, events);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (read_of_nothing(op))
			return 0; /* a socket with no data: read(2) says 0 */
		int w = as__fd_wait(op->fd, events);
		if (w < 0)
			return as__ret(w);
	}
}

ssize_t as__epoll_read(int fd, void *buf, size_t n)
{
	struct io_op op = { .kind = IO_READ, .fd = fd, .buf = buf, .n = as__rw_len(n) };
	return data_io(&op, EPOLLIN);
}

ssize_t as__epoll_write(int fd, const void *buf, size_t n)
{
	struct io_op op = { .kind = IO_WRITE, .fd = fd, .buf = (void *)buf,
			       .n = as__rw_len(n) };
	return data_io(&op, EPOLLOUT);
}

ssize_t as__epoll_readv(int fd, const struct iovec *iov, int cnt)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return as__ret(-EINVAL);
	struct io_op op = { .kind = IO_READV, .fd = fd, .iov = iov, .n = (size_t)cnt };
	return data_io(&op, EPOLLIN);
}

ssize_t as__epoll_writev(int fd, const struct iovec *iov, int cnt)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return as__ret(-EINVAL);
	struct io_op op = { .kind = IO_WRITEV, .fd = fd, .iov = iov, .n = (size_t)cnt };
	return data_io(&op, EPOLLOUT);
}

ssize_t as__epoll_pread(int fd, void *buf, size_t n, off_t off)
{
	AS_ENTER();
	struct io_op op = { .kind = IO_PREAD, .fd = fd, .buf = buf, .n = as__rw_len(n),
			       .off = off };
	return nonsock_io(&op, EPOLLIN);
}

ssize_t as__epoll_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	AS_ENTER();
	struct io_op op = { .kind = IO_PWRITE, .fd = fd, .buf = (void *)buf,
			       .n = as__rw_len(n), .off = off };
	return nonsock_io(&op, EPOLLOUT);
}

int as__epoll_fsync(int fd)
{
	AS_ENTER();
	if (fcntl(fd, F_GETFD) < 0)
		return -1;
	struct io_op op = { .kind = IO_FSYNC, .fd = fd };
	return (int)io_on_pool(&op);
}

int as__epoll_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	AS_ENTER();
	struct io_op op = { .kind = IO_OPENAT, .fd = dirfd, .buf = (void *)path,
			    .flags = flags, .mode = mode };
	int fd = (int)io_on_pool(&op);
	if (fd >= 0 && op.job.interrupted) {
		/* It opened after all, but the caller's deadline or cancel came
		 * first: report that and do not leak the fd. */
		close(fd);
		return (int)as__ret(op.job.interrupted);
	}
	return fd;
}

/* ---- sockets ------------------------------------------------------------- */
/* Sends always pass MSG_NOSIGNAL: a peer that left gives EPIPE (sigpipe.c). */
/* A user's MSG_DONTWAIT means one try, like recv(2) itself. */
#define AS_SOCK_RETRY(fd, flags, events, call)       \
	do {                                         \
		if ((flags) & MSG_DONTWAIT)          \
			return (call);               \
		AS_RETRY(fd, events, call);          \
	} while (0)

ssize_t as__epoll_recv(int fd, void *buf, size_t n, int flags)
{
	AS_ENTER();
	AS_SOCK_RETRY(fd, flags, EPOLLIN, recv(fd, buf, as__rw_len(n), flags | MSG_DONTWAIT));
}

ssize_t as__epoll_send(int fd, const void *buf, size_t n, int flags)
{
	AS_ENTER();
	n = as__rw_len(n);
	AS_SOCK_RETRY(fd, flags, EPOLLOUT, send(fd, buf, n, flags | MSG_DONTWAIT | MSG_NOSIGNAL));
}

ssize_t as__epoll_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a,
			   socklen_t *l)
{
	AS_ENTER();
	n = as__rw_len(n);
	AS_SOCK_RETRY(fd, flags, EPOLLIN, recvfrom(fd, buf, n, flags | MSG_DONTWAIT, a, l));
}

ssize_t as__epoll_sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *a, socklen_t l)
{
	AS_ENTER();
	n = as__rw_len(n);
	AS_SOCK_RETRY(fd, flags, EPOLLOUT,
		      sendto(fd, buf, n, flags | MSG_DONTWAIT | MSG_NOSIGNAL, a, l));
}

ssize_t as__epoll_recvmsg(int fd, struct msghdr *m, int flags)
{
	AS_ENTER();
	AS_SOCK_RETRY(fd, flags, EPOLLIN, recvmsg(fd, m, flags | MSG_DONTWAIT));
}

ssize_t as__epoll_sendmsg(int fd, const struct msghdr *m, int flags)
{
	AS_ENTER();
	AS_SOCK_RETRY(fd, flags, EPOLLOUT, sendmsg(fd, m, flags | MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* A call's new fd (or -1, errno kept): this worker's read hint for the
 * number starts afresh. */
static int fd_new(int fd)
{
	as__epoll_fd_new(fd);
	return fd;
}

int as__epoll_socket(int domain, int type, int proto)
{
	return fd_new(socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
}

int as__epoll_bind(int fd, const struct sockaddr *a, socklen_t l)
{
	return bind(fd, a, l);
}

int as__epoll_listen(int fd, int backlog)
{
	return listen(fd, backlog);
}

int as__epoll_shutdown(int fd, int how)
{
	return shutdown(fd, how);
}

/* 1 ms, as a task or a plain thread: 0, or -1 with ETIMEDOUT/ECANCELED. */
static int connect_backoff(void)
{
	return as__sleep(1000000);
}

/* accept and connect have no per-call non-blocking flag.  Only a socket's
 * flags are changed: anything else fails with ENOTSOCK, untouched. */
static int ensure_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	if (fl & O_NONBLOCK)
		return 0;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

int as__epoll_accept(int fd, struct sockaddr *a, socklen_t *l)
{
	AS_ENTER();
	if (ensure_nonblock(fd) < 0)
		return -1;
	AS_RETRY(fd, EPOLLIN, fd_new(accept4(fd, a, l, SOCK_NONBLOCK | SOCK_CLOEXEC)));
}

int as__epoll_connect(int fd, const struct sockaddr *a, socklen_t l)
{
	AS_ENTER();
	if (ensure_nonblock(fd) < 0)
		return -1;
	if (connect(fd, a, l) == 0)
		return 0;
	for (;;) {
		if (errno == EAGAIN) {
			/* An AF_UNIX listener's backlog is full: nothing to wait
			 * on, so back off and retry (a deadline or cancel ends it). */
			if (connect_backoff() < 0)
				return -1;
			if (connect(fd, a, l) == 0)
				return 0;
			continue;
		}
		if (errno != EINPROGRESS && errno != EALREADY && errno != EINTR)
			return -1;
		int w = as__fd_wait(fd, EPOLLOUT);
		if (w < 0)
			return (int)as__ret(w);
		/* Connecting again finishes the job as a blocking connect would:
		 * Linux keeps the socket "connecting" until then (a later connect
		 * would return 0 instead of EISCONN), and reports a failure
		 * (ECONNREFUSED...) from SO_ERROR. */
		if (connect(fd, a, l) == 0 || errno == EISCONN)
			return 0;
	}
}

int as__epoll_close(int fd)
{
	as__epoll_fd_new(fd);
	as__close_wake(fd);
	return close(fd);
}

int as__epoll_poll(int fd, short events)
{
	AS_ENTER();
	if (fd < 0)
		return (int)as__ret(-EBADF);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n > 0)
			return (p.revents & POLLNVAL) ? (int)as__ret(-EBADF) : p.revents;
		/* poll(2) and epoll share the values of POLLIN, POLLOUT, POLLPRI... */
		int w = as__fd_wait(fd, (uint32_t)(unsigned short)events);
		if (w == -EPERM) {
			/* epoll cannot watch it and poll(2) says none of `events`
			 * will come (a regular file asked for POLLPRI): block as
			 * poll(2) would, until the deadline or a cancel. */
			do { /* nothing but the deadline or a cancel ends it */
				w = as__park_prepare(true);
				if (w == 0)
					w = as__park_wait(as__deadline());
			} while (w == 0);
		}
		if (w < 0)
			return (int)as__ret(w);
	}
}

#ifdef AS_RUNTIME_DEFAULT
/* The default runtime's I/O calls are these, under the ABI's internal names
 * (core.h): aliases, so a call costs no extra jump.  They must be in this
 * file, with their targets. */
ssize_t as__read(int fd, void *b, size_t n) __attribute__((alias("as__epoll_read")));
ssize_t as__write(int fd, const void *b, size_t n) __attribute__((alias("as__epoll_write")));
ssize_t as__readv(int fd, const struct iovec *v, int c) __attribute__((alias("as__epoll_readv")));
ssize_t as__writev(int fd, const struct iovec *v, int c) __attribute__((alias("as__epoll_writev")));
ssize_t as__pread(int fd, void *b, size_t n, off_t o) __attribute__((alias("as__epoll_pread")));
ssize_t as__pwrite(int fd, const void *b, size_t n, off_t o)
	__attribute__((alias("as__epoll_pwrite")));
int as__fsync(int fd) __attribute__((alias("as__epoll_fsync")));
int as__openat(int d, const char *p, int f, mode_t m) __attribute__((alias("as__epoll_openat")));
ssize_t as__recv(int fd, void *b, size_t n, int f) __attribute__((alias("as__epoll_recv")));
ssize_t as__send(int fd, const void *b, size_t n, int f) __attribute__((alias("as__epoll_send")));
ssize_t as__recvfrom(int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l)
	__attribute__((alias("as__epoll_recvfrom")));
ssize_t as__sendto(int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l)
	__attribute__((alias("as__epoll_sendto")));
ssize_t as__recvmsg(int fd, struct msghdr *m, int f) __attribute__((alias("as__epoll_recvmsg")));
ssize_t as__sendmsg(int fd, const struct msghdr *m, int f)
	__attribute__((alias("as__epoll_sendmsg")));
int as__socket(int d, int t, int p) __attribute__((alias("as__epoll_socket")));
int as__bind(int fd, const struct sockaddr *a, socklen_t l)
	__attribute__((alias("as__epoll_bind")));
int as__listen(int fd, int backlog) __attribute__((alias("as__epoll_listen")));
int as__shutdown(int fd, int how) __attribute__((alias("as__epoll_shutdown")));
int as__accept(int fd, struct sockaddr *a, socklen_t *l) __attribute__((alias("as__epoll_accept")));
int as__connect(int fd, const struct sockaddr *a, socklen_t l)
	__attribute__((alias("as__epoll_connect")));
int as__close(int fd) __attribute__((alias("as__epoll_close")));
int as__poll(int fd, short events) __attribute__((alias("as__epoll_poll")));
#endif
