/*
 * uring.h - humboldt's io_uring reactor: one ring per worker, owned and
 * submitted to by that worker's thread only (SINGLE_ISSUER).
 */
#ifndef HUMBOLDT_URING_H
#define HUMBOLDT_URING_H

#include <liburing.h>
#include <stdbool.h>

#include "core.h"

/* One operation in flight, in the frame of the task that waits for it. */
struct uring_op {
	struct as_parker *parker;
	int32_t res;
	bool done;
	bool closing;               /* its fd is being closed: report EBADF */
	int fd;
	struct uring_op *next, *prev;
};

struct as_uring {
	struct io_uring ring;
	int evfd;                   /* cross-thread wake-ups: a read kept armed */
	uint64_t evval;
	struct uring_op *inflight;
	unsigned setup_flags;
};

/* True once the probe at start found io_uring usable: every worker runs a
 * ring.  False: every worker runs the epoll reactor (the loud fallback). */
extern bool hb__uring_on;

/* Decides hb__uring_on (once, before the workers start); prints the
 * fallback line, or exits with status 2 under HUMBOLDT_REQUIRE_URING=1. */
void hb__probe(unsigned entries, bool require);

/* The calling task's ring, or NULL (plain thread, or epoll fallback). */
static inline struct as_uring *hb__ring(void)
{
	struct as_worker *w;
	if (!hb__uring_on || !(w = as__worker()) || !w->cur)
		return NULL;
	return (struct as_uring *)w->reactor;
}

/* A free SQE (submits to make room when the SQ is full). */
struct io_uring_sqe *hb__sqe(struct as_uring *u);
/* Submits an SQE prepared for op on fd and waits for its completion with
 * the task's deadline and cancellation; on either, cancels it and still
 * waits for the kernel to give the buffers back.  Returns the CQE's res
 * (>= 0 or -errno), or -ETIMEDOUT/-ECANCELED if it was cancelled (an
 * operation that completed anyway returns its own result). */
int hb__submit_wait(struct as_uring *u, struct io_uring_sqe *sqe, struct uring_op *op, int fd);
const char *hb__setup_mode(void);

#endif
