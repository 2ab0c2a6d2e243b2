/* SPDX-License-Identifier: MIT */
/*
 * busy_io.c - what a call whose answer is already there costs on a busy
 * worker: the latency of a recv of buffered data and of an accept of a
 * waiting connection, while `pairs` pairs of tasks play TCP ping-pong on the
 * same worker (run it with ASYNC_STD_THREADS=1).
 *
 *   busy_io [pairs [probes]]   (defaults 500, 200)
 *
 * Each probe writes a byte into a socket from this task (so it is buffered
 * before the recv starts) and times async_std_recv of it; then connects a
 * plain socket to a listener and times async_std_accept.  A 1 ms sleep
 * separates probes.  Prints one key=value line with the medians and p99s in
 * microseconds, and the ping-pong round trips made meanwhile.
 */
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include "async_std.h"
#include "bench.h"

static atomic_int stop;
static atomic_long rounds;

static void *pinger(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char b = 'x';
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (async_std_send(fd, &b, 1, 0) != 1 || async_std_recv(fd, &b, 1, 0) != 1)
			break;
		atomic_fetch_add_explicit(&rounds, 1, memory_order_relaxed);
	}
	return NULL;
}

static void *ponger(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char b;
	while (async_std_recv(fd, &b, 1, 0) == 1)
		if (async_std_send(fd, &b, 1, 0) != 1)
			break;
	return NULL;
}

int async_main(int argc, char **argv)
{
	long pairs = bench_arg(argc, argv, 1, "pairs", 500, 0, 100000);
	long probes = bench_arg(argc, argv, 2, "probes", 200, 1, 1000000);
	async_std_task **t = malloc((size_t)(2 * pairs + 1) * sizeof *t);
	int *fds = malloc((size_t)(2 * pairs + 1) * sizeof *fds);
	int64_t *recv_ns = malloc((size_t)probes * sizeof *recv_ns);
	int64_t *accept_ns = malloc((size_t)probes * sizeof *accept_ns);
	if (!t || !fds || !recv_ns || !accept_ns)
		return 1;
	for (long i = 0; i < pairs; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
			perror("busy_io: socketpair");
			return 1;
		}
		fds[2 * i] = sv[0];
		fds[2 * i + 1] = sv[1];
		t[2 * i] = async_std_spawn(pinger, (void *)(intptr_t)sv[0]);
		t[2 * i + 1] = async_std_spawn(ponger, (void *)(intptr_t)sv[1]);
	}
	int probe[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, probe) != 0)
		return 1;
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 64);
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) != 0) {
		perror("busy_io: listen");
		return 1;
	}
	async_std_sleep(100 * 1000000); /* the ping-pong gets going */
	long r0 = atomic_load(&rounds);
	int64_t t0 = async_std_now();
	int rc = 0;
	for (long p = 0; p < probes; p++) {
		char b = 'p';
		if (write(probe[1], &b, 1) != 1)
			return 1;
		int64_t s = async_std_now();
		if (async_std_recv(probe[0], &b, 1, 0) != 1)
			rc = 1;
		recv_ns[p] = async_std_now() - s;
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, al) != 0) {
			perror("busy_io: connect");
			return 1;
		}
		s = async_std_now();
		int s_fd = async_std_accept(lfd, NULL, NULL);
		accept_ns[p] = async_std_now() - s;
		if (s_fd < 0)
			rc = 1;
		else
			async_std_close(s_fd);
		close(c);
		async_std_sleep(1000000);
	}
	double secs = (async_std_now() - t0) / 1e9;
	long rt = atomic_load(&rounds) - r0;
	atomic_store(&stop, 1);
	for (long i = 0; i < 2 * pairs; i++)
		shutdown(fds[i], SHUT_RDWR);
	for (long i = 0; i < 2 * pairs; i++)
		async_std_join(t[i], NULL);
	qsort(recv_ns, (size_t)probes, sizeof *recv_ns, bench_cmp_i64);
	qsort(accept_ns, (size_t)probes, sizeof *accept_ns, bench_cmp_i64);
	long p99 = (long)((double)probes * 0.99);
	printf("bench=busy_io runtime=%s pairs=%ld probes=%ld recv_p50_us=%.1f recv_p99_us=%.1f "
	       "accept_p50_us=%.1f accept_p99_us=%.1f pingpong_per_s=%.0f ok=%d\n",
	       async_std_runtime_name(), pairs, probes, recv_ns[probes / 2] / 1e3,
	       recv_ns[p99] / 1e3, accept_ns[probes / 2] / 1e3, accept_ns[p99] / 1e3,
	       rt / secs, rc == 0);
	for (long i = 0; i < 2 * pairs; i++)
		close(fds[i]);
	return rc;
}
