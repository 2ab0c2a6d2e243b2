/* SPDX-License-Identifier: MIT */
/*
 * sigpipe.c - the SIGPIPE policy from outside the process (sigpipe.sh):
 *
 *   sigpipe epipe        async_std_write to a pipe and to a socket whose
 *                        reader left: prints "EPIPE EPIPE", exits 0
 *   sigpipe plain        the same pipe with a plain write(2) outside
 *                        async_std_*: dies of SIGPIPE, as without the runtime
 *   sigpipe own-handler  a handler installed before the runtime started is
 *                        kept, and async_std_write gives EPIPE
 *   sigpipe exec         after an EPIPE, execs `grep SigIgn /proc/self/status`,
 *                        so the script sees a child's ignored-signal mask
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "async_std.h"

static void own_handler(int sig)
{
	(void)sig;
}

/* Before main, so before the runtime can start. */
__attribute__((constructor)) static void early(void)
{
	const char *mode = getenv("SIGPIPE_MODE");
	if (mode && !strcmp(mode, "own-handler"))
		signal(SIGPIPE, own_handler);
}

static const char *epipe_of(long long r)
{
	return r == -1 && errno == EPIPE ? "EPIPE" : "not-EPIPE";
}

int async_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int p[2], sv[2];
	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("sigpipe: pipe");
		return 1;
	}
	close(p[0]);
	close(sv[1]);
	if (!strcmp(mode, "plain")) {
		ssize_t r = write(p[1], "x", 1); /* the default action ends us here */
		printf("alive after a plain write: %zd %s\n", r, strerror(errno));
		return 0;
	}
	const char *a = epipe_of(async_std_write(p[1], "x", 1));
	const char *b = epipe_of(async_std_write(sv[0], "x", 1));
	printf("%s %s\n", a, b);
	if (!strcmp(mode, "own-handler")) {
		/* Whether it ran depends on which thread made the write (the
		 * blocking pool's threads block every signal); that it is still
		 * the handler does not. */
		struct sigaction sa;
		sigaction(SIGPIPE, NULL, &sa);
		printf("own handler %s\n", sa.sa_handler == own_handler ? "kept" : "replaced");
	}
	fflush(stdout);
	if (!strcmp(mode, "exec")) {
		execl("/bin/grep", "grep", "^SigIgn", "/proc/self/status", (char *)NULL);
		perror("sigpipe: exec");
		return 1;
	}
	return 0;
}
