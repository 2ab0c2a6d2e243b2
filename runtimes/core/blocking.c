/* SPDX-License-Identifier: MIT */
/*
 * blocking.c - the blocking pool: threads that run what would block a worker
 * (regular-file I/O on the epoll runtime, getaddrinfo, async_std_run_blocking).
 *
 * A job's memory belongs to its waiter, so the waiter never returns before
 * the job has ended: a deadline or a cancel interrupts the job's system call
 * with a signal (SIGURG, ignored by default, as Go uses it) and then waits.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Pool threads at most; a job waits for a free one beyond that. */
#define POOL_MAX 64u
/* How often an interrupt is re-sent while a job has not noticed it (it may
 * not have entered its system call yet when the first one arrived). */
#define INTERRUPT_RETRY_NS 1000000

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static struct as_job *queue_head, *queue_tail;
static struct as_job *running;          /* jobs on a pool thread now */
static _Atomic unsigned nrunning;       /* lets close skip the lock */
static _Atomic unsigned nqueued;        /* jobs waiting for a pool thread */
static unsigned nthreads, nidle;

static void on_interrupt(int sig)
{
	(void)sig; /* only there to make a blocking system call return EINTR */
}

/* Installs the interrupt handler unless the application has one of its own
 * on SIGURG: then its handler interrupts the call just as well. */
static void install_interrupt(void)
{
	struct sigaction old, sa;
	if (sigaction(SIGURG, NULL, &old) == 0 &&
	    (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN) &&
	    !(old.sa_flags & SA_SIGINFO)) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_interrupt;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0; /* no SA_RESTART: the call must return EINTR */
		sigaction(SIGURG, &sa, NULL);
	}
}

static void *pool_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "async_std/pool");
	/* The interrupt must get through even if the application blocks
	 * SIGURG (it inherits the creator's mask); every other signal is for
	 * the application's threads, not ours. */
	sigset_t mask;
	sigfillset(&mask);
	sigdelset(&mask, SIGURG);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		while (!queue_head) {
			nidle++;
			pthread_cond_wait(&pool_cond, &pool_lock);
			nidle--;
		}
		struct as_job *job = queue_head;
		queue_head = job->next;
		if (!queue_head)
			queue_tail = NULL;
		atomic_fetch_sub(&nqueued, 1);
		if (job->closing) {
			/* Its fd was closed while it waited: never run it on
			 * whatever file now has that number. */
			atomic_store(&job->state, JOB_DONE);
			as__unpark(job->waiter, AS_WAKE_EVENT);
			continue;
		}
		job->thread = pthread_self();
		atomic_store(&job->state, JOB_RUNNING);
		job->run_prev = NULL;
		job->run_next = running;
		if (running)
			running->run_prev = job;
		running = job;
		atomic_fetch_add(&nrunning, 1);
		pthread_mutex_unlock(&pool_lock);

		job->run(job);

		pthread_mutex_lock(&pool_lock);
		if (job->run_prev)
			job->run_prev->run_next = job->run_next;
		else
			running = job->run_next;
		if (job->run_next)
			job->run_next->run_prev = job->run_prev;
		atomic_fetch_sub(&nrunning, 1);
		atomic_store(&job->state, JOB_DONE);
		/* Wake under the lock: a waiter that timed out checks the state
		 * under it too, so it cannot return before this wake-up is done. */
		as__unpark(job->waiter, AS_WAKE_EVENT);
	}
	return NULL;
}

/* Under pool_lock. */
static int ensure_thread(void)
{
	static bool installed;
	/* An idle thread counts down only once it wakes: jobs queued in a burst
	 * each need one of their own, or a pipe reader queued first could hold
	 * the only thread while the writer it waits for sits in the queue. */
	if (nidle > atomic_load(&nqueued) || nthreads >= POOL_MAX)
		return 0;
	if (!installed) {
		install_interrupt();
		installed = true;
	}
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&th, &a, pool_main, NULL);
	pthread_attr_destroy(&a);
	if (r)
		return nthreads ? 0 : -EAGAIN; /* queue behind the running ones */
	nthreads++;
	return 0;
}

static void dequeue_locked(struct as_job *job)
{
	struct as_job **pp = &queue_head, *prev = NULL;
	while (*pp && *pp != job) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = job->next;
		if (queue_tail == job)
			queue_tail = prev;
		atomic_fetch_sub(&nqueued, 1);
	}
}

int as__blocking_run(struct as_job *job, bool interruptible)
{
	int r = as__check_interrupt();
	if (r < 0)
		return r;
	job->waiter = as__self_parker();
	job->next = NULL;
	job->interrupted = 0;
	job->closing = false;
	atomic_store(&job->state, JOB_QUEUED);

	pthread_mutex_lock(&pool_lock);
	r = ensure_thread();
	if (r < 0)
		goto out_unlock;
	r = as__park_prepare(true);
	if (r < 0)
		goto out_unlock;
	if (queue_tail)
		queue_tail->next = job;
	else
		queue_head = job;
	queue_tail = job;
	atomic_fetch_add(&nqueued, 1);
	pthread_cond_signal(&pool_cond);
	pthread_mutex_unlock(&pool_lock);

	r = as__park_wait(as__deadline());
	if (r == 0)
		return 0;

	/* Deadline or cancel. */
	pthread_mutex_lock(&pool_lock);
	int state = atomic_load(&job->state);
	if (state == JOB_QUEUED) {
		dequeue_locked(job);
		goto out_unlock;
	}
	if (state == JOB_DONE) {
		r = 0; /* it finished anyway: its result stands */
		goto out_unlock;
	}
	job->interrupted = r;
	while (atomic_load(&job->state) != JOB_DONE) {
		if (interruptible)
			pthread_kill(job->thread, SIGURG);
		as__park_prepare(false);
		pthread_mutex_unlock(&pool_lock);
		as__park_wait(interruptible ? as__now() + INTERRUPT_RETRY_NS : -1);
		pthread_mutex_lock(&pool_lock);
	}
	r = 0; /* it ran; the caller reads its result and job->interrupted */
out_unlock:
	pthread_mutex_unlock(&pool_lock);
	return r;
}

static struct as_job *running_on(int fd)
{
	for (struct as_job *j = running; j; j = j->run_next)
		if (j->fd == fd)
			return j;
	return NULL;
}

void as__blocking_close_fd(int fd)
{
	if (fd < 0 || (!atomic_load(&nrunning) && !atomic_load(&nqueued)))
		return;
	pthread_mutex_lock(&pool_lock);
	struct as_job *j;
	for (j = queue_head; j; j = j->next)
		if (j->fd == fd)
			j->closing = true; /* pool_main ends it unrun */
	while ((j = running_on(fd))) {
		/* Repeat until the job has left its system call: a signal that
		 * arrives just before the call starts interrupts nothing. */
		j->closing = true;
		pthread_kill(j->thread, SIGURG);
		pthread_mutex_unlock(&pool_lock);
		as__park_prepare(false);
		as__park_wait(as__now() + INTERRUPT_RETRY_NS);
		pthread_mutex_lock(&pool_lock);
	}
	pthread_mutex_unlock(&pool_lock);
}

/* ---- async_std_run_blocking ---------------------------------------------- */
struct call_job {
	struct as_job job;
	async_std_fn fn;
	void *arg;
	void *result;
};

static void run_call(struct as_job *job)
{
	struct call_job *c = (struct call_job *)job;
	c->result = c->fn(c->arg);
}

int as__run_blocking(async_std_fn fn, void *arg, void **result)
{
	if (!fn)
		return (int)as__ret(-EINVAL);
	struct call_job c = { .job.run = run_call, .job.fd = -1, .fn = fn, .arg = arg };
	/* Not interruptible: once started, fn runs to the end and its result
	 * counts; a negative r means it never started. */
	int r = as__blocking_run(&c.job, false);
	if (r < 0)
		return (int)as__ret(r);
	if (result)
		*result = c.result;
	return 0;
}
