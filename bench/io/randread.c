/* SPDX-License-Identifier: MIT */
/*
 * randread.c - random block reads from one file by N tasks, written only
 * against abi/async_std.h: on the default runtime each async_std_pread goes
 * to the blocking pool, under humboldt it is a read on the worker's ring.
 *
 *   randread -f file [-n tasks] [-t seconds] [-w seconds] [-b bytes] [-m direct|buffered|auto]
 *            (defaults: 1 task, 3 s measured after 0.5 s of warm-up,
 *             4096-byte blocks, auto)
 *
 * Mode direct opens the file with O_DIRECT and fails when the filesystem
 * refuses it; buffered opens it without (reads come from the page cache
 * once the file is cached); auto tries O_DIRECT and falls back to buffered.
 * Each task reads aligned blocks at uniformly random offsets, one read in
 * flight per task, until the end of the run.  It also reports, from /proc,
 * the CPU time of the whole process (workers, pool threads and io_uring's
 * kernel workers) over the measured window as cpu_pct, a percentage of one
 * CPU, and foreign_pct, the CPU time of every other task on the CPUs it
 * may use, as a percentage of their capacity.  Prints one line:
 *
 *   bench=randread runtime=NAME mode=direct|buffered tasks=N bs=B seconds=T reads=R
 *       reads_per_s=X p50_us=Y p99_us=Z errors=E cpu_pct=C foreign_pct=F
 *
 * Exit status 0 when every read returned a full block, 1 otherwise, 2 on
 * bad usage or when O_DIRECT was required and refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "async_std.h"
#include "../bench.h"
#include "../latency.h"
#include "cpu_sample.h"

struct reader {
	int fd;
	size_t bs;
	uint64_t nblocks, rng;
	int64_t start, end;
	long long reads;
	int error;
	uint64_t hist[LAT_NBUCKETS];
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	void *buf = NULL;

	if (posix_memalign(&buf, 4096, r->bs) != 0) {
		r->error = ENOMEM;
		return NULL;
	}
	for (;;) {
		off_t off = (off_t)(xorshift(&r->rng) % r->nblocks * r->bs);
		int64_t t0 = async_std_now();

		if (t0 >= r->end)
			break;
		ssize_t n = async_std_pread(r->fd, buf, r->bs, off);
		int64_t t1 = async_std_now();

		if (n != (ssize_t)r->bs) {
			r->error = n < 0 ? errno : EIO;
			break;
		}
		if (t0 >= r->start && t1 < r->end) {
			r->reads++;
			lat_record(r->hist, (uint64_t)(t1 - t0));
		}
	}
	free(buf);
	return NULL;
}

int async_main(int argc, char **argv)
{
	const char *path = NULL, *mode = "auto";
	long ntasks = 1, failed = 0;
	double seconds = 3, warmup = 0.5;
	size_t bs = 4096;
	long long total = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "f:n:t:w:b:m:")) != -1) {
		switch (opt) {
		case 'f': path = optarg; break;
		case 'n': ntasks = (long)bench_opt(argv[0], 'n', optarg, 1, 4096); break;
		case 't': seconds = bench_opt(argv[0], 't', optarg, 0.1, 600); break;
		case 'w': warmup = bench_opt(argv[0], 'w', optarg, 0, 60); break;
		case 'b': bs = (size_t)bench_opt(argv[0], 'b', optarg, 512, 1 << 20); break;
		case 'm': mode = optarg; break;
		default: path = NULL; optind = argc; break;
		}
	}
	if (!path || optind != argc || bs % 512 ||
	    (strcmp(mode, "auto") && strcmp(mode, "direct") && strcmp(mode, "buffered"))) {
		fprintf(stderr, "usage: %s -f file [-n tasks] [-t seconds] [-w warmup-seconds] "
			"[-b bytes, a multiple of 512] [-m direct|buffered|auto]\n", argv[0]);
		return 2;
	}

	fd = -1;
	if (strcmp(mode, "buffered") != 0) {
		fd = async_std_openat(AT_FDCWD, path, O_RDONLY | O_DIRECT, 0);
		if (fd < 0 && errno != EINVAL) {
			fprintf(stderr, "randread: %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (fd < 0 && strcmp(mode, "direct") == 0) {
			fprintf(stderr, "randread: %s: O_DIRECT refused by the filesystem (%s)\n",
				path, strerror(errno));
			return 2;
		}
		mode = fd >= 0 ? "direct" : "buffered";
	}
	if (fd < 0) {
		fd = async_std_openat(AT_FDCWD, path, O_RDONLY, 0);
		if (fd < 0) {
			fprintf(stderr, "randread: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)bs) {
		fprintf(stderr, "randread: %s: smaller than one block\n", path);
		return 1;
	}

	struct reader *rd = calloc((size_t)ntasks, sizeof *rd);
	async_std_task **t = calloc((size_t)ntasks, sizeof *t);
	uint64_t *hist = calloc(LAT_NBUCKETS, sizeof *hist);
	if (!rd || !t || !hist) {
		perror("randread: calloc");
		return 1;
	}
	int64_t start = async_std_now() + (int64_t)(warmup * 1e9);
	int64_t end = start + (int64_t)(seconds * 1e9);

	for (long i = 0; i < ntasks; i++) {
		rd[i] = (struct reader){ .fd = fd, .bs = bs, .nblocks = (uint64_t)st.st_size / bs,
					 .rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1) ^
						(uint64_t)start,
					 .start = start, .end = end };
		if (!rd[i].rng)
			rd[i].rng = 1;
		t[i] = async_std_spawn(reader_main, &rd[i]);
		if (!t[i]) {
			fprintf(stderr, "randread: spawn: %s\n", strerror(errno));
			return 1;
		}
	}
	/* the CPUs' use over the measured window, while the tasks run */
	struct cpu_sample c0, c1;
	int sampled = cpu_watch_init(0) == 0;
	if (sampled) {
		async_std_sleep_until(start);
		cpu_sample(&c0, 0);
		async_std_sleep_until(end);
		cpu_sample(&c1, 0);
		sampled = cpu_sample_ok(&c0) && cpu_sample_ok(&c1);
	}
	for (long i = 0; i < ntasks; i++) {
		if (async_std_join(t[i], NULL) != 0) {
			fprintf(stderr, "randread: join: %s\n", strerror(errno));
			return 1;
		}
		if (rd[i].error && failed++ == 0)
			fprintf(stderr, "randread: task %ld: pread: %s\n", i, strerror(rd[i].error));
		total += rd[i].reads;
		lat_merge(hist, rd[i].hist);
	}
	async_std_close(fd);
	printf("bench=randread runtime=%s mode=%s tasks=%ld bs=%zu seconds=%.2f reads=%lld "
	       "reads_per_s=%.0f p50_us=%.1f p99_us=%.1f errors=%ld",
	       async_std_runtime_name(), mode, ntasks, bs, seconds, total,
	       (double)total / seconds, lat_percentile_us(hist, total, 0.50),
	       lat_percentile_us(hist, total, 0.99), failed);
	if (sampled) {
		struct cpu_usage u = cpu_usage(&c0, &c1, seconds);

		printf(" cpu_pct=%.0f foreign_pct=%.0f", u.self_pct, u.foreign_pct);
	}
	printf("\n");
	free(rd);
	free(t);
	free(hist);
	return failed ? 1 : 0;
}
