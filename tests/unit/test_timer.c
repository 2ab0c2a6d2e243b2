/* SPDX-License-Identifier: MIT */
/* test_timer.c - the per-worker timer heap: order, disarm, stale entries
 * (a disarmed timer stays in the heap until it reaches the top or a
 * compaction drops it), next delay, deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"

#define N 3000

static struct as_worker w;
static struct as_task tasks[N];
static uint32_t seqs[N];
static int64_t whens[N];

static int reset(void **state)
{
	(void)state;
	free(w.timers.v);
	memset(&w, 0, sizeof w);
	for (int i = 0; i < N; i++) {
		tasks[i].parker.task = NULL;
		atomic_store(&tasks[i].parker.state, AS_PK_WAIT);
	}
	return 0;
}

static void arm(int i, int64_t when)
{
	whens[i] = when;
	seqs[i] = as__timer_arm(&w, &tasks[i], when);
	assert_int_not_equal(seqs[i], 0);
}

static void arm_all(void)
{
	srand(42);
	for (int i = 0; i < N; i++)
		arm(i, 1000 + rand() % 100000);
}

static int fired(int i)
{
	return (atomic_load(&tasks[i].parker.state) & 3) == AS_PK_WOKEN;
}

static void test_timers_fire_in_deadline_order(void **state)
{
	(void)state;
	arm_all();
	int64_t now = 0;
	for (;;) {
		int64_t next = as__timers_run(&w, now);
		/* Everything due by now fired, nothing later did. */
		for (int i = 0; i < N; i++)
			assert_int_equal(fired(i), whens[i] <= now);
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
		as__timer_disarm(&w, &tasks[i], seqs[i]);
	assert_int_equal(as__timers_run(&w, INT64_MAX), -1);
	for (int i = 0; i < N; i++)
		assert_int_equal(fired(i), i % 3 != 0);
	assert_int_equal(w.timers.n, 0);
	assert_int_equal(w.timers.stale, 0);
}

static void test_next_delay_is_the_earliest_armed_deadline(void **state)
{
	(void)state;
	arm(0, 500);
	arm(1, 300);
	arm(2, 400);
	assert_int_equal(as__timers_run(&w, 100), 200);
	as__timer_disarm(&w, &tasks[1], seqs[1]); /* the top */
	assert_int_equal(as__timers_run(&w, 100), 300);
	as__timer_disarm(&w, &tasks[0], seqs[0]); /* stale below the top */
	assert_int_equal(as__timers_run(&w, 100), 300);
	as__timer_disarm(&w, &tasks[2], seqs[2]);
	assert_int_equal(as__timers_run(&w, 100), -1);
	assert_false(fired(0) || fired(1) || fired(2));
}

static void test_a_rearmed_timer_ignores_its_stale_entry(void **state)
{
	(void)state;
	arm(0, 1000);
	arm(1, 100); /* keeps task 0's first entry off the top */
	as__timer_disarm(&w, &tasks[0], seqs[0]);
	arm(0, 5000);
	assert_int_equal(as__timers_run(&w, 2000), 3000);
	assert_true(fired(1));
	assert_false(fired(0));
	assert_int_equal(as__timers_run(&w, 5000), -1);
	assert_true(fired(0));
}

static void test_disarming_a_fired_timer_does_nothing(void **state)
{
	(void)state;
	arm(0, 100);
	arm(1, 900);
	assert_int_equal(as__timers_run(&w, 200), 700);
	assert_true(fired(0));
	as__timer_disarm(&w, &tasks[0], seqs[0]);
	assert_int_equal(w.timers.n, 1);
	assert_int_equal(w.timers.stale, 0);
	assert_int_equal(as__timers_run(&w, 200), 700);
}

static void test_stale_entries_are_compacted(void **state)
{
	(void)state;
	arm_all();
	/* Keep every 100th: 30 armed, 2,970 disarmed (reads that finished long
	 * before their deadlines). */
	for (int i = 0; i < N; i++)
		if (i % 100)
			as__timer_disarm(&w, &tasks[i], seqs[i]);
	assert_in_range(w.timers.n, 30, 2 * 30 + 1024);
	assert_int_equal(as__timers_run(&w, INT64_MAX), -1);
	for (int i = 0; i < N; i++)
		assert_int_equal(fired(i), i % 100 == 0);
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
		cmocka_unit_test_setup(test_timers_fire_in_deadline_order, reset),
		cmocka_unit_test_setup(test_disarmed_timer_never_fires, reset),
		cmocka_unit_test_setup(test_next_delay_is_the_earliest_armed_deadline, reset),
		cmocka_unit_test_setup(test_a_rearmed_timer_ignores_its_stale_entry, reset),
		cmocka_unit_test_setup(test_disarming_a_fired_timer_does_nothing, reset),
		cmocka_unit_test_setup(test_stale_entries_are_compacted, reset),
		cmocka_unit_test_setup(test_deadline_push_never_extends, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
