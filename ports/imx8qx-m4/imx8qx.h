/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/imx8qx.h — the i.MX8QXP Cortex-M4 (CM4_0) as its firmware sees it: memory map,
 * peripheral addresses, interrupt numbers and SCU firmware resource numbers. Facts only; where
 * each comes from and how sure it is: docs/imx8x-board.md ("Numbers the port uses").
 *
 * Board choice at build time: IMX8QX_BOARD_MEK (NXP MEK: console on the M4's own LPUART) or
 * IMX8QX_BOARD_VAR_SOM_MX8X (Variscite VAR-SOM-MX8X: console on ADMA LPUART1).
 */
#ifndef MMAMP_IMX8QX_H
#define MMAMP_IMX8QX_H

#include <stdint.h>

/* ---- memory (M4 addresses) ---- */
#define IMX8QX_TCML_DA        0x1FFE0000u /* code TCM, 128 KiB; A35 sees it at 0x34FE0000 */
#define IMX8QX_TCML_SIZE      0x20000u
#define IMX8QX_TCML_SYS       0x34FE0000u
#define IMX8QX_TCMU_DA        0x20000000u /* system TCM, 128 KiB; A35: 0x35000000 */
#define IMX8QX_TCMU_SIZE      0x20000u
#define IMX8QX_SHM_DA         0x90000000u /* RPMsg vrings, live table, buffers (identity) */
#define IMX8QX_SHM_SIZE       0x500000u
#define IMX8QX_RSC_TABLE_DA   0x900FF000u /* where mainline imx_rproc keeps the live table */
#define IMX8QX_BSP_RSC_DA     0x90000000u /* where NXP BSP 5.4-5.10 imx_rproc read it (rsc-da) */
#define IMX8QX_VDEV0_VRING0   0x90000000u
#define IMX8QX_VDEV0_VRING1   0x90008000u
#define IMX8QX_BOOTAUX_SIZE   0x20000u /* U-Boot bootaux copies exactly this much into TCML */
#define IMX8QX_NUM_VECTORS    640u     /* 16 exceptions + 624 interrupts (0xA00 bytes) */

/* ---- interrupts (NVIC numbers; sources behind IRQSTEER are numbered from 51 up) ---- */
#define IMX8QX_IRQ_M4_LPUART      25u
#define IMX8QX_IRQ_IRQSTEER_0     32u  /* IRQSTEER masters 0..7: NVIC 32..39 */
#define IMX8QX_IRQ_M4_MU1_A       49u  /* the SCU IPC (unused: the RPC client polls) */
#define IMX8QX_IRQSTEER_FIRST     51u  /* first interrupt routed through IRQSTEER */
#define IMX8QX_IRQSTEER_REGS      16u  /* CHn_MASK/SET/STATUS registers: 512 sources */
#define IMX8QX_IRQSTEER_MASTERS   8u   /* 64 sources each */
#define IMX8QX_IRQ_LSIO_MU5_B     283u /* the MU the RPMsg doorbell uses: via IRQSTEER master 3 */
#define IMX8QX_IRQ_ADMA_UART1     309u
/* i.MX8DXL (not built here): its LSIO MU interrupts are 169..191 on IRQSTEER master 2 (NVIC 34);
 * a DXL build changes IMX8QX_IRQ_LSIO_MU5_B and nothing else in irqsteer.c. */

/* ---- peripherals (M4 addresses) ---- */
#define IMX8QX_MU5B_BASE      0x5D290000u /* LSIO MU5 side B (Linux has side A, 0x5D200000) */
/* The M4 reaches its own subsystem (system address 0x37000000 + offset) at 0x41000000 + offset,
 * as every i.MX8 subsystem core does its own (docs/imx8x-board.md). */
#define IMX8QX_MU1A_BASE      0x41480000u /* the M4 subsystem's MU1 side A: SCU firmware IPC */
#define IMX8QX_M4_WDOG_BASE   0x41420000u /* the M4 subsystem's WDOG32 */
#define IMX8QX_IRQSTEER_BASE  0x51070000u /* the M4's IRQSTEER */
#define IMX8QX_M4_LPUART_BASE 0x41220000u /* CM4 subsystem LPUART (MEK debug console) */
#define IMX8QX_ADMA_UART1_BASE 0x5A070000u /* ADMA LPUART1 (VAR-SOM-MX8X M4 console) */
#define IMX8QX_ADMA_UART1_LPCG 0x5A470000u /* its clock gate: baud clock bit 0, ipg bit 16 */

/* LPCG (local clock gate) cells: 4 bits per clock, SW_SEL (bit 1) = clock on. */
#define LPCG_SW_SEL(cell)     (2u << (4u * (cell)))

/* ---- SCU firmware resources (sc_rsrc_t) ---- */
#define SC_R_UART_1           58u
#define SC_R_IRQSTR_M4_0      15u
#define SC_R_MU_5A            218u
#define SC_R_MU_5B            227u
#define SC_R_M4_0_PID0        278u
#define SC_R_M4_0_UART        287u
#define SC_R_M4_0_MU_1A       297u

/* ---- Cortex-M4 system control space ---- */
#include "../cortex-m/armv7m_scs.h"

/* Board selection. */
#if defined(IMX8QX_BOARD_MEK) + defined(IMX8QX_BOARD_VAR_SOM_MX8X) != 1
#error "imx8qx-m4: define exactly one of IMX8QX_BOARD_MEK, IMX8QX_BOARD_VAR_SOM_MX8X"
#endif
#ifdef IMX8QX_BOARD_MEK
#define IMX8QX_BOARD_NAME     "imx8qxp-mek"
#define IMX8QX_CONSOLE_BASE   IMX8QX_M4_LPUART_BASE
#define IMX8QX_CONSOLE_RSRC   SC_R_M4_0_UART
#define IMX8QX_CONSOLE_LPCG   0u /* its gate's M4 address is not confirmed: not opened */
#else
#define IMX8QX_BOARD_NAME     "var-som-mx8x"
#define IMX8QX_CONSOLE_BASE   IMX8QX_ADMA_UART1_BASE
#define IMX8QX_CONSOLE_RSRC   SC_R_UART_1
#define IMX8QX_CONSOLE_LPCG   IMX8QX_ADMA_UART1_LPCG
#endif
#define IMX8QX_CONSOLE_BAUD   115200u
#define IMX8QX_CONSOLE_CLK_HZ 80000000u /* asked of the SCU; the rate it grants is used */
#define IMX8QX_CPU_HZ_DEFAULT 264000000u /* if the SCU cannot say (SCFW sets 264 MHz) */

#endif /* MMAMP_IMX8QX_H */
