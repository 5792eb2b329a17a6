/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c — an application outside the mmamp tree, built against the installed package
 * (find_package(mmamp) or pkg-config mmamp-host): it links both libraries, runs the portable
 * core's host and remote roles back to back over a window of its own (a 496-byte echo, with the
 * name-service announcement first), and asks the host library to open a platform that does not
 * exist, which must fail with a reason. Prints what it did; exits 0 only if all of it worked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/host/rproc.h"
#include "mmamp/rpmsg.h"
#include "mmamp/version.h"

#define NUM 16u
#define DA 0x90000000u
#define SIZE (0x10000u + 2u * NUM * MMAMP_RPMSG_BUF_SIZE)

static unsigned int doorbells, announced, echoed;
static uint8_t got[MMAMP_RPMSG_MTU];

static int ring(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id;
	doorbells++;
	return 0;
}

static void on_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr, uint32_t flags,
		  void *ctx)
{
	(void)rdev;
	(void)ctx;
	if (!flags && !strcmp(name, "example-echo") && addr == 30)
		announced++;
}

static int remote_echo(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		       void *priv)
{
	(void)priv;
	return mmamp_rpmsg_sendto(ept, src, data, len);
}

static int host_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	(void)priv;
	memcpy(got, data, len);
	echoed = (unsigned int)len;
	return 0;
}

static int echo_in_process(void)
{
	static const struct mmamp_rpmsg_ops ops = { .notify = ring, .ns_bind = on_ns };
	static struct mmamp_vq_desc_state rx_state[NUM], tx_state[NUM];
	static uint16_t tx_free[NUM];
	static struct mmamp_rpmsg_dev host, remote;
	static struct mmamp_rpmsg_ept host_ept, remote_ept;
	struct mmamp_rpmsg_static_link link = {
		.vring_da = { DA, DA + 0x8000u }, .num = NUM, .align = 0x1000u,
		.notifyid = { 0, 1 }, .features = 1u << MMAMP_VIRTIO_RPMSG_F_NS,
	};
	uint8_t *mem = aligned_alloc(4096, SIZE), msg[MMAMP_RPMSG_MTU];
	struct mmamp_shm shm = { mem, DA, SIZE };
	struct mmamp_rpmsg_host_config hc = {
		.shm = &shm, .vring = { mem, mem + 0x8000u }, .num = NUM, .align = 0x1000u,
		.notifyid = { 0, 1 }, .buffers = mem + 0x10000u, .rx_state = rx_state,
		.tx_state = tx_state, .tx_free = tx_free, .features = link.features, .ops = &ops,
	};
	struct mmamp_rpmsg_remote_config rc = { .shm = &shm, .layout = &link, .ops = &ops };
	int ret = -1;

	if (!mem)
		return -1;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7u);
	if (mmamp_rpmsg_init_remote(&remote, &rc) ||
	    mmamp_rpmsg_ept_init(&remote_ept, &remote, "example-echo", 30, MMAMP_RPMSG_ADDR_ANY,
				 remote_echo, NULL) ||
	    mmamp_rpmsg_init_host(&host, &hc) || mmamp_rpmsg_host_kick(&host))
		goto out;
	mmamp_rpmsg_kicked(&remote); /* a static link comes up at the master's first doorbell */
	if (mmamp_rpmsg_poll(&remote) != MMAMP_RPMSG_LINK_UP || mmamp_rpmsg_poll(&host) < 0 ||
	    announced != 1)
		goto out;
	if (mmamp_rpmsg_ept_init(&host_ept, &host, NULL, 1024, 30, host_rx, NULL) ||
	    mmamp_rpmsg_send(&host_ept, msg, sizeof(msg)) || mmamp_rpmsg_poll(&remote) < 0 ||
	    mmamp_rpmsg_poll(&host) < 0)
		goto out;
	ret = echoed == sizeof(msg) && !memcmp(got, msg, sizeof(msg)) ? 0 : -1;
out:
	free(mem);
	return ret;
}

int main(void)
{
	struct mmamp_host_config cfg = {
		.platform = "/nonexistent/platform.dtb", .runtime_dir = "/tmp",
		.firmware_path = "/nonexistent", .simcore = "/nonexistent/mmamp-simcore",
	};
	struct mmamp_host *h = NULL;
	char err[256] = "";
	int ret;

	printf("mmamp %s\n", MMAMP_VERSION_STRING);
	if (echo_in_process()) {
		fprintf(stderr, "the in-process echo failed\n");
		return 1;
	}
	printf("core: announcement seen, 496 bytes echoed byte-exact (%u doorbells)\n", doorbells);
	ret = mmamp_host_open(&h, &cfg, err, sizeof(err));
	if (ret >= 0 || !err[0]) {
		fprintf(stderr, "a missing platform was not refused with a reason\n");
		return 1;
	}
	printf("host: a missing platform is refused: %s\n", err);
	return 0;
}
