/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo.c — a firmware outside the mmamp tree, on mmamp's remote runtime and any of its ports:
 * one announced endpoint, "rpmsg-raw" at 40, that sends every message back to its sender
 * byte-exact. What a port must give it (memory map, doorbell, console, clock) comes from the port
 * header (MMAMP_FW_PORT_H); the bring-up, the live resource table and the retry while the host
 * is slow come from fw_app.h. Built by CMakeLists.txt (mmamp_add_firmware) or the Makefile
 * (share/mmamp/firmware-sources.mk); tests/install/check-install.sh runs it on the simulated
 * M4 and on QEMU.
 */
#define FW_NAME     "example_fw"
#define FW_BUILD_ID "1"

#include "fw_app.h"

static struct mmamp_rpmsg_ept ept;

static int echo(struct mmamp_rpmsg_ept *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	(void)fw_send_while_up(e, src, data, len); /* a slow host delays it, a reset ends it */
	return 0;
}

int fw_main(void)
{
	static const struct mmamp_shm shm = FW_SHM_INIT;
	int ret;

	fw_boot_ns = mmamp_port_now_ns();
	fw_say("boot\n");
	ret = fw_bring_up(&shm, true, NULL, NULL);
	if (ret)
		return ret;
	ret = mmamp_rpmsg_ept_init(&ept, fw_rdev(), "rpmsg-raw", FW_ADDR_RAW, MMAMP_RPMSG_ADDR_ANY,
				   echo, NULL);
	if (ret)
		return fw_init_failed(ret);
	return mmamp_remote_run(&fw_remote);
}
