/* SPDX-License-Identifier: MIT */
/*
 * http_hello.c - a small HTTP/1.1 keep-alive "hello" server written only
 * against abi/async_std.h, for the HTTP comparison of bench/peers (issue 7):
 * one task per connection, straight-line read / parse / write.
 *
 *   http_hello [-p port] [-t seconds]
 *
 * Listens on 127.0.0.1 (port 0 picks a free one), prints the port alone on
 * stdout line 1 and the bound runtime on stderr, and exits after -t seconds
 * (default 60).  Every request (headers up to the blank line; no body, as
 * wrk's GETs) gets the same 200 response with a Date header, as Go's
 * net/http and hyper send; pipelined requests that arrive together are
 * answered with one write.  A request whose headers exceed the buffer gets
 * a 431 and the connection is closed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "async_std.h"
#include "../bench.h"

#define IN_SIZE 8192
#define MAX_BATCH 32 /* responses per write; more pipelined ones take several */
#define BODY "Hello, world!\n"

struct reply {
	time_t sec;        /* the second the Date header shows */
	size_t len;        /* bytes of one response */
	char one[192];
	char batch[MAX_BATCH * 192];
	int copies;        /* responses in batch */
};

/* Formats the response again when the second has changed (a time() call
 * is a vDSO read, far cheaper than the request). */
static void reply_refresh(struct reply *r)
{
	time_t now = time(NULL);
	struct tm tm;
	char date[64];

	if (now == r->sec && r->len)
		return;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	r->len = (size_t)snprintf(r->one, sizeof r->one,
				  "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: text/plain\r\n"
				  "Content-Length: %zu\r\n\r\n" BODY, date, sizeof BODY - 1);
	r->sec = now;
	r->copies = 0;
}

/* Writes all n bytes; 0, or -1 when the connection is gone. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = async_std_write(fd, p, n);

		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Answers k requests: the same response k times, MAX_BATCH per write. */
static int answer(int fd, struct reply *r, long k)
{
	reply_refresh(r);
	while (k > 0) {
		int m = k < MAX_BATCH ? (int)k : MAX_BATCH;

		for (; r->copies < m; r->copies++)
			memcpy(r->batch + (size_t)r->copies * r->len, r->one, r->len);
		if (write_all(fd, r->batch, (size_t)m * r->len) != 0)
			return -1;
		k -= m;
	}
	return 0;
}

static void *conn_main(void *arg)
{
	static const char too_large[] =
		"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
		"Connection: close\r\n\r\n";
	int fd = (int)(intptr_t)arg;
	struct reply *r = calloc(1, sizeof *r);
	char *in = malloc(IN_SIZE);
	size_t have = 0, scanned = 0;

	if (!r || !in)
		goto out;
	for (;;) {
		ssize_t n = async_std_read(fd, in + have, IN_SIZE - have);

		if (n <= 0)
			break;
		have += (size_t)n;
		/* count the complete requests; a terminator may straddle reads,
		 * so resume the scan 3 bytes before the old end */
		long k = 0;
		size_t start = 0;
		char *end;
		while ((end = memmem(in + scanned, have - scanned, "\r\n\r\n", 4))) {
			k++;
			start = (size_t)(end - in) + 4;
			scanned = start;
		}
		memmove(in, in + start, have - start);
		have -= start;
		scanned = have > 3 ? have - 3 : 0;
		if (k && answer(fd, r, k) != 0)
			break;
		if (have == IN_SIZE) {
			write_all(fd, too_large, sizeof too_large - 1);
			break;
		}
	}
out:
	free(in);
	free(r);
	async_std_close(fd);
	return NULL;
}

int async_main(int argc, char **argv)
{
	long port = 0, seconds = 60, conns = 0;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int opt, one = 1;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p': port = bench_opt_long(argv[0], 'p', optarg, 0, 65535); break;
		case 't': seconds = bench_opt_long(argv[0], 't', optarg, 1, 3600); break;
		default:
			fprintf(stderr, "usage: %s [-p port] [-t seconds]\n", argv[0]);
			return 2;
		}
	}
	int lfd = async_std_tcp_listen("127.0.0.1", (int)port, 4096);
	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		fprintf(stderr, "http_hello: listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	fprintf(stderr, "http_hello: runtime %s\n", async_std_runtime_name());

	/* The deadline ends the accept loop; connection tasks are detached and
	 * end with the process. */
	int64_t prev = async_std_deadline_push(async_std_now() + (int64_t)seconds * 1000000000);
	for (;;) {
		int fd = async_std_accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			if (errno == EMFILE || errno == ENFILE) { /* wait for closes */
				async_std_sleep(1000000);
				continue;
			}
			break; /* ETIMEDOUT: time is up */
		}
		/* a response is one write: Nagle would only hold it back */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		async_std_task *t = async_std_spawn(conn_main, (void *)(intptr_t)fd);
		if (!t) {
			async_std_close(fd);
			continue;
		}
		async_std_detach(t);
		conns++;
	}
	async_std_deadline_pop(prev);
	printf("http_hello: runtime %s, %ld connections\n", async_std_runtime_name(), conns);
	return 0;
}
