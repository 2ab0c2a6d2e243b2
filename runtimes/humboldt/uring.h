/* SPDX-License-Identifier: MIT */
/*
 * uring.h - humboldt's io_uring reactor: one ring per worker, owned and
 * submitted to by that worker's thread only (SINGLE_ISSUER).
 */
#ifndef HUMBOLDT_URING_H
#define HUMBOLDT_URING_H

#include <liburing.h>
#include <stdbool.h>

#include "core.h"

/* user_data of SQEs whose CQE nobody waits for (cancels, NOPs, the
 * LINK_TIMEOUT of a linked pair). */
#define HB_TOKEN_IGNORE 0ull

/* One operation in flight, in the frame of the task that waits for it.
 * user_data of its SQE is its address; complete() looks at `kind` first. */
enum {
	URING_OP_WAIT = 0,          /* one CQE: res, done, wake the parker */
	URING_OP_CALLBACK = 1,      /* a struct uring_cb: its on_cqe decides */
};

struct uring_op {
	struct as_parker *parker;
	int32_t res;
	bool done;
	bool closing;               /* its fd is being closed: report EBADF */
	uint8_t kind;               /* URING_OP_* */
	int fd;
	struct uring_op *next, *prev;
};

/* An operation whose CQEs need more than res (buffer ids in the flags) or
 * that posts several (multishot: IORING_CQE_F_MORE; zero-copy send: the
 * notification).  on_cqe runs on the ring's worker for each CQE; it sets
 * op.done, and wakes op.parker, when the kernel will post no more. */
struct as_uring;
struct uring_cb {
	struct uring_op op;         /* first: user_data points at both */
	void (*on_cqe)(struct as_uring *u, struct uring_cb *cb, const struct io_uring_cqe *cqe);
	uint32_t cqe_flags;         /* the flags of the result CQE, for on_cqe's users */
};

struct hb_ring_ext;             /* the extensions' per-ring state (ext.h) */

struct as_uring {
	struct io_uring ring;
	int evfd;                   /* cross-thread wake-ups: a read kept armed */
	uint64_t evval;
	struct uring_op *inflight;
	unsigned setup_flags;
	/* Registered files (ext_files.c): fixed_slot[fd] is the fd's slot in
	 * this ring's file table plus one, 0 when it has none. */
	uint32_t *fixed_slot;
	unsigned fixed_cap;
	struct hb_ring_ext *ext;    /* NULL until an extension needs it */
};

/* True once the probe at start found io_uring usable.  False: every worker
 * runs the epoll reactor (the loud fallback). */
extern bool hb__uring_on;
/* Per worker: its own ring could be set up.  A worker whose ring fails after
 * the probe succeeded (ENOMEM under a low `ulimit -l`: every ring counts)
 * says so in one line and runs the epoll reactor. */
extern bool *hb__worker_ring;

/* Decides hb__uring_on (once, before the `threads` workers start); prints
 * the fallback line, or exits with status 2 under HUMBOLDT_REQUIRE_URING=1. */
void hb__probe(unsigned entries, bool require, unsigned threads);

static inline bool hb__on(const struct as_worker *w)
{
	return hb__uring_on && hb__worker_ring[w->index];
}

/* The calling task's ring, or NULL (plain thread, or epoll fallback). */
static inline struct as_uring *hb__ring(void)
{
	struct as_worker *w;
	if (!hb__uring_on || !(w = as__worker()) || !w->cur || !hb__worker_ring[w->index])
		return NULL;
	return (struct as_uring *)w->reactor;
}

/* ns (>= 0) in the kernel's own timespec, which io_uring's timeouts take. */
static inline struct __kernel_timespec hb__kernel_timespec(int64_t ns)
{
	struct timespec ts = as__timespec_from_ns(ns);
	return (struct __kernel_timespec){ .tv_sec = ts.tv_sec, .tv_nsec = ts.tv_nsec };
}

/* Waits on the ring until fd is ready for `events`; revents or -errno. */
int hb__ring_poll(struct as_uring *u, int fd, short events);

/* A free SQE (submits to make room when the SQ is full). */
struct io_uring_sqe *hb__sqe(struct as_uring *u);
/* Two consecutive free SQEs, for a linked pair that must reach the kernel
 * in one submission. */
void hb__sqe_pair(struct as_uring *u, struct io_uring_sqe **a, struct io_uring_sqe **b);
/* Submits an SQE prepared for op on fd and waits for its completion with
 * the task's deadline and cancellation; on either, cancels it and still
 * waits for the kernel to give the buffers back.  Returns the CQE's res
 * (>= 0 or -errno), or -ETIMEDOUT/-ECANCELED if it was cancelled (an
 * operation that completed anyway returns its own result). */
int hb__submit_wait(struct as_uring *u, struct io_uring_sqe *sqe, struct uring_op *op, int fd);
/* The same for an operation whose CQEs cb->on_cqe handles (set before the
 * call); op.res is what it returns. */
int hb__submit_wait_cb(struct as_uring *u, struct io_uring_sqe *sqe, struct uring_cb *cb, int fd);
/* The same for sqe linked (IOSQE_IO_LINK) to `link`, e.g. a LINK_TIMEOUT
 * whose own CQE nobody waits for. */
int hb__submit_wait_linked(struct as_uring *u, struct io_uring_sqe *sqe,
			   struct io_uring_sqe *link, struct uring_op *op, int fd);
/* A long-lived operation (multishot): on the ring's in-flight list, so that
 * closing its fd cancels it, until hb__op_disarm. */
void hb__op_arm(struct as_uring *u, struct uring_op *op, int fd);
void hb__op_disarm(struct as_uring *u, struct uring_op *op);
/* Submits what is queued now rather than at the worker's next look. */
void hb__flush(struct as_uring *u);

/* fd has a slot in u's registered file table: the SQE uses the slot. */
static inline void hb__use_fixed(struct as_uring *u, struct io_uring_sqe *sqe, int fd)
{
	if (AS_UNLIKELY(u->fixed_slot != NULL) && (unsigned)fd < u->fixed_cap &&
	    u->fixed_slot[fd]) {
		sqe->fd = (int)(u->fixed_slot[fd] - 1);
		sqe->flags |= IOSQE_FIXED_FILE;
	}
}
/* Drops fd from u's file table (it is being closed); ext_files.c. */
void hb__files_drop(struct as_uring *u, int fd);

/* The extensions the kernel supports (HB_EXT_* bits of humboldt.h's
 * HUMBOLDT_* features), found by the probe at start; 0 in the fallback. */
extern unsigned hb__ext_supported;

#endif
