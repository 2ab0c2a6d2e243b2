/* SPDX-License-Identifier: MIT */
/*
 * interop.c - what crossing runtimes costs: humboldt (bound) and gcd in one
 * process.
 *
 *   interop [round_trips [spawns]]   (defaults 100000, 100000)
 *
 * xrt_chan: a humboldt task and a gcd item play ping-pong through two
 * rendezvous channels (every hand-over wakes the other runtime's worker).
 * xrt_spawn: a humboldt task spawns an item on gcd's global queue and joins
 * it, one at a time.  same_spawn: the same with async_std_spawn, for the
 * ratio in the same run.  Run with ASYNC_STD_THREADS=1 GCD_THREADS=1 (make
 * bench does).  Prints one key=value line.
 */
#include <stdbool.h>

#include "async_std.h"
#include "bench.h"
#include "gcd.h"

struct pp {
	async_std_chan *ab, *ba;
	long n;
};

static void *gcd_player(void *arg)
{
	struct pp *p = arg;
	long v;
	for (long i = 0; i < p->n; i++)
		if (async_std_chan_recv(p->ab, &v) != 0 || async_std_chan_send(p->ba, &v) != 0)
			return (void *)1;
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

static double spawn_join_ns(long n, bool across)
{
	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n; i++) {
		async_std_task *t = across ? gcd_spawn(gcd_global_queue(0), nothing, NULL)
					   : async_std_spawn(nothing, NULL);
		if (!t || async_std_join(t, NULL) != 0) {
			perror("interop: spawn+join");
			exit(1);
		}
	}
	return (double)(bench_now_ns() - t0) / (double)n;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "round_trips", 100000, 1, 100000000);
	long ns = bench_arg(argc, argv, 2, "spawns", 100000, 1, 100000000);
	struct pp p = { async_std_chan_create(sizeof(long), 0), async_std_chan_create(sizeof(long), 0),
			n + 1000 };
	if (!p.ab || !p.ba) {
		perror("interop: chan_create");
		return 1;
	}
	async_std_task *g = gcd_spawn(gcd_global_queue(0), gcd_player, &p);
	if (!g) {
		perror("interop: gcd_spawn");
		return 1;
	}
	int64_t t0 = 0;
	for (long i = 0; i < n + 1000; i++) {
		if (i == 1000)
			t0 = bench_now_ns(); /* after the warm-up */
		long v = i;
		if (async_std_chan_send(p.ab, &v) != 0 || async_std_chan_recv(p.ba, &v) != 0 || v != i) {
			perror("interop: round trip");
			return 1;
		}
	}
	double chan = (double)(bench_now_ns() - t0) / (double)n;
	void *r = (void *)1;
	if (async_std_join(g, &r) != 0 || r != NULL) {
		fprintf(stderr, "interop: the gcd player failed\n");
		return 1;
	}
	spawn_join_ns(1000, true); /* warm both */
	spawn_join_ns(1000, false);
	double xs = spawn_join_ns(ns, true), ss = spawn_join_ns(ns, false);
	printf("bench=interop runtime=%s round_trips=%ld xrt_chan_ns_per_round_trip=%.0f "
	       "spawns=%ld xrt_spawn_ns_per_task=%.0f same_spawn_ns_per_task=%.0f\n",
	       async_std_runtime_name(), n, chan, ns, xs, ss);
	return 0;
}
