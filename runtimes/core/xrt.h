/* SPDX-License-Identifier: MIT */
/*
 * xrt.h - the contract between runtimes that share a process (humboldt and
 * gcd, say): each registers a struct as_xrt in the one process table, which
 * every copy of core reaches through the weak, default-visibility pointer
 * async_std__process (ld.so binds every copy to the first definition).
 *
 * The rules it implements:
 *  - the current runtime is the calling thread's (async_std__thread_ops);
 *  - a task handle names its runtime (bits 28-31 of its low word), so join,
 *    detach, cancel and task_id reach the owner from anywhere;
 *  - only the owner makes its task runnable (a parker carries its owner's
 *    tag; as__unpark hands a foreign one to the owner's `wake`);
 *  - a copy of core that runs on a thread another runtime owns parks the
 *    caller, and reads its deadline and cancellation, through that runtime;
 *  - sync objects belong to no runtime: the caller's copy runs their code.
 * Only copies built from the same tree with the same instrumentation may
 * share: AS_XRT_LAYOUT must match, or the newcomer is refused.
 */
#ifndef AS_XRT_H
#define AS_XRT_H

#include <stdbool.h>
#include <stdint.h>

#include "async_std.h"

#define AS_XRT_VERSION 1
#define AS_XRT_MAX 16u          /* tags 0..15; 0 is the bound runtime's */
#define AS_HANDLE_TAG_SHIFT 28
#define AS_HANDLE_SLOT_MASK ((1u << AS_HANDLE_TAG_SHIFT) - 1)

/* Bumped whenever a struct that two copies touch changes (parker, waiter
 * queues, sync objects, this file): 0xAS0n plus the instrumentation, since an
 * uninstrumented copy would switch fibers behind a sanitizer's back. */
#ifndef AS_XRT_LAYOUT_BASE /* a test builds a copy with another one */
#define AS_XRT_LAYOUT_BASE 0x5a010002u
#endif
#if defined(AS_TSAN)
#define AS_XRT_LAYOUT (AS_XRT_LAYOUT_BASE | 0x100u)
#elif defined(AS_ASAN)
#define AS_XRT_LAYOUT (AS_XRT_LAYOUT_BASE | 0x200u)
#elif defined(AS_VALGRIND)
#define AS_XRT_LAYOUT (AS_XRT_LAYOUT_BASE | 0x400u)
#else
#define AS_XRT_LAYOUT AS_XRT_LAYOUT_BASE
#endif

struct as_parker;

struct as_xrt {
	uint32_t version, layout;
	const char *name;
	uint32_t tag;
	unsigned nworkers;
	const struct async_std_ops *ops;  /* its internal entry points */
	const struct async_std_ops *fwd;  /* what its workers put in async_std__thread_ops */
	/* Owner side, any thread: make p's task runnable on its worker. */
	void (*wake)(struct as_parker *p);
	/* Owner side, any thread: wake its waiters on fd with EBADF. */
	void (*close_fd)(int fd);
	/* Owner side, a plain thread: its section of a task dump (tasks
	 * written, or -errno). */
	int (*dump)(int fd, unsigned flags);
	/* The crashing thread is this runtime's: the line naming the task and
	 * its section, the crashed task first (uc: the signal's context). */
	void (*fatal_section)(int sig, const void *uc);
	/* Caller side, only on a thread this runtime owns. */
	struct as_parker *(*self_parker)(void);
	int (*park_prepare)(bool cancellable);
	int (*park_wait)(int64_t deadline);
	int64_t (*deadline)(void);
	int (*check_interrupt)(void);
	void (*set_wait_reason)(const char *reason);
};

struct as_process {
	uint32_t version, layout;
	_Atomic uint32_t lock;             /* registration */
	const struct as_xrt *_Atomic rt[AS_XRT_MAX];
	_Atomic uint64_t next_task_id;     /* ids unique across runtimes */
	_Atomic int fatal_dumping;         /* one crash dump for all runtimes */
};

/* This copy's tag once registered (0 before, and for the bound runtime). */
extern uint32_t as__tag __attribute__((visibility("hidden")));
/* Registers this runtime (start(), before any worker exists): 0, -EAGAIN (a
 * 16th runtime), -ENOTSUP (refused: another layout; said in one line). */
int as__xrt_register(unsigned nworkers);
/* The registered runtime with `tag`, or NULL. */
const struct as_xrt *as__xrt_of(uint32_t tag);
/* The runtime that owns the calling thread when it is not this one, else
 * NULL (a plain thread, or one of ours). */
const struct as_xrt *as__xrt_foreign_caller(void) __attribute__((cold));
/* The registered runtime with `tag` unless it is this one, or NULL. */
const struct as_xrt *as__xrt_other(uint32_t tag);
/* The process's table once this runtime registered, else NULL. */
struct as_process *as__process(void);
/* A process-unique task id. */
uint64_t as__next_task_id(void);
/* Whether this copy is the bound runtime (the shim's binding check). */
extern bool as__bound;

/* The tag a handle carries. */
static inline uint32_t as__handle_tag(async_std_task *h)
{
	return ((uint32_t)(uintptr_t)h) >> AS_HANDLE_TAG_SHIFT;
}

#endif
