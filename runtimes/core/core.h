/* SPDX-License-Identifier: MIT */
/*
 * core.h - the machinery every runtime shares: tasks, workers, parking,
 * timers and the blocking pool.  A runtime adds a reactor (reactor.h) and its
 * I/O entry points; everything here is private (hidden) to the runtime object.
 *
 * Error convention inside core: functions return 0 / a value >= 0, or a
 * negative errno.  Only the ABI entry points turn that into -1 + errno.
 */
#ifndef AS_CORE_H
#define AS_CORE_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "async_std.h"
#include "fiber.h"
#include "say.h"
#include "stack.h"

#define AS_LIKELY(x) __builtin_expect(!!(x), 1)
#define AS_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The struct of `type` whose `member` ptr points at. */
#define AS_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Makes an internal function's value the ABI's: -1 and errno for r < 0. */
static inline long as__ret(long r)
{
	if (AS_UNLIKELY(r < 0)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ns (>= 0) as a struct timespec: a duration, or a CLOCK_MONOTONIC time. */
static inline struct timespec as__timespec_from_ns(int64_t ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
}

static inline void as__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* ---- spin lock (short critical sections only, never held across a switch) */
typedef struct { atomic_flag f; } as_spin;
#define AS_SPIN_INIT { ATOMIC_FLAG_INIT }
static inline void as__spin_lock(as_spin *s)
{
	while (atomic_flag_test_and_set_explicit(&s->f, memory_order_acquire))
		as__cpu_relax();
}
static inline void as__spin_unlock(as_spin *s)
{
	atomic_flag_clear_explicit(&s->f, memory_order_release);
}

/* ---- parking ---------------------------------------------------------- */
/*
 * A parker is what a waiter sleeps on: a task (switches away) or a plain
 * thread (futex).  state = phase | cancellable << 2 | reason << 4.  The
 * first waker to move the phase from WAIT/PARKED to WOKEN wins and decides
 * the reason; every other waker is a no-op.  So a waiter registers itself
 * with its wakers after as__park_prepare() and deregisters after
 * as__park_wait() returns.
 */
enum { AS_PK_IDLE = 0, AS_PK_WAIT = 1, AS_PK_PARKED = 2, AS_PK_WOKEN = 3 };
enum { AS_WAKE_EVENT = 1, AS_WAKE_TIMEOUT = 2, AS_WAKE_CANCEL = 3 };

struct as_task;
struct as_worker;

/* ---- inbox messages: requests from other threads to a worker ------------ */
/*
 * Another thread asks a worker for something (make a task of it runnable,
 * wake its waiters on a closing fd, copy its tasks for a dump) by posting a
 * message to the worker's inbox; the worker handles it on its own thread the
 * next time it looks, between two tasks or in its scheduler loop.  A message
 * is embedded in what it is about (the task, the close, the dump request), so
 * posting never allocates.  Its kind says how it is handled, and the kinds
 * are defined where they are posted: a new one (a task of another runtime, a
 * function to run on that worker) is a new struct as_msg_kind, while the
 * scheduler's hot path only ever looks at inbox_nonempty.
 */
struct as_msg;
struct as_msg_kind {
	/* Runs on the worker m was posted to and must not suspend; m may be
	 * gone once it returns (its poster may free it). */
	void (*handle)(struct as_worker *w, struct as_msg *m);
	/* Run it only from the scheduler loop, on the worker's own stack, where
	 * every task of the worker is suspended (a dump copies their stacks);
	 * else it runs as soon as the worker drains its inbox. */
	bool on_sched_stack;
};
struct as_msg {
	struct as_msg *next;
	const struct as_msg_kind *kind;
};
/* Posts m to worker w, waking w if it sleeps (any thread; m stays valid
 * until handled). */
void as__inbox_post(struct as_worker *w, struct as_msg *m);

struct as_parker {
	_Atomic uint32_t state;
	uint32_t rt;          /* the owner runtime's tag (xrt.h) */
	struct as_task *task; /* NULL: a plain thread, futex on state */
};

/* Arms the calling task's (or thread's) parker.  Returns 0, or -ECANCELED
 * when cancellable and the task is already cancelled. */
int as__park_prepare(bool cancellable);
/* Sleeps until woken or `deadline` (< 0: none).  Returns 0 (woken by an
 * event), -ETIMEDOUT or -ECANCELED. */
int as__park_wait(int64_t deadline);
/* Wakes p with `reason`; false if it was not waiting (or it was a cancel and
 * the wait is not cancellable). */
bool as__unpark(struct as_parker *p, int reason);
/* The calling task's or plain thread's parker. */
struct as_parker *as__self_parker(void);

/* ---- tasks ------------------------------------------------------------ */
enum {
	AS_TF_DETACHED = 1u << 1,
	AS_TF_JOINED = 1u << 2,    /* a joiner took (or is taking) the result */
	AS_TF_DONE = 1u << 3,
};

struct as_task {
	struct as_fiber fiber;
	struct as_task *next;       /* run queue / free list link */
	struct as_worker *worker;   /* owner; fixed once the task has started */
	struct as_parker parker;
	/* Bumped when its timer is armed, fires or is disarmed; never reset,
	 * so a stale heap entry never matches a later use of the slot.
	 * Written by the owner worker; another worker's stale entry may read
	 * it after the slot was reused (relaxed atomic, never matches). */
	_Atomic uint32_t timer_seq;
	as_spin lock;               /* flags, joiner, gen */
	unsigned flags;
	bool own_stack;             /* caller-provided stack: not ours to free;
	                               fixed at spawn, read without the lock */
	bool local;                 /* ASYNC_STD_SPAWN_LOCAL, the same way: the
	                               enqueue reads it while a joiner may
	                               already change flags (a gcd serial item
	                               is queued after its handle is out) */
	uint32_t gen;               /* handle generation, bumped on release */
	uint32_t slot;
	_Atomic int cancelled;
	int64_t deadline;           /* absolute ns, -1: none */
	async_std_fn fn;
	void *arg;
	void *result;
	struct as_parker *joiner;
	struct as_stack stack;
	uint64_t id;
	char name[32];
	/* For task dumps (dump.c); written by the owner, read racily by dumps. */
	_Atomic unsigned char life; /* AS_LIFE_* */
	const char *wait_reason;    /* what the wait is, set by join and sync waits */
	const char *wait_call;      /* else: the ABI call it parked in */
	int64_t wait_since;         /* worker clock when it last parked */
	struct async_std_group *group; /* the task group it runs in (sync_group.c) */
	/* Posted to its worker's inbox when another thread wakes it (kept out
	 * of the fields a switch touches). */
	struct as_msg wake;
};

/* Where a task is in its life, for dumps.  A slot is FREE in the free lists. */
enum { AS_LIFE_FREE = 0, AS_LIFE_NEW, AS_LIFE_STARTED, AS_LIFE_DONE };
/* Calls fn for every task slot ever allocated (FREE ones too); the caller
 * reads each racily and must re-check what it relies on. */
void as__task_slots_each(void (*fn)(struct as_task *t, void *arg), void *arg);

/* A task's owner is set once, when it starts (or is queued LOCAL); task
 * dumps read it from other threads, hence the (free) relaxed atomics. */
static inline void as__task_set_worker(struct as_task *t, struct as_worker *w)
{
	__atomic_store_n(&t->worker, w, __ATOMIC_RELAXED);
}
static inline struct as_worker *as__task_worker_racy(const struct as_task *t)
{
	return __atomic_load_n(&t->worker, __ATOMIC_RELAXED);
}

struct as_task *as__task_from_handle(async_std_task *h);
async_std_task *as__task_handle(const struct as_task *t);
/* The first frame of every task's fiber. */
void as__task_entry(void *arg);
/* A task's body returned r: publish it, wake the joiner (or retire a
 * detached task).  t may be reused as soon as this returns. */
void as__task_exit(struct as_task *t, void *r);
/* The calling task's or thread's deadline, -1 if none. */
int64_t as__deadline(void);
/* -ECANCELED / -ETIMEDOUT when the caller may not block any more, else 0. */
int as__check_interrupt(void);
/* The cooperative budget, as tokio's: a task whose calls keep completing at
 * once (data always ready, or an error such as EMFILE in an accept loop)
 * yields after AS_COOP_BUDGET of them, so the other tasks on its worker run
 * and its timers and I/O are looked at.  A task that really waits gets a
 * fresh budget (park.c); the counter is the worker's, as only one task runs
 * on it at a time.  Called on entry, never with a lock held. */
#define AS_COOP_BUDGET 128
void as__coop_yield(struct as_worker *w);

/* The entry of every ABI call that may block, in either runtime: returns -1
 * with ECANCELED or ETIMEDOUT when the caller may not block any more, and
 * spends one unit of the cooperative budget. */
#define AS_ENTER()                                   \
	do {                                         \
		int e_ = as__check_interrupt();      \
		if (AS_UNLIKELY(e_ < 0))             \
			return as__ret(e_);          \
		as__coop_tick();                     \
	} while (0)

/* ---- configuration: core reads no environment itself ------------------- */
struct as_config {
	unsigned threads;           /* workers */
	size_t stack_size;          /* default task stack */
	bool traceback_tasks;       /* fatal signals also dump every task */
	unsigned stall_ms;          /* report a task holding its worker this long; 0: off */
	void (*started)(void);      /* called once the workers run, or NULL */
};
/* Supplied by the runtime (from the shim's settings table). */
const struct as_config *as__config(void);

/* ---- workers and scheduling --------------------------------------------- */
struct as_reactor; /* the runtime's, see reactor.h */
/* A heap entry: the deadline, its task and the task's timer_seq when it was
 * armed.  The heap never writes to the task as entries move (with 50,000
 * sleepers, each such store was a cache miss), so it cannot find an entry
 * by task: a disarmed timer stays in as a stale entry, known by its seq, until
 * it reaches the top or a compaction drops it (timer.c). */
struct as_timer_slot {
	int64_t when;
	struct as_task *t;
	uint32_t seq;
};
struct as_timer_heap {
	struct as_timer_slot *v;
	size_t n, cap;
	size_t stale;               /* entries whose timer was disarmed */
};

/* fds per chunk of a worker's waiter table, and chunks (close.c). */
#define AS_FDW_CHUNK 4096u
#define AS_FDW_CHUNKS 1024u

struct as_worker {
	struct as_fiber sched;          /* the worker thread's own stack */
	struct as_task *cur;
	struct as_task *ready_head, *ready_tail; /* owner only */
	unsigned ready_n;
	/* The task that just finished: its fiber and stack are released by the
	 * next context, once nothing runs on them (copies: the task struct may
	 * already be reused by then). */
	struct as_fiber dying;
	struct as_stack dying_stack;
	bool dying_pending, dying_own_stack;
	unsigned switches;              /* direct switches since the last clock read */
	bool poll_due;                  /* the scheduler polls I/O before going on */
	int64_t last_poll;              /* as__now() of the last reactor poll */
	unsigned tick;
	/* A not-yet-started task a task of this worker spawned while the fresh
	 * queue was empty (sched.c): run here first when the spawner blocks;
	 * a spinning worker takes it only at its looks every SLOT_LOOK_NS.
	 * Filled by the owner; emptied by the owner or a thief's CAS. */
	struct as_task *_Atomic slot;
	/* Not-yet-started tasks: may be stolen by an idle worker. */
	as_spin fresh_lock;
	struct as_task *fresh_head, *fresh_tail;
	_Atomic unsigned fresh_n;
	/* Messages from other threads (as__inbox_post), and those drained
	 * that wait for the scheduler loop (owner only). */
	as_spin inbox_lock;
	struct as_msg *inbox_head, *inbox_tail;
	_Atomic int inbox_nonempty;
	struct as_msg *deferred;
	_Atomic int sleeping;           /* blocked in the reactor: notify it */
	struct as_timer_heap timers;
	struct as_reactor *reactor;
	unsigned index;
	pthread_t thread;
	/* The last clock reading the worker made (scheduler, idle): what a
	 * parking task records as the start of its wait, without a clock read
	 * of its own on the hot path. */
	int64_t clock;
	/* Calls left before the running task yields (as__coop_tick). */
	int coop_left;
	/* Switches so far (as__set_cur): the stall watchdog's sign of life. */
	_Atomic unsigned long nswitch;
	/* This worker's waiters per fd (close.c): written by the owner,
	 * read by a closer on any thread. */
	_Atomic int *_Atomic fd_waiting[AS_FDW_CHUNKS];
};

struct as_runtime {
	struct as_worker *workers;
	unsigned nworkers;
	_Atomic unsigned rr;        /* round-robin for spawns from plain threads */
	_Atomic int nsleeping;
	_Atomic int nspinning;
};
extern struct as_runtime as__rt;

extern __thread struct as_worker *as__tls_worker __attribute__((tls_model("initial-exec")));

static inline void as__coop_tick(void)
{
	struct as_worker *w = as__tls_worker;
	if (w && AS_UNLIKELY(--w->coop_left < 0))
		as__coop_yield(w);
}
/* What w runs: a release store (a plain mov on x86), so a dump on another
 * thread can name the task that holds a worker that does not pause. */
static inline void as__set_cur(struct as_worker *w, struct as_task *t)
{
	__atomic_store_n(&w->cur, t, __ATOMIC_RELEASE);
	atomic_store_explicit(&w->nswitch,
			      atomic_load_explicit(&w->nswitch, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}
/* Starts fn(NULL) on a detached helper thread named `name` that takes no
 * signals (thread.c); 0 or the pthread_create error. */
int as__helper_thread_start(void *(*fn)(void *), const char *name);
/* ASYNC_STD_STALL_MS's watchdog thread (stall.c), when the setting is on. */
void as__stall_watch_start(void);
/* The running task, or NULL on a plain thread. */
static inline struct as_task *as__current(void)
{
	struct as_worker *w = as__tls_worker;
	return w ? w->cur : NULL;
}

/* Starts the workers on first use; 0 or -errno. */
int as__runtime_start(void);
struct as_worker *as__worker(void);     /* the calling thread's, or NULL */
/* Whether the workers have started (then as__rt is fixed). */
bool as__runtime_running(void);
/* Makes a parked, started task runnable again (any thread). */
void as__make_runnable(struct as_task *t);
/* Queues a new task (any thread): it may run, end and be reused at once. */
void as__enqueue_new(struct as_task *t);
/* A task made but not queued (task.c): spawn is create, then enqueue, so a
 * queue that orders its items can make one before it lets it run.  NULL and
 * errno (EINVAL, ENOMEM, the runtime's start error) on failure. */
struct as_task *as__task_create(async_std_fn fn, void *arg, const async_std_spawn_attr *attr);
/* Gives back a task created and never queued (its handle goes stale). */
void as__task_discard(struct as_task *t);
/* Suspends the running task; something must make it runnable again. */
void as__task_suspend(void);
/* Wakes fd waiters with EBADF on every worker that has some; waits until
 * each has done it (close.c). */
void as__close_broadcast(int fd);
/* This runtime's waiters on fd (its workers and blocking pool), woken with
 * EBADF; as__close_wake does that for every runtime of the process. */
void as__close_local(int fd);
void as__close_wake(int fd);
/* This runtime's part of a task dump, from a plain thread (dump.c). */
int as__dump_section(int fd, unsigned flags);
/* A crash on one of this runtime's threads (or a plain one): the line and
 * this runtime's section (dump_fatal.c). */
void as__fatal_section(int sig, const void *uc);
/* async_std_group_spawn with another way to start the member (gcd: as an
 * item of a queue): spawn(fn, arg, ctx) returns a handle of a task that
 * runs fn(arg), or NULL with errno.  0 or -errno. */
int as__group_spawn_with(async_std_group *g, async_std_fn fn, void *arg,
			 async_std_task *(*spawn)(async_std_fn, void *, void *), void *ctx);
/* Reactors count their waiters per fd on the calling worker, so that close
 * asks only the workers that have some. */
void as__fd_waiting_add(int fd, int delta);

/* ---- timers (per worker, owner thread only) ------------------------------ */
/* Arms t's one timer for `when` on w (t's worker) and returns its seq, or 0
 * when it could not (out of memory) and t was woken with a timeout instead.
 * Disarm with that seq once the wait is over; a timer that fired is already
 * gone, and disarming it does nothing. */
uint32_t as__timer_arm(struct as_worker *w, struct as_task *t, int64_t when);
void as__timer_disarm(struct as_worker *w, struct as_task *t, uint32_t seq);
/* Fires expired timers; returns ns until the next one, or -1 if none. */
int64_t as__timers_run(struct as_worker *w, int64_t now);
int64_t as__now(void);

/* ---- blocking pool ------------------------------------------------------- */
struct as_job {
	void (*run)(struct as_job *);
	struct as_job *next;
	_Atomic int state;          /* queued, running, done */
	pthread_t thread;           /* valid while running */
	struct as_parker *waiter;
	int interrupted;            /* -ETIMEDOUT/-ECANCELED if a deadline or a
	                               cancel tried to stop it while it ran */
	int fd;                     /* the fd it works on, or -1 */
	bool closing;               /* interrupted because fd is being closed */
	struct as_job *run_next, *run_prev; /* running jobs, for close */
};
/* Interrupts every running job on fd (it is being closed) and waits until
 * none runs any more. */
void as__blocking_close_fd(int fd);
/* Runs job on a pool thread and waits until it has ended.  interruptible:
 * on deadline or cancellation, interrupt the job's system call with a signal
 * (it then fails with EINTR) and still wait for the job to end.  Returns 0
 * when the job ran (see job->interrupted), or -ETIMEDOUT/-ECANCELED when it
 * never started, -EAGAIN when no pool thread could be started. */
int as__blocking_run(struct as_job *job, bool interruptible);

/* ---- internal implementations of the ABI (as__<name>) --------------------- */
#define AS_DECLARE(major, minor, ret, name, params, args) ret as__##name params;
#include "abi_list.h"
AS_ABI_FUNCTIONS(AS_DECLARE)
#undef AS_DECLARE

extern const struct async_std_ops as__ops;
/* The table this runtime's workers put in async_std__thread_ops: the same
 * entry points, each recording its wait name first, as the export would. */
extern const struct async_std_ops as__fwd_ops;
const struct async_std_ops *as__runtime_find(const char *name);

/* The ABI call the calling thread is in, when it may suspend (exports.c). */
extern __thread const char *as__tls_call __attribute__((tls_model("initial-exec")));

/* ---- lengths ------------------------------------------------------------ */
/* The most one read or write moves: the kernel's MAX_RW_COUNT, to which
 * read(2) and write(2) clamp their count.  Every runtime clamps to it, so a
 * length of 4 GiB or more means the same everywhere (io_uring's lengths are
 * 32 bits: unclamped, 0x100000000 would become 0). */
#define AS_MAX_RW ((size_t)0x7ffff000)
static inline size_t as__rw_len(size_t n)
{
	return n > AS_MAX_RW ? AS_MAX_RW : n;
}

/* ---- SIGPIPE (sigpipe.c) --------------------------------------------------- */
/* Installs, once, the handler that turns a marked thread's SIGPIPE into
 * EPIPE (only when SIGPIPE is at its default action; the runtime's start
 * calls it, and so does every write that can raise the signal). */
void as__sigpipe_install(void);
/* Non-zero while the thread is in a system call whose SIGPIPE is ours. */
extern __thread int async_std__epipe_ok __attribute__((tls_model("initial-exec")));
/* Evaluates the system call `expr` with the thread marked, so that a
 * SIGPIPE it raises makes it fail with EPIPE instead of killing the process.
 * Nests; errno is the call's. */
#define AS_EPIPE_OK(expr)                                                     \
	({                                                                    \
		int prev_ = async_std__epipe_ok;                                 \
		async_std__epipe_ok = 1;                                         \
		__typeof__(expr) r_ = (expr);                                 \
		async_std__epipe_ok = prev_;                                     \
		r_;                                                           \
	})

/* ---- task dumps (dump.c; the workers' part: dump.h) ------------------------ */
/* A dump to fd from a fatal signal's handler (uc: its context), without
 * suspending anything (dump.c). */
void as__dump_fatal(int fd, const void *uc);
/* ASYNC_STD_TRACEBACK=tasks: handlers for fatal signals (dump_fatal.c). */
void as__fatal_handlers_install(void);
/* Whether a fatal signal should dump every task (stack.c asks). */
void as__fatal_dump(int sig, const void *uc);

#endif
