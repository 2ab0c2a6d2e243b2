/* SPDX-License-Identifier: MIT */
/*
 * dump.c - what a task dump costs: how long each worker pauses to copy its
 * suspended tasks (per task, and in total), and the whole dump's wall time
 * with and without symbol lookups.
 *
 *   dump [tasks [rounds]]   (defaults 100000, 5)
 *
 * Spawns `tasks` sleeping tasks, waits until all are asleep, then takes
 * `rounds` dumps with ASYNC_STD_DUMP_RAW into a memory file and reads the
 * pauses from each dump's "workers paused:" line.  capture_ns_per_task is the
 * workers' total pause over the tasks (median round); pause_max_ms the
 * longest single worker pause; one last dump with symbols gives
 * dump_ms_symbols.  Prints one key=value line.
 */
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "async_std.h"
#include "bench.h"

static atomic_long asleep;

static void *sleeper(void *arg)
{
	atomic_fetch_add(&asleep, 1);
	async_std_sleep(600LL * 1000000000);
	return arg;
}

/* Sums and maxes the per-worker pauses of "workers paused: 0: 1.2 us; ..". */
static void read_pauses(const char *text, double *total_ms, double *max_ms)
{
	*total_ms = *max_ms = 0;
	const char *p = strstr(text, "workers paused:");
	const char *eol = p ? strchr(p, '\n') : NULL;
	if (!p || !eol)
		return;
	p += strlen("workers paused:");
	while (p < eol) {
		unsigned w;
		double v;
		char unit[4];
		int used;
		if (sscanf(p, " %u: %lf %3[a-z];%n", &w, &v, unit, &used) != 3)
			break;
		double ms = strcmp(unit, "us") == 0 ? v / 1e3 : v;
		*total_ms += ms;
		if (ms > *max_ms)
			*max_ms = ms;
		p += used;
	}
}

static char *dump_to_memory(unsigned flags, double *wall_ms)
{
	int fd = memfd_create("dump", 0);
	int64_t t0 = bench_now_ns();
	int r = async_std_task_dump(fd, flags);
	*wall_ms = (double)(bench_now_ns() - t0) / 1e6;
	off_t len = lseek(fd, 0, SEEK_END);
	char *s = r >= 0 && len > 0 ? malloc((size_t)len + 1) : NULL;
	if (s && pread(fd, s, (size_t)len, 0) == len)
		s[len] = '\0';
	else {
		free(s);
		s = NULL;
	}
	close(fd);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int async_main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "tasks", 100000, 1, 10000000);
	long rounds = bench_arg(argc, argv, 2, "rounds", 5, 1, 100);
	async_std_task **t = malloc((size_t)n * sizeof(*t));
	double *per_task = malloc((size_t)rounds * sizeof(double));
	double *pause_max = malloc((size_t)rounds * sizeof(double));
	double *wall = malloc((size_t)rounds * sizeof(double));
	if (!t || !per_task || !pause_max || !wall) {
		perror("dump: malloc");
		return 1;
	}
	async_std_spawn_attr a = { .size = sizeof(a), .name = "sleeper" };
	for (long i = 0; i < n; i++)
		if (!(t[i] = async_std_spawn_ex(sleeper, NULL, &a))) {
			perror("dump: spawn");
			return 1;
		}
	while (atomic_load(&asleep) < n)
		async_std_sleep(1000000);
	async_std_sleep(100000000); /* the last ones park */

	for (long r = 0; r < rounds; r++) {
		double total;
		char *s = dump_to_memory(ASYNC_STD_DUMP_RAW, &wall[r]);
		if (!s) {
			perror("dump: async_std_task_dump");
			return 1;
		}
		read_pauses(s, &total, &pause_max[r]);
		per_task[r] = total * 1e6 / (double)n;
		free(s);
	}
	double sym_ms;
	free(dump_to_memory(0, &sym_ms));
	for (long i = 0; i < n; i++)
		async_std_cancel(t[i]);
	for (long i = 0; i < n; i++)
		async_std_join(t[i], NULL);

	qsort(per_task, (size_t)rounds, sizeof(double), cmp_double);
	qsort(pause_max, (size_t)rounds, sizeof(double), cmp_double);
	qsort(wall, (size_t)rounds, sizeof(double), cmp_double);
	printf("bench=dump runtime=%s tasks=%ld capture_ns_per_task=%.1f pause_max_ms=%.2f "
	       "pause_total_ms=%.2f dump_ms_raw=%.1f dump_ms_symbols=%.1f\n",
	       async_std_runtime_name(), n, per_task[rounds / 2], pause_max[rounds / 2],
	       per_task[rounds / 2] * (double)n / 1e6, wall[rounds / 2], sym_ms);
	return 0;
}
