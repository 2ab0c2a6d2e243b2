/* SPDX-License-Identifier: MIT */
/*
 * sync_wait.c - the slow end of the sync primitives' hand-over protocol
 * (sync.h): a claimed waiter waits for its claimer to finish.
 */
#include <sched.h>

#include "sync.h"

/* Spins this long before yielding the CPU: the claimer is inside a short
 * critical section unless its thread was preempted there. */
#define SETTLE_SPINS 256

void as__wait_settle_slow(struct as_wait *wt)
{
	for (unsigned i = 0; !atomic_load_explicit(&wt->done, memory_order_acquire); i++) {
		if (i < SETTLE_SPINS)
			as__cpu_relax();
		else
			sched_yield();
	}
}
