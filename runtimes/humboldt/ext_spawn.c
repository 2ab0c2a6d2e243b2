/* SPDX-License-Identifier: MIT */
/*
 * ext_spawn.c - humboldt_spawn and humboldt_spawn_ex (HUMBOLDT_1.1): spawn
 * onto humboldt's workers whatever the calling thread's runtime is, so that
 * a task of another runtime of the process (gcd's, say) can hand work back.
 * They never dispatch by the calling thread: from a thread that is not
 * humboldt's, the task is queued on a worker chosen round-robin.
 */
#include "ext.h"

HB_EXPORT async_std_task *humboldt_spawn(async_std_fn fn, void *arg)
{
	return as__spawn_ex(fn, arg, NULL);
}

HB_EXPORT async_std_task *humboldt_spawn_ex(async_std_fn fn, void *arg, const async_std_spawn_attr *attr)
{
	return as__spawn_ex(fn, arg, attr);
}
