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
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "async_std.h"
#include "gcd.h"
#include "humboldt.h"

#define MS 1000000LL

static char msg[256];

static void *fail_with(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void *fail_with(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return msg;
}
#define FAIL(...) fail_with(__VA_ARGS__)
#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c))                                                          \
			return FAIL("%s:%d: %s (errno %s)", __FILE__, __LINE__, #c, \
				    strerror(errno));                              \
	} while (0)

static void run(async_std_fn body)
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

static void *sleeps_long(void *arg);

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

/* ---- handles -------------------------------------------------------------- */
static void *sleeps_long(void *arg)
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

static void *returns_7(void *arg)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcd_item_combines_a_gcd_child_and_a_humboldt_child),
		cmocka_unit_test(test_channel_round_trips_between_runtimes_keep_their_order),
		cmocka_unit_test(test_a_gcd_select_over_channels_of_two_runtimes_takes_the_ready_one),
		cmocka_unit_test(test_a_gcd_deadline_ends_its_waits_on_the_main_runtimes_objects),
		cmocka_unit_test(test_cancel_of_a_gcd_task_from_the_main_runtime_ends_its_sleep),
		cmocka_unit_test(test_a_stale_gcd_handle_gives_EINVAL_and_cancels_nobody),
		cmocka_unit_test(test_task_ids_are_unique_across_runtimes),
		cmocka_unit_test(test_serial_queue_runs_items_one_at_a_time_in_order),
		cmocka_unit_test(test_gcd_sync_onto_its_own_serial_queue_fails_with_EDEADLK),
		cmocka_unit_test(test_gcd_after_never_runs_early_and_keeps_its_queue_busy),
		cmocka_unit_test(test_bad_arguments_give_EINVAL),
		cmocka_unit_test(test_gcd_sync_from_a_plain_thread_returns_the_result),
		cmocka_unit_test(test_a_mutex_shared_by_both_runtimes_loses_no_increment),
		cmocka_unit_test(test_a_group_with_members_on_both_runtimes_is_cancelled_and_waited),
		cmocka_unit_test(test_close_on_the_main_runtime_wakes_a_gcd_reader_with_EBADF),
		cmocka_unit_test(test_a_cond_and_a_semaphore_serve_waiters_of_both_runtimes),
		cmocka_unit_test(test_a_task_dump_has_a_section_per_runtime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
