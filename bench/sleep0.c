/* SPDX-License-Identifier: MIT */
/*
 * sleep0.c - the cost of async_std_sleep(0) in a task: the timer path that
 * lets due timers and other runnable tasks run, with nothing else to do.
 *
 *   sleep0 [calls]      (default 1000000)
 *
 * Prints one key=value line.
 */
#include "async_std.h"
#include "bench.h"

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "calls", 1000000, 1, 1000000000);

	for (int i = 0; i < 1000; i++) /* warm up */
		async_std_sleep(0);

	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		if (async_std_sleep(0) != 0) {
			perror("sleep0: async_std_sleep(0)");
			return 1;
		}
	}
	int64_t t1 = bench_now_ns();

	printf("bench=sleep0 runtime=%s calls=%ld ns_per_call=%.2f\n",
	       async_std_runtime_name(), n, (double)(t1 - t0) / n);
	return 0;
}
