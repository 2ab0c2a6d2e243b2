/* SPDX-License-Identifier: MIT */
/*
 * switch_x86_64.S - the fiber context switch for x86-64 (System V ABI) and the
 * trampoline a new fiber starts in.  fiber.c lays out a new fiber's stack to
 * match the frame saved here; keep the two in step.
 *
 * Saved frame, from the saved stack pointer up:
 *   0: MXCSR (4 bytes), x87 control word (2 bytes), 2 bytes pad
 *   8: r15  16: r14  24: r13  32: r12  40: rbx  48: rbp  56: return address
 */
	.text

/* void as__ctx_switch(void **save_sp, void *load_sp)
 * Resumes with ret, not pop + indirect jmp.  A bare ping-pong of two fibers is
 * faster with the jmp (6 ns vs 12 ns per switch here, 2026-11-22), but in the
 * runtime the jmp leaves the return-stack buffer one entry off, so every
 * return after a switch mispredicts: a yield between two tasks cost 28.5 ns
 * with the jmp and 10.9 ns with ret, because the resumed task returns through
 * the same call chain the suspended one entered. */
	.globl	as__ctx_switch
	.hidden	as__ctx_switch
	.type	as__ctx_switch, @function
	.p2align 4
as__ctx_switch:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r15, 0
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	/* The FP control state is callee-saved in the ABI: a rounding mode
	 * set in one fiber must not leak into the next. */
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)

	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	/* From here on the frame is the resumed fiber's, same layout. */

	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbp
	/* rcx is call-clobbered and carries no return value. */
	ret
	.cfi_endproc
	.size	as__ctx_switch, .-as__ctx_switch

/* First code a new fiber runs, entered by as__ctx_switch's ret with
 * r12 = entry, r13 = arg, rbp = 0 and rsp 16-byte aligned.  The return
 * address is undefined here, so CFI unwinders stop at this frame, and the
 * zero rbp ends frame-pointer walks. */
	.globl	as__fiber_trampoline
	.hidden	as__fiber_trampoline
	.type	as__fiber_trampoline, @function
	.p2align 4
as__fiber_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	callq	*%r12
	/* entry must not return: leave with as__fiber_switch_final(). */
	ud2
	.cfi_endproc
	.size	as__fiber_trampoline, .-as__fiber_trampoline

	.section .note.GNU-stack,"",@progbits
