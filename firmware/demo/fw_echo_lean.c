/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_echo_lean.c — the smallest full-stack echo firmware: the firmware runtime
 * (mmamp/remote/runtime.h) with one announced endpoint, "rpmsg-virtual-tty-channel-1" at 30,
 * echoing every message byte-exact to its sender. No info endpoint, no diagnostics text: the live
 * table is found by the lean lookup (FW_LEAN_TABLE, fw_app.h), the console says link up/down and
 * device errors by number. What `make size` measures as the full stack's "minimal echo"
 * (docs/config.md); tests/qemu/test_qemu_machine.c boots it and echoes.
 *
 * Build definitions: FW_NAME (string literal, required; mmamp_add_firmware() names the port).
 */
#define FW_LEAN_TABLE
#include "fw_app.h"

#ifndef FW_NAME
#error "fw_echo_lean: define FW_NAME (a string literal)"
#endif

static struct mmamp_rpmsg_ept ept;

static int echo_cb(struct mmamp_rpmsg_ept *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	fw_send_while_up(e, src, data, len); /* a failure is the host's reset: nothing to say */
	return 0;
}

/* Link up / down and device errors, by number (mmamp_remote_event_fn; errors are negative). */
static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP) {
		fw_say("link up\n");
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		fw_say("link down\n");
	} else {
		fw_say_errno("rpmsg error -", ev);
	}
}

int fw_main(void)
{
	static const struct mmamp_shm window = FW_WINDOW_INIT;
	int ret;

	fw_say("boot\n");
	ret = fw_bring_up(&window, true, on_event, NULL);
	if (ret)
		return ret;
	ret = mmamp_rpmsg_ept_init(&ept, fw_rdev(), "rpmsg-virtual-tty-channel-1", FW_ADDR_TTY,
				   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	return ret ? fw_init_failed(ret) : mmamp_remote_run(&fw_remote);
}
