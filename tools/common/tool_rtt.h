/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tool_rtt.h — the round-trip loop every latency tool runs (tool_rtt.c): `mmamp rtt`,
 * bench/rtt.c and MeasureMan's baselines. The caller says what one trip is; the loop warms up,
 * times each trip on tool_now_ns() and hands the kept ones over.
 */
#ifndef MMAMP_TOOL_RTT_H
#define MMAMP_TOOL_RTT_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct tool_rtt - one run of round trips.
 * @n:       trips to keep.
 * @warmup:  trips before them, timed like them but not kept.
 * @prepare: optional: set up trip @i before the clock starts (a fresh payload). 0 or -errno.
 * @trip:    send one message and wait for its answer: 0, or a negative errno that ends the run.
 *           @i counts from -@warmup: negative while warming up.
 * @sample:  a kept trip took @ns nanoseconds.
 * @ctx:     for @prepare and @trip.
 * @sample_ctx: for @sample.
 */
struct tool_rtt {
	size_t n, warmup;
	int (*prepare)(void *ctx, long i);
	int (*trip)(void *ctx, long i);
	void (*sample)(void *sample_ctx, uint64_t ns);
	void *ctx;
	void *sample_ctx;
};

/**
 * tool_rtt_run() - @rt->warmup + @rt->n round trips. Returns 0 once all are done, or the first
 * error of @prepare or @trip (what was kept before it has been sampled).
 */
int tool_rtt_run(const struct tool_rtt *rt);

#endif /* MMAMP_TOOL_RTT_H */
