/*
 * fuzz_vring_device.c — fuzz target: the device side against a hostile host (driver).
 * First input byte even: a raw device-role virtqueue (mmamp_vq_init_device) whose avail ring
 * and descriptors the input writes, with get_avail/put_used/notification calls in between.
 * First input byte odd: the remote RPMsg role (mmamp_rpmsg_init_remote) with its live vdev,
 * both vrings and a buffer pool in one window; the input plays the host: boots (or bends) the
 * vdev config, posts buffers with arbitrary descriptors and headers, scribbles, resets; the
 * remote polls, sends (copy, blocking, zero-copy), holds and releases, announces endpoints.
 * Every window sits between guard pages.
 *
 * Properties: a buffer taken from the avail ring lies entirely inside the window, is non-empty
 * and within max_len; outstanding counts what we hold; a broken queue stays broken; messages
 * delivered to an endpoint lie inside the window and are at most 496 bytes; a zero-copy buffer
 * is never handed out twice; return codes are the documented ones.
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_scripts.h"
#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"
#include "mmamp/vring.h"

#define WIN_DA   0x90000000u
#define WIN_CAP  (160u * 1024u)
#define MAX_OPS  400u
#define MAX_NUM  256u
#define VQ_DATA  4096u
#define N_EPT    3u
#define VDEV_AREA 128u

static const uint32_t aligns[4] = { 4, 16, 64, 4096 };

/* A descriptor address chosen to land inside, at the edges of, or outside the window. */
static uint64_t pick_da(struct fin *in, uint64_t win_da, size_t win_size, uint64_t good)
{
	uint8_t m = fin_u8(in);

	switch (m % 8u) {
	case 0:
	case 1:
	case 2: return good;
	case 3: return win_da + fin_u32(in) % win_size;              /* anywhere, any alignment */
	case 4: return win_da + win_size - (fin_u8(in) % 600u);      /* near the top */
	case 5: return win_da - fin_u8(in);                          /* just below */
	case 6: return fin_u64(in);
	default: return win_da + (fin_u16(in) % (win_size / 4u)) * 4u; /* aligned, anywhere */
	}
}

static uint32_t pick_len(struct fin *in)
{
	uint8_t m = fin_u8(in);

	switch (m % 4u) {
	case 0: return MMAMP_RPMSG_BUF_SIZE;
	case 1: return fin_u16(in) % 1100u;
	case 2: return fin_u8(in);
	default: return fin_u32(in);
	}
}

static void touch(uint8_t *p, size_t len, int writable)
{
	volatile uint8_t *v = p;

	if (!len)
		return;
	(void)v[0];
	(void)v[len - 1];
	if (writable) {
		v[0] = v[0];
		v[len - 1] = 0;
	}
}

/* ================= raw device-role virtqueue ================= */

struct vq_fuzz {
	struct fin in;
	struct mmamp_vq vq;
	struct mmamp_shm shm;
	uint8_t *win, *ring;
	size_t win_size;
	uint32_t num, align, max_len;
	uint16_t a_idx;
	uint16_t held[MAX_NUM];
	unsigned n_held;
	int broken;
};

static struct mmamp_vring_desc *vq_desc(struct vq_fuzz *v)
{
	return (struct mmamp_vring_desc *)(void *)v->ring;
}

static struct mmamp_vring_avail *vq_avail(struct vq_fuzz *v)
{
	return (struct mmamp_vring_avail *)(void *)(v->ring + 16u * v->num);
}

static void vq_check_fault(struct vq_fuzz *v)
{
	struct mmamp_diag d;

	if (v->broken) {
		FUZZ_CHECK(mmamp_vq_is_broken(&v->vq));
		FUZZ_CHECK(mmamp_vq_fault(&v->vq, &d) == -MMAMP_EIO);
		fuzz_check_diag(&d);
	} else {
		FUZZ_CHECK(mmamp_vq_fault(&v->vq, &d) == 0);
		FUZZ_CHECK(mmamp_vq_outstanding(&v->vq) == v->n_held);
	}
}

static void vq_get(struct vq_fuzz *v)
{
	struct mmamp_vq_buf b;
	int ret = mmamp_vq_get_avail(&v->vq, &b);

	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EAGAIN || ret == -MMAMP_EIO);
	if (v->broken)
		FUZZ_CHECK(ret == -MMAMP_EIO);
	if (ret == -MMAMP_EIO)
		v->broken = 1;
	if (ret)
		return;
	FUZZ_CHECK(b.head < v->num && b.len > 0);
	FUZZ_CHECK(!v->max_len || b.len <= v->max_len);
	FUZZ_CHECK((uint8_t *)b.data >= v->win && b.len <= v->win_size &&
		   (uint8_t *)b.data - v->win <= (ptrdiff_t)(v->win_size - b.len));
	touch(b.data, b.len, b.device_writable);
	FUZZ_CHECK(v->n_held < MAX_NUM);
	v->held[v->n_held++] = b.head;
}

static void vq_put(struct vq_fuzz *v)
{
	uint8_t c = fin_u8(&v->in);
	uint32_t len = fin_u32(&v->in);
	unsigned k;
	int ret;

	if (c & 1u || !v->n_held) { /* a head we do not hold, or none at all */
		uint16_t head = (uint16_t)(v->num + fin_u8(&v->in));

		ret = mmamp_vq_put_used(&v->vq, head, len);
		FUZZ_CHECK(ret == (v->broken ? -MMAMP_EIO : -MMAMP_EINVAL));
		if (!v->n_held) {
			ret = mmamp_vq_put_used(&v->vq, 0, len);
			FUZZ_CHECK(ret == (v->broken ? -MMAMP_EIO : -MMAMP_EINVAL));
		}
		return;
	}
	k = fin_u8(&v->in) % v->n_held;
	ret = mmamp_vq_put_used(&v->vq, v->held[k], len);
	FUZZ_CHECK(ret == (v->broken ? -MMAMP_EIO : 0));
	if (!ret)
		v->held[k] = v->held[--v->n_held];
}

static void vq_notify(struct vq_fuzz *v)
{
	uint8_t c = fin_u8(&v->in);
	bool r;

	switch (c % 4u) {
	case 0: r = mmamp_vq_kick_prepare(&v->vq); break;
	case 1: mmamp_vq_disable_cb(&v->vq); r = false; break;
	case 2: r = mmamp_vq_enable_cb(&v->vq); break;
	default: r = mmamp_vq_pending(&v->vq); break;
	}
	if (v->broken && (c % 4u == 2u || c % 4u == 3u))
		FUZZ_CHECK(r);
	if (v->broken && c % 4u == 0)
		FUZZ_CHECK(!r);
}

static void vq_driver_move(struct vq_fuzz *v, uint8_t op)
{
	struct mmamp_vring_desc *d;
	struct mmamp_vring_avail *a = vq_avail(v);
	uint64_t da;
	uint16_t val;
	size_t off;
	uint8_t n;

	switch (op) {
	case VQ_OP_DESC:
		d = &vq_desc(v)[fin_u8(&v->in) % v->num];
		da = pick_da(&v->in, WIN_DA, v->win_size,
			     WIN_DA + (v->ring - v->win) + mmamp_vring_size(v->num, v->align) +
			     16u * (fin_u8(&v->in) % 200u));
		d->addr_lo = (uint32_t)da;
		d->addr_hi = (uint32_t)(da >> 32);
		d->len = pick_len(&v->in);
		d->flags = (fin_u8(&v->in) & 0x80u) ? fin_u16(&v->in)
						     : (uint16_t)(fin_u8(&v->in) & 2u);
		d->next = fin_u16(&v->in);
		break;
	case VQ_OP_PUSH:
		val = (fin_u8(&v->in) & 0x80u) ? fin_u16(&v->in)
					       : (uint16_t)(fin_u8(&v->in) % v->num);
		a->ring[v->a_idx & (v->num - 1u)] = val;
		v->a_idx++;
		__atomic_store_n(&a->idx, v->a_idx, __ATOMIC_RELEASE);
		break;
	case VQ_OP_SET_IDX:
		n = fin_u8(&v->in);
		val = fin_u16(&v->in);
		if (n % 3u == 0) {
			v->a_idx = val;
			__atomic_store_n(&a->idx, val, __ATOMIC_RELEASE);
		} else if (n % 3u == 1) {
			a->flags = val;
		} else {
			a->ring[v->num] = val; /* used_event */
		}
		break;
	default: /* VQ_OP_SCRIBBLE */
		n = fin_u8(&v->in) % 17u;
		off = fin_u16(&v->in) % mmamp_vring_size(v->num, v->align);
		if (n > mmamp_vring_size(v->num, v->align) - off)
			n = (uint8_t)(mmamp_vring_size(v->num, v->align) - off);
		fin_bytes(&v->in, v->ring + off, n);
		break;
	}
}

static void run_vq(struct fin in0, struct guarded *g)
{
	static struct vq_fuzz v;
	static const uint32_t max_lens[4] = { 0, 512, 64, 16 };
	uint8_t geo;
	unsigned ops = 0;
	size_t ring_size;

	memset(&v, 0, sizeof(v));
	v.in = in0;
	geo = fin_u8(&v.in);
	v.num = 1u << (geo % 9u);
	v.align = aligns[(geo >> 4) & 3u];
	v.max_len = max_lens[(geo >> 6) & 3u];
	ring_size = (mmamp_vring_size(v.num, v.align) + 15u) & ~(size_t)15u;
	v.win_size = ring_size + VQ_DATA;
	v.win = guarded_place_end(g, v.win_size, 16);
	memset(v.win, 0, v.win_size);
	v.ring = v.win;
	v.shm = (struct mmamp_shm){ v.win, WIN_DA, v.win_size };
	FUZZ_CHECK(mmamp_vq_init_device(&v.vq, v.ring, v.num, v.align, &v.shm, v.max_len,
					(geo & 8u) ? MMAMP_VQ_F_EVENT_IDX : 0) == 0);
	while (v.in.n && ops++ < MAX_OPS) {
		uint8_t op = fin_u8(&v.in) % VQ_OP_COUNT;

		switch (op) {
		case VQ_OP_GET:    vq_get(&v); break;
		case VQ_OP_PUT:    vq_put(&v); break;
		case VQ_OP_NOTIFY: vq_notify(&v); break;
		default:           vq_driver_move(&v, op); break;
		}
		vq_check_fault(&v);
	}
}

/* ================= remote RPMsg role ================= */

struct rem_fuzz {
	struct fin in;
	struct mmamp_rpmsg_dev dev;
	struct mmamp_shm shm;
	struct mmamp_fw_rsc_vdev *vdev;
	uint8_t *win, *ring[2], *pool;
	size_t win_size, pool_size;
	uint32_t num, align, ring_size;
	uint16_t h_avail[2], h_desc[2];
	struct mmamp_rpmsg_ept ept[N_EPT];
	int ept_live[N_EPT];
	void *held_rx[MAX_NUM];
	unsigned n_held_rx;
	void *held_tx[MAX_NUM];
	unsigned n_held_tx;
	uint32_t delivered, ns_calls;
	uint64_t clock;
	int in_cb;
};

static struct mmamp_vring_avail *rem_avail(struct rem_fuzz *r, int q)
{
	return (struct mmamp_vring_avail *)(void *)(r->ring[q] + 16u * r->num);
}

static int in_win(struct rem_fuzz *r, const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= r->win && len <= r->win_size && (size_t)(b - r->win) <= r->win_size - len;
}

static int find_ptr(void *const *list, unsigned n, const void *p)
{
	unsigned k;

	for (k = 0; k < n; k++)
		if (list[k] == p)
			return (int)k;
	return -1;
}

static uint32_t rem_pick_addr(struct rem_fuzz *r, uint8_t sel)
{
	switch (sel % 6u) {
	case 0: return r->ept[0].addr;
	case 1: return r->ept[1].addr;
	case 2: return r->ept[2].addr;
	case 3: return MMAMP_RPMSG_NS_ADDR;
	case 4: return 0x400u;
	default: return fin_u32(&r->in);
	}
}

static void rem_check_err(int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EIO || ret == -MMAMP_ENOBUFS ||
		   ret == -MMAMP_EMSGSIZE || ret == -MMAMP_EINVAL || ret == -MMAMP_ETIMEDOUT ||
		   ret == -MMAMP_ENOTCONN || ret == -MMAMP_EOPNOTSUPP);
}

static void rem_send_some(struct rem_fuzz *r);
static void host_post(struct rem_fuzz *r, int q);

static int rem_ept_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	struct rem_fuzz *r = priv;
	uint8_t action;

	(void)src;
	FUZZ_CHECK(ept >= r->ept && ept < r->ept + N_EPT);
	FUZZ_CHECK(len <= MMAMP_RPMSG_MTU);
	FUZZ_CHECK(in_win(r, (uint8_t *)data - MMAMP_RPMSG_HDR_SIZE, MMAMP_RPMSG_HDR_SIZE + len));
	touch(data, len, 0);
	r->delivered++;
	action = fin_u8(&r->in);
	if ((action & 7u) == 1u && !r->in_cb) {
		r->in_cb = 1;
		rem_send_some(r);
		r->in_cb = 0;
	}
	if ((action & 7u) == 2u && r->n_held_rx < MAX_NUM &&
	    find_ptr(r->held_rx, r->n_held_rx, data) < 0) {
		r->held_rx[r->n_held_rx++] = data;
		return MMAMP_RPMSG_HOLD;
	}
	return 0;
}

static void rem_ns_cb(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		      uint32_t flags, void *ctx)
{
	struct rem_fuzz *r = ctx;

	(void)addr;
	FUZZ_CHECK(rdev == &r->dev);
	FUZZ_CHECK(memchr(name, '\0', MMAMP_RPMSG_NAME_SIZE) != NULL);
	FUZZ_CHECK(flags <= MMAMP_RPMSG_NS_DESTROY);
	r->ns_calls++;
}

static int rem_notify(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id; /* the host chose the notifyids: any value, the port range-checks */
	return 0;
}

static int rem_wait(void *ctx, uint32_t timeout_us)
{
	struct rem_fuzz *r = ctx;
	uint8_t c = fin_u8(&r->in);

	(void)timeout_us;
	r->clock += 50;
	if (c & 1u)
		host_post(r, 0);
	return (c & 4u) ? -MMAMP_ETIMEDOUT : 0;
}

static uint64_t rem_now(void *ctx)
{
	struct rem_fuzz *r = ctx;

	return r->clock += 7;
}

static const struct mmamp_rpmsg_ops rem_ops = {
	.notify = rem_notify, .wait = rem_wait, .now_us = rem_now, .ns_bind = rem_ns_cb,
};

/* The host boots the vdev: status 0..7, features, rings zeroed, vring da; maybe bent. */
static void host_boot(struct rem_fuzz *r)
{
	uint8_t bend = fin_u8(&r->in);
	uint32_t v = fin_u32(&r->in);
	int q;

	__atomic_store_n(&r->vdev->status, (uint8_t)0, __ATOMIC_RELEASE);
	r->vdev->gfeatures = fin_u32(&r->in);
	memset(r->ring[0], 0, 2u * r->ring_size);
	for (q = 0; q < 2; q++) {
		r->vdev->vring[q].da = WIN_DA + (uint32_t)(r->ring[q] - r->win);
		r->vdev->vring[q].align = r->align;
		r->vdev->vring[q].num = r->num;
		r->vdev->vring[q].notifyid = (uint32_t)q;
		r->h_avail[q] = 0;
		r->h_desc[q] = 0;
	}
	r->vdev->num_of_vrings = 2;
	switch (bend % 8u) {
	case 0: r->vdev->vring[bend >> 7].da = v; break;
	case 1: r->vdev->vring[bend >> 7].num = v; break;
	case 2: r->vdev->vring[bend >> 7].align = v; break;
	case 3: r->vdev->num_of_vrings = (uint8_t)v; break;
	case 4: r->vdev->vring[bend >> 7].da += v % 64u; break;
	default: break;
	}
	/* the remote may not see the 0 (a fast reset, protocol.md "known gaps"): buffers it
	 * holds stay held until it notices, and releasing them must stay safe */
	__atomic_store_n(&r->vdev->status, (uint8_t)7, __ATOMIC_RELEASE);
}

/* The host posts a buffer on vring @q: its own pool buffer, or any address it likes. */
static void host_post(struct rem_fuzz *r, int q)
{
	struct mmamp_vring_desc *desc = (struct mmamp_vring_desc *)(void *)r->ring[q];
	struct mmamp_vring_avail *a = rem_avail(r, q);
	uint32_t nb = r->num < 256u ? r->num : 256u;
	uint16_t head = (uint16_t)(r->h_desc[q]++ % r->num);
	uint32_t i = head % nb;
	uint8_t *buf = r->pool + ((size_t)(q ? nb : 0) + i) * MMAMP_RPMSG_BUF_SIZE;
	uint64_t da = pick_da(&r->in, WIN_DA, r->win_size, WIN_DA + (uint64_t)(buf - r->win));
	uint32_t len = pick_len(&r->in);
	uint8_t fl = fin_u8(&r->in);
	struct mmamp_rpmsg_hdr hdr;

	if (q == 1) { /* a message for the remote: header and payload in the buffer */
		hdr.src = (fl & 8u) ? fin_u32(&r->in) : 0x400u;
		hdr.dst = rem_pick_addr(r, fin_u8(&r->in));
		hdr.reserved = 0;
		hdr.len = (uint16_t)(fin_u16(&r->in) % 520u);
		hdr.flags = 0;
		memcpy(buf, &hdr, sizeof(hdr));
		fin_bytes(&r->in, buf + MMAMP_RPMSG_HDR_SIZE,
			  hdr.len < MMAMP_RPMSG_MTU ? hdr.len : MMAMP_RPMSG_MTU);
		if (len == MMAMP_RPMSG_BUF_SIZE && !(fl & 16u))
			len = MMAMP_RPMSG_HDR_SIZE + hdr.len;
	}
	desc[head].addr_lo = (uint32_t)da;
	desc[head].addr_hi = (uint32_t)(da >> 32);
	desc[head].len = len;
	desc[head].flags = (fl & 0x80u) ? (uint16_t)(fl & 7u)
					: (uint16_t)(q ? 0 : MMAMP_VRING_DESC_F_WRITE);
	desc[head].next = 0;
	a->ring[r->h_avail[q] & (r->num - 1u)] = (fl & 0x40u) ? fin_u16(&r->in) : head;
	r->h_avail[q]++;
	__atomic_store_n(&a->idx, r->h_avail[q], __ATOMIC_RELEASE);
}

static void host_set_idx(struct rem_fuzz *r)
{
	uint8_t c = fin_u8(&r->in);
	int q = c & 1;
	uint16_t v = fin_u16(&r->in);
	struct mmamp_vring_avail *a = rem_avail(r, q);

	fuzz_avail_scribble(a, &r->h_avail[q], c, v, r->num);
}

static void host_scribble(struct rem_fuzz *r, int vdev)
{
	uint8_t n = fin_u8(&r->in) % 17u;
	size_t off, size = vdev ? VDEV_AREA : r->win_size - VDEV_AREA;
	uint8_t *base = vdev ? (uint8_t *)r->vdev : r->win + VDEV_AREA;

	off = fin_u16(&r->in) % size;
	if (n > size - off)
		n = (uint8_t)(size - off);
	fin_bytes(&r->in, base + off, n);
}

static struct mmamp_rpmsg_ept *rem_pick_ept(struct rem_fuzz *r)
{
	unsigned k = fin_u8(&r->in) % N_EPT;

	return r->ept_live[k] ? &r->ept[k] : NULL;
}

static void rem_send_some(struct rem_fuzz *r)
{
	static uint8_t payload[600];
	struct mmamp_rpmsg_ept *e = rem_pick_ept(r);
	uint8_t mode = fin_u8(&r->in);
	uint32_t dst = rem_pick_addr(r, fin_u8(&r->in));
	size_t len = fin_u16(&r->in) % 520u;
	int ret;

	if (!e)
		return;
	memset(payload, (int)mode, len);
	if (mode & 1u)
		ret = mmamp_rpmsg_sendto_timeout(e, dst, payload, len, 1u + fin_u8(&r->in));
	else if (mode & 2u)
		ret = mmamp_rpmsg_send(e, payload, len);
	else if (mode & 4u)
		ret = mmamp_rpmsg_announce(e, mode >> 7);
	else
		ret = mmamp_rpmsg_sendto(e, dst, payload, len);
	rem_check_err(ret);
}

static void rem_zero_copy(struct rem_fuzz *r)
{
	struct mmamp_rpmsg_ept *e = rem_pick_ept(r);
	uint8_t mode = fin_u8(&r->in);
	uint32_t size = 0;
	int err = 0, ret;
	unsigned k;
	uint8_t *p;

	if (!e)
		return;
	if ((mode & 3u) == 0 && r->n_held_tx < MAX_NUM) {
		p = mmamp_rpmsg_get_tx_buffer(e, &size, (mode & 4u) ? 20u : 0u, &err);
		rem_check_err(err);
		if (!p)
			return;
		/* size may be 0: a 16-byte host buffer carries an empty message */
		FUZZ_CHECK(err == 0 && size <= MMAMP_RPMSG_MTU);
		FUZZ_CHECK(in_win(r, p - MMAMP_RPMSG_HDR_SIZE, MMAMP_RPMSG_HDR_SIZE + size));
		/* no uniqueness check: a hostile host may post one address under two heads */
		memset(p, 0x5A, size);
		r->held_tx[r->n_held_tx++] = p;
		return;
	}
	if (!r->n_held_tx)
		return;
	k = fin_u8(&r->in) % r->n_held_tx;
	p = r->held_tx[k];
	if (mode & 1u) {
		/* one input read per statement: the order must not depend on the compiler */
		uint32_t dst = rem_pick_addr(r, fin_u8(&r->in));
		size_t len = fin_u16(&r->in) % 520u;

		ret = mmamp_rpmsg_send_nocopy(e, dst, p, len);
	} else
		ret = mmamp_rpmsg_release_tx_buffer(&r->dev, p);
	rem_check_err(ret);
	if (ret == 0 || ret == -MMAMP_EIO || ret == -MMAMP_ENOTCONN)
		r->held_tx[k] = r->held_tx[--r->n_held_tx];
}

static void rem_release_rx(struct rem_fuzz *r)
{
	unsigned k;
	int ret;

	if (!r->n_held_rx)
		return;
	k = fin_u8(&r->in) % r->n_held_rx;
	ret = mmamp_rpmsg_release_rx(&r->dev, r->held_rx[k]);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EIO || ret == -MMAMP_EINVAL);
	r->held_rx[k] = r->held_rx[--r->n_held_rx];
}

static void rem_toggle_ept(struct rem_fuzz *r)
{
	static const char *const names[4] = { "rpmsg-virtual-tty-channel-1", "rpmsg-echo", "",
					       "0123456789012345678901234567890" };
	uint8_t c = fin_u8(&r->in);
	unsigned k = c % N_EPT;
	int ret;

	if (r->ept_live[k]) {
		mmamp_rpmsg_ept_destroy(&r->ept[k]);
		r->ept_live[k] = 0;
		return;
	}
	ret = mmamp_rpmsg_ept_init(&r->ept[k], &r->dev, names[(c >> 2) & 3u],
				   (c & 0x10u) ? fin_u32(&r->in) : MMAMP_RPMSG_ADDR_ANY,
				   (c & 0x20u) ? 0x400u : MMAMP_RPMSG_ADDR_ANY, rem_ept_cb, r);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EADDRINUSE);
	r->ept_live[k] = ret == 0;
}

static void rem_poll(struct rem_fuzz *r)
{
	struct mmamp_diag d;
	int ret = mmamp_rpmsg_poll(&r->dev);

	FUZZ_CHECK(ret == 0 || ret == MMAMP_RPMSG_LINK_UP || ret == MMAMP_RPMSG_LINK_DOWN ||
		   ret == -MMAMP_EIO || ret == -MMAMP_EPROTO);
	(void)mmamp_rpmsg_work_pending(&r->dev);
	ret = mmamp_rpmsg_fault(&r->dev, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_EIO || ret == -MMAMP_EPROTO);
	if (ret)
		fuzz_check_diag(&d);
	if (!mmamp_rpmsg_is_up(&r->dev)) {
		r->n_held_rx = 0; /* the link went down: held buffers are gone with it */
		r->n_held_tx = 0;
	}
}

static void run_remote(struct fin in0, struct guarded *g)
{
	static struct rem_fuzz r;
	struct mmamp_rpmsg_remote_config rc;
	uint8_t geo;
	unsigned ops = 0, k;
	uint32_t nb;

	memset(&r, 0, sizeof(r));
	r.in = in0;
	geo = fin_u8(&r.in);
	r.num = 1u << (geo % 7u);
	r.align = aligns[(geo >> 3) & 3u];
	nb = r.num < 256u ? r.num : 256u;
	r.ring_size = (mmamp_vring_size(r.num, r.align) + 15u) & ~15u;
	r.pool_size = 2u * nb * MMAMP_RPMSG_BUF_SIZE;
	r.win_size = VDEV_AREA + 2u * r.ring_size + r.pool_size;
	r.win = guarded_place_end(g, r.win_size, 16);
	memset(r.win, 0x6B, r.win_size);
	r.vdev = (struct mmamp_fw_rsc_vdev *)(void *)r.win;
	r.ring[0] = r.win + VDEV_AREA;
	r.ring[1] = r.ring[0] + r.ring_size;
	r.pool = r.ring[1] + r.ring_size;
	r.shm = (struct mmamp_shm){ r.win, WIN_DA, r.win_size };
	memset(r.vdev, 0, VDEV_AREA);
	r.vdev->id = MMAMP_VIRTIO_ID_RPMSG;
	r.vdev->dfeatures = ((geo & 0x20u) ? 1u << MMAMP_VIRTIO_RPMSG_F_NS : 0) |
			    ((geo & 0x40u) ? 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX : 0);
	r.vdev->num_of_vrings = 2;
	rc = (struct mmamp_rpmsg_remote_config){ .shm = &r.shm, .vdev = r.vdev, .ops = &rem_ops,
						 .ctx = &r };
	FUZZ_CHECK(mmamp_rpmsg_init_remote(&r.dev, &rc) == 0);
	FUZZ_CHECK(mmamp_rpmsg_ept_init(&r.ept[0], &r.dev, "rpmsg-virtual-tty-channel-1", 30,
					MMAMP_RPMSG_ADDR_ANY, rem_ept_cb, &r) == 0);
	FUZZ_CHECK(mmamp_rpmsg_ept_init(&r.ept[1], &r.dev, NULL, MMAMP_RPMSG_ADDR_ANY, 0x400u,
					rem_ept_cb, &r) == 0);
	r.ept_live[0] = r.ept_live[1] = 1;

	while (r.in.n && ops++ < MAX_OPS) {
		switch (fin_u8(&r.in) % REM_OP_COUNT) {
		case REM_OP_BOOT:       host_boot(&r); break;
		case REM_OP_STATUS:
			__atomic_store_n(&r.vdev->status, fin_u8(&r.in), __ATOMIC_RELEASE);
			break;
		case REM_OP_VDEV_BYTES: host_scribble(&r, 1); break;
		case REM_OP_POST:       host_post(&r, fin_u8(&r.in) & 1); break;
		case REM_OP_SET_IDX:    host_set_idx(&r); break;
		case REM_OP_SCRIBBLE:   host_scribble(&r, 0); break;
		case REM_OP_POLL:       rem_poll(&r); break;
		case REM_OP_SEND:       rem_send_some(&r); break;
		case REM_OP_ZERO_COPY:  rem_zero_copy(&r); break;
		case REM_OP_RELEASE_RX: rem_release_rx(&r); break;
		default:                rem_toggle_ept(&r); break;
		}
		FUZZ_CHECK(mmamp_rpmsg_stats(&r.dev)->rx == r.delivered + r.ns_calls);
		if (mmamp_rpmsg_is_up(&r.dev)) {
			FUZZ_CHECK(mmamp_vq_outstanding(&r.dev.rvq) <= r.num);
			FUZZ_CHECK(mmamp_vq_outstanding(&r.dev.svq) <= r.num);
		}
	}
	rem_poll(&r);
	for (k = 0; k < N_EPT; k++)
		if (r.ept_live[k])
			mmamp_rpmsg_ept_destroy(&r.ept[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded g;
	static int ready;
	struct fin in = { data, size };

	if (!ready) {
		guarded_init(&g, WIN_CAP);
		ready = 1;
	}
	if (fin_u8(&in) & 1u)
		run_remote(in, &g);
	else
		run_vq(in, &g);
	return 0;
}
