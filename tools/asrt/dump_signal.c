/* SPDX-License-Identifier: MIT */
/*
 * dump_signal.c - which signal asks a process for a task dump: the value of
 * ASYNC_STD_DUMP_SIGNAL in its /proc/PID/environ (the environment it was
 * started with), read with the shim's own parser (abi/signal_name.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asrt.h"
#include "dump.h"
#include "signal_name.h"

/* The whole of /proc/PID/environ: NUL-separated, NUL-terminated. */
static char *environ_read(pid_t pid, size_t *len)
{
	char path[64];
	size_t cap = 4096;
	char *buf = malloc(cap + 1);
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		int err = errno;
		asrt_say("dump: cannot read %s: %s", path,
			 err == ENOENT ? "no such process" : strerror(err));
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = 0;
	for (;;) {
		if (*len == cap) {
			char *more = realloc(buf, 2 * cap + 1);
			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			asrt_say("dump: cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		*len += n;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

int asrt_dump_signal_of(pid_t pid)
{
	static const char var[] = "ASYNC_STD_DUMP_SIGNAL=";
	size_t len;
	char *env = environ_read(pid, &len);
	const char *value = NULL;

	if (!env)
		return -1;
	/* The first definition, as getenv finds it. */
	for (size_t off = 0; off < len && !value; off += strlen(env + off) + 1)
		if (strncmp(env + off, var, sizeof(var) - 1) == 0)
			value = env + off + sizeof(var) - 1;
	if (!value || !value[0]) {
		asrt_say("process %d has no dump signal: start it with "
			 "ASYNC_STD_DUMP_SIGNAL=SIGUSR2", (int)pid);
		free(env);
		return -1;
	}
	int sig = as__dump_signal_parse(value);
	if (!sig)
		asrt_say("process %d has ASYNC_STD_DUMP_SIGNAL=%.40s, which the runtime does not "
			 "accept (accepted: %s)", (int)pid, value, AS_DUMP_SIGNAL_ACCEPTED);
	free(env);
	return sig ? sig : -1;
}

int asrt_signal_handled(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long mask;
	int found = 0, handled = 0;
	FILE *f;

	if (sig > 64)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* Masks in hex, bit sig-1: SigCgt has the signals with a handler, SigBlk
	 * those the main thread blocks (a thread may take them with sigwait). */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigCgt: %llx", &mask) == 1 || sscanf(line, "SigBlk: %llx", &mask) == 1) {
			found++;
			handled |= mask >> (sig - 1) & 1;
		}
	}
	fclose(f);
	return found == 2 ? handled : -1;
}
