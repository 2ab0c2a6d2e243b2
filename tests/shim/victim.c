/*
 * victim.c - a program for the shim's end-to-end checks (shim.sh): it starts
 * a few named, sleeping tasks and then does what argv[1] says, so the script
 * can watch the dump signal, crash dumps and runtime selection from outside.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_std.h"

static void *idle_task(void *arg)
{
	(void)arg;
	async_std_sleep(30LL * 1000000000);
	return NULL;
}

static void *abort_task(void *arg)
{
	(void)arg;
	async_std_sleep(50 * 1000000);
	abort();
}

/* Deep enough for any stack the tests use.  noinline: GCC would otherwise
 * merge several levels into one frame larger than the guard page, which
 * then writes into the neighbouring stack instead of faulting (programs with
 * such frames need -fstack-clash-protection). */
__attribute__((noinline)) static int recurse(volatile int depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}

static void *overflow_task(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(0);
}

static void app_handler(int sig)
{
	(void)sig;
	static const char line[] = "app handler ran\n";
	ssize_t w = write(STDOUT_FILENO, line, sizeof(line) - 1);
	(void)w;
}

static int crash_in(async_std_fn fn)
{
	async_std_task *t = async_std_spawn(fn, NULL);
	async_std_join(t, NULL);
	return 1; /* not reached: the task kills the process */
}

int async_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "name";
	async_std_spawn_attr a = { .size = sizeof(a), .name = "idle" };
	for (int i = 0; i < 3; i++)
		async_std_detach(async_std_spawn_ex(idle_task, NULL, &a));

	if (!strcmp(mode, "name")) {
		printf("%s\n", async_std_runtime_name());
		return 0;
	}
	if (!strcmp(mode, "signal") || !strcmp(mode, "own-handler")) {
		if (!strcmp(mode, "own-handler"))
			signal(SIGUSR2, app_handler);
		async_std_sleep(50 * 1000000); /* the idle tasks park */
		kill(getpid(), SIGUSR2);
		async_std_sleep(500 * 1000000); /* the dump thread writes */
		return 0;
	}
	if (!strcmp(mode, "wait")) {
		/* For `asrt dump`: say where we are, then wait to be asked. */
		printf("%d\n", (int)getpid());
		fflush(stdout);
		async_std_sleep(5LL * 1000000000);
		return 0;
	}
	if (!strcmp(mode, "abort"))
		return crash_in(abort_task);
	if (!strcmp(mode, "overflow"))
		return crash_in(overflow_task);
	fprintf(stderr, "victim: unknown mode %s\n", mode);
	return 2;
}
