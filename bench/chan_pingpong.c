/* SPDX-License-Identifier: MIT */
/*
 * chan_pingpong.c - the round trip of one element through two rendezvous
 * channels (capacity 0) between two tasks: A sends on ab and receives on ba,
 * B receives on ab and sends on ba.
 *
 *   chan_pingpong [round_trips [same|cross]]    (defaults 1000000, same)
 *
 * same: both tasks on one worker (ASYNC_STD_SPAWN_LOCAL from A), so a round
 * trip is two channel hand-overs and two task switches.  cross: the tasks
 * are spawned SPAWN_LOCAL from the main thread, which places them on
 * consecutive workers (round-robin): every hand-over wakes the other worker
 * (run with ASYNC_STD_THREADS >= 2).  Prints one key=value line.
 */
#include <string.h>

#include "async_std.h"
#include "bench.h"

struct pingpong {
	async_std_chan *ab, *ba;
	long round_trips;
	int cross;
	int64_t t0, t1;
	async_std_task *b;
};

static const async_std_spawn_attr local_attr = {
	.size = sizeof(async_std_spawn_attr), .name = "pingpong", .flags = ASYNC_STD_SPAWN_LOCAL,
};

static void *player_b(void *arg)
{
	struct pingpong *pp = arg;
	long v;

	for (long i = 0; i < pp->round_trips + 1000; i++) {
		if (async_std_chan_recv(pp->ab, &v) != 0 || async_std_chan_send(pp->ba, &v) != 0) {
			perror("chan_pingpong: B");
			return (void *)1;
		}
	}
	return NULL;
}

static int round_trips(struct pingpong *pp, long n)
{
	for (long i = 0; i < n; i++) {
		long v = i;
		if (async_std_chan_send(pp->ab, &v) != 0 || async_std_chan_recv(pp->ba, &v) != 0) {
			perror("chan_pingpong: A");
			return -1;
		}
		if (v != i) {
			fprintf(stderr, "chan_pingpong: sent %ld, got %ld back\n", i, v);
			return -1;
		}
	}
	return 0;
}

static void *player_a(void *arg)
{
	struct pingpong *pp = arg;

	if (!pp->cross && !(pp->b = async_std_spawn_ex(player_b, pp, &local_attr))) {
		perror("chan_pingpong: async_std_spawn_ex");
		return (void *)1;
	}
	if (round_trips(pp, 1000) != 0) /* warm up */
		return (void *)1;
	pp->t0 = bench_now_ns();
	if (round_trips(pp, pp->round_trips) != 0)
		return (void *)1;
	pp->t1 = bench_now_ns();
	return NULL;
}

int main(int argc, char **argv)
{
	struct pingpong pp = { .round_trips = bench_arg(argc, argv, 1, "round_trips", 1000000,
							1, 1000000000) };
	if (argc > 2 && strcmp(argv[2], "same") && strcmp(argv[2], "cross")) {
		fprintf(stderr, "%s: placement must be same or cross, got '%s'\n", argv[0], argv[2]);
		return 2;
	}
	pp.cross = argc > 2 && !strcmp(argv[2], "cross");
	pp.ab = async_std_chan_create(sizeof(long), 0);
	pp.ba = async_std_chan_create(sizeof(long), 0);
	if (!pp.ab || !pp.ba) {
		perror("chan_pingpong: async_std_chan_create");
		return 1;
	}
	/* From a plain thread, consecutive SPAWN_LOCAL spawns go to
	 * consecutive workers. */
	async_std_task *a = async_std_spawn_ex(player_a, &pp, &local_attr);
	if (a && pp.cross)
		pp.b = async_std_spawn_ex(player_b, &pp, &local_attr);
	if (!a || (pp.cross && !pp.b)) {
		perror("chan_pingpong: async_std_spawn_ex");
		return 1;
	}
	void *ra = (void *)1, *rb = (void *)1;
	if (async_std_join(a, &ra) != 0 || ra || !pp.b || async_std_join(pp.b, &rb) != 0 || rb) {
		fprintf(stderr, "chan_pingpong: a player failed\n");
		return 1;
	}
	async_std_chan_destroy(pp.ab);
	async_std_chan_destroy(pp.ba);
	printf("bench=chan_pingpong runtime=%s placement=%s round_trips=%ld "
	       "ns_per_round_trip=%.2f\n",
	       async_std_runtime_name(), pp.cross ? "cross" : "same", pp.round_trips,
	       (double)(pp.t1 - pp.t0) / pp.round_trips);
	return 0;
}
