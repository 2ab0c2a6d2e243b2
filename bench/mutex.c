/* SPDX-License-Identifier: MIT */
/*
 * mutex.c - the cost of an uncontended async_std_mutex_lock + unlock in a
 * task, next to pthread_mutex_lock + unlock measured in the same run.
 *
 *   mutex [pairs]      (default 10000000)
 *
 * Both loops call through the PLT, as an application does.  Prints one
 * key=value line.
 */
#include <pthread.h>

#include "async_std.h"
#include "bench.h"

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "pairs", 10000000, 1, 1000000000);
	async_std_mutex *m = async_std_mutex_create();
	pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;

	if (!m) {
		perror("mutex: async_std_mutex_create");
		return 1;
	}
	for (int i = 0; i < 10000; i++) { /* warm up */
		async_std_mutex_lock(m);
		async_std_mutex_unlock(m);
	}
	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		if (async_std_mutex_lock(m) != 0 || async_std_mutex_unlock(m) != 0) {
			perror("mutex: lock/unlock");
			return 1;
		}
	}
	int64_t t1 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&pm);
		pthread_mutex_unlock(&pm);
	}
	int64_t t2 = bench_now_ns();
	async_std_mutex_destroy(m);

	printf("bench=mutex runtime=%s pairs=%ld ns_per_lock_unlock=%.2f "
	       "pthread_ns_per_lock_unlock=%.2f\n",
	       async_std_runtime_name(), n, (double)(t1 - t0) / n, (double)(t2 - t1) / n);
	return 0;
}
