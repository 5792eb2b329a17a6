/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * baseline.h — round-trip baselines between two processes with the same payload, measured in
 * the same run as mmamp (used by MeasureMan and bench/rtt.c): a raw shared-memory spin
 * ping-pong, a futex ping-pong over shared memory and a UNIX stream socket ping-pong, each
 * copying the payload each way. The parent is the client on @cpu_a, the child the echo on
 * @cpu_b (-1: not pinned).
 */
#ifndef MEASUREMAN_BASELINE_H
#define MEASUREMAN_BASELINE_H

#include <stddef.h>
#include <stdint.h>

enum mm_baseline { MM_BASE_SPIN, MM_BASE_FUTEX, MM_BASE_SOCKET, MM_NBASELINES };

/** typedef mm_sample_fn - one round trip of @ns nanoseconds was measured. */
typedef void (*mm_sample_fn)(void *ctx, uint64_t ns);

const char *mm_baseline_name(enum mm_baseline b);  /* "shm spin ping-pong", … */
const char *mm_baseline_key(enum mm_baseline b);   /* "spin", "futex", "unix_socket" */

/**
 * mm_baseline_run() - @n round trips of @len (≤ 4096) bytes after 100 unrecorded ones, each
 * reported to @fn. Returns 0 or a negative errno (fork, socketpair, mmap failed).
 */
int mm_baseline_run(enum mm_baseline b, size_t n, size_t len, int cpu_a, int cpu_b,
		    mm_sample_fn fn, void *ctx);

#endif /* MEASUREMAN_BASELINE_H */
