/* SPDX-License-Identifier: MIT */
/*
 * sleepers.c - many concurrent sleeping tasks: memory per task and whether
 * they all run and finish.
 *
 *   sleepers [tasks [sleep_ms [stack_size]]]   (defaults 1000000, 1000, 0)
 *
 * Spawns every task (plain async_std_spawn, or spawn_ex with stack_size when
 * it is not 0), each sleeping until one common deadline (start + sleep_ms),
 * waits until all have started, samples VmRSS, joins them all and samples
 * VmHWM.  KiB per task = growth over the RSS measured just before spawning
 * (the handle array is already touched then).  "late" counts tasks that
 * first ran after the deadline, i.e. never slept concurrently with the
 * others: raise sleep_ms if it is not 0.  Prints one key=value line; exit
 * status 1 unless every task ran and finished.
 */
#include <stdatomic.h>
#include "async_std.h"
#include "bench.h"

static int64_t deadline;
static atomic_long started, finished, late, errors;

static void *sleeper(void *arg)
{
	atomic_fetch_add_explicit(&started, 1, memory_order_relaxed);
	if (async_std_now() >= deadline)
		atomic_fetch_add_explicit(&late, 1, memory_order_relaxed);
	if (async_std_sleep_until(deadline) != 0)
		atomic_fetch_add_explicit(&errors, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&finished, 1, memory_order_relaxed);
	return arg;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "tasks", 1000000, 1, 100000000);
	long sleep_ms = bench_arg(argc, argv, 2, "sleep_ms", 1000, 0, 3600000);
	long stack = bench_arg(argc, argv, 3, "stack_size", 0, 0, 1L << 30);
	async_std_spawn_attr attr = { .size = sizeof attr, .stack_size = (size_t)stack };
	async_std_task **t = malloc((size_t)n * sizeof *t);
	long spawned = 0, joined = 0, bad_join = 0;
	int rc = 0;

	if (!t) {
		perror("sleepers: malloc");
		return 1;
	}
	memset(t, 0, (size_t)n * sizeof *t); /* touch it: not part of the per-task figure */
	long rss0 = bench_status_kib("VmRSS");

	int64_t t0 = async_std_now();
	deadline = t0 + (int64_t)sleep_ms * 1000000;
	for (; spawned < n; spawned++) {
		t[spawned] = stack ? async_std_spawn_ex(sleeper, (void *)(intptr_t)spawned, &attr)
				   : async_std_spawn(sleeper, (void *)(intptr_t)spawned);
		if (!t[spawned]) {
			fprintf(stderr, "sleepers: spawn of task %ld failed: %s\n", spawned,
				strerror(errno));
			rc = 1;
			break;
		}
	}
	int64_t t_spawned = async_std_now();

	/* Let them all start (they block in sleep_until), then sample. */
	while (atomic_load(&started) < spawned && async_std_now() < deadline)
		async_std_sleep(1000000);
	int64_t t_started = async_std_now();
	long rss_sleeping = bench_status_kib("VmRSS");
	long in_flight = spawned - atomic_load(&finished);

	for (long i = 0; i < spawned; i++) {
		void *res;

		if (async_std_join(t[i], &res) != 0 || res != (void *)(intptr_t)i) {
			if (bad_join++ == 0)
				fprintf(stderr, "sleepers: join of task %ld: %s\n", i, strerror(errno));
			continue;
		}
		joined++;
	}
	int64_t t_end = async_std_now();
	/* VmHWM is never below the VmRSS read at the same moment, but the
	 * kernel's per-CPU RSS counters make two reads differ slightly. */
	long hwm = bench_status_kib("VmHWM");
	if (hwm < rss_sleeping)
		hwm = rss_sleeping;
	long rss_after = bench_status_kib("VmRSS");

	if (atomic_load(&late))
		fprintf(stderr, "sleepers: %ld tasks first ran after the %ld ms deadline, so they "
			"never slept together with the others: raise sleep_ms\n",
			atomic_load(&late), sleep_ms);
	if (joined != n || atomic_load(&finished) != n || atomic_load(&errors) || bad_join)
		rc = 1;
	printf("bench=sleepers runtime=%s tasks=%ld spawned=%ld finished=%ld joined=%ld "
	       "errors=%ld late=%ld sleeping_at_sample=%ld sleep_ms=%ld stack_size=%ld "
	       "spawn_ns_per_task=%.1f all_started_ms=%.1f wake_all_ms=%.1f "
	       "rss_before_kib=%ld rss_sleeping_kib=%ld hwm_kib=%ld rss_after_kib=%ld "
	       "kib_per_task_rss=%.2f kib_per_task_hwm=%.2f ok=%d\n",
	       async_std_runtime_name(), n, spawned, atomic_load(&finished), joined,
	       atomic_load(&errors), atomic_load(&late), in_flight, sleep_ms, stack,
	       spawned ? (double)(t_spawned - t0) / spawned : 0.0,
	       (t_started - t0) / 1e6, (t_end - deadline) / 1e6,
	       rss0, rss_sleeping, hwm, rss_after,
	       (double)(rss_sleeping - rss0) / n, (double)(hwm - rss0) / n, rc == 0);
	free(t);
	return rc;
}
