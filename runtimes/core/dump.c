/* SPDX-License-Identifier: MIT */
/*
 * dump.c - async_std_task_dump: asks every worker for its tasks, waits (a
 * bounded time) for their copies, adds the tasks no worker owns (not started,
 * finished) and hands the lot to the printer (dump_print.c).
 *
 * No worker waits for another: each copies its own suspended tasks when it
 * next passes through its scheduler loop and goes on at once, so the longest
 * pause is one worker's copy, not a stop of the whole runtime.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "xrt.h"

#define DUMP_FLAGS (ASYNC_STD_DUMP_RAW | ASYNC_STD_DUMP_EACH | ASYNC_STD_DUMP_DWARF)
/* How long a dump waits for a worker to reach its scheduler loop. */
#define WORKER_WAIT_NS 1000000000LL

/* One dump at a time (a worker may still hold requests of earlier dumps
 * that gave up on it: it frees them when it looks). */
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;

/* Waits until req is DONE or `deadline` passes; true when DONE. */
static bool wait_done(struct as_dump_req *req, int64_t deadline)
{
	for (;;) {
		uint32_t s = atomic_load(&req->state);
		if (s == AS_DR_DONE)
			return true;
		int64_t left = deadline - as__now();
		if (s == AS_DR_POSTED && left <= 0)
			return false;
		/* TAKEN: the worker is copying; that always ends soon. */
		struct timespec ts =
			as__timespec_from_ns(s == AS_DR_POSTED && left < 10000000 ? left : 10000000);
		syscall(SYS_futex, &req->state, FUTEX_WAIT_PRIVATE, s, &ts, NULL, 0);
	}
}

/* ---- tasks the workers did not copy --------------------------------------- */
struct sweep {
	struct as_dump_set *set;
	const uint64_t *seen;      /* sorted ids of the copied tasks */
	size_t nseen;
	const int64_t *pause_ns;   /* per worker, -1: it did not answer */
	const struct as_dump_holder *holder;
	unsigned nworkers;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void sweep_task(struct as_task *t, void *arg)
{
	struct sweep *sw = arg;
	unsigned life = atomic_load_explicit(&t->life, memory_order_relaxed);
	if (life == AS_LIFE_FREE)
		return;
	uint64_t id = __atomic_load_n(&t->id, __ATOMIC_RELAXED);
	if (bsearch(&id, sw->seen, sw->nseen, sizeof(*sw->seen), cmp_u64))
		return;
	struct as_dump_rec r = { .id = id, .worker = UINT_MAX, .unwind = AS_DU_NONE };
	as__dump_copy_name(r.name, t->name);
	if (life == AS_LIFE_NEW) {
		r.state = AS_DS_NEW;
	} else if (life == AS_LIFE_DONE) {
		r.state = AS_DS_DONE;
	} else {
		struct as_worker *w = as__task_worker_racy(t);
		r.worker = w ? w->index : UINT_MAX;
		/* Its worker did not pause, or it started after its worker's copy. */
		bool busy = r.worker < sw->nworkers && sw->pause_ns[r.worker] < 0;
		r.state = busy ? AS_DS_BUSY : AS_DS_LATE;
		if (busy && sw->holder[r.worker].id == id)
			r.state = AS_DS_HOLDING;
	}
	/* A racy read may show a slot being reused: its id tells. */
	if (__atomic_load_n(&t->id, __ATOMIC_RELAXED) == id)
		as__dump_set_add(sw->set, &r, NULL, 0);
}

/* Adds the tasks in no worker's copy to all: not started, finished, or on a
 * worker that did not pause (pause[i] < 0) or that they reached too late. */
static int dump_sweep(struct as_dump_set *all, const int64_t *pause,
		      const struct as_dump_holder *holder, unsigned n)
{
	uint64_t *seen = malloc((all->nrec ? all->nrec : 1) * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (size_t k = 0; k < all->nrec; k++)
		seen[k] = all->recs[k].id;
	qsort(seen, all->nrec, sizeof(*seen), cmp_u64);
	struct sweep sw = { all, seen, all->nrec, pause, holder, n };
	as__task_slots_each(sweep_task, &sw);
	free(seen);
	return 0;
}

/* ---- asking the workers ---------------------------------------------------- */
/* Takes worker i's answer into all (reqs[i] stays ours to free), or gives
 * up on it at deadline (reqs[i] = NULL: the worker frees it when it looks). */
/* The task worker w runs while it does not pause (racy: its slot may be
 * reused under us, which its id tells). */
static void note_holder(struct as_worker *w, struct as_dump_holder *h)
{
	struct as_task *t = __atomic_load_n(&w->cur, __ATOMIC_ACQUIRE);
	if (!t)
		return;
	uint64_t id = __atomic_load_n(&t->id, __ATOMIC_RELAXED);
	as__dump_copy_name(h->name, t->name);
	if (__atomic_load_n(&t->id, __ATOMIC_RELAXED) == id &&
	    __atomic_load_n(&w->cur, __ATOMIC_ACQUIRE) == t)
		h->id = id;
}

static void collect_one(struct as_dump_req **reqs, unsigned i, int64_t deadline,
			struct as_dump_set *all, int64_t *pause, struct as_dump_holder *holder)
{
	pause[i] = -1;
	if (!reqs[i])
		return;
	if (!wait_done(reqs[i], deadline)) {
		uint32_t expect = AS_DR_POSTED;
		if (atomic_compare_exchange_strong(&reqs[i]->state, &expect, AS_DR_ABANDONED)) {
			reqs[i] = NULL;
			note_holder(&as__rt.workers[i], &holder[i]);
			return;
		}
		wait_done(reqs[i], INT64_MAX); /* taken just now */
	}
	pause[i] = reqs[i]->pause_ns;
	struct as_dump_set *s = &reqs[i]->set;
	if (s->err)
		all->err = s->err;
	for (size_t k = 0; k < s->nrec; k++)
		as__dump_set_add(all, &s->recs[k], &s->pcs[s->recs[k].pc_first], s->recs[k].npc);
}

/* Asks each of the n workers for its tasks (in a fatal signal's handler, uc
 * set, the calling worker copies its own at once) and merges the answers
 * that come within WORKER_WAIT_NS into all; pause[i] is worker i's pause,
 * -1 when it did not answer.  reqs (n entries, zeroed) is the caller's to
 * free with dump_reqs_free. */
static void dump_collect(struct as_dump_req **reqs, unsigned n, unsigned flags,
			 const ucontext_t *uc, struct as_dump_set *all, int64_t *pause,
			 struct as_dump_holder *holder)
{
	struct as_worker *self = as__tls_worker;
	for (unsigned i = 0; i < n; i++) {
		reqs[i] = calloc(1, sizeof(*reqs[i]));
		if (!reqs[i])
			break;
		reqs[i]->flags = flags;
		atomic_init(&reqs[i]->state, AS_DR_POSTED);
		if (uc && &as__rt.workers[i] == self) {
			reqs[i]->uc = uc;
			as__dump_capture(self, reqs[i]);
		} else {
			as__dump_post(&as__rt.workers[i], reqs[i]);
		}
	}
	int64_t deadline = as__now() + WORKER_WAIT_NS;
	for (unsigned i = 0; i < n; i++)
		collect_one(reqs, i, deadline, all, pause, holder);
}

static void dump_reqs_free(struct as_dump_req **reqs, unsigned n)
{
	for (unsigned i = 0; reqs && i < n; i++) {
		if (reqs[i]) {
			as__dump_set_free(&reqs[i]->set);
			free(reqs[i]);
		}
	}
	free(reqs);
}

/* ---- the dump -------------------------------------------------------------- */
/* Collect, sweep, print.  uc: called from a fatal signal's handler with its
 * context; then nothing may suspend, the calling worker copies its own
 * tasks, and a dump already running (its lock held, maybe by the crashed
 * thread) means none. */
static int dump_run(int fd, unsigned flags, const ucontext_t *uc)
{
	struct as_dump_set all = { 0 };
	unsigned n = as__runtime_running() ? as__rt.nworkers : 0;
	struct as_dump_req **reqs = calloc(n ? n : 1, sizeof(*reqs));
	int64_t *pause = calloc(n ? n : 1, sizeof(*pause));
	struct as_dump_holder *holder = calloc(n ? n : 1, sizeof(*holder));
	int r = -ENOMEM;
	if (!reqs || !pause || !holder)
		goto out_free;

	if (!uc)
		pthread_mutex_lock(&dump_lock);
	else if (pthread_mutex_trylock(&dump_lock) != 0) {
		r = -EBUSY;
		goto out_free;
	}
	dump_collect(reqs, n, flags, uc, &all, pause, holder);
	pthread_mutex_unlock(&dump_lock);

	r = dump_sweep(&all, pause, holder, n);
	if (r == 0 && all.err)
		r = all.err;
	if (r == 0) {
		struct as_dump_report rep = {
			.set = &all, .flags = flags, .nworkers = n, .pause_ns = pause,
			.holder = holder, .now = as__now(),
		};
		r = as__dump_print(fd, &rep);
	}
	if (r == 0)
		r = (int)(all.nrec > INT_MAX ? INT_MAX : all.nrec);

out_free:
	dump_reqs_free(reqs, n);
	free(pause);
	free(holder);
	as__dump_set_free(&all);
	return r;
}

/* A task cannot wait for its own worker's copy while it runs on it: it
 * hands the dump to a pool thread and waits suspended (and is dumped). */
struct dump_job {
	struct as_job job;
	int fd;
	unsigned flags;
	int result;
};

int as__dump_section(int fd, unsigned flags)
{
	return dump_run(fd, flags, NULL);
}

/* This runtime's section, then one per other runtime of the process (each
 * captured by that runtime's own workers): the number of tasks written. */
static int dump_all(int fd, unsigned flags)
{
	int r = dump_run(fd, flags, NULL);
	for (uint32_t i = 0; r >= 0 && i < AS_XRT_MAX; i++) {
		const struct as_xrt *x = as__xrt_other(i);
		if (!x)
			continue;
		int k = x->dump(fd, flags);
		if (k < 0)
			return k;
		r = r > INT_MAX - k ? INT_MAX : r + k;
	}
	return r;
}

static void dump_job_run(struct as_job *job)
{
	struct dump_job *d = (struct dump_job *)job;
	d->result = dump_all(d->fd, d->flags);
}

void as__dump_fatal(int fd, const void *uc)
{
	int r = dump_run(fd, 0, uc);
	if (r < 0)
		as__say("no task dump: %s", r == -ENOMEM ? "out of memory"
				   : "another dump was running");
}

int as__task_dump(int fd, unsigned flags)
{
	if (flags & ~DUMP_FLAGS)
		return (int)as__ret(-EINVAL);
	if (fcntl(fd, F_GETFL) < 0)
		return (int)as__ret(-EBADF);
	if (!as__current())
		return (int)as__ret(dump_all(fd, flags));
	struct dump_job d = { .job.run = dump_job_run, .job.fd = -1, .fd = fd, .flags = flags };
	int r = as__blocking_run(&d.job, false);
	return (int)as__ret(r < 0 ? r : d.result);
}
