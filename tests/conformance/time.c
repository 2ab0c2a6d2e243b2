/* SPDX-License-Identifier: MIT */
/*
 * time.c - now, sleep, sleep_until, and nested deadlines.
 *
 * Every body already runs under the harness's safety deadline
 * (ct_body_deadline); the deadlines pushed here are earlier ones.
 */
#include "conformance.h"

CT_TEST(now_is_positive_and_never_goes_back)
{
	int64_t prev = async_std_now();
	CHECK_INT(prev, >, 0);
	for (int i = 0; i < 100000; i++) {
		int64_t t = async_std_now();
		CHECK_INT(t, >=, prev);
		prev = t;
	}
	return NULL;
}

CT_TEST(now_advances_at_least_by_the_time_slept)
{
	int64_t t0 = async_std_now();
	CHECK_OK(async_std_sleep(2 * CT_MS));
	CHECK_INT(async_std_now() - t0, >=, 2 * CT_MS);
	return NULL;
}

CT_TEST(sleep_0_returns_0)
{
	CHECK_INT(async_std_sleep(0), ==, 0);
	return NULL;
}

CT_TEST(sleep_negative_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_sleep(-1), EINVAL);
	CHECK_ERRNO(async_std_sleep(INT64_MIN), EINVAL);
	return NULL;
}

CT_TEST(sleep_until_a_time_in_the_past_returns_0)
{
	int64_t now = async_std_now();
	CHECK_INT(async_std_sleep_until(now), ==, 0);
	CHECK_INT(async_std_sleep_until(now / 2), ==, 0);
	CHECK_INT(async_std_sleep_until(0), ==, 0);
	return NULL;
}

CT_TEST(sleep_until_negative_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_sleep_until(-1), EINVAL);
	return NULL;
}

CT_TEST(sleep_until_returns_once_now_reaches_the_time)
{
	int64_t t = async_std_now() + 3 * CT_MS;
	CHECK_OK(async_std_sleep_until(t));
	CHECK_INT(async_std_now(), >=, t);
	return NULL;
}

CT_TEST(deadline_push_returns_the_previous_deadline)
{
	int64_t outer = atomic_load(&ct_body_deadline);
	int64_t d1 = outer - CT_MS;
	int64_t p1 = async_std_deadline_push(d1);
	CHECK_INT(p1, ==, outer);
	int64_t p2 = async_std_deadline_push(d1 + CT_SEC);
	CHECK_INT(p2, ==, d1); /* the later deadline did not replace d1 */
	int64_t p3 = async_std_deadline_push(-1);
	CHECK_INT(p3, ==, d1); /* negative: no change */
	async_std_deadline_pop(p3);
	async_std_deadline_pop(p2);
	async_std_deadline_pop(p1);
	int64_t now_current = async_std_deadline_push(-1);
	async_std_deadline_pop(now_current);
	CHECK_INT(now_current, ==, outer);
	return NULL;
}

static void *push_on_fresh_thread(void *unused)
{
	(void)unused;
	int64_t p1 = async_std_deadline_push(async_std_now() + 10 * CT_SEC);
	CHECK_INT(p1, ==, -1);
	async_std_deadline_pop(p1);
	int64_t p2 = async_std_deadline_push(-1);
	CHECK_INT(p2, ==, -1);
	async_std_deadline_pop(p2);
	return NULL;
}

CT_TEST(deadline_push_on_a_thread_without_deadline_returns_minus_1)
{
	return ct_in_plain_thread_ex(push_on_fresh_thread, NULL, 0);
}

CT_TEST(sleep_past_a_pushed_deadline_fails_with_ETIMEDOUT_at_the_deadline)
{
	int64_t d = async_std_now() + 10 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	CHECK_ERRNO(async_std_sleep(60 * CT_SEC), ETIMEDOUT);
	CHECK_INT(async_std_now(), >=, d);
	async_std_deadline_pop(prev);
	return NULL;
}

CT_TEST(sleep_until_past_a_pushed_deadline_fails_with_ETIMEDOUT)
{
	int64_t d = async_std_now() + 10 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	CHECK_ERRNO(async_std_sleep_until(d + 60 * CT_SEC), ETIMEDOUT);
	CHECK_INT(async_std_now(), >=, d);
	async_std_deadline_pop(prev);
	return NULL;
}

CT_TEST(sleep_ending_before_the_deadline_returns_0)
{
	int64_t d = async_std_now() + 60 * CT_SEC;
	int64_t prev = async_std_deadline_push(d);
	CHECK_INT(async_std_sleep(CT_MS), ==, 0);
	async_std_deadline_pop(prev);
	return NULL;
}

CT_TEST(deadline_already_passed_fails_the_next_blocking_call_with_ETIMEDOUT)
{
	int64_t prev = async_std_deadline_push(async_std_now() - 1);
	CHECK_ERRNO(async_std_sleep(CT_MS), ETIMEDOUT);
	CHECK_ERRNO(async_std_sleep_until(async_std_now() + CT_MS), ETIMEDOUT);
	async_std_deadline_pop(prev);
	return NULL;
}

CT_TEST(nested_later_deadline_never_extends_an_earlier_one)
{
	int64_t inner_first = async_std_now() + 20 * CT_MS;
	int64_t p1 = async_std_deadline_push(inner_first);
	int64_t later = inner_first + 60 * CT_SEC;
	int64_t p2 = async_std_deadline_push(later);
	CHECK_INT(p2, ==, inner_first);
	/* Were the deadline extended to `later`, this would return 0. */
	CHECK_ERRNO(async_std_sleep_until(inner_first + 50 * CT_MS), ETIMEDOUT);
	CHECK_INT(async_std_now(), >=, inner_first);
	async_std_deadline_pop(p2);
	async_std_deadline_pop(p1);
	return NULL;
}

CT_TEST(deadline_pop_restores_the_outer_deadline)
{
	int64_t d = async_std_now() + 10 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	async_std_deadline_pop(prev);
	/* With d gone, sleeping past it succeeds. */
	CHECK_INT(async_std_sleep_until(d + 10 * CT_MS), ==, 0);
	return NULL;
}

CT_TEST(timeout_is_not_sticky_once_the_deadline_is_popped)
{
	int64_t prev = async_std_deadline_push(async_std_now() + 5 * CT_MS);
	CHECK_ERRNO(async_std_sleep(60 * CT_SEC), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_INT(async_std_sleep(CT_MS), ==, 0);
	CHECK_INT(async_std_sleep(0), ==, 0);
	return NULL;
}

struct sibling {
	atomic_int gate;
	int rc, err;
};

static void *sleeps_after_gate(void *p)
{
	struct sibling *s = p;
	if (ct_wait_flag(&s->gate, 1) != 0)
		return CT_FAIL;
	errno = 0;
	s->rc = async_std_sleep(5 * CT_MS);
	s->err = errno;
	return NULL;
}

CT_TEST(deadline_push_affects_only_the_calling_task)
{
	struct sibling *s = ct_alloc(sizeof *s);
	async_std_task *t = async_std_spawn(sleeps_after_gate, s);
	CHECK(t != NULL);
	int64_t prev = async_std_deadline_push(async_std_now() + CT_MS);
	errno = 0;
	int rc = async_std_sleep(60 * CT_SEC);
	int err = errno;
	async_std_deadline_pop(prev);
	atomic_store(&s->gate, 1);
	void *res = CT_FAIL;
	CHECK_OK(async_std_join(t, &res));
	CHECK(res == NULL);
	CHECK_MSG(rc == -1 && err == ETIMEDOUT, "own sleep: got %d/%s", rc, ct_errname(err));
	CHECK_MSG(s->rc == 0, "the other task's sleep failed with %s", ct_errname(s->err));
	return NULL;
}

struct timer_flag {
	atomic_int set;
};

static void *sets_flag_after_a_timer(void *p)
{
	struct timer_flag *f = p;
	if (async_std_sleep(CT_MS) != 0)
		return CT_FAIL;
	atomic_store(&f->set, 1);
	return NULL;
}

CT_TEST(sleep_0_lets_due_timers_and_other_tasks_of_the_worker_run)
{
	/* The other task is LOCAL: it can only run, and its timer only fire,
	 * when this one's sleep(0) lets them.  Without that, the loop ends
	 * at the safety deadline with ETIMEDOUT. */
	struct timer_flag *f = ct_alloc(sizeof *f);
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *t = async_std_spawn_ex(sets_flag_after_a_timer, f, &attr);
	CHECK(t != NULL);
	while (!atomic_load(&f->set))
		CHECK_OK(async_std_sleep(0));
	void *res = CT_FAIL;
	CHECK_OK(async_std_join(t, &res));
	CHECK(res == NULL);
	return NULL;
}

CT_TEST(sleep_of_INT64_MAX_ends_at_the_deadline_with_ETIMEDOUT)
{
	int64_t d = async_std_now() + 5 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	CHECK_ERRNO(async_std_sleep(INT64_MAX), ETIMEDOUT);
	CHECK_INT(async_std_now(), >=, d);
	CHECK_ERRNO(async_std_sleep_until(INT64_MAX), ETIMEDOUT);
	async_std_deadline_pop(prev);
	return NULL;
}

CT_TEST(deadline_push_of_INT64_MAX_keeps_the_current_deadline)
{
	int64_t outer = atomic_load(&ct_body_deadline);
	int64_t prev = async_std_deadline_push(INT64_MAX);
	CHECK_INT(prev, ==, outer);
	int64_t cur = async_std_deadline_push(-1);
	async_std_deadline_pop(cur);
	CHECK_INT(cur, ==, outer);
	CHECK_INT(async_std_sleep(CT_MS), ==, 0);
	async_std_deadline_pop(prev);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(now_is_positive_and_never_goes_back),
	cmocka_unit_test(now_advances_at_least_by_the_time_slept),
	cmocka_unit_test(sleep_0_returns_0),
	cmocka_unit_test(sleep_negative_fails_with_EINVAL),
	cmocka_unit_test(sleep_until_a_time_in_the_past_returns_0),
	cmocka_unit_test(sleep_until_negative_fails_with_EINVAL),
	cmocka_unit_test(sleep_until_returns_once_now_reaches_the_time),
	cmocka_unit_test(deadline_push_returns_the_previous_deadline),
	cmocka_unit_test(deadline_push_on_a_thread_without_deadline_returns_minus_1),
	cmocka_unit_test(sleep_past_a_pushed_deadline_fails_with_ETIMEDOUT_at_the_deadline),
	cmocka_unit_test(sleep_until_past_a_pushed_deadline_fails_with_ETIMEDOUT),
	cmocka_unit_test(sleep_ending_before_the_deadline_returns_0),
	cmocka_unit_test(deadline_already_passed_fails_the_next_blocking_call_with_ETIMEDOUT),
	cmocka_unit_test(nested_later_deadline_never_extends_an_earlier_one),
	cmocka_unit_test(deadline_pop_restores_the_outer_deadline),
	cmocka_unit_test(timeout_is_not_sticky_once_the_deadline_is_popped),
	cmocka_unit_test(deadline_push_affects_only_the_calling_task),
	cmocka_unit_test(sleep_0_lets_due_timers_and_other_tasks_of_the_worker_run),
	cmocka_unit_test(sleep_of_INT64_MAX_ends_at_the_deadline_with_ETIMEDOUT),
	cmocka_unit_test(deadline_push_of_INT64_MAX_keeps_the_current_deadline),
};
CT_GROUP(ct_time_group, "time", tests);
