/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/irqsteer.c — IRQSTEER set-up and the lookup its master handlers use
 * (irqsteer.h); the handlers themselves are in startup.c.
 */
#include "irqsteer.h"

#include "mmamp/errno.h"
#include "soc_io.h"

void irqsteer_init(void)
{
	for (unsigned r = 0; r < IMX8QX_IRQSTEER_REGS; r++)
		soc_write32(IMX8QX_IRQSTEER_BASE + IRQSTEER_CHN_MASK(r), 0);
	soc_write32(IMX8QX_IRQSTEER_BASE + IRQSTEER_CHN_CTL, 1u);
}

static int steered(unsigned irq)
{
	return irq >= IMX8QX_IRQSTEER_FIRST &&
	       irq < IMX8QX_IRQSTEER_FIRST + 32u * IMX8QX_IRQSTEER_REGS;
}

int irqsteer_enable(unsigned irq, unsigned prio)
{
	uint32_t mask = IMX8QX_IRQSTEER_BASE + IRQSTEER_CHN_MASK(irqsteer_reg(irq));
	unsigned nvic;
	uint32_t ipr;

	if (!steered(irq))
		return -MMAMP_EINVAL;
	nvic = IMX8QX_IRQ_IRQSTEER_0 + irqsteer_master(irq);
	soc_write32(mask, soc_read32(mask) | irqsteer_bit(irq));
	/* NVIC priority: 4 implemented bits, in the top of the byte (word access, byte lane). */
	ipr = soc_read32(SCS_NVIC_IPR(nvic & ~3u));
	ipr &= ~(0xFFu << (8u * (nvic % 4u)));
	ipr |= ((prio & 0xFu) << 4) << (8u * (nvic % 4u));
	soc_write32(SCS_NVIC_IPR(nvic & ~3u), ipr);
	soc_write32(SCS_NVIC_ISER(nvic / 32u), 1u << (nvic % 32u));
	return 0;
}

void irqsteer_disable(unsigned irq)
{
	uint32_t mask = IMX8QX_IRQSTEER_BASE + IRQSTEER_CHN_MASK(irqsteer_reg(irq));

	if (steered(irq))
		soc_write32(mask, soc_read32(mask) & ~irqsteer_bit(irq));
}

unsigned irqsteer_next(unsigned master)
{
	/* Master m's 64 sources: group registers 15 - 2m (lower 32) and 14 - 2m (upper 32). */
	for (unsigned half = 0; half < 2u; half++) {
		unsigned r = IMX8QX_IRQSTEER_REGS - 1u - 2u * master - half;
		uint32_t st = soc_read32(IMX8QX_IRQSTEER_BASE + IRQSTEER_CHN_STATUS(r));

		if (st)
			return IMX8QX_IRQSTEER_FIRST + 64u * master + 32u * half +
			       (unsigned)__builtin_ctz(st);
	}
	return 0;
}
