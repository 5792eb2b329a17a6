/*
 * fuzz_min_device.c — fuzz target: the minimal remote device (mmamp/rpmsg_min.h,
 * src/core/rpmsg_min.c) against a hostile host. The input plays the host: it writes the live
 * resource table's host-written fields (status, gfeatures, vring da/num/align/notifyid), both
 * vrings' avail rings, avail indices and flags, descriptors and message headers, and scribbles
 * anywhere in the shared window, between the device's steps: poll (whose endpoint callbacks read
 * their action from the input: consume, back-pressure, zero-copy echo, copy echo, take a TX buffer
 * and keep it, send elsewhere), and tx_get / tx_send / send from the application.
 *
 * The shared window and the live table (with the heartbeat and link epoch at
 * MMAMP_HEARTBEAT_OFFSET) each sit in their own guarded mapping: any access outside them faults.
 * The default build-time geometry is fuzzed (MMAMP_MIN_VRING_NUM / _ALIGN, as in mmamp_core).
 *
 * Properties, checked after every step (a violation aborts):
 *  - mmamp_min_poll returns >= 0 (= the callbacks that did not return -EAGAIN), -ENOTCONN
 *    exactly when the status lacked DRIVER_OK, or -EIO exactly when a fault is set;
 *  - a valid table at DRIVER_OK brings the link up, an invalid one gives MMAMP_MIN_BAD_VRING;
 *  - once mmamp_min_fault() != 0: no callback, no TX buffer (tx_get NULL, send -EAGAIN), and the
 *    fault code stays the same, until a poll sees the status without DRIVER_OK;
 *  - a callback gets a message in the buffer of the descriptor taken from the validated vring 1,
 *    inside the window, len <= 496 and = the header's, for its own address; after a callback
 *    returned -EAGAIN no other callback runs in that poll; every message put back on vring 1 is
 *    either delivered or counted in `dropped`;
 *  - a TX buffer lies in the window, is a descriptor of the validated vring 0 with len >= 512,
 *    and stays the same until sent; tx_send / send return only their documented codes;
 *  - the link epoch counts every link change and is odd exactly while the device is up; the
 *    heartbeat counts polls; the device never writes the live table;
 *  - every byte the device changes in the window is in the used ring (idx and entries) of a vring
 *    it validated at link up, or in the first 512 bytes of a buffer that a vring-0 descriptor
 *    gives (its TX buffers, or the one it took earlier and still holds) — and nothing at all
 *    changes while the link is down;
 *  - the notify callback only gets notifyids the table held when the link came up.
 */
#include "fuzz_common.h"
#include "fuzz_scripts.h"
#include "mmamp/errno.h"
#include "mmamp/rpmsg_min.h"

#define WIN_DA    0x90000000u
#define NUM       MMAMP_MIN_VRING_NUM
#define BUF       MMAMP_RPMSG_BUF_SIZE
#define HDR       MMAMP_RPMSG_HDR_SIZE
#define MTU       MMAMP_RPMSG_MTU
#define MAX_BUFS  16u
#define WIN_CAP   (64u * 1024u)
#define TAB_CAP   4096u
#define MAX_OPS   400u
#define N_EPT     3u

struct mf {
	struct fin in;
	struct mmamp_min_dev dev;
	struct mmamp_rsc_table_rpmsg *tab, tab_snap;
	volatile uint32_t *beat;
	uint8_t *win, *shadow, *pool;
	uint32_t win_size, n_bufs, n_tx_bufs, n_epts;
	uint32_t ring_size, ring_span, used_off;
	uint16_t h_avail[2], h_desc[2];
	int shadow_stale;
	/* what the device validated at its last link up */
	int session;
	uint32_t val_off[2], nid[2];
	uint32_t epoch, polls;
	unsigned int fault_code;
	/* the step being run */
	int up0, in_poll, in_cb, eagain;
	uint32_t cb_done;
	uint32_t c_lo, c_hi; /* last TX-buffer range that allowed a write */
	uint8_t *held0;      /* the TX buffer the device held when the step began */
};

static struct mf *cur; /* the notify hook has no context argument */

static int mf_rx(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data,
		 uint32_t len, uint32_t src);

static const struct mmamp_min_ept epts[N_EPT] = {
	{ "rpmsg-virtual-tty-channel-1", 30, mf_rx },
	{ NULL, 31, mf_rx },
	{ "a-name-that-is-much-longer-than-thirty-one-characters", 1000, mf_rx },
};

static uint8_t payload[600];

static int in_win(const struct mf *m, const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= m->win && len <= m->win_size && (size_t)(b - m->win) <= m->win_size - len;
}

static void touch(const void *p, size_t len)
{
	const volatile uint8_t *v = p;

	if (len) {
		(void)v[0];
		(void)v[len - 1];
	}
}

/* The host's view of its vring @q (where it put it at boot; the device may look elsewhere). */
static uint8_t *h_ring(struct mf *m, int q)
{
	return m->win + (uint32_t)q * m->ring_span;
}

static struct mmamp_vring_avail *h_avail(struct mf *m, int q)
{
	return (struct mmamp_vring_avail *)(void *)(h_ring(m, q) + 16u * NUM);
}

static struct mmamp_vring_desc *h_descs(struct mf *m, int q)
{
	return (struct mmamp_vring_desc *)(void *)h_ring(m, q);
}

/* Descriptor @h of the vring the device validated, read from @mem (the window or its shadow). */
static struct mmamp_vring_desc val_desc(const struct mf *m, const uint8_t *mem, int q, uint32_t h)
{
	struct mmamp_vring_desc dd;

	memcpy(&dd, mem + m->val_off[q] + 16u * h, sizeof(dd));
	return dd;
}

/* ---- choosing values ---- */

static uint64_t pick_da(struct mf *m, uint64_t good)
{
	uint8_t sel = fin_u8(&m->in);

	switch (sel % 8u) {
	case 0:
	case 1:
	case 2: return good;
	case 3: return WIN_DA + fin_u32(&m->in) % m->win_size;         /* anywhere, any alignment */
	case 4: return WIN_DA + m->win_size - (fin_u16(&m->in) % 600u); /* near the top */
	case 5: return WIN_DA - fin_u8(&m->in);                         /* just below */
	case 6: return fin_u64(&m->in);
	default: return WIN_DA + (fin_u16(&m->in) % (m->win_size / 4u)) * 4u;
	}
}

static uint32_t pick_len(struct mf *m)
{
	uint8_t sel = fin_u8(&m->in);

	switch (sel % 4u) {
	case 0: return BUF;
	case 1: return fin_u16(&m->in) % 1100u;
	case 2: return fin_u8(&m->in);
	default: return fin_u32(&m->in);
	}
}

static uint32_t pick_addr(struct mf *m, uint8_t sel)
{
	switch (sel % 6u) {
	case 0: return 30;
	case 1: return 31;
	case 2: return 1000;
	case 3: return MMAMP_RPMSG_NS_ADDR;
	case 4: return 0x400u;
	default: return fin_u32(&m->in);
	}
}

/* ---- the checks around every device step ---- */

static void notify_cb(uint32_t notifyid)
{
	FUZZ_CHECK(cur->session);
	FUZZ_CHECK(notifyid == cur->nid[0] || notifyid == cur->nid[1]);
}

/* Byte @o of the window may be written by the device: a used ring, or a TX buffer. */
static int write_allowed(struct mf *m, uint32_t o)
{
	const uint8_t *mem[2] = { m->shadow, m->win };
	struct mmamp_vring_desc dd;
	uint32_t i, h, off, lo;

	for (i = 0; i < 2; i++) {
		/* used.idx and used.ring[]; used.flags only on vring 0 (TX: its NO_NOTIFY hint) */
		lo = m->val_off[i] + m->used_off + (i ? 2u : 0u);
		if (o - lo < (i ? 2u : 4u) + 8u * NUM)
			return 1;
	}
	if (o - m->c_lo < m->c_hi - m->c_lo)
		return 1;
	/* taken in an earlier step: its descriptor may have changed since */
	if (m->held0 && o - (uint32_t)(m->held0 - m->win) < BUF)
		return 1;
	for (h = 0; h < NUM; h++)
		for (i = 0; i < 2; i++) {
			dd = val_desc(m, mem[i], 0, h);
			off = dd.addr_lo - WIN_DA;
			if (!dd.addr_hi && dd.len >= BUF && off <= m->win_size - BUF &&
			    o - off < BUF) {
				m->c_lo = off;
				m->c_hi = off + BUF;
				return 1;
			}
		}
	return 0;
}

static void step_begin(struct mf *m)
{
	if (m->shadow_stale) {
		memcpy(m->shadow, m->win, m->win_size);
		m->shadow_stale = 0;
	}
	memcpy(&m->tab_snap, m->tab, sizeof(m->tab_snap));
	m->up0 = m->dev.up;
	m->held0 = m->dev.tx;
}

static void step_end(struct mf *m)
{
	struct mmamp_min_dev *d = &m->dev;
	uint32_t o, k, j;
	int q;

	FUZZ_CHECK(memcmp(&m->tab_snap, m->tab, sizeof(m->tab_snap)) == 0);
	if (memcmp(m->shadow, m->win, m->win_size)) {
		FUZZ_CHECK((m->up0 || d->up) && "the device wrote while the link was down");
		FUZZ_CHECK(m->session);
		m->c_lo = m->c_hi = 0;
		for (o = 0; o < m->win_size; o += k) {
			k = m->win_size - o < 64u ? m->win_size - o : 64u;
			if (!memcmp(m->shadow + o, m->win + o, k))
				continue;
			for (j = o; j < o + k; j++)
				if (m->shadow[j] != m->win[j])
					FUZZ_CHECK(write_allowed(m, j) &&
						   "a write outside the used rings and TX buffers");
		}
		memcpy(m->shadow, m->win, m->win_size);
	}
	/* the fault code is sticky until a poll sees the reset */
	FUZZ_CHECK(d->fault <= MMAMP_MIN_BAD_TX_LEN);
	if (m->fault_code)
		FUZZ_CHECK(d->fault == m->fault_code);
	else
		m->fault_code = d->fault;
	/* heartbeat and epoch */
	FUZZ_CHECK(m->beat[0] == m->polls);
	FUZZ_CHECK(m->beat[1] == m->epoch);
	FUZZ_CHECK((m->beat[1] & 1u) == (d->up ? 1u : 0u));
	if (d->up) {
		for (q = 0; q < 2; q++) {
			uint8_t *r = m->win + m->val_off[q];

			FUZZ_CHECK((uint8_t *)d->vq[q].desc == r);
			FUZZ_CHECK((uint8_t *)d->vq[q].avail == r + 16u * NUM);
			FUZZ_CHECK((uint8_t *)d->vq[q].used == r + m->used_off);
			FUZZ_CHECK(d->vq[q].notifyid == m->nid[q]);
		}
	}
}

/* The table as the host left it names vrings the device must accept. */
static int table_ok(const struct mf *m, const struct mmamp_rsc_table_rpmsg *t)
{
	int q;

	for (q = 0; q < 2; q++) {
		const struct mmamp_fw_rsc_vdev_vring *v = &t->vdev.vring[q];
		uint32_t off = v->da - WIN_DA;

		if (off > m->win_size || m->ring_size > m->win_size - off || (v->da & 15u) ||
		    v->num != NUM || v->align != MMAMP_MIN_VRING_ALIGN)
			return 0;
	}
	return 1;
}

/* A pointer from tx_get (NULL or not), given the state before the call. */
static void check_tx_get(struct mf *m, uint8_t *p, uint8_t *held, int up, unsigned int fault)
{
	struct mmamp_min_dev *d = &m->dev;
	struct mmamp_vring_desc dd;

	if (!up || fault) {
		FUZZ_CHECK(!p);
		return;
	}
	if (!p) {
		FUZZ_CHECK(!held); /* a buffer taken is handed out again until it is sent */
		FUZZ_CHECK(!d->tx);
		return;
	}
	FUZZ_CHECK(!d->fault && d->up);
	FUZZ_CHECK(d->tx && p == d->tx + HDR);
	FUZZ_CHECK(in_win(m, d->tx, BUF));
	if (held) {
		FUZZ_CHECK(d->tx == held);
		return;
	}
	FUZZ_CHECK(d->tx_head < NUM);
	dd = val_desc(m, m->win, 0, d->tx_head);
	FUZZ_CHECK(!dd.addr_hi && dd.len >= BUF && m->win + (dd.addr_lo - WIN_DA) == d->tx);
}

/* The TX buffer a send would use now, or NULL (mirrors the device's look at vring 0). */
static uint8_t *next_tx(struct mf *m)
{
	struct mmamp_min_vq *q = &m->dev.vq[0];
	struct mmamp_vring_desc dd;
	uint16_t ahead;
	uint32_t h;

	if (m->dev.tx)
		return m->dev.tx;
	ahead = (uint16_t)(q->avail->idx - q->next_avail);
	if (!ahead || ahead > NUM)
		return NULL;
	h = q->avail->ring[q->next_avail & (NUM - 1u)];
	if (h >= NUM)
		return NULL;
	dd = val_desc(m, m->win, 0, h);
	if (dd.addr_hi || dd.len < BUF || dd.addr_lo - WIN_DA > m->win_size - BUF)
		return NULL;
	return m->win + (dd.addr_lo - WIN_DA);
}

static int overlap(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return a < b + bn && b < a + an;
}

/* ---- the endpoints ---- */

static int zero_copy_echo(struct mf *m, const struct mmamp_min_ept *e, const void *data,
			  uint32_t len, uint32_t src)
{
	struct mmamp_min_dev *d = &m->dev;
	uint8_t *held = d->tx, *p = mmamp_min_tx_get(d);

	check_tx_get(m, p, held, 1, 0);
	if (!p)
		return -MMAMP_EAGAIN;
	memmove(p, data, len); /* a hostile host may post one buffer on both rings */
	FUZZ_CHECK(mmamp_min_tx_send(d, e->addr, src, len) == 0);
	FUZZ_CHECK(!d->tx);
	return 0;
}

static int mf_rx(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data,
		 uint32_t len, uint32_t src)
{
	struct mf *m = cur;
	struct mmamp_vring_desc dd;
	struct mmamp_rpmsg_hdr hdr;
	uint8_t *buf = (uint8_t *)data - HDR, *held, *p;
	uint8_t action;
	uint32_t dst, n;
	int ret = 0, r;

	FUZZ_CHECK(d == &m->dev && m->in_poll && !m->in_cb);
	FUZZ_CHECK(e >= epts && e < epts + m->n_epts);
	FUZZ_CHECK(d->up && mmamp_min_fault(d) == 0 && "a message delivered after a fault");
	FUZZ_CHECK(!m->eagain && "a message delivered after -EAGAIN in the same poll");
	FUZZ_CHECK(len <= MTU);
	FUZZ_CHECK(in_win(m, buf, HDR + len));
	FUZZ_CHECK(d->vq[1].head < NUM);
	dd = val_desc(m, m->win, 1, d->vq[1].head);
	FUZZ_CHECK(!dd.addr_hi && m->win + (dd.addr_lo - WIN_DA) == buf && dd.len >= HDR + len);
	memcpy(&hdr, buf, sizeof(hdr));
	FUZZ_CHECK(hdr.len == len && hdr.dst == e->addr && hdr.src == src);
	touch(data, len);

	m->in_cb = 1;
	action = fin_u8(&m->in);
	switch (action & 7u) {
	case 0: break;                                   /* consume */
	case 1: ret = -MMAMP_EAGAIN; break;              /* back-pressure */
	case 2: ret = zero_copy_echo(m, e, data, len, src); break;
	case 3:                                          /* echo with the copy API */
		p = next_tx(m);
		if (p && overlap(p, BUF, buf, HDR + len)) {
			/* the port's copy need not handle overlap: reply in place instead */
			ret = zero_copy_echo(m, e, data, len, src);
			break;
		}
		held = d->tx;
		r = mmamp_min_send(d, e->addr, src, data, len);
		FUZZ_CHECK(r == 0 || r == -MMAMP_EAGAIN);
		FUZZ_CHECK(r == 0 || !held);
		ret = r;
		break;
	case 4:                                          /* take a TX buffer, keep it */
		held = d->tx;
		p = mmamp_min_tx_get(d);
		check_tx_get(m, p, held, 1, 0);
		break;
	case 5:                                          /* send somewhere else */
		dst = pick_addr(m, fin_u8(&m->in));
		n = fin_u16(&m->in) % 520u;
		held = d->tx;
		r = mmamp_min_send(d, e->addr, dst, payload, n);
		if (n > MTU)
			FUZZ_CHECK(r == -MMAMP_EMSGSIZE);
		else
			FUZZ_CHECK(r == 0 || (r == -MMAMP_EAGAIN && !held));
		break;
	case 6:                                          /* send what was taken, if anything */
		held = d->tx;
		n = fin_u16(&m->in) % 520u;
		r = mmamp_min_tx_send(d, e->addr, src, n);
		FUZZ_CHECK(r == (!held ? -MMAMP_EINVAL : n > MTU ? -MMAMP_EMSGSIZE : 0));
		break;
	default: ret = 1 + (action >> 3); break;         /* any other value counts as 0 */
	}
	m->in_cb = 0;
	if (ret == -MMAMP_EAGAIN)
		m->eagain = 1;
	else
		m->cb_done++;
	return ret;
}

/* ---- device and application steps ---- */

static void op_poll(struct mf *m)
{
	struct mmamp_min_dev *d = &m->dev;
	unsigned int fault0 = d->fault;
	uint16_t used0 = d->vq[1].next_used, dropped0 = d->dropped, adopted = 0;
	int was_up = d->up, ret, ok;
	uint8_t status;

	step_begin(m);
	status = m->tab_snap.vdev.status;
	ok = table_ok(m, &m->tab_snap);
	if ((status & MMAMP_VIRTIO_STATUS_DRIVER_OK) && !was_up && !fault0 && ok) {
		/* the link comes up in this poll: its notifies and writes use these vrings */
		m->session = 1;
		for (int q = 0; q < 2; q++) {
			m->val_off[q] = m->tab_snap.vdev.vring[q].da - WIN_DA;
			m->nid[q] = m->tab_snap.vdev.vring[q].notifyid;
		}
		/* the device adopts vring 1's used index as the host left it (protocol.md §2.3) */
		memcpy(&adopted, m->win + m->val_off[1] + m->used_off + 2u, sizeof(adopted));
	}
	m->in_poll = 1;
	m->cb_done = 0;
	m->eagain = 0;
	ret = mmamp_min_poll(d);
	m->in_poll = 0;
	m->polls++;
	FUZZ_CHECK(ret >= 0 || ret == -MMAMP_ENOTCONN || ret == -MMAMP_EIO);
	if (!(status & MMAMP_VIRTIO_STATUS_DRIVER_OK)) {
		FUZZ_CHECK(ret == -MMAMP_ENOTCONN && !d->up && !d->fault && !m->cb_done);
		if (was_up)
			m->epoch++;
		m->fault_code = 0;
		step_end(m);
		return;
	}
	FUZZ_CHECK(ret != -MMAMP_ENOTCONN);
	if (fault0) {
		FUZZ_CHECK(ret == -MMAMP_EIO && !m->cb_done && !m->eagain);
	} else if (!was_up) {
		if (ok) {
			FUZZ_CHECK(d->up && "a valid table at DRIVER_OK must bring the link up");
			m->epoch++;
			used0 = adopted;
		} else {
			FUZZ_CHECK(!d->up && ret == -MMAMP_EIO && d->fault == MMAMP_MIN_BAD_VRING);
		}
	}
	if (ret >= 0)
		FUZZ_CHECK(d->up && !d->fault && (uint32_t)ret == m->cb_done);
	else
		FUZZ_CHECK(d->fault);
	if (d->up)
		FUZZ_CHECK((uint16_t)(d->vq[1].next_used - used0) ==
			   (uint16_t)(m->cb_done + (uint16_t)(d->dropped - dropped0)));
	step_end(m);
}

static void op_tx_get(struct mf *m)
{
	struct mmamp_min_dev *d = &m->dev;
	uint8_t *held = d->tx, *p;
	int up = d->up;
	unsigned int fault = d->fault;
	uint32_t n = fin_u16(&m->in) % (MTU + 1u);
	uint8_t fill = fin_u8(&m->in);

	step_begin(m);
	p = mmamp_min_tx_get(d);
	check_tx_get(m, p, held, up, fault);
	if (p)
		memset(p, fill, n); /* the application writes its payload */
	step_end(m);
}

static void op_tx_send(struct mf *m)
{
	struct mmamp_min_dev *d = &m->dev;
	uint8_t *held = d->tx;
	uint32_t src = pick_addr(m, fin_u8(&m->in));
	uint32_t dst = pick_addr(m, fin_u8(&m->in));
	uint32_t n = fin_u16(&m->in) % 520u;
	int ret;

	step_begin(m);
	ret = mmamp_min_tx_send(d, src, dst, n);
	FUZZ_CHECK(ret == (!held ? -MMAMP_EINVAL : n > MTU ? -MMAMP_EMSGSIZE : 0));
	FUZZ_CHECK(d->tx == (ret ? held : NULL));
	step_end(m);
}

static void op_send(struct mf *m)
{
	struct mmamp_min_dev *d = &m->dev;
	uint8_t *held = d->tx;
	int up = d->up, ret;
	unsigned int fault = d->fault;
	uint32_t src = pick_addr(m, fin_u8(&m->in));
	uint32_t dst = pick_addr(m, fin_u8(&m->in));
	uint32_t n = fin_u16(&m->in) % 520u;

	memset(payload, (int)n, sizeof(payload));
	step_begin(m);
	ret = mmamp_min_send(d, src, dst, payload, n);
	if (n > MTU)
		FUZZ_CHECK(ret == -MMAMP_EMSGSIZE);
	else if (!up || fault)
		FUZZ_CHECK(ret == -MMAMP_EAGAIN && "a TX buffer handed out while down or faulted");
	else
		FUZZ_CHECK(ret == 0 || (ret == -MMAMP_EAGAIN && !held));
	step_end(m);
}

/* ---- host steps ---- */

static void set_status(struct mf *m, uint8_t v)
{
	__atomic_store_n(&m->tab->vdev.status, v, __ATOMIC_RELEASE);
}

static void rings_zero(struct mf *m)
{
	memset(m->win, 0, 2u * m->ring_span);
	m->h_avail[0] = m->h_avail[1] = 0;
	m->h_desc[0] = m->h_desc[1] = 0;
	m->shadow_stale = 1;
}

static void host_boot(struct mf *m)
{
	uint8_t bend = fin_u8(&m->in);
	uint32_t v = fin_u32(&m->in);
	struct mmamp_fw_rsc_vdev_vring *vr;
	int q;

	set_status(m, 0);
	m->tab->vdev.gfeatures = fin_u32(&m->in);
	rings_zero(m);
	for (q = 0; q < 2; q++) {
		vr = &m->tab->vdev.vring[q];
		vr->da = WIN_DA + (uint32_t)q * m->ring_span;
		vr->num = NUM;
		vr->align = MMAMP_MIN_VRING_ALIGN;
		vr->notifyid = (uint32_t)q;
	}
	vr = &m->tab->vdev.vring[bend >> 7];
	switch (bend % 8u) {
	case 0: vr->da = v; break;
	case 1: vr->num = v; break;
	case 2: vr->align = v; break;
	case 3: vr->da += v % 64u; break;
	case 4: vr->notifyid = v; break;
	case 5: vr->da = WIN_DA + ((v % m->win_size) & ~15u); break;
	default: break;
	}
	set_status(m, (bend & 0x40u) ? (uint8_t)(v >> 24) : 7u);
}

static void host_field(struct mf *m)
{
	uint8_t c = fin_u8(&m->in);
	uint32_t v = fin_u32(&m->in);
	struct mmamp_fw_rsc_vdev_vring *vr = &m->tab->vdev.vring[c >> 7];

	switch (c % 7u) {
	case 0: m->tab->vdev.gfeatures = v; break;
	case 1: vr->da = v; break;
	case 2: vr->da = WIN_DA + v % m->win_size; break;
	case 3: vr->num = v; break;
	case 4: vr->align = v; break;
	case 5: vr->notifyid = v; break;
	default: vr->da = WIN_DA + (uint32_t)(c >> 7) * m->ring_span; break;
	}
}

/* The host posts a buffer on vring @q: a pool buffer (for vring 1 with a message), or not. */
static void host_post(struct mf *m, int q)
{
	struct mmamp_vring_desc *desc = h_descs(m, q);
	struct mmamp_vring_avail *a = h_avail(m, q);
	uint32_t head = m->h_desc[q]++ % NUM;
	uint32_t i = q ? m->n_tx_bufs + head % (m->n_bufs - m->n_tx_bufs) : head % m->n_tx_bufs;
	uint8_t *buf = m->pool + i * BUF;
	uint64_t da = pick_da(m, WIN_DA + (uint64_t)(buf - m->win));
	uint32_t len = pick_len(m);
	uint8_t fl = fin_u8(&m->in);
	struct mmamp_rpmsg_hdr hdr;

	if (q == 1) {
		hdr.src = (fl & 8u) ? fin_u32(&m->in) : 0x400u;
		hdr.dst = pick_addr(m, fin_u8(&m->in));
		hdr.reserved = 0;
		hdr.len = (uint16_t)(fin_u16(&m->in) % 520u);
		hdr.flags = 0;
		memcpy(buf, &hdr, sizeof(hdr));
		fin_bytes(&m->in, buf + HDR, hdr.len < MTU ? hdr.len : MTU);
		if (len == BUF && !(fl & 16u))
			len = HDR + hdr.len;
	}
	desc[head].addr_lo = (uint32_t)da;
	desc[head].addr_hi = (uint32_t)(da >> 32);
	desc[head].len = len;
	desc[head].flags = (fl & 0x80u) ? (uint16_t)(fl & 7u)
					: (uint16_t)(q ? 0 : MMAMP_VRING_DESC_F_WRITE);
	desc[head].next = 0;
	a->ring[m->h_avail[q] & (NUM - 1u)] = (fl & 0x40u) ? fin_u16(&m->in) : (uint16_t)head;
	m->h_avail[q]++;
	__atomic_store_n(&a->idx, m->h_avail[q], __ATOMIC_RELEASE);
	m->shadow_stale = 1;
}

static void host_set_idx(struct mf *m)
{
	uint8_t c = fin_u8(&m->in);
	int q = c & 1;
	uint16_t v = fin_u16(&m->in);
	struct mmamp_vring_avail *a = h_avail(m, q);

	fuzz_avail_scribble(a, &m->h_avail[q], c, v, (c >> 3) % NUM);
	m->shadow_stale = 1;
}

static void host_desc(struct mf *m)
{
	uint8_t c = fin_u8(&m->in);
	struct mmamp_vring_desc *dd = &h_descs(m, c & 1)[fin_u8(&m->in) % NUM];
	uint32_t v = fin_u32(&m->in);

	switch ((c >> 1) % 5u) {
	case 0: dd->addr_lo = WIN_DA + v % m->win_size; break;
	case 1: dd->addr_lo = v; break;
	case 2: dd->addr_hi = v; break;
	case 3: dd->len = v; break;
	default: dd->flags = (uint16_t)v; break;
	}
	m->shadow_stale = 1;
}

static void host_hdr(struct mf *m)
{
	uint8_t c = fin_u8(&m->in);
	uint8_t *buf = m->pool + (fin_u8(&m->in) % m->n_bufs) * BUF;
	struct mmamp_rpmsg_hdr hdr;

	memcpy(&hdr, buf, sizeof(hdr));
	switch (c % 4u) {
	case 0: hdr.len = fin_u16(&m->in); break;
	case 1: hdr.dst = pick_addr(m, fin_u8(&m->in)); break;
	case 2: hdr.src = fin_u32(&m->in); break;
	default: hdr.len = (uint16_t)(MTU + (c >> 2)); break;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	m->shadow_stale = 1;
}

static void host_scribble(struct mf *m)
{
	uint32_t n = fin_u8(&m->in) % 17u;
	uint32_t off = fin_u16(&m->in) % m->win_size;

	if (n > m->win_size - off)
		n = m->win_size - off;
	fin_bytes(&m->in, m->win + off, n);
	m->shadow_stale = 1;
}

/* Status 0, the device sees it (or not: a fast reset), rings zeroed, DRIVER_OK again. */
static void host_reset(struct mf *m)
{
	uint8_t c = fin_u8(&m->in);
	int q;

	set_status(m, 0);
	if (c & 1u)
		op_poll(m);
	rings_zero(m);
	if (c & 2u)
		for (q = 0; q < 2; q++)
			m->tab->vdev.vring[q].da = WIN_DA + (uint32_t)q * m->ring_span;
	if (!(c & 4u))
		set_status(m, MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER |
				      MMAMP_VIRTIO_STATUS_DRIVER_OK);
}

static void run(struct fin in0, struct guarded *gw, struct guarded *gt)
{
	static struct mf m;
	static uint8_t shadow[WIN_CAP];
	static const struct mmamp_rsc_table_rpmsg tab0 = MMAMP_RSC_TABLE_RPMSG_INIT(
		MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_RSC_ADDR_ANY, MMAMP_MIN_VRING_ALIGN, NUM,
		1u << MMAMP_VIRTIO_RPMSG_F_NS);
	struct mmamp_min_config cfg;
	uint8_t *tab_area;
	unsigned int ops = 0;
	uint8_t geo;

	memset(&m, 0, sizeof(m));
	cur = &m;
	m.in = in0;
	geo = fin_u8(&m.in);
	m.n_bufs = 2u + geo % (MAX_BUFS - 1u);
	m.n_tx_bufs = m.n_bufs / 2u;
	m.n_epts = (geo >> 4) & 3u;
	m.ring_size = mmamp_vring_size(NUM, MMAMP_MIN_VRING_ALIGN);
	m.ring_span = (m.ring_size + 15u) & ~15u;
	m.used_off = mmamp_vring_used_offset(NUM, MMAMP_MIN_VRING_ALIGN);
	m.win_size = 2u * m.ring_span + m.n_bufs * BUF;
	FUZZ_CHECK(m.win_size <= WIN_CAP);
	m.win = guarded_place_end(gw, m.win_size, 16);
	memset(m.win, 0x6B, m.win_size);
	m.pool = m.win + 2u * m.ring_span;
	m.shadow = shadow;
	m.shadow_stale = 1;
	/* the live table at the start of its 4 KiB region, heartbeat and epoch at 0xFF0 */
	tab_area = guarded_place_end(gt, TAB_CAP, TAB_CAP);
	memset(tab_area, 0, TAB_CAP);
	m.tab = (struct mmamp_rsc_table_rpmsg *)(void *)tab_area;
	memcpy(m.tab, &tab0, sizeof(tab0));
	m.beat = (volatile uint32_t *)(void *)(tab_area + MMAMP_HEARTBEAT_OFFSET);
	FUZZ_CHECK(MMAMP_LINK_EPOCH_OFFSET == MMAMP_HEARTBEAT_OFFSET + 4u);
	cfg = (struct mmamp_min_config){
		.table = m.tab, .window = m.win, .window_da = WIN_DA, .window_size = m.win_size,
		.beat = m.beat, .epts = epts, .n_epts = m.n_epts, .notify = notify_cb,
	};
	mmamp_min_init(&m.dev, &cfg);

	while (m.in.n && ops++ < MAX_OPS) {
		switch (fin_u8(&m.in) % MIN_OP_COUNT) {
		case MIN_OP_BOOT:     host_boot(&m); break;
		case MIN_OP_STATUS:   set_status(&m, fin_u8(&m.in)); break;
		case MIN_OP_FIELD:    host_field(&m); break;
		case MIN_OP_POST:     host_post(&m, fin_u8(&m.in) & 1); break;
		case MIN_OP_SET_IDX:  host_set_idx(&m); break;
		case MIN_OP_DESC:     host_desc(&m); break;
		case MIN_OP_HDR:      host_hdr(&m); break;
		case MIN_OP_SCRIBBLE: host_scribble(&m); break;
		case MIN_OP_RESET:    host_reset(&m); break;
		case MIN_OP_POLL:     op_poll(&m); break;
		case MIN_OP_TX_GET:   op_tx_get(&m); break;
		case MIN_OP_TX_SEND:  op_tx_send(&m); break;
		default:              op_send(&m); break;
		}
	}
	op_poll(&m);
	cur = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded gw, gt;
	static int ready;
	struct fin in = { data, size };

	if (!ready) {
		guarded_init(&gw, WIN_CAP);
		guarded_init(&gt, TAB_CAP);
		ready = 1;
	}
	run(in, &gw, &gt);
	return 0;
}
