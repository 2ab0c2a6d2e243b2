/* SPDX-License-Identifier: MIT */
/*
 * xrt.c - this copy of core in the process table of runtimes (xrt.h): its
 * registration, the lookups the cross-runtime paths make, and the entry
 * points other runtimes call on it.
 */
#include <string.h>

#include "core.h"
#include "xrt.h"

/* Every copy defines it, weak and exported (abi/abi_list.h's node 1.1), so
 * ld.so binds them all to the first: the first copy to register stores its
 * own table in it. */
__attribute__((visibility("default"), weak))
struct as_process *_Atomic async_std__process;

extern __thread const struct async_std_ops *async_std__thread_ops
	__attribute__((tls_model("initial-exec")));

uint32_t as__tag;
bool as__bound;
static struct as_process own_process = {
	.version = AS_XRT_VERSION,
	.layout = AS_XRT_LAYOUT,
	.next_task_id = 1,
};
static struct as_process *process; /* once registered */
static _Atomic uint64_t local_next_id = 1;

static void xrt_wake(struct as_parker *p)
{
	as__make_runnable(p->task);
}

static void xrt_set_wait_reason(const char *reason)
{
	struct as_task *t = as__current();
	if (t)
		t->wait_reason = reason;
}

static struct as_xrt self = {
	.version = AS_XRT_VERSION,
	.layout = AS_XRT_LAYOUT,
	.name = AS_RUNTIME_NAME,
	.ops = &as__ops,
	.fwd = &as__fwd_ops,
	.wake = xrt_wake,
	.close_fd = as__close_local,
	.dump = as__dump_section,
	.fatal_section = as__fatal_section,
	.self_parker = as__self_parker,
	.park_prepare = as__park_prepare,
	.park_wait = as__park_wait,
	.deadline = as__deadline,
	.check_interrupt = as__check_interrupt,
	.set_wait_reason = xrt_set_wait_reason,
};

static void lock(struct as_process *p)
{
	uint32_t z = 0;
	while (!atomic_compare_exchange_weak(&p->lock, &z, 1)) {
		z = 0;
		as__cpu_relax();
	}
}

static void unlock(struct as_process *p)
{
	atomic_store(&p->lock, 0);
}

int as__xrt_register(unsigned nworkers)
{
	/* The first copy to register makes its table the process's. */
	struct as_process *p = NULL;
	if (atomic_compare_exchange_strong(&async_std__process, &p, &own_process))
		p = &own_process;
	if (p->version != AS_XRT_VERSION || p->layout != AS_XRT_LAYOUT) {
		const struct as_xrt *first = atomic_load(&p->rt[0]);
		as__say("%s cannot share this process with %s: they were built from "
			"another tree or with other instrumentation (layout %#x, not %#x)",
			AS_RUNTIME_NAME, first ? first->name : "the runtime loaded first",
			p->layout, AS_XRT_LAYOUT);
		return -ENOTSUP;
	}
	self.nworkers = nworkers;
	lock(p);
	uint32_t tag = AS_XRT_MAX;
	if (as__bound && !atomic_load(&p->rt[0]))
		tag = 0;
	for (uint32_t i = 1; tag == AS_XRT_MAX && i < AS_XRT_MAX; i++)
		if (!atomic_load(&p->rt[i]))
			tag = i;
	if (tag == AS_XRT_MAX) {
		unlock(p);
		as__say("%s: %u runtimes already share this process, the most there can be",
			AS_RUNTIME_NAME, AS_XRT_MAX);
		return -EAGAIN;
	}
	self.tag = tag;
	as__tag = tag;
	atomic_store(&p->rt[tag], &self);
	unlock(p);
	process = p;
	return 0;
}

const struct as_xrt *as__xrt_of(uint32_t tag)
{
	struct as_process *p = atomic_load_explicit(&async_std__process, memory_order_acquire);
	if (!p || tag >= AS_XRT_MAX || p->layout != AS_XRT_LAYOUT)
		return NULL;
	return atomic_load_explicit(&p->rt[tag], memory_order_acquire);
}

const struct as_xrt *as__xrt_other(uint32_t tag)
{
	return tag == as__tag ? NULL : as__xrt_of(tag);
}

struct as_process *as__process(void)
{
	return process;
}

const struct as_xrt *as__xrt_foreign_caller(void)
{
	const struct async_std_ops *o = async_std__thread_ops;
	if (AS_LIKELY(!o || o == &as__fwd_ops))
		return NULL;
	struct as_process *p = atomic_load_explicit(&async_std__process, memory_order_acquire);
	if (!p || p->layout != AS_XRT_LAYOUT)
		return NULL;
	for (uint32_t i = 0; i < AS_XRT_MAX; i++) {
		const struct as_xrt *x = atomic_load_explicit(&p->rt[i], memory_order_acquire);
		if (x && x->fwd == o)
			return x;
	}
	return NULL;
}

uint64_t as__next_task_id(void)
{
	if (AS_LIKELY(process != NULL))
		return atomic_fetch_add_explicit(&process->next_task_id, 1, memory_order_relaxed);
	return atomic_fetch_add_explicit(&local_next_id, 1, memory_order_relaxed);
}

/* async_std_runtime_find: a runtime of this process by name. */
const struct async_std_ops *as__runtime_find(const char *name)
{
	if (!name) {
		errno = EINVAL;
		return NULL;
	}
	if (strcmp(name, AS_RUNTIME_NAME) == 0)
		return &as__ops;
	for (uint32_t i = 0; i < AS_XRT_MAX; i++) {
		const struct as_xrt *x = as__xrt_of(i);
		if (x && strcmp(x->name, name) == 0)
			return x->ops;
	}
	errno = ENOENT;
	return NULL;
}
