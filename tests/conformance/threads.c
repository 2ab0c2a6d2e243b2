/* SPDX-License-Identifier: MIT */
/*
 * threads.c - the ABI from plain threads (threads that run no task),
 * wake-ups that cross workers, and new tasks that another worker starts.
 *
 * Tasks spawned with ASYNC_STD_SPAWN_LOCAL from a plain thread go to workers
 * chosen round-robin, so consecutive ones land on different workers whenever
 * there are several: that is how these tests put a waiter and its waker on
 * different workers without knowing the runtime.  With one worker
 * (ASYNC_STD_THREADS=1) the same tests must pass too.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

static void *plus_one(void *arg)
{
	return (void *)((uintptr_t)arg + 1);
}

static const async_std_spawn_attr local_attr = {
	.size = sizeof(async_std_spawn_attr), .flags = ASYNC_STD_SPAWN_LOCAL,
};

/* ---- several plain threads at once -------------------------------------- */

struct crowd {
	void *(*fn)(void *);
	void *arg;
	void *res;
	atomic_int *done;
};

static void *crowd_main(void *p)
{
	struct crowd *c = p;
	int64_t prev = async_std_deadline_push(async_std_now() + ct_deadline_ns);
	c->res = c->fn(c->arg);
	async_std_deadline_pop(prev);
	atomic_fetch_add(c->done, 1);
	return NULL;
}

/* Runs fn(args[i]) on n plain threads at once; the task waits without
 * blocking its worker.  Returns NULL if every fn returned NULL. */
static void *in_plain_threads(int n, void *(*fn)(void *), void **args)
{
	struct crowd *c = ct_alloc((size_t)n * sizeof *c);
	atomic_int *done = ct_alloc(sizeof *done);
	pthread_t *tid = ct_alloc((size_t)n * sizeof *tid);
	for (int i = 0; i < n; i++) {
		c[i] = (struct crowd){ fn, args ? args[i] : NULL, CT_FAIL, done };
		int rc = pthread_create(&tid[i], NULL, crowd_main, &c[i]);
		CHECK_MSG(rc == 0, "pthread_create: %s", ct_errname(rc));
	}
	CHECK_MSG(ct_wait_flag(done, n) == 0, "plain threads did not finish: %s",
		  ct_errname(errno));
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		if (c[i].res != NULL)
			return CT_FAIL;
	}
	return NULL;
}

/* ---- entry from plain threads ------------------------------------------- */

static void block_on_from_the_main_thread_returns_the_result(void **state)
{
	(void)state;
	void *res = NULL;
	assert_int_equal(async_std_block_on(plus_one, (void *)41, &res), 0);
	assert_int_equal((uintptr_t)res, 42);
	assert_int_equal(async_std_block_on(plus_one, NULL, NULL), 0);
}

static void block_on_with_null_fn_on_a_plain_thread_fails_with_EINVAL(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(async_std_block_on(NULL, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void *block_on_repeatedly(void *arg)
{
	for (uintptr_t i = 0; i < 100; i++) {
		void *res = NULL;
		CHECK_OK(async_std_block_on(plus_one, (void *)(i + (uintptr_t)arg), &res));
		CHECK_INT((uintptr_t)res, ==, i + (uintptr_t)arg + 1);
	}
	return NULL;
}

CT_TEST(block_on_from_several_plain_threads_at_once)
{
	void *args[4] = { (void *)0, (void *)1000, (void *)2000, (void *)3000 };
	return in_plain_threads(4, block_on_repeatedly, args);
}

static void *self_and_yield(void *unused)
{
	(void)unused;
	CHECK(async_std_self() == NULL);
	CHECK_INT(async_std_yield(), ==, 0);
	return NULL;
}

CT_TEST(self_is_null_and_yield_returns_0_on_a_plain_thread)
{
	return ct_in_plain_thread(self_and_yield, NULL);
}

static void *plain_sleep(void *unused)
{
	(void)unused;
	int64_t t0 = async_std_now();
	CHECK_INT(async_std_sleep(2 * CT_MS), ==, 0);
	CHECK_INT(async_std_now() - t0, >=, 2 * CT_MS);
	CHECK_INT(async_std_sleep_until(async_std_now() + CT_MS), ==, 0);
	return NULL;
}

CT_TEST(sleep_on_a_plain_thread_blocks_it_for_the_time)
{
	return ct_in_plain_thread(plain_sleep, NULL);
}

static void *plain_deadline(void *p)
{
	int fd = *(int *)p;
	int64_t d = async_std_now() + 10 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	char b;
	CHECK_ERRNO(async_std_read(fd, &b, 1), ETIMEDOUT);
	CHECK_INT(async_std_now(), >=, d);
	CHECK_ERRNO(async_std_sleep(60 * CT_SEC), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_INT(async_std_sleep(0), ==, 0);
	return NULL;
}

CT_TEST(deadline_on_a_plain_thread_times_out_its_blocking_calls)
{
	int *sv = ct_alloc(2 * sizeof *sv);
	CHECK_OK(ct_socketpair(sv));
	if (ct_in_plain_thread(plain_deadline, sv))
		return CT_FAIL;
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

/* ---- I/O between plain threads and tasks ---------------------------------- */

struct channel {
	int sv[2];
	atomic_int reader_started;
	atomic_int go;
	char got[8];
	ssize_t n;
	int err;
};

static void *read_side(void *p)
{
	struct channel *c = p;
	atomic_store(&c->reader_started, 1);
	errno = 0;
	c->n = async_std_read(c->sv[0], c->got, sizeof c->got);
	c->err = errno;
	CHECK_MSG(c->n == 5, "read gave %zd/%s", c->n, ct_errname(c->err));
	CHECK(memcmp(c->got, "hello", 5) == 0);
	return NULL;
}

static void *write_side(void *p)
{
	struct channel *c = p;
	CHECK_OK(ct_wait_flag(&c->reader_started, 1));
	ct_let_block();
	CHECK_INT(async_std_write(c->sv[1], "hello", 5), ==, 5);
	return NULL;
}

static struct channel *channel_new(void)
{
	struct channel *c = ct_alloc(sizeof *c);
	if (ct_socketpair(c->sv) != 0)
		return NULL;
	return c;
}

static void channel_close(struct channel *c)
{
	ct_close(c->sv[0]);
	ct_close(c->sv[1]);
}

CT_TEST(read_on_a_plain_thread_is_woken_by_a_task_write)
{
	struct channel *c = channel_new();
	CHECK(c != NULL);
	async_std_task *w = async_std_spawn(write_side, c);
	CHECK(w != NULL);
	void *rres = ct_in_plain_thread(read_side, c);
	void *wres = CT_FAIL;
	CHECK_OK(async_std_join(w, &wres));
	CHECK(rres == NULL && wres == NULL);
	channel_close(c);
	return NULL;
}

CT_TEST(task_read_is_woken_by_a_write_from_a_plain_thread)
{
	struct channel *c = channel_new();
	CHECK(c != NULL);
	async_std_task *r = async_std_spawn(read_side, c);
	CHECK(r != NULL);
	void *wres = ct_in_plain_thread(write_side, c);
	void *rres = CT_FAIL;
	CHECK_OK(async_std_join(r, &rres));
	CHECK(rres == NULL && wres == NULL);
	channel_close(c);
	return NULL;
}

static void *reader_or_writer(void *p)
{
	struct channel *c = *(struct channel **)p;
	int role = ((struct channel **)p)[1] != NULL;
	return role ? write_side(c) : read_side(c);
}

CT_TEST(read_and_write_between_two_plain_threads)
{
	struct channel *c = channel_new();
	CHECK(c != NULL);
	struct channel **roles = ct_alloc(4 * sizeof *roles);
	roles[0] = c;
	roles[1] = NULL; /* reader */
	roles[2] = c;
	roles[3] = c; /* writer */
	void *args[2] = { &roles[0], &roles[2] };
	if (in_plain_threads(2, reader_or_writer, args))
		return CT_FAIL;
	channel_close(c);
	return NULL;
}

static void *plain_poll(void *p)
{
	struct channel *c = p;
	atomic_store(&c->reader_started, 1);
	int ev;
	CHECK_OK(ev = async_std_poll(c->sv[0], POLLIN));
	CHECK(ev & POLLIN);
	return NULL;
}

CT_TEST(poll_on_a_plain_thread_is_woken_by_a_task_write)
{
	struct channel *c = channel_new();
	CHECK(c != NULL);
	async_std_task *w = async_std_spawn(write_side, c);
	CHECK(w != NULL);
	void *pres = ct_in_plain_thread(plain_poll, c);
	void *wres = CT_FAIL;
	CHECK_OK(async_std_join(w, &wres));
	CHECK(pres == NULL && wres == NULL);
	channel_close(c);
	return NULL;
}

/* ---- tasks handled from plain threads --------------------------------------- */

static void *spawn_and_join_here(void *unused)
{
	(void)unused;
	for (uintptr_t i = 0; i < 50; i++) {
		async_std_task *t = async_std_spawn(plus_one, (void *)i);
		CHECK(t != NULL);
		CHECK_INT(async_std_task_id(t), !=, 0);
		void *res = NULL;
		CHECK_OK(async_std_join(t, &res));
		CHECK_INT((uintptr_t)res, ==, i + 1);
	}
	return NULL;
}

CT_TEST(plain_thread_spawns_and_joins_tasks)
{
	return ct_in_plain_thread(spawn_and_join_here, NULL);
}

struct handoff {
	async_std_task *task;
	struct channel *c;
	void *res;
	int rc, err;
};

static void *join_handed_task(void *p)
{
	struct handoff *h = p;
	errno = 0;
	h->rc = async_std_join(h->task, &h->res);
	h->err = errno;
	CHECK_MSG(h->rc == 0, "join from a plain thread gave %s", ct_errname(h->err));
	return NULL;
}

static void *sleeps_and_returns(void *arg)
{
	if (async_std_sleep(5 * CT_MS) != 0)
		return CT_FAIL;
	return arg;
}

CT_TEST(plain_thread_joins_a_task_spawned_by_a_task)
{
	struct handoff *h = ct_alloc(sizeof *h);
	h->task = async_std_spawn(sleeps_and_returns, (void *)0xabc);
	CHECK(h->task != NULL);
	if (ct_in_plain_thread(join_handed_task, h))
		return CT_FAIL;
	CHECK_INT((uintptr_t)h->res, ==, 0xabc);
	return NULL;
}

struct cancel_from_plain {
	struct channel *c;
	async_std_task *reader;
};

static void *read_expecting_cancel(void *p)
{
	struct channel *c = p;
	atomic_store(&c->reader_started, 1);
	errno = 0;
	c->n = async_std_read(c->sv[0], c->got, sizeof c->got);
	c->err = errno;
	return NULL;
}

static void *cancel_reader(void *p)
{
	struct cancel_from_plain *x = p;
	CHECK_OK(ct_wait_flag(&x->c->reader_started, 1));
	ct_let_block();
	CHECK_OK(async_std_cancel(x->reader));
	CHECK_OK(async_std_join(x->reader, NULL));
	return NULL;
}

CT_TEST(plain_thread_cancels_a_task_blocked_in_read)
{
	struct cancel_from_plain *x = ct_alloc(sizeof *x);
	x->c = channel_new();
	CHECK(x->c != NULL);
	x->reader = async_std_spawn(read_expecting_cancel, x->c);
	CHECK(x->reader != NULL);
	if (ct_in_plain_thread(cancel_reader, x))
		return CT_FAIL;
	CHECK_MSG(x->c->n == -1 && x->c->err == ECANCELED, "read gave %zd/%s", x->c->n,
		  ct_errname(x->c->err));
	channel_close(x->c);
	return NULL;
}

/* ---- wake-ups across workers ------------------------------------------------ */

struct placed {
	struct channel *c;
	pthread_t thread;
	async_std_task *join_target;
	void *join_res;
};

static void *placed_reader(void *p)
{
	struct placed *pl = p;
	pl->thread = pthread_self();
	return read_side(pl->c);
}

static void *placed_writer(void *p)
{
	struct placed *pl = p;
	pl->thread = pthread_self();
	return write_side(pl->c);
}

static atomic_int cross_pairs_seen;

static void *socket_pairs_from_plain_thread(void *unused)
{
	(void)unused;
	for (int round = 0; round < 8; round++) {
		struct placed *r = ct_alloc(sizeof *r), *w = ct_alloc(sizeof *w);
		r->c = w->c = channel_new();
		CHECK(r->c != NULL);
		async_std_task *tr = async_std_spawn_ex(placed_reader, r, &local_attr);
		async_std_task *tw = async_std_spawn_ex(placed_writer, w, &local_attr);
		CHECK(tr != NULL && tw != NULL);
		void *rres = CT_FAIL, *wres = CT_FAIL;
		CHECK_OK(async_std_join(tw, &wres));
		CHECK_OK(async_std_join(tr, &rres));
		CHECK(rres == NULL && wres == NULL);
		if (!pthread_equal(r->thread, w->thread))
			atomic_fetch_add(&cross_pairs_seen, 1);
		channel_close(r->c);
	}
	return NULL;
}

CT_TEST(socket_reader_is_woken_by_a_writer_on_another_worker)
{
	atomic_store(&cross_pairs_seen, 0);
	if (ct_in_plain_thread(socket_pairs_from_plain_thread, NULL))
		return CT_FAIL;
	printf("  (%d of 8 reader/writer pairs ran on different workers)\n",
	       atomic_load(&cross_pairs_seen));
	return NULL;
}

static void *placed_joiner(void *p)
{
	struct placed *pl = p;
	pl->thread = pthread_self();
	CHECK_OK(async_std_join(pl->join_target, &pl->join_res));
	return NULL;
}

static void *join_chains_from_plain_thread(void *unused)
{
	(void)unused;
	for (int round = 0; round < 8; round++) {
		/* B waits on a socket; A (next worker) joins B; this plain thread
		 * writes, which wakes B, whose end wakes A. */
		struct placed *b = ct_alloc(sizeof *b), *a = ct_alloc(sizeof *a);
		b->c = channel_new();
		CHECK(b->c != NULL);
		async_std_task *tb = async_std_spawn_ex(placed_reader, b, &local_attr);
		CHECK(tb != NULL);
		a->join_target = tb;
		a->join_res = CT_FAIL;
		async_std_task *ta = async_std_spawn_ex(placed_joiner, a, &local_attr);
		CHECK(ta != NULL);
		if (write_side(b->c))
			return CT_FAIL;
		void *ares = CT_FAIL;
		CHECK_OK(async_std_join(ta, &ares));
		CHECK(ares == NULL);
		CHECK_MSG(a->join_res == NULL, "the joined reader failed");
		if (!pthread_equal(a->thread, b->thread))
			atomic_fetch_add(&cross_pairs_seen, 1);
		channel_close(b->c);
	}
	return NULL;
}

CT_TEST(joiner_is_woken_by_a_task_ending_on_another_worker)
{
	atomic_store(&cross_pairs_seen, 0);
	if (ct_in_plain_thread(join_chains_from_plain_thread, NULL))
		return CT_FAIL;
	printf("  (%d of 8 joiner/joined pairs ran on different workers)\n",
	       atomic_load(&cross_pairs_seen));
	return NULL;
}

static void *ping_pong(void *p)
{
	int fd = *(int *)p;
	int first = ((int *)p)[1];
	char b = 0;
	for (int i = 0; i < 200; i++) {
		if (first) {
			CHECK_INT(async_std_write(fd, "x", 1), ==, 1);
			CHECK_INT(async_std_read(fd, &b, 1), ==, 1);
		} else {
			CHECK_INT(async_std_read(fd, &b, 1), ==, 1);
			CHECK_INT(async_std_write(fd, "x", 1), ==, 1);
		}
	}
	return NULL;
}

CT_TEST(ping_pong_between_tasks_on_any_workers)
{
	int *sv = ct_alloc(2 * sizeof *sv);
	CHECK_OK(ct_socketpair(sv));
	int *ends = ct_alloc(4 * sizeof *ends);
	ends[0] = sv[0];
	ends[1] = 1;
	ends[2] = sv[1];
	ends[3] = 0;
	async_std_task *a = async_std_spawn(ping_pong, &ends[0]);
	async_std_task *b = async_std_spawn(ping_pong, &ends[2]);
	CHECK(a != NULL && b != NULL);
	void *ra = CT_FAIL, *rb = CT_FAIL;
	CHECK_OK(async_std_join(a, &ra));
	CHECK_OK(async_std_join(b, &rb));
	CHECK(ra == NULL && rb == NULL);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

/* A spawner that keeps running without a switch: an idle worker must still
 * start what it spawned (a new task the spawner would run at its next
 * switch is taken by another worker when that switch does not come). */
static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *set_flag(void *p)
{
	atomic_store((atomic_int *)p, 1);
	return NULL;
}

static void *spawn_then_spin(void *p)
{
	atomic_int *started = p;
	async_std_task *c = async_std_spawn(set_flag, started);
	CHECK(c != NULL);
	int64_t end = mono_ns() + ct_deadline_ns / 4;
	while (!atomic_load(started) && mono_ns() < end)
		; /* no switch: only another worker can run the child */
	int seen = atomic_load(started);
	CHECK_OK(async_std_join(c, NULL));
	return seen ? NULL : (void *)2;
}

static void *record_thread(void *p)
{
	*(pthread_t *)p = pthread_self();
	return NULL;
}

/* From a plain thread, LOCAL spawns go to the workers in turn. */
static void *two_workers_probe(void *p)
{
	pthread_t *th = p;
	async_std_spawn_attr local = { .size = sizeof local, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *a = async_std_spawn_ex(record_thread, &th[0], &local);
	async_std_task *b = async_std_spawn_ex(record_thread, &th[1], &local);
	CHECK(a && b);
	CHECK_OK(async_std_join(a, NULL));
	CHECK_OK(async_std_join(b, NULL));
	return NULL;
}

CT_TEST(a_task_spawned_by_a_spinning_task_starts_on_another_worker)
{
	pthread_t *th = ct_alloc(2 * sizeof *th);
	if (ct_in_plain_thread(two_workers_probe, th))
		return CT_FAIL;
	if (pthread_equal(th[0], th[1]))
		CT_SKIP("one worker (ASYNC_STD_THREADS=1): no other worker to start it");
	atomic_int *started = ct_alloc(sizeof *started);
	async_std_task *t = async_std_spawn(spawn_then_spin, started);
	CHECK(t != NULL);
	void *res = CT_FAIL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_MSG(res != (void *)2, "the child started only when its spinning spawner joined it");
	CHECK(res == NULL);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(block_on_from_the_main_thread_returns_the_result),
	cmocka_unit_test(block_on_with_null_fn_on_a_plain_thread_fails_with_EINVAL),
	cmocka_unit_test(block_on_from_several_plain_threads_at_once),
	cmocka_unit_test(self_is_null_and_yield_returns_0_on_a_plain_thread),
	cmocka_unit_test(sleep_on_a_plain_thread_blocks_it_for_the_time),
	cmocka_unit_test(deadline_on_a_plain_thread_times_out_its_blocking_calls),
	cmocka_unit_test(read_on_a_plain_thread_is_woken_by_a_task_write),
	cmocka_unit_test(task_read_is_woken_by_a_write_from_a_plain_thread),
	cmocka_unit_test(read_and_write_between_two_plain_threads),
	cmocka_unit_test(poll_on_a_plain_thread_is_woken_by_a_task_write),
	cmocka_unit_test(plain_thread_spawns_and_joins_tasks),
	cmocka_unit_test(plain_thread_joins_a_task_spawned_by_a_task),
	cmocka_unit_test(plain_thread_cancels_a_task_blocked_in_read),
	cmocka_unit_test(socket_reader_is_woken_by_a_writer_on_another_worker),
	cmocka_unit_test(joiner_is_woken_by_a_task_ending_on_another_worker),
	cmocka_unit_test(ping_pong_between_tasks_on_any_workers),
	cmocka_unit_test(a_task_spawned_by_a_spinning_task_starts_on_another_worker),
};
CT_GROUP(ct_threads_group, "plain threads and workers", tests);
