/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_time.h — the clock the tools and benchmarks measure with (tool_time.c). */
#ifndef MMAMP_TOOL_TIME_H
#define MMAMP_TOOL_TIME_H

#include <stdint.h>

/** tool_now_ns() - CLOCK_MONOTONIC in nanoseconds: what every latency here is measured on. */
uint64_t tool_now_ns(void);

#endif /* MMAMP_TOOL_TIME_H */
