/* SPDX-License-Identifier: MIT */
/*
 * interop.c - several runtimes in one process: gcd beside the bound runtime
 * (humboldt, default, or gcd itself), tasks hopping between them, and every
 * async_std_* call acting on the runtime that runs the calling task.
 *
 * The first test is the story the project comes from: the app, on its main
 * runtime, hands work to a serial gcd queue; inside that item one child is
 * spawned with async_std_spawn (so on gcd) and one with humboldt_spawn (on
 * humboldt), each does real I/O and sleeps, and the item joins and combines
 * them.  interop.mk runs this binary with humboldt bound (link order), gcd
 * bound (LD_PRELOAD=libgcd.so) and the default runtime bound.
 *
 * Each test runs its body as a task of the bound runtime (block_on); a body
 * returns NULL or a message, and only the test, on the main thread, asserts.
 * This file: the story, and task handles across runtimes; interop_sync.c:
 * channels, select, deadlines, mutex, cond, semaphore, groups, close and
 * dumps across runtimes; interop_gcd.c: gcd's queue semantics.
 */
#include "interop.h"

char msg[256];

void *fail_with(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return msg;
}

void run(async_std_fn body)
{
	void *r = NULL;
	if (async_std_block_on(body, NULL, &r) != 0)
		fail_msg("block_on: %s", strerror(errno));
	if (r)
		fail_msg("%s", (const char *)r);
}

/* ---- the story ------------------------------------------------------------ */
/* A child that does real I/O (a socketpair round trip) and sleeps, and
 * reports which runtime ran it. */
struct child {
	const char *runtime;
	int value;
	int err;
};

static void *io_child(void *arg)
{
	struct child *c = arg;
	c->runtime = async_std_runtime_name();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		c->err = errno;
		return NULL;
	}
	char out = (char)c->value, in = 0;
	if (async_std_sleep(2 * MS) != 0 || async_std_write(sv[0], &out, 1) != 1 ||
	    async_std_read(sv[1], &in, 1) != 1 || in != out)
		c->err = errno ? errno : EIO;
	async_std_close(sv[0]);
	async_std_close(sv[1]);
	return (void *)(intptr_t)c->value;
}

static void *on_gcd(void *arg)
{
	(void)arg;
	if (strcmp(async_std_runtime_name(), "gcd") != 0)
		return FAIL("the item runs on %s, not gcd", async_std_runtime_name());
	struct child here = { .value = 20 }, there = { .value = 22 };
	async_std_task *a = async_std_spawn(io_child, &here);
	async_std_task *b = humboldt_spawn(io_child, &there);
	CHECK(a && b);
	void *ra = NULL, *rb = NULL;
	CHECK(async_std_join(a, &ra) == 0);
	CHECK(async_std_join(b, &rb) == 0);
	if (here.err || there.err)
		return FAIL("a child's I/O failed: %s / %s", strerror(here.err),
			    strerror(there.err));
	if (strcmp(here.runtime, "gcd") || strcmp(there.runtime, "humboldt"))
		return FAIL("children ran on %s and %s, want gcd and humboldt", here.runtime,
			    there.runtime);
	return (void *)((intptr_t)ra + (intptr_t)rb);
}

static void *story(void *unused)
{
	(void)unused;
	const char *main_rt = async_std_runtime_name();
	gcd_queue *q = gcd_queue_create("alan", GCD_QUEUE_SERIAL);
	CHECK(q);
	async_std_task *t = gcd_spawn(q, on_gcd, NULL);
	CHECK(t);
	void *r = NULL;
	CHECK(async_std_join(t, &r) == 0);
	if (r == (void *)msg)
		return msg; /* on_gcd failed and said why */
	if ((intptr_t)r != 42)
		return FAIL("combined %ld, want 42", (long)(intptr_t)r);
	if (strcmp(async_std_runtime_name(), main_rt) != 0)
		return FAIL("back on %s after the join, was on %s", async_std_runtime_name(),
			    main_rt);
	CHECK(gcd_queue_destroy(q) == 0);
	return NULL;
}

static void test_gcd_item_combines_a_gcd_child_and_a_humboldt_child(void **state)
{
	(void)state;
	run(story);
}

/* ---- handles -------------------------------------------------------------- */
void *sleeps_long(void *arg)
{
	(void)arg;
	int r = async_std_sleep(60000 * MS);
	return (void *)(intptr_t)(r == 0 ? 0 : errno);
}

static void *cancel_across(void *unused)
{
	(void)unused;
	async_std_task *t = gcd_spawn(gcd_global_queue(0), sleeps_long, NULL);
	CHECK(t);
	CHECK(async_std_sleep(5 * MS) == 0);
	int64_t t0 = async_std_now();
	CHECK(async_std_cancel(t) == 0);
	void *r = NULL;
	CHECK(async_std_join(t, &r) == 0);
	if ((intptr_t)r != ECANCELED)
		return FAIL("the gcd task's sleep ended with %s, want ECANCELED",
			    strerror((int)(intptr_t)r));
	if (async_std_now() - t0 > 5000 * MS)
		return FAIL("the cancel took %lld ms", (long long)((async_std_now() - t0) / MS));
	return NULL;
}

static void test_cancel_of_a_gcd_task_from_the_main_runtime_ends_its_sleep(void **state)
{
	(void)state;
	run(cancel_across);
}

void *returns_7(void *arg)
{
	(void)arg;
	return (void *)7;
}

static void *stale_handle(void *unused)
{
	(void)unused;
	async_std_task *t = gcd_spawn(gcd_global_queue(0), returns_7, NULL);
	CHECK(t);
	void *r = NULL;
	CHECK(async_std_join(t, &r) == 0 && r == (void *)7);
	/* Stale now: refused, and nobody else (this task least of all) is
	 * cancelled by it. */
	errno = 0;
	CHECK(async_std_cancel(t) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(async_std_join(t, NULL) == -1 && errno == EINVAL);
	CHECK(async_std_sleep(MS) == 0);
	return NULL;
}

static void test_a_stale_gcd_handle_gives_EINVAL_and_cancels_nobody(void **state)
{
	(void)state;
	run(stale_handle);
}

static void *own_id(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)async_std_task_id(async_std_self());
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#define IDS 500

static void *ids_unique(void *unused)
{
	(void)unused;
	static uint64_t id[2 * IDS];
	async_std_task *t[2 * IDS];
	for (int i = 0; i < IDS; i++) {
		t[2 * i] = async_std_spawn(own_id, NULL);
		t[2 * i + 1] = gcd_spawn(gcd_global_queue(0), own_id, NULL);
		CHECK(t[2 * i] && t[2 * i + 1]);
	}
	for (int i = 0; i < 2 * IDS; i++) {
		void *r = NULL;
		uint64_t before = async_std_task_id(t[i]);
		CHECK(async_std_join(t[i], &r) == 0);
		id[i] = (uint64_t)(uintptr_t)r;
		if (before != id[i])
			return FAIL("task_id from outside %llu, from inside %llu",
				    (unsigned long long)before, (unsigned long long)id[i]);
	}
	qsort(id, 2 * IDS, sizeof id[0], cmp_u64);
	for (int i = 1; i < 2 * IDS; i++)
		if (id[i] == id[i - 1])
			return FAIL("task id %llu given twice", (unsigned long long)id[i]);
	return NULL;
}

static void test_task_ids_are_unique_across_runtimes(void **state)
{
	(void)state;
	run(ids_unique);
}

int main(void)
{
	const struct CMUnitTest here[] = {
		cmocka_unit_test(test_gcd_item_combines_a_gcd_child_and_a_humboldt_child),
		cmocka_unit_test(test_cancel_of_a_gcd_task_from_the_main_runtime_ends_its_sleep),
		cmocka_unit_test(test_a_stale_gcd_handle_gives_EINVAL_and_cancels_nobody),
		cmocka_unit_test(test_task_ids_are_unique_across_runtimes),
	};
	static struct CMUnitTest all[64];
	size_t n = 0;
	memcpy(all + n, here, sizeof here);
	n += sizeof here / sizeof here[0];
	memcpy(all + n, iop_sync_tests, iop_sync_tests_count * sizeof all[0]);
	n += iop_sync_tests_count;
	memcpy(all + n, iop_gcd_tests, iop_gcd_tests_count * sizeof all[0]);
	n += iop_gcd_tests_count;
	return _cmocka_run_group_tests("interop", all, n, NULL, NULL);
}
