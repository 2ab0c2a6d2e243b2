/* SPDX-License-Identifier: MIT */
/*
 * xrt_crash.c - a crash in a gcd item while humboldt (bound) has tasks too,
 * for refusals.sh's check of ASYNC_STD_TRACEBACK=tasks across runtimes:
 *
 *   xrt_crash abort|overflow
 *
 * A humboldt task "hb-sleeper" sleeps; a gcd item "crasher" (a task named
 * "gcd-crasher" it spawns on gcd) aborts, or overflows its stack.
 */
#include <stdlib.h>
#include <string.h>

#include "async_std.h"
#include "gcd.h"

static void *sleeper(void *arg)
{
	(void)arg;
	async_std_sleep(60 * 1000000000LL);
	return NULL;
}

static int mode_overflow;

static int deep(int n)
{
	volatile char frame[4096];
	frame[0] = (char)n;
	return n > 1000000 ? frame[0] : deep(n + 1) + frame[0];
}

static void *crasher(void *arg)
{
	(void)arg;
	async_std_sleep(20 * 1000000LL); /* the sleeper is asleep by then */
	if (mode_overflow)
		return (void *)(intptr_t)deep(0);
	abort();
}

static void *spawns_crasher(void *arg)
{
	async_std_spawn_attr a = { .size = sizeof a, .name = "gcd-crasher" };
	async_std_task *t = async_std_spawn_ex(crasher, arg, &a);
	return t ? (void *)(intptr_t)async_std_join(t, NULL) : NULL;
}

int async_main(int argc, char **argv)
{
	mode_overflow = argc > 1 && strcmp(argv[1], "overflow") == 0;
	async_std_spawn_attr a = { .size = sizeof a, .name = "hb-sleeper" };
	async_std_task *s = async_std_spawn_ex(sleeper, NULL, &a);
	async_std_task *c = gcd_spawn(gcd_global_queue(0), spawns_crasher, NULL);
	if (!s || !c)
		return 3;
	async_std_join(c, NULL);
	return 4; /* not reached: the crash ends the process */
}
