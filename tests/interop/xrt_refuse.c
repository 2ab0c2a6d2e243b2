/* SPDX-License-Identifier: MIT */
/*
 * xrt_refuse.c - the refusals of the process table of runtimes, driven by
 * tests/interop/refusals.sh (which checks the one line each prints):
 *
 *   xrt_refuse layout LIB     LIB (a gcd built with another layout) refuses
 *                             to join: gcd_spawn fails with ENOTSUP
 *   xrt_refuse many LIB...    each LIB (copies of libgcd.so) registers on
 *                             its first gcd_spawn; prints "ok" or the errno
 *                             name of each, in order
 *   xrt_refuse race           two threads make gcd's first call at once: one
 *                             runtime, one tag in both handles
 *
 * Linked with humboldt first (the bound runtime, tag 0) and gcd.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "async_std.h"
#include "gcd.h"

typedef async_std_task *(*spawn_fn)(gcd_queue *, async_std_fn, void *);
typedef gcd_queue *(*global_fn)(int);

static void *nothing(void *arg)
{
	return arg;
}

static const char *spawn_in(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "xrt_refuse: dlopen %s: %s\n", lib, dlerror());
		return "dlopen";
	}
	spawn_fn spawn = (spawn_fn)dlsym(h, "gcd_spawn");
	global_fn global = (global_fn)dlsym(h, "gcd_global_queue");
	if (!spawn || !global)
		return "dlsym";
	errno = 0;
	async_std_task *t = spawn(global(0), nothing, NULL);
	if (!t)
		return errno == ENOTSUP ? "ENOTSUP" : errno == EAGAIN ? "EAGAIN" : strerror(errno);
	return async_std_join(t, NULL) == 0 ? "ok" : "join";
}

static pthread_barrier_t barrier;
static async_std_task *raced[2];

static void *racer(void *arg)
{
	long i = (long)(intptr_t)arg;
	pthread_barrier_wait(&barrier);
	raced[i] = gcd_spawn(gcd_global_queue(0), nothing, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "layout") == 0) {
		/* humboldt, the bound runtime, registers first. */
		async_std_task *t = async_std_spawn(nothing, NULL);
		if (!t || async_std_join(t, NULL) != 0)
			return 1;
		puts(spawn_in(argv[2]));
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "many") == 0) {
		/* humboldt, the bound runtime, takes tag 0 first. */
		async_std_task *t = async_std_spawn(nothing, NULL);
		if (!t || async_std_join(t, NULL) != 0)
			return 1;
		for (int i = 2; i < argc; i++)
			puts(spawn_in(argv[i]));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "race") == 0) {
		pthread_t th[2];
		pthread_barrier_init(&barrier, NULL, 2);
		for (long i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, racer, (void *)(intptr_t)i);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		if (!raced[0] || !raced[1])
			return 1;
		unsigned tag0 = (unsigned)((uintptr_t)raced[0] >> 28) & 15;
		unsigned tag1 = (unsigned)((uintptr_t)raced[1] >> 28) & 15;
		printf("tags %u %u\n", tag0, tag1);
		return async_std_join(raced[0], NULL) || async_std_join(raced[1], NULL);
	}
	fprintf(stderr, "usage: xrt_refuse layout LIB | many LIB... | race\n");
	return 2;
}
