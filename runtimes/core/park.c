/* SPDX-License-Identifier: MIT */
/*
 * park.c - how a task or a plain thread waits for one wake-up.
 *
 * Tasks switch away and are made runnable by the waker; plain threads sleep
 * on a futex.  Every blocking call in core and in the reactors goes through
 * as__park_prepare / as__park_wait, so deadlines and cancellation behave the
 * same everywhere.
 */
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "xrt.h"

#define PK_PHASE(s) ((s) & 3u)
#define PK_CANCELLABLE 4u
#define PK_REASON(s) ((s) >> 4)

static __thread struct as_parker thread_parker
	__attribute__((tls_model("initial-exec")));

/* On a thread that another runtime owns (this copy's code runs there for a
 * cross-runtime join, close or wake-up), that runtime parks its task. */
struct as_parker *as__self_parker(void)
{
	struct as_task *t = as__current();
	if (AS_LIKELY(t != NULL))
		return &t->parker;
	const struct as_xrt *x = as__xrt_foreign_caller();
	return x ? x->self_parker() : &thread_parker;
}

/* A plain thread, or a thread another runtime owns: off the tasks' path,
 * so that theirs needs no stack frame. */
static __attribute__((noinline, cold)) int park_prepare_thread(bool cancellable)
{
	const struct as_xrt *x = as__xrt_foreign_caller();
	if (x)
		return x->park_prepare(cancellable);
	atomic_store(&thread_parker.state, AS_PK_WAIT | (cancellable ? PK_CANCELLABLE : 0));
	return 0;
}

int as__park_prepare(bool cancellable)
{
	struct as_task *t = as__current();
	if (AS_UNLIKELY(!t))
		return park_prepare_thread(cancellable);
	struct as_parker *p = &t->parker;

	/* seq_cst store, then seq_cst load of `cancelled`: async_std_cancel does
	 * the mirror image (store cancelled, then read the state), so at least
	 * one side sees the other and a cancel is never lost. */
	atomic_store(&p->state, AS_PK_WAIT | (cancellable ? PK_CANCELLABLE : 0));
	if (cancellable && atomic_load(&t->cancelled)) {
		atomic_store(&p->state, AS_PK_IDLE);
		return -ECANCELED;
	}
	return 0;
}

/* Only the owner makes its task runnable: its worker, its inbox. */
static __attribute__((noinline, cold)) void wake_other(struct as_parker *p)
{
	const struct as_xrt *x = as__xrt_of(p->rt);
	if (x)
		x->wake(p);
	else
		as__say("a wake-up for a task of runtime tag %u, which is not registered: "
			"lost", p->rt);
}

bool as__unpark(struct as_parker *p, int reason)
{
	uint32_t s = atomic_load(&p->state);

	for (;;) {
		uint32_t phase = PK_PHASE(s);
		if (phase != AS_PK_WAIT && phase != AS_PK_PARKED)
			return false;
		if (reason == AS_WAKE_CANCEL && !(s & PK_CANCELLABLE))
			return false;
		uint32_t woken = AS_PK_WOKEN | (s & PK_CANCELLABLE) | ((uint32_t)reason << 4);
		if (atomic_compare_exchange_weak(&p->state, &s, woken)) {
			if (phase != AS_PK_PARKED)
				return true; /* the waiter has not gone to sleep yet */
			if (p->task) {
				if (AS_LIKELY(p->rt == as__tag))
					as__make_runnable(p->task);
				else
					wake_other(p);
			} else
				/* The thread may already have seen WOKEN (a spurious
				 * futex return) and moved on: then this wakes nobody,
				 * or a later wait spuriously, which waits re-check. */
				syscall(SYS_futex, &p->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
			return true;
		}
	}
}

/* Self-wake for a deadline that has already passed. */
static void park_expire(struct as_parker *p)
{
	as__unpark(p, AS_WAKE_TIMEOUT);
}

static int park_result(struct as_parker *p)
{
	uint32_t s = atomic_load(&p->state);
	atomic_store_explicit(&p->state, AS_PK_IDLE, memory_order_relaxed);
	switch (PK_REASON(s)) {
	case AS_WAKE_EVENT: return 0;
	case AS_WAKE_TIMEOUT: return -ETIMEDOUT;
	default: return -ECANCELED;
	}
}

static int park_task(struct as_task *t, int64_t deadline)
{
	struct as_parker *p = &t->parker;
	uint32_t timer = 0;

	if (deadline >= 0) {
		if (deadline <= as__now())
			park_expire(p);
		else
			timer = as__timer_arm(t->worker, t, deadline);
	}
	uint32_t s = atomic_load(&p->state);
	while (PK_PHASE(s) == AS_PK_WAIT) {
		if (atomic_compare_exchange_weak(&p->state, &s,
						 (s & ~3u) | AS_PK_PARKED)) {
			t->wait_call = as__tls_call;
			t->wait_since = t->worker->clock;
			t->worker->coop_left = AS_COOP_BUDGET; /* it really waits */
			as__task_suspend();
			break;
		}
	}
	if (timer)
		as__timer_disarm(t->worker, t, timer);
	return park_result(p);
}

static int park_thread(struct as_parker *p, int64_t deadline)
{
	uint32_t s = atomic_load(&p->state);

	while (PK_PHASE(s) == AS_PK_WAIT &&
	       !atomic_compare_exchange_weak(&p->state, &s, (s & ~3u) | AS_PK_PARKED))
		;
	for (;;) {
		s = atomic_load(&p->state);
		if (PK_PHASE(s) == AS_PK_WOKEN)
			break;
		struct timespec ts, *tsp = NULL;
		if (deadline >= 0) {
			/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time. */
			ts = as__timespec_from_ns(deadline);
			tsp = &ts;
		}
		long r = syscall(SYS_futex, &p->state, FUTEX_WAIT_BITSET_PRIVATE, s, tsp,
				 NULL, FUTEX_BITSET_MATCH_ANY);
		if (r < 0 && errno == ETIMEDOUT)
			park_expire(p);
	}
	return park_result(p);
}

int as__park_wait(int64_t deadline)
{
	struct as_task *t = as__current();
	if (AS_LIKELY(t != NULL))
		return park_task(t, deadline);
	const struct as_xrt *x = as__xrt_foreign_caller();
	return x ? x->park_wait(deadline) : park_thread(&thread_parker, deadline);
}
