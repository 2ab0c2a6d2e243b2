/* SPDX-License-Identifier: MIT */
/*
 * exports.c - the runtime's async_std_* symbols and its function table, all
 * generated from abi/abi_list.h, and the compile-time proof that the list
 * and struct async_std_ops in abi/async_std.h agree member by member.
 *
 * Each export is a thin wrapper around the hidden as__<name>, so calls inside
 * the runtime bind locally and interposing a runtime swaps all of it, never a
 * mix.  In the abi stub the exports are weak (-DAS_EXPORT_WEAK), so a
 * runtime's strong definitions win in a static link.  Every wrapper first
 * checks which runtime owns the calling thread and forwards to it if that is
 * not this one (a later runtime shares processes with this one).
 */
#include "core.h"

#ifndef AS_RUNTIME_NAME
#error "build with -DAS_RUNTIME_NAME='\"name\"'"
#endif

#ifdef AS_EXPORT_WEAK
#define AS_EXPORT __attribute__((visibility("default"), weak))
#else
#define AS_EXPORT __attribute__((visibility("default")))
#endif

extern __thread const struct async_std_ops *async_std__thread_ops
	__attribute__((tls_model("initial-exec")));

const char *as__runtime_name(void)
{
	return AS_RUNTIME_NAME;
}

uint32_t as__abi_version(void)
{
	return ASYNC_STD_ABI_VERSION;
}

const struct async_std_ops *as__runtime_ops(void)
{
	return &as__ops;
}

/*
 * The table's layout is ABI: a program built against an older header reads
 * the functions by offset.  The designated initialisers below would hide a
 * header whose members were reordered (or a list whose rows were), so each
 * row asserts its member sits at its list index, with its type, and the
 * struct ends after the last row.
 */
#define AS_OPS_FIRST offsetof(struct async_std_ops, runtime_name)
#define AS_OPS_SLOT sizeof(void (*)(void))
#define AS_OPS_CHECK(major, minor, ret, name, params, args)                            \
	_Static_assert(offsetof(struct async_std_ops, name) ==                         \
			       AS_OPS_FIRST + AS_ABI_##name * AS_OPS_SLOT,             \
		       "struct async_std_ops: " #name " is not at its place in abi_list.h"); \
	_Static_assert(__builtin_types_compatible_p(                                   \
			       __typeof__(((struct async_std_ops *)0)->name), ret(*) params), \
		       "struct async_std_ops: " #name " has another type than in abi_list.h"); \
	_Static_assert(AS_ABI_VERSION_OF(major, minor) <= ASYNC_STD_ABI_VERSION,       \
		       #name " is in a node newer than ASYNC_STD_ABI_VERSION");
AS_ABI_FUNCTIONS(AS_OPS_CHECK)
_Static_assert(sizeof(struct async_std_ops) == AS_OPS_FIRST + AS_ABI_COUNT * AS_OPS_SLOT,
	       "struct async_std_ops has members abi_list.h does not list");
/* The header's version is the newest node: some row carries it. */
#define AS_OPS_NEWEST(major, minor, ret, name, params, args)                           \
	|| AS_ABI_VERSION_OF(major, minor) == ASYNC_STD_ABI_VERSION
_Static_assert(0 AS_ABI_FUNCTIONS(AS_OPS_NEWEST),
	       "no row of abi_list.h is in the node of ASYNC_STD_ABI_VERSION");

#define AS_OPS_ENTRY(major, minor, ret, name, params, args) .name = as__##name,
const struct async_std_ops as__ops = {
	.size = sizeof(struct async_std_ops),
	.runtime = AS_RUNTIME_NAME,
	.version = ASYNC_STD_ABI_VERSION,
	AS_ABI_FUNCTIONS(AS_OPS_ENTRY)
};

__thread const char *as__tls_call __attribute__((tls_model("initial-exec")));

/* The name each call that may suspend records for dumps; NULL for the rest.
 * Indexed by constants, so the compiler folds the lookup and the other
 * wrappers carry no code for it. */
#define AS_WAIT_NAME(name) [AS_ABI_##name] = #name,
static const char *const wait_names[AS_ABI_COUNT] = { AS_ABI_WAITS(AS_WAIT_NAME) };

/* What this runtime's workers put in async_std__thread_ops: when another
 * runtime's export forwards a call made on one of them, the wait name is
 * recorded as this runtime's own export would. */
#define AS_FWD(major, minor, ret, name, params, args)                            \
	static ret fwd_##name params                                             \
	{                                                                        \
		if (wait_names[AS_ABI_##name])                                   \
			as__tls_call = wait_names[AS_ABI_##name];                \
		return as__##name args;                                          \
	}
AS_ABI_FUNCTIONS(AS_FWD)

#define AS_FWD_ENTRY(major, minor, ret, name, params, args) .name = fwd_##name,
const struct async_std_ops as__fwd_ops = {
	.size = sizeof(struct async_std_ops),
	.runtime = AS_RUNTIME_NAME,
	.version = ASYNC_STD_ABI_VERSION,
	AS_ABI_FUNCTIONS(AS_FWD_ENTRY)
};

#define AS_WRAP(major, minor, ret, name, params, args)                           \
	AS_EXPORT ret async_std_##name params                                    \
	{                                                                        \
		const struct async_std_ops *o_ = async_std__thread_ops;          \
		if (AS_UNLIKELY(o_ != NULL && o_ != &as__fwd_ops))               \
			return o_->name args;                                    \
		if (wait_names[AS_ABI_##name])                                   \
			as__tls_call = wait_names[AS_ABI_##name];                \
		return as__##name args;                                          \
	}
AS_ABI_FUNCTIONS(AS_WRAP)
