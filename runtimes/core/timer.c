/* SPDX-License-Identifier: MIT */
/*
 * timer.c - per-worker timer heap, the clock, sleeps and deadlines.
 *
 * A timer lives in its waiter's frame and belongs to the worker that runs the
 * waiter, so the heap is touched by its owner thread only and needs no lock.
 */
#include <stdlib.h>
#include <time.h>

#include "core.h"
#include "xrt.h"

static __thread int64_t thread_deadline __attribute__((tls_model("initial-exec"))) = -1;

int64_t as__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* ---- 4-ary min-heap ordered by `when` ------------------------------------ */
/* Entries move without a store to their task (core.h), and four children
 * per node halve the depth of a binary heap: 50,000 sleepers, 8 levels. */
#define HEAP_ARITY 4
#define HEAP_PARENT(i) (((i) - 1) / HEAP_ARITY)
/* Stale entries are dropped in one O(n) pass once they are more than half of
 * the heap and at least this many: a server whose reads end long before their
 * deadlines keeps at most about twice its armed timers. */
#define HEAP_COMPACT_MIN 1024

static void sift_up(struct as_timer_heap *h, size_t i)
{
	struct as_timer_slot e = h->v[i];
	while (i > 0) {
		size_t parent = HEAP_PARENT(i);
		if (h->v[parent].when <= e.when)
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void sift_down(struct as_timer_heap *h, size_t i)
{
	struct as_timer_slot e = h->v[i];
	for (;;) {
		size_t c = HEAP_ARITY * i + 1;
		if (c >= h->n)
			break;
		size_t end = c + HEAP_ARITY < h->n ? c + HEAP_ARITY : h->n;
		size_t min = c;
		for (size_t k = c + 1; k < end; k++)
			if (h->v[k].when < h->v[min].when)
				min = k;
		if (e.when <= h->v[min].when)
			break;
		h->v[i] = h->v[min];
		i = min;
	}
	h->v[i] = e;
}

/* Moves t's timer on to its next seq (0 is never one: it means "not armed"
 * to as__timer_arm's caller), which makes every entry of its old one stale. */
static inline uint32_t seq_bump(struct as_task *t)
{
	uint32_t seq = atomic_load_explicit(&t->timer_seq, memory_order_relaxed) + 1;
	if (!seq)
		seq = 1;
	atomic_store_explicit(&t->timer_seq, seq, memory_order_relaxed);
	return seq;
}

static inline bool slot_live(const struct as_timer_slot *e)
{
	return atomic_load_explicit(&e->t->timer_seq, memory_order_relaxed) == e->seq;
}

static void heap_pop(struct as_timer_heap *h)
{
	h->v[0] = h->v[--h->n];
	if (h->n)
		sift_down(h, 0);
}

/* Drops every stale entry and rebuilds the heap bottom-up. */
static void heap_compact(struct as_timer_heap *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n; i++)
		if (slot_live(&h->v[i]))
			h->v[n++] = h->v[i];
	h->n = n;
	h->stale = 0;
	for (size_t i = n / HEAP_ARITY + 1; i-- > 0;)
		if (i < n)
			sift_down(h, i);
}

uint32_t as__timer_arm(struct as_worker *w, struct as_task *t, int64_t when)
{
	struct as_timer_heap *h = &w->timers;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct as_timer_slot *v = realloc(h->v, cap * sizeof(*v));
		if (!v) {
			/* Out of memory: fire at once rather than never. */
			as__unpark(&t->parker, AS_WAKE_TIMEOUT);
			return 0;
		}
		h->v = v;
		h->cap = cap;
	}
	uint32_t seq = seq_bump(t);
	h->v[h->n] = (struct as_timer_slot){ when, t, seq };
	sift_up(h, h->n++);
	return seq;
}

void as__timer_disarm(struct as_worker *w, struct as_task *t, uint32_t seq)
{
	if (atomic_load_explicit(&t->timer_seq, memory_order_relaxed) != seq)
		return; /* it fired */
	seq_bump(t);
	struct as_timer_heap *h = &w->timers;
	/* Gone at once when it is on top (a deadline that was about to hit). */
	if (h->v[0].t == t && h->v[0].seq == seq) {
		heap_pop(h);
		return;
	}
	if (++h->stale >= HEAP_COMPACT_MIN && h->stale * 2 > h->n)
		heap_compact(h);
}

int64_t as__timers_run(struct as_worker *w, int64_t now)
{
	struct as_timer_heap *h = &w->timers;
	while (h->n > 0) {
		struct as_timer_slot top = h->v[0];
		if (!slot_live(&top)) {
			heap_pop(h);
			h->stale--;
			continue;
		}
		if (top.when > now)
			return top.when - now;
		heap_pop(h);
		/* Fired: the waiter's disarm finds the seq moved on. */
		seq_bump(top.t);
		as__unpark(&top.t->parker, AS_WAKE_TIMEOUT);
	}
	return -1;
}

/* ---- deadlines ----------------------------------------------------------- */
int64_t as__deadline(void)
{
	struct as_task *t = as__current();
	if (AS_LIKELY(t != NULL))
		return t->deadline;
	/* Another runtime's task, running this copy's code (a cross-runtime
	 * join): its own deadline. */
	const struct as_xrt *x = as__xrt_foreign_caller();
	return x ? x->deadline() : thread_deadline;
}

static void set_deadline(int64_t d)
{
	struct as_task *t = as__current();
	if (t)
		t->deadline = d;
	else
		thread_deadline = d;
}

int64_t as__deadline_push(int64_t deadline)
{
	int64_t prev = as__deadline();
	if (deadline >= 0 && (prev < 0 || deadline < prev))
		set_deadline(deadline);
	return prev;
}

void as__deadline_pop(int64_t previous)
{
	set_deadline(previous < 0 ? -1 : previous);
}

int as__check_interrupt(void)
{
	struct as_task *t = as__current();
	if (AS_UNLIKELY(!t)) {
		const struct as_xrt *x = as__xrt_foreign_caller();
		if (x)
			return x->check_interrupt();
	}
	if (t && atomic_load_explicit(&t->cancelled, memory_order_relaxed))
		return -ECANCELED;
	int64_t d = t ? t->deadline : thread_deadline;
	if (d >= 0 && as__now() >= d)
		return -ETIMEDOUT;
	return 0;
}

/* ---- the ABI's time calls (-1 and errno) ------------------------------- */

int as__sleep_until(int64_t until)
{
	if (until < 0)
		return (int)as__ret(-EINVAL);
	int r = as__check_interrupt();
	if (r < 0)
		return (int)as__ret(r);
	if (until <= as__now()) {
		as__yield();
		return 0;
	}
	int64_t d = as__deadline();
	bool deadline_first = d >= 0 && d < until;
	int64_t wake = deadline_first ? d : until;
	for (;;) {
		r = as__park_prepare(true);
		if (r == 0)
			r = as__park_wait(wake);
		if (r == -ETIMEDOUT)
			return deadline_first ? (int)as__ret(r) : 0;
		if (r < 0)
			return (int)as__ret(r);
		/* Woken by an event no one should send to a sleeper: sleep on. */
	}
}

int as__sleep(int64_t ns)
{
	if (ns < 0)
		return (int)as__ret(-EINVAL);
	if (ns > INT64_MAX / 2)
		ns = INT64_MAX / 2;
	return as__sleep_until(as__now() + ns);
}
