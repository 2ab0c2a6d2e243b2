/* SPDX-License-Identifier: MIT */
/*
 * waits.c - the four ways of interrupting a blocking call, shared by the
 * tables of cancel.c and sync_waits.c:
 *   ct_cancel_while_blocked     another task cancels the caller while it
 *                               waits (best effort: the outcome is the same
 *                               if the cancel comes first);
 *   ct_cancel_before            the caller was cancelled before the call;
 *   ct_deadline_during          a deadline 20 ms away passes during the call;
 *   ct_deadline_passed_before   the deadline had passed before the call.
 * Each takes a struct ct_wait_op of the file's table as its argument.
 * Cancellation is sticky: after ECANCELED the same call fails again.
 */
#include "conformance.h"

static const char *default_result_name(int v)
{
	return v ? ct_errname(v) : "success";
}

#define CHECK_OP(got, want)                                                       \
	do {                                                                      \
		const char *(*name_)(int) = e->op->kind->result_name              \
			? e->op->kind->result_name : default_result_name;         \
		CHECK_MSG((got) == (want), "%s: %s gave %s, expected %s",         \
			  e->op->name, #got, name_(got), name_(want));            \
	} while (0)

/* A zeroed environment of the op's kind, set up for the op. */
static struct ct_wait *env_setup(const struct ct_wait_op *op)
{
	struct ct_wait *e = ct_alloc(op->kind->env_size);
	e->op = op;
	return op->kind->setup(e) ? NULL : e;
}

/* Runs the op twice in a child task, under the safety deadline if the kind
 * asks for it; with gate, only once the gate opens. */
static void run_twice(struct ct_wait *e, int gated)
{
	int64_t prev = 0;
	if (e->op->kind->child_deadline)
		prev = async_std_deadline_push(async_std_now() + ct_deadline_ns);
	atomic_store(&e->started, 1);
	while (gated && !atomic_load(&e->gate))
		async_std_yield();
	e->err1 = e->op->kind->run(e);
	e->err2 = e->op->kind->run(e);
	if (e->op->kind->child_deadline)
		async_std_deadline_pop(prev);
}

static void *blocked_child(void *p)
{
	run_twice(p, 0);
	return NULL;
}

static void *gated_child(void *p)
{
	run_twice(p, 1);
	return NULL;
}

/* Joins the child with a limit, so a call that ignores the cancel fails the
 * test rather than hanging it. */
static void *join_child(struct ct_wait *e, async_std_task *child)
{
	int64_t prev = async_std_deadline_push(async_std_now() + ct_deadline_ns / 2);
	errno = 0;
	int rc = async_std_join(child, NULL);
	int err = errno;
	async_std_deadline_pop(prev);
	CHECK_MSG(rc == 0, "%s: the cancelled task did not return (join gave %s)",
		  e->op->name, ct_errname(err));
	return NULL;
}

void *ct_cancel_while_blocked(void *p)
{
	struct ct_wait *e = env_setup(p);
	if (!e)
		return CT_FAIL;
	async_std_task *child = async_std_spawn(blocked_child, e);
	CHECK(child != NULL);
	CHECK_OK(ct_wait_flag(&e->started, 1));
	ct_let_block();
	CHECK_OK(async_std_cancel(child));
	if (join_child(e, child))
		return CT_FAIL;
	CHECK_OP(e->err1, ECANCELED);
	CHECK_OP(e->err2, ECANCELED);
	return e->op->kind->teardown(e);
}

void *ct_cancel_before(void *p)
{
	struct ct_wait *e = env_setup(p);
	if (!e)
		return CT_FAIL;
	async_std_task *child = async_std_spawn(gated_child, e);
	CHECK(child != NULL);
	CHECK_OK(async_std_cancel(child));
	atomic_store(&e->gate, 1);
	if (join_child(e, child))
		return CT_FAIL;
	CHECK_OP(e->err1, ECANCELED);
	CHECK_OP(e->err2, ECANCELED);
	if (e->op->kind->check_ran)
		CHECK_MSG(atomic_load(&e->ran) == 0,
			  "%s: fn ran although the call was cancelled", e->op->name);
	return e->op->kind->teardown(e);
}

void *ct_deadline_during(void *p)
{
	struct ct_wait *e = env_setup(p);
	if (!e)
		return CT_FAIL;
	int64_t d = async_std_now() + 20 * CT_MS;
	int64_t prev = async_std_deadline_push(d);
	e->err1 = e->op->kind->run(e);
	int64_t after = async_std_now();
	async_std_deadline_pop(prev);
	CHECK_OP(e->err1, ETIMEDOUT);
	CHECK_MSG(after >= d, "%s: ETIMEDOUT %lld ns before the deadline", e->op->name,
		  (long long)(d - after));
	return e->op->kind->teardown(e);
}

void *ct_deadline_passed_before(void *p)
{
	struct ct_wait *e = env_setup(p);
	if (!e)
		return CT_FAIL;
	int64_t prev = async_std_deadline_push(async_std_now() - 1);
	e->err1 = e->op->kind->run(e);
	async_std_deadline_pop(prev);
	CHECK_OP(e->err1, ETIMEDOUT);
	if (e->op->kind->check_ran)
		CHECK_MSG(atomic_load(&e->ran) == 0,
			  "%s: fn ran although the deadline had passed", e->op->name);
	return e->op->kind->teardown(e);
}
