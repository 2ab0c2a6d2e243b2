/* SPDX-License-Identifier: MIT */
/*
 * abi_lib.h - a tiny library that test_abi_compat.sh builds in variants
 * (ABI_VARIANT_*).  Its struct borrows the name of a size-prefixed ABI
 * struct, so that tools/abi.suppr applies to it as to the real one.
 */
#ifndef ABI_LIB_H
#define ABI_LIB_H

#include <stddef.h>

typedef struct async_std_spawn_attr {
	size_t size;
	unsigned flags;
#ifdef ABI_VARIANT_INSERTED
	unsigned inserted; /* in the middle: every later field moves */
#endif
	void *stack;
#ifdef ABI_VARIANT_GROWN
	unsigned long grown; /* at the end: covered by size */
#endif
} async_std_spawn_attr;

int abi_lib_spawn(const async_std_spawn_attr *attr);
#ifdef ABI_VARIANT_RETYPED
long abi_lib_sleep(long ns);
#else
int abi_lib_sleep(int ns);
#endif
#ifndef ABI_VARIANT_REMOVED
int abi_lib_yield(void);
#endif
#ifdef ABI_VARIANT_ADDED
int abi_lib_added(void);
#endif

#endif
