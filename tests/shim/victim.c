/* SPDX-License-Identifier: MIT */
/*
 * victim.c - a program for the shim's end-to-end checks (shim.sh): it starts
 * a few named, sleeping tasks and then does what argv[1] says, so the script
 * can watch the dump signal, crash dumps and runtime selection from outside.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "async_std.h"

#define MS 1000000LL
#define SEC 1000000000LL

static atomic_int idle_parked;

static void *idle_task(void *arg)
{
	(void)arg;
	atomic_fetch_add(&idle_parked, 1);
	async_std_sleep(600 * SEC);
	return NULL;
}

/* The idle tasks run on this task's worker (LOCAL), so once all three
 * counted themselves they are parked in their sleep: this task only runs
 * again when the one before it switched away. */
static void wait_idle_parked(void)
{
	while (atomic_load(&idle_parked) < 3)
		async_std_sleep(MS);
}

static void *abort_task(void *arg)
{
	(void)arg;
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
	if (depth > 1 << 30) /* never reached; says the recursion ends, for -Winfinite-recursion */
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void *overflow_task(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(0);
}

/* One frame larger than the whole 64 KiB stack and its guard page (built
 * without -fstack-clash-protection, which would probe every page): it lands
 * below the guard, in the stack underneath, and the recursion from there
 * runs into that stack's guard. */
__attribute__((noinline)) static int jump_guard(void)
{
	volatile char big[72 * 1024];
	big[0] = 1;
	return recurse(0) + big[0];
}

static void *jump_task(void *arg)
{
	(void)arg;
	return (void *)(long)jump_guard();
}

/* Forks.  The child writes a line through the runtime and gets -2, to
 * return with; the parent gets the child's exit status. */
static int fork_child_writes(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		static const char line[] = "child wrote\n";
		if (async_std_write(STDOUT_FILENO, line, sizeof line - 1) != sizeof line - 1)
			_exit(9);
		return -2;
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In the child, this task returns: the runtime says one line and the child
 * exits with status 1. */
static void *fork_task(void *arg)
{
	*(int *)arg = fork_child_writes();
	return NULL;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

/* Holds its worker without a single async_std call: until its stderr (a
 * file) holds the watchdog's line, or for at most 60 s (arg 0); for 300 ms
 * (arg 1), for the check that nothing is said with the watchdog off. */
static void *crunch_task(void *arg)
{
	bool short_run = arg != NULL;
	int64_t end = mono_ns() + (short_run ? 300 * MS : 60 * SEC);
	int fd = open("/proc/self/fd/2", O_RDONLY | O_CLOEXEC);
	static char text[1 << 16];
	while (mono_ns() < end) {
		if (short_run || fd < 0)
			continue;
		ssize_t n = pread(fd, text, sizeof text - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		if (strstr(text, "has held worker"))
			break;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static volatile sig_atomic_t app_handler_ran;

static void app_handler(int sig)
{
	(void)sig;
	static const char line[] = "app handler ran\n";
	ssize_t w = write(STDOUT_FILENO, line, sizeof(line) - 1);
	(void)w;
	app_handler_ran = 1;
}

/* After the dump signal: waits until the dump thread wrote the idle tasks'
 * entry to stderr (a file the script reads back), for at most 5 minutes;
 * returns at once when no dump will come (the signal is ignored, or stderr
 * is not a file). */
static void wait_for_dump(void)
{
	struct sigaction sa;
	struct stat st;
	if (sigaction(SIGUSR2, NULL, &sa) != 0 || sa.sa_handler == SIG_IGN ||
	    fstat(STDERR_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	int fd = open("/proc/self/fd/2", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	static char text[1 << 16];
	int64_t give_up = async_std_now() + 300 * SEC;
	while (async_std_now() < give_up) {
		ssize_t n = pread(fd, text, sizeof text - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		/* The whole line, which may end in " for 1.2 ms" or not. */
		const char *at = strstr(text, "\"idle\": waiting in sleep");
		if (at && strchr(at, '\n'))
			break;
		async_std_sleep(10 * MS);
	}
	close(fd);
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
	async_std_spawn_attr a = {
		.size = sizeof(a), .name = "idle", .flags = ASYNC_STD_SPAWN_LOCAL,
	};
	for (int i = 0; i < 3; i++)
		async_std_detach(async_std_spawn_ex(idle_task, NULL, &a));
	wait_idle_parked();

	if (!strcmp(mode, "name")) {
		printf("%s\n", async_std_runtime_name());
		return 0;
	}
	if (!strcmp(mode, "signal") || !strcmp(mode, "own-handler")) {
		bool own = !strcmp(mode, "own-handler");
		if (own)
			signal(SIGUSR2, app_handler);
		kill(getpid(), SIGUSR2);
		if (own)
			while (!app_handler_ran)
				async_std_sleep(MS);
		else
			wait_for_dump();
		return 0;
	}
	if (!strcmp(mode, "wait")) {
		/* For `asrt dump`: say where we are, then wait to be asked (the
		 * script ends us once it has the dump). */
		printf("%d\n", (int)getpid());
		fflush(stdout);
		async_std_sleep(600 * SEC);
		return 0;
	}
	if (!strcmp(mode, "abort"))
		return crash_in(abort_task);
	if (!strcmp(mode, "overflow"))
		return crash_in(overflow_task);
	if (!strcmp(mode, "fork")) {
		/* The child returns 3 from async_main: its exit status. */
		int st = fork_child_writes();
		if (st == -2)
			return 3;
		printf("child status %d\n", st);
		return 0;
	}
	if (!strcmp(mode, "fork-task")) {
		int st = -1;
		async_std_join(async_std_spawn(fork_task, &st), NULL);
		printf("child status %d\n", st);
		return 0;
	}
	if (!strcmp(mode, "stall") || !strcmp(mode, "stall-short")) {
		async_std_spawn_attr c = { .size = sizeof(c), .name = "cruncher" };
		void *arg = !strcmp(mode, "stall-short") ? (void *)1 : NULL;
		async_std_join(async_std_spawn_ex(crunch_task, arg, &c), NULL);
		return 0;
	}
	if (!strcmp(mode, "jump")) {
		async_std_spawn_attr d = { .size = sizeof(d), .name = "deep" };
		async_std_join(async_std_spawn_ex(jump_task, NULL, &d), NULL);
		return 1; /* not reached */
	}
	fprintf(stderr, "victim: unknown mode %s\n", mode);
	return 2;
}
