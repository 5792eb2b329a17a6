/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_stats.h — what every round-trip benchmark in bench/ shares: a sample set summarised as
 * median, p99, p99.9 and max (µs). The clock and CPU pinning are the tools' (tools/common).
 */
#ifndef MMAMP_BENCH_STATS_H
#define MMAMP_BENCH_STATS_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "tool_cpu.h"
#include "tool_time.h"

/** struct bench_result - one case's distribution, in µs; @n samples (0: the case failed). */
struct bench_result {
	const char *name;
	double p50, p99, p999, max;
	size_t n;
};

/* Keeps the call that computed @v from becoming a tail call (a jump callgrind would take for
 * the caller's return: bench/host_cost.sh counts inside the caller). */
#define BENCH_NO_TAIL_CALL(v) __asm__ volatile("" : "+r"(v))

static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort @t (@n samples in ns) and summarise it. */
static inline struct bench_result bench_summarize(const char *name, uint64_t *t, size_t n)
{
	struct bench_result r = { name, 0, 0, 0, 0, n };

	if (!n)
		return r;
	qsort(t, n, sizeof(*t), bench_cmp_u64);
	r.p50 = (double)t[n / 2] / 1000.0;
	r.p99 = (double)t[(size_t)((double)n * 0.99)] / 1000.0;
	r.p999 = (double)t[(size_t)((double)n * 0.999)] / 1000.0;
	r.max = (double)t[n - 1] / 1000.0;
	return r;
}

#endif /* MMAMP_BENCH_STATS_H */
