/*
 * fuzz_ns.c — fuzz target: the name service, both roles, with a real host and a real remote in
 * one guarded window (live vdev | vring0 | vring1 | pool). The remote announces and withdraws
 * endpoints with arbitrary names and addresses, sends arbitrary payloads (any length, any
 * bytes) and well-formed NS messages with arbitrary names/addrs/flags to address 53; the host
 * sends arbitrary payloads to the remote's 53; the host binds channels from the announcements
 * the way src/host/channels.c does (one endpoint per (name, addr), removed on DESTROY) and
 * sends on them; the host resets the vdev.
 *
 * Properties: ns_bind sees a NUL-terminated name and a flag of 0 or 1; the channel table stays
 * consistent; and nothing accepted is lost silently: after draining both sides, every message
 * a send reported as accepted since the last reset was counted by the receiver (delivered,
 * no endpoint, or malformed).
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_scripts.h"
#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"

#define WIN_DA    0x90000000u
#define WIN_CAP   (64u * 1024u)
#define MAX_OPS   300u
#define NUM       16u
#define ALIGN     16u
#define VDEV_AREA 128u
#define N_REM_EPT 4u
#define MAX_CH    8u

struct channel {
	struct mmamp_rpmsg_ept ept;
	char name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t dst;
	int live;
};

struct ns_fuzz {
	struct fin in;
	struct mmamp_shm shm;
	uint8_t *win, *ring[2], *pool;
	size_t win_size;
	uint32_t ring_size, features;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rpmsg_dev host, remote;
	struct mmamp_vq_desc_state rx_state[NUM], tx_state[NUM];
	uint16_t tx_free[NUM];
	struct mmamp_rpmsg_ept host_ept, rem_ept[N_REM_EPT];
	int rem_live[N_REM_EPT];
	struct channel ch[MAX_CH];
	uint32_t ch_refused, host_ns_calls, rem_ns_calls;
	uint32_t host_sent; /* host sends accepted since the last reset */
	struct mmamp_rpmsg_stats host_base, rem_base;
	int broken;
};

static int data_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	(void)priv;
	FUZZ_CHECK(len <= MMAMP_RPMSG_MTU);
	if (len)
		(void)((volatile uint8_t *)data)[len - 1];
	return 0;
}

static void check_name(const char *name)
{
	FUZZ_CHECK(memchr(name, '\0', MMAMP_RPMSG_NAME_SIZE) != NULL);
}

/* The host's binding, modelled on src/host/channels.c rproc_ns_bind(). */
static void host_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr, uint32_t flags,
		    void *ctx)
{
	struct ns_fuzz *f = ctx;
	unsigned k, free_k = MAX_CH;

	FUZZ_CHECK(rdev == &f->host);
	check_name(name);
	FUZZ_CHECK(flags <= MMAMP_RPMSG_NS_DESTROY);
	f->host_ns_calls++;
	for (k = 0; k < MAX_CH; k++) {
		if (f->ch[k].live && !strcmp(f->ch[k].name, name) && f->ch[k].dst == addr) {
			if (flags == MMAMP_RPMSG_NS_DESTROY) {
				mmamp_rpmsg_ept_destroy(&f->ch[k].ept);
				f->ch[k].live = 0;
			}
			return;
		}
		if (!f->ch[k].live && free_k == MAX_CH)
			free_k = k;
	}
	if (flags == MMAMP_RPMSG_NS_DESTROY)
		return;
	if (free_k == MAX_CH) {
		f->ch_refused++;
		return;
	}
	FUZZ_CHECK(strlen(name) < sizeof(f->ch[free_k].name));
	memcpy(f->ch[free_k].name, name, strlen(name) + 1);
	f->ch[free_k].dst = addr;
	FUZZ_CHECK(mmamp_rpmsg_ept_init(&f->ch[free_k].ept, &f->host, NULL, MMAMP_RPMSG_ADDR_ANY,
					addr, data_cb, f) == 0);
	FUZZ_CHECK(f->ch[free_k].ept.addr >= MMAMP_RPMSG_RESERVED_ADDRESSES &&
		   f->ch[free_k].ept.addr != MMAMP_RPMSG_ADDR_ANY);
	f->ch[free_k].live = 1;
}

static void remote_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		      uint32_t flags, void *ctx)
{
	struct ns_fuzz *f = ctx;

	(void)addr;
	FUZZ_CHECK(rdev == &f->remote);
	check_name(name);
	FUZZ_CHECK(flags <= MMAMP_RPMSG_NS_DESTROY);
	f->rem_ns_calls++;
}

static int notify(void *ctx, uint32_t id)
{
	(void)ctx;
	FUZZ_CHECK(id <= 1u);
	return 0;
}

static const struct mmamp_rpmsg_ops host_ops = { .notify = notify, .ns_bind = host_ns };
static const struct mmamp_rpmsg_ops rem_ops = { .notify = notify, .ns_bind = remote_ns };

static void note(struct ns_fuzz *f, int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOBUFS || ret == -MMAMP_EINVAL ||
		   ret == -MMAMP_ENOTCONN || ret == -MMAMP_EMSGSIZE || ret == -MMAMP_EIO ||
		   ret == -MMAMP_EOPNOTSUPP || ret == MMAMP_RPMSG_LINK_UP ||
		   ret == MMAMP_RPMSG_LINK_DOWN);
	if (ret == -MMAMP_EIO)
		f->broken = 1; /* honest peers: never expected, checked at the end */
}

static void boot(struct ns_fuzz *f)
{
	struct mmamp_rpmsg_host_config hc;
	int q;

	__atomic_store_n(&f->vdev->status, (uint8_t)3, __ATOMIC_RELAXED);
	f->vdev->gfeatures = f->features;
	for (q = 0; q < 2; q++) {
		f->vdev->vring[q].da = WIN_DA + (uint32_t)(f->ring[q] - f->win);
		f->vdev->vring[q].notifyid = (uint32_t)q;
	}
	memset(&hc, 0, sizeof(hc));
	hc.shm = &f->shm;
	hc.vring[0] = f->ring[0];
	hc.vring[1] = f->ring[1];
	hc.num = NUM;
	hc.align = ALIGN;
	hc.notifyid[1] = 1;
	hc.buffers = f->pool;
	hc.rx_state = f->rx_state;
	hc.tx_state = f->tx_state;
	hc.tx_free = f->tx_free;
	hc.features = f->features;
	hc.ops = &host_ops;
	hc.ctx = f;
	FUZZ_CHECK(mmamp_rpmsg_init_host(&f->host, &hc) == 0);
	__atomic_store_n(&f->vdev->status, (uint8_t)7, __ATOMIC_RELEASE);
	FUZZ_CHECK(mmamp_rpmsg_host_kick(&f->host) == 0);
	FUZZ_CHECK(mmamp_rpmsg_ept_init(&f->host_ept, &f->host, NULL, MMAMP_RPMSG_ADDR_ANY,
					MMAMP_RPMSG_ADDR_ANY, data_cb, f) == 0);
	/* link up on the remote (announcements), and the host takes them in */
	note(f, mmamp_rpmsg_poll(&f->remote));
	note(f, mmamp_rpmsg_poll(&f->host));
	/* the accounting baseline: what was in flight before a reset is not counted */
	f->host_sent = 0;
	f->host_base = *mmamp_rpmsg_stats(&f->host);
	f->rem_base = *mmamp_rpmsg_stats(&f->remote);
}

static void reset(struct ns_fuzz *f)
{
	unsigned k;

	__atomic_store_n(&f->vdev->status, (uint8_t)0, __ATOMIC_RELEASE);
	note(f, mmamp_rpmsg_poll(&f->remote));
	FUZZ_CHECK(!mmamp_rpmsg_is_up(&f->remote));
	for (k = 0; k < MAX_CH; k++) { /* rproc_channels_down() */
		if (f->ch[k].live)
			mmamp_rpmsg_ept_destroy(&f->ch[k].ept);
		f->ch[k].live = 0;
	}
	boot(f);
}

static struct mmamp_rpmsg_ept *rem_any_ept(struct ns_fuzz *f, uint8_t sel)
{
	unsigned k;

	for (k = 0; k < N_REM_EPT; k++)
		if (f->rem_live[(sel + k) % N_REM_EPT])
			return &f->rem_ept[(sel + k) % N_REM_EPT];
	return NULL;
}

static void count_sent(struct ns_fuzz *f, int remote, int ret)
{
	note(f, ret);
	if (ret == 0 && !remote)
		f->host_sent++;
}

static void remote_ept(struct ns_fuzz *f)
{
	uint8_t c = fin_u8(&f->in);
	unsigned k = c % N_REM_EPT;
	char name[48];
	size_t n;
	uint32_t addr;
	int ret;

	if (f->rem_live[k]) {
		mmamp_rpmsg_ept_destroy(&f->rem_ept[k]); /* may announce DESTROY */
		f->rem_live[k] = 0;
		return;
	}
	n = fin_u8(&f->in) % 40u;
	fin_bytes(&f->in, name, n);
	name[n] = '\0';
	addr = (c & 0x10u) ? fin_u32(&f->in) : (c & 0x20u) ? 30u + k : MMAMP_RPMSG_ADDR_ANY;
	ret = mmamp_rpmsg_ept_init(&f->rem_ept[k], &f->remote, name, addr, MMAMP_RPMSG_ADDR_ANY,
				   data_cb, f);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EADDRINUSE || ret == -MMAMP_EINVAL);
	if (strlen(name) >= MMAMP_RPMSG_NAME_SIZE) /* (an address in use is reported first) */
		FUZZ_CHECK(ret == -MMAMP_EINVAL || ret == -MMAMP_EADDRINUSE);
	if (addr == MMAMP_RPMSG_NS_ADDR)
		FUZZ_CHECK(ret == -MMAMP_EADDRINUSE);
	f->rem_live[k] = ret == 0;
}

static void remote_send53(struct ns_fuzz *f, int well_formed)
{
	struct mmamp_rpmsg_ept *e = rem_any_ept(f, fin_u8(&f->in));
	uint8_t payload[MMAMP_RPMSG_MTU + 8];
	struct mmamp_rpmsg_ns_msg msg;
	size_t len;

	if (!e)
		return;
	if (well_formed) {
		fin_bytes(&f->in, msg.name, sizeof(msg.name));
		msg.addr = fin_u32(&f->in);
		msg.flags = fin_u32(&f->in);
		count_sent(f, 1, mmamp_rpmsg_sendto(e, MMAMP_RPMSG_NS_ADDR, &msg, sizeof(msg)));
		return;
	}
	len = fin_u16(&f->in) % sizeof(payload);
	fin_bytes(&f->in, payload, len);
	count_sent(f, 1, mmamp_rpmsg_sendto(e, MMAMP_RPMSG_NS_ADDR, payload, len));
}

static void host_send53(struct ns_fuzz *f)
{
	uint8_t payload[MMAMP_RPMSG_MTU + 8];
	size_t len = fin_u16(&f->in) % sizeof(payload);

	fin_bytes(&f->in, payload, len);
	count_sent(f, 0, mmamp_rpmsg_sendto(&f->host_ept, MMAMP_RPMSG_NS_ADDR, payload, len));
}

static void channel_tx(struct ns_fuzz *f)
{
	uint8_t c = fin_u8(&f->in);
	unsigned k = c % MAX_CH;
	uint8_t payload[64];
	int ret;

	if (!f->ch[k].live)
		return;
	memset(payload, c, sizeof(payload));
	ret = mmamp_rpmsg_send(&f->ch[k].ept, payload, c % sizeof(payload));
	if (f->ch[k].dst == MMAMP_RPMSG_ADDR_ANY)
		FUZZ_CHECK(ret == -MMAMP_ENOTCONN);
	count_sent(f, 0, ret);
}

/* Both sides poll until quiet; then every accepted message has been counted somewhere. */
static void drain_and_count(struct ns_fuzz *f)
{
	const struct mmamp_rpmsg_stats *hs = mmamp_rpmsg_stats(&f->host);
	const struct mmamp_rpmsg_stats *rs = mmamp_rpmsg_stats(&f->remote);
	uint32_t host_got, rem_got;
	unsigned k;

	for (k = 0; k < 4; k++) {
		note(f, mmamp_rpmsg_poll(&f->remote));
		note(f, mmamp_rpmsg_poll(&f->host));
	}
	FUZZ_CHECK(!f->broken);
	host_got = (hs->rx - f->host_base.rx) + (hs->rx_no_ept - f->host_base.rx_no_ept) +
		   (hs->rx_malformed - f->host_base.rx_malformed);
	rem_got = (rs->rx - f->rem_base.rx) + (rs->rx_no_ept - f->rem_base.rx_no_ept) +
		  (rs->rx_malformed - f->rem_base.rx_malformed);
	FUZZ_CHECK(host_got == rs->tx - f->rem_base.tx);
	FUZZ_CHECK(rem_got == f->host_sent);
	FUZZ_CHECK(hs->tx - f->host_base.tx == f->host_sent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded g;
	static struct ns_fuzz f;
	static int ready;
	struct mmamp_rpmsg_remote_config rc;
	unsigned ops = 0, k;
	uint8_t cfg;

	if (!ready) {
		guarded_init(&g, WIN_CAP);
		ready = 1;
	}
	memset(&f, 0, sizeof(f));
	f.in = (struct fin){ data, size };
	cfg = fin_u8(&f.in);
	f.features = ((cfg & 1u) ? 0 : 1u << MMAMP_VIRTIO_RPMSG_F_NS) |
		     ((cfg & 2u) ? 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX : 0);
	f.ring_size = (mmamp_vring_size(NUM, ALIGN) + 15u) & ~15u;
	f.win_size = VDEV_AREA + 2u * f.ring_size + 2u * NUM * MMAMP_RPMSG_BUF_SIZE;
	f.win = guarded_place_end(&g, f.win_size, 16);
	memset(f.win, 0x6B, f.win_size);
	f.vdev = (struct mmamp_fw_rsc_vdev *)(void *)f.win;
	f.ring[0] = f.win + VDEV_AREA;
	f.ring[1] = f.ring[0] + f.ring_size;
	f.pool = f.ring[1] + f.ring_size;
	f.shm = (struct mmamp_shm){ f.win, WIN_DA, f.win_size };
	memset(f.vdev, 0, VDEV_AREA);
	f.vdev->id = MMAMP_VIRTIO_ID_RPMSG;
	f.vdev->dfeatures = f.features;
	f.vdev->num_of_vrings = 2;
	for (k = 0; k < 2; k++) {
		f.vdev->vring[k].align = ALIGN;
		f.vdev->vring[k].num = NUM;
		f.vdev->vring[k].da = MMAMP_FW_RSC_ADDR_ANY;
	}
	rc = (struct mmamp_rpmsg_remote_config){ .shm = &f.shm, .vdev = f.vdev, .ops = &rem_ops,
						 .ctx = &f };
	FUZZ_CHECK(mmamp_rpmsg_init_remote(&f.remote, &rc) == 0);
	FUZZ_CHECK(mmamp_rpmsg_ept_init(&f.rem_ept[0], &f.remote, "rpmsg-virtual-tty-channel-1",
					30, MMAMP_RPMSG_ADDR_ANY, data_cb, &f) == 0);
	f.rem_live[0] = 1;
	boot(&f);

	while (f.in.n && ops++ < MAX_OPS) {
		switch (fin_u8(&f.in) % NS_OP_COUNT) {
		case NS_OP_REMOTE_EPT:  remote_ept(&f); break;
		case NS_OP_REMOTE_RAW:  remote_send53(&f, 0); break;
		case NS_OP_REMOTE_MSG:  remote_send53(&f, 1); break;
		case NS_OP_HOST_RAW:    host_send53(&f); break;
		case NS_OP_POLL_HOST:   note(&f, mmamp_rpmsg_poll(&f.host)); break;
		case NS_OP_POLL_REMOTE: note(&f, mmamp_rpmsg_poll(&f.remote)); break;
		case NS_OP_CHANNEL_TX:  channel_tx(&f); break;
		default:                reset(&f); break;
		}
		FUZZ_CHECK(!f.broken);
	}
	drain_and_count(&f);
	for (k = 0; k < MAX_CH; k++)
		if (f.ch[k].live)
			mmamp_rpmsg_ept_destroy(&f.ch[k].ept);
	for (k = 0; k < N_REM_EPT; k++)
		if (f.rem_live[k])
			mmamp_rpmsg_ept_destroy(&f.rem_ept[k]);
	mmamp_rpmsg_ept_destroy(&f.host_ept);
	return 0;
}
