/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_rtt.c — the round-trip loop every latency tool runs (tool_rtt.h). */
#include "tool_rtt.h"

#include "tool_time.h"

int tool_rtt_run(const struct tool_rtt *rt)
{
	for (long i = -(long)rt->warmup; i < (long)rt->n; i++) {
		uint64_t t0;
		int ret = rt->prepare ? rt->prepare(rt->ctx, i) : 0;

		if (ret)
			return ret;
		t0 = tool_now_ns();
		ret = rt->trip(rt->ctx, i);
		if (ret)
			return ret;
		if (i >= 0)
			rt->sample(rt->sample_ctx, tool_now_ns() - t0);
	}
	return 0;
}
