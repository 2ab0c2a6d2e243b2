/* SPDX-License-Identifier: MIT */
/*
 * weak_idiom.c - the idiom of humboldt.h, run both ways: the program is
 * linked against libasync_std only and declares humboldt's extension weak.
 * Under LD_PRELOAD=libhumboldt.so the reference is bound and the extension
 * serves the call; without it the reference is NULL and the portable calls
 * do; preloaded on the epoll fallback the extension says ENOTSUP and the
 * portable calls do.  Both paths must give the same results.
 *
 *   weak_idiom extension | portable | enotsup   (the path to expect; or
 *   WEAK_IDIOM_EXPECT=... in the environment)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "async_std.h"

extern ssize_t humboldt_recv_timeout(int fd, void *buf, size_t n, int flags,
				     int64_t timeout_ns) __attribute__((weak));

static int by_extension, by_portable;

static ssize_t recv_within(int fd, void *buf, size_t n, int64_t timeout_ns)
{
	if (humboldt_recv_timeout) {
		ssize_t r = humboldt_recv_timeout(fd, buf, n, 0, timeout_ns);
		if (r >= 0 || errno != ENOTSUP) {
			by_extension++;
			return r;
		}
	}
	by_portable++;
	int64_t prev = async_std_deadline_push(async_std_now() + timeout_ns);
	ssize_t r = async_std_recv(fd, buf, n, 0);
	async_std_deadline_pop(prev);
	return r;
}

static void *body(void *arg)
{
	int *sv = arg;
	char buf[8] = { 0 };
	if (async_std_write(sv[1], "ping", 4) != 4)
		return "write failed";
	if (recv_within(sv[0], buf, sizeof buf, 1000000000) != 4 || memcmp(buf, "ping", 4))
		return "recv_within did not return the data";
	errno = 0;
	if (recv_within(sv[0], buf, sizeof buf, 20000000) != -1 || errno != ETIMEDOUT)
		return "recv_within on an idle socket did not time out";
	return NULL;
}

int main(int argc, char **argv)
{
	const char *want = argc > 1 ? argv[1] : getenv("WEAK_IDIOM_EXPECT");
	if (!want) {
		fprintf(stderr, "usage: weak_idiom extension|portable|enotsup\n");
		return 2;
	}
	int sv[2];
	void *err = "did not run";
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    async_std_block_on(body, sv, &err) < 0)
		err = "could not run the task";
	const char *path = by_extension == 2 && !by_portable   ? "extension"
			   : !by_extension && by_portable == 2 ? "portable"
							       : "mixed";
	printf("weak_idiom: runtime %s, humboldt_recv_timeout %s, path %s%s\n",
	       async_std_runtime_name(), humboldt_recv_timeout ? "bound" : "NULL", path,
	       humboldt_recv_timeout && !by_extension ? " (the extension said ENOTSUP)" : "");
	if (err) {
		printf("weak_idiom: FAIL: %s\n", (const char *)err);
		return 1;
	}
	bool ok = strcmp(want, "extension") == 0 ? humboldt_recv_timeout && by_extension == 2
		: strcmp(want, "portable") == 0  ? !humboldt_recv_timeout && by_portable == 2
		: strcmp(want, "enotsup") == 0   ? humboldt_recv_timeout && by_portable == 2
						 : false;
	if (!ok) {
		printf("weak_idiom: FAIL: expected the %s path\n", want);
		return 1;
	}
	return 0;
}
