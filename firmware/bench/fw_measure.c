/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_measure.c — MeasureMan's measurement responder, on every port (the simulated M4, the
 * Cortex-M4 under QEMU, the i.MX8QXP): the firmware runtime (mmamp/remote/runtime.h) with the
 * runtime's doorbell clock on (timestamp point 4 of the paper's Fig. 4), and four announced
 * endpoints:
 *
 *   name                          addr  behaviour
 *   rpmsg-virtual-tty-channel-1    30   measuring echo, the TTY variant (ttyRPMSG30 on the host)
 *   rpmsg-tty                      31   the same under the name mainline Linux's rpmsg_tty binds
 *                                       (/dev/ttyRPMSG<n> under the real kernel, docs/linux-host.md)
 *   rpmsg-raw                      40   measuring echo (the in-process / rpmsg_char path)
 *   mmamp-info                     50   "fw=<FW_NAME> build=<FW_BUILD_ID> uptime_ms=<n>\n"
 *
 * A measuring echo sends every message back byte-exact; a message that starts with a MeasureMan
 * header (include/mmamp/wire/measureman.h, magic "MMT1") gets the header's remote fields filled in:
 * isr_ns (the clock at the entry of the ISR that took the request's doorbell), doorbells, flags
 * and, last, sent_ns (the clock just before the reply is handed to RPMsg). The reply is built in
 * a zero-copy TX buffer, so the copy of the payload counts as remote processing and only the
 * vring publish and the MU write fall after sent_ns.
 *
 * Build definitions: FW_NAME, FW_BUILD_ID (string literals, required); FW_POLLED (spin on the
 * MU status instead of sleeping until the MU interrupt).
 */
#include "fw_app.h"
#include "mmamp/wire/measureman.h"

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_measure: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

#ifdef FW_POLLED
#define FW_FLAGS (MM_WIRE_STAMPED | MM_WIRE_POLLED)
#else
#define FW_FLAGS MM_WIRE_STAMPED
#endif

static struct mmamp_rpmsg_ept ept_tty, ept_tty_mainline, ept_raw, ept_info;
static uint32_t drops;

#ifdef FW_CLOCK_SERVE
/* Serving the host's clock ping-pong keeps the core out of its main loop: it beats here. */
static void clock_beat(void *ctx)
{
	mmamp_remote_beat(ctx);
}
#endif

/* A TX buffer, waiting for the host to hand one back as long as the link is up. */
static void *tx_buffer(struct mmamp_rpmsg_ept *ept)
{
	uint32_t size;
	void *buf;
	int err;

	do
		buf = mmamp_rpmsg_get_tx_buffer(ept, &size, FW_TX_TIMEOUT_US, &err);
	while (!buf && err == -MMAMP_ETIMEDOUT && fw_link_ok(ept));
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
	h.doorbells = mmamp_remote_stats(&fw_remote)->doorbells;
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
	mmamp_remote_isr(&fw_remote);
#endif
	/*
	 * With a real doorbell interrupt (QEMU) the main loop may find a message before its
	 * doorbell's ISR has run (the memory is faster than the doorbell): isr_ns is then an
	 * earlier doorbell's. The header's doorbell count lets the host tell (link_inproc.c).
	 */
	isr_ns = mmamp_remote_isr_ns(&fw_remote);
#ifdef FW_CLOCK_SERVE
	/* A clock request: answer the host's ping-pong, then echo it to say we are done. */
	if (len >= MM_WIRE_HDR) {
		uint32_t magic;

		memcpy(&magic, data, sizeof(magic));
		if (magic == MM_WIRE_CLOCK_MAGIC)
			(void)FW_CLOCK_SERVE(clock_beat, &fw_remote);
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
	char line[FW_INFO_LINE_MAX];

	(void)data;
	(void)len;
	(void)priv;
	if (mmamp_rpmsg_sendto_timeout(ept, src, line, fw_info_line(line, fw_uptime_ms()),
				       FW_TX_TIMEOUT_US))
		drops++;
	return 0;
}

static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP) {
		fw_say("link up\n");
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		fw_say("link down (dropped ");
		mmamp_port_put_u64(drops);
		mmamp_port_puts(")\n");
	} else {
		fw_say_errno("rpmsg error -", ev);
	}
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
		ret = mmamp_rpmsg_ept_init(&ept_tty_mainline, rdev, "rpmsg-tty",
					   FW_ADDR_TTY_MAINLINE, MMAMP_RPMSG_ADDR_ANY, measure_cb,
					   NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_tty, rdev, "rpmsg-virtual-tty-channel-1", FW_ADDR_TTY,
					   MMAMP_RPMSG_ADDR_ANY, measure_cb, NULL);
	return ret;
}

int fw_main(void)
{
	/* fw_echo's window: the real kernel's buffers lie in general RAM (docs/linux-host.md). */
	static const struct mmamp_shm shm = FW_WINDOW_INIT;
	int ret;

	fw_boot_ns = mmamp_port_now_ns();
	fw_say("boot build=" FW_BUILD_ID " (" FW_MODE_TEXT " mode)\n");
	ret = fw_bring_up(&shm, true, on_event, mmamp_port_now_ns);
	if (ret)
		return ret;
	ret = create_endpoints(fw_rdev());
	if (ret)
		return fw_init_failed(ret);
	return mmamp_remote_run(&fw_remote);
}
