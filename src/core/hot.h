/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hot.h — MMAMP_HOT, for a step of the per-message path (private to the core): inlined into
 * every caller when the core is built for speed, one out-of-line copy when it is built for size
 * (-Os: firmware, whose flash `make size` counts), where the call is cheaper than the bytes.
 */
#ifndef MMAMP_CORE_HOT_H
#define MMAMP_CORE_HOT_H

#ifdef __OPTIMIZE_SIZE__
#define MMAMP_HOT static
#else
#define MMAMP_HOT static inline __attribute__((always_inline))
#endif

#endif /* MMAMP_CORE_HOT_H */
