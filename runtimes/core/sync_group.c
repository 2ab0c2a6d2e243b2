/* SPDX-License-Identifier: MIT */
/*
 * sync_group.c - task groups: members spawned into a group are waited for
 * and cancelled together (sync.h has the waiting protocol).
 *
 * Members are detached tasks that run member_main: it records the member's
 * handle, runs fn and takes the member off the group's list before the task
 * ends, so every handle on the list names a live task and a cancel through it
 * never reaches a stale or reused one.  The last member to leave wakes every
 * waiter.
 */
#include <stdlib.h>

#include "sync.h"

struct member {
	struct member *next, *prev;
	async_std_group *g;
	async_std_fn fn;
	void *arg;
	async_std_task *task;       /* set by the member when it starts */
};

struct async_std_group {
	as_spin lock;
	unsigned nwait;
	size_t live;                /* members spawned and not yet ended */
	bool cancelling;            /* a cancel is in force until live is 0 */
	struct member *members;
	struct as_wq q;
};

async_std_group *as__group_create(void)
{
	return as__sync_alloc(sizeof(async_std_group));
}

static void member_link(async_std_group *g, struct member *m)
{
	m->prev = NULL;
	m->next = g->members;
	if (g->members)
		g->members->prev = m;
	g->members = m;
	g->live++;
}

/* Under g->lock: m leaves; the last one wakes every waiter. */
static void member_unlink(async_std_group *g, struct member *m)
{
	if (m->prev)
		m->prev->next = m->next;
	else
		g->members = m->next;
	if (m->next)
		m->next->prev = m->prev;
	if (--g->live)
		return;
	g->cancelling = false;
	struct as_waiter *w;
	while ((w = as__wq_claim(&g->q)) != NULL) {
		g->nwait--;
		as__wait_finish(w, 0);
	}
}

static void *member_main(void *arg)
{
	struct member *m = arg;
	async_std_group *g = m->g;
	struct as_task *self = as__current();

	/* Under the lock, so a cancel either finds our handle or is in force
	 * when we look. */
	as__spin_lock(&g->lock);
	m->task = as__task_handle(self);
	bool cancel = g->cancelling;
	as__spin_unlock(&g->lock);
	if (cancel)
		as__cancel(m->task);
	self->group = g;
	m->fn(m->arg);
	self->group = NULL;
	as__spin_lock(&g->lock);
	member_unlink(g, m);
	as__spin_unlock(&g->lock);
	free(m);
	return NULL;
}

static async_std_task *spawn_here(async_std_fn fn, void *arg, void *ctx)
{
	(void)ctx;
	return as__spawn(fn, arg);
}

int as__group_spawn_with(async_std_group *g, async_std_fn fn, void *arg,
			 async_std_task *(*spawn)(async_std_fn, void *, void *), void *ctx)
{
	if (!g || !fn)
		return -EINVAL;
	struct member *m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	m->g = g;
	m->fn = fn;
	m->arg = arg;
	/* Counted before it can run, so a wait never misses it. */
	as__spin_lock(&g->lock);
	member_link(g, m);
	as__spin_unlock(&g->lock);
	async_std_task *t = spawn(member_main, m, ctx);
	if (!t) {
		int e = errno;
		as__spin_lock(&g->lock);
		member_unlink(g, m);
		as__spin_unlock(&g->lock);
		free(m);
		return -e;
	}
	as__detach(t);
	return 0;
}

int as__group_spawn(async_std_group *g, async_std_fn fn, void *arg)
{
	return (int)as__ret(as__group_spawn_with(g, fn, arg, spawn_here, NULL));
}

/* Under g->lock with members left: waits until none is left.  Returns 0
 * (lock not held), or -ETIMEDOUT/-ECANCELED with the lock held. */
static int group_block(async_std_group *g, bool interruptible)
{
	int r = as__park_prepare(interruptible);
	if (r < 0)
		return r;
	struct as_wait wt = { .parker = as__self_parker() };
	struct as_waiter node = { .wait = &wt };
	return as__sync_block(as__current(), &g->lock, &g->nwait, &g->q, &node, interruptible, NULL);
}

static bool caller_is_member(async_std_group *g)
{
	struct as_task *self = as__current();
	return self && self->group == g;
}

static int group_wait(async_std_group *g)
{
	if (!g)
		return -EINVAL;
	if (caller_is_member(g))
		return -EDEADLK;
	int r = as__check_interrupt();
	if (r < 0)
		return r;
	as__spin_lock(&g->lock);
	if (!g->live) {
		as__spin_unlock(&g->lock);
		return 0;
	}
	r = group_block(g, true);
	if (r < 0)
		as__spin_unlock(&g->lock);
	return r;
}

int as__group_wait(async_std_group *g)
{
	return (int)as__ret(group_wait(g));
}

/* Under g->lock: cancels every member, and those spawned until the group is
 * empty.  A member not started yet is cancelled when it starts. */
static void cancel_all(async_std_group *g)
{
	g->cancelling = true;
	for (struct member *m = g->members; m; m = m->next)
		if (m->task)
			as__cancel(m->task);
}

static int group_cancel(async_std_group *g)
{
	if (!g)
		return -EINVAL;
	as__spin_lock(&g->lock);
	if (!g->live) {
		as__spin_unlock(&g->lock);
		return 0;
	}
	cancel_all(g);
	/* A member cancelling its own group has just cancelled itself. */
	int r = as__check_interrupt();
	if (r == 0)
		r = group_block(g, true);
	if (r < 0)
		as__spin_unlock(&g->lock);
	return r;
}

int as__group_cancel(async_std_group *g)
{
	return (int)as__ret(group_cancel(g));
}

static int group_destroy(async_std_group *g)
{
	if (!g)
		return -EINVAL;
	if (caller_is_member(g))
		return -EDEADLK;
	as__spin_lock(&g->lock);
	if (g->nwait) {
		as__spin_unlock(&g->lock);
		return -EBUSY;
	}
	if (g->live) {
		cancel_all(g);
		/* Not interruptible: the members use g until they end. */
		group_block(g, false);
		/* The last member finished with us under g->lock; wait for its
		 * unlock before freeing g. */
		as__spin_lock(&g->lock);
		if (g->nwait || g->live) {
			/* Somebody started waiting or spawning meanwhile. */
			as__spin_unlock(&g->lock);
			return -EBUSY;
		}
	}
	as__spin_unlock(&g->lock);
	free(g);
	return 0;
}

int as__group_destroy(async_std_group *g)
{
	return (int)as__ret(group_destroy(g));
}
