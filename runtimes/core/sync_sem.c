/* SPDX-License-Identifier: MIT */
/*
 * sync_sem.c - counting semaphores (sync.h has the waiting protocol).
 *
 * A release hands its permit straight to the first waiter, so permits are
 * taken in FIFO order and the count stays 0 while anybody waits.
 */
#include <limits.h>
#include <stdlib.h>

#include "sync.h"

struct async_std_sem {
	as_spin lock;
	unsigned value;
	unsigned nwait;
	struct as_wq q;
};

async_std_sem *as__sem_create(unsigned value)
{
	async_std_sem *s = as__sync_alloc(sizeof *s);
	if (!s)
		return NULL;
	s->value = value;
	return s;
}

static int sem_acquire(async_std_sem *s)
{
	if (!s)
		return -EINVAL;
	int r = as__check_interrupt();
	if (r < 0)
		return r;
	as__spin_lock(&s->lock);
	if (s->value) {
		s->value--;
		as__spin_unlock(&s->lock);
		return 0;
	}
	r = as__park_prepare(true);
	if (r == 0) {
		struct as_wait wt = { .parker = as__self_parker() };
		struct as_waiter node = { .wait = &wt };
		r = as__sync_block(as__current(), &s->lock, &s->nwait, &s->q, &node, true, "sem_acquire");
		if (r == 0)
			return 0; /* a release handed us its permit */
	}
	as__spin_unlock(&s->lock);
	return r;
}

int as__sem_acquire(async_std_sem *s)
{
	return (int)as__ret(sem_acquire(s));
}

int as__sem_try_acquire(async_std_sem *s)
{
	if (!s)
		return (int)as__ret(-EINVAL);
	as__spin_lock(&s->lock);
	int r = s->value ? 0 : -EAGAIN;
	if (s->value)
		s->value--;
	as__spin_unlock(&s->lock);
	return (int)as__ret(r);
}

int as__sem_release(async_std_sem *s)
{
	if (!s)
		return (int)as__ret(-EINVAL);
	int r = 0;
	as__spin_lock(&s->lock);
	struct as_waiter *w = as__wq_claim(&s->q);
	if (w) {
		s->nwait--;
		as__wait_finish(w, 0);
	} else if (s->value == UINT_MAX) {
		r = -EOVERFLOW;
	} else {
		s->value++;
	}
	as__spin_unlock(&s->lock);
	return (int)as__ret(r);
}

int as__sem_destroy(async_std_sem *s)
{
	return s ? as__sync_free_idle(s, &s->lock, &s->nwait) : (int)as__ret(-EINVAL);
}
