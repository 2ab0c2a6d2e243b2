/* SPDX-License-Identifier: MIT */
/*
 * default.h - the epoll reactor and the I/O calls built on it, named
 * as__epoll_*.  The default runtime makes them its own as__read,
 * as__reactor_init... by alias (-DAS_RUNTIME_DEFAULT, at the end of epoll.c
 * and io.c); humboldt calls them by these names for its fallback.
 */
#ifndef AS_DEFAULT_H
#define AS_DEFAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "reactor.h"

struct as_worker;
int as__epoll_reactor_init(struct as_worker *w);
void as__epoll_reactor_poll(struct as_worker *w, int64_t timeout_ns);
void as__epoll_reactor_notify(struct as_worker *w);
void as__epoll_reactor_close_fd(struct as_worker *w, int fd);
ssize_t as__epoll_read(int fd, void *buf, size_t n);
ssize_t as__epoll_write(int fd, const void *buf, size_t n);
ssize_t as__epoll_readv(int fd, const struct iovec *iov, int cnt);
ssize_t as__epoll_writev(int fd, const struct iovec *iov, int cnt);
ssize_t as__epoll_pread(int fd, void *buf, size_t n, off_t off);
ssize_t as__epoll_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t as__epoll_recv(int fd, void *buf, size_t n, int flags);
ssize_t as__epoll_send(int fd, const void *buf, size_t n, int flags);
ssize_t as__epoll_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a,
			   socklen_t *l);
ssize_t as__epoll_sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *a, socklen_t l);
ssize_t as__epoll_recvmsg(int fd, struct msghdr *m, int flags);
ssize_t as__epoll_sendmsg(int fd, const struct msghdr *m, int flags);
int as__epoll_socket(int domain, int type, int proto);
int as__epoll_bind(int fd, const struct sockaddr *a, socklen_t l);
int as__epoll_listen(int fd, int backlog);
int as__epoll_shutdown(int fd, int how);
int as__epoll_accept(int fd, struct sockaddr *a, socklen_t *l);
int as__epoll_connect(int fd, const struct sockaddr *a, socklen_t l);
int as__epoll_close(int fd);
int as__epoll_poll(int fd, short events);
int as__epoll_openat(int dfd, const char *path, int flags, mode_t mode);
int as__epoll_fsync(int fd);

/* Suspends the calling task until fd is ready for `events` (EPOLLIN,
 * EPOLLOUT, ...), honouring its deadline and cancellation; on a plain thread
 * it waits in poll(2).  0 or -errno: EBADF when the fd is closed meanwhile,
 * EPERM when epoll cannot watch the fd (regular files, some devices). */
int as__fd_wait(int fd, uint32_t events);

/* The read hints of the calling task's worker (epoll.c): true when the last
 * socket read of fd there emptied its queue; what a socket read of `asked`
 * bytes returned; fd is a new file (accepted, made or closed here). */
bool as__epoll_read_drained(int fd);
void as__epoll_read_note(int fd, size_t asked, ssize_t got);
void as__epoll_fd_new(int fd);

#endif
