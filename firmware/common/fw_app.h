/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_app.h — what every firmware on the runtime (mmamp/remote/runtime.h) does the same way,
 * written once: the port's memory map and doorbell (its header, MMAMP_FW_PORT_H, which
 * mmamp_add_firmware() names), the runtime and doorbell state, the service addresses, the live
 * resource table, and bring-up up to a running mmamp_remote_init(). Included by exactly one file
 * of a firmware (fw_echo.c, fw_echo_lean.c, fw_measure.c, fw_stream.c, fw_chaos.c); the functions
 * are static inline so that each firmware compiles only what it calls, with its own FW_NAME.
 * FW_LEAN_TABLE (fw_echo_lean): the live table is found by the lean lookup, said without text.
 *
 *   fw_main():  fw_boot_ns = mmamp_port_now_ns(); say what we are
 *               ret = fw_bring_up(shm, install, on_event, now_ns)   // 0, or the exit status
 *               mmamp_rpmsg_ept_init(..., fw_rdev(), ...)           // fw_init_failed() if not
 *               return mmamp_remote_run(&fw_remote);
 */
#ifndef MMAMP_FW_APP_H
#define MMAMP_FW_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmamp/diag.h"
#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/remote/runtime.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"

#ifndef MMAMP_FW_PORT_H
#error "firmware: MMAMP_FW_PORT_H names the port's header (mmamp_add_firmware() defines it)"
#endif
#include MMAMP_FW_PORT_H

#include "fw_text.h"

#if !defined(FW_SHM_DA) || !defined(FW_WINDOW_DA) || !defined(FW_RSC_TABLE_DA) || \
	!defined(FW_DOORBELL_OPS)
#error "firmware: the port header lacks its memory map or doorbell (mmamp/remote/port.h)"
#endif

/* The idle loop's tick (mmamp/remote/runtime.h); a port may change it (qemu's probe: no tick). */
#ifndef FW_TICK_US
#define FW_TICK_US MMAMP_REMOTE_TICK_US
#endif

/* The services' addresses, the same in every firmware (the host's TTYs bind them). */
#define FW_ADDR_TTY          30u
#define FW_ADDR_TTY_MAINLINE 31u
#define FW_ADDR_RAW          40u
#define FW_ADDR_INFO         50u
#define FW_ADDR_SINK         60u

/*
 * How long one wait for the host to hand back a TX buffer lasts; a callback repeats it while
 * fw_link_ok(). The main loop waits with it: a host reset is noticed at most this much later.
 */
#define FW_TX_TIMEOUT_US 1000000u

#ifdef FW_POLLED
#define FW_POLLED_MODE true
#define FW_MODE_TEXT   "polled"
#else
#define FW_POLLED_MODE false
#define FW_MODE_TEXT   "interrupt"
#endif

/* The two shared windows of the port (mmamp/remote/port.h), as struct mmamp_shm initialisers. */
#define FW_SHM_INIT    { (void *)(uintptr_t)FW_SHM_DA, FW_SHM_DA, FW_SHM_SIZE }
#define FW_WINDOW_INIT { (void *)(uintptr_t)FW_WINDOW_DA, FW_WINDOW_DA, FW_WINDOW_SIZE }

static struct mmamp_remote fw_remote;
static FW_DOORBELL_T fw_doorbell;
static uint64_t fw_boot_ns;

/** fw_rdev() - the runtime's RPMsg device, for endpoints. */
static inline struct mmamp_rpmsg_dev *fw_rdev(void)
{
	return mmamp_remote_rpmsg(&fw_remote);
}

/** fw_uptime_ms() - since fw_main() set fw_boot_ns. */
static inline uint64_t fw_uptime_ms(void)
{
	return (mmamp_port_now_ns() - fw_boot_ns) / 1000000u;
}

/** fw_link_ok() - whether the host still has the vdev up (it resets it by writing status 0). */
static inline bool fw_link_ok(const struct mmamp_rpmsg_ept *ept)
{
	return mmamp_rpmsg_host_ready(ept->rdev);
}

/**
 * fw_send_while_up() - send @len bytes at @data from @ept to @dst, waiting for a TX buffer as long
 * as the host keeps the link up: a slow host (a loaded machine) only delays the message; each
 * wait is bounded (FW_TX_TIMEOUT_US), so a reset of the host is still noticed. Return: 0 or the
 * send's error.
 */
static inline int fw_send_while_up(struct mmamp_rpmsg_ept *ept, uint32_t dst, const void *data,
				   size_t len)
{
	int ret;

	do
		ret = mmamp_rpmsg_sendto_timeout(ept, dst, data, len, FW_TX_TIMEOUT_US);
	while (ret == -MMAMP_ETIMEDOUT && fw_link_ok(ept));
	return ret;
}

#ifdef FW_LEAN_TABLE
/*
 * fw_echo_lean's fw_live_vdev(): the live table found by the lean lookup
 * (mmamp_rsc_table_rpmsg_vdev(): only the words that lead to our one vdev are checked; the RPMsg
 * core checks each vdev field it reads where it reads it, docs/config.md), said without text.
 */
static inline struct mmamp_fw_rsc_vdev *fw_live_vdev(bool install)
{
	struct mmamp_rsc_table_rpmsg *live = (void *)(uintptr_t)FW_RSC_TABLE_DA;
	struct mmamp_fw_rsc_vdev *vdev;

	if (mmamp_rsc_table_rpmsg_vdev(live, MMAMP_RSC_TABLE_LINUX_MAX, &vdev, NULL) == 0)
		return vdev;
	if (!install) {
		fw_say("no usable table\n");
		return NULL;
	}
	/* Installed before it is said: the host may read the table as soon as it sees the line. */
	memcpy(live, &mmamp_fw_rsc_table, sizeof(*live));
	MMAMP_WMB();
	fw_say("no usable table: installed ours\n");
	return (struct mmamp_fw_rsc_vdev *)(void *)&live->vdev;
}
#else
/*
 * The vdev of the live resource table. The host (remoteproc) copied our table there before it
 * started us and writes status, features and vring addresses into that copy. If there is no
 * valid table (the core was started without a loader, "attach mode") and @install, ours is
 * installed, as NXP firmware does for Linux to attach to (docs/imx8x-board.md); otherwise NULL.
 */
static inline struct mmamp_fw_rsc_vdev *fw_live_vdev(bool install)
{
	void *live = (void *)(uintptr_t)FW_RSC_TABLE_DA;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_diag d;
	char text[160];

	if (mmamp_rsc_table_find_vdev(live, MMAMP_RSC_TABLE_LINUX_MAX, 0, &vdev, &d) == 0) {
		if (MMAMP_SHM_READ(vdev->id) == MMAMP_VIRTIO_ID_RPMSG)
			return vdev;
		mmamp_diag_set(&d, MMAMP_ENODEV, "live resource table vdev", 0, "id",
			       MMAMP_SHM_READ(vdev->id), "is not RPMsg (7)");
	}
	/* Installed before it is said: the host may read the table as soon as it sees the line. */
	if (install) {
		memcpy(live, &mmamp_fw_rsc_table, sizeof(mmamp_fw_rsc_table));
		MMAMP_WMB();
	}
	mmamp_diag_format(&d, text, sizeof(text));
	fw_say("no usable table at ");
	mmamp_port_put_hex(FW_RSC_TABLE_DA);
	mmamp_port_puts(" (");
	mmamp_port_puts(text);
	if (!install) {
		mmamp_port_puts(")\n");
		return NULL;
	}
	mmamp_port_puts("): installed ours\n");
	return (struct mmamp_fw_rsc_vdev *)(void *)((uint8_t *)live +
						    offsetof(struct mmamp_rsc_table_rpmsg, vdev));
}
#endif /* FW_LEAN_TABLE */

/** fw_init_failed() - say why fw_main() gives up after bring-up; returns its exit status 4. */
static inline int fw_init_failed(int err)
{
	fw_say_errno("init failed, error -", err);
	return 4;
}

/**
 * fw_bring_up() - the doorbell, the live table and the runtime on the port: rings and buffers in
 * @shm, the table installed if missing and @install, link events to @on_event, the doorbell
 * clock @now_ns (optional). Return: 0, or fw_main()'s exit status: 3 without a doorbell device,
 * 5 without a usable table, 4 when mmamp_remote_init() failed (said: fw_init_failed()).
 */
static inline int fw_bring_up(const struct mmamp_shm *shm, bool install,
			      mmamp_remote_event_fn on_event, uint64_t (*now_ns)(void))
{
	struct mmamp_remote_config cfg = { 0 };
	int ret;

	if (FW_DOORBELL_INIT(&fw_doorbell, FW_DOORBELL_DA, &fw_remote)) {
		fw_say("no MU at ");
		mmamp_port_put_hex(FW_DOORBELL_DA);
		mmamp_port_puts("\n");
		return 3;
	}
	cfg.vdev = fw_live_vdev(install);
	if (!install && !cfg.vdev) /* (with @install there always is one) */
		return 5;
	cfg.shm = shm;
	cfg.db = &FW_DOORBELL_OPS;
	cfg.db_ctx = &fw_doorbell;
	cfg.polled = FW_POLLED_MODE;
	cfg.tick_us = FW_TICK_US;
	cfg.on_event = on_event;
#ifndef FW_NO_HEARTBEAT /* a test build that, like an RPMsg-Lite/OpenAMP remote, writes neither
			* the heartbeat nor the link epoch (docs/interop.md) */
	cfg.heartbeat = (uint32_t *)(uintptr_t)(FW_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET);
#endif
	if (now_ns) /* (cfg is zeroed: no store to fold away when there is none) */
		cfg.now_ns = now_ns;
	ret = mmamp_remote_init(&fw_remote, &cfg);
	return ret ? fw_init_failed(ret) : 0;
}

#endif /* MMAMP_FW_APP_H */
