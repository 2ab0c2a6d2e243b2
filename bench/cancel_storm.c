/* SPDX-License-Identifier: MIT */
/*
 * cancel_storm.c - cancelling many pending reads at once, as an idle-timeout
 * sweep over many connections does.
 *
 *   cancel_storm [tasks [sockets]]   (defaults 40000, 100)
 *
 * Each of `tasks` tasks blocks in async_std_recv on one of `sockets`
 * silent AF_UNIX stream pairs (several tasks per socket); once all wait,
 * every task is cancelled and joined.  Prints one key=value line with the
 * time from the first cancel to the last join, in total and per task.  Exit
 * status 1 unless every recv ended with ECANCELED.
 */
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include "async_std.h"
#include "bench.h"

static int *fds;
static long nsock;
static atomic_long waiting, cancelled, other;

static void *reader(void *arg)
{
	long i = (long)(intptr_t)arg;
	char b[16];
	atomic_fetch_add_explicit(&waiting, 1, memory_order_relaxed);
	errno = 0;
	if (async_std_recv(fds[i % nsock], b, sizeof b, 0) == -1 && errno == ECANCELED)
		atomic_fetch_add_explicit(&cancelled, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&other, 1, memory_order_relaxed);
	return NULL;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "tasks", 40000, 1, 10000000);
	nsock = bench_arg(argc, argv, 2, "sockets", 100, 1, 100000);
	async_std_task **t = malloc((size_t)n * sizeof *t);
	fds = malloc((size_t)nsock * 2 * sizeof *fds);
	if (!t || !fds) {
		perror("cancel_storm: malloc");
		return 1;
	}
	for (long s = 0; s < nsock; s++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
			perror("cancel_storm: socketpair");
			return 1;
		}
		fds[s] = sv[0];
		fds[nsock + s] = sv[1];
	}
	long spawned = 0;
	for (; spawned < n; spawned++) {
		t[spawned] = async_std_spawn(reader, (void *)(intptr_t)spawned);
		if (!t[spawned]) {
			fprintf(stderr, "cancel_storm: spawn %ld: %s\n", spawned, strerror(errno));
			break;
		}
	}
	while (atomic_load(&waiting) < spawned)
		async_std_sleep(1000000);
	async_std_sleep(50 * 1000000); /* let the last ones reach their recv */
	int64_t t0 = async_std_now();
	for (long i = 0; i < spawned; i++)
		async_std_cancel(t[i]);
	for (long i = 0; i < spawned; i++)
		async_std_join(t[i], NULL);
	int64_t t1 = async_std_now();
	int ok = spawned == n && atomic_load(&cancelled) == n;
	printf("bench=cancel_storm runtime=%s tasks=%ld sockets=%ld cancelled=%ld other=%ld "
	       "cancel_all_ms=%.1f ns_per_cancel=%.0f ok=%d\n",
	       async_std_runtime_name(), n, nsock, atomic_load(&cancelled), atomic_load(&other),
	       (t1 - t0) / 1e6, spawned ? (double)(t1 - t0) / (double)spawned : 0.0, ok);
	for (long s = 0; s < 2 * nsock; s++)
		close(fds[s]);
	free(t);
	free(fds);
	return ok ? 0 : 1;
}
