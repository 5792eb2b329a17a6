/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/lpuart.h — polled TX on an i.MX LPUART (32-bit registers), 8N1: the console.
 *   0x10 BAUD (OSR 28:24 = oversampling - 1, BOTHEDGE 17, SBR 12:0)   0x14 STAT (TDRE 23)
 *   0x18 CTRL (TE 19)                                                  0x1C DATA
 *   0x08 GLOBAL (RST 1: software reset)
 */
#ifndef MMAMP_IMX8QX_LPUART_H
#define MMAMP_IMX8QX_LPUART_H

#include <stdint.h>

#define LPUART_GLOBAL      0x08u
#define LPUART_BAUD        0x10u
#define LPUART_STAT        0x14u
#define LPUART_CTRL        0x18u
#define LPUART_DATA        0x1Cu
#define LPUART_GLOBAL_RST  (1u << 1)
#define LPUART_BAUD_BOTHEDGE (1u << 17)
#define LPUART_STAT_TDRE   (1u << 23)
#define LPUART_CTRL_TE     (1u << 19)

/**
 * lpuart_baud() - the BAUD register value for @baud from a @clk_hz functional clock: the
 * oversampling ratio (4..32) and divider with the smallest error. 0 if no divider fits.
 */
uint32_t lpuart_baud(uint32_t clk_hz, uint32_t baud);

/** lpuart_init() - reset the LPUART at @base and enable its transmitter at BAUD value @bd. */
void lpuart_init(uint32_t base, uint32_t bd);

/** lpuart_putc() - send @c (waits for TDRE, at most a bounded number of polls). */
void lpuart_putc(uint32_t base, char c);

#endif /* MMAMP_IMX8QX_LPUART_H */
