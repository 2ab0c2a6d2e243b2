/* SPDX-License-Identifier: MIT */
/*
 * stack.c - fiber stacks carved from large lazily committed slabs, pooled per
 * size (per-thread cache in front of a locked global list), a guard page
 * below each; and the lock-free lookup of the stack a guard page belongs to,
 * for the overflow handler (stack_overflow.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "stack.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13+ */
#endif

/* Virtual size of a full slab.  Slabs hold many stacks so that a million
 * stacks need about a thousand VMAs, not a million (vm.max_map_count is 65530
 * by default).  NORESERVE and untouched, a slab costs no RSS. */
#define SLAB_BYTES ((size_t)64 << 20)
/* The first slab of a size holds this many stacks; each next one twice as
 * many, up to SLAB_BYTES, so a one-off size does not reserve 64 MiB. */
#define SLAB_FIRST_SLOTS 16
#define SLABS_MAX 65536
/* Distinct sizes get their own pool up to CLASSES_EXACT; after that sizes
 * round up to a power of two, which bounds the number of pools. */
#define CLASSES_MAX 64
#define CLASSES_EXACT 32
/* The first pools created (in practice the default stack size) get a
 * per-thread cache of TCACHE_SLOTS stacks. */
#define TCACHE_CLASSES 2
#define TCACHE_SLOTS 16
/* Threshold for releasing pooled stacks: a pool keeps at most AS_STACK_WARM_BYTES of
 * stacks (at least WARM_MIN stacks; 1024 stacks of the default 256 KiB) with
 * their pages resident; past that, by batches of TRIM_BATCH, the oldest get
 * MADV_DONTNEED so a million finished tasks do not keep their RSS.  The bytes
 * counted are reserved ones: what stays resident is only what those tasks
 * touched, typically a page or two each.  At 16 MiB, spawning and joining
 * batches of 1000 tasks re-faulted every stack: 2450 ns per task instead of
 * 146 (2026-11-22).  The per-thread caches (TCACHE_SLOTS each) are never
 * trimmed. */
#define WARM_MIN 4
#define TRIM_BATCH 64
/* Releasing pages costs a TLB shoot-down per madvise, and finished tasks'
 * stacks are rarely adjacent, so trimming on the exit path cost one madvise
 * per stack on the worker: 50,000 sleepers ending in random order woke up to
 * 250 ms late (2026-12-03).  A trimmer thread (SCHED_IDLE) does it instead,
 * once the pools stop growing (checked every TRIM_DELAY_NS, for at most
 * TRIM_WAIT_MAX checks), all of the excess in one sorted pass, so more of it
 * is adjacent.  Only a pool TRIM_HARD times past its threshold trims on the
 * exit path too, should the trimmer lag. */
#define TRIM_DELAY_NS 20000000
#define TRIM_WAIT_MAX 50
#define TRIM_HARD 64

struct stack_label {
	uint64_t task_id;
	const char *name;
};

/* Immutable once published in slab_table, except carved (class lock) and the
 * labels, which the thread running the stack writes. */
struct stack_slab {
	char *base;       /* the first slot's guard page */
	size_t guard;     /* guard bytes at the bottom of each slot */
	size_t slot_size; /* guard + stack */
	size_t stack_size;
	uint32_t nslots;
	uint32_t carved;  /* slots handed out at least once */
	uint32_t index;   /* in slab_table */
	struct stack_class *cls;
	struct stack_label *labels;
};

/* A stack's id: slab index << 32 | slot.  Pools hold ids, never pointers into
 * the stack, so pooling a stack does not touch (and commit) its pages. */
struct id_list {
	uint64_t *ids;
	size_t n, cap;
};

struct stack_class {
	size_t size;
	unsigned index;
	size_t warm_max;
	pthread_mutex_t lock;
	struct id_list warm; /* freed, pages may be resident; reused first */
	struct id_list cold; /* freed, pages released */
	struct stack_slab *carving;
	uint32_t next_slots;
	bool trim_asked; /* the trimmer was told about this pool */
};

struct stack_tcache {
	uint32_t n;
	uint64_t ids[TCACHE_SLOTS];
};

static struct stack_class classes[CLASSES_MAX];
static atomic_uint nclasses;
static pthread_mutex_t classes_lock = PTHREAD_MUTEX_INITIALIZER;

/* Read by the signal handler: entries are published with release stores and
 * never removed, so a lock-free scan is async-signal-safe. */
static struct stack_slab *_Atomic slab_table[SLABS_MAX];
static atomic_uint nslabs;

static atomic_size_t page_bytes;
/* Set once MADV_GUARD_INSTALL fails with EINVAL (kernel older than 6.13). */
static atomic_bool guard_by_mprotect;

/* initial-exec: no __tls_get_addr on the spawn path; small enough for the
 * static TLS surplus if the library is ever dlopen'ed. */
static __thread struct stack_tcache tcache[TCACHE_CLASSES]
	__attribute__((tls_model("initial-exec")));


static size_t page_size(void)
{
	size_t p = atomic_load_explicit(&page_bytes, memory_order_relaxed);

	if (!p) {
		/* Every thread computes the same value: a race is harmless. */
		p = (size_t)sysconf(_SC_PAGESIZE);
		atomic_store_explicit(&page_bytes, p, memory_order_relaxed);
	}
	return p;
}

static struct stack_slab *slab_at(uint32_t index)
{
	/* The id reached us through the class lock or our own tcache, both
	 * after the slab's publication. */
	return atomic_load_explicit(&slab_table[index], memory_order_relaxed);
}

static char *slot_lo(const struct stack_slab *slab, uint32_t slot)
{
	return slab->base + (size_t)slot * slab->slot_size + slab->guard;
}

static bool id_push(struct id_list *l, uint64_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint64_t *ids = realloc(l->ids, cap * sizeof *ids);

		if (!ids)
			return false; /* the stack leaks: address space, no RSS */
		l->ids = ids;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return true;
}

/* Callers hold the class lock. */
static void class_init(struct stack_class *c, unsigned index, size_t size)
{
	c->size = size;
	c->index = index;
	c->warm_max = AS_STACK_WARM_BYTES / size;
	if (c->warm_max < WARM_MIN)
		c->warm_max = WARM_MIN;
	pthread_mutex_init(&c->lock, NULL);
	c->next_slots = SLAB_FIRST_SLOTS;
}

/* Slow path of class_find: the first stack of a size.  noinline (and the
 * other slow paths too) keeps the pool hits free of their register saves. */
__attribute__((noinline)) static struct stack_class *class_add(size_t size)
{
	struct stack_class *c = NULL;
	unsigned n;

	pthread_mutex_lock(&classes_lock);
	n = atomic_load_explicit(&nclasses, memory_order_relaxed);
	if (n >= CLASSES_EXACT) {
		size_t p = page_size();

		while (p < size && p)
			p <<= 1;
		if (!p)
			goto out_unlock;
		size = p;
	}
	for (unsigned i = 0; i < n; i++) {
		if (classes[i].size == size) {
			c = &classes[i];
			goto out_unlock;
		}
	}
	if (n < CLASSES_MAX) {
		c = &classes[n];
		class_init(c, n, size);
		/* Release: a reader that sees the count sees the class. */
		atomic_store_explicit(&nclasses, n + 1, memory_order_release);
	}
out_unlock:
	pthread_mutex_unlock(&classes_lock);
	return c;
}

static inline struct stack_class *class_find(size_t size)
{
	unsigned n = atomic_load_explicit(&nclasses, memory_order_acquire);

	for (unsigned i = 0; i < n; i++)
		if (classes[i].size == size)
			return &classes[i];
	return class_add(size);
}

/* A new slab for c; called with c->lock held (rare: once per slab). */
static struct stack_slab *slab_new(struct stack_class *c)
{
	size_t guard = page_size();
	size_t slot_size = c->size + guard;
	size_t max_slots = SLAB_BYTES / slot_size ? SLAB_BYTES / slot_size : 1;
	size_t nslots = c->next_slots < max_slots ? c->next_slots : max_slots;
	size_t bytes = nslots * slot_size;
	struct stack_slab *slab;
	unsigned index;
	void *base;

	slab = calloc(1, sizeof *slab);
	if (!slab)
		return NULL;
	/* calloc of a large array gets fresh zero pages: a label costs RSS
	 * only once its slot is used. */
	slab->labels = calloc(nslots, sizeof *slab->labels);
	if (!slab->labels)
		goto out_free_slab;
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (base == MAP_FAILED)
		goto out_free_labels;
	/* With THP the first touch of a stack could commit 2 MiB. */
	madvise(base, bytes, MADV_NOHUGEPAGE);

	index = atomic_fetch_add_explicit(&nslabs, 1, memory_order_relaxed);
	if (index >= SLABS_MAX)
		goto out_unmap;
	slab->base = base;
	slab->guard = guard;
	slab->slot_size = slot_size;
	slab->stack_size = c->size;
	slab->nslots = (uint32_t)nslots;
	slab->index = index;
	slab->cls = c;
	/* Release: the overflow handler reads the fields without a lock. */
	atomic_store_explicit(&slab_table[index], slab, memory_order_release);
	if (c->next_slots < max_slots)
		c->next_slots *= 2;
	return slab;

out_unmap:
	munmap(base, bytes);
out_free_labels:
	free(slab->labels);
out_free_slab:
	free(slab);
	return NULL;
}

/* Installs the guard page of a freshly carved slot; 0 or -ENOMEM. */
static int guard_install(struct stack_slab *slab, uint32_t slot)
{
	char *g = slab->base + (size_t)slot * slab->slot_size;

	if (!atomic_load_explicit(&guard_by_mprotect, memory_order_relaxed)) {
		if (madvise(g, slab->guard, MADV_GUARD_INSTALL) == 0)
			return 0;
		if (errno != EINVAL)
			return -ENOMEM;
		atomic_store_explicit(&guard_by_mprotect, true, memory_order_relaxed);
	}
	/* Fallback for kernels before 6.13: splits the slab's VMA, two VMAs
	 * per stack, so vm.max_map_count (65530) caps us at ~32k stacks. */
	if (mprotect(g, slab->guard, PROT_NONE) != 0)
		return -ENOMEM;
	return 0;
}

/* Moves up to n ids from the global list l into the thread cache t. */
static void tcache_fill(struct stack_tcache *t, struct id_list *l, uint32_t n)
{
	while (n-- && l->n)
		t->ids[t->n++] = l->ids[--l->n];
}

/* Slow path of alloc: the global pool, else a fresh slot. */
__attribute__((noinline)) static int class_take(struct stack_class *c, struct stack_tcache *t,
						uint64_t *id)
{
	struct stack_slab *slab;
	uint32_t slot;
	int err;

	pthread_mutex_lock(&c->lock);
	if (c->warm.n || c->cold.n) {
		struct id_list *l = c->warm.n ? &c->warm : &c->cold;

		*id = l->ids[--l->n];
		/* Refill half the cache: the next allocations skip the lock,
		 * and the next frees do not overflow it at once. */
		if (t)
			tcache_fill(t, l, TCACHE_SLOTS / 2);
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	slab = c->carving;
	if (!slab || slab->carved == slab->nslots) {
		slab = slab_new(c);
		if (!slab) {
			pthread_mutex_unlock(&c->lock);
			return -ENOMEM;
		}
		c->carving = slab;
	}
	slot = slab->carved++;
	pthread_mutex_unlock(&c->lock);

	/* The slot is ours alone now: install its guard without the lock. */
	err = guard_install(slab, slot);
	if (err)
		return err; /* the slot leaks: address space only */
	*id = (uint64_t)slab->index << 32 | slot;
	return 0;
}

int as__stack_alloc(struct as_stack *s, size_t size)
{
	size_t page = page_size();
	struct stack_class *c;
	struct stack_tcache *t = NULL;
	struct stack_slab *slab;
	uint64_t id;

	if (size > SLAB_BYTES * 1024)
		return -ENOMEM;
	size = size ? (size + page - 1) & ~(page - 1) : page;
	c = class_find(size);
	if (!c)
		return -ENOMEM;
	if (c->index < TCACHE_CLASSES)
		t = &tcache[c->index];
	if (t && t->n) {
		id = t->ids[--t->n];
	} else {
		int err = class_take(c, t, &id);

		if (err)
			return err;
	}
	slab = slab_at((uint32_t)(id >> 32));
	s->slab = slab->index;
	s->slot = (uint32_t)id;
	s->lo = slot_lo(slab, s->slot);
	s->size = slab->stack_size;
	slab->labels[s->slot] = (struct stack_label){ 0, NULL };
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Drops the pages of the stacks in ids.  Adjacent slots go in one madvise,
 * guard pages included (MADV_DONTNEED keeps guard markers and PROT_NONE). */
static void pages_release(uint64_t *ids, size_t n)
{
	qsort(ids, n, sizeof(*ids), cmp_id);
	for (size_t i = 0, j; i < n; i = j) {
		struct stack_slab *slab = slab_at((uint32_t)(ids[i] >> 32));
		uint32_t first = (uint32_t)ids[i];

		for (j = i + 1; j < n && ids[j] == ids[j - 1] + 1; j++)
			;
		char *lo = slot_lo(slab, first);
		char *hi = slab->base + (size_t)(first + (j - i)) * slab->slot_size;

		madvise(lo, (size_t)(hi - lo), MADV_DONTNEED);
	}
}

/* Called with c->lock held; returns with it released.  Moves the oldest warm
 * stacks past the threshold (at most max of them) to the cold list, dropping
 * their pages without the lock held. */
static void class_release_unlock(struct stack_class *c, uint64_t *batch, size_t max)
{
	size_t n = c->warm.n > c->warm_max ? c->warm.n - c->warm_max : 0;

	if (n > max)
		n = max;
	if (!n) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	/* The bottom of the LIFO list is the longest unused. */
	memcpy(batch, c->warm.ids, n * sizeof batch[0]);
	memmove(c->warm.ids, c->warm.ids + n, (c->warm.n - n) * sizeof batch[0]);
	c->warm.n -= n;
	pthread_mutex_unlock(&c->lock);

	pages_release(batch, n);

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++)
		id_push(&c->cold, batch[i]);
	pthread_mutex_unlock(&c->lock);
}

/* ---- the trimmer thread ---------------------------------------------------- */
static pthread_once_t trimmer_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t trimmer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t trimmer_cond = PTHREAD_COND_INITIALIZER;
static bool trimmer_running, trimmer_wanted;

static void trim_all(void)
{
	unsigned n = atomic_load_explicit(&nclasses, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		struct stack_class *c = &classes[i];

		pthread_mutex_lock(&c->lock);
		c->trim_asked = false;
		size_t excess = c->warm.n > c->warm_max ? c->warm.n - c->warm_max : 0;
		uint64_t *batch = excess ? malloc(excess * sizeof(*batch)) : NULL;
		if (!batch) {
			/* Nothing to do, or no memory: one stack-sized batch. */
			uint64_t small[TRIM_BATCH];
			class_release_unlock(c, small, TRIM_BATCH);
			continue;
		}
		class_release_unlock(c, batch, excess);
		free(batch);
	}
}

/* Stacks past the pools' thresholds, all pools together. */
static size_t excess_all(void)
{
	unsigned n = atomic_load_explicit(&nclasses, memory_order_acquire);
	size_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		struct stack_class *c = &classes[i];

		pthread_mutex_lock(&c->lock);
		if (c->warm.n > c->warm_max)
			sum += c->warm.n - c->warm_max;
		pthread_mutex_unlock(&c->lock);
	}
	return sum;
}

static void *trimmer_main(void *arg)
{
	(void)arg;
	/* It runs only when a core is otherwise idle: never ahead of a task. */
	struct sched_param none = { 0 };
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
	pthread_mutex_lock(&trimmer_lock);
	for (;;) {
		while (!trimmer_wanted)
			pthread_cond_wait(&trimmer_cond, &trimmer_lock);
		trimmer_wanted = false;
		pthread_mutex_unlock(&trimmer_lock);
		/* Let the burst of exits that woke us end first (up to
		 * TRIM_WAIT_MAX delays): a later, larger batch has more adjacent
		 * stacks, so fewer madvise calls and shoot-downs. */
		size_t before = excess_all();
		for (int waits = 0; waits < TRIM_WAIT_MAX; waits++) {
			struct timespec d = { 0, TRIM_DELAY_NS };
			while (nanosleep(&d, &d) != 0 && errno == EINTR)
				;
			size_t now = excess_all();
			if (now <= before + before / 8)
				break; /* it stopped growing */
			before = now;
		}
		trim_all();
		pthread_mutex_lock(&trimmer_lock);
	}
	return NULL;
}

static void trimmer_start(void)
{
	trimmer_running = as__helper_thread_start(trimmer_main, "async_std/trim") == 0;
}

/* Called with c->lock held; returns with it released.  Past the threshold,
 * asks the trimmer (once until it ran); far past it, or without a trimmer,
 * trims here. */
static void class_trim_unlock(struct stack_class *c)
{
	uint64_t batch[TRIM_BATCH + TCACHE_SLOTS];

	if (c->warm.n < c->warm_max + TRIM_BATCH) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->warm.n < c->warm_max * TRIM_HARD) {
		bool ask = !c->trim_asked;
		c->trim_asked = true;
		pthread_mutex_unlock(&c->lock);
		if (ask) {
			pthread_once(&trimmer_once, trimmer_start);
			pthread_mutex_lock(&trimmer_lock);
			bool running = trimmer_running;
			if (running) {
				trimmer_wanted = true;
				pthread_cond_signal(&trimmer_cond);
			}
			pthread_mutex_unlock(&trimmer_lock);
			if (running)
				return;
			pthread_mutex_lock(&c->lock); /* no trimmer: trim here */
			c->trim_asked = false;
		} else {
			return;
		}
	}
	class_release_unlock(c, batch, sizeof batch / sizeof batch[0]);
}

/* Hands the oldest n stacks of a thread cache to the global pool. */
__attribute__((noinline)) static void tcache_spill(struct stack_class *c, struct stack_tcache *t,
						   uint32_t n)
{
	pthread_mutex_lock(&c->lock);
	for (uint32_t i = 0; i < n; i++)
		id_push(&c->warm, t->ids[i]);
	class_trim_unlock(c);
	memmove(t->ids, t->ids + n, (t->n - n) * sizeof t->ids[0]);
	t->n -= n;
}

__attribute__((noinline)) static void class_put(struct stack_class *c, uint64_t id)
{
	pthread_mutex_lock(&c->lock);
	id_push(&c->warm, id);
	class_trim_unlock(c);
}

void as__stack_free(struct as_stack *s)
{
	struct stack_slab *slab = slab_at(s->slab);
	struct stack_class *c = slab->cls;
	uint64_t id = (uint64_t)s->slab << 32 | s->slot;

	if (c->index < TCACHE_CLASSES) {
		struct stack_tcache *t = &tcache[c->index];

		if (t->n == TCACHE_SLOTS)
			tcache_spill(c, t, TCACHE_SLOTS / 2);
		t->ids[t->n++] = id;
	} else {
		class_put(c, id);
	}
	s->lo = NULL;
}

void as__stack_label(const struct as_stack *s, uint64_t task_id, const char *name)
{
	struct stack_label *l = &slab_at(s->slab)->labels[s->slot];

	l->task_id = task_id;
	l->name = name;
}

const char *as__stack_guard_kind(void)
{
	return atomic_load_explicit(&guard_by_mprotect, memory_order_relaxed) ? "mprotect"
									       : "madvise";
}

/* ---- whose guard page: asked by the overflow handler (stack_overflow.c) -- */
/* The slab and slot whose guard page holds addr, or NULL.  Async-signal-safe:
 * a lock-free scan of slabs that are never removed. */
static struct stack_slab *guard_lookup(uintptr_t addr, uint32_t *slot)
{
	unsigned n = atomic_load_explicit(&nslabs, memory_order_acquire);

	if (n > SLABS_MAX)
		n = SLABS_MAX;
	for (unsigned i = 0; i < n; i++) {
		struct stack_slab *slab =
			atomic_load_explicit(&slab_table[i], memory_order_acquire);
		uintptr_t off;

		if (!slab)
			continue; /* index taken, slab not yet published */
		off = addr - (uintptr_t)slab->base;
		if (addr < (uintptr_t)slab->base || off >= slab->nslots * slab->slot_size)
			continue;
		if (off % slab->slot_size >= slab->guard)
			return NULL; /* inside a stack: not an overflow */
		*slot = (uint32_t)(off / slab->slot_size);
		return slab;
	}
	return NULL;
}

bool as__stack_guard_owner(uintptr_t addr, struct as_stack_owner *o)
{
	uint32_t slot;
	struct stack_slab *slab = guard_lookup(addr, &slot);
	if (!slab)
		return false;
	o->task_id = slab->labels[slot].task_id;
	o->name = slab->labels[slot].name;
	o->stack_size = slab->stack_size;
	return true;
}

void as__stack_thread_fini(void)
{
	unsigned n = atomic_load_explicit(&nclasses, memory_order_acquire);

	for (unsigned i = 0; i < TCACHE_CLASSES && i < n; i++)
		if (tcache[i].n)
			tcache_spill(&classes[i], &tcache[i], tcache[i].n);
	as__stack_altstack_fini();
}
