/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_stats.c — MeasureMan's statistics against distributions whose answers are known:
 * exact quantiles below 256 ns, quantiles within 1 % of the sorted samples above, moments in
 * closed form, overflows, the per-µs histogram and the section arithmetic of a message.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "measure.h"
#include "stats.h"

static void uniform_small_values_give_exact_quantiles(void **state)
{
	struct mm_stats s;

	(void)state;
	assert_int_equal(mm_stats_init(&s, 0), 0);
	for (uint64_t v = 1; v <= 200; v++) /* 1..200 ns, each once */
		mm_stats_add(&s, v);
	assert_int_equal(s.count, 200);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.max, 200);
	assert_int_equal(mm_stats_quantile(&s, 0.5), 100);
	assert_int_equal(mm_stats_quantile(&s, 0.99), 198);
	assert_int_equal(mm_stats_quantile(&s, 0.999), 200);
	assert_int_equal(mm_stats_quantile(&s, 0.0), 1);
	assert_int_equal(mm_stats_quantile(&s, 1.0), 200);
	assert_true(fabs(s.mean - 100.5) < 1e-9);
	/* population variance of 1..n: (n^2 - 1) / 12 */
	assert_true(fabs(mm_stats_stddev(&s) - sqrt((200.0 * 200.0 - 1) / 12)) < 1e-6);
	mm_stats_free(&s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t exact_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	return sorted[(rank ? rank : 1) - 1];
}

/* A long-tailed (exponential) distribution: quantiles within 1 % of the sorted samples. */
static void exponential_quantiles_within_one_percent(void **state)
{
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v));
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 0.9999 };
	struct mm_stats s;
	uint32_t x = 12345;

	(void)state;
	assert_non_null(v);
	assert_int_equal(mm_stats_init(&s, 0), 0);
	for (size_t i = 0; i < N; i++) {
		double u;

		x = x * 1664525u + 1013904223u;
		u = ((double)(x >> 8) + 0.5) / (double)(1u << 24);
		v[i] = 20000 + (uint64_t)(-log(u) * 15000.0); /* 20 µs + exp(mean 15 µs) */
		mm_stats_add(&s, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	assert_int_equal(s.min, v[0]);
	assert_int_equal(s.max, v[N - 1]);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double want = (double)exact_quantile(v, N, qs[i]);
		double got = (double)mm_stats_quantile(&s, qs[i]);

		assert_true(fabs(got - want) / want < 0.01);
	}
	assert_true(fabs(s.mean - 35000.0) / 35000.0 < 0.01);
	assert_true(fabs(mm_stats_stddev(&s) - 15000.0) / 15000.0 < 0.02);
	mm_stats_free(&s);
	free(v);
}

static void buckets_tile_the_range(void **state)
{
	(void)state;
	for (unsigned b = 0; b + 1 < MM_STATS_BUCKETS; b++) {
		assert_int_equal(mm_stats_bucket_high(b) + 1, mm_stats_bucket_low(b + 1));
		assert_int_equal(mm_stats_bucket_of(mm_stats_bucket_low(b)), b);
		assert_int_equal(mm_stats_bucket_of(mm_stats_bucket_high(b)), b);
		/* width at most 1/128 of the bucket's values: quantiles within 0.4 % */
		assert_true((double)(mm_stats_bucket_high(b) - mm_stats_bucket_low(b)) <=
			    (double)mm_stats_bucket_low(b) / 128.0);
	}
}

static void overflows_and_us_histogram(void **state)
{
	struct mm_stats s;

	(void)state;
	assert_int_equal(mm_stats_init(&s, 10), 0); /* 0..9 µs */
	mm_stats_add(&s, 500);          /* bin 0 */
	mm_stats_add(&s, 9999);         /* bin 9 */
	mm_stats_add(&s, 10000);        /* µs overflow, sample number 2 */
	mm_stats_add(&s, 1ull << 41);   /* beyond the log-linear range too, sample 3 */
	assert_int_equal(s.us[0], 1);
	assert_int_equal(s.us[9], 1);
	assert_int_equal(s.us_overflows, 2);
	assert_int_equal(s.outlier[0], 2);
	assert_int_equal(s.outlier[1], 3);
	assert_int_equal(s.overflows, 1);
	assert_int_equal(s.max, 1ull << 41);
	assert_int_equal(mm_stats_quantile(&s, 1.0), 1ull << 41);
	mm_stats_reset(&s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.us_bins, 10);
	assert_int_equal(s.us[0], 0);
	mm_stats_free(&s);
}

/* The five sections of a fully stamped message add up to its round trip exactly. */
static void sections_sum_to_the_round_trip(void **state)
{
	struct mm_sample m = { 7, 1000, 1300, 5300, 7300, 9000, 9400, false };
	struct mm_params p = { .loops = 1, .len = 496, .slowest = 2 };
	struct mm_run *r = malloc(sizeof(*r));
	int64_t sum = 0;

	(void)state;
	assert_non_null(r);
	for (int s = 0; s < MM_ROUND_TRIP; s++)
		sum += mm_sample_section(&m, (enum mm_section)s);
	assert_int_equal(sum, mm_sample_section(&m, MM_ROUND_TRIP));
	assert_int_equal(mm_sample_section(&m, MM_IPI_REMOTE), 4000);
	assert_int_equal(mm_run_init(r, &p), 0);
	mm_record(r, &m);
	assert_int_equal(r->unattributed, 0);
	m.t_isr = 1200; /* the remote's ISR predates the kick: a stale doorbell */
	mm_record(r, &m);
	assert_int_equal(r->unattributed, 1);
	assert_int_equal(r->sec[MM_IPI_REMOTE].count, 1);
	assert_int_equal(r->sec[MM_ROUND_TRIP].count, 2);
	m.t_kick = 0; /* a point the link cannot see */
	assert_int_equal(mm_sample_section(&m, MM_TTY_WRITE), -1);
	mm_run_free(r);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uniform_small_values_give_exact_quantiles),
		cmocka_unit_test(exponential_quantiles_within_one_percent),
		cmocka_unit_test(buckets_tile_the_range),
		cmocka_unit_test(overflows_and_us_histogram),
		cmocka_unit_test(sections_sum_to_the_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
