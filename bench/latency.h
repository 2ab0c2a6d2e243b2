/* SPDX-License-Identifier: MIT */
/*
 * latency.h - the latency histogram of the load programs in bench/
 * (echo_client, io/echo_load, io/randread): log-linear over nanoseconds,
 * 32 buckets per power of two (about 3% resolution), bounded memory
 * whatever the duration.  Header-only, no async_std.
 */
#ifndef AS_BENCH_LATENCY_H
#define AS_BENCH_LATENCY_H

#include <stdint.h>

#define LAT_SUB_BITS 5
#define LAT_SUB (1 << LAT_SUB_BITS)
#define LAT_NBUCKETS ((64 - LAT_SUB_BITS + 1) * LAT_SUB)

static inline int lat_bucket(uint64_t v)
{
	if (v < LAT_SUB)
		return (int)v;
	int e = 63 - __builtin_clzll(v);
	return (e - LAT_SUB_BITS + 1) * LAT_SUB + (int)((v >> (e - LAT_SUB_BITS)) & (LAT_SUB - 1));
}

static inline uint64_t lat_bucket_low(int i)
{
	if (i < LAT_SUB)
		return (uint64_t)i;
	int e = i / LAT_SUB + LAT_SUB_BITS - 1;
	return (uint64_t)(LAT_SUB + i % LAT_SUB) << (e - LAT_SUB_BITS);
}

/* Counts one sample of ns nanoseconds. */
static inline void lat_record(uint64_t *hist, uint64_t ns)
{
	hist[lat_bucket(ns)]++;
}

/* dst += src, bucket by bucket. */
static inline void lat_merge(uint64_t *dst, const uint64_t *src)
{
	for (int b = 0; b < LAT_NBUCKETS; b++)
		dst[b] += src[b];
}

/* The p-quantile (0 <= p < 1) of total samples, in microseconds, at the
 * middle of its bucket; 0 when there are none. */
static inline double lat_percentile_us(const uint64_t *hist, long long total, double p)
{
	long long rank = (long long)(p * (double)total), seen = 0;

	for (int i = 0; i < LAT_NBUCKETS - 1; i++) {
		seen += (long long)hist[i];
		if (seen > rank)
			return (double)(lat_bucket_low(i) + lat_bucket_low(i + 1)) / 2.0 / 1000.0;
	}
	return 0.0;
}

#endif /* AS_BENCH_LATENCY_H */
