/* SPDX-License-Identifier: MIT */
/*
 * sched.c - workers, run queues, work stealing and the scheduler loop.
 *
 * Each worker thread owns a ready queue (started tasks; only it touches it),
 * a fresh queue (tasks not started yet; idle workers may steal from it) and
 * an inbox (messages from other threads: wake-ups, closes, dumps; see
 * core.h).  A started task never moves to another thread, because compilers
 * cache TLS addresses such as errno's across calls.  Tasks switch to each
 * other directly; every few switches, or when nothing is runnable, control
 * goes back to the worker's own stack, which runs timers, polls the reactor
 * and handles the messages that need that stack.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "reactor.h"
#include "xrt.h"

/* Every SWITCH_BUDGET direct task-to-task switches a busy worker reads the
 * clock; it goes back to the scheduler when a timer is due or I/O has not
 * been polled for POLL_INTERVAL_NS.  A poll is a system call (~0.5-1 us), so
 * polling on every 61st switch cost yield ~10%; 50 us bounds the latency a
 * busy worker adds to I/O while keeping that cost near zero. */
#define SWITCH_BUDGET 61u
#define POLL_INTERVAL_NS 50000

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
		else
			/* The next one's saved registers: with many tasks, each
			 * switch lands on a stack that is out of the cache. */
			__builtin_prefetch(w->ready_head->fiber.sp);
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

/* The owner's next new task: the slot, then the fresh queue (the slot is
 * only filled while the queue is empty, so this is spawn order). */
static inline struct as_task *fresh_next(struct as_worker *w)
{
	struct as_task *t = atomic_load_explicit(&w->slot, memory_order_relaxed);
	if (t) {
		if (as__rt.nworkers == 1) /* no thief: no atomic swap needed */
			atomic_store_explicit(&w->slot, NULL, memory_order_relaxed);
		else
			t = atomic_exchange_explicit(&w->slot, NULL, memory_order_acquire);
		if (t)
			return t; /* NULL: a thief took it meanwhile */
	}
	return fresh_pop(w);
}

static void notify(struct as_worker *w)
{
	/* seq_cst exchange: pairs with the worker's store of `sleeping` before
	 * its last look at the queues. */
	if (atomic_exchange(&w->sleeping, 0))
		as__reactor_notify(w);
}

void as__inbox_post(struct as_worker *w, struct as_msg *m)
{
	m->next = NULL;
	as__spin_lock(&w->inbox_lock);
	if (w->inbox_tail)
		w->inbox_tail->next = m;
	else
		w->inbox_head = m;
	w->inbox_tail = m;
	atomic_store(&w->inbox_nonempty, 1);
	as__spin_unlock(&w->inbox_lock);
	notify(w);
}

/* A task of this worker made runnable by another thread. */
static void wake_handle(struct as_worker *w, struct as_msg *m)
{
	ready_push(w, AS_CONTAINER_OF(m, struct as_task, wake));
}

static const struct as_msg_kind wake_kind = { .handle = wake_handle };

/* Handles what other threads posted, in order; true when a message waits
 * for the scheduler loop (w->deferred). */
static bool inbox_drain(struct as_worker *w)
{
	as__spin_lock(&w->inbox_lock);
	struct as_msg *m = w->inbox_head;
	w->inbox_head = w->inbox_tail = NULL;
	atomic_store_explicit(&w->inbox_nonempty, 0, memory_order_relaxed);
	as__spin_unlock(&w->inbox_lock);
	bool deferred = false;
	while (m) {
		/* Read first: a handled message may be freed by its poster. */
		struct as_msg *next = m->next;
		if (AS_UNLIKELY(m->kind->on_sched_stack)) {
			struct as_msg **end = &w->deferred;
			while (*end)
				end = &(*end)->next;
			m->next = NULL;
			*end = m;
			deferred = true;
		} else {
			m->kind->handle(w, m);
		}
		m = next;
	}
	return deferred;
}

/* The scheduler loop, on the worker's own stack: the deferred messages. */
static void deferred_run(struct as_worker *w)
{
	struct as_msg *m = w->deferred;
	w->deferred = NULL;
	while (m) {
		struct as_msg *next = m->next;
		m->kind->handle(w, m);
		m = next;
	}
}

void as__make_runnable(struct as_task *t)
{
	struct as_worker *w = t->worker;
	if (as__tls_worker == w) {
		ready_push(w, t);
	} else {
		t->wake.kind = &wake_kind;
		as__inbox_post(w, &t->wake);
	}
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
	if (t->local) {
		as__task_set_worker(t, w);
		as__make_runnable(t);
		return;
	}
	t->next = NULL;
	if (!remote && !atomic_load_explicit(&w->slot, memory_order_relaxed) &&
	    !atomic_load_explicit(&w->fresh_n, memory_order_relaxed)) {
		/* The spawner's only new task: most often it blocks soon (a
		 * join) and this worker runs the task at once, cache-hot, with
		 * no other worker involved.  Idle workers are still told: a
		 * spinning one may take it (steal_slot). */
		atomic_store_explicit(&w->slot, t, memory_order_release);
		if (as__rt.nworkers > 1)
			wake_idle_worker();
		return;
	}
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

/* A spinning worker looks at the other workers' slots only every
 * SLOT_LOOK_NS, and takes what it finds.  A spawn that is joined at once
 * (the window between the two is tens of nanoseconds) is rarely taken, so
 * it runs on its spawner's worker, cache-hot, with no hand-over; a task
 * whose spawner goes on for microseconds (an accept loop's next accept, a
 * computation) is taken about as often as the spawner's own work lasts
 * longer than the look interval, so new long-lived tasks still spread to
 * idle workers, which matters because a started task never moves. */
#define SLOT_LOOK_NS 2000

static struct as_task *steal_slot(struct as_worker *w)
{
	unsigned n = as__rt.nworkers;
	for (unsigned i = 1; i < n; i++) {
		struct as_worker *o = &as__rt.workers[(w->index + i) % n];
		struct as_task *t = atomic_load_explicit(&o->slot, memory_order_relaxed);
		if (t && atomic_compare_exchange_strong_explicit(&o->slot, &t, NULL,
								 memory_order_acquire,
								 memory_order_relaxed))
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
	t = fresh_next(w);
	if (!t)
		t = ready_pop(w);
	if (t && !t->worker)
		as__task_set_worker(t, w);
	return t;
}

/* The scheduler loop's pick: the inbox first, and the messages that wait
 * for this stack. */
static struct as_task *pick_next(struct as_worker *w)
{
	if (atomic_load_explicit(&w->inbox_nonempty, memory_order_relaxed))
		inbox_drain(w);
	if (AS_UNLIKELY(w->deferred))
		deferred_run(w);
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
	return w->timers.n && w->timers.v[0].when <= now;
}

static inline struct as_task *next_direct(struct as_worker *w)
{
	if (AS_UNLIKELY(++w->switches >= SWITCH_BUDGET) && scheduler_due(w))
		return NULL;
	/* A message that needs the worker's own stack sends us there. */
	if (AS_UNLIKELY(atomic_load_explicit(&w->inbox_nonempty, memory_order_relaxed)) &&
	    inbox_drain(w))
		return NULL;
	return pick_local(w);
}

void as__task_suspend(void)
{
	struct as_worker *w = as__tls_worker;
	struct as_task *cur = w->cur;
	struct as_task *next = next_direct(w);
	if (next == cur)
		return;
	as__set_cur(w, next);
	as__fiber_switch(&cur->fiber, next ? &next->fiber : &w->sched);
	/* A started task always resumes on its own worker: w is still ours. */
	after_switch(w);
}

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static _Atomic int started;
static int start_error;

/* ---- fork ----------------------------------------------------------------- */
/* The workers do not survive fork(): in the child, the thread that forked
 * (a task, or a plain thread) goes on alone.  It becomes a plain thread, the
 * runtime counts as not running (close broadcasts nothing, waits use poll
 * and futex), and starting it fails with ENOTSUP, said once. */
static _Atomic int forked_child;
static _Atomic int start_error_said;

static void fork_child(void)
{
	as__tls_worker = NULL;
	atomic_store(&forked_child, 1);
	start_error = -ENOTSUP;
	atomic_store(&started, 0);
}

/* The task that forked returned in the child: there is no scheduler to go
 * back to. */
static void fork_child_task_returned(void)
{
	as__say("a task returned in a forked child, which has no runtime to return to: "
		"the child exits with status 1 (end a forked child with _exit or exec)");
	_exit(1);
}

void as__task_entry(void *arg)
{
	struct as_task *t = arg;
	struct as_worker *w = as__tls_worker;
	after_switch(w);
	atomic_store_explicit(&t->life, AS_LIFE_STARTED, memory_order_relaxed);
	void *r = t->fn(t->arg);
	w = as__tls_worker;
	if (AS_UNLIKELY(!w))
		fork_child_task_returned();
	w->dying = t->fiber;
	w->dying_stack = t->stack;
	w->dying_own_stack = t->own_stack;
	w->dying_pending = true;
	as__task_exit(t, r);
	/* From here on t may belong to a new task: touch only w. */
	struct as_task *next = next_direct(w);
	as__set_cur(w, next);
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

void as__coop_yield(struct as_worker *w)
{
	w->coop_left = AS_COOP_BUDGET;
	if (w->cur)
		as__yield();
}

/* ---- the scheduler loop -------------------------------------------------- */
static void run_task(struct as_worker *w, struct as_task *t)
{
	as__set_cur(w, t);
	as__fiber_switch(&w->sched, &t->fiber);
	as__set_cur(w, NULL);
	after_switch(w);
}

/* Any not-yet-started task anywhere: a spawner that saw no sleeping worker
 * did not wake anyone, so a worker about to sleep must look itself. */
static bool stealable_work(void)
{
	for (unsigned i = 0; i < as__rt.nworkers; i++)
		if (atomic_load(&as__rt.workers[i].fresh_n) || atomic_load(&as__rt.workers[i].slot))
			return true;
	return false;
}

/* Before it sleeps, an idle worker spins while another worker is awake:
 * that one may hand it a task any moment, and waking a sleeper costs a
 * system call on the waker's side and, on a virtual machine, tens of
 * microseconds until the vCPU runs (a cross-worker channel round trip took
 * 17-75 us).  A spinning worker is not `sleeping`, so a wake-up for it is a
 * queue push and nothing else.  It polls its reactor every SPIN_POLL_NS, so
 * I/O waits at most that long, and gives up after IDLE_SPIN_NS.  When every
 * other worker sleeps nothing spins: an idle process costs no CPU. */
#define IDLE_SPIN_NS 30000
#define SPIN_POLL_NS 3000

static bool worth_spinning(struct as_worker *w)
{
	return as__rt.nworkers > 1 &&
	       atomic_load_explicit(&as__rt.nsleeping, memory_order_relaxed) <
		       (int)as__rt.nworkers - 1;
}

/* true when w has work (in its inbox or ready queue, or a task it stole and
 * ran); false when it should sleep. */
static bool spin(struct as_worker *w)
{
	int64_t start = as__now(), last_poll = start;
	int64_t last_slot_look = start;
	bool found = false;
	struct as_task *stolen = NULL;
	atomic_fetch_add(&as__rt.nspinning, 1);
	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(&w->inbox_nonempty, memory_order_relaxed) || w->ready_head) {
			found = true;
			break;
		}
		if ((stolen = steal(w)))
			break;
		as__cpu_relax();
		if (i % 16)
			continue;
		int64_t now = as__now();
		if (now - last_slot_look >= SLOT_LOOK_NS) { /* not at every look */
			last_slot_look = now;
			if ((stolen = steal_slot(w)))
				break;
		}
		if (now - start >= IDLE_SPIN_NS || !worth_spinning(w))
			break;
		if (now - last_poll >= SPIN_POLL_NS) {
			/* The next pass looks at what it made ready. */
			w->clock = last_poll = w->last_poll = now;
			as__reactor_poll(w, 0);
		}
	}
	atomic_fetch_sub(&as__rt.nspinning, 1);
	if (stolen) {
		as__task_set_worker(stolen, w);
		run_task(w, stolen);
		return true;
	}
	return found;
}

/* Looks for work, then sleeps in the reactor until a timer, a wake-up or I/O;
 * true when it polled (w->clock is then fresh). */
static bool idle(struct as_worker *w)
{
	if (worth_spinning(w) && spin(w))
		return false;
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
	async_std__thread_ops = &as__fwd_ops;
	/* The bound runtime's are async_std/N; another runtime's are named
	 * after it (gcd/N), for top, gdb and dumps. */
	if (as__bound)
		snprintf(name, sizeof name, "async_std/%u", w->index);
	else
		snprintf(name, sizeof name, "%.9s/%u", AS_RUNTIME_NAME, w->index);
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
	/* Into the process's table of runtimes before any task exists: its
	 * tag goes into every handle and parker. */
	int reg = as__xrt_register(n);
	if (reg < 0) {
		free(ws);
		start_error = reg;
		return;
	}
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
	pthread_atfork(NULL, NULL, fork_child);
	atomic_store(&started, 1);
	as__sigpipe_install();
	if (as__config()->traceback_tasks)
		as__fatal_handlers_install();
	as__stall_watch_start();
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
	if (AS_UNLIKELY(atomic_load(&forked_child)) && !atomic_exchange(&start_error_said, 1))
		as__say("the runtime's workers do not survive fork(): in this child, calls run "
			"as a plain thread's and spawning fails with ENOTSUP");
	return start_error;
}
