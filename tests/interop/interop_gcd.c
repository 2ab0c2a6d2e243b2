/* SPDX-License-Identifier: MIT */
/*
 * interop_gcd.c - gcd's queue semantics: serial order, gcd_sync's EDEADLK,
 * gcd_after, bad arguments, gcd_sync from a plain thread (interop.c has the
 * overview).
 */
#include "interop.h"

/* ---- gcd semantics -------------------------------------------------------- */
#define ITEMS 1000

struct serial {
	long counter;
	long order[ITEMS];
};

struct serial_item {
	struct serial *s;
	long index;
};

static void *serial_step(void *arg)
{
	struct serial_item *it = arg;
	long c = it->s->counter;
	async_std_sleep(0); /* a real suspension: the queue must still wait */
	it->s->order[c] = it->index;
	it->s->counter = c + 1;
	return NULL;
}

static void *serial_fifo(void *unused)
{
	(void)unused;
	static struct serial s;
	static struct serial_item items[ITEMS];
	memset(&s, 0, sizeof s);
	gcd_queue *q = gcd_queue_create("serial", GCD_QUEUE_SERIAL);
	CHECK(q);
	async_std_task *last = NULL;
	for (long i = 0; i < ITEMS; i++) {
		items[i] = (struct serial_item){ &s, i };
		if (i == ITEMS - 1)
			CHECK((last = gcd_spawn(q, serial_step, &items[i])) != NULL);
		else
			CHECK(gcd_async(q, serial_step, &items[i]) == 0);
	}
	CHECK(async_std_join(last, NULL) == 0);
	if (s.counter != ITEMS)
		return FAIL("%ld increments of %d: items overlapped", s.counter, ITEMS);
	for (long i = 0; i < ITEMS; i++)
		if (s.order[i] != i)
			return FAIL("item %ld ran %ldth", s.order[i], i);
	/* The last item has ended but may still be handing the queue over. */
	for (int i = 0; i < 1000 && gcd_queue_destroy(q) != 0; i++) {
		CHECK(errno == EBUSY);
		async_std_sleep(MS);
	}
	return NULL;
}

static void test_serial_queue_runs_items_one_at_a_time_in_order(void **state)
{
	(void)state;
	run(serial_fifo);
}

static gcd_queue *deadlock_q;

static void *syncs_onto_own_queue(void *arg)
{
	(void)arg;
	errno = 0;
	int r = gcd_sync(deadlock_q, returns_7, NULL, NULL);
	return (void *)(intptr_t)(r == -1 ? errno : 0);
}

static void *sync_deadlock(void *unused)
{
	(void)unused;
	deadlock_q = gcd_queue_create("self", GCD_QUEUE_SERIAL);
	CHECK(deadlock_q);
	void *r = NULL;
	CHECK(gcd_sync(deadlock_q, syncs_onto_own_queue, NULL, &r) == 0);
	if ((intptr_t)r != EDEADLK)
		return FAIL("gcd_sync onto its own serial queue gave %s, want EDEADLK",
			    strerror((int)(intptr_t)r));
	CHECK(gcd_sync(deadlock_q, returns_7, NULL, &r) == 0 && r == (void *)7);
	for (int i = 0; i < 1000 && gcd_queue_destroy(deadlock_q) != 0; i++)
		async_std_sleep(MS);
	return NULL;
}

static void test_gcd_sync_onto_its_own_serial_queue_fails_with_EDEADLK(void **state)
{
	(void)state;
	run(sync_deadlock);
}

struct after {
	int64_t deadline, ran_at;
	async_std_chan *done;
};

static void *records_time(void *arg)
{
	struct after *a = arg;
	a->ran_at = async_std_now();
	int one = 1;
	async_std_chan_send(a->done, &one);
	return NULL;
}

static void *after_not_early(void *unused)
{
	(void)unused;
	struct after a = { .done = async_std_chan_create(sizeof(int), 1) };
	CHECK(a.done);
	gcd_queue *q = gcd_queue_create("after", GCD_QUEUE_SERIAL);
	CHECK(q);
	a.deadline = async_std_now() + 20 * MS;
	CHECK(gcd_after(q, a.deadline, records_time, &a) == 0);
	errno = 0;
	CHECK(gcd_queue_destroy(q) == -1 && errno == EBUSY);
	int one;
	CHECK(async_std_chan_recv(a.done, &one) == 0);
	if (a.ran_at < a.deadline)
		return FAIL("the item ran %lld ns early", (long long)(a.deadline - a.ran_at));
	for (int i = 0; i < 1000 && gcd_queue_destroy(q) != 0; i++)
		async_std_sleep(MS);
	async_std_chan_destroy(a.done);
	return NULL;
}

static void test_gcd_after_never_runs_early_and_keeps_its_queue_busy(void **state)
{
	(void)state;
	run(after_not_early);
}

static void test_bad_arguments_give_EINVAL(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(gcd_async(NULL, returns_7, NULL), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(gcd_spawn(gcd_global_queue(0), NULL, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(gcd_after(gcd_global_queue(0), -1, returns_7, NULL), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(gcd_queue_create("x", 7u));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(gcd_queue_destroy(gcd_global_queue(0)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(gcd_queue_destroy(NULL), -1);
	assert_int_equal(errno, EINVAL);
}

/* A plain thread: gcd_sync waits on a futex, not on a runtime. */
static void test_gcd_sync_from_a_plain_thread_returns_the_result(void **state)
{
	(void)state;
	void *r = NULL;
	assert_int_equal(gcd_sync(gcd_global_queue(0), returns_7, NULL, &r), 0);
	assert_ptr_equal(r, (void *)7);
}

const struct CMUnitTest iop_gcd_tests[] = {
	cmocka_unit_test(test_serial_queue_runs_items_one_at_a_time_in_order),
	cmocka_unit_test(test_gcd_sync_onto_its_own_serial_queue_fails_with_EDEADLK),
	cmocka_unit_test(test_gcd_after_never_runs_early_and_keeps_its_queue_busy),
	cmocka_unit_test(test_bad_arguments_give_EINVAL),
	cmocka_unit_test(test_gcd_sync_from_a_plain_thread_returns_the_result),
};
const size_t iop_gcd_tests_count = sizeof iop_gcd_tests / sizeof iop_gcd_tests[0];
