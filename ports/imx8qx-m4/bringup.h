/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/bringup.h — the M4's SoC bring-up before the firmware runs, in this order:
 *
 *   1  open the SCU IPC (MU1 side A, polled)
 *   2  sc_pm_get_clock_rate(M4_0_PID0, CPU)        → SysTick rate (default 264 MHz if refused)
 *   3  power ON SC_R_IRQSTR_M4_0                    fatal if refused: no MU interrupt without it
 *   4  power ON SC_R_MU_5B                          fatal: the doorbell
 *   5  console: power ON the board's UART resource, set its clock (80 MHz asked), enable it,
 *      open its LPCG gate (ADMA LPUART1); refused → no console (VAR-SOM's alt_config does not
 *      give SC_R_UART_1 to the M4), go on
 *   6  IRQSTEER: mask all, channel on
 *   7  sc_misc_boot_done(M4_0_PID0)                 refused → reported, go on
 *
 * Nothing touches MU5 side B, IRQSTEER or the UART before its resource is powered: SCFW leaves
 * unpowered subsystems unclocked and an access to them is a bus fault. Every SCFW error is said
 * on the console (once it works) and kept in struct imx8qx_bringup, e.g.
 *   "imx8qx: pm_set_resource_power_mode(227) failed: SC_ERR_NOACCESS (4)"
 * Output goes through the port's console (mmamp_port_puts / mmamp_port_put_u64), which buffers
 * what is said before the UART is up.
 */
#ifndef MMAMP_IMX8QX_BRINGUP_H
#define MMAMP_IMX8QX_BRINGUP_H

#include <stdbool.h>
#include <stdint.h>

#include "scfw.h"

/**
 * struct imx8qx_bringup - what the bring-up found.
 * @ipc:        the SCU channel (kept open for later calls).
 * @cpu_hz:     the core clock (SysTick counts it).
 * @console_hz: the console UART's functional clock, 0 if there is no console.
 * @console:    the console UART is powered, clocked and set up.
 * @error:      0, or the fatal error (negative MMAMP_E*) that stopped it.
 * @failed:     the step that failed fatally ("power IRQSTR_M4_0", ...), or NULL.
 * @warnings:   SCFW calls refused without stopping the bring-up.
 */
struct imx8qx_bringup {
	struct scfw_ipc ipc;
	uint32_t cpu_hz;
	uint32_t console_hz;
	bool console;
	int error;
	const char *failed;
	unsigned warnings;
};

/** imx8qx_bringup() - run the sequence above. Return: 0 or @b->error. */
int imx8qx_bringup(struct imx8qx_bringup *b);

/* The console the bring-up reports on (board.c; a test supplies its own). */
void mmamp_port_puts(const char *s);
void mmamp_port_put_u64(uint64_t v);
/** imx8qx_console_attach() - from now on the console also goes to the LPUART at @base. */
void imx8qx_console_attach(uint32_t base);

#endif /* MMAMP_IMX8QX_BRINGUP_H */
