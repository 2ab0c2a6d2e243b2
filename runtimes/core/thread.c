/* SPDX-License-Identifier: MIT */
/*
 * thread.c - the runtime's helper threads (stack trimmer, stall watchdog):
 * detached, small, named, and started with every signal blocked so that the
 * application's signals go to its own threads.
 */
#include <pthread.h>
#include <signal.h>

#include "core.h"

int as__helper_thread_start(void *(*fn)(void *), const char *name)
{
	pthread_attr_t a;
	pthread_t tid;
	sigset_t all, old;
	int r = pthread_attr_init(&a);
	if (r != 0)
		return r;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 * 1024);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&tid, &a, fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&a);
	if (r == 0)
		pthread_setname_np(tid, name);
	return r;
}
