/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h — one latency distribution: exact count/min/max/mean/standard deviation and a
 * log-linear (HDR-style) histogram whose quantiles are within 0.4 % of the exact ones, plus an
 * optional per-microsecond histogram (cyclictest's -h) with its overflows and where they were.
 *
 * Buckets: values below 256 ns have one bucket each (exact); above, every power of two is split
 * into 128 equal buckets (width ≤ 1/128 of the value; a quantile reports the bucket's middle,
 * clamped to [min, max]). Values of 2^40 ns (18 min) and more are counted as overflows and
 * only enter min/max/mean.
 */
#ifndef MEASUREMAN_STATS_H
#define MEASUREMAN_STATS_H

#include <stddef.h>
#include <stdint.h>

#define MM_STATS_EXACT_BITS 8u
#define MM_STATS_SUB_BITS   7u
#define MM_STATS_MAX_BITS   40u
#define MM_STATS_BUCKETS \
	((1u << MM_STATS_EXACT_BITS) + (MM_STATS_MAX_BITS - MM_STATS_EXACT_BITS) * (1u << MM_STATS_SUB_BITS))
#define MM_STATS_MAX_OUTLIERS 100u

struct mm_stats {
	uint64_t count;
	uint64_t min, max;
	double mean, m2;        /* Welford: running mean and sum of squared deviations */
	uint64_t overflows;     /* values beyond the log-linear range */
	uint64_t *bucket;       /* MM_STATS_BUCKETS counters */
	/* per-µs histogram (cyclictest -h US): us_bins counters, samples ≥ us_bins µs overflow */
	uint32_t us_bins;
	uint64_t *us;
	uint64_t us_overflows;
	uint64_t outlier[MM_STATS_MAX_OUTLIERS]; /* sample numbers of the first us overflows */
};

/** mm_stats_init() - empty distribution; @us_bins > 0 adds the per-µs histogram. -ENOMEM. */
int mm_stats_init(struct mm_stats *s, uint32_t us_bins);
void mm_stats_free(struct mm_stats *s);
void mm_stats_reset(struct mm_stats *s);

/** mm_stats_add() - one sample of @ns nanoseconds (the @count-th sample is its number). */
void mm_stats_add(struct mm_stats *s, uint64_t ns);

/** mm_stats_quantile() - smallest value v with at least @q·count samples ≤ v, within 0.4 %. */
uint64_t mm_stats_quantile(const struct mm_stats *s, double q);

/** mm_stats_stddev() - population standard deviation in ns (0 for fewer than 2 samples). */
double mm_stats_stddev(const struct mm_stats *s);

/** mm_stats_bucket_of() / mm_stats_bucket_low() / _high() - bucket index and its value range. */
unsigned mm_stats_bucket_of(uint64_t ns);
uint64_t mm_stats_bucket_low(unsigned b);
uint64_t mm_stats_bucket_high(unsigned b);

#endif /* MEASUREMAN_STATS_H */
