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

static __thread int64_t thread_deadline __attribute__((tls_model("initial-exec"))) = -1;

int64_t as__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* ---- binary min-heap ordered by `when` ----------------------------------- */
static void heap_set(struct as_timer_heap *h, size_t i, struct as_timer_slot e)
{
	h->v[i] = e;
	e.t->idx = i;
}

static void sift_up(struct as_timer_heap *h, size_t i)
{
	struct as_timer_slot e = h->v[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->v[parent].when <= e.when)
			break;
		heap_set(h, i, h->v[parent]);
		i = parent;
	}
	heap_set(h, i, e);
}

static void sift_down(struct as_timer_heap *h, size_t i)
{
	struct as_timer_slot e = h->v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].when < h->v[c].when)
			c++;
		if (e.when <= h->v[c].when)
			break;
		heap_set(h, i, h->v[c]);
		i = c;
	}
	heap_set(h, i, e);
}

void as__timer_arm(struct as_worker *w, struct as_timer *t)
{
	struct as_timer_heap *h = &w->timers;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct as_timer_slot *v = realloc(h->v, cap * sizeof(*v));
		if (!v) {
			/* Out of memory: fire at once rather than never. */
			t->idx = SIZE_MAX;
			as__unpark(t->parker, AS_WAKE_TIMEOUT);
			return;
		}
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n] = (struct as_timer_slot){ t->when, t };
	t->idx = h->n++;
	sift_up(h, t->idx);
}

void as__timer_disarm(struct as_worker *w, struct as_timer *t)
{
	struct as_timer_heap *h = &w->timers;
	size_t i = t->idx;
	if (i == SIZE_MAX)
		return;
	t->idx = SIZE_MAX;
	struct as_timer_slot last = h->v[--h->n];
	if (i == h->n)
		return;
	heap_set(h, i, last);
	if (i > 0 && h->v[(i - 1) / 2].when > last.when)
		sift_up(h, i);
	else
		sift_down(h, i);
}

int64_t as__timers_run(struct as_worker *w, int64_t now)
{
	struct as_timer_heap *h = &w->timers;
	while (h->n > 0) {
		struct as_timer_slot top = h->v[0];
		if (top.when > now)
			return top.when - now;
		as__timer_disarm(w, top.t);
		as__unpark(top.t->parker, AS_WAKE_TIMEOUT);
	}
	return -1;
}

/* ---- deadlines ----------------------------------------------------------- */
int64_t as__deadline(void)
{
	struct as_task *t = as__current();
	return t ? t->deadline : thread_deadline;
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
