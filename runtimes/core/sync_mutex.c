/* SPDX-License-Identifier: MIT */
/*
 * sync_mutex.c - mutexes and condition variables (sync.h has the waiting
 * protocol they share with channels, semaphores and groups).
 *
 * A mutex is one atomic word: an uncontended lock and unlock are one
 * compare-and-swap each, no lock and no system call.  Once somebody waits,
 * the WAITERS bit sends unlock to the slow path, which hands the mutex
 * straight to the first waiter (it stays locked), so wake-ups are FIFO and a
 * newcomer never overtakes a waiter.
 */
#include <stdlib.h>

#include "sync.h"

enum {
	MX_LOCKED = 1u,
	MX_WAITERS = 2u,    /* the queue is not empty; changed under m->lock */
};

struct async_std_mutex {
	_Atomic uint32_t state;
	as_spin lock;           /* the queue, nwait, the WAITERS bit */
	unsigned nwait;
	struct as_wq q;
};

struct async_std_cond {
	as_spin lock;
	unsigned nwait;
	struct as_wq q;
};

/* ---- mutex ------------------------------------------------------------- */

async_std_mutex *as__mutex_create(void)
{
	return as__sync_alloc(sizeof(async_std_mutex));
}

/* Under m->lock: the queue just became empty, so unlock may go fast again. */
static void mutex_clear_waiters(async_std_mutex *m)
{
	if (as__wq_empty(&m->q))
		atomic_fetch_and_explicit(&m->state, ~MX_WAITERS, memory_order_relaxed);
}

/* The contended lock; interruptible: honour deadline and cancellation
 * (cond_wait relocks without). */
static int mutex_lock_slow(async_std_mutex *m, bool interruptible)
{
	if (interruptible) {
		int r = as__check_interrupt();
		if (r < 0)
			return r;
	}
	as__spin_lock(&m->lock);
	uint32_t s = atomic_load_explicit(&m->state, memory_order_relaxed);
	for (;;) {
		if (!(s & MX_LOCKED)) {
			/* Free, and nobody queued (a hand-over keeps it locked). */
			if (atomic_compare_exchange_weak_explicit(&m->state, &s, s | MX_LOCKED,
								  memory_order_acquire,
								  memory_order_relaxed)) {
				as__spin_unlock(&m->lock);
				return 0;
			}
			continue;
		}
		/* Setting WAITERS makes the holder's fast unlock fail, so it will
		 * take m->lock and find us queued. */
		if ((s & MX_WAITERS) ||
		    atomic_compare_exchange_weak_explicit(&m->state, &s, s | MX_WAITERS,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	int r = as__park_prepare(interruptible);
	if (r < 0) {
		mutex_clear_waiters(m);
		as__spin_unlock(&m->lock);
		return r;
	}
	struct as_wait wt = { .parker = as__self_parker() };
	struct as_waiter node = { .wait = &wt };
	r = as__sync_block(as__current(), &m->lock, &m->nwait, &m->q, &node, interruptible, "mutex_lock");
	if (r == 0)
		return 0; /* handed over: we hold m */
	mutex_clear_waiters(m);
	as__spin_unlock(&m->lock);
	return r;
}

static inline bool mutex_try_fast(async_std_mutex *m)
{
	uint32_t free_state = 0;
	return atomic_compare_exchange_strong_explicit(&m->state, &free_state, MX_LOCKED,
						       memory_order_acquire,
						       memory_order_relaxed);
}

int as__mutex_lock(async_std_mutex *m)
{
	if (AS_UNLIKELY(!m))
		return (int)as__ret(-EINVAL);
	if (AS_LIKELY(mutex_try_fast(m)))
		return 0;
	return (int)as__ret(mutex_lock_slow(m, true));
}

int as__mutex_trylock(async_std_mutex *m)
{
	if (!m)
		return (int)as__ret(-EINVAL);
	return mutex_try_fast(m) ? 0 : (int)as__ret(-EBUSY);
}

static int mutex_unlock_slow(async_std_mutex *m)
{
	as__spin_lock(&m->lock);
	struct as_waiter *w = as__wq_claim(&m->q);
	if (w) {
		/* Hand-over: m stays locked, now on w's behalf. */
		mutex_clear_waiters(m);
		m->nwait--;
		as__wait_finish(w, 0);
	} else {
		/* Everybody queued was leaving (deadline, cancellation).
		 * Release: the next owner sees our critical section. */
		atomic_store_explicit(&m->state, 0, memory_order_release);
	}
	as__spin_unlock(&m->lock);
	return 0;
}

/* who: the ABI call, for the misuse line. */
static int mutex_unlock(async_std_mutex *m, const char *who)
{
	uint32_t s = MX_LOCKED;
	/* Release: the next owner sees what we wrote under the lock. */
	if (AS_LIKELY(atomic_compare_exchange_strong_explicit(&m->state, &s, 0,
							      memory_order_release,
							      memory_order_relaxed)))
		return 0;
	if (!(s & MX_LOCKED)) {
		as__say("%s: the mutex is not locked", who);
		return -EPERM;
	}
	return mutex_unlock_slow(m);
}

int as__mutex_unlock(async_std_mutex *m)
{
	if (AS_UNLIKELY(!m))
		return (int)as__ret(-EINVAL);
	return (int)as__ret(mutex_unlock(m, "async_std_mutex_unlock"));
}

int as__mutex_destroy(async_std_mutex *m)
{
	if (!m)
		return (int)as__ret(-EINVAL);
	as__spin_lock(&m->lock);
	bool busy = atomic_load_explicit(&m->state, memory_order_relaxed) != 0 || m->nwait;
	as__spin_unlock(&m->lock);
	if (busy)
		return (int)as__ret(-EBUSY);
	free(m);
	return 0;
}

/* ---- condition variable ------------------------------------------------- */

async_std_cond *as__cond_create(void)
{
	return as__sync_alloc(sizeof(async_std_cond));
}

int as__cond_wait(async_std_cond *c, async_std_mutex *m)
{
	if (!c || !m)
		return (int)as__ret(-EINVAL);
	int r = as__check_interrupt();
	if (r < 0)
		return (int)as__ret(r);
	struct as_wait wt = { .parker = as__self_parker() };
	struct as_waiter node = { .wait = &wt };
	/* Unlock m while holding c->lock and unlock c only once queued: a
	 * signal sent by the next holder of m needs c->lock, so it finds us
	 * queued and cannot be lost.  Lock order: c, then m. */
	as__spin_lock(&c->lock);
	r = mutex_unlock(m, "async_std_cond_wait");
	if (r < 0) {
		as__spin_unlock(&c->lock);
		return (int)as__ret(r);
	}
	r = as__park_prepare(true);
	if (r == 0)
		r = as__sync_block(as__current(), &c->lock, &c->nwait, &c->q, &node, true, "cond_wait");
	if (r < 0)
		as__spin_unlock(&c->lock);
	/* Relock whatever happened, ignoring deadline and cancellation: the
	 * caller expects to hold m. */
	if (!mutex_try_fast(m))
		mutex_lock_slow(m, false);
	return (int)as__ret(r);
}

int as__cond_signal(async_std_cond *c)
{
	if (!c)
		return (int)as__ret(-EINVAL);
	as__spin_lock(&c->lock);
	struct as_waiter *w = as__wq_claim(&c->q);
	if (w) {
		c->nwait--;
		as__wait_finish(w, 0);
	}
	as__spin_unlock(&c->lock);
	return 0;
}

int as__cond_broadcast(async_std_cond *c)
{
	if (!c)
		return (int)as__ret(-EINVAL);
	as__spin_lock(&c->lock);
	struct as_waiter *w;
	while ((w = as__wq_claim(&c->q)) != NULL) {
		c->nwait--;
		as__wait_finish(w, 0);
	}
	as__spin_unlock(&c->lock);
	return 0;
}

int as__cond_destroy(async_std_cond *c)
{
	return c ? as__sync_free_idle(c, &c->lock, &c->nwait) : (int)as__ret(-EINVAL);
}
