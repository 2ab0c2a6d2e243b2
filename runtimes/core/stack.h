/* SPDX-License-Identifier: MIT */
/*
 * stack.h - fiber stacks: mapped lazily in large slabs, a guard page below
 * each, pooled per size with a per-thread cache (stack.c), and a SIGSEGV/SIGBUS
 * handler that names the task whose stack overflowed (stack_overflow.c).
 * Used by the scheduler.
 */
#ifndef AS_STACK_H
#define AS_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reserved bytes of freed stacks a size class keeps resident before it
 * releases their pages (stack.c says why this much). */
#define AS_STACK_WARM_BYTES ((size_t)256 << 20)

struct as_stack {
	void *lo;      /* usable [lo, lo + size); the guard page is just below lo */
	size_t size;
	uint32_t slab; /* where the stack lives, for free and label */
	uint32_t slot;
};

/* Size rounded up to pages (0 counts as one page); 0 or -ENOMEM.  Pooled: a
 * freed stack is reused without a syscall.  The memory is not touched, so a
 * stack costs RSS only for the pages its fiber uses. */
int as__stack_alloc(struct as_stack *s, size_t size);

/* Returns s to the pool.  Must not be the stack the caller runs on: a freed
 * stack may have its pages dropped at once. */
void as__stack_free(struct as_stack *s);

/* Names the owner for the overflow report.  name is not copied: pass the
 * task's own copy, which stays valid while the stack is in use.  name may be
 * NULL or "" (the report then names only the id).  Cheap (called on every
 * spawn): two stores into per-slot metadata, never into the stack. */
void as__stack_label(const struct as_stack *s, uint64_t task_id, const char *name);

/* ---- the overflow handler (stack_overflow.c) ------------------------------ */
/* Per thread that runs fibers: installs a sigaltstack (unless the thread has
 * one already) and, once per process, the SIGSEGV/SIGBUS handler, which
 * chains to the handler it replaced for faults that are not stack overflows.
 * 0 or -errno. */
int as__stack_thread_init(void);

/* Undoes as__stack_thread_init and hands this thread's cached stacks back to
 * the global pool (stack.c).  Call before the thread exits. */
void as__stack_thread_fini(void);
/* Its overflow half: removes the thread's alternate stack, if it made one. */
void as__stack_altstack_fini(void);

/* The task a stack belongs to, as labelled by as__stack_label. */
struct as_stack_owner {
	uint64_t task_id;
	const char *name;
	size_t stack_size;
};
/* Whether addr lies in the guard page of a pooled stack, and whose (stack.c).
 * Async-signal-safe. */
bool as__stack_guard_owner(uintptr_t addr, struct as_stack_owner *o);

/* How guard pages are made: "madvise" (MADV_GUARD_INSTALL, no VMA per stack)
 * or "mprotect" (older kernels: two VMAs per stack, so at most ~32k stacks). */
const char *as__stack_guard_kind(void);

/* Called by the SIGSEGV/SIGBUS handler before the process dies of a fault
 * (a stack overflow included), when set: the task dump of
 * ASYNC_STD_TRACEBACK=tasks. */
extern void (*as__stack_fatal_hook)(int sig, const void *uc);

#endif /* AS_STACK_H */
