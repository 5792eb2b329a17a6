/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/lpuart.c — the console's LPUART transmitter (lpuart.h).
 */
#include "lpuart.h"

#include "soc_io.h"

/* A stuck transmitter (clock gated) must not hang the firmware: drop the character. */
#define LPUART_TX_SPIN_LIMIT 100000u

uint32_t lpuart_baud(uint32_t clk_hz, uint32_t baud)
{
	uint32_t best = 0, best_err = UINT32_MAX;

	if (!baud)
		return 0;
	for (uint32_t osr = 4; osr <= 32; osr++) {
		uint32_t sbr = (clk_hz + osr * baud / 2u) / (osr * baud), actual, err;

		if (sbr < 1u || sbr > 0x1FFFu)
			continue;
		actual = clk_hz / (osr * sbr);
		err = actual > baud ? actual - baud : baud - actual;
		if (err < best_err) {
			best_err = err;
			best = ((osr - 1u) << 24) | sbr | (osr < 8u ? LPUART_BAUD_BOTHEDGE : 0u);
		}
	}
	/* More than 3 % off is not a usable UART. */
	return best_err <= baud / 33u ? best : 0;
}

void lpuart_init(uint32_t base, uint32_t bd)
{
	soc_write32(base + LPUART_GLOBAL, LPUART_GLOBAL_RST);
	soc_write32(base + LPUART_GLOBAL, 0);
	soc_write32(base + LPUART_CTRL, 0);
	soc_write32(base + LPUART_BAUD, bd);
	soc_write32(base + LPUART_CTRL, LPUART_CTRL_TE);
}

void lpuart_putc(uint32_t base, char c)
{
	for (uint32_t n = 0; !(soc_read32(base + LPUART_STAT) & LPUART_STAT_TDRE); n++)
		if (n >= LPUART_TX_SPIN_LIMIT)
			return;
	soc_write32(base + LPUART_DATA, (uint8_t)c);
}
