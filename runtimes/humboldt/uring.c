/* SPDX-License-Identifier: MIT */
/*
 * uring.c - humboldt's reactor: the io_uring ring of each worker, the probe
 * that decides at start between io_uring and the loud epoll fallback, and
 * submit-and-wait with cancellation that never frees a buffer the kernel
 * still owns.  The reactor contract (reactor.h) dispatches to the epoll
 * reactor when io_uring is not available.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(AS_VALGRIND) || (defined(__has_include) && __has_include(<valgrind/valgrind.h>))
#include <valgrind/valgrind.h>
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "default.h"
#include "reactor.h"
#include "settings.h"
#include "ext.h"
#include "uring.h"

#define TOKEN_IGNORE HB_TOKEN_IGNORE
/* SQEs queued by tasks wait for the worker's next look at the ring (when it
 * runs out of tasks, or at the latest after the scheduler's poll interval),
 * so one io_uring_enter submits many; past this many it submits at once. */
#define SUBMIT_BATCH 32
#define TOKEN_WAKE 1ull         /* the eventfd read of cross-thread wake-ups */

bool hb__uring_on;
bool *hb__worker_ring;
static bool require_uring;
unsigned hb__ext_supported;
static unsigned ring_entries;

/* The flag ladder: the cheapest mode the kernel accepts.  DEFER_TASKRUN
 * (6.1) runs completions only when this thread asks for events; COOP_TASKRUN
 * (5.19) stops interrupting the thread for them; plain rings work from 5.6. */
static const unsigned ladder[] = {
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	0,
};

#define HB_MAX_CQ_ENTRIES 65536u /* the kernel's IORING_MAX_CQ_ENTRIES */
/* The kernel sizes the hash table in which a cancel looks up its target by
 * the CQ: ilog2(cq_entries) - 5 bits, at most 8.  A 1,024-entry CQ gives 32
 * buckets, so cancelling 40,000 pending recvs (an idle-timeout sweep) walked
 * ~1,250 entries each: 2.5 s.  8,192 entries give the full 256 buckets, for
 * 128 KiB of CQ per ring. */
#define HB_MIN_CQ_ENTRIES 8192u

/* floor: HB_MIN_CQ_ENTRIES, or 0 once memory ran short. */
static unsigned cq_entries_for(unsigned sq, unsigned floor)
{
	unsigned pow2 = 1;
	while (pow2 < sq)
		pow2 <<= 1;
	unsigned cq = pow2 >= HB_MAX_CQ_ENTRIES / 4 ? HB_MAX_CQ_ENTRIES : 4 * pow2;
	return cq < floor ? floor : cq;
}

/* Sets up a ring, walking down the ladder on EINVAL (flag unknown to this
 * kernel) and, on ENOMEM (a low memlock limit on old kernels), dropping
 * the CQ floor and then halving the size.  Returns 0 or -errno of the last attempt. */
static int ring_setup(struct io_uring *ring, unsigned entries, unsigned *flags_used,
		      unsigned *features)
{
	int r = -EINVAL;
	unsigned floor = HB_MIN_CQ_ENTRIES;
	for (;;) {
		for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
			struct io_uring_params p;
			memset(&p, 0, sizeof p);
			/* A CQ 4x the SQ: completions of multishot or linked
			 * operations never overflow it.  The kernel rounds the
			 * SQ up to a power of two and refuses a CQ over 65,536
			 * (2 x its SQ maximum): so 16,385 entries, rounded to
			 * 32,768, get a CQ of 65,536, not an EINVAL. */
			p.flags = ladder[i] | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
			p.cq_entries = cq_entries_for(entries, floor);
			r = io_uring_queue_init_params(entries, ring, &p);
			if (r == 0) {
				*flags_used = ladder[i];
				if (features)
					*features = p.features;
				return 0;
			}
			if (r != -EINVAL)
				break;
		}
		if (r != -ENOMEM || (entries <= 8 && !floor))
			return r;
		/* Short of memory (a low `ulimit -l` on older kernels): first
		 * give up the CQ floor, then halve the ring. */
		if (floor)
			floor = 0;
		else
			entries /= 2;
	}
}

static int io_uring_disabled_sysctl(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Why io_uring_setup failed, for the one line the fallback prints. */
static void explain(int r, char *why, size_t n)
{
	int sysctl = io_uring_disabled_sysctl();
	struct rlimit ml;
	if ((r == -EPERM || r == -ENOSYS) && sysctl > 0)
		snprintf(why, n, "io_uring_setup: %s (kernel.io_uring_disabled=%d)",
			 strerror(-r), sysctl);
	else if (r == -EPERM)
		snprintf(why, n, "io_uring_setup: %s (a seccomp filter or "
			 "container policy forbids io_uring)", strerror(-r));
	else if (r == -ENOSYS)
		snprintf(why, n, "io_uring_setup: %s (no io_uring in this kernel, "
			 "or a seccomp filter hides it)", strerror(-r));
	else if (r == -ENOMEM && getrlimit(RLIMIT_MEMLOCK, &ml) == 0 &&
		 ml.rlim_cur != RLIM_INFINITY)
		snprintf(why, n, "io_uring_setup: %s (ulimit -l is %llu KiB)", strerror(-r),
			 (unsigned long long)ml.rlim_cur / 1024);
	else
		snprintf(why, n, "io_uring_setup: %s", strerror(-r));
}

/* ring_setup, retrying ENOMEM briefly (2+4+...+32 ms): the kernel frees a
 * ring's memory after io_uring_queue_exit returns, and io_uring charges it
 * to the user, so the probe's ring, or a ring of a process that just ended,
 * can still count against a low `ulimit -l` for a few milliseconds. */
static int ring_setup_patient(struct io_uring *ring, unsigned *flags_used, unsigned *features)
{
	int r = ring_setup(ring, ring_entries, flags_used, features);
	for (unsigned ms = 2; r == -ENOMEM && ms <= 32; ms *= 2) {
		usleep(ms * 1000);
		r = ring_setup(ring, ring_entries, flags_used, features);
	}
	return r;
}

void hb__probe(unsigned entries, bool require, unsigned threads)
{
	struct io_uring ring;
	ring_entries = entries;
	require_uring = require;
	unsigned features = 0;
	hb__worker_ring = calloc(threads, sizeof(*hb__worker_ring));
	unsigned probe_flags;
	if (RUNNING_ON_VALGRIND) {
		/* valgrind 3.19 keeps its one lock across io_uring_enter: a worker
		 * that waits in the ring stops every other thread for good. */
		if (require) {
			as__say("humboldt: under valgrind, which stops every thread while one "
				"waits in io_uring_enter, and HUMBOLDT_REQUIRE_URING=1");
			exit(2);
		}
		as__say("humboldt: under valgrind, which stops every thread while one waits "
			"in io_uring_enter; falling back to epoll (same semantics)");
		hb__uring_on = false;
		return;
	}
	int r = hb__worker_ring ? ring_setup_patient(&ring, &probe_flags, &features) : -ENOMEM;
	if (r == 0) {
		/* The extensions are gated on what this kernel says it has (a
		 * kernel without the probe, before 5.6, gets none), never on a
		 * call failing with EINVAL. */
		struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
		hb__ext_supported = hb__ext_from_probe(probe, features);
		if (probe)
			io_uring_free_probe(probe);
		io_uring_queue_exit(&ring);
		for (unsigned i = 0; i < threads; i++)
			hb__worker_ring[i] = true;
		hb__uring_on = true;
		return;
	}
	char why[160];
	explain(r, why, sizeof why);
	if (require) {
		as__say("humboldt: %s, and HUMBOLDT_REQUIRE_URING=1", why);
		exit(2);
	}
	as__say("humboldt: %s; falling back to epoll (same semantics)", why);
	hb__uring_on = false;
}

/* ---- the reactor contract ------------------------------------------------ */
static void arm_wake(struct as_uring *u)
{
	struct io_uring_sqe *sqe = hb__sqe(u);
	io_uring_prep_read(sqe, u->evfd, &u->evval, sizeof u->evval, 0);
	io_uring_sqe_set_data64(sqe, TOKEN_WAKE);
}

int as__reactor_init(struct as_worker *w)
{
	if (!hb__on(w))
		return as__epoll_reactor_init(w);
	struct as_uring *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	int r = ring_setup_patient(&u->ring, &u->setup_flags, NULL);
	if (r < 0) {
		/* The probe's ring worked but this one does not (every ring
		 * counts against a low `ulimit -l`): this worker runs epoll. */
		char why[160];
		explain(r, why, sizeof why);
		free(u);
		if (require_uring) {
			as__say("humboldt: worker %u: %s, and HUMBOLDT_REQUIRE_URING=1",
				w->index, why);
			exit(2);
		}
		as__say("humboldt: worker %u: %s; this worker falls back to epoll "
			"(same semantics)", w->index, why);
		hb__worker_ring[w->index] = false;
		return as__epoll_reactor_init(w);
	}
	u->evfd = eventfd(0, EFD_CLOEXEC);
	if (u->evfd < 0) {
		r = -errno;
		goto out_exit;
	}
	w->reactor = (struct as_reactor *)u;
	arm_wake(u);
	(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
	return 0;

out_exit:
	io_uring_queue_exit(&u->ring);
	free(u);
	return r;
}

void as__reactor_notify(struct as_worker *w)
{
	if (!hb__on(w)) {
		as__epoll_reactor_notify(w);
		return;
	}
	struct as_uring *u = (struct as_uring *)w->reactor;
	uint64_t one = 1;
	ssize_t unused = write(u->evfd, &one, sizeof one);
	(void)unused;
}

static void complete(struct as_uring *u, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	if (data == TOKEN_IGNORE)
		return;
	if (data == TOKEN_WAKE) {
		arm_wake(u);
		return;
	}
	struct uring_op *op = (struct uring_op *)(uintptr_t)data;
	/* Extensions' operations (several CQEs, buffer ids): one byte tested
	 * on the single-shot path. */
	if (AS_UNLIKELY(op->kind != URING_OP_WAIT)) {
		struct uring_cb *cb = (struct uring_cb *)op;
		cb->on_cqe(u, cb, cqe);
		return;
	}
	op->res = cqe->res;
	op->done = true;
	as__unpark(op->parker, AS_WAKE_EVENT);
}

static void reap(struct as_uring *u)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		complete(u, cqe);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
	/* arm_wake may have queued an SQE. */
	if (io_uring_sq_ready(&u->ring))
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
}

void as__reactor_poll(struct as_worker *w, int64_t timeout_ns)
{
	if (!hb__on(w)) {
		as__epoll_reactor_poll(w, timeout_ns);
		return;
	}
	struct as_uring *u = (struct as_uring *)w->reactor;
	struct io_uring_cqe *cqe;
	if (timeout_ns == 0) {
		/* Submits what the tasks queued; with deferred task run,
		 * completions also appear only when we ask. */
		if (io_uring_sq_ready(&u->ring) ||
		    u->setup_flags & IORING_SETUP_DEFER_TASKRUN ||
		    IO_URING_READ_ONCE(*u->ring.sq.kflags) & IORING_SQ_TASKRUN)
			(void)AS_EPIPE_OK(io_uring_submit_and_get_events(&u->ring));
	} else {
		struct __kernel_timespec ts = hb__kernel_timespec(timeout_ns);
		(void)AS_EPIPE_OK(io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1,
							     timeout_ns < 0 ? NULL : &ts, NULL));
	}
	reap(u);
}

void as__reactor_close_fd(struct as_worker *w, int fd)
{
	if (!hb__on(w)) {
		as__epoll_reactor_close_fd(w, fd);
		return;
	}
	struct as_uring *u = (struct as_uring *)w->reactor;
	bool any = false;
	for (struct uring_op *op = u->inflight; op; op = op->next) {
		if (op->fd != fd || op->done)
			continue;
		op->closing = true;
		struct io_uring_sqe *sqe = hb__sqe(u);
		io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
		io_uring_sqe_set_data64(sqe, TOKEN_IGNORE);
		any = true;
	}
	if (any)
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
	/* The ring's file table holds its own reference: drop it, or the
	 * close would not close. */
	if (AS_UNLIKELY(u->fixed_slot != NULL) && (unsigned)fd < u->fixed_cap &&
	    u->fixed_slot[fd])
		hb__files_drop(u, fd);
}

/* ---- submit and wait ------------------------------------------------------ */
struct io_uring_sqe *hb__sqe(struct as_uring *u)
{
	struct io_uring_sqe *sqe;
	while (!(sqe = io_uring_get_sqe(&u->ring)))
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
	return sqe;
}

void hb__sqe_pair(struct as_uring *u, struct io_uring_sqe **a, struct io_uring_sqe **b)
{
	while (io_uring_sq_space_left(&u->ring) < 2)
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
	*a = io_uring_get_sqe(&u->ring);
	*b = io_uring_get_sqe(&u->ring);
}

void hb__flush(struct as_uring *u)
{
	if (io_uring_sq_ready(&u->ring))
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
}

static void link_op(struct as_uring *u, struct uring_op *op)
{
	op->prev = NULL;
	op->next = u->inflight;
	if (op->next)
		op->next->prev = op;
	u->inflight = op;
}

static void unlink_op(struct as_uring *u, struct uring_op *op)
{
	if (op->prev)
		op->prev->next = op->next;
	else
		u->inflight = op->next;
	if (op->next)
		op->next->prev = op->prev;
}

void hb__op_arm(struct as_uring *u, struct uring_op *op, int fd)
{
	op->fd = fd;
	op->done = false;
	op->closing = false;
	link_op(u, op);
	as__fd_waiting_add(fd, 1);
}

void hb__op_disarm(struct as_uring *u, struct uring_op *op)
{
	as__fd_waiting_add(op->fd, -1);
	unlink_op(u, op);
}

static inline int submit_wait(struct as_uring *u, struct io_uring_sqe *sqe,
			      struct io_uring_sqe *link, struct uring_op *op, int fd,
			      uint8_t kind)
{
	int r = as__park_prepare(true);
	if (r < 0) {
		/* The SQEs are already taken from the ring: make them no-ops
		 * (a LINK_TIMEOUT would read a timespec that is gone). */
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, TOKEN_IGNORE);
		if (link) {
			io_uring_prep_nop(link);
			io_uring_sqe_set_data64(link, TOKEN_IGNORE);
		}
		return r;
	}
	*op = (struct uring_op){ .parker = as__self_parker(), .fd = fd, .kind = kind };
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)op);
	link_op(u, op);
	as__fd_waiting_add(fd, 1);
	if (io_uring_sq_ready(&u->ring) >= SUBMIT_BATCH)
		(void)AS_EPIPE_OK(io_uring_submit(&u->ring));

	r = as__park_wait(as__deadline());
	if (r < 0 && !op->done) {
		/* Deadline or cancel: ask the kernel to cancel, then wait for the
		 * operation's own completion; until then it owns the buffers. */
		struct io_uring_sqe *c = hb__sqe(u);
		io_uring_prep_cancel64(c, (uint64_t)(uintptr_t)op, 0);
		io_uring_sqe_set_data64(c, TOKEN_IGNORE);
		/* Batched like any submission: a sweep that cancels thousands
		 * of waits makes one io_uring_enter per SUBMIT_BATCH, not one
		 * each; the scheduler's next look at the ring sends the rest. */
		if (io_uring_sq_ready(&u->ring) >= SUBMIT_BATCH)
			(void)AS_EPIPE_OK(io_uring_submit(&u->ring));
		/* Completions are reaped on this thread, by the scheduler, so
		 * `done` cannot change between the check and the wait. */
		while (!op->done) {
			as__park_prepare(false);
			as__park_wait(-1);
		}
	}
	as__fd_waiting_add(fd, -1);
	unlink_op(u, op);
	if (op->closing && (op->res == -ECANCELED || op->res == -EINTR))
		return -EBADF;
	/* A late -EAGAIN is no result either: the caller would only wait and
	 * try again, past its deadline or cancel. */
	if (r < 0 && (op->res == -ECANCELED || op->res == -EINTR || op->res == -EAGAIN))
		return r;
	return op->res; /* completed, even if late: its result stands */
}

int hb__submit_wait(struct as_uring *u, struct io_uring_sqe *sqe, struct uring_op *op, int fd)
{
	return submit_wait(u, sqe, NULL, op, fd, URING_OP_WAIT);
}

int hb__submit_wait_cb(struct as_uring *u, struct io_uring_sqe *sqe, struct uring_cb *cb, int fd)
{
	cb->cqe_flags = 0;
	return submit_wait(u, sqe, NULL, &cb->op, fd, URING_OP_CALLBACK);
}

int hb__submit_wait_linked(struct as_uring *u, struct io_uring_sqe *sqe,
			   struct io_uring_sqe *link, struct uring_op *op, int fd)
{
	return submit_wait(u, sqe, link, op, fd, URING_OP_WAIT);
}
