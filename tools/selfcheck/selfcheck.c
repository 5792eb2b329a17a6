/*
 * selfcheck.c — mmamp-selfcheck: the portable core end to end in one process. A firmware-style
 * resource table is validated, the host role boots the vdev the way Linux does (notifyids, vring
 * addresses, status 1 → 3 → 7, first kick), the remote role follows DRIVER_OK and announces its
 * TTY service, and 496-byte messages are echoed and verified byte for byte. Finally a hostile
 * remote corrupts a used-ring length and the host reports exactly what it did.
 * Exit status 0 only if every step behaved.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "tool_time.h"

#define NUM       256u
#define ALIGN     4096u
#define SHM_DA    0x90000000u
#define VRING0    0x00000u          /* vdev0vring0 */
#define VRING1    0x08000u          /* vdev0vring1 */
#define RSC_TABLE 0xFF000u          /* rsc-table region */
#define BUFFERS   0x100000u         /* vdevbuffer (NXP: 0x90400000; packed closer here) */
#define SHM_SIZE  (BUFFERS + 2u * NUM * MMAMP_RPMSG_BUF_SIZE)
#define MESSAGES  100000u

static unsigned int doorbells[2];

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("selfcheck: FAILED: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static int ring_remote(void *ctx, uint32_t id) { (void)ctx; (void)id; doorbells[1]++; return 0; }
static int ring_host(void *ctx, uint32_t id)   { (void)ctx; (void)id; doorbells[0]++; return 0; }

static char channel_name[MMAMP_RPMSG_NAME_SIZE];
static uint32_t channel_addr = MMAMP_RPMSG_ADDR_ANY;

static void host_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		    uint32_t flags, void *ctx)
{
	(void)rdev;
	(void)ctx;
	if (flags == MMAMP_RPMSG_NS_CREATE) {
		snprintf(channel_name, sizeof(channel_name), "%s", name);
		channel_addr = addr;
	}
}

static int remote_echo(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		       void *priv)
{
	(void)src;
	(void)priv;
	return mmamp_rpmsg_send(ept, data, len);
}

struct inbox {
	uint8_t data[MMAMP_RPMSG_MTU];
	size_t len;
	unsigned int count;
};

static int host_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct inbox *in = priv;

	(void)ept;
	(void)src;
	memcpy(in->data, data, len);
	in->len = len;
	in->count++;
	return 0;
}

static double seconds(void)
{
	return (double)tool_now_ns() / 1e9;
}

int main(void)
{
	static const struct mmamp_rsc_table_rpmsg firmware_table =
		MMAMP_RSC_TABLE_RPMSG_INIT(MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_RSC_ADDR_ANY, ALIGN, NUM,
					   1u << MMAMP_VIRTIO_RPMSG_F_NS);
	static const struct mmamp_rpmsg_ops host_ops = { .notify = ring_remote, .ns_bind = host_ns };
	static const struct mmamp_rpmsg_ops remote_ops = { .notify = ring_host };
	static struct mmamp_vq_desc_state rx_state[NUM], tx_state[NUM];
	static uint16_t tx_free[NUM];
	struct mmamp_rpmsg_dev host, remote;
	struct mmamp_rpmsg_ept tty, chan;
	struct inbox inbox = { .len = 0 };
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_diag d;
	uint8_t msg[MMAMP_RPMSG_MTU], *mem;
	struct mmamp_shm shm;
	char text[160];
	double t0, t1;
	int ret;

	mem = aligned_alloc(4096, SHM_SIZE);
	if (!mem)
		return fail("no memory");
	memset(mem, 0, SHM_SIZE);
	shm = (struct mmamp_shm){ mem, SHM_DA, SHM_SIZE };

	/* 1. the host copies the firmware's table to the rsc-table region and validates it */
	memcpy(mem + RSC_TABLE, &firmware_table, sizeof(firmware_table));
	ret = mmamp_rsc_table_validate(mem + RSC_TABLE, sizeof(firmware_table), &d);
	if (!ret)
		ret = mmamp_rsc_table_find_vdev(mem + RSC_TABLE, sizeof(firmware_table), 0, &vdev, &d);
	if (ret) {
		mmamp_diag_format(&d, text, sizeof(text));
		return fail("resource table: %s", text);
	}
	printf("resource table: %zu bytes, 1 vdev (RPMsg, %u-entry vrings, align %u)\n",
	       sizeof(firmware_table), NUM, ALIGN);

	/* 2. the remote firmware starts and waits for DRIVER_OK */
	ret = mmamp_rpmsg_init_remote(&remote, &(struct mmamp_rpmsg_remote_config){
		.shm = &shm, .vdev = vdev, .ops = &remote_ops });
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&tty, &remote, "rpmsg-virtual-tty-channel-1", 30,
					   MMAMP_RPMSG_ADDR_ANY, remote_echo, NULL);
	if (ret || mmamp_rpmsg_poll(&remote) != 0 || mmamp_rpmsg_is_up(&remote))
		return fail("remote came up before DRIVER_OK (%d)", ret);

	/* 3. the host: status 1 → 3, features, notifyids and vring addresses, rpmsg probe, 7 */
	vdev->status = MMAMP_VIRTIO_STATUS_ACKNOWLEDGE;
	vdev->status |= MMAMP_VIRTIO_STATUS_DRIVER;
	vdev->gfeatures = vdev->dfeatures & (1u << MMAMP_VIRTIO_RPMSG_F_NS);
	vdev->vring[0].notifyid = 0;
	vdev->vring[1].notifyid = 1;
	vdev->vring[0].da = SHM_DA + VRING0;
	vdev->vring[1].da = SHM_DA + VRING1;
	ret = mmamp_rpmsg_init_host(&host, &(struct mmamp_rpmsg_host_config){
		.shm = &shm, .vring = { mem + VRING0, mem + VRING1 }, .num = NUM, .align = ALIGN,
		.notifyid = { 0, 1 }, .buffers = mem + BUFFERS, .rx_state = rx_state,
		.tx_state = tx_state, .tx_free = tx_free, .features = vdev->gfeatures,
		.ops = &host_ops });
	if (ret)
		return fail("host init: %d", ret);
	__atomic_store_n(&vdev->status, (uint8_t)(vdev->status | MMAMP_VIRTIO_STATUS_DRIVER_OK),
			 __ATOMIC_RELEASE);
	mmamp_rpmsg_host_kick(&host);
	if (mmamp_rpmsg_poll(&remote) != MMAMP_RPMSG_LINK_UP)
		return fail("remote did not see DRIVER_OK");
	printf("vdev status 0x%02x, link up; doorbells host->remote %u\n", vdev->status,
	       doorbells[1]);

	/* 4. name service: the host learns the channel and speaks first */
	if (mmamp_rpmsg_poll(&host) || channel_addr != 30)
		return fail("no name-service announcement");
	ret = mmamp_rpmsg_ept_init(&chan, &host, NULL, MMAMP_RPMSG_ADDR_ANY, channel_addr, host_rx,
				   &inbox);
	if (ret)
		return fail("host endpoint: %d", ret);
	printf("channel \"%s\": remote addr %u, host addr %u\n", channel_name, channel_addr,
	       chan.addr);

	/* 5. echo 496-byte messages */
	t0 = seconds();
	for (uint32_t i = 0; i < MESSAGES; i++) {
		for (size_t k = 0; k < sizeof(msg); k++)
			msg[k] = (uint8_t)(i * 7u + k);
		ret = mmamp_rpmsg_send(&chan, msg, sizeof(msg));
		if (ret || (ret = mmamp_rpmsg_poll(&remote)) || (ret = mmamp_rpmsg_poll(&host)))
			return fail("message %u: %d", i, ret);
		if (inbox.count != i + 1 || inbox.len != sizeof(msg) ||
		    memcmp(inbox.data, msg, sizeof(msg)))
			return fail("message %u came back wrong", i);
	}
	t1 = seconds();
	printf("echoed %u x %u bytes, verified; %.2f us per round trip (one thread, no doorbell wait)\n",
	       MESSAGES, (unsigned)sizeof(msg), (t1 - t0) * 1e6 / MESSAGES);
	printf("host stats: rx %u tx %u no-endpoint %u malformed %u\n",
	       mmamp_rpmsg_stats(&host)->rx, mmamp_rpmsg_stats(&host)->tx,
	       mmamp_rpmsg_stats(&host)->rx_no_ept, mmamp_rpmsg_stats(&host)->rx_malformed);

	/* 6. a hostile remote: a used length beyond the 512-byte buffer */
	if (mmamp_rpmsg_send(&tty, "x", 1))
		return fail("remote send");
	host.rvq.used->ring[(uint16_t)(host.rvq.used->idx - 1u) & (NUM - 1u)].len = 4096;
	if (mmamp_rpmsg_poll(&host) != -MMAMP_EIO || mmamp_rpmsg_fault(&host, &d) != -MMAMP_EIO)
		return fail("hostile used.len was accepted");
	mmamp_diag_format(&d, text, sizeof(text));
	printf("hostile remote detected, vdev marked broken: %s\n", text);

	free(mem);
	printf("selfcheck: OK\n");
	return 0;
}
