/* SPDX-License-Identifier: MIT */
/*
 * fiber.h - a fiber is a saved stack pointer on a stack of its own; switching
 * is one call into as__ctx_switch (switch_<arch>.S).  The scheduler builds tasks
 * on this; the sanitizer and valgrind annotations live in fiber.c.
 */
#ifndef AS_FIBER_H
#define AS_FIBER_H

#include <stddef.h>
#include <stdint.h>

#if defined(AS_ASAN) || defined(AS_TSAN) || defined(AS_VALGRIND)
#define AS_FIBER_ANNOTATED 1
#else
#define AS_FIBER_ANNOTATED 0
#endif

struct as_fiber {
	void *sp;          /* saved stack pointer while the fiber is not running */
	void *stack_lo;    /* lowest usable stack address (a thread's own: from pthread_getattr_np) */
	size_t stack_size;
	/* The fields below are kept in every build so that objects built with and
	 * without sanitizers agree on the layout. */
	void (*entry)(void *); /* annotated builds start through fiber.c, which needs these */
	void *arg;
	void *asan_fake_stack; /* ASan: this fiber's fake stack while switched out */
	void *tsan_fiber;      /* TSan: __tsan_create_fiber() handle */
	unsigned valgrind_id;  /* valgrind: VALGRIND_STACK_REGISTER id + 1, 0 if none */
	unsigned is_thread;    /* describes a thread's own stack: never released */
};

/* Saves the callee-saved registers (and the FP control state) on the current
 * stack, stores the stack pointer in *save_sp, loads load_sp and resumes what
 * was saved there.  Returns when someone switches back to *save_sp. */
void as__ctx_switch(void **save_sp, void *load_sp);

/* Prepare f so that the first as__fiber_switch() to it runs entry(arg) on
 * [lo, lo+size).  entry must never return; a finished fiber leaves with
 * as__fiber_switch_final().  The new fiber starts with the floating-point
 * control state (MXCSR, x87 control word / FPCR) of the calling thread, as a
 * new thread would.  Neither lo nor size need be aligned.  Writes the first
 * frame at the top of the stack (touches its top page).  In annotated builds
 * f registers with TSan/valgrind: call as__fiber_release() before making f
 * again or reusing the stack.  f must not move while the fiber exists (a
 * by-value copy of a finished fiber for release is fine). */
void as__fiber_make(struct as_fiber *f, void *lo, size_t size, void (*entry)(void *), void *arg);

/* Describe the calling thread's own stack as fiber f (the scheduler's context). */
void as__fiber_init_thread(struct as_fiber *f);

#if AS_FIBER_ANNOTATED
void as__fiber_switch(struct as_fiber *from, struct as_fiber *to);
__attribute__((noreturn)) void as__fiber_switch_final(struct as_fiber *from, struct as_fiber *to);
void as__fiber_release(struct as_fiber *f);
#else
/* Save the running context into from, resume to; returns when someone
 * switches back to from. */
static inline void as__fiber_switch(struct as_fiber *from, struct as_fiber *to)
{
	as__ctx_switch(&from->sp, to->sp);
}

/* As switch, but from has finished and is never resumed (ASan may drop its
 * fake stack).  Does not return. */
__attribute__((noreturn)) static inline void as__fiber_switch_final(struct as_fiber *from,
								    struct as_fiber *to)
{
	as__ctx_switch(&from->sp, to->sp);
	__builtin_unreachable();
}

/* Drop registrations (valgrind stack id, TSan fiber) of a finished fiber
 * before its stack is reused.  Nothing to drop in a plain build. */
static inline void as__fiber_release(struct as_fiber *f)
{
	(void)f;
}
#endif

#endif /* AS_FIBER_H */
