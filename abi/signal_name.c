/* SPDX-License-Identifier: MIT */
/*
 * signal_name.c - parses ASYNC_STD_DUMP_SIGNAL (grammar in signal_name.h).
 * It lives in abi/ because both the shim and asrt must accept exactly the
 * same values, and asrt may depend on abi only; it uses nothing but libc, so
 * each of them compiles it in (hidden inside a runtime), none installs it.
 */
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "signal_name.h"

/* A decimal number without sign or spaces, at most max; -1 otherwise. */
static long parse_decimal(const char *s, long max)
{
	long n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > max)
			return -1;
	}
	return *s ? -1 : n;
}

/* RTMIN, RTMIN+n, RTMAX, RTMAX-n; 0 if s is none of them or out of range. */
static int parse_realtime(const char *s)
{
	bool from_min = strncmp(s, "RTMIN", 5) == 0;
	long n = 0, span = SIGRTMAX - SIGRTMIN;

	if (!from_min && strncmp(s, "RTMAX", 5) != 0)
		return 0;
	if (s[5]) {
		if (s[5] != (from_min ? '+' : '-') || (n = parse_decimal(s + 6, span)) < 0)
			return 0;
	}
	return from_min ? SIGRTMIN + (int)n : SIGRTMAX - (int)n;
}

static int parse_signal(const char *v)
{
	long n = parse_decimal(v, SIGRTMAX);

	if (n >= 0)
		return (int)n; /* 0 stays 0: no signal */
	if (strncmp(v, "SIG", 3) == 0)
		v += 3;
	/* sigabbrev_np names the standard signals only; real-time ones are
	 * numbered from SIGRTMIN, which glibc decides at run time. */
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcmp(abbrev, v) == 0)
			return sig;
	}
	return parse_realtime(v);
}

int as__dump_signal_parse(const char *v)
{
	int sig = parse_signal(v);

	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS)
		return 0;
	return sig;
}
