/* SPDX-License-Identifier: MIT */
/*
 * switch_jmp_x86_64.S - the fastest bare switch we know, for the floor only:
 * as__ctx_switch's frame and work (callee-saved registers, MXCSR, x87
 * control word), but resumed with pop + indirect jmp instead of ret.  In a
 * bare ping-pong that is the cheaper form; the runtime does not use it
 * because in real code paths it makes every later return mispredict (see
 * runtimes/core/switch_x86_64.S).
 */
	.text
	.globl	bench_ctx_switch_jmp
	.type	bench_ctx_switch_jmp, @function
	.p2align 4
bench_ctx_switch_jmp:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popq	%rcx
	jmpq	*%rcx
	.size	bench_ctx_switch_jmp, .-bench_ctx_switch_jmp

	.section .note.GNU-stack,"",@progbits
