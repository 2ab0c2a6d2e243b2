/* SPDX-License-Identifier: MIT */
/*
 * echo_load.c - the load client of `make bench-io`: a plain C program
 * (epoll and pthreads, no async_std), so that every runtime's echo server
 * is measured against exactly the same client.
 *
 *   echo_load -p port [-c connections] [-s bytes] [-t seconds] [-w seconds]
 *             [-T threads] [-P server-pid]
 *             (defaults: 100 connections, 64 B, 3 s measured after 0.5 s of
 *              warm-up, 1 thread)
 *
 * Closed loop: each connection has one request in flight.  It writes the
 * payload, reads the echo in full, checks it, records the round trip and
 * sends the next one at once.  Connections are spread over the threads, one
 * level-triggered epoll per thread; the steady state costs the client one
 * send and one recv per request plus a share of an epoll_wait.  Only
 * 127.0.0.1 is used.  Round trips that end in the warm-up, or in flight at
 * the end, are not counted.
 *
 * With -P, it also reports where the CPUs went during the measured window,
 * from /proc (clock ticks): srv_cpu_pct and cli_cpu_pct, the CPU time of
 * the server's and the client's threads over the window, as a percentage
 * of one CPU; foreign_pct, the user+system time of every other task on the
 * CPUs that the two may run on, as a percentage of those CPUs' capacity (a
 * benchmark sharing its machine sees it there).  Prints one line:
 *
 *   bench=echo conns=C size=S seconds=T requests=N rps=R p50_us=X p99_us=Y
 *       min_us=M max_us=Z errors=E [srv_cpu_pct=A cli_cpu_pct=B foreign_pct=F]
 *
 * Exit status 0 when no connection failed, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../bench.h"
#include "../latency.h"
#include "cpu_sample.h"

struct conn {
	int fd;
	size_t got;         /* bytes of the echo received so far */
	int64_t sent_at;
};

struct worker {
	pthread_t th;
	int id, epfd, nconns;
	struct conn *conns;
	long long requests;
	uint64_t min_ns, max_ns;
	int error;          /* errno of the first failure, else 0 */
	const char *what;
	uint64_t hist[LAT_NBUCKETS];
};

static int server_pid; /* -P: whose CPU time to report */

static void sleep_until(int64_t t)
{
	for (int64_t now = bench_now_ns(); now < t; now = bench_now_ns()) {
		struct timespec ts = { (time_t)((t - now) / 1000000000),
				       (long)((t - now) % 1000000000) };
		nanosleep(&ts, NULL);
	}
}

static int port = -1;
static size_t size = 64;
static int64_t t_start, t_end;
static char *payload;
static pthread_barrier_t ready;
/* At the end: every worker has stopped measuring (done), the main thread
 * has read the CPU times while all threads and connections still exist,
 * then the workers close their connections and exit (go). */
static pthread_barrier_t done, go;

static int fail(struct worker *w, const char *what, int err)
{
	if (!w->error)
		w->error = err, w->what = what;
	return -1;
}

/* Sends the whole payload; loopback buffers hold far more than one
 * request, so a short send is unexpected and waits in poll. */
static int send_req(struct worker *w, struct conn *c, int64_t now)
{
	size_t off = 0;

	c->got = 0;
	c->sent_at = now;
	while (off < size) {
		ssize_t n = send(c->fd, payload + off, size - off, MSG_NOSIGNAL);

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail(w, "send", errno);
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
		if (bench_now_ns() > t_end + 5000000000LL)
			return fail(w, "send", ETIMEDOUT);
	}
	return 0;
}

static int conn_open(struct worker *w, struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(w, "socket", errno);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		return fail(w, "connect", errno);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
		return fail(w, "epoll_ctl", errno);
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	char *in = malloc(size);
	int i, ok = in != NULL;

	if (!ok)
		fail(w, "malloc", ENOMEM);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		ok = 0, fail(w, "epoll_create1", errno);
	for (i = 0; ok && i < w->nconns; i++)
		ok = conn_open(w, &w->conns[i]) == 0;
	pthread_barrier_wait(&ready); /* main sets t_start, t_end */
	pthread_barrier_wait(&ready);
	if (!ok)
		goto out;

	int64_t now = bench_now_ns();
	for (i = 0; i < w->nconns; i++)
		if (send_req(w, &w->conns[i], now) != 0)
			goto out;
	while (now < t_end) {
		int ms = (int)((t_end - now) / 1000000) + 1;
		int n = epoll_wait(w->epfd, evs, 256, ms);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(w, "epoll_wait", errno);
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = recv(c->fd, in + c->got, size - c->got, MSG_DONTWAIT);

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				fail(w, "recv", r == 0 ? EPIPE : errno);
				goto out;
			}
			if (memcmp(in + c->got, payload + c->got, (size_t)r) != 0) {
				fail(w, "echo check", EBADMSG);
				goto out;
			}
			c->got += (size_t)r;
			if (c->got < size)
				continue;
			now = bench_now_ns();
			if (now >= t_end)
				break;
			if (now >= t_start && c->sent_at >= t_start) {
				uint64_t rtt = (uint64_t)(now - c->sent_at);

				w->requests++;
				lat_record(w->hist, rtt);
				if (rtt < w->min_ns || !w->min_ns)
					w->min_ns = rtt;
				if (rtt > w->max_ns)
					w->max_ns = rtt;
			}
			if (send_req(w, c, now) != 0)
				goto out;
		}
		now = bench_now_ns();
	}
out:
	pthread_barrier_wait(&done);
	pthread_barrier_wait(&go);
	for (i = 0; i < w->nconns; i++)
		if (w->conns[i].fd >= 0)
			close(w->conns[i].fd);
	if (w->epfd >= 0)
		close(w->epfd);
	free(in);
	return NULL;
}

int main(int argc, char **argv)
{
	long nconns = 100, nthreads = 1, failed = 0;
	double seconds = 3, warmup = 0.5;
	long long total = 0;
	uint64_t min_ns = 0, max_ns = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:c:s:t:w:T:P:")) != -1) {
		switch (opt) {
		case 'p': port = (int)bench_opt(argv[0], 'p', optarg, 1, 65535); break;
		case 'c': nconns = (long)bench_opt(argv[0], 'c', optarg, 1, 10000); break;
		case 's': size = (size_t)bench_opt(argv[0], 's', optarg, 1, 1 << 20); break;
		case 't': seconds = bench_opt(argv[0], 't', optarg, 0.1, 600); break;
		case 'w': warmup = bench_opt(argv[0], 'w', optarg, 0, 60); break;
		case 'T': nthreads = (long)bench_opt(argv[0], 'T', optarg, 1, 256); break;
		case 'P': server_pid = (int)bench_opt(argv[0], 'P', optarg, 1, 1 << 30); break;
		default: port = -1; optind = argc; break;
		}
	}
	if (port < 0 || optind != argc) {
		fprintf(stderr, "usage: %s -p port [-c connections] [-s bytes] [-t seconds] "
			"[-w warmup-seconds] [-T threads] [-P server-pid]\n", argv[0]);
		return 2;
	}
	if (nthreads > nconns)
		nthreads = nconns;

	struct worker *ws = calloc((size_t)nthreads, sizeof *ws);
	struct conn *conns = calloc((size_t)nconns, sizeof *conns);
	uint64_t *hist = calloc(LAT_NBUCKETS, sizeof *hist);
	payload = malloc(size);
	if (!ws || !conns || !hist || !payload) {
		perror("echo_load: calloc");
		return 1;
	}
	for (size_t i = 0; i < size; i++)
		payload[i] = (char)('a' + i % 26);
	for (long i = 0; i < nconns; i++)
		conns[i].fd = -1;
	pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&done, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&go, NULL, (unsigned)nthreads + 1);
	for (long i = 0, first = 0; i < nthreads; i++) {
		long n = nconns / nthreads + (i < nconns % nthreads);

		ws[i].id = (int)i;
		ws[i].epfd = -1;
		ws[i].conns = conns + first;
		ws[i].nconns = (int)n;
		first += n;
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			fprintf(stderr, "echo_load: pthread_create failed\n");
			return 1;
		}
	}
	pthread_barrier_wait(&ready); /* every connection is open (or failed) */
	t_start = bench_now_ns() + (int64_t)(warmup * 1e9);
	t_end = t_start + (int64_t)(seconds * 1e9);
	pthread_barrier_wait(&ready);

	struct cpu_sample c0, c1;
	int sampled = server_pid && cpu_watch_init(server_pid) == 0;
	if (sampled) {
		sleep_until(t_start);
		cpu_sample(&c0, server_pid);
	}
	pthread_barrier_wait(&done);
	if (sampled) {
		cpu_sample(&c1, server_pid);
		sampled = cpu_sample_ok(&c0) && cpu_sample_ok(&c1);
	}
	pthread_barrier_wait(&go);

	for (long i = 0; i < nthreads; i++) {
		struct worker *w = &ws[i];

		pthread_join(w->th, NULL);
		if (w->error && failed++ == 0)
			fprintf(stderr, "echo_load: thread %ld: %s: %s\n", i, w->what,
				strerror(w->error));
		total += w->requests;
		lat_merge(hist, w->hist);
		if (w->min_ns && (!min_ns || w->min_ns < min_ns))
			min_ns = w->min_ns;
		if (w->max_ns > max_ns)
			max_ns = w->max_ns;
	}
	printf("bench=echo conns=%ld size=%zu seconds=%.2f requests=%lld rps=%.0f "
	       "p50_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f errors=%ld",
	       nconns, size, seconds, total, (double)total / seconds,
	       lat_percentile_us(hist, total, 0.50), lat_percentile_us(hist, total, 0.99),
	       (double)min_ns / 1000.0, (double)max_ns / 1000.0, failed);
	if (sampled) {
		struct cpu_usage u = cpu_usage(&c0, &c1, seconds);

		printf(" srv_cpu_pct=%.0f cli_cpu_pct=%.0f foreign_pct=%.0f", u.other_pct, u.self_pct,
		       u.foreign_pct);
	}
	printf("\n");
	free(ws);
	free(conns);
	free(hist);
	free(payload);
	return failed ? 1 : 0;
}
