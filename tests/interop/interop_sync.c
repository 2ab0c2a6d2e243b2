/* SPDX-License-Identifier: MIT */
/*
 * interop_sync.c - objects shared by runtimes: channels and select, a gcd
 * deadline over the main runtime's objects, mutex, cond, semaphore, groups,
 * close and task dumps (interop.c has the overview).
 */
#include "interop.h"

/* ---- channels across runtimes --------------------------------------------- */
#define ROUND_TRIPS 10000

struct pingpong {
	async_std_chan *to, *from;
	int err;
};

static void *echo_gcd(void *arg)
{
	struct pingpong *p = arg;
	for (long i = 0; i < ROUND_TRIPS; i++) {
		long v;
		if (async_std_chan_recv(p->to, &v) != 0 || v != i ||
		    async_std_chan_send(p->from, &v) != 0) {
			p->err = errno ? errno : EPROTO;
			break;
		}
	}
	return NULL;
}

static void *pingpong(void *unused)
{
	(void)unused;
	struct pingpong p = { async_std_chan_create(sizeof(long), 0),
			      async_std_chan_create(sizeof(long), 0), 0 };
	CHECK(p.to && p.from);
	async_std_task *t = gcd_spawn(gcd_global_queue(0), echo_gcd, &p);
	CHECK(t);
	for (long i = 0; i < ROUND_TRIPS && !p.err; i++) {
		long v = i, back = -1;
		CHECK(async_std_chan_send(p.to, &v) == 0);
		CHECK(async_std_chan_recv(p.from, &back) == 0);
		if (back != i)
			return FAIL("round trip %ld came back as %ld", i, back);
	}
	CHECK(async_std_join(t, NULL) == 0);
	if (p.err)
		return FAIL("the gcd side failed: %s", strerror(p.err));
	CHECK(async_std_chan_destroy(p.to) == 0 && async_std_chan_destroy(p.from) == 0);
	return NULL;
}

static void test_channel_round_trips_between_runtimes_keep_their_order(void **state)
{
	(void)state;
	run(pingpong);
}

/* A gcd item selects over a channel made by the main runtime and one made
 * by gcd; a task of the main runtime sends on its own. */
struct sel {
	async_std_chan *mine; /* made by the main runtime's task */
	int index, err;
	long got;
};

static void *selects(void *arg)
{
	struct sel *s = arg;
	async_std_chan *theirs = async_std_chan_create(sizeof(long), 0); /* gcd's */
	if (!theirs) {
		s->err = errno;
		return NULL;
	}
	long a = -1, b = -1;
	async_std_chan_op ops[2] = {
		{ .chan = theirs, .op = ASYNC_STD_CHAN_RECV, .elem = &b },
		{ .chan = s->mine, .op = ASYNC_STD_CHAN_RECV, .elem = &a },
	};
	s->index = async_std_chan_select(ops, 2);
	s->err = s->index < 0 ? errno : ops[s->index].err;
	s->got = a;
	async_std_chan_destroy(theirs);
	return NULL;
}

static void *select_across(void *unused)
{
	(void)unused;
	struct sel s = { .mine = async_std_chan_create(sizeof(long), 0), .index = -2 };
	CHECK(s.mine);
	async_std_task *t = gcd_spawn(gcd_global_queue(0), selects, &s);
	CHECK(t);
	long v = 99;
	CHECK(async_std_chan_send(s.mine, &v) == 0);
	CHECK(async_std_join(t, NULL) == 0);
	if (s.index != 1 || s.err || s.got != 99)
		return FAIL("select returned %d (err %s), got %ld; want 1, 0, 99", s.index,
			    strerror(s.err), s.got);
	CHECK(async_std_chan_destroy(s.mine) == 0);
	return NULL;
}

static void test_a_gcd_select_over_channels_of_two_runtimes_takes_the_ready_one(void **state)
{
	(void)state;
	run(select_across);
}

/* Deadlines of a gcd item apply to its waits on the main runtime's objects:
 * a recv on a channel and a join of a task made there; the task stays
 * joinable. */
struct dl {
	async_std_chan *c;
	async_std_task *target;
	int recv_err, join_err;
	int64_t late_ns;
};

static void *waits_with_deadline(void *arg)
{
	struct dl *d = arg;
	long v;
	int64_t dl = async_std_now() + 10 * MS;
	int64_t prev = async_std_deadline_push(dl);
	errno = 0;
	if (async_std_chan_recv(d->c, &v) != 0)
		d->recv_err = errno;
	async_std_deadline_pop(prev);
	d->late_ns = async_std_now() - dl;
	prev = async_std_deadline_push(async_std_now() + 10 * MS);
	errno = 0;
	if (async_std_join(d->target, NULL) != 0)
		d->join_err = errno;
	async_std_deadline_pop(prev);
	return NULL;
}

static void *deadline_across(void *unused)
{
	(void)unused;
	struct dl d = { .c = async_std_chan_create(sizeof(long), 0) };
	CHECK(d.c);
	d.target = async_std_spawn(sleeps_long, NULL);
	CHECK(d.target);
	async_std_task *t = gcd_spawn(gcd_global_queue(0), waits_with_deadline, &d);
	CHECK(t);
	CHECK(async_std_join(t, NULL) == 0);
	if (d.recv_err != ETIMEDOUT || d.join_err != ETIMEDOUT)
		return FAIL("recv gave %s, join %s; want ETIMEDOUT for both",
			    strerror(d.recv_err), strerror(d.join_err));
	if (d.late_ns < 0)
		return FAIL("the recv timed out %lld ns early", (long long)-d.late_ns);
	CHECK(async_std_cancel(d.target) == 0);
	void *r = NULL;
	CHECK(async_std_join(d.target, &r) == 0); /* still joinable */
	CHECK(async_std_chan_destroy(d.c) == 0);
	return NULL;
}

static void test_a_gcd_deadline_ends_its_waits_on_the_main_runtimes_objects(void **state)
{
	(void)state;
	run(deadline_across);
}

/* ---- sync objects and groups across runtimes ------------------------------ */
#define INCREMENTS 20000

struct shared {
	async_std_mutex *m;
	long n;
};

static void *adds(void *arg)
{
	struct shared *s = arg;
	for (int i = 0; i < INCREMENTS; i++) {
		if (async_std_mutex_lock(s->m) != 0)
			return (void *)1;
		long v = s->n;
		if (i % 64 == 0)
			async_std_yield();
		s->n = v + 1;
		async_std_mutex_unlock(s->m);
	}
	return NULL;
}

static void *mutex_across(void *unused)
{
	(void)unused;
	struct shared s = { async_std_mutex_create(), 0 };
	CHECK(s.m);
	async_std_task *t[4] = {
		async_std_spawn(adds, &s), async_std_spawn(adds, &s),
		gcd_spawn(gcd_global_queue(0), adds, &s), gcd_spawn(gcd_global_queue(0), adds, &s),
	};
	for (int i = 0; i < 4; i++) {
		void *r = (void *)1;
		CHECK(t[i] && async_std_join(t[i], &r) == 0 && r == NULL);
	}
	if (s.n != 4 * INCREMENTS)
		return FAIL("%ld increments of %d: some were lost", s.n, 4 * INCREMENTS);
	CHECK(async_std_mutex_destroy(s.m) == 0);
	return NULL;
}

static void test_a_mutex_shared_by_both_runtimes_loses_no_increment(void **state)
{
	(void)state;
	run(mutex_across);
}

static void *member(void *arg)
{
	atomic_int *ended = arg;
	async_std_sleep(60000 * MS);
	atomic_fetch_add(ended, 1);
	return NULL;
}

static void *group_across(void *unused)
{
	(void)unused;
	static atomic_int ended;
	atomic_store(&ended, 0);
	async_std_group *g = async_std_group_create();
	CHECK(g);
	for (int i = 0; i < 4; i++) {
		CHECK(async_std_group_spawn(g, member, &ended) == 0);
		CHECK(gcd_group_async(g, gcd_global_queue(0), member, &ended) == 0);
	}
	CHECK(async_std_sleep(5 * MS) == 0);
	CHECK(async_std_group_cancel(g) == 0);
	CHECK(async_std_group_wait(g) == 0);
	if (atomic_load(&ended) != 8)
		return FAIL("%d of 8 members ended", atomic_load(&ended));
	CHECK(async_std_group_destroy(g) == 0);
	return NULL;
}

static void test_a_group_with_members_on_both_runtimes_is_cancelled_and_waited(void **state)
{
	(void)state;
	run(group_across);
}

/* A cond broadcast wakes waiters of both runtimes; a semaphore made on one
 * runtime hands its units to tasks of the other. */
struct condsem {
	async_std_mutex *m;
	async_std_cond *c;
	async_std_sem *s;
	int go, waiting, woken;
};

static void *cond_waiter(void *arg)
{
	struct condsem *cs = arg;
	if (async_std_mutex_lock(cs->m) != 0)
		return (void *)1;
	cs->waiting++;
	while (!cs->go)
		if (async_std_cond_wait(cs->c, cs->m) != 0) {
			async_std_mutex_unlock(cs->m);
			return (void *)1;
		}
	cs->woken++;
	async_std_mutex_unlock(cs->m);
	/* Then a unit of the semaphore, released by the other side. */
	return async_std_sem_acquire(cs->s) == 0 ? NULL : (void *)1;
}

static void *cond_sem_across(void *unused)
{
	(void)unused;
	struct condsem cs = { async_std_mutex_create(), async_std_cond_create(),
			      async_std_sem_create(0), 0, 0, 0 };
	CHECK(cs.m && cs.c && cs.s);
	async_std_task *t[4] = {
		async_std_spawn(cond_waiter, &cs), async_std_spawn(cond_waiter, &cs),
		gcd_spawn(gcd_global_queue(0), cond_waiter, &cs),
		gcd_spawn(gcd_global_queue(0), cond_waiter, &cs),
	};
	for (int i = 0; i < 4; i++)
		CHECK(t[i]);
	for (;;) { /* until all four wait */
		CHECK(async_std_mutex_lock(cs.m) == 0);
		int n = cs.waiting;
		if (n == 4)
			break;
		async_std_mutex_unlock(cs.m);
		CHECK(async_std_sleep(MS) == 0);
	}
	cs.go = 1;
	CHECK(async_std_cond_broadcast(cs.c) == 0);
	async_std_mutex_unlock(cs.m);
	for (int i = 0; i < 4; i++)
		CHECK(async_std_sem_release(cs.s) == 0);
	for (int i = 0; i < 4; i++) {
		void *r = (void *)1;
		CHECK(async_std_join(t[i], &r) == 0 && r == NULL);
	}
	if (cs.woken != 4)
		return FAIL("%d of 4 waiters woke", cs.woken);
	CHECK(async_std_sem_destroy(cs.s) == 0);
	CHECK(async_std_cond_destroy(cs.c) == 0);
	CHECK(async_std_mutex_destroy(cs.m) == 0);
	return NULL;
}

static void test_a_cond_and_a_semaphore_serve_waiters_of_both_runtimes(void **state)
{
	(void)state;
	run(cond_sem_across);
}

/* A dump from a plain thread has one section per runtime, each with its
 * own waiting task. */
static void *named_sleeper(void *arg)
{
	(void)arg;
	async_std_sleep(60000 * MS);
	return NULL;
}

static void test_a_task_dump_has_a_section_per_runtime(void **state)
{
	(void)state;
	async_std_spawn_attr a = { .size = sizeof a, .name = "main-sleeper" };
	async_std_task *t1 = async_std_spawn_ex(named_sleeper, NULL, &a);
	/* An item of gcd's global queue: named "gcd.global" in the dump. */
	async_std_task *t2 = gcd_spawn(gcd_global_queue(0), named_sleeper, NULL);
	assert_non_null(t1);
	assert_non_null(t2);
	char path[] = "/tmp/interop-dump-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	int found = 0;
	char buf[65536];
	for (int tries = 0; tries < 2000 && found != 3; tries++) {
		assert_true(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
		assert_true(async_std_task_dump(fd, 0) >= 2);
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		const char *g = strstr(buf, "runtime gcd,");
		found = (g && strstr(g, "\"gcd.global\": waiting in sleep")) |
			(strstr(buf, "\"main-sleeper\": waiting in sleep") != NULL) << 1;
		if (found != 3)
			usleep(1000);
	}
	close(fd);
	async_std_cancel(t1);
	async_std_cancel(t2);
	assert_int_equal(async_std_join(t1, NULL), 0);
	assert_int_equal(async_std_join(t2, NULL), 0);
	assert_int_equal(found, 3);
	char *hdr1 = strstr(buf, "async_std task dump:");
	assert_non_null(hdr1);
	assert_non_null(strstr(hdr1 + 1, "async_std task dump:")); /* two sections */
}

struct closer {
	int fd;
	int rc, err;
};

static void *reads_until_closed(void *arg)
{
	struct closer *c = arg;
	char b;
	errno = 0;
	c->rc = (int)async_std_read(c->fd, &b, 1);
	c->err = errno;
	return NULL;
}

static void *close_across(void *unused)
{
	(void)unused;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0);
	struct closer c = { .fd = sv[0] };
	async_std_task *t = gcd_spawn(gcd_global_queue(0), reads_until_closed, &c);
	CHECK(t);
	CHECK(async_std_sleep(10 * MS) == 0);
	CHECK(async_std_close(sv[0]) == 0);
	CHECK(async_std_join(t, NULL) == 0);
	close(sv[1]);
	if (c.rc != -1 || c.err != EBADF)
		return FAIL("the gcd task's read returned %d (%s), want -1/EBADF", c.rc,
			    strerror(c.err));
	return NULL;
}

static void test_close_on_the_main_runtime_wakes_a_gcd_reader_with_EBADF(void **state)
{
	(void)state;
	run(close_across);
}

const struct CMUnitTest iop_sync_tests[] = {
	cmocka_unit_test(test_channel_round_trips_between_runtimes_keep_their_order),
	cmocka_unit_test(test_a_gcd_select_over_channels_of_two_runtimes_takes_the_ready_one),
	cmocka_unit_test(test_a_gcd_deadline_ends_its_waits_on_the_main_runtimes_objects),
	cmocka_unit_test(test_a_mutex_shared_by_both_runtimes_loses_no_increment),
	cmocka_unit_test(test_a_group_with_members_on_both_runtimes_is_cancelled_and_waited),
	cmocka_unit_test(test_close_on_the_main_runtime_wakes_a_gcd_reader_with_EBADF),
	cmocka_unit_test(test_a_cond_and_a_semaphore_serve_waiters_of_both_runtimes),
	cmocka_unit_test(test_a_task_dump_has_a_section_per_runtime),
};
const size_t iop_sync_tests_count = sizeof iop_sync_tests / sizeof iop_sync_tests[0];
