/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/wire/mu.h — the i.MX Messaging Unit (imx6sx-type MU, docs/sim-platform.md) as mmamp uses
 * it: one side's register offsets and SR/CR bits, mmamp's doorbell encoding on it, and the page
 * the simulated MU keeps both sides' registers in. Shared by the sim's model and its users (the
 * host library, tools/mmamp-soc, the sim port: ports/sim/mu_model.h) and by the real board's
 * firmware (ports/imx8qx-m4: the same MU registers at LSIO MU5 B). Freestanding, fixed-width.
 *
 * Page layout (offsets from the start of the page; all fields are little-endian u32):
 *
 *   0x000  side A register file          0x100  side B register file
 *            +0x00..0x0C  TR0..TR3                 (same layout)
 *            +0x10..0x1C  RR0..RR3
 *            +0x20        SR
 *            +0x24        CR
 *   0x200  side A interrupt line word    0x240  side B interrupt line word
 *   0x280  magic "MUSM" (0x4D53554D) once mu_reset() has run, 0x284 layout version (1)
 *   rest   reserved, zero
 *
 * Linux (the APU) is side A, the M4 is side B, as on LSIO MU5. A side's TRn holds the last
 * value that side wrote (a debugging mirror; the real TRn is write-only).
 *
 * SR bits:  GIPn = bit 31−n, RFn = bit 27−n, TEn = bit 23−n, BRDIP = bit 9.
 * CR bits:  GIEn = bit 31−n, RIEn = bit 27−n, TIEn = bit 23−n, GIRn = bit 19−n.
 * What writing and reading them does is the model's (ports/sim/mu_model.h).
 */
#ifndef MMAMP_WIRE_MU_H
#define MMAMP_WIRE_MU_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MU_SIDE_A 0u /* the APU (Linux / mmampd) */
#define MU_SIDE_B 1u /* the M4 */
#define MU_PEER(side) ((side) ^ 1u)
#define MU_CHANNELS 4u

/* Register offsets inside one side's register file (imx6sx layout). */
#define MU_TR(n) (0x00u + 4u * (n))
#define MU_RR(n) (0x10u + 4u * (n))
#define MU_SR 0x20u
#define MU_CR 0x24u

/* SR bits (docs/sim-platform.md). */
#define MU_SR_GIP(n) (1u << (31u - (n)))
#define MU_SR_RF(n)  (1u << (27u - (n)))
#define MU_SR_TE(n)  (1u << (23u - (n)))
#define MU_SR_BRDIP  (1u << 9)
#define MU_SR_GIP_ALL 0xF0000000u
#define MU_SR_RF_ALL  0x0F000000u
#define MU_SR_TE_ALL  0x00F00000u

/* CR bits (docs/sim-platform.md). */
#define MU_CR_GIE(n) (1u << (31u - (n)))
#define MU_CR_RIE(n) (1u << (27u - (n)))
#define MU_CR_TIE(n) (1u << (23u - (n)))
#define MU_CR_GIR(n) (1u << (19u - (n)))
#define MU_CR_GIR_ALL 0x000F0000u

/* Interrupt sources (SR) and their enables (CR) occupy the same bits. */
#define MU_IRQ_MASK 0xFFF00000u

/* Page layout. */
#define MU_PAGE_SIZE        0x1000u
#define MU_SIDE_OFFSET(s)   (0x100u * (s))
#define MU_LINE_OFFSET(s)   (0x200u + 0x40u * (s))
#define MU_MAGIC_OFFSET     0x280u
#define MU_MAGIC            0x4D53554Du /* "MUSM" little-endian */
#define MU_LAYOUT_VERSION   1u

/* The doorbell (docs/sim-platform.md): notifyid << 16 on channel 1, both directions. */
#define MU_DOORBELL_CHANNEL 1u
#define MU_DOORBELL_SHIFT   16u
#define MU_NOTIFYID_MAX     0xFFFFu

/** struct mu_regs - one side's register file (0x100 bytes). */
struct mu_regs {
	uint32_t tr[MU_CHANNELS];
	uint32_t rr[MU_CHANNELS];
	uint32_t sr;
	uint32_t cr;
	uint32_t reserved[54];
};

/** struct mu_page - the shared page (see the layout above). */
struct mu_page {
	struct mu_regs side[2];
	uint32_t line[2][16]; /* line[s][0] is side s's line word; the rest pads a cache line */
	uint32_t magic;
	uint32_t version;
	uint32_t reserved[(MU_PAGE_SIZE - 0x288u) / 4u];
};

MMAMP_STATIC_ASSERT(sizeof(struct mu_regs) == 0x100, "mu_regs is 0x100 bytes");
MMAMP_STATIC_ASSERT(offsetof(struct mu_regs, rr) == MU_RR(0), "RR0 at 0x10");
MMAMP_STATIC_ASSERT(offsetof(struct mu_regs, sr) == MU_SR, "SR at 0x20");
MMAMP_STATIC_ASSERT(offsetof(struct mu_regs, cr) == MU_CR, "CR at 0x24");
MMAMP_STATIC_ASSERT(offsetof(struct mu_page, side[1]) == MU_SIDE_OFFSET(1), "side B at 0x100");
MMAMP_STATIC_ASSERT(offsetof(struct mu_page, line[0]) == MU_LINE_OFFSET(0), "line A at 0x200");
MMAMP_STATIC_ASSERT(offsetof(struct mu_page, line[1]) == MU_LINE_OFFSET(1), "line B at 0x240");
MMAMP_STATIC_ASSERT(offsetof(struct mu_page, magic) == MU_MAGIC_OFFSET, "magic at 0x280");
MMAMP_STATIC_ASSERT(offsetof(struct mu_page, version) == MU_MAGIC_OFFSET + 4u, "version at 0x284");
MMAMP_STATIC_ASSERT(sizeof(struct mu_page) == MU_PAGE_SIZE, "one 4 KiB page");

MMAMP_END_DECLS

#endif /* MMAMP_WIRE_MU_H */
