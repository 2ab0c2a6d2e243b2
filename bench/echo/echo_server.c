/* SPDX-License-Identifier: MIT */
/*
 * echo_server.c - the demo's TCP echo server, written only against
 * abi/async_std.h: one task per connection, straight-line read/write.
 *
 *   echo_server [-p port] [-t seconds] [-n connections]
 *
 * Listens on 127.0.0.1 only (port 0, the default, picks a free one) and
 * prints the port alone on stdout line 1 so a script can read it.  It never
 * runs forever: it stops accepting after -t seconds (default 60, at most
 * 3600), when every task is told to finish through its deadline, or after
 * -n accepted connections (0, the default: no limit), when it waits for
 * those connections to close.  Then it prints one summary line and exits 0.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "async_std.h"
#include "../bench.h"

#define BUF_SIZE (16 * 1024)

struct conn {
	int fd;
	int64_t deadline;
	long long bytes;
	int error;          /* errno of an unexpected failure, else 0 */
};

/* Echoes until EOF, a reset, or the server's deadline. */
static void *conn_main(void *arg)
{
	struct conn *c = arg;
	char *buf = malloc(BUF_SIZE);
	int64_t prev = async_std_deadline_push(c->deadline);

	if (!buf) {
		c->error = ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n = async_std_read(c->fd, buf, BUF_SIZE);

		if (n == 0)
			break;
		if (n < 0) {
			if (errno != ECONNRESET && errno != ETIMEDOUT && errno != ECANCELED)
				c->error = errno;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = async_std_write(c->fd, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno != ECONNRESET && errno != EPIPE && errno != ETIMEDOUT &&
				    errno != ECANCELED)
					c->error = errno;
				goto out_free;
			}
			off += w;
		}
		c->bytes += n;
	}
out_free:
	free(buf);
out_close:
	async_std_close(c->fd);
	async_std_deadline_pop(prev);
	return NULL;
}

int async_main(int argc, char **argv)
{
	long port = 0, seconds = 60, max_conns = 0, nconns = 0, cap = 0, failed = 0;
	long long bytes = 0;
	struct conn **conns = NULL;
	async_std_task **tasks = NULL;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int opt, lfd, rc = 0;

	while ((opt = getopt(argc, argv, "p:t:n:")) != -1) {
		switch (opt) {
		case 'p': port = bench_opt_long(argv[0], 'p', optarg, 0, 65535); break;
		case 't': seconds = bench_opt_long(argv[0], 't', optarg, 1, 3600); break;
		case 'n': max_conns = bench_opt_long(argv[0], 'n', optarg, 0, 1000000); break;
		default:
			fprintf(stderr, "usage: %s [-p port] [-t seconds] [-n connections]\n",
				argv[0]);
			return 2;
		}
	}

	lfd = async_std_tcp_listen("127.0.0.1", (int)port, 4096);
	if (lfd < 0) {
		fprintf(stderr, "echo_server: listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 1;
	}
	if (getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		perror("echo_server: getsockname");
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);

	int64_t deadline = async_std_now() + (int64_t)seconds * 1000000000;
	int64_t prev = async_std_deadline_push(deadline);

	while (max_conns == 0 || nconns < max_conns) {
		int fd = async_std_accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == ETIMEDOUT)
				break;
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (nconns == cap) {
			cap = cap ? cap * 2 : 256;
			conns = realloc(conns, (size_t)cap * sizeof *conns);
			tasks = realloc(tasks, (size_t)cap * sizeof *tasks);
			if (!conns || !tasks) {
				fprintf(stderr, "echo_server: out of memory\n");
				return 1;
			}
		}
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			async_std_close(fd);
			fprintf(stderr, "echo_server: out of memory\n");
			rc = 1;
			break;
		}
		c->fd = fd;
		c->deadline = deadline;
		tasks[nconns] = async_std_spawn(conn_main, c);
		if (!tasks[nconns]) {
			fprintf(stderr, "echo_server: spawn: %s\n", strerror(errno));
			async_std_close(fd);
			free(c);
			rc = 1;
			break;
		}
		conns[nconns++] = c;
	}
	async_std_deadline_pop(prev);
	async_std_close(lfd);

	for (long i = 0; i < nconns; i++) {
		if (async_std_join(tasks[i], NULL) != 0) {
			fprintf(stderr, "echo_server: join: %s\n", strerror(errno));
			rc = 1;
		}
		if (conns[i]->error) {
			if (failed++ == 0)
				fprintf(stderr, "echo_server: connection %ld: %s\n", i,
					strerror(conns[i]->error));
		}
		bytes += conns[i]->bytes;
		free(conns[i]);
	}
	free(conns);
	free(tasks);
	printf("echo_server: runtime %s, %ld connections, %lld bytes echoed, %ld failed\n",
	       async_std_runtime_name(), nconns, bytes, failed);
	return failed ? 1 : rc;
}
