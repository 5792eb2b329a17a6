/* SPDX-License-Identifier: BSD-3-Clause */
/* stats.c — one latency distribution: exact moments, log-linear histogram, quantiles. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int mm_stats_init(struct mm_stats *s, uint32_t us_bins)
{
	memset(s, 0, sizeof(*s));
	s->bucket = calloc(MM_STATS_BUCKETS, sizeof(*s->bucket));
	if (!s->bucket)
		return -ENOMEM;
	if (us_bins) {
		s->us = calloc(us_bins, sizeof(*s->us));
		if (!s->us) {
			free(s->bucket);
			s->bucket = NULL;
			return -ENOMEM;
		}
		s->us_bins = us_bins;
	}
	s->min = UINT64_MAX;
	return 0;
}

void mm_stats_free(struct mm_stats *s)
{
	free(s->bucket);
	free(s->us);
	s->bucket = NULL;
	s->us = NULL;
}

void mm_stats_reset(struct mm_stats *s)
{
	uint64_t *bucket = s->bucket, *us = s->us;
	uint32_t us_bins = s->us_bins;

	memset(bucket, 0, MM_STATS_BUCKETS * sizeof(*bucket));
	if (us)
		memset(us, 0, us_bins * sizeof(*us));
	memset(s, 0, sizeof(*s));
	s->bucket = bucket;
	s->us = us;
	s->us_bins = us_bins;
	s->min = UINT64_MAX;
}

static unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

unsigned mm_stats_bucket_of(uint64_t ns)
{
	unsigned e, sub;

	if (ns < (1u << MM_STATS_EXACT_BITS))
		return (unsigned)ns;
	e = log2_u64(ns);
	if (e >= MM_STATS_MAX_BITS)
		return MM_STATS_BUCKETS;
	sub = (unsigned)(ns >> (e - MM_STATS_SUB_BITS)) & ((1u << MM_STATS_SUB_BITS) - 1u);
	return (1u << MM_STATS_EXACT_BITS) + (e - MM_STATS_EXACT_BITS) * (1u << MM_STATS_SUB_BITS) +
	       sub;
}

uint64_t mm_stats_bucket_low(unsigned b)
{
	unsigned e, sub;

	if (b < (1u << MM_STATS_EXACT_BITS))
		return b;
	b -= 1u << MM_STATS_EXACT_BITS;
	e = MM_STATS_EXACT_BITS + b / (1u << MM_STATS_SUB_BITS);
	sub = b % (1u << MM_STATS_SUB_BITS);
	return (1ull << e) + ((uint64_t)sub << (e - MM_STATS_SUB_BITS));
}

uint64_t mm_stats_bucket_high(unsigned b)
{
	unsigned e;

	if (b < (1u << MM_STATS_EXACT_BITS))
		return b;
	e = MM_STATS_EXACT_BITS + (b - (1u << MM_STATS_EXACT_BITS)) / (1u << MM_STATS_SUB_BITS);
	return mm_stats_bucket_low(b) + (1ull << (e - MM_STATS_SUB_BITS)) - 1u;
}

static void add_us(struct mm_stats *s, uint64_t ns)
{
	uint64_t us = ns / 1000u;

	if (us < s->us_bins) {
		s->us[us]++;
		return;
	}
	if (s->us_overflows < MM_STATS_MAX_OUTLIERS)
		s->outlier[s->us_overflows] = s->count - 1u;
	s->us_overflows++;
}

void mm_stats_add(struct mm_stats *s, uint64_t ns)
{
	unsigned b = mm_stats_bucket_of(ns);
	double d;

	s->count++;
	if (ns < s->min)
		s->min = ns;
	if (ns > s->max)
		s->max = ns;
	d = (double)ns - s->mean;
	s->mean += d / (double)s->count;
	s->m2 += d * ((double)ns - s->mean);
	if (b < MM_STATS_BUCKETS)
		s->bucket[b]++;
	else
		s->overflows++;
	if (s->us)
		add_us(s, ns);
}

double mm_stats_stddev(const struct mm_stats *s)
{
	return s->count > 1 ? sqrt(s->m2 / (double)s->count) : 0.0;
}

static uint64_t clamp(const struct mm_stats *s, uint64_t v)
{
	return v < s->min ? s->min : v > s->max ? s->max : v;
}

uint64_t mm_stats_quantile(const struct mm_stats *s, double q)
{
	uint64_t rank, seen = 0;

	if (!s->count)
		return 0;
	if (q <= 0.0)
		return s->min;
	rank = (uint64_t)ceil(q * (double)s->count);
	if (rank > s->count)
		rank = s->count;
	for (unsigned b = 0; b < MM_STATS_BUCKETS; b++) {
		seen += s->bucket[b];
		if (seen >= rank)
			return clamp(s, (mm_stats_bucket_low(b) + mm_stats_bucket_high(b) + 1u) / 2u);
	}
	return s->max; /* in the overflows */
}
