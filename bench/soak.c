/* SPDX-License-Identifier: MIT */
/*
 * soak.c - many connections echoing for a while, every byte checked: the
 * soak of `make bench` (bench/soak.sh runs it on every runtime).
 *
 *   soak [connections [seconds]]   (defaults 10000, 60)
 *
 * Two processes on the same runtime, so that each needs only one fd per
 * connection (10,000 connections fit under a 20,000 RLIMIT_NOFILE): the
 * server, a listener on loopback with one echo task per accepted
 * connection; and the client (the same binary, re-executed with --client),
 * with one task per connection that sends messages of 1..4096 bytes
 * (lengths and bytes from a per-client xorshift), reads each back and
 * compares it byte for byte.  After `seconds` the clients stop and close,
 * the echo tasks see EOF and end.  The server prints one key=value line:
 * round trips, errors (any failed call or mismatch on either side; must be
 * 0), peak RSS of each process, and the server's fds open before and after
 * (must be equal: nothing leaked).  Each process raises RLIMIT_NOFILE to
 * what it needs (its hard limit too, with CAP_SYS_RESOURCE), or fails
 * saying so.
 */
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include "async_std.h"
#include "bench.h"

#define MSG_MAX 4096

static atomic_long round_trips, errors;
static atomic_int stop;
static int port;
static atomic_long first_error_said;

static void fail(const char *what, int err)
{
	atomic_fetch_add(&errors, 1);
	if (atomic_fetch_add(&first_error_said, 1) < 5)
		fprintf(stderr, "soak: %s: %s\n", what, err ? strerror(err) : "mismatch");
}

static long fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the DIR's own fd */
}

static void *echo(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[MSG_MAX];
	for (;;) {
		ssize_t n = async_std_read(fd, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			fail("echo read", errno);
			break;
		}
		if (async_std_write(fd, buf, (size_t)n) != n) {
			fail("echo write", errno);
			break;
		}
	}
	async_std_close(fd);
	return NULL;
}

static void *listener(void *arg)
{
	int lfd = (int)(intptr_t)arg;
	for (;;) {
		int c = async_std_accept(lfd, NULL, NULL);
		if (c < 0) {
			if (errno == ECANCELED)
				break;
			fail("accept", errno);
			async_std_sleep(1000000);
			continue;
		}
		async_std_task *t = async_std_spawn(echo, (void *)(intptr_t)c);
		if (!t) {
			fail("spawn echo", errno);
			async_std_close(c);
			continue;
		}
		async_std_detach(t);
	}
	return NULL;
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void *client(void *arg)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ ((uint64_t)(intptr_t)arg * 0x100000001b3ull);
	unsigned char out[MSG_MAX], in[MSG_MAX];
	int fd = async_std_tcp_connect("127.0.0.1", port);
	if (fd < 0) {
		fail("connect", errno);
		return NULL;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		size_t len = 1 + (size_t)(next(&x) % MSG_MAX);
		for (size_t i = 0; i < len; i += 8) {
			uint64_t v = next(&x);
			memcpy(out + i, &v, len - i < 8 ? len - i : 8);
		}
		if (async_std_write(fd, out, len) != (ssize_t)len) {
			fail("client write", errno);
			break;
		}
		size_t got = 0;
		while (got < len) {
			ssize_t n = async_std_read(fd, in + got, len - got);
			if (n <= 0) {
				fail(n == 0 ? "client read: early EOF" : "client read", n ? errno : 0);
				break;
			}
			got += (size_t)n;
		}
		if (got < len)
			break;
		if (memcmp(in, out, len) != 0) {
			fail("echoed bytes differ", 0);
			break;
		}
		atomic_fetch_add_explicit(&round_trips, 1, memory_order_relaxed);
	}
	async_std_close(fd);
	return NULL;
}

static int raise_nofile(long n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)(n + 64);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
		/* Past the hard limit only with CAP_SYS_RESOURCE. */
		struct rlimit up = { need, need };
		if (rl.rlim_max < need && setrlimit(RLIMIT_NOFILE, &up) != 0) {
			fprintf(stderr, "soak: %ld connections need %llu fds per process, "
				"RLIMIT_NOFILE's hard limit is %llu and cannot be raised: "
				"run with fewer\n", n, (unsigned long long)need,
				(unsigned long long)rl.rlim_max);
			return -1;
		}
		if (rl.rlim_max < need)
			rl.rlim_max = need;
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			perror("soak: setrlimit");
			return -1;
		}
	}
	return 0;
}

/* soak --client PORT CONNECTIONS SECONDS: prints "round_trips=R errors=E
 * peak_rss_kib=K" on stdout. */
static int client_main(long n, long secs)
{
	async_std_task **c = malloc((size_t)n * sizeof *c);
	if (!c) {
		perror("soak: client: malloc");
		return 1;
	}
	for (long i = 0; i < n; i++)
		if (!(c[i] = async_std_spawn(client, (void *)(intptr_t)i)))
			fail("spawn client", errno);
	async_std_sleep(secs * 1000000000LL);
	atomic_store(&stop, 1);
	for (long i = 0; i < n; i++)
		if (c[i])
			async_std_join(c[i], NULL);
	printf("round_trips=%ld errors=%ld peak_rss_kib=%ld\n", atomic_load(&round_trips),
	       atomic_load(&errors), bench_status_kib("VmHWM"));
	free(c);
	return 0;
}

static void *wait_child(void *arg)
{
	int st;
	pid_t pid = (pid_t)(intptr_t)arg;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return (void *)(intptr_t)-1;
	return (void *)(intptr_t)st;
}

extern char **environ;

int async_main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--client") == 0) {
		port = (int)bench_arg(argc, argv, 2, "port", 0, 1, 65535);
		long n = bench_arg(argc, argv, 3, "connections", 10000, 1, 1000000);
		if (raise_nofile(n) < 0)
			return 1;
		return client_main(n, bench_arg(argc, argv, 4, "seconds", 60, 1, 86400));
	}
	long n = bench_arg(argc, argv, 1, "connections", 10000, 1, 1000000);
	long secs = bench_arg(argc, argv, 2, "seconds", 60, 1, 86400);
	if (raise_nofile(n) < 0)
		return 1;
	long fds_before = fds_open();
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 4096);
	if (lfd < 0) {
		perror("soak: listen");
		return 1;
	}
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	getsockname(lfd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	async_std_task *l = async_std_spawn(listener, (void *)(intptr_t)lfd);
	if (!l) {
		perror("soak: spawn");
		return 1;
	}
	/* The client: this binary again, same environment (so same runtime),
	 * its stdout into a pipe. */
	int out[2];
	if (pipe2(out, O_CLOEXEC) != 0) {
		perror("soak: pipe");
		return 1;
	}
	char sport[16], sn[24], ssecs[24];
	snprintf(sport, sizeof sport, "%d", port);
	snprintf(sn, sizeof sn, "%ld", n);
	snprintf(ssecs, sizeof ssecs, "%ld", secs);
	char *cargv[] = { argv[0], "--client", sport, sn, ssecs, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	pid_t pid;
	int64_t t0 = async_std_now();
	int r = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, cargv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (r != 0) {
		fprintf(stderr, "soak: spawning the client: %s\n", strerror(r));
		return 1;
	}
	char line[256];
	size_t got = 0;
	for (;;) {
		ssize_t k = async_std_read(out[0], line + got, sizeof line - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	line[got] = '\0';
	async_std_close(out[0]);
	void *st = NULL;
	async_std_run_blocking(wait_child, (void *)(intptr_t)pid, &st);
	int64_t t1 = async_std_now();
	long crt = 0, cerr = 0, chwm = 0;
	int status = (int)(intptr_t)st;
	if (sscanf(line, "round_trips=%ld errors=%ld peak_rss_kib=%ld", &crt, &cerr, &chwm) != 3 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "soak: the client failed (status %#x)\n", status);
		cerr++;
	}
	async_std_cancel(l);
	async_std_join(l, NULL);
	async_std_close(lfd);
	/* The echo tasks end once they read their client's EOF. */
	long fds_after = fds_open();
	for (int i = 0; i < 5000 && fds_after > fds_before; i++) {
		async_std_sleep(1000000);
		fds_after = fds_open();
	}
	long hwm = bench_status_kib("VmHWM");
	long err = atomic_load(&errors) + cerr;
	int ok = err == 0 && fds_after == fds_before && crt > 0;
	printf("bench=soak runtime=%s connections=%ld seconds=%ld round_trips=%ld "
	       "round_trips_per_s=%.0f errors=%ld peak_rss_kib=%ld client_peak_rss_kib=%ld "
	       "fds_before=%ld fds_after=%ld ok=%d\n",
	       async_std_runtime_name(), n, secs, crt, crt / ((t1 - t0) / 1e9), err, hwm, chwm,
	       fds_before, fds_after, ok);
	return ok ? 0 : 1;
}
