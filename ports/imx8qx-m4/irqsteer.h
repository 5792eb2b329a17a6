/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/irqsteer.h — the M4's IRQSTEER: how interrupts numbered from 51 up (LSIO MU5
 * side B = 283, ADMA UART1 = 309, ...) reach the NVIC.
 *
 * IRQSTEER has 512 sources in 16 32-bit groups and 8 masters (NVIC 32..39), 64 sources each.
 * Source s = irq - 51 sits in group register 15 - s / 32, bit s % 32 (register 0 holds the
 * highest sources), and is signalled on master s / 64. A master's handler reads that master's
 * two CHn_STATUS registers and runs the vector of the lowest pending source from the vector
 * table (VTOR + (irq + 16) * 4): that is why the table has all 640 entries.
 *
 * Registers (offsets from IMX8QX_IRQSTEER_BASE, one channel):
 *   0x00 CHn_CTL (bit 0: channel enable)   0x04 + 4r CHn_MASK[r]   0x44 + 4r CHn_SET[r]
 *   0x84 + 4r CHn_STATUS[r] (masked, pending)  0xC4 CHn_MINTDIS   0xC8 CHn_MSTRSTAT
 */
#ifndef MMAMP_IMX8QX_IRQSTEER_H
#define MMAMP_IMX8QX_IRQSTEER_H

#include <stdint.h>

#include "imx8qx.h"

#define IRQSTEER_CHN_CTL        0x00u
#define IRQSTEER_CHN_MASK(r)    (0x04u + 4u * (r))
#define IRQSTEER_CHN_SET(r)     (0x44u + 4u * (r))
#define IRQSTEER_CHN_STATUS(r)  (0x84u + 4u * (r))
#define IRQSTEER_CHN_MINTDIS    0xC4u
#define IRQSTEER_CHN_MSTRSTAT   0xC8u

/** irqsteer_reg() - the group register (0..15) of interrupt @irq (≥ IMX8QX_IRQSTEER_FIRST). */
static inline unsigned irqsteer_reg(unsigned irq)
{
	return IMX8QX_IRQSTEER_REGS - 1u - (irq - IMX8QX_IRQSTEER_FIRST) / 32u;
}

/** irqsteer_bit() - the bit of @irq in its group register. */
static inline uint32_t irqsteer_bit(unsigned irq)
{
	return 1u << ((irq - IMX8QX_IRQSTEER_FIRST) % 32u);
}

/** irqsteer_master() - the master (0..7) that signals @irq; its NVIC line is 32 + master. */
static inline unsigned irqsteer_master(unsigned irq)
{
	return (irq - IMX8QX_IRQSTEER_FIRST) / 64u;
}

/**
 * irqsteer_init() - mask every source and enable the channel. The IRQSTEER must be powered
 * (SC_R_IRQSTR_M4_0) first.
 */
void irqsteer_init(void);

/**
 * irqsteer_enable() - unmask @irq and enable its master's NVIC line at @prio (0 highest, 15).
 * Return: 0, or -MMAMP_EINVAL for an interrupt that does not go through IRQSTEER.
 */
int irqsteer_enable(unsigned irq, unsigned prio);

/** irqsteer_disable() - mask @irq (its master's NVIC line stays on: others may share it). */
void irqsteer_disable(unsigned irq);

/**
 * irqsteer_next() - the lowest pending (unmasked) interrupt on @master, or 0 if none: what a
 * master's handler dispatches.
 */
unsigned irqsteer_next(unsigned master);

#endif /* MMAMP_IMX8QX_IRQSTEER_H */
