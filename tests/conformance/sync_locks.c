/* SPDX-License-Identifier: MIT */
/*
 * sync_locks.c - mutexes, condition variables and semaphores: exclusion,
 * FIFO hand-over, try-calls, misuse, destroy while in use, plain threads.
 * (Deadlines and cancellation of every sync wait: sync_waits.c.)
 *
 * FIFO tests line waiters up on the test's own worker (ASYNC_STD_SPAWN_LOCAL)
 * and yield until each has taken its ticket: a local task that took its
 * ticket has reached its wait before the test runs again, since nothing
 * between the two can switch tasks.
 */
#include <limits.h>
#include <pthread.h>

#include "conformance.h"

#define NFIFO 16

static const async_std_spawn_attr local_attr = {
	.size = sizeof(async_std_spawn_attr), .flags = ASYNC_STD_SPAWN_LOCAL,
};

/* Runs fn(arg) in n local tasks and yields until *tickets reaches n. */
static void *line_up(async_std_task **t, int n, async_std_fn fn, void *arg, atomic_int *tickets)
{
	for (int i = 0; i < n; i++)
		CHECK((t[i] = async_std_spawn_ex(fn, arg, &local_attr)) != NULL);
	while (atomic_load(tickets) < n)
		async_std_yield();
	return NULL;
}

static void *join_all(async_std_task **t, int n)
{
	for (int i = 0; i < n; i++) {
		void *res = CT_FAIL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK(res == NULL);
	}
	return NULL;
}

/* ---- mutex -------------------------------------------------------------- */

CT_TEST(mutex_trylock_gives_EBUSY_while_locked_and_succeeds_once_unlocked)
{
	async_std_mutex *m = async_std_mutex_create();
	CHECK(m != NULL);
	CHECK_OK(async_std_mutex_trylock(m));
	CHECK_ERRNO(async_std_mutex_trylock(m), EBUSY);
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_OK(async_std_mutex_lock(m));
	CHECK_ERRNO(async_std_mutex_trylock(m), EBUSY);
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_OK(async_std_mutex_trylock(m));
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_OK(async_std_mutex_destroy(m));
	return NULL;
}

CT_TEST(mutex_unlock_of_an_unlocked_mutex_fails_with_EPERM)
{
	async_std_mutex *m = async_std_mutex_create();
	CHECK(m != NULL);
	CHECK_ERRNO(async_std_mutex_unlock(m), EPERM);
	CHECK_OK(async_std_mutex_lock(m));
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_ERRNO(async_std_mutex_unlock(m), EPERM);
	CHECK_OK(async_std_mutex_destroy(m));
	return NULL;
}

CT_TEST(sync_calls_on_NULL_objects_fail_with_EINVAL)
{
	char b[8] = { 0 };
	CHECK_ERRNO(async_std_mutex_lock(NULL), EINVAL);
	CHECK_ERRNO(async_std_mutex_trylock(NULL), EINVAL);
	CHECK_ERRNO(async_std_mutex_unlock(NULL), EINVAL);
	CHECK_ERRNO(async_std_mutex_destroy(NULL), EINVAL);
	CHECK_ERRNO(async_std_cond_wait(NULL, NULL), EINVAL);
	CHECK_ERRNO(async_std_cond_signal(NULL), EINVAL);
	CHECK_ERRNO(async_std_cond_broadcast(NULL), EINVAL);
	CHECK_ERRNO(async_std_cond_destroy(NULL), EINVAL);
	CHECK_ERRNO(async_std_chan_send(NULL, b), EINVAL);
	CHECK_ERRNO(async_std_chan_recv(NULL, b), EINVAL);
	CHECK_ERRNO(async_std_chan_try_send(NULL, b), EINVAL);
	CHECK_ERRNO(async_std_chan_try_recv(NULL, b), EINVAL);
	CHECK_ERRNO(async_std_chan_close(NULL), EINVAL);
	CHECK_ERRNO(async_std_chan_destroy(NULL), EINVAL);
	CHECK_ERRNO(async_std_sem_acquire(NULL), EINVAL);
	CHECK_ERRNO(async_std_sem_try_acquire(NULL), EINVAL);
	CHECK_ERRNO(async_std_sem_release(NULL), EINVAL);
	CHECK_ERRNO(async_std_sem_destroy(NULL), EINVAL);
	CHECK_ERRNO(async_std_group_spawn(NULL, (async_std_fn)NULL, NULL), EINVAL);
	CHECK_ERRNO(async_std_group_wait(NULL), EINVAL);
	CHECK_ERRNO(async_std_group_cancel(NULL), EINVAL);
	CHECK_ERRNO(async_std_group_destroy(NULL), EINVAL);
	return NULL;
}

struct fifo {
	async_std_mutex *m;
	async_std_cond *c;
	async_std_sem *s;
	atomic_int tickets;
	atomic_int served;
	int order[NFIFO];
};

static void *mutex_fifo_waiter(void *p)
{
	struct fifo *f = p;
	int ticket = atomic_fetch_add(&f->tickets, 1);
	CHECK_OK(async_std_mutex_lock(f->m));
	f->order[atomic_fetch_add(&f->served, 1)] = ticket;
	CHECK_OK(async_std_mutex_unlock(f->m));
	return NULL;
}

CT_TEST(mutex_is_handed_to_its_waiters_in_FIFO_order)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	CHECK((f->m = async_std_mutex_create()) != NULL);
	CHECK_OK(async_std_mutex_lock(f->m));
	if (line_up(t, NFIFO, mutex_fifo_waiter, f, &f->tickets))
		return CT_FAIL;
	/* A newcomer must not overtake the queue either. */
	CHECK_OK(async_std_mutex_unlock(f->m));
	CHECK_ERRNO(async_std_mutex_trylock(f->m), EBUSY);
	if (join_all(t, NFIFO))
		return CT_FAIL;
	for (int i = 0; i < NFIFO; i++)
		CHECK_INT(f->order[i], ==, i);
	CHECK_OK(async_std_mutex_destroy(f->m));
	return NULL;
}

struct counter {
	async_std_mutex *m;
	long value;
	long per_worker;
	atomic_int done;
};

static void *count_up(void *p)
{
	struct counter *c = p;
	for (long i = 0; i < c->per_worker; i++) {
		CHECK_OK(async_std_mutex_lock(c->m));
		long v = c->value;
		if ((i & 63) == 0)
			async_std_yield(); /* hold it across a switch now and then */
		c->value = v + 1;
		CHECK_OK(async_std_mutex_unlock(c->m));
	}
	atomic_fetch_add(&c->done, 1);
	return NULL;
}

/* Tasks spawned with SPAWN_LOCAL from a plain thread land on the workers
 * round-robin: that spreads them over every worker. */
struct spread {
	async_std_task **t;
	int n;
	async_std_fn fn;
	void **args;
};

static void *spawn_spread(void *p)
{
	struct spread *s = p;
	for (int i = 0; i < s->n; i++)
		CHECK((s->t[i] = async_std_spawn_ex(s->fn, s->args[i], &local_attr)) != NULL);
	return NULL;
}

static void *spawn_on_all_workers(async_std_task **t, int n, async_std_fn fn, void **args)
{
	struct spread *s = ct_alloc(sizeof *s);
	*s = (struct spread){ t, n, fn, args };
	return ct_in_plain_thread(spawn_spread, s);
}

CT_TEST(mutex_excludes_8_tasks_and_2_plain_threads_exact_count)
{
	enum { NTASKS = 8, NTHREADS = 2 };
	struct counter *c = ct_alloc(sizeof *c);
	CHECK((c->m = async_std_mutex_create()) != NULL);
	c->per_worker = 20000;
	async_std_task *t[NTASKS];
	void *args[NTASKS];
	for (int i = 0; i < NTASKS; i++)
		args[i] = c;
	if (spawn_on_all_workers(t, NTASKS, count_up, args))
		return CT_FAIL;
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, count_up, c) == 0);
	if (join_all(t, NTASKS))
		return CT_FAIL;
	CHECK_OK(ct_wait_flag(&c->done, NTASKS + NTHREADS));
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(c->value, ==, (NTASKS + NTHREADS) * c->per_worker);
	CHECK_OK(async_std_mutex_destroy(c->m));
	return NULL;
}

struct leaver {
	async_std_mutex *m;
	atomic_int ready;
	int err_short, err_long;
};

static void *lock_with_short_deadline(void *p)
{
	struct leaver *l = p;
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * CT_MS);
	atomic_fetch_add(&l->ready, 1);
	l->err_short = async_std_mutex_lock(l->m) == 0 ? 0 : errno;
	async_std_deadline_pop(prev);
	return NULL;
}

static void *lock_and_unlock(void *p)
{
	struct leaver *l = p;
	atomic_fetch_add(&l->ready, 1);
	l->err_long = async_std_mutex_lock(l->m) == 0 ? 0 : errno;
	if (!l->err_long)
		async_std_mutex_unlock(l->m);
	return NULL;
}

CT_TEST(mutex_waiter_that_timed_out_does_not_swallow_the_next_unlock)
{
	struct leaver *l = ct_alloc(sizeof *l);
	CHECK((l->m = async_std_mutex_create()) != NULL);
	CHECK_OK(async_std_mutex_lock(l->m));
	async_std_task *a = async_std_spawn_ex(lock_with_short_deadline, l, &local_attr);
	async_std_task *b = async_std_spawn_ex(lock_and_unlock, l, &local_attr);
	CHECK(a && b);
	CHECK_OK(async_std_join(a, NULL));
	CHECK_ERR_VALUE(l->err_short, ETIMEDOUT);
	/* The busy mutex keeps its remaining waiter: destroy refuses. */
	CHECK_ERRNO(async_std_mutex_destroy(l->m), EBUSY);
	CHECK_OK(async_std_mutex_unlock(l->m));
	CHECK_OK(async_std_join(b, NULL));
	CHECK_ERR_VALUE(l->err_long, 0);
	CHECK_OK(async_std_mutex_destroy(l->m));
	return NULL;
}

CT_TEST(mutex_destroy_while_locked_or_waited_on_gives_EBUSY)
{
	struct leaver *l = ct_alloc(sizeof *l);
	CHECK((l->m = async_std_mutex_create()) != NULL);
	CHECK_OK(async_std_mutex_lock(l->m));
	CHECK_ERRNO(async_std_mutex_destroy(l->m), EBUSY);
	async_std_task *b = async_std_spawn_ex(lock_and_unlock, l, &local_attr);
	CHECK(b != NULL);
	while (atomic_load(&l->ready) < 1)
		async_std_yield();
	CHECK_ERRNO(async_std_mutex_destroy(l->m), EBUSY);
	CHECK_OK(async_std_mutex_unlock(l->m));
	CHECK_OK(async_std_join(b, NULL));
	CHECK_ERR_VALUE(l->err_long, 0);
	CHECK_OK(async_std_mutex_destroy(l->m));
	return NULL;
}

static void *plain_thread_locks(void *p)
{
	struct leaver *l = p;
	atomic_fetch_add(&l->ready, 1);
	CHECK_OK(async_std_mutex_lock(l->m));
	CHECK_OK(async_std_mutex_unlock(l->m));
	return NULL;
}

CT_TEST(plain_thread_waiting_for_a_mutex_gets_it_when_a_task_unlocks)
{
	struct leaver *l = ct_alloc(sizeof *l);
	CHECK((l->m = async_std_mutex_create()) != NULL);
	CHECK_OK(async_std_mutex_lock(l->m));
	pthread_t th;
	CHECK(pthread_create(&th, NULL, plain_thread_locks, l) == 0);
	CHECK_OK(ct_wait_flag(&l->ready, 1));
	ct_let_block();
	CHECK_OK(async_std_mutex_unlock(l->m));
	/* The plain thread locks and unlocks; then the mutex is ours again. */
	CHECK_OK(async_std_mutex_lock(l->m));
	CHECK_OK(async_std_mutex_unlock(l->m));
	pthread_join(th, NULL);
	CHECK_OK(async_std_mutex_destroy(l->m));
	return NULL;
}

/* ---- condition variable ---------------------------------------------------- */

static void *cond_fifo_waiter(void *p)
{
	struct fifo *f = p;
	CHECK_OK(async_std_mutex_lock(f->m));
	int ticket = atomic_fetch_add(&f->tickets, 1);
	CHECK_OK(async_std_cond_wait(f->c, f->m));
	f->order[atomic_fetch_add(&f->served, 1)] = ticket;
	CHECK_OK(async_std_mutex_unlock(f->m));
	return NULL;
}

/* Creates f's mutex and cond and lines up n waiters on them. */
static void *cond_line_up(struct fifo *f, async_std_task **t, int n)
{
	CHECK((f->m = async_std_mutex_create()) != NULL);
	CHECK((f->c = async_std_cond_create()) != NULL);
	return line_up(t, n, cond_fifo_waiter, f, &f->tickets);
}

CT_TEST(cond_signal_wakes_the_longest_waiting_waiter_first)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	if (cond_line_up(f, t, NFIFO))
		return CT_FAIL;
	for (int i = 0; i < NFIFO; i++) {
		CHECK_OK(async_std_mutex_lock(f->m));
		CHECK_OK(async_std_cond_signal(f->c));
		CHECK_OK(async_std_mutex_unlock(f->m));
		while (atomic_load(&f->served) < i + 1)
			async_std_yield();
	}
	if (join_all(t, NFIFO))
		return CT_FAIL;
	for (int i = 0; i < NFIFO; i++)
		CHECK_INT(f->order[i], ==, i);
	CHECK_OK(async_std_cond_destroy(f->c));
	CHECK_OK(async_std_mutex_destroy(f->m));
	return NULL;
}

CT_TEST(cond_broadcast_wakes_every_waiter)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	if (cond_line_up(f, t, NFIFO))
		return CT_FAIL;
	CHECK_OK(async_std_mutex_lock(f->m));
	CHECK_OK(async_std_cond_broadcast(f->c));
	CHECK_OK(async_std_mutex_unlock(f->m));
	if (join_all(t, NFIFO))
		return CT_FAIL;
	CHECK_INT(atomic_load(&f->served), ==, NFIFO);
	CHECK_OK(async_std_cond_destroy(f->c));
	CHECK_OK(async_std_mutex_destroy(f->m));
	return NULL;
}

CT_TEST(cond_signal_without_waiters_is_not_remembered)
{
	async_std_mutex *m = async_std_mutex_create();
	async_std_cond *c = async_std_cond_create();
	CHECK(m && c);
	CHECK_OK(async_std_cond_signal(c));
	CHECK_OK(async_std_cond_broadcast(c));
	CHECK_OK(async_std_mutex_lock(m));
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * CT_MS);
	CHECK_ERRNO(async_std_cond_wait(c, m), ETIMEDOUT);
	async_std_deadline_pop(prev);
	/* Relocked on the way out. */
	CHECK_ERRNO(async_std_mutex_trylock(m), EBUSY);
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_OK(async_std_cond_destroy(c));
	CHECK_OK(async_std_mutex_destroy(m));
	return NULL;
}

CT_TEST(cond_wait_with_an_unlocked_mutex_fails_with_EPERM)
{
	async_std_mutex *m = async_std_mutex_create();
	async_std_cond *c = async_std_cond_create();
	CHECK(m && c);
	CHECK_ERRNO(async_std_cond_wait(c, m), EPERM);
	CHECK_OK(async_std_mutex_trylock(m)); /* still unlocked */
	CHECK_OK(async_std_mutex_unlock(m));
	CHECK_OK(async_std_cond_destroy(c));
	CHECK_OK(async_std_mutex_destroy(m));
	return NULL;
}

CT_TEST(cond_destroy_with_a_waiter_gives_EBUSY)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[1];
	if (cond_line_up(f, t, 1))
		return CT_FAIL;
	CHECK_ERRNO(async_std_cond_destroy(f->c), EBUSY);
	CHECK_OK(async_std_mutex_lock(f->m));
	CHECK_OK(async_std_cond_signal(f->c));
	CHECK_OK(async_std_mutex_unlock(f->m));
	if (join_all(t, 1))
		return CT_FAIL;
	CHECK_OK(async_std_cond_destroy(f->c));
	CHECK_OK(async_std_mutex_destroy(f->m));
	return NULL;
}

/* A bounded queue of ints built from a mutex and two condition variables,
 * fed by a plain thread and drained by a task. */
struct cq {
	async_std_mutex *m;
	async_std_cond *not_empty, *not_full;
	int buf[4];
	int head, count;
	int n;
};

static void *cq_producer(void *p)
{
	struct cq *q = p;
	for (int i = 0; i < q->n; i++) {
		CHECK_OK(async_std_mutex_lock(q->m));
		while (q->count == 4)
			CHECK_OK(async_std_cond_wait(q->not_full, q->m));
		q->buf[(q->head + q->count++) % 4] = i;
		CHECK_OK(async_std_cond_signal(q->not_empty));
		CHECK_OK(async_std_mutex_unlock(q->m));
	}
	return NULL;
}

CT_TEST(cond_queue_fed_by_a_plain_thread_delivers_everything_in_order)
{
	struct cq *q = ct_alloc(sizeof *q);
	q->n = 20000;
	CHECK((q->m = async_std_mutex_create()) != NULL);
	CHECK((q->not_empty = async_std_cond_create()) != NULL);
	CHECK((q->not_full = async_std_cond_create()) != NULL);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, cq_producer, q) == 0);
	for (int i = 0; i < q->n; i++) {
		CHECK_OK(async_std_mutex_lock(q->m));
		while (q->count == 0)
			CHECK_OK(async_std_cond_wait(q->not_empty, q->m));
		int v = q->buf[q->head];
		q->head = (q->head + 1) % 4;
		q->count--;
		CHECK_OK(async_std_cond_signal(q->not_full));
		CHECK_OK(async_std_mutex_unlock(q->m));
		CHECK_INT(v, ==, i);
	}
	pthread_join(th, NULL);
	CHECK_OK(async_std_cond_destroy(q->not_empty));
	CHECK_OK(async_std_cond_destroy(q->not_full));
	CHECK_OK(async_std_mutex_destroy(q->m));
	return NULL;
}

/* ---- semaphore ------------------------------------------------------------ */

CT_TEST(sem_try_acquire_takes_permits_then_gives_EAGAIN)
{
	async_std_sem *s = async_std_sem_create(2);
	CHECK(s != NULL);
	CHECK_OK(async_std_sem_try_acquire(s));
	CHECK_OK(async_std_sem_acquire(s));
	CHECK_ERRNO(async_std_sem_try_acquire(s), EAGAIN);
	CHECK_OK(async_std_sem_release(s));
	CHECK_OK(async_std_sem_try_acquire(s));
	CHECK_ERRNO(async_std_sem_try_acquire(s), EAGAIN);
	CHECK_OK(async_std_sem_destroy(s));
	return NULL;
}

CT_TEST(sem_release_past_UINT_MAX_fails_with_EOVERFLOW)
{
	async_std_sem *s = async_std_sem_create(UINT_MAX);
	CHECK(s != NULL);
	CHECK_ERRNO(async_std_sem_release(s), EOVERFLOW);
	CHECK_OK(async_std_sem_acquire(s));
	CHECK_OK(async_std_sem_release(s));
	CHECK_OK(async_std_sem_destroy(s));
	return NULL;
}

static void *sem_fifo_waiter(void *p)
{
	struct fifo *f = p;
	int ticket = atomic_fetch_add(&f->tickets, 1);
	CHECK_OK(async_std_sem_acquire(f->s));
	f->order[atomic_fetch_add(&f->served, 1)] = ticket;
	return NULL;
}

CT_TEST(sem_permits_go_to_waiters_in_FIFO_order)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	CHECK((f->s = async_std_sem_create(0)) != NULL);
	if (line_up(t, NFIFO, sem_fifo_waiter, f, &f->tickets))
		return CT_FAIL;
	CHECK_ERRNO(async_std_sem_destroy(f->s), EBUSY);
	for (int i = 0; i < NFIFO; i++) {
		CHECK_OK(async_std_sem_release(f->s));
		/* Handed over: a newcomer finds no permit. */
		CHECK_ERRNO(async_std_sem_try_acquire(f->s), EAGAIN);
		while (atomic_load(&f->served) < i + 1)
			async_std_yield();
	}
	if (join_all(t, NFIFO))
		return CT_FAIL;
	for (int i = 0; i < NFIFO; i++)
		CHECK_INT(f->order[i], ==, i);
	CHECK_OK(async_std_sem_destroy(f->s));
	return NULL;
}

struct bounded {
	async_std_sem *s;
	atomic_int inside, max_inside, done;
	int rounds;
};

static void *bounded_worker(void *p)
{
	struct bounded *b = p;
	for (int i = 0; i < b->rounds; i++) {
		CHECK_OK(async_std_sem_acquire(b->s));
		int now = atomic_fetch_add(&b->inside, 1) + 1;
		int seen = atomic_load(&b->max_inside);
		while (now > seen && !atomic_compare_exchange_weak(&b->max_inside, &seen, now))
			;
		async_std_yield();
		atomic_fetch_sub(&b->inside, 1);
		CHECK_OK(async_std_sem_release(b->s));
	}
	atomic_fetch_add(&b->done, 1);
	return NULL;
}

CT_TEST(sem_of_3_lets_at_most_3_of_16_tasks_in_at_once)
{
	enum { N = 16 };
	struct bounded *b = ct_alloc(sizeof *b);
	b->rounds = 2000;
	CHECK((b->s = async_std_sem_create(3)) != NULL);
	async_std_task *t[N];
	void *args[N];
	for (int i = 0; i < N; i++)
		args[i] = b;
	if (spawn_on_all_workers(t, N, bounded_worker, args))
		return CT_FAIL;
	if (join_all(t, N))
		return CT_FAIL;
	CHECK_INT(atomic_load(&b->done), ==, N);
	CHECK_INT(atomic_load(&b->max_inside), <=, 3);
	CHECK_INT(atomic_load(&b->max_inside), >=, 1);
	/* All 3 permits are back. */
	for (int i = 0; i < 3; i++)
		CHECK_OK(async_std_sem_try_acquire(b->s));
	CHECK_ERRNO(async_std_sem_try_acquire(b->s), EAGAIN);
	CHECK_OK(async_std_sem_destroy(b->s));
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(mutex_trylock_gives_EBUSY_while_locked_and_succeeds_once_unlocked),
	cmocka_unit_test(mutex_unlock_of_an_unlocked_mutex_fails_with_EPERM),
	cmocka_unit_test(sync_calls_on_NULL_objects_fail_with_EINVAL),
	cmocka_unit_test(mutex_is_handed_to_its_waiters_in_FIFO_order),
	cmocka_unit_test(mutex_excludes_8_tasks_and_2_plain_threads_exact_count),
	cmocka_unit_test(mutex_waiter_that_timed_out_does_not_swallow_the_next_unlock),
	cmocka_unit_test(mutex_destroy_while_locked_or_waited_on_gives_EBUSY),
	cmocka_unit_test(plain_thread_waiting_for_a_mutex_gets_it_when_a_task_unlocks),
	cmocka_unit_test(cond_signal_wakes_the_longest_waiting_waiter_first),
	cmocka_unit_test(cond_broadcast_wakes_every_waiter),
	cmocka_unit_test(cond_signal_without_waiters_is_not_remembered),
	cmocka_unit_test(cond_wait_with_an_unlocked_mutex_fails_with_EPERM),
	cmocka_unit_test(cond_destroy_with_a_waiter_gives_EBUSY),
	cmocka_unit_test(cond_queue_fed_by_a_plain_thread_delivers_everything_in_order),
	cmocka_unit_test(sem_try_acquire_takes_permits_then_gives_EAGAIN),
	cmocka_unit_test(sem_release_past_UINT_MAX_fails_with_EOVERFLOW),
	cmocka_unit_test(sem_permits_go_to_waiters_in_FIFO_order),
	cmocka_unit_test(sem_of_3_lets_at_most_3_of_16_tasks_in_at_once),
};
CT_GROUP(ct_sync_locks_group, "sync: mutex, cond, semaphore", tests);
