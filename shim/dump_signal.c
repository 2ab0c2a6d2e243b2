/* SPDX-License-Identifier: MIT */
/*
 * dump_signal.c - ASYNC_STD_DUMP_SIGNAL: a signal that makes the process
 * write a task dump and go on.  The handler only wakes a thread (a dump
 * allocates and waits, which a handler must not); the thread writes to the
 * socket `asrt dump` is listening on, or else to stderr.
 *
 * The protocol with `asrt dump PID`: asrt listens on /tmp/async_std-dump.PID
 * (a socket it owns, mode 0600), then sends the signal; the dump goes there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "async_std.h"
#include "settings.h"

static int wake_pipe[2] = { -1, -1 };
static _Atomic int installed;
static _Atomic int thread_running;

/* The socket `asrt dump` listens on for this process, if it is there and
 * belongs to our user; else -1.  Async-signal-safe. */
static int asrt_socket(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char prefix[] = "/tmp/async_std-dump.";
	char digits[16];
	int n = 0;
	unsigned pid = (unsigned)getpid();

	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) != 0);
	size_t len = sizeof(prefix) - 1;
	memcpy(a.sun_path, prefix, len);
	while (n)
		a.sun_path[len++] = digits[--n];
	a.sun_path[len] = '\0';

	struct stat st;
	if (lstat(a.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void on_dump_signal(int sig)
{
	(void)sig;
	int saved = errno;
	if (atomic_load(&thread_running)) {
		char c = 1;
		ssize_t w = write(wake_pipe[1], &c, 1);
		(void)w; /* pipe full: a dump is already on its way */
	} else {
		/* No runtime yet, so no tasks: say so where the dump would go. */
		static const char line[] = "async_std task dump: the runtime has not started; "
					   "no tasks\n";
		int fd = asrt_socket();
		ssize_t w = write(fd >= 0 ? fd : STDERR_FILENO, line, sizeof(line) - 1);
		(void)w;
		if (fd >= 0)
			close(fd);
	}
	errno = saved;
}

static void *dump_thread(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[64];
		ssize_t r = read(wake_pipe[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		int fd = asrt_socket();
		if (async_std_task_dump(fd >= 0 ? fd : STDERR_FILENO, 0) < 0)
			as__say("task dump failed: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

void as__dump_signal_install(void)
{
	int sig = as__settings()->dump_signal;
	if (!sig)
		return;
	struct sigaction old, sa;
	if (sigaction(sig, NULL, &old) != 0)
		return;
	if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) {
		as__say("ASYNC_STD_DUMP_SIGNAL=%s: the program already handles or ignores "
			"that signal; it is left alone and no task dumps come from it",
			sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		return;
	}
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return;
	/* The reader blocks; only the handler's end must never block. */
	fcntl(wake_pipe[0], F_SETFL, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_dump_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, NULL) == 0)
		atomic_store(&installed, 1);
}

/* Called by the runtime once its workers run (never from a constructor:
 * no threads before first use). */
void as__shim_runtime_started(void)
{
	if (!atomic_load(&installed))
		return;
	pthread_t t;
	pthread_attr_t a;
	sigset_t all, old;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	/* The thread takes no signals: the application's go to its threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, &a, dump_thread, NULL) == 0) {
		pthread_setname_np(t, "async_std/dump");
		atomic_store(&thread_running, 1);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&a);
}
