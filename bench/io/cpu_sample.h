/* SPDX-License-Identifier: MIT */
/*
 * cpu_sample.h - where the CPUs went during a measured window, from /proc,
 * for the programs of bench/io: the CPU time of this process, of another
 * one (the server under test), and of every other task on the CPUs that
 * the two may run on ("foreign": a benchmark that shares its machine sees
 * it there).  Clock ticks (USER_HZ), so about 1% of one CPU over 1 s.
 * Header-only, no async_std.
 */
#ifndef AS_BENCH_CPU_SAMPLE_H
#define AS_BENCH_CPU_SAMPLE_H

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* utime + stime of every thread of pid (0: this process); -1 on failure. */
static inline long long cpu_proc_ticks(int pid)
{
	char path[64], file[64 + 256 + 8], buf[1024];
	long long sum = 0;
	struct dirent *de;
	DIR *d;

	if (pid)
		snprintf(path, sizeof path, "/proc/%d/task", pid);
	else
		snprintf(path, sizeof path, "/proc/self/task");
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%.256s/stat", path, de->d_name);
		f = fopen(file, "r");
		if (!f)
			continue; /* the thread has just exited */
		if (fgets(buf, sizeof buf, f)) {
			char *p = strrchr(buf, ')'); /* the command name may hold spaces */
			unsigned long long ut, st;

			/* after ") ": fields 3 (state) to 13, then utime and stime */
			if (p && sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
					&ut, &st) == 2)
				sum += (long long)(ut + st);
		}
		fclose(f);
	}
	closedir(d);
	return sum;
}

static cpu_set_t cpu_watched; /* the CPUs that this process or the other may use */

/* user + nice + system ticks of the watched CPUs, summed; -1 on failure. */
static inline long long cpu_busy_ticks(void)
{
	char line[512];
	long long sum = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		int cpu;
		unsigned long long user, nice, sys;

		if (sscanf(line, "cpu%d %llu %llu %llu", &cpu, &user, &nice, &sys) == 4 &&
		    cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &cpu_watched))
			sum += (long long)(user + nice + sys);
	}
	fclose(f);
	return sum;
}

/* Watches the CPUs of this process and of pid (0: this process only). */
static inline int cpu_watch_init(int pid)
{
	cpu_set_t other;

	CPU_ZERO(&cpu_watched);
	if (sched_getaffinity(0, sizeof cpu_watched, &cpu_watched) != 0)
		return -1;
	if (pid) {
		CPU_ZERO(&other);
		if (sched_getaffinity(pid, sizeof other, &other) != 0)
			return -1;
		CPU_OR(&cpu_watched, &cpu_watched, &other);
	}
	return 0;
}

struct cpu_sample {
	long long self, other, busy;
};

static inline void cpu_sample(struct cpu_sample *s, int pid)
{
	s->other = pid ? cpu_proc_ticks(pid) : 0;
	s->self = cpu_proc_ticks(0);
	s->busy = cpu_busy_ticks();
}

static inline int cpu_sample_ok(const struct cpu_sample *s)
{
	return s->self >= 0 && s->other >= 0 && s->busy >= 0;
}

struct cpu_usage {
	double self_pct, other_pct; /* of one CPU */
	double foreign_pct;         /* of the watched CPUs' capacity */
};

static inline struct cpu_usage cpu_usage(const struct cpu_sample *a, const struct cpu_sample *b,
					 double seconds)
{
	double cap = (double)sysconf(_SC_CLK_TCK) * seconds; /* ticks of one CPU */
	long long self = b->self - a->self, other = b->other - a->other;
	long long foreign = (b->busy - a->busy) - self - other;
	struct cpu_usage u = { 100.0 * (double)self / cap, 100.0 * (double)other / cap, 0.0 };

	if (foreign > 0)
		u.foreign_pct = 100.0 * (double)foreign / (cap * CPU_COUNT(&cpu_watched));
	return u;
}

#endif
