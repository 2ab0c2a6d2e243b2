/* SPDX-License-Identifier: MIT */
/*
 * spawn_join.c - the cost of async_std_spawn + async_std_join per task,
 * with the stack pool warm.
 *
 *   spawn_join [tasks [batch]]     (defaults 1000000 and 1)
 *
 * batch 1 spawns a task and joins it before spawning the next (one stack in
 * use at a time); batch B spawns B tasks, then joins the B.  A warm-up pass
 * of the same shape runs first so stacks come from the pool, not from mmap.
 * Tasks use the default async_std_spawn (no attributes).  Prints one
 * key=value line.
 */
#include "async_std.h"
#include "bench.h"

static void *echo_arg(void *arg)
{
	return arg;
}

/* Spawns and joins n tasks, batch at a time; returns 0 or -1 (reported). */
static int run_tasks(long n, long batch, async_std_task **t)
{
	for (long done = 0; done < n; done += batch) {
		long k = n - done < batch ? n - done : batch;

		for (long i = 0; i < k; i++) {
			t[i] = async_std_spawn(echo_arg, (void *)(intptr_t)(done + i));
			if (!t[i]) {
				perror("spawn_join: async_std_spawn");
				return -1;
			}
		}
		for (long i = 0; i < k; i++) {
			void *res;

			if (async_std_join(t[i], &res) != 0) {
				perror("spawn_join: async_std_join");
				return -1;
			}
			if (res != (void *)(intptr_t)(done + i)) {
				fprintf(stderr, "spawn_join: task %ld returned %p\n", done + i, res);
				return -1;
			}
		}
	}
	return 0;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "tasks", 1000000, 1, 1000000000);
	long batch = bench_arg(argc, argv, 2, "batch", 1, 1, 1000000);
	long warm = n < 10000 ? n : 10000;
	async_std_task **t = calloc((size_t)batch, sizeof *t);

	if (!t) {
		perror("spawn_join: calloc");
		return 1;
	}
	if (run_tasks(warm < batch ? batch : warm, batch, t) != 0)
		return 1;

	int64_t t0 = bench_now_ns();
	if (run_tasks(n, batch, t) != 0)
		return 1;
	int64_t t1 = bench_now_ns();

	printf("bench=spawn_join runtime=%s tasks=%ld batch=%ld ns_per_task=%.2f\n",
	       async_std_runtime_name(), n, batch, (double)(t1 - t0) / n);
	free(t);
	return 0;
}
