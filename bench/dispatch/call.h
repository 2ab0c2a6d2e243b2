/* SPDX-License-Identifier: MIT */
/*
 * call.h - how dispatch.c makes an ABI call, per variant: DISPATCH(name) is
 * the function to call, DISPATCH_BEGIN what a loop needs before its first
 * call.  The variant is chosen by a -D flag in dispatch.mk; the linker decides
 * the rest (PLT, GOT, static, LTO), so most variants share the plain form.
 */
#ifndef DISPATCH_CALL_H
#define DISPATCH_CALL_H

#include "async_std.h"

#if defined(DISPATCH_VTABLE)
/* The table comes out of an empty asm, so the compiler cannot know which
 * functions it holds: every call loads the pointer from the table and calls
 * through it, as a caller of Zig's std.Io or a Rust `dyn` object does. */
static inline const struct async_std_ops *dispatch_table(void)
{
	const struct async_std_ops *ops = async_std_runtime_ops();

	__asm__("" : "+r"(ops));
	return ops;
}
#define DISPATCH_BEGIN const struct async_std_ops *dispatch_ops_ = dispatch_table()
#define DISPATCH(name) dispatch_ops_->name
#define DISPATCH_HOW "vtable"
#elif defined(DISPATCH_DIRECT)
/* The runtime's hidden internal function itself (linked from the static
 * archive): no export wrapper, no owner check, the floor. */
#include "core.h"
#define DISPATCH_BEGIN do { } while (0)
#define DISPATCH(name) as__##name
#define DISPATCH_HOW "direct"
#else
/* The exported async_std_* symbol, bound however the build linked it. */
#define DISPATCH_BEGIN do { } while (0)
#define DISPATCH(name) async_std_##name
#define DISPATCH_HOW "symbol"
#endif

#endif /* DISPATCH_CALL_H */
