/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_time.c — the clock the tools and benchmarks measure with (tool_time.h). */
#include "tool_time.h"

#include <time.h>

uint64_t tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
