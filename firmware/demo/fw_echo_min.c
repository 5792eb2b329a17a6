/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_echo_min.c — fw_echo's services on the minimal profile (mmamp/rpmsg_min.h): the same three
 * announced endpoints, so the host cannot tell them apart but by the name it reports.
 *
 *   name                          addr  behaviour
 *   rpmsg-virtual-tty-channel-1    30   echoes every message byte-exact to its sender
 *   rpmsg-raw                      40   the same echo
 *   mmamp-info                     50   answers any message with one text line
 *                                       "fw=<FW_NAME> build=<FW_BUILD_ID> uptime_ms=<n>\n"
 *
 * An echo that finds no TX buffer (the host has not read its earlier replies) leaves the message
 * in the ring: it is offered again after the host's next doorbell — nothing is dropped.
 *
 * Build definitions:
 *   FW_NAME, FW_BUILD_ID  string literals (required), as fw_echo.c
 *   FW_COPY_API           echo with mmamp_min_send() (copy API) instead of tx_get/tx_send
 *   FW_CRASH_ADDR=addr    "crash" to mmamp-info stores to @addr (fault-injection variant)
 *   MMAMP_FW_MIN_PORT_H   the board's header (ports/qemu-mps2/port_min.h): FW_MIN_* below
 */
#include <stdint.h>
#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/rpmsg_min.h"
#include MMAMP_FW_MIN_PORT_H
#include "fw_text.h"

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_echo_min: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

static struct mmamp_min_dev dev;

static int echo(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data, uint32_t len,
		uint32_t src)
{
#ifdef FW_COPY_API
	return mmamp_min_send(d, e->addr, src, data, len);
#else
	void *tx = mmamp_min_tx_get(d);

	if (!tx)
		return -MMAMP_EAGAIN; /* keep the message: offered again at a later poll */
	FW_COPY(tx, data, len);
	return mmamp_min_tx_send(d, e->addr, src, len);
#endif
}

static int info(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data, uint32_t len,
		uint32_t src)
{
	char line[FW_INFO_LINE_MAX];

#ifdef FW_CRASH_ADDR
	if (fw_is_crash_request(data, len)) {
		fw_say("crash requested\n");
		*(volatile uint32_t *)(uintptr_t)(FW_CRASH_ADDR) = 0xdeadbeefu;
	}
#else
	(void)data;
	(void)len;
#endif
	return mmamp_min_send(d, e->addr, src, line,
			      (uint32_t)fw_info_line(line, mmamp_port_now_us() / 1000u));
}

static const struct mmamp_min_ept epts[] = {
	{ "rpmsg-virtual-tty-channel-1", 30, echo },
	{ "rpmsg-raw", 40, echo },
	{ "mmamp-info", 50, info },
};

int fw_main(void)
{
	const struct mmamp_min_config cfg = {
		.table = FW_MIN_TABLE,
		.window = (void *)(uintptr_t)FW_SHM_DA,
		.window_da = FW_SHM_DA,
		.window_size = FW_SHM_SIZE,
		.beat = FW_MIN_BEAT,
		.epts = epts,
		.n_epts = sizeof(epts) / sizeof(epts[0]),
		.notify = FW_MIN_NOTIFY,
	};
	int ret, last = -MMAMP_ENOTCONN;

	fw_say("boot (minimal profile, build " FW_BUILD_ID ")\n");
	mmamp_min_init(&dev, &cfg);
	FW_MIN_INIT();
	for (;;) {
		ret = mmamp_min_poll(&dev);
		if (ret < 0 && ret != last) { /* said once per change, not per poll */
			if (ret == -MMAMP_EIO) {
				fw_say("host broke a ring, quiet until it resets the device: fault ");
				mmamp_port_put_u64(mmamp_min_fault(&dev));
				mmamp_port_puts("\n");
			} else {
				fw_say("link down\n");
			}
		} else if (ret >= 0 && last < 0) {
			fw_say("link up\n");
		}
		last = ret < 0 ? ret : 0;
		FW_MIN_IDLE();
	}
}
