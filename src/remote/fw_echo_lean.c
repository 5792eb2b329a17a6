/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_echo_lean.c — the smallest full-stack echo firmware: the firmware runtime (remote.h) with
 * one announced endpoint, "rpmsg-virtual-tty-channel-1" at 30, echoing every message byte-exact
 * to its sender. No info endpoint, no diagnostics text: the console says boot, link up/down and
 * device errors by number. What `make size` measures as the full stack's "minimal echo"
 * (docs/config.md); tests/qemu/test_qemu_machine.c boots it and echoes.
 *
 * Build definitions: FW_NAME (string literal, required); -DMMAMP_FW_PORT_H="x.h" names the
 * port header, which defines the FW_DOORBELL_* binding (ports/qemu-mps2/port_qemu.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/rpmsg.h"
#include "remote.h"
#include MMAMP_FW_PORT_H

#include "fw_layout.h" /* after the port header, which may set the addresses */

#ifndef FW_NAME
#error "fw_echo_lean: define FW_NAME (a string literal)"
#endif
#define FW_ADDR_ECHO     30u
#define FW_TX_TIMEOUT_US 1000000u

static struct mmamp_remote remote;
static FW_DOORBELL_T doorbell;
static struct mmamp_rpmsg_ept ept;

static int echo_cb(struct mmamp_rpmsg_ept *e, void *data, size_t len, uint32_t src, void *priv)
{
	int ret;

	(void)priv;
	do
		ret = mmamp_rpmsg_sendto_timeout(e, src, data, len, FW_TX_TIMEOUT_US);
	while (ret == -MMAMP_ETIMEDOUT &&
	       (__atomic_load_n(&e->rdev->vdev->status, __ATOMIC_ACQUIRE) &
		MMAMP_VIRTIO_STATUS_DRIVER_OK));
	return 0;
}

/*
 * The vdev of the live resource table (see fw_echo.c's live_vdev()), found by the lean lookup:
 * only the words that lead to it are checked; the RPMsg core checks every vdev field it reads
 * where it reads it. No usable table (attach mode): install ours.
 */
static struct mmamp_fw_rsc_vdev *live_vdev(void)
{
	struct mmamp_rsc_table_rpmsg *live = (void *)(uintptr_t)FW_RSC_TABLE_DA;
	struct mmamp_fw_rsc_vdev *vdev;

	if (mmamp_rsc_table_rpmsg_vdev(live, FW_RSC_TABLE_MAX, &vdev, NULL) == 0)
		return vdev;
	/* Installed before it is said: the host may read the table as soon as it sees the line. */
	memcpy(live, &mmamp_fw_rsc_table, sizeof(*live));
	MMAMP_WMB();
	mmamp_port_puts(FW_NAME ": no usable table, installed ours\n");
	return (struct mmamp_fw_rsc_vdev *)(void *)&live->vdev;
}

/* Link up / down and device errors, by number (mmamp_remote_event_fn; errors are negative). */
static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	mmamp_port_puts(ev == MMAMP_RPMSG_LINK_UP     ? FW_NAME ": link up\n"
			: ev == MMAMP_RPMSG_LINK_DOWN ? FW_NAME ": link down\n"
						      : FW_NAME ": rpmsg error -");
	if (ev < 0) {
		mmamp_port_put_u64((uint64_t)-ev);
		mmamp_port_puts("\n");
	}
}

int fw_main(void)
{
	static const struct mmamp_shm shm = { (void *)(uintptr_t)FW_SHM_DA, FW_SHM_DA, FW_SHM_SIZE };
	struct mmamp_remote_config cfg = { 0 };
	int ret;

	mmamp_port_puts(FW_NAME ": boot\n");
	if (FW_DOORBELL_INIT(&doorbell, FW_DOORBELL_DA, &remote))
		return 3;
	cfg.shm = &shm;
	cfg.vdev = live_vdev();
	cfg.db = &FW_DOORBELL_OPS;
	cfg.db_ctx = &doorbell;
	cfg.tick_us = MMAMP_REMOTE_TICK_US;
	cfg.on_event = on_event;
	cfg.heartbeat = (uint32_t *)(uintptr_t)(FW_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET);
	ret = mmamp_remote_init(&remote, &cfg);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept, mmamp_remote_rpmsg(&remote),
					   "rpmsg-virtual-tty-channel-1", FW_ADDR_ECHO,
					   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (ret)
		return 4;
	return mmamp_remote_run(&remote);
}
