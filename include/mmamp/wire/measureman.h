/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/wire/measureman.h — MeasureMan's message layout, shared by the tool (tools/measureman,
 * host) and the measurement firmware (firmware/bench/fw_measure.c): a 32-byte header at the start
 * of every measured payload. Freestanding: fixed-width types only, so the firmware can include it.
 *
 *   off size field      written by
 *   0   4    magic      host ("MMT1" = 0x31544d4d); the firmware stamps only messages carrying it
 *   4   4    seq        host; echoed unchanged
 *   8   8    isr_ns     firmware: clock at the entry of the ISR that took the request's doorbell
 *   16  8    sent_ns    firmware: clock just before the reply was handed to RPMsg
 *   24  4    doorbells  firmware: doorbells it has taken so far (tells coalesced wake-ups apart)
 *   28  4    flags      firmware: MM_WIRE_STAMPED, MM_WIRE_POLLED
 *   32  ...  pattern    host; echoed byte-exact
 *
 * Little-endian (x86-64 sim core and Cortex-M4 alike). Times are nanoseconds of a clock both
 * sides read: CLOCK_MONOTONIC in the sim (docs/measureman.md, "Clocks").
 */
#ifndef MMAMP_WIRE_MEASUREMAN_H
#define MMAMP_WIRE_MEASUREMAN_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MM_WIRE_MAGIC   0x31544d4du
/*
 * A clock request ("MMC1"): a firmware whose clock is not the host's (QEMU) answers the
 * platform's clock ping-pong (mmamp/wire/qemu_mailbox.h, struct qmb_clock) until the host
 * ends it, then echoes the message unchanged. Others just echo it.
 */
#define MM_WIRE_CLOCK_MAGIC 0x31434d4du
#define MM_WIRE_HDR     32u
#define MM_WIRE_STAMPED 0x1u
#define MM_WIRE_POLLED  0x2u

struct mm_wire_hdr {
	uint32_t magic;
	uint32_t seq;
	uint64_t isr_ns;
	uint64_t sent_ns;
	uint32_t doorbells;
	uint32_t flags;
};

MMAMP_STATIC_ASSERT(sizeof(struct mm_wire_hdr) == MM_WIRE_HDR, "mm_wire_hdr is 32 bytes");
MMAMP_STATIC_ASSERT(offsetof(struct mm_wire_hdr, isr_ns) == 8, "isr_ns at 8");
MMAMP_STATIC_ASSERT(offsetof(struct mm_wire_hdr, sent_ns) == 16, "sent_ns at 16");
MMAMP_STATIC_ASSERT(offsetof(struct mm_wire_hdr, doorbells) == 24, "doorbells at 24");
MMAMP_STATIC_ASSERT(offsetof(struct mm_wire_hdr, flags) == 28, "flags at 28");

MMAMP_END_DECLS

#endif /* MMAMP_WIRE_MEASUREMAN_H */
