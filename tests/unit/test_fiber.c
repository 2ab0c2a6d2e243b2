/* SPDX-License-Identifier: MIT */
/*
 * test_fiber.c - unit tests of the fiber context switch (runtimes/core/fiber.h):
 * control flow, what a switch preserves, and where a fiber's stack ends for
 * unwinders.  Stacks come from plain mmap, independent of the stack pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <execinfo.h>
#include <fenv.h>
#include <sys/mman.h>

#include "fiber.h"

#define STACK_BYTES (64 * 1024)

static struct as_fiber main_ctx;

static void *stack_map(void)
{
	void *p = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static void stack_unmap(void *p)
{
	munmap(p, STACK_BYTES);
}

/* ---- ping-pong --------------------------------------------------------- */

#define PING_ROUNDS 1000

static struct as_fiber ping_f, pong_f;
static char ping_log[2 * PING_ROUNDS + 1];
static int ping_n;

static void ping_main(void *arg)
{
	for (int i = 0; i < PING_ROUNDS; i++) {
		ping_log[ping_n++] = 'a';
		as__fiber_switch(&ping_f, &pong_f);
	}
	as__fiber_switch_final(&ping_f, &main_ctx);
}

static void pong_main(void *arg)
{
	for (;;) {
		ping_log[ping_n++] = 'b';
		as__fiber_switch(&pong_f, &ping_f);
	}
}

static void test_ping_pong_alternates_between_two_fibers(void **state)
{
	void *s1 = stack_map(), *s2 = stack_map();

	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&ping_f, s1, STACK_BYTES, ping_main, NULL);
	as__fiber_make(&pong_f, s2, STACK_BYTES, pong_main, NULL);
	ping_n = 0;
	as__fiber_switch(&main_ctx, &ping_f);

	assert_int_equal(ping_n, 2 * PING_ROUNDS);
	for (int i = 0; i < ping_n; i++)
		assert_int_equal(ping_log[i], i % 2 ? 'b' : 'a');
	as__fiber_release(&ping_f);
	as__fiber_release(&pong_f);
	stack_unmap(s1);
	stack_unmap(s2);
}

/* ---- callee-saved registers -------------------------------------------- */

static struct as_fiber trash_f;

/* Overwrites every callee-saved register it may (not the frame pointer)
 * before each switch back, so a switch that failed to restore them would
 * hand the caller garbage. */
static void trash_main(void *arg)
{
	for (;;) {
#if defined(__x86_64__)
		__asm__ volatile("mov $0x5a5a5a5a, %%ebx\n\t"
				 "mov %%rbx, %%r12\n\t"
				 "mov %%rbx, %%r13\n\t"
				 "mov %%rbx, %%r14\n\t"
				 "mov %%rbx, %%r15\n\t"
				 ::: "rbx", "r12", "r13", "r14", "r15");
#elif defined(__aarch64__)
		__asm__ volatile("mov x19, #0x5a5a\n\t"
				 "mov x20, x19\n\tmov x21, x19\n\tmov x22, x19\n\t"
				 "mov x23, x19\n\tmov x24, x19\n\tmov x25, x19\n\t"
				 "mov x26, x19\n\tmov x27, x19\n\tmov x28, x19\n\t"
				 "fmov d8, x19\n\tfmov d9, x19\n\tfmov d10, x19\n\t"
				 "fmov d11, x19\n\tfmov d12, x19\n\tfmov d13, x19\n\t"
				 "fmov d14, x19\n\tfmov d15, x19\n\t"
				 ::: "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
				 "x27", "x28", "d8", "d9", "d10", "d11", "d12", "d13", "d14",
				 "d15");
#endif
		as__fiber_switch(&trash_f, &main_ctx);
	}
}

/* Keeps eight integers and four doubles live across every switch (more than
 * the caller-saved registers can hold), so the compiler puts them in
 * callee-saved registers.  peer NULL: the same computation, no switches. */
__attribute__((noinline)) static uint64_t churn(int rounds, struct as_fiber *peer)
{
	uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
	double x = 1.5, y = 2.25, z = 3.125, w = 4.0625;

	for (int i = 0; i < rounds; i++) {
		a = a * 3 + h;
		b ^= a << 1;
		c += b * 5;
		d = d * 7 ^ c;
		e += d >> 3;
		f ^= e * 11;
		g += f;
		h = h * 13 + g;
		x = x * 1.0001 + (double)(a & 7);
		y = y * 0.9999 + x;
		z = z + y * 0.5;
		w = w * 0.75 + z;
		if (peer)
			as__fiber_switch(&main_ctx, peer);
	}
	return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ (uint64_t)(x + y + z + w);
}

static void test_callee_saved_registers_survive_a_switch(void **state)
{
	void *s = stack_map();
	uint64_t expected = churn(1000, NULL);

	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&trash_f, s, STACK_BYTES, trash_main, NULL);
	assert_true(churn(1000, &trash_f) == expected);
	as__fiber_release(&trash_f);
	stack_unmap(s);
}

/* ---- floating-point control state -------------------------------------- */

static struct as_fiber fp_up_f, fp_peer_f;
static int fp_peer_round, fp_up_round_after;
static unsigned fp_peer_mxcsr_rc;

static unsigned mxcsr_rounding(void)
{
#if defined(__x86_64__)
	uint32_t csr;

	__asm__ volatile("stmxcsr %0" : "=m"(csr));
	return csr & 0x6000; /* RC bits: what fegetround does not show on x86-64 */
#else
	return 0;
#endif
}

static void fp_up_main(void *arg)
{
	fesetround(FE_UPWARD);
	as__fiber_switch(&fp_up_f, &fp_peer_f);
	fp_up_round_after = fegetround();
	as__fiber_switch_final(&fp_up_f, &main_ctx);
}

static void fp_peer_main(void *arg)
{
	fp_peer_round = fegetround();
	fp_peer_mxcsr_rc = mxcsr_rounding();
	as__fiber_switch_final(&fp_peer_f, &fp_up_f);
}

static void test_rounding_mode_stays_in_its_fiber(void **state)
{
	void *s1 = stack_map(), *s2 = stack_map();
	unsigned main_rc = mxcsr_rounding();

	assert_int_equal(fegetround(), FE_TONEAREST);
	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&fp_up_f, s1, STACK_BYTES, fp_up_main, NULL);
	as__fiber_make(&fp_peer_f, s2, STACK_BYTES, fp_peer_main, NULL);
	as__fiber_switch(&main_ctx, &fp_up_f);

	assert_int_equal(fp_peer_round, FE_TONEAREST);
	assert_int_equal(fp_peer_mxcsr_rc, main_rc);
	assert_int_equal(fp_up_round_after, FE_UPWARD);
	assert_int_equal(fegetround(), FE_TONEAREST);
	assert_int_equal(mxcsr_rounding(), main_rc);
	as__fiber_release(&fp_up_f);
	as__fiber_release(&fp_peer_f);
	stack_unmap(s1);
	stack_unmap(s2);
}

static struct as_fiber fp_child_f;
static int fp_child_round;

static void fp_child_main(void *arg)
{
	fp_child_round = fegetround();
	as__fiber_switch_final(&fp_child_f, &main_ctx);
}

static void test_new_fiber_inherits_rounding_mode_of_its_maker(void **state)
{
	void *s = stack_map();

	as__fiber_init_thread(&main_ctx);
	fesetround(FE_DOWNWARD);
	as__fiber_make(&fp_child_f, s, STACK_BYTES, fp_child_main, NULL);
	fesetround(FE_TONEAREST);
	as__fiber_switch(&main_ctx, &fp_child_f);

	assert_int_equal(fp_child_round, FE_DOWNWARD);
	assert_int_equal(fegetround(), FE_TONEAREST);
	as__fiber_release(&fp_child_f);
	stack_unmap(s);
}

/* ---- where the stack is ------------------------------------------------ */

static struct as_fiber where_f;
static uintptr_t where_sp, where_frame;
static char where_text[64];

static void where_main(void *arg)
{
	/* The stack pointer itself: under ASan an address-taken local may
	 * live on a fake stack elsewhere. */
#if defined(__x86_64__)
	__asm__ volatile("mov %%rsp, %0" : "=r"(where_sp));
#elif defined(__aarch64__)
	__asm__ volatile("mov %0, sp" : "=r"(where_sp));
#endif
	where_frame = (uintptr_t)__builtin_frame_address(0);
	/* printf of a double uses aligned SSE stores on x86-64: it crashes on a
	 * stack that breaks the ABI's 16-byte alignment. */
	snprintf(where_text, sizeof where_text, "%.3f", 2.5);
	as__fiber_switch_final(&where_f, &main_ctx);
}

static void test_fiber_runs_on_its_own_aligned_stack(void **state)
{
	char *s = stack_map();

	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&where_f, s, STACK_BYTES, where_main, NULL);
	as__fiber_switch(&main_ctx, &where_f);

	assert_true(where_sp >= (uintptr_t)s && where_sp < (uintptr_t)s + STACK_BYTES);
	assert_true(where_frame >= (uintptr_t)s && where_frame < (uintptr_t)s + STACK_BYTES);
	assert_int_equal(where_frame % 16, 0);
	assert_string_equal(where_text, "2.500");
	as__fiber_release(&where_f);
	stack_unmap(s);
}

/* ---- unwinding ends at the fiber's entry ------------------------------- */

/* In switch_<arch>.S. */
void as__fiber_trampoline(void);

static struct as_fiber walk_f;
static char *walk_lo;
static int walk_frames, walk_outside, walk_backtrace, walk_baited;
static void *walk_last_pc;

/* The walk tests give the fiber all but the top WALK_BAIT bytes of its
 * mapping and fill those with this function's address: an unwinder that did
 * not stop at the trampoline would read one as the next return address. */
#define WALK_BAIT 64

__attribute__((noinline)) static void walk_bait(void)
{
	__asm__ volatile("");
}

static void *walk_bait_pc(void)
{
	return (char *)walk_bait + 1;
}

static void walk_stack_map(void)
{
	walk_lo = stack_map();
	for (int i = 0; i < WALK_BAIT / (int)sizeof(void *); i++)
		((void **)(walk_lo + STACK_BYTES - WALK_BAIT))[i] = walk_bait_pc();
}

__attribute__((noinline)) static void walk_frame_pointers(void)
{
	void **fp = __builtin_frame_address(0);

	walk_frames = 0;
	walk_outside = 0;
	while (fp && walk_frames < 64) {
		if ((char *)fp < walk_lo || (char *)fp >= walk_lo + STACK_BYTES - WALK_BAIT)
			walk_outside++;
		walk_frames++;
		fp = *fp; /* saved frame pointer of the caller */
	}
	if (fp)
		walk_frames = -1; /* no terminating zero */
}

__attribute__((noinline)) static void walk_backtrace_here(void)
{
	void *pcs[64];

	walk_backtrace = backtrace(pcs, 64);
	walk_last_pc = walk_backtrace > 0 ? pcs[walk_backtrace - 1] : NULL;
	walk_baited = 0;
	for (int i = 0; i < walk_backtrace; i++)
		walk_baited += pcs[i] == walk_bait_pc();
}

static void walk_main(void *arg)
{
	walk_frame_pointers();
	walk_backtrace_here();
	as__fiber_switch_final(&walk_f, &main_ctx);
}

static void test_frame_pointer_walk_in_fiber_ends_at_zero(void **state)
{
	walk_stack_map();
	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&walk_f, walk_lo, STACK_BYTES - WALK_BAIT, walk_main, NULL);
	as__fiber_switch(&main_ctx, &walk_f);

	/* walk_frame_pointers <- walk_main <- trampoline (frame pointer 0):
	 * two frames, both on the fiber's stack (a few more if annotated
	 * builds start through fiber.c). */
	assert_true(walk_frames >= 2 && walk_frames < 8);
	assert_int_equal(walk_outside, 0);
	as__fiber_release(&walk_f);
	stack_unmap(walk_lo);
}

static void test_cfi_backtrace_in_fiber_stops_at_trampoline(void **state)
{
	uintptr_t tramp = (uintptr_t)as__fiber_trampoline;

	walk_stack_map();
	as__fiber_init_thread(&main_ctx);
	as__fiber_make(&walk_f, walk_lo, STACK_BYTES - WALK_BAIT, walk_main, NULL);
	as__fiber_switch(&main_ctx, &walk_f);

	/* backtrace <- walk_backtrace_here <- walk_main <- trampoline, whose
	 * undefined return address stops the unwinder before the bait. */
	assert_int_equal(walk_baited, 0);
	assert_true(walk_backtrace >= 3 && walk_backtrace < 12);
	assert_true((uintptr_t)walk_last_pc > tramp && (uintptr_t)walk_last_pc < tramp + 32);
	as__fiber_release(&walk_f);
	stack_unmap(walk_lo);
}

/* ---- finishing --------------------------------------------------------- */

static struct as_fiber final_f;
static int final_runs;

static void final_main(void *arg)
{
	final_runs += *(int *)arg;
	as__fiber_switch_final(&final_f, &main_ctx);
}

static void test_switch_final_returns_to_thread_and_stack_is_reusable(void **state)
{
	void *s = stack_map();
	int one = 1;

	as__fiber_init_thread(&main_ctx);
	final_runs = 0;
	for (int i = 0; i < 3; i++) {
		as__fiber_make(&final_f, s, STACK_BYTES, final_main, &one);
		as__fiber_switch(&main_ctx, &final_f);
		assert_int_equal(final_runs, i + 1);
		as__fiber_release(&final_f);
	}
	stack_unmap(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_pong_alternates_between_two_fibers),
		cmocka_unit_test(test_callee_saved_registers_survive_a_switch),
		cmocka_unit_test(test_rounding_mode_stays_in_its_fiber),
		cmocka_unit_test(test_new_fiber_inherits_rounding_mode_of_its_maker),
		cmocka_unit_test(test_fiber_runs_on_its_own_aligned_stack),
		cmocka_unit_test(test_frame_pointer_walk_in_fiber_ends_at_zero),
		cmocka_unit_test(test_cfi_backtrace_in_fiber_stops_at_trampoline),
		cmocka_unit_test(test_switch_final_returns_to_thread_and_stack_is_reusable),
	};

	return cmocka_run_group_tests_name("fiber", tests, NULL, NULL);
}
