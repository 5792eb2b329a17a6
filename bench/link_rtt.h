/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_rtt.h — the polled round trip over one in-process link of tests/interop/link.h, shared by
 * mmamp-bench-interop (every pairing) and mmamp-bench-rtt (the protocol floor next to mmamp
 * polled): the master on CPU 0 sends one 496-byte message and spins until its echo is back, the
 * remote spins on its rings on CPU 1.
 */
#ifndef MMAMP_BENCH_LINK_RTT_H
#define MMAMP_BENCH_LINK_RTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_stats.h"
#include "link.h"

#define LINK_RTT_MSG 496

/* The protocol floor: two of our peer models, which check next to nothing, on the same rings,
 * layout and copies as mmamp (tests/interop/link.h, MM_NONE). */
extern const struct pairing link_rtt_floor;

/**
 * link_rtt_run() - @n round trips over a new link of pairing @pr, their times in @t (ns; @n
 * entries), after n / 10 unrecorded ones. Returns the summary; 0 samples (and the reason on
 * stderr) if the pairing does not work.
 */
struct bench_result link_rtt_run(const struct pairing *pr, size_t n, uint64_t *t);

/**
 * link_rtt_run_relaxed() - link_rtt_run(), with the remote thread, if @relaxes, idling as the
 * simulated core's polled runtime does between two looks at its rings (ports/sim's sim_relax:
 * a pause per look, the CPU given away every 4096 looks): the floor with mmamp polled's idle
 * habit on the remote side.
 */
struct bench_result link_rtt_run_relaxed(const struct pairing *pr, bool relaxes, size_t n,
					 uint64_t *t);

/**
 * link_cost_run() - @n round trips over a new protocol-floor link in one thread, in lockstep:
 * the master's half of each in cost_floor_tx() and cost_floor_rx() (bench/host_cost.sh counts
 * in them), the remote's steps outside. Returns 0, or -1 (the reason on stderr).
 */
int link_cost_run(size_t n);

#endif /* MMAMP_BENCH_LINK_RTT_H */
