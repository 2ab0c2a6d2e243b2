/* SPDX-License-Identifier: MIT */
/*
 * timers.c - how late sleepers wake when many sleep at once: the lateness of
 * timers at scale.
 *
 *   timers [tasks [spread_ms [lead_ms]]]   (defaults 50000, 50, 1000)
 *
 * Spawns every task first; each then sleeps until its own deadline, spread
 * evenly over [start + lead_ms, start + lead_ms + spread_ms] in a fixed
 * shuffled order (so tasks end in random order, as real timeouts do), and
 * records how long after its deadline it ran again.  lead_ms leaves time
 * for every task to start before the first deadline.  Prints one key=value
 * line with the lateness's median, p99 and maximum in ms.  Exit status 1
 * unless every task slept and was joined.
 */
#include <stdatomic.h>
#include "async_std.h"
#include "bench.h"

static int64_t *deadline, *late_ns;
static atomic_long errors;

static void *sleeper(void *arg)
{
	long i = (long)(intptr_t)arg;
	if (async_std_sleep_until(deadline[i]) != 0)
		atomic_fetch_add_explicit(&errors, 1, memory_order_relaxed);
	late_ns[i] = async_std_now() - deadline[i];
	return arg;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "tasks", 50000, 1, 10000000);
	long spread_ms = bench_arg(argc, argv, 2, "spread_ms", 50, 1, 3600000);
	long lead_ms = bench_arg(argc, argv, 3, "lead_ms", 1000, 0, 3600000);
	async_std_task **t = malloc((size_t)n * sizeof *t);
	deadline = malloc((size_t)n * sizeof *deadline);
	late_ns = malloc((size_t)n * sizeof *late_ns);
	long *order = malloc((size_t)n * sizeof *order);
	if (!t || !deadline || !late_ns || !order) {
		perror("timers: malloc");
		return 1;
	}
	/* A fixed shuffle (xorshift, Fisher-Yates): the same order every run. */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (long i = 0; i < n; i++)
		order[i] = i;
	for (long i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		long j = (long)(x % (uint64_t)(i + 1)), tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	int64_t spread = spread_ms * 1000000, lead = lead_ms * 1000000, t0 = async_std_now();
	for (long i = 0; i < n; i++)
		deadline[i] = t0 + lead + spread * order[i] / n;
	long spawned = 0, joined = 0;
	int rc = 0;
	for (; spawned < n; spawned++) {
		t[spawned] = async_std_spawn(sleeper, (void *)(intptr_t)spawned);
		if (!t[spawned]) {
			fprintf(stderr, "timers: spawn of task %ld failed: %s\n", spawned,
				strerror(errno));
			rc = 1;
			break;
		}
	}
	int64_t t_spawned = async_std_now();
	for (long i = 0; i < spawned; i++) {
		void *res;
		if (async_std_join(t[i], &res) == 0 && res == (void *)(intptr_t)i)
			joined++;
	}
	if (t_spawned > t0 + lead)
		fprintf(stderr, "timers: spawning took %.1f ms, past the first deadline: "
			"raise lead_ms\n", (t_spawned - t0) / 1e6);
	if (joined != n || atomic_load(&errors))
		rc = 1;
	qsort(late_ns, (size_t)joined, sizeof *late_ns, bench_cmp_i64);
	double p50 = joined ? late_ns[joined / 2] / 1e6 : 0;
	double p99 = joined ? late_ns[(long)((double)joined * 0.99)] / 1e6 : 0;
	double max = joined ? late_ns[joined - 1] / 1e6 : 0;
	printf("bench=timers runtime=%s tasks=%ld spread_ms=%ld lead_ms=%ld joined=%ld errors=%ld "
	       "spawn_ms=%.1f late_p50_ms=%.3f late_p99_ms=%.3f late_max_ms=%.3f ok=%d\n",
	       async_std_runtime_name(), n, spread_ms, lead_ms, joined, atomic_load(&errors),
	       (t_spawned - t0) / 1e6, p50, p99, max, rc == 0);
	free(t);
	free(deadline);
	free(late_ns);
	free(order);
	return rc;
}
