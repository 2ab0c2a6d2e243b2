/* SPDX-License-Identifier: MIT */
/*
 * gcd.h - the API of gcd, async_std's dispatch-queue runtime (in the manner
 * of Apple's Grand Central Dispatch): queues of work items, where every item
 * is a task of gcd.
 *
 * gcd is a runtime like the others (core and the epoll reactor): bind it as
 * the process's runtime (LD_PRELOAD=libgcd.so ./app, ASYNC_STD_RUNTIME=gcd),
 * or load it beside another one (link with -lgcd after the main runtime, or
 * preload it second) and hand it work through these calls; it starts on the
 * first one.  Inside an item async_std_runtime_name() is "gcd", and
 * async_std_read, sleep, spawn and the channels act on gcd: every
 * async_std_* call acts on the runtime that runs the calling task.  Handles,
 * channels, mutexes, semaphores and groups work across runtimes.
 *
 * Every call here may be made from any thread and from a task of any
 * runtime.  Errors: -1 (or NULL) and errno; EINVAL for a NULL queue or fn.
 * Symbols are versioned in node GCD_1.0.
 *
 * Using gcd only when it is loaded (weak symbols, NULL unless a loaded
 * object defines them; define GCD_WEAK before the include):
 *
 *	#define GCD_WEAK
 *	#include <gcd.h>
 *	...
 *	async_std_task *t = gcd_spawn ? gcd_spawn(gcd_global_queue(0), work, arg)
 *	                              : async_std_spawn(work, arg);
 */
#ifndef GCD_H
#define GCD_H

#include <stdint.h>

#include "async_std.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef GCD_WEAK
#define GCD_API __attribute__((weak))
#else
#define GCD_API
#endif

typedef struct gcd_queue gcd_queue;

#define GCD_QUEUE_SERIAL     0u  /* FIFO, one item at a time */
#define GCD_QUEUE_CONCURRENT 1u  /* FIFO start, items overlap */

/* A queue.  A serial queue runs its items one at a time in the order they
 * were submitted, also when an item blocks (the queue waits for it, as a
 * blocked block keeps a GCD queue); a concurrent one starts them in order
 * and lets them overlap on gcd's workers.  label (copied, at most 31 bytes
 * kept; NULL: "gcd.queue") names the items in task dumps.  NULL with EINVAL
 * (unknown flags) or ENOMEM. */
GCD_API gcd_queue *gcd_queue_create(const char *label, unsigned flags);

/* The pool: one concurrent queue, never destroyed.  qos is taken and, in
 * this version, ignored (every item has the same priority); 0 is the
 * default.  Never NULL. */
GCD_API gcd_queue *gcd_global_queue(int qos);

/* Frees q.  0, or -1 with EBUSY while items are queued, waiting for their
 * gcd_after time, or running (nothing is freed then), or EINVAL for NULL or
 * the global queue. */
GCD_API int gcd_queue_destroy(gcd_queue *q);

/* Submits fn(arg) as a detached item.  0, or -1 with EINVAL, ENOMEM or
 * gcd's start error (EAGAIN: no threads; ENOTSUP: gcd cannot share this
 * process with the runtime loaded first, said in one line). */
GCD_API int gcd_async(gcd_queue *q, async_std_fn fn, void *arg);

/* Submits fn(arg) as a joinable item: the handle is a task of gcd, for
 * async_std_join (fn's return value), async_std_cancel, async_std_detach,
 * from any runtime.  NULL and errno as gcd_async. */
GCD_API async_std_task *gcd_spawn(gcd_queue *q, async_std_fn fn, void *arg);

/* Submits fn(arg) and waits for it to end; its return value in *result when
 * result is not NULL.  The caller waits as its own runtime waits (a task
 * suspends, a plain thread sleeps), and its deadline and cancellation apply
 * (ETIMEDOUT, ECANCELED: the item goes on, detached).  -1 with EDEADLK when
 * called from an item of q itself and q is serial: it would wait for
 * itself. */
GCD_API int gcd_sync(gcd_queue *q, async_std_fn fn, void *arg, void **result);

/* Submits fn(arg) as a detached item once async_std_now() reaches deadline
 * (absolute ns on CLOCK_MONOTONIC; a time past submits at once); never
 * earlier.  -1 with EINVAL for a negative deadline. */
GCD_API int gcd_after(gcd_queue *q, int64_t deadline, async_std_fn fn, void *arg);

/* Submits fn(arg) as an item of q that is a member of group g
 * (async_std_group_wait waits for it, async_std_group_cancel cancels it),
 * whichever runtime made g.  0, or -1 with errno as gcd_async. */
GCD_API int gcd_group_async(async_std_group *g, gcd_queue *q, async_std_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* GCD_H */
