/* SPDX-License-Identifier: MIT */
/*
 * queue.c - gcd's dispatch queues (gcd.h).  Every item is a task of gcd,
 * made when it is submitted (so a task dump lists it, as NEW, under its
 * queue's label) and queued to run at once on a concurrent queue, or when
 * the item before it ends on a serial one: the item that ends hands the
 * queue to the next, on its own worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "xrt.h"
#include "gcd.h"

#define GCD_API_EXPORT __attribute__((visibility("default")))

struct gcd_queue {
	as_spin lock;
	unsigned flags;
	bool global;
	bool busy;                  /* serial: an item holds the queue */
	size_t active;              /* items submitted and not ended, and gcd_afters */
	struct gcd_item *head, *tail; /* serial: made, waiting for the queue */
	char label[32];
};

struct gcd_item {
	struct gcd_item *next;
	gcd_queue *q;
	async_std_fn fn;
	void *arg;
	struct as_task *task;
};

static gcd_queue global = { .flags = GCD_QUEUE_CONCURRENT, .global = true,
			    .label = "gcd.global" };

static void *item_main(void *arg);

gcd_queue *gcd_queue_create(const char *label, unsigned flags) GCD_API_EXPORT;
gcd_queue *gcd_queue_create(const char *label, unsigned flags)
{
	if (flags & ~GCD_QUEUE_CONCURRENT) {
		errno = EINVAL;
		return NULL;
	}
	gcd_queue *q = calloc(1, sizeof *q);
	if (!q) {
		errno = ENOMEM;
		return NULL;
	}
	q->flags = flags;
	snprintf(q->label, sizeof q->label, "%s", label ? label : "gcd.queue");
	return q;
}

gcd_queue *gcd_global_queue(int qos) GCD_API_EXPORT;
gcd_queue *gcd_global_queue(int qos)
{
	(void)qos; /* one priority in this version (gcd.h) */
	return &global;
}

int gcd_queue_destroy(gcd_queue *q) GCD_API_EXPORT;
int gcd_queue_destroy(gcd_queue *q)
{
	if (!q || q->global) {
		if (q)
			as__say("gcd_queue_destroy: the global queue is never destroyed");
		errno = EINVAL;
		return -1;
	}
	as__spin_lock(&q->lock);
	bool busy = q->active > 0;
	as__spin_unlock(&q->lock);
	if (busy) {
		errno = EBUSY;
		return -1;
	}
	free(q);
	return 0;
}

/* Makes the item's task and queues it, or keeps it for later on a busy
 * serial queue.  The handle, or NULL and errno. */
static async_std_task *submit(gcd_queue *q, async_std_fn fn, void *arg, bool detached)
{
	if (!q || !fn) {
		errno = EINVAL;
		return NULL;
	}
	struct gcd_item *it = malloc(sizeof *it);
	if (!it) {
		errno = ENOMEM;
		return NULL;
	}
	*it = (struct gcd_item){ .q = q, .fn = fn, .arg = arg };
	async_std_spawn_attr attr = { .size = sizeof attr, .name = q->label };
	struct as_task *t = as__task_create(item_main, it, &attr);
	if (!t) {
		int e = errno;
		free(it);
		errno = e;
		return NULL;
	}
	it->task = t;
	/* Before the item can run, end and be reused. */
	async_std_task *h = as__task_handle(t);
	if (detached)
		as__detach(h);
	bool run_now = true;
	as__spin_lock(&q->lock);
	q->active++;
	if (!(q->flags & GCD_QUEUE_CONCURRENT)) {
		if (q->busy) {
			run_now = false;
			if (q->tail)
				q->tail->next = it;
			else
				q->head = it;
			q->tail = it;
		} else {
			q->busy = true;
		}
	}
	as__spin_unlock(&q->lock);
	if (run_now)
		as__enqueue_new(t);
	return detached ? (async_std_task *)(uintptr_t)1 : h;
}

static void *item_main(void *arg)
{
	struct gcd_item *it = arg;
	gcd_queue *q = it->q;
	void *r = it->fn(it->arg);
	struct gcd_item *next = NULL;
	as__spin_lock(&q->lock);
	if (!(q->flags & GCD_QUEUE_CONCURRENT)) {
		next = q->head;
		if (next) {
			q->head = next->next;
			if (!q->head)
				q->tail = NULL;
			next->next = NULL;
		} else {
			q->busy = false;
		}
	}
	/* The last touch of q: once active is 0 it may be destroyed. */
	q->active--;
	as__spin_unlock(&q->lock);
	free(it);
	if (next)
		as__enqueue_new(next->task);
	return r;
}

int gcd_async(gcd_queue *q, async_std_fn fn, void *arg) GCD_API_EXPORT;
int gcd_async(gcd_queue *q, async_std_fn fn, void *arg)
{
	return submit(q, fn, arg, true) ? 0 : -1;
}

async_std_task *gcd_spawn(gcd_queue *q, async_std_fn fn, void *arg) GCD_API_EXPORT;
async_std_task *gcd_spawn(gcd_queue *q, async_std_fn fn, void *arg)
{
	return submit(q, fn, arg, false);
}

/* The serial queue the calling task is an item of, or NULL. */
static gcd_queue *current_serial_queue(void)
{
	struct as_task *t = as__current();
	if (!t || t->fn != item_main)
		return NULL;
	gcd_queue *q = ((struct gcd_item *)t->arg)->q;
	return (q->flags & GCD_QUEUE_CONCURRENT) ? NULL : q;
}

int gcd_sync(gcd_queue *q, async_std_fn fn, void *arg, void **result) GCD_API_EXPORT;
int gcd_sync(gcd_queue *q, async_std_fn fn, void *arg, void **result)
{
	if (q && current_serial_queue() == q) {
		as__say("gcd_sync: called from an item of serial queue '%s' onto that queue: "
			"it would wait for itself", q->label);
		errno = EDEADLK;
		return -1;
	}
	async_std_task *h = submit(q, fn, arg, false);
	if (!h)
		return -1;
	/* The caller waits as its runtime waits (a foreign caller parks
	 * through its own runtime, xrt.h). */
	if (as__join(h, result) == 0)
		return 0;
	int e = errno;
	as__detach(h);
	errno = e;
	return -1;
}

/* ---- gcd_after ------------------------------------------------------------ */
struct after {
	gcd_queue *q;
	int64_t deadline;
	async_std_fn fn;
	void *arg;
};

static void *after_main(void *arg)
{
	struct after *a = arg;
	/* No one holds this task's handle: nothing cancels it, and it has no
	 * deadline, so the sleep ends at a->deadline and not before. */
	while (as__sleep_until(a->deadline) != 0)
		;
	if (!submit(a->q, a->fn, a->arg, true))
		as__say("gcd_after: the item could not be submitted at its time (%s): "
			"it does not run", strerror(errno));
	as__spin_lock(&a->q->lock);
	a->q->active--;
	as__spin_unlock(&a->q->lock);
	free(a);
	return NULL;
}

int gcd_after(gcd_queue *q, int64_t deadline, async_std_fn fn, void *arg) GCD_API_EXPORT;
int gcd_after(gcd_queue *q, int64_t deadline, async_std_fn fn, void *arg)
{
	if (!q || !fn || deadline < 0) {
		errno = EINVAL;
		return -1;
	}
	struct after *a = malloc(sizeof *a);
	if (!a) {
		errno = ENOMEM;
		return -1;
	}
	*a = (struct after){ q, deadline, fn, arg };
	as__spin_lock(&q->lock);
	q->active++;
	as__spin_unlock(&q->lock);
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = 16 * 1024,
				      .name = "gcd_after" };
	async_std_task *h = as__spawn_ex(after_main, a, &attr);
	if (!h) {
		int e = errno;
		as__spin_lock(&q->lock);
		q->active--;
		as__spin_unlock(&q->lock);
		free(a);
		errno = e;
		return -1;
	}
	as__detach(h);
	return 0;
}

/* ---- groups --------------------------------------------------------------- */
static async_std_task *spawn_on_queue(async_std_fn fn, void *arg, void *ctx)
{
	return submit(ctx, fn, arg, false);
}

int gcd_group_async(async_std_group *g, gcd_queue *q, async_std_fn fn, void *arg) GCD_API_EXPORT;
int gcd_group_async(async_std_group *g, gcd_queue *q, async_std_fn fn, void *arg)
{
	if (!g || !q || !fn) {
		errno = EINVAL;
		return -1;
	}
	int r = as__group_spawn_with(g, fn, arg, spawn_on_queue, q);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}
