/* SPDX-License-Identifier: MIT */
/*
 * test_sched.c - scheduling rules: locality, no migration, stealing, FIFO,
 * and spawn's two halves (create, then enqueue).
 * Tasks check with TC_CHECK* (task_check.h), never with cmocka's asserts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core.h"
#include "task_check.h"

/* Runs fn as a task; its failed checks fail the test here, on cmocka's
 * thread. */
static void on_block(async_std_fn fn, void *arg)
{
	void *r = NULL;
	assert_int_equal(async_std_block_on(fn, arg, &r), 0);
	tc_assert_none();
	assert_null(r);
}

/* ---- ASYNC_STD_SPAWN_LOCAL keeps a task on its spawner's worker ---------- */
static void *whereami(void *arg)
{
	(void)arg;
	return (void *)pthread_self();
}

static void *spawn_local_many(void *arg)
{
	(void)arg;
	async_std_spawn_attr a = { .size = sizeof a, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *t[200];
	for (int i = 0; i < 200; i++)
		TC_CHECK((t[i] = async_std_spawn_ex(whereami, NULL, &a)) != NULL);
	for (int i = 0; i < 200; i++) {
		void *th;
		TC_CHECK_INT(async_std_join(t[i], &th), ==, 0);
		TC_CHECK(pthread_equal((pthread_t)th, pthread_self()));
	}
	return NULL;
}

static void test_local_tasks_run_on_spawner_worker(void **state)
{
	(void)state;
	on_block(spawn_local_many, NULL);
}

/* ---- a started task never moves to another thread ------------------------ */
static void *hop_around(void *arg)
{
	(void)arg;
	pthread_t first = pthread_self();
	for (int i = 0; i < 50; i++) {
		if (i % 2)
			async_std_yield();
		else
			async_std_sleep(10000);
		TC_CHECK(pthread_equal(first, pthread_self()));
	}
	return NULL;
}

static void *spawn_hoppers(void *arg)
{
	(void)arg;
	async_std_task *t[64];
	for (int i = 0; i < 64; i++)
		TC_CHECK((t[i] = async_std_spawn(hop_around, NULL)) != NULL);
	for (int i = 0; i < 64; i++) {
		void *moved;
		TC_CHECK_INT(async_std_join(t[i], &moved), ==, 0);
		TC_CHECK(moved == NULL);
	}
	return NULL;
}

static void test_started_task_never_changes_thread(void **state)
{
	(void)state;
	on_block(spawn_hoppers, NULL);
}

/* ---- an idle worker steals a task that has not started ------------------- */
static _Atomic int flag;

static void *spin_until_flag(void *arg)
{
	(void)arg;
	int64_t give_up = async_std_now() + TC_PATIENCE_NS;
	/* Spins without yielding: the task behind it on this worker can only run
	 * if another worker steals it. */
	while (!atomic_load(&flag))
		TC_CHECK(async_std_now() < give_up);
	return NULL;
}

static void *set_flag(void *arg)
{
	(void)arg;
	atomic_store(&flag, 1);
	return NULL;
}

static void *spin_and_set(void *arg)
{
	(void)arg;
	atomic_store(&flag, 0);
	async_std_task *a = async_std_spawn(spin_until_flag, NULL);
	async_std_task *b = async_std_spawn(set_flag, NULL);
	TC_CHECK(a && b);
	void *ra, *rb;
	TC_CHECK_INT(async_std_join(a, &ra), ==, 0);
	TC_CHECK_INT(async_std_join(b, &rb), ==, 0);
	TC_CHECK(ra == NULL);
	return NULL;
}

static void test_idle_worker_steals_unstarted_task(void **state)
{
	(void)state;
	if (as__config()->threads < 2)
		skip(); /* needs two workers: run with ASYNC_STD_THREADS >= 2 */
	on_block(spin_and_set, NULL);
}

/* ---- the ready queue is FIFO ----------------------------------------------- */
static int order[12];
static int norder;

static void *append_and_yield(void *arg)
{
	for (int i = 0; i < 4; i++) {
		order[norder++] = (int)(intptr_t)arg;
		async_std_yield();
	}
	return NULL;
}

static void *three_yielders(void *arg)
{
	(void)arg;
	async_std_spawn_attr a = { .size = sizeof a, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *t[3];
	norder = 0;
	for (intptr_t i = 0; i < 3; i++)
		TC_CHECK((t[i] = async_std_spawn_ex(append_and_yield, (void *)i, &a)) != NULL);
	for (int i = 0; i < 3; i++)
		TC_CHECK_INT(async_std_join(t[i], NULL), ==, 0);
	return NULL;
}

static void test_ready_queue_is_fifo(void **state)
{
	(void)state;
	on_block(three_yielders, NULL);
	assert_int_equal(norder, 12);
	for (int i = 0; i < 12; i++)
		assert_int_equal(order[i], i % 3);
}

/* ---- spawn is create, then enqueue ----------------------------------------- */
static void *mark_ran(void *arg)
{
	atomic_store((_Atomic int *)arg, 1);
	return NULL;
}

static void *create_yield_enqueue(void *arg)
{
	(void)arg;
	_Atomic int ran = 0;
	async_std_spawn_attr a = { .size = sizeof a, .flags = ASYNC_STD_SPAWN_LOCAL };
	struct as_task *t = as__task_create(mark_ran, &ran, &a);
	TC_CHECK(t != NULL);
	if (!t)
		return NULL;
	async_std_task *h = as__task_handle(t);
	/* A queued local task would have run by now: this one is not queued. */
	for (int i = 0; i < 10; i++)
		async_std_yield();
	TC_CHECK_INT(atomic_load(&ran), ==, 0);
	as__enqueue_new(t);
	TC_CHECK_INT(async_std_join(h, NULL), ==, 0);
	TC_CHECK_INT(atomic_load(&ran), ==, 1);
	return NULL;
}

static void test_created_task_runs_only_once_enqueued(void **state)
{
	(void)state;
	on_block(create_yield_enqueue, NULL);
}

static void *create_discard(void *arg)
{
	(void)arg;
	_Atomic int ran = 0;
	struct as_task *t = as__task_create(mark_ran, &ran, NULL);
	TC_CHECK(t != NULL);
	if (!t)
		return NULL;
	async_std_task *h = as__task_handle(t);
	as__task_discard(t);
	TC_CHECK(as__task_from_handle(h) == NULL);
	async_std_yield();
	TC_CHECK_INT(atomic_load(&ran), ==, 0);
	return NULL;
}

static void test_discarded_task_never_runs_and_its_handle_is_stale(void **state)
{
	(void)state;
	on_block(create_discard, NULL);
}

static void test_create_without_a_function_is_EINVAL(void **state)
{
	(void)state;
	errno = 0;
	assert_null(as__task_create(NULL, NULL, NULL));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_tasks_run_on_spawner_worker),
		cmocka_unit_test(test_started_task_never_changes_thread),
		cmocka_unit_test(test_idle_worker_steals_unstarted_task),
		cmocka_unit_test(test_ready_queue_is_fifo),
		cmocka_unit_test(test_created_task_runs_only_once_enqueued),
		cmocka_unit_test(test_discarded_task_never_runs_and_its_handle_is_stale),
		cmocka_unit_test(test_create_without_a_function_is_EINVAL),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
