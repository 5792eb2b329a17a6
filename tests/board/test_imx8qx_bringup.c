// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_imx8qx_bringup.c — the i.MX8QXP M4 port's SoC bring-up (ports/imx8qx-m4/bringup.c,
 * scfw.c, irqsteer.c, mu5b.c, lpuart.c: the same sources the board firmware links) run against
 * register models of the SCU firmware, MU1/MU5 and IRQSTEER (imx8qx_soc_model.h):
 *
 *   - the sequence powers IRQSTR_M4_0, MU_5B and the console UART before touching them, in the
 *     order bringup.h gives, reports done to the SCU, and says so on the console;
 *   - then the doorbell works end to end: Linux's kick (side A, notifyid << 16 on TR1) raises
 *     IRQSTEER source 283 on master 3 / NVIC 35, the M4 takes it from RR1 (freeing Linux's TE1)
 *     and its own kick arrives in Linux's RR1;
 *   - a wrong order fails: MU5 side B or IRQSTEER touched before power is a bus fault;
 *   - SCFW refusals are reported by name: MU_5B not the M4's is fatal, a UART outside the M4's
 *     partition (SCFW alt_config) leaves the firmware without console but running, a silent SCU
 *     is a timeout, not a hang.
 * Built twice: for the MEK (M4 LPUART) and for VAR-SOM-MX8X (ADMA LPUART1). argv[1]: the
 * platform (imx8qxp-sim.dtb), for the SCU model's partitions and owners.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bringup.h"
#include "imx8qx.h"
#include "imx8qx_soc_model.h"
#include "irqsteer.h"
#include "lpuart.h"
#include "mmamp/errno.h"
#include "mmamp/host/platform.h"
#include "mmamp/host/scu.h"
#include "mu5b.h"

#define M4_PARTITION  2 /* imx8qxp-sim: "m4" */
#define APU_PARTITION 1

static const char *platform_path;
static struct mmamp_platform platform;
static struct mmamp_scu scu;

/* ---- the port's console, as board.c has it: said text, then the LPUART once attached ---- */

static char said[8192];
static uint32_t console_uart;

void mmamp_port_puts(const char *s)
{
	size_t len = strlen(said);

	snprintf(said + len, sizeof(said) - len, "%s", s);
	if (console_uart)
		while (*s)
			lpuart_putc(console_uart, *s++);
}

void mmamp_port_put_u64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	mmamp_port_puts(buf);
}

void imx8qx_console_attach(uint32_t base)
{
	console_uart = base;
	for (const char *p = said; *p; p++)
		lpuart_putc(base, *p);
}

static void soc_up(const struct imx8qx_model_config *cfg)
{
	char err[256];

	said[0] = 0;
	console_uart = 0;
	assert_int_equal(mmamp_platform_load(&platform, platform_path, err, sizeof(err)), 0);
	assert_int_equal(mmamp_scu_init(&scu, &platform), 0);
	imx8qx_model_reset(&scu, M4_PARTITION, cfg);
}

static int teardown(void **state)
{
	(void)state;
	mmamp_scu_fini(&scu);
	mmamp_platform_free(&platform);
	return 0;
}

static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static const struct imx8qx_model_config board_cfg = { .uart_granted = true };

static void the_sequence_powers_before_it_touches(void **state)
{
	struct imx8qx_bringup b;
	char calls[512];

	(void)state;
	soc_up(&board_cfg);
	assert_int_equal(imx8qx_bringup(&b), 0);
	assert_null(imx8qx_model_fault());
	snprintf(calls, sizeof(calls),
		 "get_clock_rate 278 2 -> 0\npower 15 3 -> 0\npower 227 3 -> 0\npower %u 3 -> 0\n"
		 "set_clock_rate %u 2 80000000 -> 0\nclock_enable %u 2 1 -> 0\nboot_done 278 -> 0\n",
		 IMX8QX_CONSOLE_RSRC, IMX8QX_CONSOLE_RSRC, IMX8QX_CONSOLE_RSRC);
	assert_string_equal(imx8qx_model_calls(), calls);
	assert_int_equal(b.cpu_hz, 264000000u);
	assert_true(b.console);
	assert_int_equal(b.warnings, 0);
	assert_int_equal(imx8qx_model_irqsteer(IRQSTEER_CHN_CTL), 1u);
	expect_in(imx8qx_model_uart_text(IMX8QX_CONSOLE_BASE),
		  "imx8qx: " IMX8QX_BOARD_NAME " M4 up, cpu 264000000 Hz, SCFW warnings 0\n");
}

static void the_doorbell_goes_through_irqsteer_both_ways(void **state)
{
	struct imx8qx_bringup b;
	struct mu *mu5 = imx8qx_model_mu5();
	uint32_t notifyid = 99;

	(void)state;
	soc_up(&board_cfg);
	assert_int_equal(imx8qx_bringup(&b), 0);
	/* What the port's doorbell init and enable do (port_imx8qx.c). */
	mu5b_init(IMX8QX_MU5B_BASE);
	assert_int_equal(irqsteer_enable(IMX8QX_IRQ_LSIO_MU5_B, 3), 0);
	mu5b_rx_irq(IMX8QX_MU5B_BASE, 1);
	assert_true(imx8qx_model_nvic_enabled(35));
	assert_int_equal(irqsteer_next(3), 0);

	/* Linux kicks vring 1: imx_rproc_kick writes 1 << 16 to TR1 of side A. */
	assert_int_equal(mu_doorbell_send(mu5, MU_SIDE_A, 1, NULL), 0);
	assert_false(mu_get_sr(mu5, MU_SIDE_A) & MU_SR_TE(1)); /* Linux's TX pending ... */
	assert_int_equal(irqsteer_next(3), 283);
	assert_int_equal(mu5b_take(IMX8QX_MU5B_BASE, &notifyid), 0);
	assert_int_equal(notifyid, 1);
	assert_true(mu_get_sr(mu5, MU_SIDE_A) & MU_SR_TE(1)); /* ... completed by our RR1 read */
	assert_int_equal(irqsteer_next(3), 0);
	assert_int_equal(mu5b_take(IMX8QX_MU5B_BASE, &notifyid), -MMAMP_EAGAIN);

	/* The M4 kicks vring 0: Linux finds 0 << 16 in its RR1. */
	assert_int_equal(mu5b_send(IMX8QX_MU5B_BASE, 0), 0);
	assert_int_equal(mu_doorbell_recv(mu5, MU_SIDE_A, &notifyid), 0);
	assert_int_equal(notifyid, 0);
	assert_int_equal(mu5b_send(IMX8QX_MU5B_BASE, 0x10000u), -MMAMP_EINVAL);
	assert_null(imx8qx_model_fault());
}

static void touching_mu5b_before_power_is_a_bus_fault(void **state)
{
	(void)state;
	soc_up(&board_cfg);
	mu5b_init(IMX8QX_MU5B_BASE); /* the doorbell set up before the bring-up */
	assert_non_null(imx8qx_model_fault());
	assert_string_equal(imx8qx_model_fault(),
			    "bus fault: MU5 side B access at 0x5d290024: SC_R_MU_5B is not powered");
}

static void irqsteer_before_power_is_a_bus_fault(void **state)
{
	(void)state;
	soc_up(&board_cfg);
	irqsteer_init();
	assert_non_null(imx8qx_model_fault());
	expect_in(imx8qx_model_fault(), "IRQSTEER access at 0x51070004: SC_R_IRQSTR_M4_0");
}

static void mu5b_not_given_to_the_m4_stops_the_bringup(void **state)
{
	struct imx8qx_bringup b;

	(void)state;
	soc_up(&board_cfg);
	assert_int_equal(mmamp_scu_assign_resource(&scu, APU_PARTITION, 227, APU_PARTITION, NULL),
			 0);
	assert_int_equal(imx8qx_bringup(&b), -MMAMP_EIO);
	assert_string_equal(b.failed, "power MU_5B");
	assert_int_equal(b.ipc.sc_err, 4);
	expect_in(said, "imx8qx: pm_set_resource_power_mode(227) failed: SC_ERR_NOACCESS (4)\n");
	expect_in(said, "imx8qx: bring-up stopped at: power MU_5B\n");
	assert_int_equal(imx8qx_model_power(227), 0);
	assert_null(imx8qx_model_fault()); /* nothing touched MU5 B */
}

static void a_uart_outside_the_partition_leaves_no_console_but_runs(void **state)
{
	const struct imx8qx_model_config alt = { .uart_granted = false };
	struct imx8qx_bringup b;
	char line[128];

	(void)state;
	soc_up(&alt);
	assert_int_equal(imx8qx_bringup(&b), 0);
	assert_false(b.console);
	assert_int_equal(b.warnings, 1);
	snprintf(line, sizeof(line),
		 "imx8qx: pm_set_resource_power_mode(%u) failed: SC_ERR_NOACCESS (4)\n",
		 IMX8QX_CONSOLE_RSRC);
	expect_in(said, line);
	expect_in(said, "imx8qx: no console UART\n");
	expect_in(said, "SCFW warnings 1\n");
	assert_string_equal(imx8qx_model_uart_text(IMX8QX_CONSOLE_BASE), "");
	assert_null(imx8qx_model_fault());
	assert_int_equal(imx8qx_model_power(227), 3); /* the doorbell is still there */
}

static void a_silent_scu_is_a_timeout(void **state)
{
	const struct imx8qx_model_config silent = { .scu_silent = true, .uart_granted = true };
	struct imx8qx_bringup b;

	(void)state;
	soc_up(&silent);
	assert_int_equal(imx8qx_bringup(&b), -MMAMP_ETIMEDOUT);
	assert_string_equal(b.failed, "open the SCU IPC");
	expect_in(said, "imx8qx: pm_get_clock_rate(278) failed: no answer from the SCU (MU1 A)\n");
	assert_null(imx8qx_model_fault());
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(the_sequence_powers_before_it_touches, teardown),
		cmocka_unit_test_teardown(the_doorbell_goes_through_irqsteer_both_ways, teardown),
		cmocka_unit_test_teardown(touching_mu5b_before_power_is_a_bus_fault, teardown),
		cmocka_unit_test_teardown(irqsteer_before_power_is_a_bus_fault, teardown),
		cmocka_unit_test_teardown(mu5b_not_given_to_the_m4_stops_the_bringup, teardown),
		cmocka_unit_test_teardown(a_uart_outside_the_partition_leaves_no_console_but_runs,
					  teardown),
		cmocka_unit_test_teardown(a_silent_scu_is_a_timeout, teardown),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PLATFORM.dtb\n", argv[0]);
		return 2;
	}
	platform_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
