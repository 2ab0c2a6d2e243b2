/* SPDX-License-Identifier: MIT */
/*
 * sync.h - what the sync primitives (sync_*.c) share: FIFO queues of waiters
 * that live in their waiters' frames, and the hand-over between a waiter and
 * the one who serves it.
 *
 * A blocking call is one struct as_wait in its caller's frame; it registers
 * one struct as_waiter per object it waits on (several for a select) in the
 * object's queue, under the object's spin lock.  A waker serves a waiter by
 * first claiming it: winning its parker with as__unpark(AS_WAKE_EVENT).  The
 * first claim wins, so a select performs exactly one operation, and a waiter
 * whose deadline or cancellation won instead is skipped, never handed
 * anything (the waker serves the next one: no wake-up is lost).  The claimer
 * then does the waiter's work (hands over the lock, copies the element) and
 * its last touch of the waiter is the release store of wait->done; the
 * claimed waiter waits for that store and does not touch the object again.
 * Every other waiter (timed out, cancelled, the other registrations of a
 * select) takes the object's lock to leave.  `nwait` counts the registrations
 * that may still touch an object: destroy fails with EBUSY while it is not 0.
 */
#ifndef AS_SYNC_H
#define AS_SYNC_H

#include <stdlib.h>

#include "core.h"

/* One blocking call. */
struct as_wait {
	struct as_parker *parker;
	_Atomic int done;           /* the claimer has finished with us */
	int status;                 /* the claimer's verdict: 0 or -EPIPE */
	size_t fired;               /* the index of the registration served */
};

/* One registration of a blocking call in one object's queue. */
struct as_waiter {
	struct as_waiter *next, *prev;
	struct as_wait *wait;
	void *elem;                 /* channels: the caller's element */
	size_t index;               /* select: the operation's index */
	bool queued;
};

struct as_wq {
	struct as_waiter *head, *tail;
};

static inline bool as__wq_empty(const struct as_wq *q)
{
	return q->head == NULL;
}

static inline void as__wq_push(struct as_wq *q, struct as_waiter *w)
{
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	w->queued = true;
}

static inline void as__wq_remove(struct as_wq *q, struct as_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->queued = false;
}

/* Under the object's lock: dequeues waiters in FIFO order until one can be
 * claimed and returns it, or NULL.  The ones that could not be claimed are
 * already leaving (deadline, cancellation, or a select served elsewhere);
 * they find themselves dequeued and leave on their own. */
static inline struct as_waiter *as__wq_claim(struct as_wq *q)
{
	struct as_waiter *w;
	while ((w = q->head) != NULL) {
		as__wq_remove(q, w);
		if (as__unpark(w->wait->parker, AS_WAKE_EVENT))
			return w;
	}
	return NULL;
}

/* The claimer's last touch of a claimed waiter, still under the object's
 * lock (so a destroy that follows the waiter's return waits for the unlock).
 * Release: the waiter sees everything the claimer wrote for it. */
static inline void as__wait_finish(struct as_waiter *w, int status)
{
	struct as_wait *wt = w->wait;
	wt->status = status;
	wt->fired = w->index;
	atomic_store_explicit(&wt->done, 1, memory_order_release);
}

/* After a wait that returned 0 (claimed): waits for the claimer's
 * as__wait_finish, which follows the claim within its critical section. */
void as__wait_settle_slow(struct as_wait *wt);
static inline void as__wait_settle(struct as_wait *wt)
{
	/* Acquire: pairs with the release store in as__wait_finish. */
	if (AS_UNLIKELY(!atomic_load_explicit(&wt->done, memory_order_acquire)))
		as__wait_settle_slow(wt);
}

/* A new object, zeroed; NULL with errno ENOMEM.  Every primitive's create. */
static inline void *as__sync_alloc(size_t size)
{
	void *obj = calloc(1, size);
	if (!obj)
		errno = ENOMEM;
	return obj;
}

/* The destroy of an object only its waiters touch: EBUSY while a
 * registration may still touch it, else it is freed.  Taking the lock also
 * waits for the last claimer's unlock (see as__wait_finish).  0, or -1 with
 * errno, like the ABI; callers check obj for NULL (EINVAL) first. */
static inline int as__sync_free_idle(void *obj, as_spin *lock, const unsigned *nwait)
{
	as__spin_lock(lock);
	bool busy = *nwait != 0;
	as__spin_unlock(lock);
	if (busy)
		return (int)as__ret(-EBUSY);
	free(obj);
	return 0;
}

/* The hot paths look the calling task up once (me: as__current(), NULL on
 * a plain thread) and derive the rest from it. */
static inline int as__sync_interrupt(struct as_task *me)
{
	if (!me)
		return as__check_interrupt();
	if (atomic_load_explicit(&me->cancelled, memory_order_relaxed))
		return -ECANCELED;
	if (me->deadline >= 0 && as__now() >= me->deadline)
		return -ETIMEDOUT;
	return 0;
}

static inline struct as_parker *as__sync_parker(struct as_task *me)
{
	return me ? &me->parker : as__self_parker();
}

/* Called with `lock` held, after as__park_prepare(interruptible) succeeded:
 * queues node (whose wait is armed) on q, counts it in *nwait, unlocks and
 * waits, until the caller's deadline when interruptible.  Returns 0 once a
 * claimer has finished with us (lock not held), or -ETIMEDOUT/-ECANCELED
 * with `lock` held again and node off q and out of *nwait.  Inline: it is
 * half of every channel round trip. */
static inline __attribute__((always_inline)) int
as__sync_block(struct as_task *me, as_spin *lock, unsigned *nwait, struct as_wq *q,
	       struct as_waiter *node, bool interruptible, const char *reason)
{
	as__wq_push(q, node);
	(*nwait)++;
	as__spin_unlock(lock);
	int64_t deadline = -1;
	if (interruptible)
		deadline = me ? me->deadline : as__deadline();
	if (me)
		me->wait_reason = reason;
	int r = as__park_wait(deadline);
	if (me)
		me->wait_reason = NULL;
	if (AS_LIKELY(r == 0)) {
		as__wait_settle(node->wait);
		return 0;
	}
	/* Deadline or cancellation won our parker, so no claimer will serve
	 * us; a waker may have dequeued us meanwhile (it skipped us). */
	as__spin_lock(lock);
	if (node->queued)
		as__wq_remove(q, node);
	(*nwait)--;
	return r;
}

#endif
