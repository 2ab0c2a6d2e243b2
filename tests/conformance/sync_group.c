/* SPDX-License-Identifier: MIT */
/*
 * sync_group.c - task groups (spawn, wait, cancel, destroy), and the
 * cancellation storm: 100,000 tasks blocked in mutexes, channels, sleeps and
 * socket reads, cancelled through one group, all ending with ECANCELED and
 * leaving no fd (and, under ASan, no memory) behind.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "conformance.h"

struct members {
	atomic_int started, ended, cancelled;
	atomic_int go;
	async_std_group *g;
	int spawn_err, wait_err, destroy_err;
};

static void *sleeps_long(void *p)
{
	struct members *m = p;
	atomic_fetch_add(&m->started, 1);
	if (async_std_sleep(CT_FOREVER_NS) != 0 && errno == ECANCELED)
		atomic_fetch_add(&m->cancelled, 1);
	atomic_fetch_add(&m->ended, 1);
	return NULL;
}

static void *yields_until_go(void *p)
{
	struct members *m = p;
	atomic_fetch_add(&m->started, 1);
	while (!atomic_load(&m->go))
		async_std_yield();
	atomic_fetch_add(&m->ended, 1);
	return NULL;
}

CT_TEST(group_wait_returns_once_every_member_has_finished)
{
	struct members *m = ct_alloc(sizeof *m);
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	for (int i = 0; i < 50; i++)
		CHECK_OK(async_std_group_spawn(g, yields_until_go, m));
	CHECK_OK(ct_wait_flag(&m->started, 50));
	atomic_store(&m->go, 1);
	CHECK_OK(async_std_group_wait(g));
	CHECK_INT(atomic_load(&m->ended), ==, 50);
	CHECK_OK(async_std_group_wait(g)); /* empty: at once */
	CHECK_OK(async_std_group_destroy(g));
	return NULL;
}

CT_TEST(group_wait_on_an_empty_group_returns_0_at_once)
{
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	CHECK_OK(async_std_group_wait(g));
	CHECK_OK(async_std_group_cancel(g));
	CHECK_OK(async_std_group_destroy(g));
	return NULL;
}

CT_TEST(group_cancel_gives_members_ECANCELED_and_returns_when_all_ended)
{
	struct members *m = ct_alloc(sizeof *m);
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	for (int i = 0; i < 100; i++)
		CHECK_OK(async_std_group_spawn(g, sleeps_long, m));
	CHECK_OK(ct_wait_flag(&m->started, 50)); /* some blocked, some not started */
	CHECK_OK(async_std_group_cancel(g));
	CHECK_INT(atomic_load(&m->ended), ==, 100);
	CHECK_INT(atomic_load(&m->cancelled), ==, 100);
	/* The cancel is over with the last member: new ones run normally. */
	CHECK_OK(async_std_group_spawn(g, yields_until_go, m));
	atomic_store(&m->go, 1);
	CHECK_OK(async_std_group_wait(g));
	CHECK_INT(atomic_load(&m->ended), ==, 101);
	CHECK_OK(async_std_group_destroy(g));
	return NULL;
}

CT_TEST(group_destroy_cancels_and_waits_for_the_members)
{
	struct members *m = ct_alloc(sizeof *m);
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	for (int i = 0; i < 20; i++)
		CHECK_OK(async_std_group_spawn(g, sleeps_long, m));
	CHECK_OK(ct_wait_flag(&m->started, 20));
	CHECK_OK(async_std_group_destroy(g));
	CHECK_INT(atomic_load(&m->ended), ==, 20);
	CHECK_INT(atomic_load(&m->cancelled), ==, 20);
	return NULL;
}

static void *spawns_after_cancel(void *p)
{
	struct members *m = p;
	atomic_fetch_add(&m->started, 1);
	/* Cancelled: the sleep fails, and the member we spawn now is cancelled
	 * at once, so the group still empties. */
	if (async_std_sleep(CT_FOREVER_NS) != 0 && errno == ECANCELED)
		atomic_fetch_add(&m->cancelled, 1);
	m->spawn_err = async_std_group_spawn(m->g, sleeps_long, m) == 0 ? 0 : errno;
	atomic_fetch_add(&m->ended, 1);
	return NULL;
}

CT_TEST(group_member_spawned_during_a_cancel_is_cancelled_too)
{
	struct members *m = ct_alloc(sizeof *m);
	CHECK((m->g = async_std_group_create()) != NULL);
	CHECK_OK(async_std_group_spawn(m->g, spawns_after_cancel, m));
	CHECK_OK(ct_wait_flag(&m->started, 1));
	CHECK_OK(async_std_group_cancel(m->g));
	CHECK_ERR_VALUE(m->spawn_err, 0);
	CHECK_INT(atomic_load(&m->ended), ==, 2);
	CHECK_INT(atomic_load(&m->cancelled), ==, 2);
	CHECK_OK(async_std_group_destroy(m->g));
	return NULL;
}

static void *waits_for_own_group(void *p)
{
	struct members *m = p;
	m->wait_err = async_std_group_wait(m->g) == 0 ? 0 : errno;
	m->destroy_err = async_std_group_destroy(m->g) == 0 ? 0 : errno;
	atomic_fetch_add(&m->ended, 1);
	return NULL;
}

CT_TEST(group_wait_or_destroy_from_a_member_fails_with_EDEADLK)
{
	struct members *m = ct_alloc(sizeof *m);
	CHECK((m->g = async_std_group_create()) != NULL);
	CHECK_OK(async_std_group_spawn(m->g, waits_for_own_group, m));
	CHECK_OK(async_std_group_wait(m->g));
	CHECK_ERR_VALUE(m->wait_err, EDEADLK);
	CHECK_ERR_VALUE(m->destroy_err, EDEADLK);
	CHECK_OK(async_std_group_destroy(m->g));
	return NULL;
}

static void *cancels_own_group(void *p)
{
	struct members *m = p;
	atomic_fetch_add(&m->started, 1);
	m->wait_err = async_std_group_cancel(m->g) == 0 ? 0 : errno;
	atomic_fetch_add(&m->ended, 1);
	return NULL;
}

CT_TEST(group_cancel_from_a_member_cancels_it_too_and_gives_ECANCELED)
{
	struct members *m = ct_alloc(sizeof *m);
	CHECK((m->g = async_std_group_create()) != NULL);
	for (int i = 0; i < 5; i++)
		CHECK_OK(async_std_group_spawn(m->g, sleeps_long, m));
	CHECK_OK(ct_wait_flag(&m->started, 5));
	CHECK_OK(async_std_group_spawn(m->g, cancels_own_group, m));
	CHECK_OK(async_std_group_wait(m->g));
	CHECK_ERR_VALUE(m->wait_err, ECANCELED);
	CHECK_INT(atomic_load(&m->cancelled), ==, 5);
	CHECK_OK(async_std_group_destroy(m->g));
	return NULL;
}

static void *waits_for_group(void *p)
{
	struct members *m = p;
	atomic_fetch_add(&m->started, 1);
	m->wait_err = async_std_group_wait(m->g) == 0 ? 0 : errno;
	return NULL;
}

CT_TEST(group_destroy_while_someone_waits_gives_EBUSY_and_cancels_nothing)
{
	struct members *m = ct_alloc(sizeof *m);
	CHECK((m->g = async_std_group_create()) != NULL);
	CHECK_OK(async_std_group_spawn(m->g, yields_until_go, m));
	async_std_spawn_attr local = { .size = sizeof local, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *w = async_std_spawn_ex(waits_for_group, m, &local);
	CHECK(w != NULL);
	while (atomic_load(&m->started) < 2)
		async_std_yield();
	CHECK_ERRNO(async_std_group_destroy(m->g), EBUSY);
	atomic_store(&m->go, 1);
	CHECK_OK(async_std_join(w, NULL));
	CHECK_ERR_VALUE(m->wait_err, 0);
	CHECK_INT(atomic_load(&m->ended), ==, 1);
	CHECK_OK(async_std_group_destroy(m->g));
	return NULL;
}

CT_TEST(group_spawn_with_NULL_fn_fails_with_EINVAL)
{
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	CHECK_ERRNO(async_std_group_spawn(g, NULL, NULL), EINVAL);
	CHECK_OK(async_std_group_destroy(g));
	return NULL;
}

static void *plain_thread_waits_for_group(void *p)
{
	struct members *m = p;
	CHECK_OK(async_std_group_wait(m->g));
	CHECK_INT(atomic_load(&m->ended), ==, 10);
	return NULL;
}

static void *plain_thread_spawns_and_releases(void *p)
{
	struct members *m = p;
	for (int i = 0; i < 10; i++)
		CHECK_OK(async_std_group_spawn(m->g, yields_until_go, m));
	atomic_store(&m->go, 1);
	return NULL;
}

CT_TEST(plain_threads_spawn_into_and_wait_for_a_group)
{
	struct members *m = ct_alloc(sizeof *m);
	CHECK((m->g = async_std_group_create()) != NULL);
	if (ct_in_plain_thread(plain_thread_spawns_and_releases, m) ||
	    ct_in_plain_thread(plain_thread_waits_for_group, m))
		return CT_FAIL;
	CHECK_OK(async_std_group_destroy(m->g));
	return NULL;
}

/* ---- the cancellation storm ------------------------------------------------ */

#define STORM_TASKS 100000
#define STORM_SOCKETS 128
enum { K_MUTEX, K_RECV, K_SEND, K_SLEEP, K_READ, K_KINDS };

struct storm {
	async_std_mutex *m;
	async_std_chan *empty, *full;
	int sv[STORM_SOCKETS][2];
	atomic_int next, started;
	atomic_int cancelled[K_KINDS];
	atomic_int other;        /* ended some other way */
	atomic_int other_errno;
};

static void *storm_member(void *p)
{
	struct storm *s = p;
	int i = atomic_fetch_add(&s->next, 1);
	int kind = i % K_KINDS, r, v = i;
	char b;
	atomic_fetch_add(&s->started, 1);
	switch (kind) {
	case K_MUTEX:
		r = async_std_mutex_lock(s->m);
		break;
	case K_RECV:
		r = async_std_chan_recv(s->empty, &v);
		break;
	case K_SEND:
		r = async_std_chan_send(s->full, &v);
		break;
	case K_SLEEP:
		r = async_std_sleep(CT_FOREVER_NS);
		break;
	default:
		r = (int)async_std_read(s->sv[(i / K_KINDS) % STORM_SOCKETS][0], &b, 1);
		break;
	}
	if (r < 0 && errno == ECANCELED) {
		atomic_fetch_add(&s->cancelled[kind], 1);
	} else {
		atomic_store(&s->other_errno, r < 0 ? errno : 0);
		atomic_fetch_add(&s->other, 1);
	}
	return NULL;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

CT_TEST(cancellation_storm_of_100000_blocked_tasks_all_end_with_ECANCELED)
{
	/* valgrind runs every instruction on one core, and TSan counts each
	 * fiber as a thread (it dies past 8128) and clears the shadow of every
	 * new stack (about 1.5 ms a task): smaller storms there. */
	int ntasks = RUNNING_ON_VALGRIND ? 2000 : STORM_TASKS;
#ifdef __SANITIZE_THREAD__
	ntasks = 2000;
#endif
	if (ntasks != STORM_TASKS)
		printf("[  NOTE    ] storm of %d tasks under %s\n", ntasks,
		       RUNNING_ON_VALGRIND ? "valgrind" : "TSan");
	int fds_before = count_fds();
	CHECK_INT(fds_before, >, 0);
	struct storm *s = ct_alloc(sizeof *s);
	CHECK((s->m = async_std_mutex_create()) != NULL);
	CHECK((s->empty = async_std_chan_create(sizeof(int), 0)) != NULL);
	CHECK((s->full = async_std_chan_create(sizeof(int), 1)) != NULL);
	int x = -1;
	CHECK_OK(async_std_chan_send(s->full, &x));
	CHECK_OK(async_std_mutex_lock(s->m));
	for (int i = 0; i < STORM_SOCKETS; i++)
		CHECK_OK(ct_socketpair(s->sv[i]));
	async_std_group *g = async_std_group_create();
	CHECK(g != NULL);
	for (int i = 0; i < ntasks; i++)
		CHECK_OK(async_std_group_spawn(g, storm_member, s));
	CHECK_OK(ct_wait_flag(&s->started, ntasks));
	ct_let_block();

	CHECK_OK(async_std_group_cancel(g));
	int total = 0;
	for (int k = 0; k < K_KINDS; k++) {
		int want = ntasks / K_KINDS + (k < ntasks % K_KINDS);
		CHECK_MSG(atomic_load(&s->cancelled[k]) == want,
			  "kind %d: %d of %d ended with ECANCELED", k,
			  atomic_load(&s->cancelled[k]), want);
		total += atomic_load(&s->cancelled[k]);
	}
	CHECK_MSG(atomic_load(&s->other) == 0, "%d members ended otherwise (last errno %s)",
		  atomic_load(&s->other), ct_errname(atomic_load(&s->other_errno)));
	CHECK_INT(total, ==, ntasks);

	/* Nobody is left in any queue: every destroy succeeds. */
	CHECK_OK(async_std_group_destroy(g));
	CHECK_OK(async_std_mutex_unlock(s->m));
	CHECK_OK(async_std_mutex_destroy(s->m));
	CHECK_OK(async_std_chan_destroy(s->empty));
	CHECK_OK(async_std_chan_destroy(s->full));
	for (int i = 0; i < STORM_SOCKETS; i++) {
		CHECK_OK(async_std_close(s->sv[i][0]));
		CHECK_OK(async_std_close(s->sv[i][1]));
	}
	CHECK_INT(count_fds(), ==, fds_before);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(group_wait_returns_once_every_member_has_finished),
	cmocka_unit_test(group_wait_on_an_empty_group_returns_0_at_once),
	cmocka_unit_test(group_cancel_gives_members_ECANCELED_and_returns_when_all_ended),
	cmocka_unit_test(group_destroy_cancels_and_waits_for_the_members),
	cmocka_unit_test(group_member_spawned_during_a_cancel_is_cancelled_too),
	cmocka_unit_test(group_wait_or_destroy_from_a_member_fails_with_EDEADLK),
	cmocka_unit_test(group_cancel_from_a_member_cancels_it_too_and_gives_ECANCELED),
	cmocka_unit_test(group_destroy_while_someone_waits_gives_EBUSY_and_cancels_nothing),
	cmocka_unit_test(group_spawn_with_NULL_fn_fails_with_EINVAL),
	cmocka_unit_test(plain_threads_spawn_into_and_wait_for_a_group),
	cmocka_unit_test(cancellation_storm_of_100000_blocked_tasks_all_end_with_ECANCELED),
};
CT_GROUP(ct_sync_group_group, "sync: task groups and the cancellation storm", tests);
