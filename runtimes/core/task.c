/* SPDX-License-Identifier: MIT */
/*
 * task.c - the task registry and the task calls of the ABI: spawn, join,
 * detach, cancel, self, id.
 *
 * Task structs are type-stable: they live in chunks that are never freed, and
 * a handle is (generation << 32 | tag << 28 | slot), the tag naming the
 * runtime (xrt.h).  A stale handle therefore finds a task whose generation
 * moved on and is refused, cheaply, instead of touching freed memory; a
 * handle of another runtime of the process goes to that runtime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "xrt.h"

#define CHUNK_TASKS 1024u
#define MAX_CHUNKS 65536u       /* 64M task slots */
#define TCACHE_MAX 64u

static struct as_task *_Atomic chunks[MAX_CHUNKS];
static as_spin registry_lock = AS_SPIN_INIT;
static uint32_t nslots;
static struct as_task *free_tasks;

/* Per-thread cache of released task structs: spawn and join stay lock-free
 * in the common case. */
static __thread struct as_task *tcache __attribute__((tls_model("initial-exec")));
static __thread unsigned tcache_n __attribute__((tls_model("initial-exec")));

/* A plain thread that spawns or joins fills per-thread caches (task structs
 * here, stacks in stack.c); when it exits, they go back to the shared pools
 * instead of leaking. */
static pthread_key_t thread_exit_key;
static pthread_once_t thread_exit_once = PTHREAD_ONCE_INIT;
static __thread bool thread_exit_armed __attribute__((tls_model("initial-exec")));

static void thread_exit(void *unused)
{
	(void)unused;
	as__spin_lock(&registry_lock);
	while (tcache) {
		struct as_task *t = tcache;
		tcache = t->next;
		t->next = free_tasks;
		free_tasks = t;
	}
	tcache_n = 0;
	as__spin_unlock(&registry_lock);
	as__stack_thread_fini();
}

static void make_thread_exit_key(void)
{
	pthread_key_create(&thread_exit_key, thread_exit);
}

static inline void arm_thread_exit(void)
{
	if (AS_LIKELY(thread_exit_armed))
		return;
	thread_exit_armed = true;
	pthread_once(&thread_exit_once, make_thread_exit_key);
	/* Any non-NULL value: the destructor runs when the thread exits. */
	pthread_setspecific(thread_exit_key, &thread_exit_key);
}

static struct as_task *task_alloc(void)
{
	struct as_task *t = tcache;
	if (t) {
		tcache = t->next;
		tcache_n--;
		return t;
	}
	as__spin_lock(&registry_lock);
	t = free_tasks;
	if (t) {
		free_tasks = t->next;
		as__spin_unlock(&registry_lock);
		return t;
	}
	uint32_t slot = nslots;
	uint32_t c = slot / CHUNK_TASKS;
	if (c >= MAX_CHUNKS) {
		as__spin_unlock(&registry_lock);
		return NULL;
	}
	struct as_task *chunk = atomic_load_explicit(&chunks[c], memory_order_relaxed);
	if (!chunk) {
		chunk = calloc(CHUNK_TASKS, sizeof(*chunk));
		if (!chunk) {
			as__spin_unlock(&registry_lock);
			return NULL;
		}
		for (uint32_t i = 0; i < CHUNK_TASKS; i++) {
			chunk[i].slot = c * CHUNK_TASKS + i;
			chunk[i].gen = 1;
		}
		/* Release: a lookup that sees the chunk sees its initialised slots. */
		atomic_store_explicit(&chunks[c], chunk, memory_order_release);
	}
	nslots++;
	as__spin_unlock(&registry_lock);
	return &chunk[slot % CHUNK_TASKS];
}

/* The generation was bumped under t->lock: no handle reaches t any more. */
static void task_release(struct as_task *t)
{
	arm_thread_exit();
	if (tcache_n < TCACHE_MAX) {
		t->next = tcache;
		tcache = t;
		tcache_n++;
		return;
	}
	as__spin_lock(&registry_lock);
	t->next = free_tasks;
	free_tasks = t;
	as__spin_unlock(&registry_lock);
}

void as__task_slots_each(void (*fn)(struct as_task *t, void *arg), void *arg)
{
	as__spin_lock(&registry_lock);
	uint32_t n = nslots;
	as__spin_unlock(&registry_lock);
	for (uint32_t c = 0; c * CHUNK_TASKS < n; c++) {
		struct as_task *chunk = atomic_load_explicit(&chunks[c], memory_order_acquire);
		for (uint32_t i = 0; chunk && i < CHUNK_TASKS && c * CHUNK_TASKS + i < n; i++)
			fn(&chunk[i], arg);
	}
}

async_std_task *as__task_handle(const struct as_task *t)
{
	return (async_std_task *)(uintptr_t)(((uint64_t)t->gen << 32) |
					     ((uint64_t)as__tag << AS_HANDLE_TAG_SHIFT) | t->slot);
}

/* Finds the task a handle names; the caller re-checks the generation under
 * the task's lock before relying on it. */
struct as_task *as__task_from_handle(async_std_task *h)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t slot = (uint32_t)v & AS_HANDLE_SLOT_MASK, gen = (uint32_t)(v >> 32);
	if (gen == 0 || as__handle_tag(h) != as__tag || slot / CHUNK_TASKS >= MAX_CHUNKS)
		return NULL;
	struct as_task *chunk =
		atomic_load_explicit(&chunks[slot / CHUNK_TASKS], memory_order_acquire);
	if (!chunk)
		return NULL;
	struct as_task *t = &chunk[slot % CHUNK_TASKS];
	return __atomic_load_n(&t->gen, __ATOMIC_RELAXED) == gen ? t : NULL;
}

static inline bool handle_matches(const struct as_task *t, async_std_task *h)
{
	return t->gen == (uint32_t)((uint64_t)(uintptr_t)h >> 32);
}

/* Locks the task a handle names; NULL if the handle is stale or forged (a
 * free slot's generation can match a made-up handle: life says it is free). */
static struct as_task *lock_handle(async_std_task *h)
{
	struct as_task *t = as__task_from_handle(h);
	if (!t)
		return NULL;
	as__spin_lock(&t->lock);
	if (!handle_matches(t, h) ||
	    atomic_load_explicit(&t->life, memory_order_relaxed) == AS_LIFE_FREE) {
		as__spin_unlock(&t->lock);
		return NULL;
	}
	return t;
}

/* Under t->lock: no handle names t from now on. */
static void retire_locked(struct as_task *t)
{
	__atomic_store_n(&t->gen, t->gen + 1 ? t->gen + 1 : 1, __ATOMIC_RELAXED);
	t->flags = 0;
	atomic_store_explicit(&t->life, AS_LIFE_FREE, memory_order_relaxed);
}

/* ---- spawn: create, then start ------------------------------------------ */
/* What a spawn attribute asks for, checked; false: EINVAL. */
struct spawn_req {
	size_t stack_size;
	void *stack;
	unsigned flags;
	const char *name;
};

static bool spawn_req_from_attr(struct spawn_req *q, const async_std_spawn_attr *attr)
{
	const size_t min_stack = 16 * 1024;
	*q = (struct spawn_req){ 0 };
	if (!attr)
		return true;
	if (attr->size < offsetof(async_std_spawn_attr, reserved0)) {
		as__say("async_std_spawn_ex: attr->size %zu is smaller than "
			"async_std_spawn_attr (set it to sizeof)", attr->size);
		return false;
	}
	if (attr->flags & ~ASYNC_STD_SPAWN_LOCAL)
		return false;
	if (attr->stack_size && attr->stack_size < min_stack)
		return false;
	if (attr->stack && !attr->stack_size)
		return false;
	q->stack_size = attr->stack_size;
	q->stack = attr->stack;
	q->flags = attr->flags;
	q->name = attr->name;
	return true;
}

/* Gives t its stack: the caller's (aligned to 16 bytes at both ends) or one
 * from the pool. */
static int task_stack_take(struct as_task *t, const struct spawn_req *q)
{
	t->own_stack = q->stack != NULL;
	if (q->stack) {
		uintptr_t lo = ((uintptr_t)q->stack + 15) & ~(uintptr_t)15;
		uintptr_t hi = ((uintptr_t)q->stack + q->stack_size) & ~(uintptr_t)15;
		t->stack.lo = (void *)lo;
		t->stack.size = hi - lo;
		return 0;
	}
	return as__stack_alloc(&t->stack, q->stack_size ? q->stack_size : as__config()->stack_size);
}

struct as_task *as__task_create(async_std_fn fn, void *arg, const async_std_spawn_attr *attr)
{
	struct spawn_req q;
	if (!fn || !spawn_req_from_attr(&q, attr)) {
		errno = EINVAL;
		return NULL;
	}
	int r = as__runtime_start();
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	arm_thread_exit();
	struct as_task *t = task_alloc();
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->flags = 0;
	t->local = q.flags & ASYNC_STD_SPAWN_LOCAL;
	r = task_stack_take(t, &q);
	if (r < 0) {
		as__spin_lock(&t->lock);
		retire_locked(t);
		as__spin_unlock(&t->lock);
		task_release(t);
		errno = -r;
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->result = NULL;
	t->joiner = NULL;
	as__task_set_worker(t, NULL);
	t->next = NULL;
	t->deadline = -1;
	t->wait_reason = NULL;
	t->wait_call = NULL;
	t->wait_since = 0;
	t->group = NULL;
	atomic_store_explicit(&t->cancelled, 0, memory_order_relaxed);
	atomic_store_explicit(&t->parker.state, AS_PK_IDLE, memory_order_relaxed);
	t->parker.task = t;
	t->parker.rt = as__tag;
	/* Relaxed atomic stores: a task dump may read a slot being reused. */
	__atomic_store_n(&t->id, as__next_task_id(), __ATOMIC_RELAXED);
	size_t i = 0;
	for (; q.name && q.name[i] && i < sizeof t->name - 1; i++)
		__atomic_store_n(&t->name[i], q.name[i], __ATOMIC_RELAXED);
	__atomic_store_n(&t->name[i], '\0', __ATOMIC_RELAXED);
	if (!t->own_stack)
		as__stack_label(&t->stack, t->id, t->name);
	as__fiber_make(&t->fiber, t->stack.lo, t->stack.size, as__task_entry, t);
	atomic_store_explicit(&t->life, AS_LIFE_NEW, memory_order_relaxed);
	return t;
}

void as__task_discard(struct as_task *t)
{
	if (!t->own_stack)
		as__stack_free(&t->stack);
	as__spin_lock(&t->lock);
	retire_locked(t);
	as__spin_unlock(&t->lock);
	task_release(t);
}

async_std_task *as__spawn_ex(async_std_fn fn, void *arg, const async_std_spawn_attr *attr)
{
	struct as_task *t = as__task_create(fn, arg, attr);
	if (!t)
		return NULL;
	/* Before the enqueue: from then on t may run, end and be reused. */
	async_std_task *h = as__task_handle(t);
	as__enqueue_new(t);
	return h;
}

async_std_task *as__spawn(async_std_fn fn, void *arg)
{
	return as__spawn_ex(fn, arg, NULL);
}

void as__task_exit(struct as_task *t, void *r)
{
	as__spin_lock(&t->lock);
	t->result = r;
	t->flags |= AS_TF_DONE;
	atomic_store_explicit(&t->life, AS_LIFE_DONE, memory_order_relaxed);
	struct as_parker *joiner = t->joiner;
	t->joiner = NULL;
	if (t->flags & AS_TF_DETACHED) {
		retire_locked(t);
		as__spin_unlock(&t->lock);
		task_release(t);
		return;
	}
	/* Wake under the lock: the joiner's parker must not be reused before. */
	if (joiner)
		as__unpark(joiner, AS_WAKE_EVENT);
	as__spin_unlock(&t->lock);
}

/* ---- join, detach, cancel ------------------------------------------------- */
/* A handle of another runtime of the process: its owner answers.  NULL when
 * no runtime has that tag (a made-up or corrupt handle: EINVAL). */
static __attribute__((noinline, cold)) const struct async_std_ops *owner_of(async_std_task *h)
{
	const struct as_xrt *x = as__xrt_of(as__handle_tag(h));
	return x ? x->ops : NULL;
}

#define AS_FORWARD_HANDLE(h, call, args, fail)                                   \
	do {                                                                     \
		if (AS_UNLIKELY(as__handle_tag(h) != as__tag)) {                 \
			const struct async_std_ops *o_ = owner_of(h);            \
			if (o_)                                                  \
				return o_->call args;                            \
			as__say("async_std_" #call ": the handle names no runtime " \
				"of this process");                              \
			errno = EINVAL;                                          \
			return fail;                                             \
		}                                                                \
	} while (0)

static int take_result(struct as_task *t, void **result)
{
	if (result)
		*result = t->result;
	retire_locked(t);
	as__spin_unlock(&t->lock);
	task_release(t);
	return 0;
}

int as__join(async_std_task *h, void **result)
{
	AS_FORWARD_HANDLE(h, join, (h, result), -1);
	struct as_task *me = as__current();
	struct as_task *t = lock_handle(h);
	if (!t) {
		if (h)
			as__say("async_std_join: stale task handle (the task was already "
				"joined, or detached and finished)");
		return (int)as__ret(-EINVAL);
	}
	if (t == me) {
		as__spin_unlock(&t->lock);
		return (int)as__ret(-EDEADLK);
	}
	if (t->flags & (AS_TF_DETACHED | AS_TF_JOINED)) {
		bool det = t->flags & AS_TF_DETACHED;
		unsigned long long id = t->id; /* read under the lock: t may be reused */
		as__spin_unlock(&t->lock);
		as__say("async_std_join: task %llu is %s", id,
			det ? "detached" : "already being joined");
		return (int)as__ret(-EINVAL);
	}
	int r = as__check_interrupt();
	if (r < 0) {
		as__spin_unlock(&t->lock);
		return (int)as__ret(r);
	}
	if (t->flags & AS_TF_DONE)
		return take_result(t, result);

	struct as_parker *self = as__self_parker();
	r = as__park_prepare(true);
	if (r < 0) {
		as__spin_unlock(&t->lock);
		return (int)as__ret(r);
	}
	t->flags |= AS_TF_JOINED;
	t->joiner = self;
	const struct as_xrt *other = me ? NULL : as__xrt_foreign_caller();
	if (me)
		me->wait_reason = "join";
	else if (other)
		other->set_wait_reason("join");
	as__spin_unlock(&t->lock);

	r = as__park_wait(as__deadline());
	if (me)
		me->wait_reason = NULL;
	else if (other)
		other->set_wait_reason(NULL);

	as__spin_lock(&t->lock);
	if (t->joiner == self) {
		/* Deadline or cancellation first: t stays joinable. */
		t->joiner = NULL;
		t->flags &= ~AS_TF_JOINED;
		as__spin_unlock(&t->lock);
		return (int)as__ret(r < 0 ? r : -EINTR);
	}
	/* t finished (even if our deadline passed meanwhile): its result counts. */
	return take_result(t, result);
}

int as__detach(async_std_task *h)
{
	AS_FORWARD_HANDLE(h, detach, (h), -1);
	struct as_task *t = lock_handle(h);
	if (!t) {
		if (h)
			as__say("async_std_detach: stale task handle");
		return (int)as__ret(-EINVAL);
	}
	if (t->flags & (AS_TF_DETACHED | AS_TF_JOINED)) {
		bool det = t->flags & AS_TF_DETACHED;
		unsigned long long id = t->id; /* read under the lock: t may be reused */
		as__spin_unlock(&t->lock);
		as__say("async_std_detach: task %llu is already %s", id,
			det ? "detached" : "being joined");
		return (int)as__ret(-EINVAL);
	}
	if (t->flags & AS_TF_DONE) {
		retire_locked(t);
		as__spin_unlock(&t->lock);
		task_release(t);
		return 0;
	}
	t->flags |= AS_TF_DETACHED;
	as__spin_unlock(&t->lock);
	return 0;
}

int as__cancel(async_std_task *h)
{
	AS_FORWARD_HANDLE(h, cancel, (h), -1);
	struct as_task *t = lock_handle(h);
	if (!t)
		return (int)as__ret(-EINVAL);
	if (!(t->flags & AS_TF_DONE)) {
		/* seq_cst: pairs with as__park_prepare (store state, load cancelled). */
		atomic_store(&t->cancelled, 1);
		/* Under the lock, so t cannot finish and be reused meanwhile. */
		as__unpark(&t->parker, AS_WAKE_CANCEL);
	}
	as__spin_unlock(&t->lock);
	return 0;
}

async_std_task *as__self(void)
{
	struct as_task *t = as__current();
	return t ? as__task_handle(t) : NULL;
}

uint64_t as__task_id(async_std_task *h)
{
	AS_FORWARD_HANDLE(h, task_id, (h), 0);
	struct as_task *t = as__task_from_handle(h);
	if (!t) {
		errno = EINVAL;
		return 0;
	}
	uint64_t id = t->id;
	/* A handle that went stale while we read, or names a free slot:
	 * refuse rather than guess. */
	if (!handle_matches(t, h) ||
	    atomic_load_explicit(&t->life, memory_order_relaxed) == AS_LIFE_FREE) {
		errno = EINVAL;
		return 0;
	}
	return id;
}

int as__block_on(async_std_fn fn, void *arg, void **result)
{
	async_std_task *t = as__spawn(fn, arg);
	if (!t)
		return -1;
	if (as__join(t, result) == 0)
		return 0;
	/* Our own deadline or cancellation: do not leave the task unowned. */
	int e = errno;
	as__cancel(t);
	as__detach(t);
	errno = e;
	return -1;
}
