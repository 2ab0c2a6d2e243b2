/* SPDX-License-Identifier: MIT */
/*
 * yield.c - the cost of async_std_yield between two tasks on one worker.
 *
 *   yield [round_trips]      (default 2000000)
 *
 * Two tasks spawned with ASYNC_STD_SPAWN_LOCAL (so both stay on the worker
 * that runs async_main) yield to each other.  One round trip is two yields:
 * A -> B -> A.  ns_per_yield is comparable with switch_floor's ns_per_switch
 * (one task-to-task hand-over each).  Prints one key=value line.
 */
#include <stdatomic.h>
#include "async_std.h"
#include "bench.h"

struct pingpong {
	long round_trips;
	atomic_int ready;       /* tasks that reached the start line */
	int64_t start[2], end[2];
};

struct player {
	struct pingpong *pp;
	int id;
};

static void *player_main(void *arg)
{
	struct player *pl = arg;
	struct pingpong *pp = pl->pp;

	/* Both tasks must be runnable before the clock starts, or the first
	 * yields would find nobody to hand over to. */
	atomic_fetch_add(&pp->ready, 1);
	while (atomic_load(&pp->ready) < 2)
		async_std_yield();
	for (int i = 0; i < 1000; i++) /* warm caches and branch predictors */
		async_std_yield();

	pp->start[pl->id] = bench_now_ns();
	for (long i = 0; i < pp->round_trips; i++)
		async_std_yield();
	pp->end[pl->id] = bench_now_ns();
	return NULL;
}

int async_main(int argc, char **argv)
{
	struct pingpong pp = { .round_trips = bench_arg(argc, argv, 1, "round_trips",
							 2000000, 1, 1000000000) };
	struct player pl[2] = { { &pp, 0 }, { &pp, 1 } };
	async_std_spawn_attr attr = { .size = sizeof attr, .name = "yield",
				      .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *t[2];

	for (int i = 0; i < 2; i++) {
		t[i] = async_std_spawn_ex(player_main, &pl[i], &attr);
		if (!t[i]) {
			perror("yield: async_std_spawn_ex");
			return 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (async_std_join(t[i], NULL) != 0) {
			perror("yield: async_std_join");
			return 1;
		}
	}

	int64_t t0 = pp.start[0] < pp.start[1] ? pp.start[0] : pp.start[1];
	int64_t t1 = pp.end[0] > pp.end[1] ? pp.end[0] : pp.end[1];
	double ns = (double)(t1 - t0);

	printf("bench=yield runtime=%s round_trips=%ld ns_per_round_trip=%.2f ns_per_yield=%.2f\n",
	       async_std_runtime_name(), pp.round_trips, ns / pp.round_trips,
	       ns / (2.0 * pp.round_trips));
	return 0;
}
