/* SPDX-License-Identifier: MIT */
/*
 * echo_client.c - the demo's load client, written only against
 * abi/async_std.h: one task per connection doing request/response round
 * trips against echo_server on 127.0.0.1 for a fixed time.
 *
 *   echo_client -p port [-c connections] [-s bytes] [-t seconds]
 *               (defaults 100 connections, 64 B, 3 s; at most 600 s)
 *
 * Every connection connects, waits for a common start, then writes a
 * payload, reads it back in full, checks it and records the round-trip time,
 * until the common end; a round trip still in flight at the end is cut off
 * by the task's deadline and not counted.  Prints one line:
 *   runtime NAME: N req/s, p50 X us, p99 Y us (...)
 * Exit status 0 when no connection failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "async_std.h"
#include "../bench.h"
#include "../latency.h"

struct client {
	int id;
	long port;
	size_t size;
	int64_t start, end;
	long long requests;
	int error;          /* errno of the failure that ended it early, else 0 */
	const char *what;   /* which call failed */
	uint64_t hist[LAT_NBUCKETS];
};

/* Reads exactly n bytes; 0 on success, -1 with errno (EPIPE on EOF). */
static int read_full(int fd, char *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = async_std_read(fd, buf + got, n - got);

		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const char *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = async_std_write(fd, buf + off, n - off);

		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	char *out = malloc(c->size), *in = malloc(c->size);
	int64_t prev = async_std_deadline_push(c->end);
	int fd = -1;

	if (!out || !in) {
		c->error = ENOMEM, c->what = "malloc";
		goto out;
	}
	for (size_t i = 0; i < c->size; i++)
		out[i] = (char)('a' + (c->id + i) % 26);

	fd = async_std_tcp_connect("127.0.0.1", (int)c->port);
	if (fd < 0) {
		c->error = errno, c->what = "connect";
		goto out;
	}
	if (async_std_sleep_until(c->start) != 0) {
		c->error = errno, c->what = "sleep_until";
		goto out;
	}
	for (;;) {
		int64_t t0 = async_std_now();

		if (t0 >= c->end)
			break;
		if (write_full(fd, out, c->size) != 0) {
			c->error = errno, c->what = "write";
			break;
		}
		if (read_full(fd, in, c->size) != 0) {
			c->error = errno, c->what = "read";
			break;
		}
		int64_t t1 = async_std_now();
		if (memcmp(in, out, c->size) != 0) {
			c->error = EBADMSG, c->what = "echo check";
			break;
		}
		c->requests++;
		lat_record(c->hist, (uint64_t)(t1 - t0));
	}
	/* The deadline cutting off the last round trip is the normal end. */
	if (c->error == ETIMEDOUT && async_std_now() >= c->end)
		c->error = 0;
out:
	if (fd >= 0)
		async_std_close(fd);
	async_std_deadline_pop(prev);
	free(out);
	free(in);
	return NULL;
}

int async_main(int argc, char **argv)
{
	long port = -1, nconns = 100, failed = 0;
	size_t size = 64;
	double seconds = 3;
	long long total = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:c:s:t:")) != -1) {
		switch (opt) {
		case 'p': port = (long)bench_opt(argv[0], 'p', optarg, 1, 65535); break;
		case 'c': nconns = (long)bench_opt(argv[0], 'c', optarg, 1, 10000); break;
		case 's': size = (size_t)bench_opt(argv[0], 's', optarg, 1, 1 << 20); break;
		case 't': seconds = bench_opt(argv[0], 't', optarg, 0.1, 600); break;
		default: port = -1; optind = argc; break;
		}
	}
	if (port < 0) {
		fprintf(stderr, "usage: %s -p port [-c connections] [-s bytes] [-t seconds]\n",
			argv[0]);
		return 2;
	}

	struct client *cl = calloc((size_t)nconns, sizeof *cl);
	async_std_task **t = calloc((size_t)nconns, sizeof *t);
	uint64_t *hist = calloc(LAT_NBUCKETS, sizeof *hist);
	if (!cl || !t || !hist) {
		perror("echo_client: calloc");
		return 1;
	}
	/* Room for every connection to be set up before the clock starts. */
	int64_t start = async_std_now() + 200000000 + nconns * 100000LL;
	int64_t end = start + (int64_t)(seconds * 1e9);

	for (long i = 0; i < nconns; i++) {
		cl[i] = (struct client){ .id = (int)i, .port = port, .size = size,
					 .start = start, .end = end };
		t[i] = async_std_spawn(client_main, &cl[i]);
		if (!t[i]) {
			fprintf(stderr, "echo_client: spawn: %s\n", strerror(errno));
			return 1;
		}
	}
	for (long i = 0; i < nconns; i++) {
		if (async_std_join(t[i], NULL) != 0) {
			fprintf(stderr, "echo_client: join: %s\n", strerror(errno));
			return 1;
		}
		if (cl[i].error && failed++ == 0)
			fprintf(stderr, "echo_client: connection %ld: %s: %s\n", i, cl[i].what,
				strerror(cl[i].error));
		total += cl[i].requests;
		lat_merge(hist, cl[i].hist);
	}

	printf("runtime %s: %.0f req/s, p50 %.1f us, p99 %.1f us "
	       "(%ld connections x %zu B for %.1f s, %lld requests, %ld failed)\n",
	       async_std_runtime_name(), (double)total / seconds,
	       lat_percentile_us(hist, total, 0.50), lat_percentile_us(hist, total, 0.99),
	       nconns, size, seconds, total, failed);
	free(cl);
	free(t);
	free(hist);
	return failed ? 1 : 0;
}
