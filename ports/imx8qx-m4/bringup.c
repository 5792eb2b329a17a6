/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/bringup.c — the SoC bring-up sequence (bringup.h).
 */
#include "bringup.h"

#include <stddef.h>

#include "imx8qx.h"
#include "irqsteer.h"
#include "lpuart.h"
#include "mmamp/errno.h"
#include "soc_io.h"

/* Say which SCFW call failed and how: "imx8qx: <call>(<rsrc>) failed: <why>\n". */
static void say_failure(const struct scfw_ipc *ipc, int ret)
{
	mmamp_port_puts("imx8qx: ");
	mmamp_port_puts(ipc->call);
	mmamp_port_puts("(");
	mmamp_port_put_u64(ipc->rsrc);
	mmamp_port_puts(") failed: ");
	if (ret == -MMAMP_EIO) {
		mmamp_port_puts(scfw_err_name(ipc->sc_err));
		mmamp_port_puts(" (");
		mmamp_port_put_u64(ipc->sc_err);
		mmamp_port_puts(")\n");
	} else if (ret == -MMAMP_ETIMEDOUT) {
		mmamp_port_puts("no answer from the SCU (MU1 A)\n");
	} else {
		mmamp_port_puts("malformed SCU reply\n");
	}
}

/* A refused call that the bring-up survives. */
static void warn(struct imx8qx_bringup *b, int ret)
{
	b->warnings++;
	say_failure(&b->ipc, ret);
}

/* A refused call that ends it. */
static int fail(struct imx8qx_bringup *b, const char *step, int ret)
{
	say_failure(&b->ipc, ret);
	mmamp_port_puts("imx8qx: bring-up stopped at: ");
	mmamp_port_puts(step);
	mmamp_port_puts("\n");
	b->error = ret;
	b->failed = step;
	return ret;
}

/*
 * Open the UART's local clock gate: its baud (cell 0) and ipg (cell 4) clocks, software-on. The
 * write is read back (erratum e10858: an LPCG write must complete before the clock is used).
 */
static void console_lpcg_on(void)
{
	uint32_t lpcg = IMX8QX_CONSOLE_LPCG;

	if (!lpcg)
		return;
	soc_write32(lpcg, soc_read32(lpcg) | LPCG_SW_SEL(0) | LPCG_SW_SEL(4));
	(void)soc_read32(lpcg);
}

/* Step 5: the console UART. Any refusal leaves the board without one, nothing worse. */
static void console_up(struct imx8qx_bringup *b)
{
	uint32_t hz = IMX8QX_CONSOLE_CLK_HZ, bd;
	int ret;

	ret = scfw_set_power(&b->ipc, IMX8QX_CONSOLE_RSRC, SC_PM_PW_MODE_ON);
	if (!ret)
		ret = scfw_set_clock_rate(&b->ipc, IMX8QX_CONSOLE_RSRC, SC_PM_CLK_PER, &hz);
	if (!ret)
		ret = scfw_clock_enable(&b->ipc, IMX8QX_CONSOLE_RSRC, SC_PM_CLK_PER, true);
	if (ret) {
		warn(b, ret);
		mmamp_port_puts("imx8qx: no console UART\n");
		return;
	}
	console_lpcg_on();
	bd = lpuart_baud(hz, IMX8QX_CONSOLE_BAUD);
	if (!bd) {
		b->warnings++;
		mmamp_port_puts("imx8qx: console clock ");
		mmamp_port_put_u64(hz);
		mmamp_port_puts(" Hz cannot make 115200 baud: no console UART\n");
		return;
	}
	lpuart_init(IMX8QX_CONSOLE_BASE, bd);
	b->console_hz = hz;
	b->console = true;
	imx8qx_console_attach(IMX8QX_CONSOLE_BASE);
}

int imx8qx_bringup(struct imx8qx_bringup *b)
{
	int ret;

	b->cpu_hz = IMX8QX_CPU_HZ_DEFAULT;
	b->console_hz = 0;
	b->console = false;
	b->error = 0;
	b->failed = NULL;
	b->warnings = 0;
	scfw_open(&b->ipc, IMX8QX_MU1A_BASE);

	ret = scfw_get_clock_rate(&b->ipc, SC_R_M4_0_PID0, SC_PM_CLK_CPU, &b->cpu_hz);
	if (ret) {
		b->cpu_hz = IMX8QX_CPU_HZ_DEFAULT;
		warn(b, ret);
		if (ret == -MMAMP_ETIMEDOUT) /* no SCU at all: nothing else will work */
			return fail(b, "open the SCU IPC", ret);
	}
	ret = scfw_set_power(&b->ipc, SC_R_IRQSTR_M4_0, SC_PM_PW_MODE_ON);
	if (ret)
		return fail(b, "power IRQSTR_M4_0", ret);
	ret = scfw_set_power(&b->ipc, SC_R_MU_5B, SC_PM_PW_MODE_ON);
	if (ret)
		return fail(b, "power MU_5B", ret);
	console_up(b);
	irqsteer_init();
	ret = scfw_boot_done(&b->ipc, SC_R_M4_0_PID0);
	if (ret)
		warn(b, ret);
	mmamp_port_puts("imx8qx: " IMX8QX_BOARD_NAME " M4 up, cpu ");
	mmamp_port_put_u64(b->cpu_hz);
	mmamp_port_puts(" Hz, SCFW warnings ");
	mmamp_port_put_u64(b->warnings);
	mmamp_port_puts("\n");
	return 0;
}
