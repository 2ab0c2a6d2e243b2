/* SPDX-License-Identifier: MIT */
/*
 * uv_echo.c - libuv's echo server for bench/peers (issue 7): one event loop
 * on one thread (libuv gives each loop a thread; its echo servers run one),
 * read then write back, like bench/echo/echo_server.c.
 *
 *   uv_echo [-p port] [-t seconds]
 *
 * Listens on 127.0.0.1 (port 0 picks a free one), prints the port alone on
 * stdout line 1 and exits after -t seconds (default 60).  Writes go out
 * with uv_try_write, libuv's fast path; only what the socket did not take
 * is copied and queued with uv_write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define BUF_SIZE (16 * 1024)

struct conn {
	uv_tcp_t tcp;     /* first: the handle's address is the conn's */
	char buf[BUF_SIZE];
};

struct pending_write {
	uv_write_t req;
	char data[];
};

static void conn_free(uv_handle_t *h)
{
	free(h);
}

/* Every read lands in the connection's own buffer: it is free again when
 * read_done returns, since the data is then written or copied. */
static void alloc_buf(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct conn *c = (struct conn *)h;

	*b = uv_buf_init(c->buf, BUF_SIZE);
}

static void write_done(uv_write_t *req, int status)
{
	if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
		uv_close((uv_handle_t *)req->handle, conn_free);
	free(req);
}

static void read_done(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	if (n == 0)
		return; /* EAGAIN, nothing read */
	if (n < 0) {
		uv_close((uv_handle_t *)s, conn_free);
		return;
	}
	/* uv_try_write returns UV_EAGAIN while earlier writes are queued, so
	 * the order of the bytes is kept. */
	uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
	int w = uv_try_write(s, &out, 1);

	if (w == UV_EAGAIN)
		w = 0;
	if (w < 0) {
		uv_close((uv_handle_t *)s, conn_free);
		return;
	}
	if (w == n)
		return;
	struct pending_write *pw = malloc(sizeof *pw + (size_t)(n - w));
	if (!pw) {
		uv_close((uv_handle_t *)s, conn_free);
		return;
	}
	memcpy(pw->data, b->base + w, (size_t)(n - w));
	out = uv_buf_init(pw->data, (unsigned)(n - w));
	if (uv_write(&pw->req, s, &out, 1, write_done) != 0) {
		free(pw);
		uv_close((uv_handle_t *)s, conn_free);
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	struct conn *c;

	if (status < 0 || !(c = malloc(sizeof *c)))
		return;
	uv_tcp_init(server->loop, &c->tcp);
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		uv_close((uv_handle_t *)&c->tcp, conn_free);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	uv_read_start((uv_stream_t *)&c->tcp, alloc_buf, read_done);
}

/* A server of the benchmark never runs forever. */
static void on_time_up(uv_timer_t *t)
{
	exit(0);
}

static long opt_num(const char *prog, int opt, const char *s, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > hi) {
		fprintf(stderr, "%s: -%c must be an integer in 0..%ld, got '%s'\n", prog, opt, hi, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long port = 0, seconds = 60;
	uv_loop_t *loop = uv_default_loop();
	uv_tcp_t server;
	uv_timer_t timer;
	struct sockaddr_in sin;
	int len = sizeof sin, opt, r;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p': port = opt_num(argv[0], 'p', optarg, 65535); break;
		case 't': seconds = opt_num(argv[0], 't', optarg, 3600); break;
		default:
			fprintf(stderr, "usage: %s [-p port] [-t seconds]\n", argv[0]);
			return 2;
		}
	}
	uv_ip4_addr("127.0.0.1", (int)port, &sin);
	uv_tcp_init(loop, &server);
	if ((r = uv_tcp_bind(&server, (struct sockaddr *)&sin, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&server, 4096, on_connection)) != 0 ||
	    (r = uv_tcp_getsockname(&server, (struct sockaddr *)&sin, &len)) != 0) {
		fprintf(stderr, "uv_echo: listen on 127.0.0.1:%ld: %s\n", port, uv_strerror(r));
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	uv_timer_init(loop, &timer);
	uv_timer_start(&timer, on_time_up, (uint64_t)seconds * 1000, 0);
	fprintf(stderr, "uv_echo: libuv %s, one loop on one thread\n", uv_version_string());
	return uv_run(loop, UV_RUN_DEFAULT);
}
