/* SPDX-License-Identifier: MIT */
/*
 * partial.c - a "runtime" that defines only three async_std_* functions in
 * node ASYNC_STD_1.0: what asrt check must name as missing, and what the
 * shim must refuse to mix with the stub when it is preloaded.
 */
#include <stdint.h>

const char *async_std_runtime_name(void);
uint32_t async_std_abi_version(void);
int64_t async_std_now(void);

const char *async_std_runtime_name(void)
{
	return "partial";
}

uint32_t async_std_abi_version(void)
{
	return 1u << 16;
}

int64_t async_std_now(void)
{
	return 0;
}
