/* SPDX-License-Identifier: MIT */
/*
 * tasks.c - spawn, spawn_ex attributes, join, detach, cancel of finished
 * tasks, self, task_id, yield, many tasks, and misuse of handles.
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define N_MANY 10000

static void *return_arg(void *arg)
{
	return arg;
}

static void *plus_one(void *arg)
{
	return (void *)((uintptr_t)arg + 1);
}

/* A child that waits until *gate is set, then returns its argument. */
struct gated {
	atomic_int gate;
	atomic_int started;
	atomic_int done;
	void *value;
};

static void *gated_child(void *p)
{
	struct gated *g = p;
	atomic_store(&g->started, 1);
	int rc = ct_wait_flag(&g->gate, 1);
	/* Read before `done`: a test may free g as soon as it sees done. */
	void *value = g->value;
	atomic_store(&g->done, 1);
	return rc == 0 ? value : CT_FAIL;
}

/* ---- spawn and join ---------------------------------------------------- */

CT_TEST(spawn_and_join_returns_the_task_result)
{
	async_std_task *t = async_std_spawn(plus_one, (void *)41);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 42);
	return NULL;
}

CT_TEST(join_with_a_null_result_pointer_succeeds)
{
	async_std_task *t = async_std_spawn(plus_one, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	return NULL;
}

static void *sleeps_then_returns(void *arg)
{
	if (async_std_sleep(2 * CT_MS) != 0)
		return CT_FAIL;
	return arg;
}

CT_TEST(join_waits_for_a_task_that_blocks)
{
	async_std_task *t = async_std_spawn(sleeps_then_returns, (void *)7);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 7);
	return NULL;
}

CT_TEST(spawn_with_null_fn_fails_with_EINVAL)
{
	CHECK_NULL_ERRNO(async_std_spawn(NULL, NULL), EINVAL);
	return NULL;
}

CT_TEST(spawn_ex_with_null_fn_fails_with_EINVAL)
{
	async_std_spawn_attr attr = { .size = sizeof attr };
	CHECK_NULL_ERRNO(async_std_spawn_ex(NULL, NULL, &attr), EINVAL);
	CHECK_NULL_ERRNO(async_std_spawn_ex(NULL, NULL, NULL), EINVAL);
	return NULL;
}

CT_TEST(spawn_ex_with_null_attr_behaves_like_spawn)
{
	async_std_task *t = async_std_spawn_ex(plus_one, (void *)1, NULL);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 2);
	return NULL;
}

CT_TEST(spawn_ex_with_a_long_name_runs_the_task)
{
	char name[64];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	async_std_spawn_attr attr = { .size = sizeof attr, .name = name };
	async_std_task *t = async_std_spawn_ex(plus_one, (void *)2, &attr);
	CHECK(t != NULL);
	/* The name is copied: the caller's buffer may change at once. */
	memset(name, 0, sizeof name);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 3);
	return NULL;
}

static void *uses_48k_of_stack(void *arg)
{
	volatile char big[48 * 1024];
	memset((char *)big, 0x5a, sizeof big);
	size_t sum = 0;
	for (size_t i = 0; i < sizeof big; i += 4096)
		sum += (unsigned char)big[i];
	return (void *)sum;
}

CT_TEST(spawn_ex_with_stack_size_gives_a_usable_stack_of_that_size)
{
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = 128 * 1024 };
	async_std_task *t = async_std_spawn_ex(uses_48k_of_stack, NULL, &attr);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 12 * 0x5a);
	return NULL;
}

CT_TEST(spawn_ex_with_the_minimum_16k_stack_works)
{
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = 16 * 1024 };
	async_std_task *t = async_std_spawn_ex(sleeps_then_returns, (void *)5, &attr);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 5);
	return NULL;
}

CT_TEST(spawn_ex_with_stack_size_below_16k_fails_with_EINVAL)
{
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = 16 * 1024 - 1 };
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	attr.stack_size = 4096;
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	return NULL;
}

struct stack_probe {
	char *lo, *hi;
};

static void *reports_if_on_stack(void *p)
{
	struct stack_probe *sp = p;
	char here;
	int inside = (char *)&here >= sp->lo && (char *)&here < sp->hi;
	/* Blocking on the caller's stack must work too. */
	if (async_std_sleep(CT_MS) != 0)
		return CT_FAIL;
	return (void *)(uintptr_t)(inside ? 1 : 2);
}

CT_TEST(spawn_ex_with_a_caller_stack_runs_on_that_stack)
{
	size_t size = 64 * 1024;
	char *stack = ct_alloc(size + 64);
	struct stack_probe *sp = ct_alloc(sizeof *sp);
	sp->lo = stack;
	sp->hi = stack + size + 64;
	async_std_spawn_attr attr = {
		.size = sizeof attr, .stack = stack, .stack_size = size,
	};
	async_std_task *t = async_std_spawn_ex(reports_if_on_stack, sp, &attr);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK(res != CT_FAIL);
	CHECK_MSG((uintptr_t)res == 1, "task did not run on the caller-provided stack");
	return NULL;
}

CT_TEST(spawn_ex_with_an_unknown_flag_fails_with_EINVAL)
{
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = 0x80000000u };
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	attr.flags = ASYNC_STD_SPAWN_LOCAL | 0x100u;
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	return NULL;
}

CT_TEST(spawn_ex_with_attr_size_too_small_fails_with_EINVAL)
{
	async_std_spawn_attr attr = { .size = 0 };
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	attr.size = sizeof(size_t);
	CHECK_NULL_ERRNO(async_std_spawn_ex(plus_one, NULL, &attr), EINVAL);
	return NULL;
}

static void *reports_thread(void *p)
{
	pthread_t *out = p;
	*out = pthread_self();
	async_std_yield();
	if (!pthread_equal(*out, pthread_self()))
		return CT_FAIL; /* a started task moved to another thread */
	return NULL;
}

CT_TEST(spawn_ex_local_runs_on_the_spawning_worker)
{
	pthread_t *seen = ct_alloc(20 * sizeof *seen);
	async_std_task *t[20];
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = ASYNC_STD_SPAWN_LOCAL };
	for (int i = 0; i < 20; i++) {
		t[i] = async_std_spawn_ex(reports_thread, &seen[i], &attr);
		CHECK(t[i] != NULL);
	}
	for (int i = 0; i < 20; i++) {
		void *res = CT_FAIL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK_MSG(res == NULL, "LOCAL task %d moved to another thread", i);
		CHECK_MSG(pthread_equal(seen[i], pthread_self()),
			  "LOCAL task %d ran on another worker than its spawner", i);
	}
	return NULL;
}

/* ---- misuse of handles -------------------------------------------------- */

CT_TEST(join_of_self_fails_with_EDEADLK)
{
	async_std_task *me = async_std_self();
	CHECK(me != NULL);
	void *res = (void *)1;
	CHECK_ERRNO(async_std_join(me, &res), EDEADLK);
	CHECK(res == (void *)1);
	return NULL;
}

CT_TEST(join_detach_cancel_of_null_fail_with_EINVAL)
{
	CHECK_ERRNO(async_std_join(NULL, NULL), EINVAL);
	CHECK_ERRNO(async_std_detach(NULL), EINVAL);
	CHECK_ERRNO(async_std_cancel(NULL), EINVAL);
	errno = 0;
	CHECK_INT(async_std_task_id(NULL), ==, 0);
	CHECK_INT(errno, ==, EINVAL);
	return NULL;
}

CT_TEST(join_of_an_already_joined_task_fails_with_EINVAL)
{
	async_std_task *t = async_std_spawn(plus_one, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_ERRNO(async_std_join(t, NULL), EINVAL);
	return NULL;
}

CT_TEST(stale_handle_never_reaches_a_task_that_reuses_its_slot)
{
	/* Several rounds so that slot reuse happens whatever the allocation
	 * policy. */
	for (uintptr_t i = 0; i < 8; i++) {
		async_std_task *old = async_std_spawn(plus_one, (void *)i);
		CHECK(old != NULL);
		CHECK_OK(async_std_join(old, NULL));
		async_std_task *fresh = async_std_spawn(plus_one, (void *)(i + 100));
		CHECK(fresh != NULL);
		CHECK_ERRNO(async_std_join(old, NULL), EINVAL);
		CHECK_ERRNO(async_std_detach(old), EINVAL);
		CHECK_ERRNO(async_std_cancel(old), EINVAL);
		void *res = NULL;
		CHECK_OK(async_std_join(fresh, &res));
		CHECK_INT((uintptr_t)res, ==, i + 101);
	}
	return NULL;
}

CT_TEST(cancel_of_a_joined_task_fails_with_EINVAL)
{
	async_std_task *t = async_std_spawn(plus_one, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_ERRNO(async_std_cancel(t), EINVAL);
	return NULL;
}

CT_TEST(join_of_a_running_detached_task_fails_with_EINVAL)
{
	struct gated *g = ct_alloc(sizeof *g);
	async_std_task *t = async_std_spawn(gated_child, g);
	CHECK(t != NULL);
	CHECK_OK(async_std_detach(t));
	errno = 0;
	int rc = async_std_join(t, NULL);
	int err = errno;
	atomic_store(&g->gate, 1);
	CHECK_INT(ct_wait_flag(&g->done, 1), ==, 0);
	CHECK_MSG(rc == -1 && err == EINVAL,
		  "join of a detached task: expected -1/EINVAL, got %d/%s", rc, ct_errname(err));
	return NULL;
}

CT_TEST(join_of_a_detached_task_that_finished_fails_with_EINVAL)
{
	struct gated *g = ct_alloc(sizeof *g);
	atomic_store(&g->gate, 1);
	async_std_task *t = async_std_spawn(gated_child, g);
	CHECK(t != NULL);
	CHECK_OK(async_std_detach(t));
	CHECK_INT(ct_wait_flag(&g->done, 1), ==, 0);
	CHECK_ERRNO(async_std_join(t, NULL), EINVAL);
	return NULL;
}

CT_TEST(detach_twice_fails_with_EINVAL)
{
	struct gated *g = ct_alloc(sizeof *g);
	async_std_task *t = async_std_spawn(gated_child, g);
	CHECK(t != NULL);
	CHECK_OK(async_std_detach(t));
	errno = 0;
	int rc = async_std_detach(t);
	int err = errno;
	atomic_store(&g->gate, 1);
	CHECK_INT(ct_wait_flag(&g->done, 1), ==, 0);
	CHECK_MSG(rc == -1 && err == EINVAL,
		  "second detach: expected -1/EINVAL, got %d/%s", rc, ct_errname(err));
	return NULL;
}

CT_TEST(detach_of_a_finished_task_releases_it)
{
	struct gated *g = ct_alloc(sizeof *g);
	atomic_store(&g->gate, 1);
	async_std_task *t = async_std_spawn(gated_child, g);
	CHECK(t != NULL);
	CHECK_INT(ct_wait_flag(&g->done, 1), ==, 0);
	CHECK_OK(async_std_detach(t));
	CHECK_ERRNO(async_std_join(t, NULL), EINVAL);
	return NULL;
}

struct joiner {
	async_std_task *target;
	atomic_int *einval_seen;
	int rc, err;
	void *res;
};

static void *join_target(void *p)
{
	struct joiner *j = p;
	errno = 0;
	j->rc = async_std_join(j->target, &j->res);
	j->err = errno;
	if (j->rc == -1 && j->err == EINVAL)
		atomic_fetch_add(j->einval_seen, 1);
	return NULL;
}

CT_TEST(second_joiner_of_a_task_being_joined_fails_with_EINVAL)
{
	struct gated *g = ct_alloc(sizeof *g);
	g->value = (void *)77;
	atomic_int *einval_seen = ct_alloc(sizeof *einval_seen);
	async_std_task *c = async_std_spawn(gated_child, g);
	CHECK(c != NULL);
	struct joiner *j = ct_alloc(2 * sizeof *j);
	async_std_task *jt[2];
	for (int i = 0; i < 2; i++) {
		j[i].target = c;
		j[i].einval_seen = einval_seen;
		jt[i] = async_std_spawn(join_target, &j[i]);
		CHECK(jt[i] != NULL);
	}
	/* Whichever joiner comes second must be refused at once; only then
	 * may the target finish. */
	int rc = ct_wait_flag(einval_seen, 1);
	int err = errno;
	atomic_store(&g->gate, 1);
	CHECK_MSG(rc == 0, "neither joiner was refused (waiting gave %s)", ct_errname(err));
	CHECK_OK(async_std_join(jt[0], NULL));
	CHECK_OK(async_std_join(jt[1], NULL));
	int winner = j[0].rc == 0 ? 0 : 1;
	CHECK_INT(j[winner].rc, ==, 0);
	CHECK_INT((uintptr_t)j[winner].res, ==, 77);
	CHECK_INT(j[1 - winner].rc, ==, -1);
	CHECK_ERR_VALUE(j[1 - winner].err, EINVAL);
	return NULL;
}

CT_TEST(cancel_of_a_finished_unjoined_task_is_a_noop)
{
	struct gated *g = ct_alloc(sizeof *g);
	g->value = (void *)99;
	atomic_store(&g->gate, 1);
	async_std_task *t = async_std_spawn(gated_child, g);
	CHECK(t != NULL);
	CHECK_INT(ct_wait_flag(&g->done, 1), ==, 0);
	CHECK_OK(async_std_cancel(t));
	CHECK_OK(async_std_cancel(t));
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 99);
	return NULL;
}

/* ---- identity of tasks -------------------------------------------------- */

CT_TEST(self_is_the_calling_task)
{
	async_std_task *me = async_std_self();
	CHECK(me != NULL);
	CHECK(async_std_self() == me);
	CHECK_INT(async_std_task_id(me), !=, 0);
	return NULL;
}

static void *reports_own_id(void *unused)
{
	(void)unused;
	return (void *)(uintptr_t)async_std_task_id(async_std_self());
}

CT_TEST(task_id_seen_by_the_task_matches_the_spawners_view)
{
	async_std_task *t = async_std_spawn(reports_own_id, NULL);
	CHECK(t != NULL);
	uint64_t id = async_std_task_id(t);
	CHECK_INT(id, !=, 0);
	CHECK_INT(id, !=, async_std_task_id(async_std_self()));
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, id);
	return NULL;
}

CT_TEST(task_id_of_a_joined_task_is_0_with_EINVAL)
{
	async_std_task *t = async_std_spawn(plus_one, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	errno = 0;
	CHECK_INT(async_std_task_id(t), ==, 0);
	CHECK_INT(errno, ==, EINVAL);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

CT_TEST(task_ids_are_nonzero_and_unique_even_when_slots_are_reused)
{
	enum { N = 2000 };
	uint64_t *ids = ct_alloc(N * sizeof *ids);
	for (int i = 0; i < N; i++) {
		async_std_task *t = async_std_spawn(reports_own_id, NULL);
		CHECK(t != NULL);
		ids[i] = async_std_task_id(t);
		CHECK_INT(ids[i], !=, 0);
		void *res = NULL;
		CHECK_OK(async_std_join(t, &res));
		CHECK_INT((uintptr_t)res, ==, ids[i]);
	}
	qsort(ids, N, sizeof *ids, cmp_u64);
	for (int i = 1; i < N; i++)
		CHECK_MSG(ids[i] != ids[i - 1], "task id %llu given twice",
			  (unsigned long long)ids[i]);
	return NULL;
}

/* ---- yield ------------------------------------------------------------- */

CT_TEST(yield_returns_0_in_a_task)
{
	for (int i = 0; i < 10; i++)
		CHECK_INT(async_std_yield(), ==, 0);
	return NULL;
}

#define YIELD_TASKS 3
#define YIELD_ROUNDS 50

struct yield_log {
	atomic_int len;
	char entry[YIELD_TASKS * YIELD_ROUNDS];
};

struct yielder {
	struct yield_log *log;
	char id;
};

static void *yield_loop(void *p)
{
	struct yielder *y = p;
	for (int i = 0; i < YIELD_ROUNDS; i++) {
		y->log->entry[atomic_fetch_add(&y->log->len, 1)] = y->id;
		if (async_std_yield() != 0)
			return CT_FAIL;
	}
	return NULL;
}

CT_TEST(yield_lets_every_other_runnable_task_of_the_worker_run_first)
{
	struct yield_log *log = ct_alloc(sizeof *log);
	struct yielder *y = ct_alloc(YIELD_TASKS * sizeof *y);
	async_std_task *t[YIELD_TASKS];
	/* LOCAL: the interleaving is promised among tasks of one worker. */
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = ASYNC_STD_SPAWN_LOCAL };
	for (int i = 0; i < YIELD_TASKS; i++) {
		y[i].log = log;
		y[i].id = (char)('A' + i);
		t[i] = async_std_spawn_ex(yield_loop, &y[i], &attr);
		CHECK(t[i] != NULL);
	}
	for (int i = 0; i < YIELD_TASKS; i++) {
		void *res = CT_FAIL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK(res == NULL);
	}
	int n = atomic_load(&log->len);
	CHECK_INT(n, ==, YIELD_TASKS * YIELD_ROUNDS);
	for (int i = 0; i + YIELD_TASKS <= n; i++) {
		for (int a = i; a < i + YIELD_TASKS; a++)
			for (int b = a + 1; b < i + YIELD_TASKS; b++)
				CHECK_MSG(log->entry[a] != log->entry[b],
					  "task %c ran twice (entries %d and %d of \"%.*s\") "
					  "while another runnable task waited",
					  log->entry[a], a, b, n, log->entry);
	}
	return NULL;
}

/* ---- many tasks --------------------------------------------------------- */

static void *times_two_plus_one(void *arg)
{
	if (((uintptr_t)arg & 63) == 0 && async_std_yield() != 0)
		return CT_FAIL;
	return (void *)((uintptr_t)arg * 2 + 1);
}

CT_TEST(ten_thousand_tasks_spawn_and_join_with_their_results)
{
	async_std_task **t = ct_alloc(N_MANY * sizeof *t);
	for (uintptr_t i = 0; i < N_MANY; i++) {
		t[i] = async_std_spawn(times_two_plus_one, (void *)i);
		CHECK_MSG(t[i] != NULL, "spawn %zu failed: %s", (size_t)i, ct_errname(errno));
	}
	for (uintptr_t i = 0; i < N_MANY; i++) {
		void *res = NULL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK_INT((uintptr_t)res, ==, i * 2 + 1);
	}
	return NULL;
}

static _Atomic int64_t many_wake_at;

static void *sleeps_until_common_time(void *arg)
{
	if (async_std_sleep_until(atomic_load(&many_wake_at)) != 0)
		return CT_FAIL;
	return (void *)((uintptr_t)arg ^ 0x5555);
}

CT_TEST(ten_thousand_sleeping_tasks_all_wake_and_join)
{
	async_std_task **t = ct_alloc(N_MANY * sizeof *t);
	/* Most of them sleep at the same time; the outcome does not depend on
	 * how many. */
	atomic_store(&many_wake_at, async_std_now() + 100 * CT_MS);
	for (uintptr_t i = 0; i < N_MANY; i++) {
		t[i] = async_std_spawn(sleeps_until_common_time, (void *)i);
		CHECK_MSG(t[i] != NULL, "spawn %zu failed: %s", (size_t)i, ct_errname(errno));
	}
	for (uintptr_t i = 0; i < N_MANY; i++) {
		void *res = NULL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK_INT((uintptr_t)res, ==, i ^ 0x5555);
	}
	return NULL;
}

static void *counts_and_returns(void *p)
{
	atomic_fetch_add((atomic_int *)p, 1);
	return NULL;
}

CT_TEST(ten_thousand_detached_tasks_all_run)
{
	atomic_int *count = ct_alloc(sizeof *count);
	for (int i = 0; i < N_MANY; i++) {
		async_std_task *t = async_std_spawn(counts_and_returns, count);
		CHECK(t != NULL);
		CHECK_OK(async_std_detach(t));
	}
	CHECK_INT(ct_wait_flag(count, N_MANY), ==, 0);
	CHECK_INT(atomic_load(count), ==, N_MANY);
	return NULL;
}

/* ---- block_on from a task ----------------------------------------------- */

CT_TEST(block_on_from_a_task_returns_the_result)
{
	void *res = NULL;
	CHECK_OK(async_std_block_on(plus_one, (void *)9, &res));
	CHECK_INT((uintptr_t)res, ==, 10);
	CHECK_OK(async_std_block_on(return_arg, NULL, NULL));
	return NULL;
}

CT_TEST(block_on_with_null_fn_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_block_on(NULL, NULL, NULL), EINVAL);
	return NULL;
}

static void *blocking_calls_on_a_small_stack(void *unused)
{
	(void)unused;
	int sv[2];
	char b[64];
	CHECK_OK(ct_socketpair(sv));
	CHECK_INT(async_std_sleep(CT_MS), ==, 0);
	CHECK_INT(async_std_write(sv[1], "s", 1), ==, 1);
	CHECK_OK(async_std_poll(sv[0], POLLIN));
	CHECK_INT(async_std_read(sv[0], b, sizeof b), ==, 1);
	CHECK_OK(async_std_run_blocking(plus_one, NULL, NULL));
	struct addrinfo *res = NULL;
	CHECK_INT(async_std_getaddrinfo("localhost", "80", NULL, &res), ==, 0);
	async_std_freeaddrinfo(res);
	int lfd, c, s;
	CHECK_OK(lfd = async_std_tcp_listen("127.0.0.1", 0, 4));
	CHECK_OK(c = async_std_tcp_connect("localhost", ct_local_port(lfd)));
	CHECK_OK(s = async_std_accept(lfd, NULL, NULL));
	async_std_task *t = async_std_spawn(plus_one, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	ct_close(s);
	ct_close(c);
	ct_close(lfd);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(task_with_the_minimum_16k_stack_can_make_every_kind_of_blocking_call)
{
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = 16 * 1024 };
	async_std_task *t = async_std_spawn_ex(blocking_calls_on_a_small_stack, NULL, &attr);
	CHECK(t != NULL);
	void *res = CT_FAIL;
	CHECK_OK(async_std_join(t, &res));
	CHECK(res == NULL);
	return NULL;
}

struct self_detach {
	atomic_int done;
	int rc, err;
	uint64_t id;
};

static void *detaches_itself(void *p)
{
	struct self_detach *d = p;
	errno = 0;
	d->rc = async_std_detach(async_std_self());
	d->err = errno;
	d->id = async_std_task_id(async_std_self());
	atomic_store(&d->done, 1);
	return NULL;
}

CT_TEST(a_task_may_detach_itself)
{
	struct self_detach *d = ct_alloc(sizeof *d);
	async_std_task *t = async_std_spawn(detaches_itself, d);
	CHECK(t != NULL);
	CHECK_OK(ct_wait_flag(&d->done, 1));
	CHECK_MSG(d->rc == 0, "detach of self gave %s", ct_errname(d->err));
	CHECK_INT(d->id, !=, 0);
	CHECK_ERRNO(async_std_join(t, NULL), EINVAL);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(spawn_and_join_returns_the_task_result),
	cmocka_unit_test(join_with_a_null_result_pointer_succeeds),
	cmocka_unit_test(join_waits_for_a_task_that_blocks),
	cmocka_unit_test(spawn_with_null_fn_fails_with_EINVAL),
	cmocka_unit_test(spawn_ex_with_null_fn_fails_with_EINVAL),
	cmocka_unit_test(spawn_ex_with_null_attr_behaves_like_spawn),
	cmocka_unit_test(spawn_ex_with_a_long_name_runs_the_task),
	cmocka_unit_test(spawn_ex_with_stack_size_gives_a_usable_stack_of_that_size),
	cmocka_unit_test(spawn_ex_with_the_minimum_16k_stack_works),
	cmocka_unit_test(spawn_ex_with_stack_size_below_16k_fails_with_EINVAL),
	cmocka_unit_test(spawn_ex_with_a_caller_stack_runs_on_that_stack),
	cmocka_unit_test(spawn_ex_with_an_unknown_flag_fails_with_EINVAL),
	cmocka_unit_test(spawn_ex_with_attr_size_too_small_fails_with_EINVAL),
	cmocka_unit_test(spawn_ex_local_runs_on_the_spawning_worker),
	cmocka_unit_test(join_of_self_fails_with_EDEADLK),
	cmocka_unit_test(join_detach_cancel_of_null_fail_with_EINVAL),
	cmocka_unit_test(join_of_an_already_joined_task_fails_with_EINVAL),
	cmocka_unit_test(stale_handle_never_reaches_a_task_that_reuses_its_slot),
	cmocka_unit_test(cancel_of_a_joined_task_fails_with_EINVAL),
	cmocka_unit_test(join_of_a_running_detached_task_fails_with_EINVAL),
	cmocka_unit_test(join_of_a_detached_task_that_finished_fails_with_EINVAL),
	cmocka_unit_test(detach_twice_fails_with_EINVAL),
	cmocka_unit_test(detach_of_a_finished_task_releases_it),
	cmocka_unit_test(second_joiner_of_a_task_being_joined_fails_with_EINVAL),
	cmocka_unit_test(cancel_of_a_finished_unjoined_task_is_a_noop),
	cmocka_unit_test(self_is_the_calling_task),
	cmocka_unit_test(task_id_seen_by_the_task_matches_the_spawners_view),
	cmocka_unit_test(task_id_of_a_joined_task_is_0_with_EINVAL),
	cmocka_unit_test(task_ids_are_nonzero_and_unique_even_when_slots_are_reused),
	cmocka_unit_test(yield_returns_0_in_a_task),
	cmocka_unit_test(yield_lets_every_other_runnable_task_of_the_worker_run_first),
	cmocka_unit_test(ten_thousand_tasks_spawn_and_join_with_their_results),
	cmocka_unit_test(ten_thousand_sleeping_tasks_all_wake_and_join),
	cmocka_unit_test(ten_thousand_detached_tasks_all_run),
	cmocka_unit_test(block_on_from_a_task_returns_the_result),
	cmocka_unit_test(block_on_with_null_fn_fails_with_EINVAL),
	cmocka_unit_test(task_with_the_minimum_16k_stack_can_make_every_kind_of_blocking_call),
	cmocka_unit_test(a_task_may_detach_itself),
};
CT_GROUP(ct_tasks_group, "tasks", tests);
