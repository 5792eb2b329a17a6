/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_echo.c — the echo firmware for the simulated M4: the firmware runtime (remote.h) on MU
 * side B, with three announced endpoints:
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
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmamp/diag.h"
#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/rpmsg.h"
#include "fw_text.h"
#include "remote.h"
/*
 * The port: the sim's by default; another board names its header with -DMMAMP_FW_PORT_H="x.h"
 * (ports/qemu-mps2/port_qemu.h), which defines the FW_* addresses and doorbell binding below.
 */
#ifdef MMAMP_FW_PORT_H
#include MMAMP_FW_PORT_H
#else
#include "port_sim.h"
#include "port_sim_extra.h"
#define FW_DOORBELL_T    struct mmamp_sim_doorbell
#define FW_DOORBELL_DA   MMAMP_SIM_MU_DA
#define FW_DOORBELL_INIT mmamp_sim_doorbell_init
#define FW_DOORBELL_OPS  mmamp_sim_doorbell_ops
#endif

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_echo: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

/*
 * The shared window every ring and buffer the host hands us must lie in: vrings at 0x90000000,
 * the live resource table at 0x900FF000 and the buffer pool at 0x90400000 (docs/imx8x-board.md) for
 * mmampd, and — for the real Linux kernel (docs/linux-host.md) — the kernel's RPMsg buffers,
 * which virtio_rpmsg_bus takes from general RAM and describes by physical address: under
 * User-Mode Linux that is 0x00010000 up to the size of its RAM. So the window runs from
 * 0x00010000 to the end of the buffer pool, 0x904FFFFF. Most of it is not granted to the M4
 * (below the TCMs, between them and the MU, and the gaps 0x90020000..0x900FEFFF and
 * 0x90100000..0x903FFFFF): in the sim those ranges are unmapped, so a hostile descriptor
 * pointing there passes the window check but faults the core on first access — the host then
 * sees a crash (SIGSEGV at that address), never silent corruption of memory the M4 should not
 * reach. The window also covers the M4's own TCMs and DDR, which a host that writes our
 * firmware image anyway could overwrite in other ways. (On silicon the M4's MPU should be set
 * up the same way.)
 */
#ifndef FW_SHM_DA
#define FW_SHM_DA       0x00010000u
#define FW_SHM_SIZE     (0x90500000u - FW_SHM_DA)
#endif
#ifndef FW_RSC_TABLE_DA
#define FW_RSC_TABLE_DA 0x900FF000u
#endif
#define FW_RSC_TABLE_MAX 0x400u /* Linux maps 1 KiB of the live table (docs/imx8x-board.md) */

/* The idle loop's tick (remote.h); a port may change it (its probe build: no tick). */
#ifndef FW_TICK_US
#define FW_TICK_US MMAMP_REMOTE_TICK_US
#endif

#define FW_ADDR_TTY  30u
#define FW_ADDR_TTY_MAINLINE 31u
#define FW_ADDR_RAW  40u
#define FW_ADDR_INFO 50u

/*
 * How long an echo waits for the host to hand back a TX buffer before it is dropped (and
 * counted). The main loop waits with it: a host reset is noticed at most this much later.
 */
#define FW_TX_TIMEOUT_US 1000000u

#ifdef FW_POLLED
#define FW_POLLED_MODE true
#define FW_MODE_TEXT "polled"
#else
#define FW_POLLED_MODE false
#define FW_MODE_TEXT "interrupt"
#endif

static struct mmamp_remote remote;
static FW_DOORBELL_T doorbell;
static struct mmamp_rpmsg_ept ept_tty, ept_tty_mainline, ept_raw, ept_info;
static uint64_t boot_ns;
static uint32_t echo_drops;
static int last_drop_error;

static void say(const char *what)
{
	mmamp_port_puts(FW_NAME ": ");
	mmamp_port_puts(what);
}

/* Whether the host still has the vdev up (it resets it by writing status 0). */
static bool host_link_ok(const struct mmamp_rpmsg_ept *ept)
{
	return (__atomic_load_n(&ept->rdev->vdev->status, __ATOMIC_ACQUIRE) &
		MMAMP_VIRTIO_STATUS_DRIVER_OK) != 0;
}

static int echo_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	int ret;

	/* An echo is never dropped while the link is up: a slow host (a loaded machine) only
	 * delays it; each wait is bounded so a host reset is still noticed. */
	do
		ret = mmamp_rpmsg_sendto_timeout(ept, src, data, len, FW_TX_TIMEOUT_US);
	while (ret == -MMAMP_ETIMEDOUT && host_link_ok(ept));

	(void)priv;
	if (ret) {
		/* Counted; said once per kind of failure, not per message. */
		echo_drops++;
		if (ret != last_drop_error) {
			last_drop_error = ret;
			say("echo dropped, error -");
			mmamp_port_put_u64((uint64_t)-ret);
			mmamp_port_puts("\n");
		}
	}
	return 0;
}

static int info_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	static const char head[] = "fw=" FW_NAME " build=" FW_BUILD_ID " uptime_ms=";
	char line[sizeof(head) + 24];
	char *p = line;

	(void)priv;
#ifdef FW_CRASH_ADDR
	if (fw_is_crash_request(data, len)) {
		say("crash requested: store to ");
		mmamp_port_put_hex(FW_CRASH_ADDR);
		mmamp_port_puts("\n");
		*(volatile uint32_t *)(uintptr_t)(FW_CRASH_ADDR) = 0xdeadbeefu;
	}
#else
	(void)data;
	(void)len;
#endif
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	p = fw_put_dec(p, (mmamp_port_now_ns() - boot_ns) / 1000000u);
	*p++ = '\n';
	if (mmamp_rpmsg_sendto_timeout(ept, src, line, (size_t)(p - line), FW_TX_TIMEOUT_US))
		echo_drops++;
	return 0;
}

static void say_announced(const struct mmamp_rpmsg_ept *e)
{
	if (!e->announced)
		return;
	say("announced ");
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
		say("link up\n");
		say_announced(&ept_tty);
		say_announced(&ept_tty_mainline);
		say_announced(&ept_raw);
		say_announced(&ept_info);
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		say("link down (rx ");
		mmamp_port_put_u64(st->rx);
		mmamp_port_puts(", tx ");
		mmamp_port_put_u64(st->tx);
		mmamp_port_puts(", dropped ");
		mmamp_port_put_u64(echo_drops + st->rx_no_ept + st->rx_malformed);
		mmamp_port_puts(")\n");
		last_drop_error = 0;
	} else {
		say("rpmsg error -");
		mmamp_port_put_u64((uint64_t)-ev);
		if (mmamp_rpmsg_fault(mmamp_remote_rpmsg(r), &d)) {
			mmamp_diag_format(&d, text, sizeof(text));
			mmamp_port_puts(": ");
			mmamp_port_puts(text);
		}
		mmamp_port_puts("\n");
	}
}

/*
 * The vdev of the live resource table. The host (remoteproc) copied our table there before it
 * started us and writes status, features and vring addresses into that copy. If there is no
 * valid table (the core was started without a loader, "attach mode"), install ours, as NXP
 * firmware does for Linux to attach to (docs/imx8x-board.md).
 */
static struct mmamp_fw_rsc_vdev *live_vdev(void)
{
	void *live = (void *)(uintptr_t)FW_RSC_TABLE_DA;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_diag d;
	char text[160];

	if (mmamp_rsc_table_find_vdev(live, FW_RSC_TABLE_MAX, 0, &vdev, &d) == 0) {
		if (MMAMP_SHM_READ(vdev->id) == MMAMP_VIRTIO_ID_RPMSG)
			return vdev;
		mmamp_diag_set(&d, MMAMP_ENODEV, "live resource table vdev", 0, "id",
			       MMAMP_SHM_READ(vdev->id), "is not RPMsg (7)");
	}
	/* Installed before it is said: the host may read the table as soon as it sees the line. */
	memcpy(live, &mmamp_fw_rsc_table, sizeof(mmamp_fw_rsc_table));
	MMAMP_WMB();
	mmamp_diag_format(&d, text, sizeof(text));
	say("no usable table at ");
	mmamp_port_put_hex(FW_RSC_TABLE_DA);
	mmamp_port_puts(" (");
	mmamp_port_puts(text);
	mmamp_port_puts("): installed ours\n");
	return (struct mmamp_fw_rsc_vdev *)(void *)((uint8_t *)live +
						    offsetof(struct mmamp_rsc_table_rpmsg, vdev));
}

int fw_main(void)
{
	static const struct mmamp_shm shm = { (void *)(uintptr_t)FW_SHM_DA, FW_SHM_DA, FW_SHM_SIZE };
	struct mmamp_remote_config cfg = { 0 };
	struct mmamp_rpmsg_dev *rdev;
	int ret;

	boot_ns = mmamp_port_now_ns();
	say("boot build=" FW_BUILD_ID " (" FW_MODE_TEXT " mode)\n");
	if (FW_DOORBELL_INIT(&doorbell, FW_DOORBELL_DA, &remote)) {
		say("no MU at ");
		mmamp_port_put_hex(FW_DOORBELL_DA);
		mmamp_port_puts("\n");
		return 3;
	}
	cfg.shm = &shm;
	cfg.vdev = live_vdev();
	cfg.db = &FW_DOORBELL_OPS;
	cfg.db_ctx = &doorbell;
	cfg.polled = FW_POLLED_MODE;
	cfg.tick_us = FW_TICK_US;
	cfg.on_event = on_event;
	cfg.heartbeat = (uint32_t *)(uintptr_t)(FW_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET);
	ret = mmamp_remote_init(&remote, &cfg);
	rdev = mmamp_remote_rpmsg(&remote);
	/* Endpoints are announced newest first: create them in reverse so the TTY goes first. */
	if (!ret)
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
	if (ret) {
		say("init failed, error -");
		mmamp_port_put_u64((uint64_t)-ret);
		mmamp_port_puts("\n");
		return 4;
	}
	return mmamp_remote_run(&remote);
}
