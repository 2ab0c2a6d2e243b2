/*
 * default.h - what the default runtime's I/O calls need from its reactor.
 */
#ifndef AS_DEFAULT_H
#define AS_DEFAULT_H

#include <stdint.h>

/* Suspends the calling task until fd is ready for `events` (EPOLLIN,
 * EPOLLOUT, ...), honouring its deadline and cancellation; on a plain thread
 * it waits in poll(2).  0 or -errno (EBADF when the fd is closed meanwhile). */
int as__fd_wait(int fd, uint32_t events);

#endif
