/* SPDX-License-Identifier: MIT */
/*
 * stall.c - ASYNC_STD_STALL_MS: a watchdog thread that names, in one line, a
 * task holding its worker longer than that without blocking or yielding.
 *
 * Every switch bumps its worker's switch count (as__set_cur, one store by
 * the owner).  The watchdog samples each worker's count and running task a
 * few times per period; a count that has not moved for the period while a
 * task runs is a stall, reported once.  Off (no thread, nothing read) when
 * the setting is 0.  The task's id and name are read racily, like a dump's:
 * a slot reused under us shows in its id, and is then not reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "dump.h"

struct watch {
	unsigned long seq;   /* the count when it last moved */
	int64_t since;       /* when it last moved */
	bool said;           /* this stall was reported */
};

static void stall_report(struct as_worker *w, struct as_task *t, int64_t held_ns)
{
	uint64_t id = __atomic_load_n(&t->id, __ATOMIC_RELAXED);
	char name[32];
	as__dump_copy_name(name, t->name);
	if (__atomic_load_n(&t->id, __ATOMIC_RELAXED) != id ||
	    __atomic_load_n(&w->cur, __ATOMIC_ACQUIRE) != t)
		return; /* it moved on while we looked */
	char who[64];
	if (name[0])
		snprintf(who, sizeof who, "task %llu \"%s\"", (unsigned long long)id, name);
	else
		snprintf(who, sizeof who, "task %llu", (unsigned long long)id);
	as__say("%s has held worker %u for %lld ms without blocking or yielding "
		"(ASYNC_STD_STALL_MS=%u)", who, w->index, (long long)(held_ns / 1000000),
		as__config()->stall_ms);
}

static void *stall_main(void *arg)
{
	(void)arg;
	unsigned n = as__rt.nworkers;
	int64_t limit = (int64_t)as__config()->stall_ms * 1000000;
	struct watch *ws = calloc(n, sizeof(*ws));
	if (!ws)
		return NULL;
	int64_t now = as__now();
	for (unsigned i = 0; i < n; i++) {
		ws[i].seq = atomic_load_explicit(&as__rt.workers[i].nswitch, memory_order_relaxed);
		ws[i].since = now;
	}
	/* Four looks per period: a stall is seen within 1.25 periods. */
	int64_t step = limit / 4 > 1000000 ? limit / 4 : 1000000;
	struct timespec d = { (time_t)(step / 1000000000), (long)(step % 1000000000) };
	for (;;) {
		nanosleep(&d, NULL);
		now = as__now();
		for (unsigned i = 0; i < n; i++) {
			struct as_worker *w = &as__rt.workers[i];
			unsigned long seq = atomic_load_explicit(&w->nswitch, memory_order_relaxed);
			struct as_task *t = __atomic_load_n(&w->cur, __ATOMIC_ACQUIRE);
			if (seq != ws[i].seq || !t) {
				ws[i] = (struct watch){ .seq = seq, .since = now };
				continue;
			}
			if (!ws[i].said && now - ws[i].since >= limit) {
				ws[i].said = true;
				stall_report(w, t, now - ws[i].since);
			}
		}
	}
	return NULL;
}

void as__stall_watch_start(void)
{
	if (!as__config()->stall_ms)
		return;
	int r = as__helper_thread_start(stall_main, "async_std/stall");
	if (r != 0)
		as__say("ASYNC_STD_STALL_MS: cannot start the watchdog thread (%s)", strerror(r));
}
