/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_measure.c — MeasureMan's measurement responder for the simulated M4 (and, with
 * -DMMAMP_FW_PORT_H="port_qemu.h", the Cortex-M4 under QEMU): the firmware runtime (remote.h) with the runtime's doorbell clock on (timestamp point 4 of the
 * paper's Fig. 4), and three announced endpoints:
 *
 *   name                          addr  behaviour
 *   rpmsg-virtual-tty-channel-1    30   measuring echo, the TTY variant (ttyRPMSG30 on the host)
 *   rpmsg-raw                      40   measuring echo (the in-process / rpmsg_char path)
 *   mmamp-info                     50   "fw=<FW_NAME> build=<FW_BUILD_ID> uptime_ms=<n>\n"
 *
 * A measuring echo sends every message back byte-exact; a message that starts with a MeasureMan
 * header (tools/measureman/mm_wire.h, magic "MMT1") gets the header's remote fields filled in:
 * isr_ns (the clock at the entry of the ISR that took the request's doorbell), doorbells, flags
 * and, last, sent_ns (the clock just before the reply is handed to RPMsg). The reply is built in
 * a zero-copy TX buffer, so the copy of the payload counts as remote processing and only the
 * vring publish and the MU write fall after sent_ns.
 *
 * Build definitions: FW_NAME, FW_BUILD_ID (string literals, required); FW_POLLED (spin on the
 * MU status instead of sleeping until the MU interrupt).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mm_wire.h"
#include "mmamp/diag.h"
#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/rpmsg.h"
#include "fw_text.h"
#include "remote.h"
/*
 * The port: the sim's by default; another board names its header with -DMMAMP_FW_PORT_H="x.h"
 * (ports/qemu-mps2/port_qemu.h), as for fw_echo.c. Such a port may define FW_CLOCK_SERVE():
 * its clock is not the host's, and a MeasureMan clock request (MM_WIRE_CLOCK_MAGIC) runs it.
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
/* The sim core runs ISRs only where its main loop waits (see measure_cb). */
#define FW_TAKE_PENDING_DOORBELL 1
#endif

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_measure: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

/* The shared window, live table and addresses: the same as fw_echo's (docs/imx8x-board.md). */
#ifndef FW_SHM_DA
#define FW_SHM_DA        0x90000000u
#define FW_SHM_SIZE      0x500000u
#endif
#ifndef FW_RSC_TABLE_DA
#define FW_RSC_TABLE_DA  0x900FF000u
#endif
#define FW_RSC_TABLE_MAX 0x400u

#define FW_ADDR_TTY  30u
#define FW_ADDR_RAW  40u
#define FW_ADDR_INFO 50u

/* How long one wait for a free TX buffer lasts; repeated while the link stays up. */
#define FW_TX_TIMEOUT_US 1000000u

#ifdef FW_POLLED
#define FW_POLLED_MODE true
#define FW_MODE_TEXT   "polled"
#define FW_FLAGS       (MM_WIRE_STAMPED | MM_WIRE_POLLED)
#else
#define FW_POLLED_MODE false
#define FW_MODE_TEXT   "interrupt"
#define FW_FLAGS       MM_WIRE_STAMPED
#endif

static struct mmamp_remote remote;
static FW_DOORBELL_T doorbell;
static struct mmamp_rpmsg_ept ept_tty, ept_raw, ept_info;
static uint64_t boot_ns;
static uint32_t drops;

static void say(const char *what)
{
	mmamp_port_puts(FW_NAME ": ");
	mmamp_port_puts(what);
}

#ifdef FW_CLOCK_SERVE
/* Serving the host's clock ping-pong keeps the core out of its main loop: it beats here. */
static void clock_beat(void *ctx)
{
	mmamp_remote_beat(ctx);
}
#endif

static bool host_link_ok(const struct mmamp_rpmsg_ept *ept)
{
	return (__atomic_load_n(&ept->rdev->vdev->status, __ATOMIC_ACQUIRE) &
		MMAMP_VIRTIO_STATUS_DRIVER_OK) != 0;
}

/* A TX buffer, waiting for the host to hand one back as long as the link is up. */
static void *tx_buffer(struct mmamp_rpmsg_ept *ept)
{
	uint32_t size;
	void *buf;
	int err;

	do
		buf = mmamp_rpmsg_get_tx_buffer(ept, &size, FW_TX_TIMEOUT_US, &err);
	while (!buf && err == -MMAMP_ETIMEDOUT && host_link_ok(ept));
	return buf;
}

/* Fill the remote fields of a MeasureMan header in the reply @buf; sent_ns is read last. */
static void stamp_reply(uint8_t *buf, size_t len, uint64_t isr_ns)
{
	struct mm_wire_hdr h;

	if (len < MM_WIRE_HDR)
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != MM_WIRE_MAGIC)
		return;
	h.isr_ns = isr_ns;
	h.doorbells = mmamp_remote_stats(&remote)->doorbells;
	h.flags = FW_FLAGS;
	h.sent_ns = mmamp_port_now_ns();
	memcpy(buf, &h, sizeof(h));
}

static int measure_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	uint64_t isr_ns;
	uint8_t *buf;

	/*
	 * The sim core runs ISRs only where its main loop waits (interrupts masked meanwhile). A
	 * message the loop found while busy has its doorbell still pending: take it now, as an
	 * M4 would on unmasking, so that the host's next kick rings instead of being coalesced
	 * into this one. isr_ns is then the (late) ISR entry; the host checks its order.
	 */
#ifdef FW_TAKE_PENDING_DOORBELL
	mmamp_remote_isr(&remote);
#endif
	/*
	 * With a real doorbell interrupt (QEMU) the main loop may find a message before its
	 * doorbell's ISR has run (the memory is faster than the doorbell): isr_ns is then an
	 * earlier doorbell's. The header's doorbell count lets the host tell (link_inproc.c).
	 */
	isr_ns = mmamp_remote_isr_ns(&remote);
#ifdef FW_CLOCK_SERVE
	/* A clock request: answer the host's ping-pong, then echo it to say we are done. */
	if (len >= MM_WIRE_HDR) {
		uint32_t magic;

		memcpy(&magic, data, sizeof(magic));
		if (magic == MM_WIRE_CLOCK_MAGIC)
			(void)FW_CLOCK_SERVE(clock_beat, &remote);
	}
#endif
	buf = tx_buffer(ept);
	(void)priv;
	if (!buf || len > MMAMP_RPMSG_MTU) {
		if (buf)
			mmamp_rpmsg_release_tx_buffer(ept->rdev, buf);
		drops++;
		return 0;
	}
	memcpy(buf, data, len);
	stamp_reply(buf, len, isr_ns);
	if (mmamp_rpmsg_send_nocopy(ept, src, buf, len))
		drops++;
	return 0;
}

static int info_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	static const char head[] = "fw=" FW_NAME " build=" FW_BUILD_ID " uptime_ms=";
	char line[sizeof(head) + 24];
	char *p = line;

	(void)data;
	(void)len;
	(void)priv;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	p = fw_put_dec(p, (mmamp_port_now_ns() - boot_ns) / 1000000u);
	*p++ = '\n';
	if (mmamp_rpmsg_sendto_timeout(ept, src, line, (size_t)(p - line), FW_TX_TIMEOUT_US))
		drops++;
	return 0;
}

static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP) {
		say("link up\n");
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		say("link down (dropped ");
		mmamp_port_put_u64(drops);
		mmamp_port_puts(")\n");
	} else {
		say("rpmsg error -");
		mmamp_port_put_u64((uint64_t)-ev);
		mmamp_port_puts("\n");
	}
}

/* The vdev of the live table; without one (attach mode) ours is installed, as fw_echo does. */
static struct mmamp_fw_rsc_vdev *live_vdev(void)
{
	void *live = (void *)(uintptr_t)FW_RSC_TABLE_DA;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_diag d;

	if (mmamp_rsc_table_find_vdev(live, FW_RSC_TABLE_MAX, 0, &vdev, &d) == 0 &&
	    MMAMP_SHM_READ(vdev->id) == MMAMP_VIRTIO_ID_RPMSG)
		return vdev;
	memcpy(live, &mmamp_fw_rsc_table, sizeof(mmamp_fw_rsc_table));
	MMAMP_WMB();
	say("no usable live resource table: installed ours\n");
	return (struct mmamp_fw_rsc_vdev *)(void *)((uint8_t *)live +
						    offsetof(struct mmamp_rsc_table_rpmsg, vdev));
}

static int create_endpoints(struct mmamp_rpmsg_dev *rdev)
{
	/* Announced newest first: created in reverse so the TTY goes first. */
	int ret = mmamp_rpmsg_ept_init(&ept_info, rdev, "mmamp-info", FW_ADDR_INFO,
				       MMAMP_RPMSG_ADDR_ANY, info_cb, NULL);

	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_raw, rdev, "rpmsg-raw", FW_ADDR_RAW,
					   MMAMP_RPMSG_ADDR_ANY, measure_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_tty, rdev, "rpmsg-virtual-tty-channel-1", FW_ADDR_TTY,
					   MMAMP_RPMSG_ADDR_ANY, measure_cb, NULL);
	return ret;
}

int fw_main(void)
{
	static const struct mmamp_shm shm = { (void *)(uintptr_t)FW_SHM_DA, FW_SHM_DA, FW_SHM_SIZE };
	struct mmamp_remote_config cfg = { 0 };
	int ret;

	boot_ns = mmamp_port_now_ns();
	say("boot build=" FW_BUILD_ID " (" FW_MODE_TEXT " mode)\n");
	if (FW_DOORBELL_INIT(&doorbell, FW_DOORBELL_DA, &remote)) {
		say("no MU\n");
		return 3;
	}
	cfg.shm = &shm;
	cfg.vdev = live_vdev();
	cfg.db = &FW_DOORBELL_OPS;
	cfg.db_ctx = &doorbell;
	cfg.polled = FW_POLLED_MODE;
	cfg.tick_us = MMAMP_REMOTE_TICK_US;
	cfg.on_event = on_event;
	cfg.heartbeat = (uint32_t *)(uintptr_t)(FW_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET);
	cfg.now_ns = mmamp_port_now_ns;
	ret = mmamp_remote_init(&remote, &cfg);
	if (!ret)
		ret = create_endpoints(mmamp_remote_rpmsg(&remote));
	if (ret) {
		say("init failed, error -");
		mmamp_port_put_u64((uint64_t)-ret);
		mmamp_port_puts("\n");
		return 4;
	}
	return mmamp_remote_run(&remote);
}
