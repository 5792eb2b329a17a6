/*
 * fw_stream.c — the streaming sink firmware (sim) for bench/stream.c: one endpoint,
 * "mmamp-sink" at 60, that takes messages as fast as the host sends them and checks each: a
 * 496-byte message must start with the next 64-bit sequence number (in order, none lost, none
 * twice). A 1-byte message is a question; the reply is "n=<messages> bad=<out of order>\n".
 * Polled (FW_POLLED) or interrupt-driven like fw_echo.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmamp/port.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "port_sim.h"
#include "port_sim_extra.h"
#include "fw_text.h"
#include "remote.h"

#if !defined(FW_NAME)
#error "fw_stream: define FW_NAME"
#endif
#ifdef FW_POLLED
#define FW_POLLED_MODE 1
#else
#define FW_POLLED_MODE 0
#endif

/* The i.MX8QXP layout of the default platform (as fw_echo). */
#define FW_SHM_DA       0x90000000u
#define FW_SHM_SIZE     0x500000u
#define FW_RSC_TABLE_DA 0x900FF000u
#define FW_ADDR_SINK    60u

static struct mmamp_remote remote;
static struct mmamp_sim_doorbell doorbell;
static struct mmamp_rpmsg_ept ept_sink;
static uint64_t received, out_of_order;

static int sink_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	uint64_t seq;
	char reply[64], *p = reply;

	(void)priv;
	if (len >= sizeof(seq)) {
		memcpy(&seq, data, sizeof(seq));
		if (seq != received)
			out_of_order++;
		received++;
		return 0;
	}
	memcpy(p, "n=", 2);
	p = fw_put_dec(p + 2, received);
	memcpy(p, " bad=", 5);
	p = fw_put_dec(p + 5, out_of_order);
	*p++ = '\n';
	(void)mmamp_rpmsg_sendto_timeout(ept, src, reply, (size_t)(p - reply), 1000000u);
	return 0;
}

static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP)
		received = out_of_order = 0;
}

int fw_main(void)
{
	static const struct mmamp_shm shm = { (void *)(uintptr_t)FW_SHM_DA, FW_SHM_DA, FW_SHM_SIZE };
	struct mmamp_remote_config cfg = { 0 };
	struct mmamp_fw_rsc_vdev *vdev;
	int ret;

	if (mmamp_sim_doorbell_init(&doorbell, MMAMP_SIM_MU_DA, &remote))
		return 3;
	if (mmamp_rsc_table_find_vdev((void *)(uintptr_t)FW_RSC_TABLE_DA, 0x400, 0, &vdev, NULL))
		return 5; /* the host wrote no usable live table */
	cfg.shm = &shm;
	cfg.vdev = vdev;
	cfg.db = &mmamp_sim_doorbell_ops;
	cfg.db_ctx = &doorbell;
	cfg.polled = FW_POLLED_MODE;
	cfg.tick_us = MMAMP_REMOTE_TICK_US;
	cfg.on_event = on_event;
	cfg.heartbeat = (uint32_t *)(uintptr_t)(FW_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET);
	ret = mmamp_remote_init(&remote, &cfg);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_sink, mmamp_remote_rpmsg(&remote), "mmamp-sink",
					   FW_ADDR_SINK, MMAMP_RPMSG_ADDR_ANY, sink_cb, NULL);
	if (ret)
		return 4;
	return mmamp_remote_run(&remote);
}
