/* SPDX-License-Identifier: MIT */
/*
 * bench.h - small helpers shared by the programs in bench/: a monotonic
 * clock, a checked count or number from the command line and a
 * /proc/self/status reader.  Header-only and free of the ABI, so
 * switch_floor can use it too.
 */
#ifndef AS_BENCH_H
#define AS_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* argv[idx] as an integer in [lo, hi], or def when absent; exits with
 * status 2 and one line naming the argument when it is not a number in
 * range. */
static inline long long bench_arg(int argc, char **argv, int idx, const char *what,
				  long long def, long long lo, long long hi)
{
	char *end;
	long long v;

	if (idx >= argc)
		return def;
	errno = 0;
	v = strtoll(argv[idx], &end, 10);
	if (errno || end == argv[idx] || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s must be an integer in %lld..%lld, got '%s'\n",
			argv[0], what, lo, hi, argv[idx]);
		exit(2);
	}
	return v;
}

/* The number s given to option -opt, in [lo, hi]; exits with status 2 and
 * one line naming the option when it is not a number in range. */
static inline double bench_opt(const char *prog, char opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "%s: -%c must be a number in %g..%g, got '%s'\n", prog, opt, lo,
			hi, s);
		exit(2);
	}
	return v;
}

/* The integer s given to option -opt, in [lo, hi]; exits with status 2 and
 * one line naming the option when it is not an integer in range. */
static inline long bench_opt_long(const char *prog, char opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: -%c must be an integer in %ld..%ld, got '%s'\n", prog, opt, lo,
			hi, s);
		exit(2);
	}
	return v;
}

/* The value of a "Key:   123 kB" line of /proc/self/status in KiB, or -1. */
static inline long bench_status_kib(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Keeps the compiler from deleting a loop whose result is unused. */
/* qsort's comparison of int64_t (latencies, lateness). */
static inline int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

#define BENCH_KEEP(x) __asm__ volatile("" : : "r"(x) : "memory")

#endif /* AS_BENCH_H */
