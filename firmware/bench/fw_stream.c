/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_stream.c — the streaming sink firmware (sim) for bench/stream.c: one endpoint,
 * "mmamp-sink" at 60, that takes messages as fast as the host sends them and checks each: a
 * 496-byte message must start with the next 64-bit sequence number (in order, none lost, none
 * twice). A 1-byte message is a question; the reply is "n=<messages> bad=<out of order>\n".
 * Polled (FW_POLLED) or interrupt-driven like fw_echo. Build definition: FW_NAME.
 */
#include "fw_app.h"

#if !defined(FW_NAME)
#error "fw_stream: define FW_NAME"
#endif

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
	(void)mmamp_rpmsg_sendto_timeout(ept, src, reply, (size_t)(p - reply), FW_TX_TIMEOUT_US);
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
	static const struct mmamp_shm shm = FW_SHM_INIT;
	int ret;

	ret = fw_bring_up(&shm, false, on_event, NULL);
	if (ret)
		return ret; /* 3: no MU; 5: the host wrote no usable live table */
	ret = mmamp_rpmsg_ept_init(&ept_sink, fw_rdev(), "mmamp-sink", FW_ADDR_SINK,
					   MMAMP_RPMSG_ADDR_ANY, sink_cb, NULL);
	if (ret)
		return fw_init_failed(ret);
	return mmamp_remote_run(&fw_remote);
}
