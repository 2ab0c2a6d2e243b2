/* SPDX-License-Identifier: MIT */
/*
 * fake_dump.c - an async_std process as `asrt dump` sees it: on SIGUSR2 it
 * writes a few lines into /tmp/async_std-dump.<pid>, as the shim's dump thread
 * does (FAKE_DUMP_SILENT=1: never answers).  Prints "ready" once it listens.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t dump_requested;

static void fake_on_signal(int sig)
{
	dump_requested = 1;
}

/* Writes the dump into the socket asrt listens on, if it is ours. */
static int fake_dump_write(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	char text[256];
	int fd, n;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/async_std-dump.%d", (int)getpid());
	if (lstat(addr.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		fprintf(stderr, "fake_dump: no socket of ours at %s\n", addr.sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "fake_dump: connect %s: %s\n", addr.sun_path, strerror(errno));
		return -1;
	}
	n = snprintf(text, sizeof(text), "task dump of fake process %d\n  task 1: running\n",
		     (int)getpid());
	if (write(fd, text, n) != n)
		fprintf(stderr, "fake_dump: write: %s\n", strerror(errno));
	close(fd);
	return 0;
}

int main(void)
{
	struct sigaction sa;
	sigset_t block, old;
	bool silent = getenv("FAKE_DUMP_SILENT") != NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fake_on_signal;
	sigaction(SIGUSR2, &sa, NULL);
	/* Never outlive a test that forgot to stop us. */
	alarm(120);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		while (!dump_requested)
			sigsuspend(&old);
		dump_requested = 0;
		if (!silent)
			fake_dump_write();
	}
}
