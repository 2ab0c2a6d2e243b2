/* SPDX-License-Identifier: MIT */
/*
 * switch_aarch64.S - the fiber context switch for AArch64 (AAPCS64) and the
 * trampoline a new fiber starts in.  fiber.c lays out a new fiber's stack to
 * match the frame saved here; keep the two in step.
 *
 * Saved frame (176 bytes), from the saved stack pointer up:
 *   0: x19 x20  16: x21 x22  32: x23 x24  48: x25 x26  64: x27 x28
 *  80: x29 x30  96: d8 d9  112: d10 d11  128: d12 d13  144: d14 d15
 * 160: FPCR  168: pad (sp stays 16-byte aligned)
 */
	.text

/* void as__ctx_switch(void **save_sp, void *load_sp)
 * Resumes with ret, as the x86-64 switch does: a resumed task returns through
 * the same call chain the suspended one entered, so ret keeps the return
 * stack predictor in step (measured on x86-64; see switch_x86_64.S). */
	.globl	as__ctx_switch
	.hidden	as__ctx_switch
	.type	as__ctx_switch, %function
	.p2align 4
as__ctx_switch:
	.cfi_startproc
	sub	sp, sp, #176
	.cfi_adjust_cfa_offset 176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	.cfi_rel_offset x29, 80
	.cfi_rel_offset x30, 88
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	/* The FP control state (rounding mode, flush-to-zero) is per fiber. */
	mrs	x9, fpcr
	str	x9, [sp, #160]

	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	/* From here on the frame is the resumed fiber's, same layout. */

	ldr	x9, [sp, #160]
	msr	fpcr, x9
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	.cfi_adjust_cfa_offset -176
	.cfi_restore x29
	.cfi_restore x30
	ret
	.cfi_endproc
	.size	as__ctx_switch, .-as__ctx_switch

/* First code a new fiber runs, entered by as__ctx_switch's ret with
 * x19 = entry, x20 = arg, x29 = 0 and sp 16-byte aligned.  The return
 * address is undefined here, so CFI unwinders stop at this frame, and the
 * zero frame pointer (and link register) end frame-pointer walks. */
	.globl	as__fiber_trampoline
	.hidden	as__fiber_trampoline
	.type	as__fiber_trampoline, %function
	.p2align 4
as__fiber_trampoline:
	.cfi_startproc
	.cfi_undefined x30
	mov	x29, #0
	mov	x30, #0
	mov	x0, x20
	blr	x19
	/* entry must not return: leave with as__fiber_switch_final(). */
	brk	#0
	.cfi_endproc
	.size	as__fiber_trampoline, .-as__fiber_trampoline

	.section .note.GNU-stack,"",%progbits
