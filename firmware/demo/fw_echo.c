/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_echo.c — the echo firmware: the firmware runtime (mmamp/remote/runtime.h) on a port's
 * doorbell (the sim's MU side B, QEMU's UART1, the i.MX8QXP's MU5 B), with four announced
 * endpoints:
 *
 *   name                          addr  behaviour
 *   rpmsg-virtual-tty-channel-1    30   echoes every message byte-exact to its sender (the TTY
 *                                       echo service of NXP's rpmsg_lite_str_echo demo; NXP's
 *                                       BSP imx_rpmsg_tty binds this name)
 *   rpmsg-tty                      31   the same echo under the name mainline Linux's rpmsg_tty
 *                                       binds (/dev/ttyRPMSG<n>; docs/linux-host.md)
 *   rpmsg-raw                      40   the same echo (the host exposes it with message
 *                                       boundaries; mainline rpmsg_char binds it: /dev/rpmsg<n>)
 *   mmamp-info                     50   answers any message with one text line
 *                                       "fw=<FW_NAME> build=<FW_BUILD_ID> uptime_ms=<n>\n"
 *
 * Build definitions:
 *   FW_NAME, FW_BUILD_ID  string literals (required): what mmamp-info reports, so a firmware
 *                         swap is observable from the host.
 *   FW_POLLED             spin on the MU status instead of sleeping until the MU interrupt.
 *   FW_CRASH_ADDR=addr    fault-injection variant: a message "crash" to mmamp-info makes the
 *                         firmware store to @addr, which no region covers: the core faults and
 *                         the host sees a crash (SIGSEGV at that address, exit 139).
 *
 * Console: one line per lifecycle event (boot, link up, each announcement, link down, device
 * errors), nothing per message.
 */
#include "fw_app.h"

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_echo: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

static struct mmamp_rpmsg_ept ept_tty, ept_tty_mainline, ept_raw, ept_info;
static uint32_t echo_drops;
static int last_drop_error;

static int echo_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	/* An echo is never dropped while the link is up (fw_send_while_up()). */
	int ret = fw_send_while_up(ept, src, data, len);

	(void)priv;
	if (ret) {
		/* Counted; said once per kind of failure, not per message. */
		echo_drops++;
		if (ret != last_drop_error) {
			last_drop_error = ret;
			fw_say("echo dropped, error -");
			mmamp_port_put_u64((uint64_t)-ret);
			mmamp_port_puts("\n");
		}
	}
	return 0;
}

static int info_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	char line[FW_INFO_LINE_MAX];

	(void)priv;
#ifdef FW_CRASH_ADDR
	if (fw_is_crash_request(data, len)) {
		fw_say("crash requested: store to ");
		mmamp_port_put_hex(FW_CRASH_ADDR);
		mmamp_port_puts("\n");
		*(volatile uint32_t *)(uintptr_t)(FW_CRASH_ADDR) = 0xdeadbeefu;
	}
#else
	(void)data;
	(void)len;
#endif
	if (mmamp_rpmsg_sendto_timeout(ept, src, line, fw_info_line(line, fw_uptime_ms()),
				       FW_TX_TIMEOUT_US))
		echo_drops++;
	return 0;
}

static void say_announced(const struct mmamp_rpmsg_ept *e)
{
	if (!e->announced)
		return;
	fw_say("announced ");
	mmamp_port_puts(e->name);
	mmamp_port_puts(" at ");
	mmamp_port_put_u64(e->addr);
	mmamp_port_puts("\n");
}

static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	const struct mmamp_rpmsg_stats *st = mmamp_rpmsg_stats(mmamp_remote_rpmsg(r));
	struct mmamp_diag d;
	char text[160];

	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP) {
		fw_say("link up\n");
		say_announced(&ept_tty);
		say_announced(&ept_tty_mainline);
		say_announced(&ept_raw);
		say_announced(&ept_info);
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		fw_say("link down (rx ");
		mmamp_port_put_u64(st->rx);
		mmamp_port_puts(", tx ");
		mmamp_port_put_u64(st->tx);
		mmamp_port_puts(", dropped ");
		mmamp_port_put_u64(echo_drops + st->rx_no_ept + st->rx_malformed);
		mmamp_port_puts(")\n");
		last_drop_error = 0;
	} else {
		fw_say("rpmsg error -");
		mmamp_port_put_u64((uint64_t)-ev);
		if (mmamp_rpmsg_fault(mmamp_remote_rpmsg(r), &d)) {
			mmamp_diag_format(&d, text, sizeof(text));
			mmamp_port_puts(": ");
			mmamp_port_puts(text);
		}
		mmamp_port_puts("\n");
	}
}

int fw_main(void)
{
	static const struct mmamp_shm window = FW_WINDOW_INIT;
	struct mmamp_rpmsg_dev *rdev = fw_rdev();
	int ret;

	fw_boot_ns = mmamp_port_now_ns();
	fw_say("boot build=" FW_BUILD_ID " (" FW_MODE_TEXT " mode)\n");
	ret = fw_bring_up(&window, true, on_event, NULL);
	if (ret)
		return ret;
	/* Endpoints are announced newest first: create them in reverse so the TTY goes first. */
	ret = mmamp_rpmsg_ept_init(&ept_info, rdev, "mmamp-info", FW_ADDR_INFO,
					   MMAMP_RPMSG_ADDR_ANY, info_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_raw, rdev, "rpmsg-raw", FW_ADDR_RAW,
					   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_tty_mainline, rdev, "rpmsg-tty",
					   FW_ADDR_TTY_MAINLINE, MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_tty, rdev, "rpmsg-virtual-tty-channel-1", FW_ADDR_TTY,
					   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (ret)
		return fw_init_failed(ret);
	return mmamp_remote_run(&fw_remote);
}
