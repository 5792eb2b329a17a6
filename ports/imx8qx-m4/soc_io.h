/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/soc_io.h — how the board's bring-up code reaches SoC registers (SCU IPC MU,
 * LSIO MU5 side B, IRQSTEER, LPUART, SysTick/NVIC): soc_read32()/soc_write32().
 *
 * On the M4 they are volatile 32-bit accesses. Built with IMX8QX_SOC_MODEL (the host test
 * tests/sim/test_imx8qx_bringup.c), they are calls into register models of the SCU firmware,
 * the MUs and IRQSTEER, so the same bring-up sequence runs against them and a wrong order is
 * refused there as SCFW and the bus would refuse it on silicon.
 */
#ifndef MMAMP_IMX8QX_SOC_IO_H
#define MMAMP_IMX8QX_SOC_IO_H

#include <stdint.h>

#ifdef IMX8QX_SOC_MODEL
uint32_t soc_read32(uint32_t addr);
void soc_write32(uint32_t addr, uint32_t v);
#else
static inline uint32_t soc_read32(uint32_t addr)
{
	return *(volatile const uint32_t *)(uintptr_t)addr;
}

static inline void soc_write32(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}
#endif

#endif /* MMAMP_IMX8QX_SOC_IO_H */
