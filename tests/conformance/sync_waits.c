/* SPDX-License-Identifier: MIT */
/*
 * sync_waits.c - ECANCELED and ETIMEDOUT from every sync wait.
 *
 * One table of waits (a locked mutex, a cond nobody signals, an empty
 * semaphore, empty and full channels of capacity 1 and 0, selects over
 * them, a group whose member does not end), each run in the four ways of
 * waits.c, as in cancel.c:
 *   cancel_while_blocked_in_<op>  another task cancels the caller while it
 *                                 waits;
 *   cancel_before_<op>            the caller was cancelled before the call;
 *   deadline_during_<op>          a deadline 20 ms away passes during the call;
 *   deadline_passed_before_<op>   the deadline had passed before the call.
 * Afterwards every object is destroyed and must not be busy: a wait that
 * failed left no registration behind.
 */
#include "conformance.h"

struct wenv;
struct wop {
	struct ct_wait_op base;
	void *(*prep)(struct wenv *e);
	int (*run)(struct wenv *e);
};

struct wenv {
	struct ct_wait w; /* first */
	const struct wop *op;
	async_std_mutex *m;
	async_std_cond *c;
	async_std_sem *s;
	async_std_chan *cap1, *cap0;
	async_std_group *g;
	int m_locked;
	int relock_failed;
	atomic_int go;
};

static int result(int r)
{
	return r < 0 ? errno : 0;
}

/* ---- preparations ----------------------------------------------------------- */

static void *prep_locked_mutex(struct wenv *e)
{
	CHECK((e->m = async_std_mutex_create()) != NULL);
	CHECK_OK(async_std_mutex_lock(e->m));
	e->m_locked = 1;
	return NULL;
}

static void *prep_cond(struct wenv *e)
{
	CHECK((e->m = async_std_mutex_create()) != NULL);
	CHECK((e->c = async_std_cond_create()) != NULL);
	return NULL;
}

static void *prep_sem(struct wenv *e)
{
	CHECK((e->s = async_std_sem_create(0)) != NULL);
	return NULL;
}

static void *prep_empty_chans(struct wenv *e)
{
	CHECK((e->cap1 = async_std_chan_create(sizeof(int), 1)) != NULL);
	CHECK((e->cap0 = async_std_chan_create(sizeof(int), 0)) != NULL);
	return NULL;
}

static void *prep_full_chans(struct wenv *e)
{
	if (prep_empty_chans(e))
		return CT_FAIL;
	int v = 1;
	CHECK_OK(async_std_chan_send(e->cap1, &v));
	return NULL;
}

static void *sleeper(void *p)
{
	(void)p;
	async_std_sleep(CT_FOREVER_NS);
	return NULL;
}

/* Ignores cancellation: yields until released. */
static void *stubborn(void *p)
{
	struct wenv *e = p;
	while (!atomic_load(&e->go))
		async_std_yield();
	return NULL;
}

static void *prep_group_sleeping(struct wenv *e)
{
	CHECK((e->g = async_std_group_create()) != NULL);
	CHECK_OK(async_std_group_spawn(e->g, sleeper, NULL));
	return NULL;
}

static void *prep_group_stubborn(struct wenv *e)
{
	CHECK((e->g = async_std_group_create()) != NULL);
	CHECK_OK(async_std_group_spawn(e->g, stubborn, e));
	return NULL;
}

/* ---- the waits --------------------------------------------------------------- */

static int op_mutex_lock(struct wenv *e)
{
	return result(async_std_mutex_lock(e->m));
}

static int op_cond_wait(struct wenv *e)
{
	/* An uncontended lock succeeds even for a cancelled task. */
	if (async_std_mutex_lock(e->m) != 0)
		return errno;
	int err = result(async_std_cond_wait(e->c, e->m));
	/* The mutex is held again, whatever cond_wait returned. */
	if (async_std_mutex_unlock(e->m) != 0)
		e->relock_failed = 1;
	return err;
}

static int op_sem_acquire(struct wenv *e)
{
	return result(async_std_sem_acquire(e->s));
}

static int op_chan_recv(struct wenv *e)
{
	int v;
	return result(async_std_chan_recv(e->cap1, &v));
}

static int op_chan_recv_rendezvous(struct wenv *e)
{
	int v;
	return result(async_std_chan_recv(e->cap0, &v));
}

static int op_chan_send(struct wenv *e)
{
	int v = 2;
	return result(async_std_chan_send(e->cap1, &v));
}

static int op_chan_send_rendezvous(struct wenv *e)
{
	int v = 2;
	return result(async_std_chan_send(e->cap0, &v));
}

static int op_select(struct wenv *e, int op)
{
	int v = 2;
	async_std_chan_op ops[] = { { e->cap1, op, &v, 0 }, { e->cap0, op, &v, 0 } };
	return result(async_std_chan_select(ops, 2));
}

static int op_select_recv(struct wenv *e)
{
	return op_select(e, ASYNC_STD_CHAN_RECV);
}

static int op_select_send(struct wenv *e)
{
	return op_select(e, ASYNC_STD_CHAN_SEND);
}

static int op_group_wait(struct wenv *e)
{
	return result(async_std_group_wait(e->g));
}

static int op_group_cancel(struct wenv *e)
{
	return result(async_std_group_cancel(e->g));
}

/* ---- setup and teardown ------------------------------------------------------- */

static void *env_setup(struct ct_wait *w)
{
	struct wenv *e = (struct wenv *)w;
	e->op = (const struct wop *)w->op;
	return e->op->prep(e);
}

static void *env_teardown(struct ct_wait *w)
{
	struct wenv *e = (struct wenv *)w;
	CHECK_MSG(!e->relock_failed, "%s: the mutex was not locked again", e->op->base.name);
	if (e->m_locked)
		CHECK_OK(async_std_mutex_unlock(e->m));
	if (e->g) {
		atomic_store(&e->go, 1);
		CHECK_OK(async_std_group_destroy(e->g));
	}
	if (e->c)
		CHECK_OK(async_std_cond_destroy(e->c));
	if (e->m)
		CHECK_OK(async_std_mutex_destroy(e->m));
	if (e->s)
		CHECK_OK(async_std_sem_destroy(e->s));
	if (e->cap1)
		CHECK_OK(async_std_chan_destroy(e->cap1));
	if (e->cap0)
		CHECK_OK(async_std_chan_destroy(e->cap0));
	return NULL;
}

static int env_run(struct ct_wait *w)
{
	struct wenv *e = (struct wenv *)w;
	return e->op->run(e);
}

static const struct ct_wait_kind sync_waits = {
	.env_size = sizeof(struct wenv),
	.setup = env_setup,
	.teardown = env_teardown,
	.run = env_run,
};

/* ---- the table --------------------------------------------------------------- */

#define SYNC_WAITS(X)                                     \
	X(mutex_lock, prep_locked_mutex)                  \
	X(cond_wait, prep_cond)                           \
	X(sem_acquire, prep_sem)                          \
	X(chan_recv, prep_empty_chans)                    \
	X(chan_recv_rendezvous, prep_empty_chans)         \
	X(chan_send, prep_full_chans)                     \
	X(chan_send_rendezvous, prep_full_chans)          \
	X(select_recv, prep_empty_chans)                  \
	X(select_send, prep_full_chans)                   \
	X(group_wait, prep_group_sleeping)                \
	X(group_cancel, prep_group_stubborn)

#define DEFINE_OP(name, prep) \
	static const struct wop wop_##name = { { #name, &sync_waits }, prep, op_##name };
SYNC_WAITS(DEFINE_OP)

#define DEFINE_TESTS(name, prep) CT_WAYS_ALL_TESTS(name, wop_##name)
SYNC_WAITS(DEFINE_TESTS)

#define LIST_TESTS(name, prep) CT_WAYS_ALL_LIST(name)

static const struct CMUnitTest tests[] = {
	SYNC_WAITS(LIST_TESTS)
};
CT_GROUP(ct_sync_waits_group, "sync: deadlines and cancellation of every wait", tests);
