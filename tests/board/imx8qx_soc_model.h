/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imx8qx_soc_model.h — the i.MX8QXP as the M4's bring-up code sees it, as register models for
 * the host (soc_read32/soc_write32 of ports/imx8qx-m4/soc_io.h built with IMX8QX_SOC_MODEL):
 *
 *   0x41480000 MU1 side A   the M4's SCU IPC; behind side B an SCU firmware that answers the
 *                           RPC calls of ports/imx8qx-m4/scfw.h: resource ownership from the SCU
 *                           model (src/host/scu.c, platform imx8qxp-sim) for MU sides and cores,
 *                           from the board's partition table below for the rest; power and clock
 *                           state per resource
 *   0x5D290000 MU5 side B   the doorbell MU (ports/sim/mu_model.h; the test plays Linux on side A)
 *   0x51070000 IRQSTEER     mask/status registers; source 283 follows MU5 B's interrupt line
 *   LPUARTs                 TX collected as text; ADMA LPUART1 only with its LPCG gate open
 *   0xE000E000 SCS          NVIC enables and priorities, SysTick, VTOR: stored
 * An access to a block whose SCFW resource is not powered is a bus fault, as on silicon: it is
 * recorded (imx8qx_model_fault()) and the access has no effect (reads 0).
 */
#ifndef MMAMP_TEST_IMX8QX_SOC_MODEL_H
#define MMAMP_TEST_IMX8QX_SOC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "mmamp/host/scu.h"
#include "mu_model.h"

/** How the SCU firmware behaves. */
struct imx8qx_model_config {
	bool scu_silent;      /* never answers */
	bool uart_granted;    /* the console UART is in the M4's partition (alt_config: not) */
};

/** imx8qx_model_reset() - a fresh SoC over @scu (every resource off), configured by @cfg. */
void imx8qx_model_reset(struct mmamp_scu *scu, int m4_partition,
			const struct imx8qx_model_config *cfg);

/** imx8qx_model_fault() - the first bus fault's description, or NULL. */
const char *imx8qx_model_fault(void);

/** imx8qx_model_calls() - the SCFW calls answered so far, one per line ("power 227 3 -> 0"). */
const char *imx8qx_model_calls(void);

/** imx8qx_model_uart_text() - what was sent on the UART at @base. */
const char *imx8qx_model_uart_text(uint32_t base);

/** imx8qx_model_power() - SC_PM_PW_MODE_* of @rsrc. */
uint32_t imx8qx_model_power(uint32_t rsrc);

/** imx8qx_model_nvic_enabled() - whether NVIC line @irq was enabled (ISER). */
bool imx8qx_model_nvic_enabled(unsigned irq);

/** imx8qx_model_mu5() - the MU5 page (the test plays Linux on side A). */
struct mu *imx8qx_model_mu5(void);

/** imx8qx_model_irqsteer() - IRQSTEER register at @off as the M4 would read it. */
uint32_t imx8qx_model_irqsteer(uint32_t off);

#endif /* MMAMP_TEST_IMX8QX_SOC_MODEL_H */
