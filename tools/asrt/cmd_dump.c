/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - `asrt dump PID`: listens on /tmp/async_std-dump.PID (0600),
 * sends the process its ASYNC_STD_DUMP_SIGNAL and copies what its dump thread
 * writes there to stdout (with no listener it writes to its own stderr).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "asrt.h"
#include "dump.h"

static const char dump_usage[] =
	"usage: asrt dump PID [--timeout SEC]\n"
	"\n"
	"Asks a running async_std process for a dump of its tasks and prints it.\n"
	"The process must have been started with ASYNC_STD_DUMP_SIGNAL set (e.g.\n"
	"SIGUSR2): asrt reads it from /proc/PID/environ, listens on the socket\n"
	"/tmp/async_std-dump.PID (mode 0600), sends that signal, and copies what the\n"
	"process writes there to stdout until it closes the connection.\n"
	"  -t, --timeout SEC  how long to wait for the process to connect, and for\n"
	"                     each further piece of the dump (default 10)\n"
	"Exit status: 0 with the dump printed; 1 when the process did not answer in\n"
	"time or stopped sending; 2 for bad arguments, no such process, no dump\n"
	"signal, or a signal the process does not catch (it would kill it).\n";

/* The socket's path, for the signal handler that removes it. */
static char dump_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void dump_on_signal(int sig)
{
	unlink(dump_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dump_parse(int argc, char **argv, pid_t *pid, double *timeout)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		char *end;
		if (asrt_is_help(a)) {
			fputs(dump_usage, stdout);
			return ASRT_EXIT_OK;
		}
		if (strcmp(a, "-t") == 0 || strcmp(a, "--timeout") == 0) {
			if (++i == argc) {
				asrt_say("dump: %s needs seconds", a);
				return ASRT_EXIT_USAGE;
			}
			value = argv[i];
		} else if (strncmp(a, "--timeout=", 10) == 0) {
			value = a + 10;
		}
		if (value) {
			*timeout = strtod(value, &end);
			if (end == value || *end || !(*timeout > 0 && *timeout <= 86400)) {
				asrt_say("dump: --timeout %s: expected seconds, more than 0 and at most "
					 "86400", value);
				return ASRT_EXIT_USAGE;
			}
			continue;
		}
		long n = strtol(a, &end, 10);
		if (*pid || end == a || *end || n <= 0 || n > 0x3fffffff) {
			asrt_say("dump: %s: expected one process id (usage: asrt dump PID "
				 "[--timeout SEC])", a);
			return ASRT_EXIT_USAGE;
		}
		*pid = (pid_t)n;
	}
	if (!*pid) {
		asrt_say("dump: no process id given (usage: asrt dump PID [--timeout SEC])");
		return ASRT_EXIT_USAGE;
	}
	return -1;
}

/* A listening socket at dump_path that only our uid (or, when we are root,
 * the process's uid) can connect to; -1 after one error line. */
static int dump_listen(pid_t pid)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char proc[64];
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		asrt_say("dump: socket: %s", strerror(errno));
		return -1;
	}
	snprintf(dump_path, sizeof(dump_path), "/tmp/async_std-dump.%d", (int)pid);
	memcpy(addr.sun_path, dump_path, sizeof(dump_path));
	/* A stale socket of an earlier run (killed asrt) is in the way. */
	if (unlink(dump_path) != 0 && errno != ENOENT) {
		asrt_say("dump: cannot remove the stale %s: %s", dump_path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Created 0600 from the start: nobody else may connect in between. */
	mode_t old = umask(077);
	int r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r != 0 || listen(fd, 1) != 0) {
		asrt_say("dump: cannot listen on %s: %s", dump_path, strerror(errno));
		close(fd);
		return -1;
	}
	/* The process connects only to a socket owned by its own uid. */
	snprintf(proc, sizeof(proc), "/proc/%d", (int)pid);
	if (geteuid() == 0 && stat(proc, &st) == 0 && st.st_uid != 0 &&
	    chown(dump_path, st.st_uid, (gid_t)-1) != 0) {
		asrt_say("dump: chown %s: %s", dump_path, strerror(errno));
		unlink(dump_path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes all of buf to stdout; false on an error (EPIPE, a full disk). */
static bool out_write(const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= w;
	}
	return true;
}

/* Waits for fd to become readable; 1 ready, 0 timed out, -1 the process
 * exited (pidfd readable) or poll failed. */
static int wait_readable(int fd, int pidfd, int64_t deadline)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

	for (;;) {
		int64_t left = deadline - now_ms();
		if (left < 0)
			left = 0;
		int r = poll(p, pidfd >= 0 ? 2 : 1, (int)(left > 1000000 ? 1000000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (p[0].revents)
			return 1;
		if (r > 0)
			return -1; /* only the pidfd: the process is gone */
		if (now_ms() >= deadline)
			return 0;
	}
}

/* Accepts the process's connection (another process of the uid is turned
 * away); the connected fd, or -1 after one error line with *status set. */
static int dump_accept(int lfd, pid_t pid, int pidfd, double timeout, int *status)
{
	int64_t deadline = now_ms() + (int64_t)(timeout * 1000);

	for (;;) {
		int r = wait_readable(lfd, pidfd, deadline);
		if (r == 0) {
			asrt_say("process %d did not answer within %g s", (int)pid, timeout);
			*status = ASRT_EXIT_MISSING;
			return -1;
		}
		if (r < 0) {
			asrt_say("process %d exited before it answered", (int)pid);
			*status = ASRT_EXIT_MISSING;
			return -1;
		}
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		struct ucred cred;
		socklen_t len = sizeof(cred);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == pid)
			return c;
		close(c);
	}
}

static int dump_copy(int c, pid_t pid, double timeout)
{
	char buf[65536];

	for (;;) {
		int r = wait_readable(c, -1, now_ms() + (int64_t)(timeout * 1000));
		if (r <= 0) {
			asrt_say("process %d stopped sending for %g s; the dump above may be incomplete",
				 (int)pid, timeout);
			return ASRT_EXIT_MISSING;
		}
		ssize_t n = read(c, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			asrt_say("dump: reading from process %d: %s", (int)pid, strerror(errno));
			return ASRT_EXIT_MISSING;
		}
		if (n == 0)
			return ASRT_EXIT_OK;
		if (!out_write(buf, n)) {
			asrt_say("dump: writing to stdout: %s", strerror(errno));
			return ASRT_EXIT_USAGE;
		}
	}
}

static int dump_send(pid_t pid, int pidfd, int sig)
{
	/* Through the pidfd when there is one: the pid cannot have been reused
	 * for another process since we read its environment. */
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0)
		return 0;
	return kill(pid, sig);
}

int asrt_dump_main(int argc, char **argv)
{
	pid_t pid = 0;
	double timeout = 10;
	int status = dump_parse(argc, argv, &pid, &timeout);

	if (status >= 0)
		return status;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int sig = asrt_dump_signal_of(pid);
	if (sig < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return ASRT_EXIT_USAGE;
	}
	if (asrt_signal_handled(pid, sig) == 0) {
		asrt_say("process %d neither catches nor blocks SIG%s: asrt does not send it, since "
			 "it would end the process (is its dump handler installed?)", (int)pid,
			 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		if (pidfd >= 0)
			close(pidfd);
		return ASRT_EXIT_USAGE;
	}
	int lfd = dump_listen(pid);
	if (lfd < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return ASRT_EXIT_USAGE;
	}
	signal(SIGINT, dump_on_signal);
	signal(SIGTERM, dump_on_signal);
	signal(SIGHUP, dump_on_signal);

	status = ASRT_EXIT_USAGE;
	if (dump_send(pid, pidfd, sig) != 0) {
		asrt_say("dump: cannot signal process %d: %s", (int)pid, strerror(errno));
	} else {
		int c = dump_accept(lfd, pid, pidfd, timeout, &status);
		/* One connection is all we take: nobody else may find the socket. */
		unlink(dump_path);
		if (c >= 0) {
			status = dump_copy(c, pid, timeout);
			close(c);
		}
	}
	unlink(dump_path);
	close(lfd);
	if (pidfd >= 0)
		close(pidfd);
	return status;
}
