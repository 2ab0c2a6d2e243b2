/* SPDX-License-Identifier: MIT */
/*
 * fiber.c - builds a new fiber's first frame for as__ctx_switch, describes a
 * thread's own stack, and (only in ASan, TSan or valgrind builds) wraps the
 * switch with the annotations those tools need to follow stack changes.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fiber.h"

#ifdef AS_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef AS_TSAN
#include <sanitizer/tsan_interface.h>
#endif
/* Every build tells valgrind where its stacks are when the header is there:
 * a client request costs a handful of instructions outside valgrind, on
 * spawn and exit only (never on a switch), and without it valgrind takes
 * every switch for a wild stack-pointer jump and reports thousands of false
 * errors.  The VALGRIND=1 build needs the header. */
#if defined(AS_VALGRIND) || (defined(__has_include) && __has_include(<valgrind/valgrind.h>))
#include <valgrind/valgrind.h>
#define AS_VALGRIND_STACKS 1
#endif

/* In switch_<arch>.S; never called from C, only its address is used. */
void as__fiber_trampoline(void);

#if AS_FIBER_ANNOTATED
static void fiber_start(void *arg);
#endif

void as__fiber_make(struct as_fiber *f, void *lo, size_t size, void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
	uint64_t *frame;

	memset(f, 0, sizeof *f);
	f->stack_lo = lo;
	f->stack_size = size;
	f->entry = entry;
	f->arg = arg;
#if AS_FIBER_ANNOTATED
	/* The first switch into f must finish the tools' switch protocol before
	 * entry runs, so start through fiber_start. */
	entry = fiber_start;
	arg = f;
#endif
#ifdef AS_ASAN
	/* A reused stack still carries the redzones of frames that never
	 * returned (a finished fiber leaves from deep inside its stack). */
	__asan_unpoison_memory_region(lo, size);
#endif
#ifdef AS_TSAN
	f->tsan_fiber = __tsan_create_fiber(0);
#endif
#ifdef AS_VALGRIND_STACKS
	/* valgrind hands out ids from 0: keep id + 1 so 0 means "none". */
	f->valgrind_id = VALGRIND_STACK_REGISTER(lo, (char *)lo + size) + 1;
#endif

#if defined(__x86_64__)
	/* Layout in switch_x86_64.S.  After the final pop the trampoline runs
	 * with rsp == top, 16-byte aligned, so its call leaves entry with the
	 * ABI's rsp % 16 == 8. */
	uint32_t mxcsr;
	uint16_t fcw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	frame = (uint64_t *)(top - 64);
	memset(frame, 0, 64);
	/* Status bits (0x3f) are sticky exception flags: not inherited. */
	frame[0] = (uint64_t)(mxcsr & ~0x3fu) | (uint64_t)fcw << 32;
	frame[3] = (uintptr_t)arg;   /* r13 */
	frame[4] = (uintptr_t)entry; /* r12 */
	frame[6] = 0;                /* rbp: ends frame-pointer walks */
	frame[7] = (uintptr_t)as__fiber_trampoline;
#elif defined(__aarch64__)
	/* Layout in switch_aarch64.S. */
	uint64_t fpcr;

	__asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
	frame = (uint64_t *)(top - 176);
	memset(frame, 0, 176);
	frame[0] = (uintptr_t)entry; /* x19 */
	frame[1] = (uintptr_t)arg;   /* x20 */
	frame[10] = 0;               /* x29: ends frame-pointer walks */
	frame[11] = (uintptr_t)as__fiber_trampoline; /* x30 */
	frame[20] = fpcr;
#else
#error "async_std: no context switch for this architecture"
#endif
	f->sp = frame;
}

void as__fiber_init_thread(struct as_fiber *f)
{
	pthread_attr_t attr;
	void *lo;
	size_t size;

	memset(f, 0, sizeof *f);
	f->is_thread = 1;
	/* Only the sanitizers need the bounds (the target of a switch); a
	 * failure leaves them unknown, which ASan also accepts. */
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
			f->stack_lo = lo;
			f->stack_size = size;
		}
		pthread_attr_destroy(&attr);
	}
#ifdef AS_TSAN
	f->tsan_fiber = __tsan_get_current_fiber();
#endif
}

#if AS_FIBER_ANNOTATED

#ifdef AS_ASAN
/* The fiber being switched away from; whoever resumes learns from ASan the
 * exact bounds of the stack that was left, which is how a thread's own stack
 * gets the bounds ASan itself uses. */
static __thread struct as_fiber *asan_leaving;

__attribute__((no_sanitize_address)) static void asan_finish(void *fake_stack)
{
	const void *bottom;
	size_t size;
	struct as_fiber *prev = asan_leaving;

	__sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
	if (prev && prev->is_thread && bottom) {
		prev->stack_lo = (void *)bottom;
		prev->stack_size = size;
	}
}
#endif

/* Every annotated fiber starts here: finish the switch that entered it. */
__attribute__((no_sanitize_address)) static void fiber_start(void *arg)
{
	struct as_fiber *f = arg;

#ifdef AS_ASAN
	asan_finish(NULL);
#endif
	f->entry(f->arg);
	abort(); /* entry must leave with as__fiber_switch_final() */
}

__attribute__((no_sanitize_address)) void as__fiber_switch(struct as_fiber *from,
							     struct as_fiber *to)
{
#ifdef AS_ASAN
	asan_leaving = from;
	__sanitizer_start_switch_fiber(&from->asan_fake_stack, to->stack_lo, to->stack_size);
#endif
#ifdef AS_TSAN
	/* flags 0: the fibers of one thread run in turn, so the switch is a
	 * happens-before edge. */
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
	as__ctx_switch(&from->sp, to->sp);
#ifdef AS_ASAN
	asan_finish(from->asan_fake_stack);
#endif
}

__attribute__((no_sanitize_address, noreturn)) void as__fiber_switch_final(struct as_fiber *from,
									     struct as_fiber *to)
{
#ifdef AS_ASAN
	asan_leaving = from;
	/* NULL: from is never resumed, so ASan destroys its fake stack. */
	__sanitizer_start_switch_fiber(NULL, to->stack_lo, to->stack_size);
#endif
#ifdef AS_TSAN
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
	as__ctx_switch(&from->sp, to->sp);
	abort(); /* nobody switches back to a finished fiber */
}

void as__fiber_release(struct as_fiber *f)
{
	if (f->is_thread)
		return;
#ifdef AS_TSAN
	if (f->tsan_fiber)
		__tsan_destroy_fiber(f->tsan_fiber);
	f->tsan_fiber = NULL;
#endif
#ifdef AS_VALGRIND_STACKS
	if (f->valgrind_id)
		VALGRIND_STACK_DEREGISTER(f->valgrind_id - 1);
	f->valgrind_id = 0;
#endif
}

#endif /* AS_FIBER_ANNOTATED */
