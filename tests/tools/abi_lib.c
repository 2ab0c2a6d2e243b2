/* SPDX-License-Identifier: MIT */
/* abi_lib.c - the tiny library of abi_lib.h, in the same variants. */
#include "abi_lib.h"

int abi_lib_spawn(const async_std_spawn_attr *attr)
{
	return attr->size > 0 ? (int)attr->flags : -1;
}

#ifdef ABI_VARIANT_RETYPED
long abi_lib_sleep(long ns)
#else
int abi_lib_sleep(int ns)
#endif
{
	return ns;
}

#ifndef ABI_VARIANT_REMOVED
int abi_lib_yield(void)
{
	return 0;
}
#endif

#ifdef ABI_VARIANT_ADDED
int abi_lib_added(void)
{
	return 1;
}
#endif
