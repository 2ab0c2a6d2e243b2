/* SPDX-License-Identifier: MIT */
/*
 * reactor.h - the narrow contract between core's scheduler and a runtime's
 * reactor (epoll for the default runtime, io_uring for humboldt), in the
 * spirit of redis ae.c's aeApi*: one reactor per worker, four calls.
 */
#ifndef AS_REACTOR_H
#define AS_REACTOR_H

#include <stdint.h>

struct as_worker;

/* Creates w's reactor (w->reactor) before w's thread starts.  0 or -errno. */
int as__reactor_init(struct as_worker *w);
/* Owner thread: waits for I/O up to timeout_ns (0: just look, -1: until
 * something happens or as__reactor_notify) and wakes the waiters concerned. */
void as__reactor_poll(struct as_worker *w, int64_t timeout_ns);
/* Any thread: makes w's reactor return from a blocking poll. */
void as__reactor_notify(struct as_worker *w);
/* Owner thread: wakes every waiter on fd with EBADF (fd is being closed). */
void as__reactor_close_fd(struct as_worker *w, int fd);

#endif
