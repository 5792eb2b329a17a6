/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/port_imx8qx.h — the i.MX8QXP Cortex-M4 firmware port (mmamp/remote/port.h):
 * what a firmware on the runtime gets from the board, with the names the other ports give it
 * (port_qemu.h):
 *
 *   console    mmamp_port_puts/put_u64/put_hex: the board's LPUART (MEK: the M4's own; VAR-SOM-
 *              MX8X: ADMA LPUART1), polled, and a RAM log at the start of TCMU (0x35000000 from
 *              the A35) that also holds what was said before the UART was up
 *   time       mmamp_port_now_ns(): SysTick at the core clock (264 MHz), 1 ms wrap interrupt
 *   doorbells  imx8qx_doorbell_ops (struct mmamp_remote_doorbell_ops) on LSIO MU5 side B
 *              (mu5b.h); its interrupt comes through IRQSTEER (line 283, NVIC 35)
 *   sleeping   the doorbell op wait: WFI with interrupts masked around the flag check
 *   faults     every fault and unexpected exception: a record in TCMU, a console line, halt
 *
 * A firmware includes this file as MMAMP_FW_PORT_H (mmamp_add_firmware(... PORT imx8qx-m4)) and
 * finds here the memory map (0x90000000 + 5 MiB, live table at 0x900FF000) and the doorbell
 * binding (FW_DOORBELL_*).
 */
#ifndef MMAMP_IMX8QX_PORT_IMX8QX_H
#define MMAMP_IMX8QX_PORT_IMX8QX_H

#include <stdint.h>

#include "imx8qx.h"
#include "mmamp/remote/runtime.h"

/** struct imx8qx_doorbell - the MU5 side B binding (db_ctx of imx8qx_doorbell_ops). */
struct imx8qx_doorbell {
	uint32_t base;
	struct mmamp_remote *remote;
};

extern const struct mmamp_remote_doorbell_ops imx8qx_doorbell_ops;

/**
 * imx8qx_doorbell_init() - bind MU5 side B at @base to @remote (SC_R_MU_5B must be powered:
 * bringup.c). Return: 0, or -MMAMP_EBUSY if another binding exists.
 */
int imx8qx_doorbell_init(struct imx8qx_doorbell *db, uintptr_t base, struct mmamp_remote *remote);

/* Console: mmamp_port_puts/put_u64/put_hex (mmamp/remote/port.h). */

/* Time since imx8qx_clock_init(): mmamp_port_now_ns() (mmamp/remote/port.h), and in µs. */
uint64_t mmamp_port_now_us(void);
/** imx8qx_clock_init() - SysTick free-running at @cpu_hz with a 1 ms interrupt. */
void imx8qx_clock_init(uint32_t cpu_hz);

/* Startup (startup.c): fw_main() after reset and bring-up (mmamp/remote/port.h). */

/* ---- the memory map and doorbell binding (mmamp/remote/port.h) ---- */
#define FW_SHM_DA        IMX8QX_SHM_DA
#define FW_SHM_SIZE      IMX8QX_SHM_SIZE
/* A Linux host's RPMsg buffers may come from general RAM: the window runs from 0x00010000 to the
 * end of the buffer pool (as the sim port's, ports/sim/port_sim_extra.h). */
#define FW_WINDOW_DA     0x00010000u
#define FW_WINDOW_SIZE   (IMX8QX_SHM_DA + IMX8QX_SHM_SIZE - FW_WINDOW_DA)
#define FW_RSC_TABLE_DA  IMX8QX_RSC_TABLE_DA
#define FW_DOORBELL_T    struct imx8qx_doorbell
#define FW_DOORBELL_DA   IMX8QX_MU5B_BASE
#define FW_DOORBELL_INIT imx8qx_doorbell_init
#define FW_DOORBELL_OPS  imx8qx_doorbell_ops

#endif /* MMAMP_IMX8QX_PORT_IMX8QX_H */
