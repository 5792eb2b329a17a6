/*
 * fuzz_rpmsg_host.c — fuzz target: the host RPMsg role and its driver-role vrings against a
 * hostile remote. A host device is set up (mmamp_rpmsg_init_host) in a shared window placed
 * between guard pages: vring0 | vring1 | RX pool | TX pool, geometry and features from the
 * first input byte. The rest of the input is a script: the "remote" returns RX buffers with
 * headers and used entries of its choosing, returns TX buffers, scribbles on any ring or
 * buffer, moves used.idx; the host polls, sends (copy, blocking, zero-copy), holds and
 * releases buffers, creates and destroys endpoints.
 *
 * Properties: no access outside the window (guard pages; ASan for the host's own arrays);
 * a delivered message lies in one RX buffer and is at most 496 bytes; a held buffer is never
 * delivered again while held; a zero-copy buffer is never handed out twice; stats.rx counts
 * exactly the deliveries; every error code is one the API documents; a broken device stays
 * broken (-EIO) and explains itself through mmamp_rpmsg_fault().
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_scripts.h"
#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"

#define MAX_NUM   64u
#define WIN_DA    0x90000000u
#define WIN_CAP   (128u * 1024u)
#define MAX_OPS   400u
#define N_EPT     3u

struct host_fuzz {
	struct mmamp_rpmsg_dev dev;
	struct mmamp_shm shm;
	struct fin in;
	uint8_t *win, *ring[2], *pool;
	size_t win_size;
	uint32_t num, align, nbufs, ring_size;
	struct mmamp_vq_desc_state rx_state[MAX_NUM], tx_state[MAX_NUM];
	uint16_t tx_free[MAX_NUM];
	struct mmamp_rpmsg_ept ept[N_EPT];
	int ept_live[N_EPT];
	uint16_t r_avail[2], r_used[2]; /* the remote's own idea of the rings */
	void *held_rx[MAX_NUM];
	unsigned n_held_rx;
	void *held_tx[MAX_NUM];
	unsigned n_held_tx;
	uint32_t delivered, ns_calls;
	uint64_t clock;
	int broken, in_cb;
};

static struct mmamp_vring_avail *avail_of(struct host_fuzz *h, int r)
{
	return (struct mmamp_vring_avail *)(void *)(h->ring[r] + 16u * h->num);
}

static struct mmamp_vring_used *used_of(struct host_fuzz *h, int r)
{
	return (struct mmamp_vring_used *)(void *)(h->ring[r] +
						    mmamp_vring_used_offset(h->num, h->align));
}

static int find_ptr(void *const *list, unsigned n, const void *p)
{
	unsigned k;

	for (k = 0; k < n; k++)
		if (list[k] == p)
			return (int)k;
	return -1;
}

static void drop_ptr(void **list, unsigned *n, unsigned k)
{
	list[k] = list[--*n];
}

static uint32_t pick_addr(struct host_fuzz *h, uint8_t sel)
{
	switch (sel % 6u) {
	case 0: return h->ept[0].addr;
	case 1: return h->ept[1].addr;
	case 2: return h->ept[2].addr;
	case 3: return MMAMP_RPMSG_NS_ADDR;
	case 4: return MMAMP_RPMSG_ADDR_ANY;
	default: return fin_u32(&h->in);
	}
}

static void note_ret(struct host_fuzz *h, int ret)
{
	if (ret == -MMAMP_EIO)
		h->broken = 1;
}

static void check_err(int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EIO || ret == -MMAMP_ENOBUFS ||
		   ret == -MMAMP_EMSGSIZE || ret == -MMAMP_EINVAL || ret == -MMAMP_ETIMEDOUT ||
		   ret == -MMAMP_ENOTCONN || ret == -MMAMP_EBUSY);
}

/* ---- callbacks ---- */

static void host_send_some(struct host_fuzz *h);

static int ept_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host_fuzz *h = priv;
	const uint8_t *p = data;
	size_t off = (size_t)((uint8_t *)data - MMAMP_RPMSG_HDR_SIZE - h->pool), k;
	uint8_t sum = 0, action;

	(void)src;
	FUZZ_CHECK((uint8_t *)data >= h->pool + MMAMP_RPMSG_HDR_SIZE);
	FUZZ_CHECK(off % MMAMP_RPMSG_BUF_SIZE == 0 && off / MMAMP_RPMSG_BUF_SIZE < h->nbufs);
	FUZZ_CHECK(len <= MMAMP_RPMSG_MTU);
	FUZZ_CHECK(find_ptr(h->held_rx, h->n_held_rx, data) < 0); /* held: never delivered again */
	FUZZ_CHECK(ept >= h->ept && ept < h->ept + N_EPT);
	for (k = 0; k < len; k++)
		sum = (uint8_t)(sum + p[k]);
	(void)sum;
	h->delivered++;
	action = fin_u8(&h->in);
	if ((action & 7u) == 1u && !h->in_cb) { /* reply from inside the callback */
		h->in_cb = 1;
		host_send_some(h);
		h->in_cb = 0;
	}
	if ((action & 7u) == 2u && h->n_held_rx < MAX_NUM) {
		h->held_rx[h->n_held_rx++] = data;
		return MMAMP_RPMSG_HOLD;
	}
	return 0;
}

static void ns_cb(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr, uint32_t flags,
		  void *ctx)
{
	struct host_fuzz *h = ctx;

	(void)addr;
	FUZZ_CHECK(rdev == &h->dev);
	FUZZ_CHECK(memchr(name, '\0', MMAMP_RPMSG_NAME_SIZE) != NULL);
	FUZZ_CHECK(flags == MMAMP_RPMSG_NS_CREATE || flags == MMAMP_RPMSG_NS_DESTROY);
	h->ns_calls++;
}

static int notify_cb(void *ctx, uint32_t notifyid)
{
	(void)ctx;
	FUZZ_CHECK(notifyid <= 1u);
	return 0;
}

static void remote_return_tx(struct host_fuzz *h, int legit);

/* While a blocking send waits, the remote gets one move. */
static int wait_cb(void *ctx, uint32_t timeout_us)
{
	struct host_fuzz *h = ctx;
	uint8_t c = fin_u8(&h->in);

	(void)timeout_us;
	h->clock += 50;
	if (c & 1u)
		remote_return_tx(h, (c & 2u) == 0);
	return (c & 4u) ? -MMAMP_ETIMEDOUT : 0;
}

static uint64_t now_cb(void *ctx)
{
	struct host_fuzz *h = ctx;

	return h->clock += 7;
}

static const struct mmamp_rpmsg_ops host_ops = {
	.notify = notify_cb, .wait = wait_cb, .now_us = now_cb, .ns_bind = ns_cb,
};

/* ---- the hostile remote ---- */

static void publish_used(struct host_fuzz *h, int r, uint32_t id, uint32_t len)
{
	struct mmamp_vring_used *u = used_of(h, r);

	u->ring[h->r_used[r] & (h->num - 1u)].id = id;
	u->ring[h->r_used[r] & (h->num - 1u)].len = len;
	h->r_used[r]++;
	__atomic_store_n(&u->idx, h->r_used[r], __ATOMIC_RELEASE);
}

static uint32_t remote_take_head(struct host_fuzz *h, int r, int legit)
{
	uint16_t head = avail_of(h, r)->ring[h->r_avail[r] & (h->num - 1u)];

	if (!legit)
		return fin_u8(&h->in) < 128 ? (uint32_t)fin_u8(&h->in) % (2u * h->num)
					     : fin_u32(&h->in);
	h->r_avail[r]++;
	return head;
}

/* The remote fills an RX buffer (any header it likes) and returns it on vring0's used ring. */
static void remote_return_rx(struct host_fuzz *h)
{
	uint8_t mode = fin_u8(&h->in);
	uint32_t id = remote_take_head(h, 0, mode < 200);
	uint16_t plen = (uint16_t)(fin_u16(&h->in) % 560u);
	struct mmamp_rpmsg_hdr hdr;
	uint32_t ulen;

	hdr.src = (mode & 8u) ? fin_u32(&h->in) : 0x400u + (mode & 3u);
	hdr.dst = pick_addr(h, fin_u8(&h->in));
	hdr.reserved = (mode & 16u) ? fin_u32(&h->in) : 0;
	hdr.len = plen;
	hdr.flags = 0;
	ulen = (mode & 32u) ? fin_u32(&h->in) % 1024u : MMAMP_RPMSG_HDR_SIZE + plen;
	if (id < h->nbufs) {
		uint8_t *b = h->pool + (size_t)id * MMAMP_RPMSG_BUF_SIZE;

		memcpy(b, &hdr, sizeof(hdr));
		fin_bytes(&h->in, b + MMAMP_RPMSG_HDR_SIZE,
			  plen < MMAMP_RPMSG_MTU ? plen : MMAMP_RPMSG_MTU);
	}
	publish_used(h, 0, id, ulen);
}

static void remote_return_tx(struct host_fuzz *h, int legit)
{
	uint32_t id = remote_take_head(h, 1, legit);

	publish_used(h, 1, id, legit ? 0 : fin_u32(&h->in));
}

static void remote_scribble(struct host_fuzz *h)
{
	uint8_t area = fin_u8(&h->in) % 4u, n = fin_u8(&h->in) % 17u;
	size_t size, off;
	uint8_t *base;

	if (area < 2) {
		base = h->ring[area];
		size = h->ring_size;
	} else {
		base = h->pool + (area - 2u) * (size_t)h->nbufs * MMAMP_RPMSG_BUF_SIZE;
		size = (size_t)h->nbufs * MMAMP_RPMSG_BUF_SIZE;
	}
	off = fin_u16(&h->in) % size;
	if (n > size - off)
		n = (uint8_t)(size - off);
	fin_bytes(&h->in, base + off, n);
}

static void remote_set_idx(struct host_fuzz *h)
{
	uint8_t c = fin_u8(&h->in);
	int r = c & 1;
	uint16_t v = (c & 2u) ? fin_u16(&h->in) : (uint16_t)(h->r_used[r] + (int8_t)fin_u8(&h->in));
	struct mmamp_vring_used *u = used_of(h, r);

	if (c & 4u) { /* suppression hints instead */
		u->flags = v;
		memcpy(&u->ring[h->num], &v, sizeof(v)); /* avail_event */
		return;
	}
	h->r_used[r] = v;
	__atomic_store_n(&u->idx, v, __ATOMIC_RELEASE);
}

/* ---- the host application ---- */

static struct mmamp_rpmsg_ept *pick_ept(struct host_fuzz *h)
{
	unsigned k = fin_u8(&h->in) % N_EPT;

	return h->ept_live[k] ? &h->ept[k] : NULL;
}

static void host_send_some(struct host_fuzz *h)
{
	static uint8_t payload[600];
	struct mmamp_rpmsg_ept *e = pick_ept(h);
	uint8_t mode = fin_u8(&h->in);
	uint32_t dst = pick_addr(h, fin_u8(&h->in));
	size_t len = fin_u16(&h->in) % 520u;
	int ret;

	if (!e)
		return;
	memset(payload, (int)mode, len);
	if (mode & 1u)
		ret = mmamp_rpmsg_sendto_timeout(e, dst, payload, len, 1u + fin_u8(&h->in));
	else if (mode & 2u)
		ret = mmamp_rpmsg_send(e, payload, len);
	else
		ret = mmamp_rpmsg_sendto(e, dst, payload, len);
	check_err(ret);
	note_ret(h, ret);
	if (len > MMAMP_RPMSG_MTU) /* send() first needs a destination */
		FUZZ_CHECK(ret == -MMAMP_EMSGSIZE || ((mode & 3u) == 2u && ret == -MMAMP_ENOTCONN));
	if (ret == 0 && !(mode & 1u)) {
		/* the buffer just published must not be one the application holds */
		struct mmamp_vring_avail *a = avail_of(h, 1);
		uint16_t head = a->ring[(uint16_t)(a->idx - 1u) & (h->num - 1u)];
		uint8_t *b = h->pool + ((size_t)h->nbufs + head) * MMAMP_RPMSG_BUF_SIZE;

		FUZZ_CHECK(head < h->nbufs);
		FUZZ_CHECK(find_ptr(h->held_tx, h->n_held_tx, b + MMAMP_RPMSG_HDR_SIZE) < 0);
	}
}

static void host_zero_copy(struct host_fuzz *h)
{
	struct mmamp_rpmsg_ept *e = pick_ept(h);
	uint8_t mode = fin_u8(&h->in);
	uint32_t size = 0;
	int err = 0, ret, k;
	uint8_t *p;

	if (!e)
		return;
	if ((mode & 3u) == 0 && h->n_held_tx < MAX_NUM) {
		p = mmamp_rpmsg_get_tx_buffer(e, &size, (mode & 4u) ? 20u : 0u, &err);
		check_err(err);
		note_ret(h, err);
		if (!p)
			return;
		FUZZ_CHECK(err == 0 && size > 0 && size <= MMAMP_RPMSG_MTU);
		FUZZ_CHECK(p >= h->pool + (size_t)h->nbufs * MMAMP_RPMSG_BUF_SIZE);
		FUZZ_CHECK((size_t)(p - MMAMP_RPMSG_HDR_SIZE - h->pool) % MMAMP_RPMSG_BUF_SIZE == 0);
		FUZZ_CHECK(find_ptr(h->held_tx, h->n_held_tx, p) < 0);
		memset(p, 0x5A, size);
		h->held_tx[h->n_held_tx++] = p;
		return;
	}
	if ((mode & 3u) == 3u) { /* pointers that were never handed out */
		p = h->pool + fin_u16(&h->in) % (2u * h->nbufs * MMAMP_RPMSG_BUF_SIZE);
		if (find_ptr(h->held_tx, h->n_held_tx, p) >= 0)
			return;
		ret = mmamp_rpmsg_release_tx_buffer(&h->dev, p);
		/* once broken, a send may have dropped its buffer (the device is dead until the
		 * owner resets it and init rebuilds the pool): giving that one back is allowed */
		FUZZ_CHECK(ret == -MMAMP_EINVAL || (h->broken && ret == 0));
		ret = mmamp_rpmsg_release_rx(&h->dev, p);
		if (find_ptr(h->held_rx, h->n_held_rx, p) < 0)
			FUZZ_CHECK(ret == -MMAMP_EINVAL || ret == -MMAMP_EBUSY ||
				   ret == -MMAMP_EIO);
		else
			drop_ptr(h->held_rx, &h->n_held_rx,
				 (unsigned)find_ptr(h->held_rx, h->n_held_rx, p));
		note_ret(h, ret);
		return;
	}
	if (!h->n_held_tx)
		return;
	k = (int)(fin_u8(&h->in) % h->n_held_tx);
	p = h->held_tx[k];
	if (mode & 1u) {
		/* one input read per statement: the order must not depend on the compiler */
		uint32_t dst = pick_addr(h, fin_u8(&h->in));
		size_t len = fin_u16(&h->in) % 520u;

		ret = mmamp_rpmsg_send_nocopy(e, dst, p, len);
	} else
		ret = mmamp_rpmsg_release_tx_buffer(&h->dev, p);
	check_err(ret);
	note_ret(h, ret);
	if (ret == 0)
		drop_ptr(h->held_tx, &h->n_held_tx, (unsigned)k);
}

static void host_release_rx(struct host_fuzz *h)
{
	unsigned k;
	int ret;

	if (!h->n_held_rx)
		return;
	k = fin_u8(&h->in) % h->n_held_rx;
	ret = mmamp_rpmsg_release_rx(&h->dev, h->held_rx[k]);
	FUZZ_CHECK(ret == 0 || (h->broken && ret == -MMAMP_EIO));
	drop_ptr(h->held_rx, &h->n_held_rx, k);
}

static void host_toggle_ept(struct host_fuzz *h)
{
	uint8_t c = fin_u8(&h->in);
	unsigned k = c % N_EPT;
	uint32_t addr, dest;
	int ret;

	if (h->ept_live[k]) {
		mmamp_rpmsg_ept_destroy(&h->ept[k]);
		h->ept_live[k] = 0;
		return;
	}
	addr = (c & 8u) ? fin_u32(&h->in) : MMAMP_RPMSG_ADDR_ANY;
	dest = fin_u32(&h->in);
	ret = mmamp_rpmsg_ept_init(&h->ept[k], &h->dev, NULL, addr, dest, ept_cb, h);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EADDRINUSE);
	h->ept_live[k] = ret == 0;
}

static void host_poll(struct host_fuzz *h)
{
	struct mmamp_diag d;
	int ret = mmamp_rpmsg_poll(&h->dev);

	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EIO);
	if (h->broken)
		FUZZ_CHECK(ret == -MMAMP_EIO);
	note_ret(h, ret);
	(void)mmamp_rpmsg_work_pending(&h->dev);
	if (h->broken) {
		FUZZ_CHECK(mmamp_rpmsg_fault(&h->dev, &d) == -MMAMP_EIO);
		fuzz_check_diag(&d);
	} else {
		FUZZ_CHECK(mmamp_rpmsg_fault(&h->dev, &d) == 0);
	}
}

static int setup(struct host_fuzz *h, struct guarded *g)
{
	struct mmamp_rpmsg_host_config hc;
	static const uint32_t aligns[4] = { 4, 16, 64, 4096 };
	uint8_t geo = fin_u8(&h->in), k;
	uint32_t features = 0;
	int ret;

	h->num = 1u << (geo % 7u);
	h->align = aligns[(geo >> 3) & 3u];
	h->nbufs = mmamp_rpmsg_host_nbufs(h->num);
	h->ring_size = (mmamp_vring_size(h->num, h->align) + 15u) & ~15u;
	h->win_size = 2u * h->ring_size + 2u * h->nbufs * MMAMP_RPMSG_BUF_SIZE;
	if (geo & 0x20u)
		features |= 1u << MMAMP_VIRTIO_RPMSG_F_NS;
	if (geo & 0x40u)
		features |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
	h->win = guarded_place_end(g, h->win_size, 16);
	FUZZ_CHECK(h->win + h->win_size == g->area + g->cap);
	memset(h->win, 0x6B, h->win_size);
	h->ring[0] = h->win;
	h->ring[1] = h->win + h->ring_size;
	h->pool = h->win + 2u * h->ring_size;
	h->shm = (struct mmamp_shm){ h->win, WIN_DA, h->win_size };

	memset(&hc, 0, sizeof(hc));
	hc.shm = &h->shm;
	hc.vring[0] = h->ring[0];
	hc.vring[1] = h->ring[1];
	hc.num = h->num;
	hc.align = h->align;
	hc.notifyid[0] = 0;
	hc.notifyid[1] = 1;
	hc.buffers = h->pool;
	hc.rx_state = h->rx_state;
	hc.tx_state = h->tx_state;
	hc.tx_free = h->tx_free;
	hc.features = features;
	hc.ops = &host_ops;
	hc.ctx = h;
	ret = mmamp_rpmsg_init_host(&h->dev, &hc);
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(mmamp_rpmsg_host_kick(&h->dev) == 0);
	for (k = 0; k < N_EPT; k++) {
		ret = mmamp_rpmsg_ept_init(&h->ept[k], &h->dev, NULL,
					   k == 1 ? 30u : MMAMP_RPMSG_ADDR_ANY,
					   k == 2 ? MMAMP_RPMSG_ADDR_ANY : 0x400u + k, ept_cb, h);
		FUZZ_CHECK(ret == 0);
		h->ept_live[k] = 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded g;
	static struct host_fuzz h;
	static int ready;
	unsigned ops = 0;

	if (!ready) {
		guarded_init(&g, WIN_CAP);
		ready = 1;
	}
	memset(&h, 0, sizeof(h));
	h.in = (struct fin){ data, size };
	setup(&h, &g);

	while (h.in.n && ops++ < MAX_OPS) {
		switch (fin_u8(&h.in) % HOST_OP_COUNT) {
		case HOST_OP_RETURN_RX: remote_return_rx(&h); break;
		case HOST_OP_RETURN_TX: remote_return_tx(&h, fin_u8(&h.in) < 220); break;
		case HOST_OP_SCRIBBLE:  remote_scribble(&h); break;
		case HOST_OP_SET_IDX:   remote_set_idx(&h); break;
		case HOST_OP_POLL:      host_poll(&h); break;
		case HOST_OP_SEND:      host_send_some(&h); break;
		case HOST_OP_ZERO_COPY: host_zero_copy(&h); break;
		case HOST_OP_RELEASE_RX: host_release_rx(&h); break;
		case HOST_OP_EPT:       host_toggle_ept(&h); break;
		default: break;
		}
		FUZZ_CHECK(h.dev.tx_free_count <= h.nbufs);
		FUZZ_CHECK(mmamp_vq_outstanding(&h.dev.rvq) <= h.num);
		FUZZ_CHECK(mmamp_vq_outstanding(&h.dev.svq) <= h.num);
		FUZZ_CHECK(mmamp_rpmsg_stats(&h.dev)->rx == h.delivered + h.ns_calls);
	}
	host_poll(&h);
	for (unsigned k = 0; k < N_EPT; k++)
		if (h.ept_live[k])
			mmamp_rpmsg_ept_destroy(&h.ept[k]);
	return 0;
}
