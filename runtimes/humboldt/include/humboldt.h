/* SPDX-License-Identifier: MIT */
/*
 * humboldt.h - the extension API of humboldt, async_std's io_uring runtime.
 *
 * These calls exist only in libhumboldt (LD_PRELOAD=libhumboldt.so, or a
 * static link with libhumboldt.a): a program that uses them is tied to
 * humboldt.  Each symbol is versioned in node HUMBOLDT_1.0.
 *
 * Conventions (on top of async_std.h's: -1 or NULL and errno; ETIMEDOUT and
 * ECANCELED for the calling task's deadline and cancellation):
 *  - Every call needs a task running on a humboldt worker that has an
 *    io_uring ring.  From a plain thread, under the epoll fallback (io_uring
 *    forbidden by seccomp, kernel.io_uring_disabled, ...), or on a kernel
 *    whose probe lacks what the call needs, a call that takes no handle
 *    fails with ENOTSUP and does nothing (so no handle can exist there);
 *    humboldt_supported() says which extensions this kernel has.  Every
 *    extension needs the io_uring probe (Linux 5.6); the version given with
 *    each is the first kernel that has all it needs.  A NULL handle gives
 *    EINVAL.
 *  - Rings are per worker, and a started task never changes worker.  A
 *    handle (acceptor, buffer ring, registered buffers) and a file
 *    registration belong to the ring of the task that created them: use them
 *    from that task, or from tasks it spawns with ASYNC_STD_SPAWN_LOCAL
 *    (they run on the same worker).  A call given a handle from any other
 *    worker or thread fails with EXDEV and changes nothing.
 *  - A call that is cancelled or reaches its deadline while the kernel holds
 *    its buffer cancels the operation and returns only after the kernel has
 *    completed it: the buffer is the caller's again when the call returns.
 *    An operation that completed anyway returns its result instead.
 *
 * Using an extension when humboldt is loaded and the portable call when it
 * is not (weak symbols: the reference is NULL unless a loaded object
 * defines it):
 *
 *	extern ssize_t humboldt_recv_timeout(int fd, void *buf, size_t n, int flags,
 *					     int64_t timeout_ns) __attribute__((weak));
 *
 *	ssize_t recv_within(int fd, void *buf, size_t n, int64_t timeout_ns)
 *	{
 *		if (humboldt_recv_timeout) {
 *			ssize_t r = humboldt_recv_timeout(fd, buf, n, 0, timeout_ns);
 *			if (r >= 0 || errno != ENOTSUP)
 *				return r;       // ENOTSUP: fallback or old kernel
 *		}
 *		int64_t prev = async_std_deadline_push(async_std_now() + timeout_ns);
 *		ssize_t r = async_std_recv(fd, buf, n, 0);
 *		async_std_deadline_pop(prev);
 *		return r;
 *	}
 *
 * The program links against libasync_std only and runs on either runtime;
 * defining HUMBOLDT_WEAK before including this header declares every
 * function here weak in the same way.  A weak reference does not pull an
 * object out of a static archive: statically linked with libhumboldt.a,
 * declare the functions normally (or link with -Wl,-u,humboldt_<name>).
 */
#ifndef HUMBOLDT_H
#define HUMBOLDT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "async_std.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef HUMBOLDT_WEAK
#define HUMBOLDT_API __attribute__((weak))
#else
#define HUMBOLDT_API
#endif

/* ------------------------------------------------------------------ */
/* What this kernel offers                                             */
/* ------------------------------------------------------------------ */

enum humboldt_feature {
	HUMBOLDT_MULTISHOT_ACCEPT = 1,   /* Linux 5.19 */
	HUMBOLDT_BUFFER_RING = 2,        /* Linux 5.19 */
	HUMBOLDT_SEND_ZC = 3,            /* Linux 6.0 */
	HUMBOLDT_REGISTERED_FILES = 4,   /* Linux 5.6 */
	HUMBOLDT_REGISTERED_BUFFERS = 5, /* Linux 5.6 */
	HUMBOLDT_LINK_TIMEOUT = 6,       /* Linux 5.6 */
};

/* ------------------------------------------------------------------ */
/* Spawning onto humboldt from anywhere (HUMBOLDT_1.1)                 */
/* ------------------------------------------------------------------ */

/* async_std_spawn and async_std_spawn_ex, always onto humboldt's workers:
 * from a task of another runtime of the process (a gcd item, say), from a
 * plain thread, from humboldt's own tasks.  The handle is humboldt's and
 * works with async_std_join, cancel, detach from any runtime.  NULL with
 * errno as async_std_spawn_ex. */
HUMBOLDT_API async_std_task *humboldt_spawn(async_std_fn fn, void *arg);
HUMBOLDT_API async_std_task *humboldt_spawn_ex(async_std_fn fn, void *arg,
					       const async_std_spawn_attr *attr);

/* 1 when humboldt runs on io_uring and the kernel's probe has what
 * `feature` needs, 0 when not (the epoll fallback, an older kernel).  The
 * calls still need a task on a humboldt worker.  Returns -1 with EINVAL for
 * an unknown feature.  Starts nothing but the probe; never blocks. */
HUMBOLDT_API int humboldt_supported(int feature);

/* ------------------------------------------------------------------ */
/* Multishot accept (Linux 5.19)                                       */
/* ------------------------------------------------------------------ */
/*
 * One accept armed on the listening socket delivers every connection, with
 * no submission per connection; they queue in the acceptor until taken.
 * When many connections are waiting to be taken (1024), humboldt stops
 * accepting until the queue drains, leaving the rest in the listen backlog.
 */
typedef struct humboldt_acceptor humboldt_acceptor;

/* Arms a multishot accept on listening socket fd (a registered fd is used by
 * its slot).  Returns the acceptor, or NULL with errno ENOTSUP, EBADF,
 * ENOMEM. */
HUMBOLDT_API humboldt_acceptor *humboldt_accept_start(int fd);

/* Waits for the next connection and returns its fd (non-blocking,
 * close-on-exec, as from async_std_accept).  When addr is not NULL, the
 * peer's address is stored as accept(2) would (*len = 0 if the peer is
 * already gone).  Returns -1 with errno EXDEV (another worker), EBUSY
 * (another task waits in next on this acceptor), EBADF (the listening fd
 * was closed, after the connections already accepted have been taken),
 * an accept error such as EMFILE (reported once; the next call re-arms),
 * ETIMEDOUT or ECANCELED (the accept stays armed; nothing is lost). */
HUMBOLDT_API int humboldt_accept_next(humboldt_acceptor *a, struct sockaddr *addr,
				      socklen_t *len);

/* Cancels the accept, waits for the kernel to let it go (ignoring the
 * caller's deadline and cancellation), closes the connections nobody took
 * and frees a.  Returns 0, or -1 with EXDEV (another worker; nothing done)
 * or EBUSY (a task waits in next). */
HUMBOLDT_API int humboldt_accept_stop(humboldt_acceptor *a);

/* ------------------------------------------------------------------ */
/* Provided-buffer rings (Linux 5.19)                                  */
/* ------------------------------------------------------------------ */
/*
 * A ring of equal buffers registered with the kernel: a receive takes a
 * buffer only when data arrives, so thousands of idle connections need no
 * buffer each.  The application borrows the filled buffer and returns it.
 */
typedef struct humboldt_bufring humboldt_bufring;

/* A ring of `count` buffers (a power of two, 1..32768) of `size` bytes
 * (1..1 GiB), registered with the calling worker's ring.  Returns it, or
 * NULL with errno ENOTSUP, EINVAL (count or size out of range), ENOMEM, or
 * ENOSPC (the worker's 1024 buffer groups are in use). */
HUMBOLDT_API humboldt_bufring *humboldt_bufring_create(unsigned count, size_t size);

/* Receives from socket fd (recv(2) flags; MSG_DONTWAIT: one try, EAGAIN)
 * into a buffer the kernel takes from br, and lends it: *buf points at the
 * data, valid until humboldt_bufring_return.  Returns the byte count (> 0),
 * or 0 at end of stream (*buf = NULL, nothing borrowed), or -1 with errno
 * ENOBUFS (every buffer is borrowed: return some), EXDEV, EINVAL, the
 * errors of recv(2), ETIMEDOUT, ECANCELED. */
HUMBOLDT_API ssize_t humboldt_bufring_recv(humboldt_bufring *br, int fd, int flags,
					   void **buf);

/* Gives back the buffer that buf points into.  Returns 0, or -1 with EXDEV
 * or EINVAL (not a borrowed buffer of br: one line on stderr). */
HUMBOLDT_API int humboldt_bufring_return(humboldt_bufring *br, void *buf);

/* Unregisters br and frees it and its buffers.  Returns 0, or -1 with EXDEV
 * or EBUSY (a buffer is borrowed or a receive is in progress). */
HUMBOLDT_API int humboldt_bufring_destroy(humboldt_bufring *br);

/* ------------------------------------------------------------------ */
/* Zero-copy send (Linux 6.0)                                          */
/* ------------------------------------------------------------------ */

/* send(2) without copying buf into the kernel: the network stack reads the
 * pages.  Returns the byte count only after the kernel's notification that
 * it no longer uses buf, so buf may be reused at once.  Worth it for large
 * buffers (tens of KiB) on TCP or UDP sockets; others fail with EOPNOTSUPP.
 * Returns -1 with errno as send(2), ETIMEDOUT or ECANCELED (after the
 * notification too; if the send completed meanwhile, its count). */
HUMBOLDT_API ssize_t humboldt_send_zc(int fd, const void *buf, size_t n, int flags);

/* ------------------------------------------------------------------ */
/* Registered files (Linux 5.6)                                        */
/* ------------------------------------------------------------------ */
/*
 * Puts fd in the calling worker's fixed-file table, so that every humboldt
 * I/O call on fd made by tasks of that worker (async_std_read, _recv,
 * _send, ..., and the calls above) skips the kernel's per-call file lookup
 * and reference count.  Nothing else changes: fd stays an ordinary fd.
 * The table holds a reference to the file: close fd with async_std_close,
 * which drops it from every worker's table first, or unregister it before
 * close(2) (else the file stays open until the process ends).  The table
 * has HUMBOLDT_REGISTERED_FILES slots per worker (1024, at most the
 * RLIMIT_NOFILE soft limit).
 * Returns 0 (also when fd is already registered on this worker), or -1 with
 * errno ENOTSUP, EBADF, ENFILE (the table is full), ENOMEM.
 */
HUMBOLDT_API int humboldt_file_register(int fd);

/* Drops fd from the calling worker's table.  Returns 0, or -1 with errno
 * ENOTSUP or EINVAL (fd is not registered on this worker). */
HUMBOLDT_API int humboldt_file_unregister(int fd);

/* ------------------------------------------------------------------ */
/* Registered buffers (Linux 5.6)                                      */
/* ------------------------------------------------------------------ */
/*
 * Buffers the kernel pins once, so reads and writes into them skip the
 * per-call page mapping (IORING_OP_READ_FIXED/WRITE_FIXED).  Pinned memory
 * counts against RLIMIT_MEMLOCK (`ulimit -l`, often 64 KiB): when the kernel
 * refuses for lack of it, humboldt logs one line (once per process) and
 * degrades to plain buffers, with the same calls and results.
 * HUMBOLDT_REGISTERED_BUFFERS=0 makes that the rule.
 */
typedef struct humboldt_buffers humboldt_buffers;

/* Registers the n buffers of iov (n 1..16384, each 1 byte..1 GiB) with the
 * calling worker's ring, which has room for one such set.  The memory must
 * stay valid until unregistered.  Returns the set, or NULL with errno
 * ENOTSUP, EINVAL, EBUSY (this worker's ring has a set), ENOMEM, EFAULT. */
HUMBOLDT_API humboldt_buffers *humboldt_buffers_register(const struct iovec *iov, unsigned n);

/* 1 when the kernel pinned b, 0 when humboldt degraded to plain buffers;
 * -1 with EINVAL for NULL. */
HUMBOLDT_API int humboldt_buffers_pinned(const humboldt_buffers *b);

/* pread(2)/pwrite(2) (off >= 0) or read(2)/write(2) (off == -1) with buf..
 * buf+n inside buffer `index` of b.  Returns the byte count, or -1 with
 * errno EXDEV, EINVAL (index, range or off), the errors of the plain call,
 * ETIMEDOUT, ECANCELED. */
HUMBOLDT_API ssize_t humboldt_buffers_read(humboldt_buffers *b, unsigned index, int fd,
					   void *buf, size_t n, off_t off);
HUMBOLDT_API ssize_t humboldt_buffers_write(humboldt_buffers *b, unsigned index, int fd,
					    const void *buf, size_t n, off_t off);

/* Unregisters b and frees it (not the memory).  Returns 0, or -1 with EXDEV
 * or EBUSY (a read or write on b is in progress). */
HUMBOLDT_API int humboldt_buffers_unregister(humboldt_buffers *b);

/* ------------------------------------------------------------------ */
/* Per-call linked timeouts (Linux 5.6)                                */
/* ------------------------------------------------------------------ */
/*
 * read(2)/recv(2) with a timeout the kernel enforces (IORING_OP_LINK_TIMEOUT
 * linked to the operation): no timer on the worker, and the task's own
 * deadline still applies.  Data already there is returned even when
 * timeout_ns is 0.  Return the byte count, or -1 with errno ETIMEDOUT (the
 * timeout or the deadline passed first; nothing was read), EINVAL
 * (timeout_ns < 0), ECANCELED, or the errors of read(2)/recv(2).
 */
HUMBOLDT_API ssize_t humboldt_read_timeout(int fd, void *buf, size_t n, int64_t timeout_ns);
HUMBOLDT_API ssize_t humboldt_recv_timeout(int fd, void *buf, size_t n, int flags,
					   int64_t timeout_ns);

#undef HUMBOLDT_API

#ifdef __cplusplus
}
#endif

#endif
