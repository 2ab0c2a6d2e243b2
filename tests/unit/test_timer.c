/* SPDX-License-Identifier: MIT */
/* test_timer.c - the per-worker timer heap: order, disarm, next delay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core.h"

#define N 1000

static struct as_worker w;
static struct as_timer timers[N];
static struct as_parker parkers[N];

static void arm_all(void)
{
	srand(42);
	for (int i = 0; i < N; i++) {
		parkers[i].task = NULL;
		atomic_store(&parkers[i].state, AS_PK_WAIT);
		timers[i] = (struct as_timer){ .when = 1000 + rand() % 100000, .parker = &parkers[i] };
		as__timer_arm(&w, &timers[i]);
	}
}

static int fired(int i)
{
	return (atomic_load(&parkers[i].state) & 3) == AS_PK_WOKEN;
}

static void test_timers_fire_in_deadline_order(void **state)
{
	(void)state;
	arm_all();
	int64_t now = 0;
	while (w.timers.n) {
		int64_t next = as__timers_run(&w, now);
		/* Everything due by now fired, nothing later did. */
		for (int i = 0; i < N; i++)
			assert_int_equal(fired(i), timers[i].when <= now);
		if (next < 0)
			break;
		now += next;
	}
	for (int i = 0; i < N; i++)
		assert_true(fired(i));
}

static void test_disarmed_timer_never_fires(void **state)
{
	(void)state;
	arm_all();
	for (int i = 0; i < N; i += 3)
		as__timer_disarm(&w, &timers[i]);
	assert_int_equal(as__timers_run(&w, INT64_MAX), -1);
	for (int i = 0; i < N; i++)
		assert_int_equal(fired(i), i % 3 != 0);
}

static void test_next_delay_is_earliest_deadline(void **state)
{
	(void)state;
	struct as_parker p = { .task = NULL };
	atomic_store(&p.state, AS_PK_WAIT);
	struct as_timer a = { .when = 500, .parker = &p }, b = { .when = 300, .parker = &p };
	as__timer_arm(&w, &a);
	as__timer_arm(&w, &b);
	assert_int_equal(as__timers_run(&w, 100), 200);
	as__timer_disarm(&w, &b);
	assert_int_equal(as__timers_run(&w, 100), 400);
	as__timer_disarm(&w, &a);
	assert_int_equal(as__timers_run(&w, 100), -1);
}

static void test_deadline_push_never_extends(void **state)
{
	(void)state;
	assert_int_equal(as__deadline_push(1000), -1);
	assert_int_equal(as__deadline_push(5000), 1000); /* later: ignored */
	assert_int_equal(as__deadline(), 1000);
	assert_int_equal(as__deadline_push(500), 1000);
	assert_int_equal(as__deadline(), 500);
	as__deadline_pop(1000);
	assert_int_equal(as__deadline(), 1000);
	as__deadline_pop(-1);
	assert_int_equal(as__deadline(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_disarmed_timer_never_fires),
		cmocka_unit_test(test_next_delay_is_earliest_deadline),
		cmocka_unit_test(test_deadline_push_never_extends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
