/* SPDX-License-Identifier: MIT */
/*
 * test_park.c - parking and wake-ups between plain threads (futex path).
 * The parked thread checks with TC_CHECK* (task_check.h), never with
 * cmocka's asserts, which belong to cmocka's thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core.h"
#include "task_check.h"

struct parked {
	struct as_parker *_Atomic parker;
	_Atomic bool gave_up; /* park_prepare failed: nobody will park */
	int64_t deadline;
	bool cancellable;
	int result;
};

static void *park_and_wait(struct parked *p)
{
	TC_CHECK_INT(as__park_prepare(p->cancellable), ==, 0);
	atomic_store(&p->parker, as__self_parker());
	p->result = as__park_wait(p->deadline);
	return NULL;
}

static void *park_thread(void *arg)
{
	struct parked *p = arg;
	void *r = park_and_wait(p);
	if (r)
		atomic_store(&p->gave_up, true); /* a check failed: nobody will park */
	return r;
}

/* The thread's parker once it sleeps, or NULL if it could not park (its
 * check failed; tc_assert_none after the join says why). */
static struct as_parker *wait_parked(struct parked *p)
{
	struct as_parker *k;
	while (!(k = atomic_load(&p->parker)))
		if (atomic_load(&p->gave_up))
			return NULL;
		else
			sched_yield();
	/* Wait until it is really asleep, to exercise the futex wake. */
	while ((atomic_load(&k->state) & 3) != AS_PK_PARKED)
		sched_yield();
	return k;
}

static void test_unpark_wakes_thread_asleep_on_futex(void **state)
{
	(void)state;
	struct parked p = { .deadline = -1, .cancellable = true };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, park_thread, &p), 0);
	struct as_parker *k = wait_parked(&p);
	bool woke = k && as__unpark(k, AS_WAKE_EVENT);
	pthread_join(th, NULL);
	tc_assert_none();
	assert_true(woke);
	assert_int_equal(p.result, 0);
}

static void test_unpark_before_wait_is_not_lost(void **state)
{
	(void)state;
	assert_int_equal(as__park_prepare(true), 0);
	assert_true(as__unpark(as__self_parker(), AS_WAKE_EVENT));
	assert_int_equal(as__park_wait(-1), 0);
}

static void test_only_first_waker_wins(void **state)
{
	(void)state;
	assert_int_equal(as__park_prepare(true), 0);
	assert_true(as__unpark(as__self_parker(), AS_WAKE_TIMEOUT));
	assert_false(as__unpark(as__self_parker(), AS_WAKE_EVENT));
	assert_int_equal(as__park_wait(-1), -ETIMEDOUT);
	/* Idle again: a late waker finds nobody. */
	assert_false(as__unpark(as__self_parker(), AS_WAKE_EVENT));
}

static void test_deadline_ends_wait_with_etimedout(void **state)
{
	(void)state;
	assert_int_equal(as__park_prepare(true), 0);
	assert_int_equal(as__park_wait(as__now() + 1000000), -ETIMEDOUT);
}

static void test_past_deadline_returns_at_once(void **state)
{
	(void)state;
	assert_int_equal(as__park_prepare(true), 0);
	assert_int_equal(as__park_wait(0), -ETIMEDOUT);
}

static void test_cancel_ignored_by_uncancellable_wait(void **state)
{
	(void)state;
	struct parked p = { .deadline = -1, .cancellable = false };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, park_thread, &p), 0);
	struct as_parker *k = wait_parked(&p);
	bool cancelled = k && as__unpark(k, AS_WAKE_CANCEL);
	bool woke = k && as__unpark(k, AS_WAKE_EVENT);
	pthread_join(th, NULL);
	tc_assert_none();
	assert_false(cancelled);
	assert_true(woke);
	assert_int_equal(p.result, 0);
}

static void test_cancel_wakes_cancellable_wait(void **state)
{
	(void)state;
	struct parked p = { .deadline = -1, .cancellable = true };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, park_thread, &p), 0);
	struct as_parker *k = wait_parked(&p);
	bool woke = k && as__unpark(k, AS_WAKE_CANCEL);
	pthread_join(th, NULL);
	tc_assert_none();
	assert_true(woke);
	assert_int_equal(p.result, -ECANCELED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpark_wakes_thread_asleep_on_futex),
		cmocka_unit_test(test_unpark_before_wait_is_not_lost),
		cmocka_unit_test(test_only_first_waker_wins),
		cmocka_unit_test(test_deadline_ends_wait_with_etimedout),
		cmocka_unit_test(test_past_deadline_returns_at_once),
		cmocka_unit_test(test_cancel_ignored_by_uncancellable_wait),
		cmocka_unit_test(test_cancel_wakes_cancellable_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
