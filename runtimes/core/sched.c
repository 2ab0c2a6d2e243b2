/*
 * sched.c - workers, run queues, work stealing and the scheduler loop.
 *
 * Each worker thread owns a ready queue (started tasks; only it touches it),
 * a fresh queue (tasks not started yet; idle workers may steal from it) and
 * an inbox (wake-ups posted by other threads).  A started task never moves to
 * another thread, because compilers cache TLS addresses such as errno's
 * across calls.  Tasks switch to each other directly; every few switches, or
 * when nothing is runnable, control goes back to the worker's own stack,
 * which runs timers and polls the reactor.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "reactor.h"

/* Every SWITCH_BUDGET direct task-to-task switches a busy worker reads the
 * clock; it goes back to the scheduler when a timer is due or I/O has not
 * been polled for POLL_INTERVAL_NS.  A poll is a system call (~0.5-1 us), so
 * polling on every 61st switch cost yield ~10%; 50 us bounds the latency a
 * busy worker adds to I/O while keeping that cost near zero. */
#define SWITCH_BUDGET 61u
#define POLL_INTERVAL_NS 50000
/* Rounds an idle worker looks for work to steal before it sleeps. */
#define IDLE_SPINS 64

struct as_runtime as__rt;

/* The calling thread's worker, NULL on plain threads (core.h reads it inline
 * in as__current, the hottest lookup of every blocking call). */
__thread struct as_worker *as__tls_worker __attribute__((tls_model("initial-exec")));

/* The runtime that owns the calling thread, shared by every runtime loaded in
 * the process (each defines it with default visibility, so the dynamic linker
 * binds them all to one): the ABI entry points forward to the owner when it
 * is not themselves.  NULL on plain threads. */
__attribute__((visibility("default"), weak, tls_model("initial-exec")))
__thread const struct async_std_ops *async_std__thread_ops;

struct as_worker *as__worker(void)
{
	return as__tls_worker;
}

/* ---- queues ------------------------------------------------------------ */
static inline void ready_push(struct as_worker *w, struct as_task *t)
{
	t->next = NULL;
	if (w->ready_tail)
		w->ready_tail->next = t;
	else
		w->ready_head = t;
	w->ready_tail = t;
}

static inline struct as_task *ready_pop(struct as_worker *w)
{
	struct as_task *t = w->ready_head;
	if (t) {
		w->ready_head = t->next;
		if (!w->ready_head)
			w->ready_tail = NULL;
	}
	return t;
}

static struct as_task *fresh_pop(struct as_worker *w)
{
	if (!atomic_load_explicit(&w->fresh_n, memory_order_relaxed))
		return NULL;
	as__spin_lock(&w->fresh_lock);
	struct as_task *t = w->fresh_head;
	if (t) {
		w->fresh_head = t->next;
		if (!w->fresh_head)
			w->fresh_tail = NULL;
		atomic_fetch_sub_explicit(&w->fresh_n, 1, memory_order_relaxed);
	}
	as__spin_unlock(&w->fresh_lock);
	return t;
}

static void notify(struct as_worker *w)
{
	/* seq_cst exchange: pairs with the worker's store of `sleeping` before
	 * its last look at the queues. */
	if (atomic_exchange(&w->sleeping, 0))
		as__reactor_notify(w);
}

static void inbox_push(struct as_worker *w, struct as_task *t)
{
	t->next = NULL;
	as__spin_lock(&w->inbox_lock);
	if (w->inbox_tail)
		w->inbox_tail->next = t;
	else
		w->inbox_head = t;
	w->inbox_tail = t;
	atomic_store(&w->inbox_nonempty, 1);
	as__spin_unlock(&w->inbox_lock);
	notify(w);
}

/* Wakes w's waiters on fd; the last worker to do so wakes the closer. */
static void close_note_done(struct as_worker *w, int fd, struct as_closewait *cw)
{
	as__reactor_close_fd(w, fd);
	/* Read before the decrement: once it reaches 0 the closer may return
	 * and cw (on its stack) is gone. */
	struct as_parker *closer = cw->waiter;
	if (atomic_fetch_sub(&cw->pending, 1) == 1)
		as__unpark(closer, AS_WAKE_EVENT);
}

static void inbox_drain(struct as_worker *w)
{
	as__spin_lock(&w->inbox_lock);
	struct as_task *head = w->inbox_head;
	struct as_closenote *notes = w->notes;
	w->inbox_head = w->inbox_tail = NULL;
	w->notes = NULL;
	if (AS_UNLIKELY(w->dump_req)) {
		/* Taken on the worker's own stack by the scheduler loop. */
		w->dump_due = w->dump_req;
		w->dump_req = NULL;
	}
	atomic_store_explicit(&w->inbox_nonempty, 0, memory_order_relaxed);
	as__spin_unlock(&w->inbox_lock);
	while (head) {
		struct as_task *next = head->next;
		ready_push(w, head);
		head = next;
	}
	while (notes) {
		struct as_closenote *next = notes->next;
		close_note_done(w, notes->fd, notes->wait);
		notes = next;
	}
}

void as__dump_post(struct as_worker *w, struct as_dump_req *req)
{
	as__spin_lock(&w->inbox_lock);
	/* Still here from an earlier dump that gave up on w: w never took it,
	 * and never will now. */
	struct as_dump_req *stale = w->dump_req;
	w->dump_req = req;
	atomic_store(&w->inbox_nonempty, 1);
	as__spin_unlock(&w->inbox_lock);
	notify(w);
	if (stale)
		as__dump_req_free(stale);
}

void as__make_runnable(struct as_task *t)
{
	struct as_worker *w = t->worker;
	if (as__tls_worker == w)
		ready_push(w, t);
	else
		inbox_push(w, t);
}

static void wake_idle_worker(void)
{
	if (atomic_load_explicit(&as__rt.nsleeping, memory_order_relaxed) <= 0 ||
	    atomic_load_explicit(&as__rt.nspinning, memory_order_relaxed) > 0)
		return;
	for (unsigned i = 0; i < as__rt.nworkers; i++) {
		struct as_worker *o = &as__rt.workers[i];
		if (atomic_load_explicit(&o->sleeping, memory_order_relaxed)) {
			notify(o);
			return;
		}
	}
}

void as__enqueue_new(struct as_task *t)
{
	struct as_worker *w = as__tls_worker;
	bool remote = !w;
	if (remote)
		w = &as__rt.workers[atomic_fetch_add_explicit(&as__rt.rr, 1, memory_order_relaxed) %
				    as__rt.nworkers];
	if (t->flags & AS_TF_LOCAL) {
		as__task_set_worker(t, w);
		if (remote)
			inbox_push(w, t);
		else
			ready_push(w, t);
		return;
	}
	t->next = NULL;
	as__spin_lock(&w->fresh_lock);
	if (w->fresh_tail)
		w->fresh_tail->next = t;
	else
		w->fresh_head = t;
	w->fresh_tail = t;
	atomic_fetch_add_explicit(&w->fresh_n, 1, memory_order_relaxed);
	as__spin_unlock(&w->fresh_lock);
	if (remote)
		notify(w);
	if (as__rt.nworkers > 1)
		wake_idle_worker();
}

/* Takes a not-yet-started task from another worker. */
static struct as_task *steal(struct as_worker *w)
{
	unsigned n = as__rt.nworkers;
	for (unsigned i = 1; i < n; i++) {
		struct as_worker *o = &as__rt.workers[(w->index + i) % n];
		struct as_task *t = fresh_pop(o);
		if (t)
			return t;
	}
	return NULL;
}

/* Picks the next task to run on w from its own queues. */
static inline struct as_task *pick_local(struct as_worker *w)
{
	struct as_task *t;
	/* Mostly resumed tasks first, but let new ones in every 8th pick so a
	 * yielding loop cannot starve spawns. */
	if (w->ready_head && (++w->tick & 7))
		return ready_pop(w);
	t = fresh_pop(w);
	if (!t)
		t = ready_pop(w);
	if (t && !t->worker)
		as__task_set_worker(t, w);
	return t;
}

/* Picks the next task to run on w; only cheap, local work. */
static struct as_task *pick_next(struct as_worker *w)
{
	if (atomic_load_explicit(&w->inbox_nonempty, memory_order_relaxed))
		inbox_drain(w);
	return pick_local(w);
}

/* Frees what the previous task left behind once we are off its stack. */
static inline void after_switch(struct as_worker *w)
{
	if (AS_UNLIKELY(w->dying_pending)) {
		w->dying_pending = false;
		as__fiber_release(&w->dying);
		if (!w->dying_own_stack)
			as__stack_free(&w->dying_stack);
	}
}

/* The next task to switch to directly, or NULL to go through the scheduler,
 * which it must every SWITCH_BUDGET switches to look at timers and I/O. */
static bool scheduler_due(struct as_worker *w)
{
	w->switches = 0;
	int64_t now = as__now();
	w->clock = now;
	if (now - w->last_poll >= POLL_INTERVAL_NS) {
		w->poll_due = true;
		return true;
	}
	return w->timers.n && w->timers.v[0]->when <= now;
}

static inline struct as_task *next_direct(struct as_worker *w)
{
	if (AS_UNLIKELY(++w->switches >= SWITCH_BUDGET) && scheduler_due(w))
		return NULL;
	if (AS_UNLIKELY(atomic_load_explicit(&w->inbox_nonempty, memory_order_relaxed))) {
		inbox_drain(w);
		/* A dump wants this worker's stacks (only a drain brings one):
		 * the scheduler copies them on the worker's own stack. */
		if (AS_UNLIKELY(w->dump_due))
			return NULL;
	}
	return pick_local(w);
}

void as__task_suspend(void)
{
	struct as_worker *w = as__tls_worker;
	struct as_task *cur = w->cur;
	struct as_task *next = next_direct(w);
	if (next == cur)
		return;
	w->cur = next;
	as__fiber_switch(&cur->fiber, next ? &next->fiber : &w->sched);
	/* A started task always resumes on its own worker: w is still ours. */
	after_switch(w);
}

void as__task_entry(void *arg)
{
	struct as_task *t = arg;
	struct as_worker *w = as__tls_worker;
	after_switch(w);
	atomic_store_explicit(&t->life, AS_LIFE_STARTED, memory_order_relaxed);
	void *r = t->fn(t->arg);
	w = as__tls_worker;
	w->dying = t->fiber;
	w->dying_stack = t->stack;
	w->dying_own_stack = t->own_stack;
	w->dying_pending = true;
	as__task_exit(t, r);
	/* From here on t may belong to a new task: touch only w. */
	struct as_task *next = next_direct(w);
	w->cur = next;
	as__fiber_switch_final(&w->dying, next ? &next->fiber : &w->sched);
}

int as__yield(void)
{
	struct as_worker *w = as__tls_worker;
	if (!w || !w->cur) {
		sched_yield();
		return 0;
	}
	ready_push(w, w->cur);
	as__task_suspend();
	return 0;
}

/* ---- the scheduler loop -------------------------------------------------- */
static void run_task(struct as_worker *w, struct as_task *t)
{
	w->cur = t;
	as__fiber_switch(&w->sched, &t->fiber);
	w->cur = NULL;
	after_switch(w);
}

/* Any not-yet-started task anywhere: a spawner that saw no sleeping worker
 * did not wake anyone, so a worker about to sleep must look itself. */
static bool stealable_work(void)
{
	for (unsigned i = 0; i < as__rt.nworkers; i++)
		if (atomic_load(&as__rt.workers[i].fresh_n))
			return true;
	return false;
}

/* Looks for work, then sleeps in the reactor until a timer, a wake-up or I/O;
 * true when it polled (w->clock is then fresh). */
static bool idle(struct as_worker *w)
{
	atomic_fetch_add(&as__rt.nspinning, 1);
	for (int i = 0; i < IDLE_SPINS && as__rt.nworkers > 1; i++) {
		struct as_task *t = steal(w);
		if (t) {
			atomic_fetch_sub(&as__rt.nspinning, 1);
			as__task_set_worker(t, w);
			run_task(w, t);
			return false;
		}
		as__cpu_relax();
	}
	atomic_fetch_sub(&as__rt.nspinning, 1);

	atomic_fetch_add(&as__rt.nsleeping, 1);
	atomic_store(&w->sleeping, 1);
	/* Look once more after announcing sleep: a push that happened before
	 * it did not notify us. */
	int64_t tmo = w->timers.n ? as__timers_run(w, as__now()) : -1;
	if (atomic_load(&w->inbox_nonempty) || w->ready_head || stealable_work())
		tmo = 0;
	as__reactor_poll(w, tmo);
	w->last_poll = w->clock = as__now();
	w->poll_due = false;
	atomic_store(&w->sleeping, 0);
	atomic_fetch_sub(&as__rt.nsleeping, 1);
	return true;
}

/* Start-up handshake: start() waits until every worker has created its
 * reactor (on its own thread: an io_uring ring with SINGLE_ISSUER must be
 * created by the thread that submits to it) before anything can be queued. */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static unsigned workers_ready;
static int start_error;

static void report_ready(int err)
{
	pthread_mutex_lock(&start_lock);
	if (err && !start_error)
		start_error = err;
	workers_ready++;
	pthread_cond_broadcast(&start_cond);
	pthread_mutex_unlock(&start_lock);
}

static void *worker_main(void *arg)
{
	struct as_worker *w = arg;
	char name[16];

	as__tls_worker = w;
	async_std__thread_ops = &as__ops;
	snprintf(name, sizeof name, "async_std/%u", w->index);
	pthread_setname_np(pthread_self(), name);
	as__fiber_init_thread(&w->sched);
	int r = as__stack_thread_init();
	if (r < 0)
		as__say("worker %u: no alternate signal stack (%s): a task's stack "
			"overflow will not be reported", w->index, strerror(-r));
	r = as__reactor_init(w);
	report_ready(r);
	if (r < 0)
		return NULL;

	/* idle() reads the clock after a poll: the next pass uses that. */
	bool clock_fresh = false;
	for (;;) {
		if (!clock_fresh)
			w->clock = as__now();
		clock_fresh = false;
		if (w->timers.n)
			as__timers_run(w, w->clock);
		/* A busy worker: let I/O in before going on. */
		if (w->poll_due) {
			w->poll_due = false;
			w->last_poll = w->clock;
			as__reactor_poll(w, 0);
		}
		struct as_task *t = pick_next(w);
		if (AS_UNLIKELY(w->dump_due)) {
			struct as_dump_req *req = w->dump_due;
			w->dump_due = NULL;
			as__dump_capture(w, req);
		}
		if (!t && as__rt.nworkers > 1) {
			t = steal(w);
			if (t)
				as__task_set_worker(t, w);
		}
		if (t)
			run_task(w, t);
		else
			clock_fresh = idle(w);
	}
	return NULL;
}

/* ---- start ------------------------------------------------------------- */
static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static _Atomic int started;

static void start(void)
{
	unsigned n = as__config()->threads;
	struct as_worker *ws = calloc(n, sizeof(*ws));
	if (!ws) {
		start_error = -ENOMEM;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		ws[i].index = i;
	as__rt.workers = ws;
	as__rt.nworkers = n;
	unsigned created = 0;
	for (; created < n; created++) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		/* The scheduler loop needs little stack; tasks have their own. */
		pthread_attr_setstacksize(&a, 256 * 1024);
		int r = pthread_create(&ws[created].thread, &a, worker_main, &ws[created]);
		pthread_attr_destroy(&a);
		if (r) {
			if (created == 0) {
				start_error = -EAGAIN;
				return;
			}
			/* Fewer workers than asked: run with what started, say so. */
			as__say("could start only %u of %u workers (%s)", created, n, strerror(r));
			break;
		}
	}
	pthread_mutex_lock(&start_lock);
	while (workers_ready < created)
		pthread_cond_wait(&start_cond, &start_lock);
	pthread_mutex_unlock(&start_lock);
	if (start_error)
		return; /* the workers that did start stay idle */
	if (created != n)
		as__rt.nworkers = created; /* rare: running workers read it */
	atomic_store(&started, 1);
	if (as__config()->traceback_tasks)
		as__fatal_handlers_install();
	if (as__config()->started)
		as__config()->started();
}

bool as__runtime_running(void)
{
	return atomic_load_explicit(&started, memory_order_acquire);
}

int as__runtime_start(void)
{
	if (AS_LIKELY(atomic_load_explicit(&started, memory_order_acquire)))
		return 0;
	pthread_once(&start_once, start);
	return start_error;
}

/* ---- close: wake every worker's waiters on fd ---------------------------- */
/* Waiters per fd across all workers, so that closing an fd nobody waits on
 * costs nothing.  Two levels of chunks that are never freed: readers need no
 * lock.  fds past the table are treated as always waited on. */
#define FDW_CHUNK 4096u
#define FDW_CHUNKS 1024u
static _Atomic int *_Atomic fd_waiting[FDW_CHUNKS];

void as__fd_waiting_add(int fd, int delta)
{
	if (fd < 0 || (unsigned)fd / FDW_CHUNK >= FDW_CHUNKS)
		return;
	_Atomic int *chunk = atomic_load(&fd_waiting[fd / FDW_CHUNK]);
	if (!chunk) {
		_Atomic int *fresh = calloc(FDW_CHUNK, sizeof(*fresh));
		if (!fresh)
			return;
		_Atomic int *expected = NULL;
		if (atomic_compare_exchange_strong(&fd_waiting[fd / FDW_CHUNK], &expected, fresh))
			chunk = fresh;
		else {
			free(fresh);
			chunk = expected;
		}
	}
	atomic_fetch_add(&chunk[fd % FDW_CHUNK], delta);
}

static bool fd_has_waiters(int fd)
{
	if (fd < 0)
		return false;
	if ((unsigned)fd / FDW_CHUNK >= FDW_CHUNKS)
		return true;
	_Atomic int *chunk = atomic_load(&fd_waiting[fd / FDW_CHUNK]);
	return chunk && atomic_load(&chunk[fd % FDW_CHUNK]) > 0;
}

void as__close_broadcast(int fd)
{
	if (!atomic_load(&started) || !fd_has_waiters(fd))
		return;
	unsigned n = as__rt.nworkers;
	struct as_closewait cw = { .pending = (int)n, .waiter = as__self_parker() };
	struct as_closenote *notes = calloc(n, sizeof(*notes));
	if (!notes) {
		/* Degrade: only this worker's waiters are woken. */
		if (as__tls_worker)
			as__reactor_close_fd(as__tls_worker, fd);
		return;
	}
	/* Not cancellable: the notes must outlive every worker's look at them. */
	as__park_prepare(false);
	for (unsigned i = 0; i < n; i++) {
		struct as_worker *w = &as__rt.workers[i];
		notes[i].fd = fd;
		notes[i].wait = &cw;
		if (w == as__tls_worker) {
			close_note_done(w, fd, &cw);
			continue;
		}
		as__spin_lock(&w->inbox_lock);
		notes[i].next = w->notes;
		w->notes = &notes[i];
		atomic_store(&w->inbox_nonempty, 1);
		as__spin_unlock(&w->inbox_lock);
		notify(w);
	}
	while (as__park_wait(-1) != 0 || atomic_load(&cw.pending) > 0)
		as__park_prepare(false);
	free(notes);
}
