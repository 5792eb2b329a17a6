/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer.c — the "behaves like RPMsg-Lite / OpenAMP / Linux" masters and remotes of peer.h: their
 * ring habits and quirks as observed on the wire (docs/interop.md), written from that
 * description. Shared fields go through relaxed atomics and the indices through
 * acquire/release, so that a TSan build checks the pairing too.
 */
#include "peer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../deadline.h"

#define LD(x)          __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ST(x, v)       __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define LD_ACQ(x)      __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ST_REL(x, v)   __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define MASK(r)        ((uint16_t)((r)->num - 1u))
#define BUF_DA(i)      (W_DA + W_BUFS + (uint32_t)(i) * MMAMP_RPMSG_BUF_SIZE)
#define TX_BUF(i)      (W_NUM + (uint32_t)(i)) /* master TX buffers follow the RX ones */

/* ---- doorbells ---- */

void bell_init(struct bell *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
}

/*
 * Ring: count (seq_cst), then wake only if someone sleeps. Wait: say we sleep (seq_cst), then
 * look at the count. One of the two always sees the other, so no ring is lost, and a polled
 * side that never sleeps pays no lock per doorbell.
 */
void bell_ring(struct bell *b, uint32_t id)
{
	__atomic_fetch_add(&b->by_id[id & 3u], 1u, __ATOMIC_RELAXED);
	__atomic_fetch_add(&b->rung, 1u, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&b->sleepers, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&b->lock);
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
	}
}

static bool bell_rang(struct bell *b)
{
	unsigned int now = __atomic_load_n(&b->rung, __ATOMIC_SEQ_CST);

	if (now == b->seen)
		return false;
	b->seen = now;
	return true;
}

int bell_wait(struct bell *b, unsigned int timeout_ms)
{
	struct timespec end;
	bool rang;
	int ret = 0;

	if (bell_rang(b))
		return 0;
	deadline_in_ms(&end, (int)timeout_ms);
	pthread_mutex_lock(&b->lock);
	__atomic_fetch_add(&b->sleepers, 1u, __ATOMIC_SEQ_CST);
	while (!(rang = bell_rang(b)) && ret == 0)
		ret = pthread_cond_timedwait(&b->cond, &b->lock, &end);
	__atomic_fetch_sub(&b->sleepers, 1u, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&b->lock);
	return rang ? 0 : -1;
}

bool bell_take(struct bell *b)
{
	return bell_rang(b);
}

unsigned int bell_count(struct bell *b, uint32_t id)
{
	return __atomic_load_n(&b->by_id[id & 3u], __ATOMIC_RELAXED);
}

/* ---- the window ---- */

struct world *world_new(uint32_t dfeatures)
{
	struct world *w = calloc(1, sizeof(*w));
	const struct mmamp_rsc_table_rpmsg fw = MMAMP_RSC_TABLE_RPMSG_INIT(
		W_DA + W_VRING0, W_DA + W_VRING1, W_ALIGN, W_NUM, dfeatures);

	if (!w)
		abort();
	w->mem = aligned_alloc(4096, W_SIZE);
	if (!w->mem)
		abort();
	memset(w->mem, 0x6B, W_SIZE); /* garbage until somebody initialises it */
	w->shm = (struct mmamp_shm){ w->mem, W_DA, W_SIZE };
	w->table = world_at(w, W_TABLE);
	*w->table = fw; /* "loaded" with the firmware: fixed vring addresses, as NXP's tables */
	w->beat = world_at(w, W_TABLE + MMAMP_HEARTBEAT_OFFSET);
	w->beat[0] = w->beat[1] = 0;
	bell_init(&w->to_master);
	bell_init(&w->to_remote);
	return w;
}

void world_free(struct world *w)
{
	free(w->mem);
	free(w);
}

const char *peer_name(enum peer_kind k)
{
	return k == PEER_LINUX ? "Linux" : k == PEER_RPMSG_LITE ? "RPMsg-Lite" : "OpenAMP";
}

static int fail(char *error, const char *fmt, ...)
{
	va_list ap;

	if (error[0])
		return -1; /* keep the first */
	va_start(ap, fmt);
	vsnprintf(error, 256, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- one ring, as a third-party stack keeps it ---- */

static void pr_setup(struct pring *r, void *ring, bool event_idx)
{
	uint8_t *base = ring;

	memset(r, 0, sizeof(*r));
	r->desc = ring;
	r->avail = (struct mmamp_vring_avail *)(void *)(base + 16u * W_NUM);
	r->used = (struct mmamp_vring_used *)(void *)(base + mmamp_vring_used_offset(W_NUM, W_ALIGN));
	r->num = W_NUM;
	r->event_idx = event_idx;
}

static uint16_t *pr_used_event(struct pring *r)
{
	return &r->avail->ring[r->num];
}

static uint16_t *pr_avail_event(struct pring *r)
{
	return (uint16_t *)(void *)&r->used->ring[r->num];
}

static bool pr_need_event(uint16_t event, uint16_t now, uint16_t old)
{
	return (uint16_t)(now - event - 1u) < (uint16_t)(now - old);
}

/* driver: post buffer @head */
static void pr_add(struct pring *r, uint16_t head, uint32_t da, uint32_t len, bool writable)
{
	struct mmamp_vring_desc *d = &r->desc[head];

	ST(d->addr_lo, da);
	ST(d->addr_hi, 0u);
	ST(d->len, len);
	ST(d->flags, (uint16_t)(writable ? MMAMP_VRING_DESC_F_WRITE : 0));
	ST(d->next, (uint16_t)0);
	ST(r->avail->ring[r->avail_idx & MASK(r)], head);
	r->avail_idx++;
	ST_REL(r->avail->idx, r->avail_idx);
}

static bool pr_driver_kick(struct pring *r)
{
	uint16_t old = r->kicked_at, now = r->avail_idx;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->kicked_at = now;
	if (old == now)
		return false;
	if (r->event_idx)
		return pr_need_event(LD(*pr_avail_event(r)), now, old);
	return !(LD(r->used->flags) & MMAMP_VRING_USED_F_NO_NOTIFY);
}

/* driver: reap; @cb_on keeps "interrupt me after this one" current (EVENT_IDX) */
static bool pr_get_used(struct pring *r, uint16_t *head, uint32_t *len, bool cb_on)
{
	struct mmamp_vring_used_elem *e;

	if (r->last_used == LD_ACQ(r->used->idx))
		return false;
	e = &r->used->ring[r->last_used & MASK(r)];
	*head = (uint16_t)LD(e->id);
	*len = LD(e->len);
	r->last_used++;
	if (r->event_idx && cb_on)
		ST(*pr_used_event(r), r->last_used);
	return true;
}

/* device: look at the next available buffer without taking it */
static bool pr_peek_avail(struct pring *r, uint16_t *head, uint32_t *addr, uint32_t *len,
			  uint16_t *flags)
{
	struct mmamp_vring_desc *d;

	if (r->last_avail == LD_ACQ(r->avail->idx))
		return false;
	*head = LD(r->avail->ring[r->last_avail & MASK(r)]);
	d = &r->desc[*head & MASK(r)];
	*addr = LD(d->addr_lo);
	*len = LD(d->len);
	*flags = LD(d->flags);
	return true;
}

static void pr_take_avail(struct pring *r)
{
	r->last_avail++;
	if (r->event_idx)
		ST(*pr_avail_event(r), r->last_avail);
}

/* device: return a buffer the way RPMsg-Lite and OpenAMP do: used.idx read back from the ring */
static void pr_put_used(struct pring *r, uint16_t head, uint32_t len)
{
	uint16_t idx = LD(r->used->idx);
	struct mmamp_vring_used_elem *e = &r->used->ring[idx & MASK(r)];

	ST(e->id, (uint32_t)head);
	ST(e->len, len);
	ST_REL(r->used->idx, (uint16_t)(idx + 1u));
}

static bool pr_device_notify(struct pring *r, bool ignore_suppression)
{
	uint16_t now, old = r->kicked_at;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	now = LD(r->used->idx);
	r->kicked_at = now;
	if (old == now)
		return false;
	if (ignore_suppression)
		return true;
	if (r->event_idx)
		return pr_need_event(LD(*pr_used_event(r)), now, old);
	return !(LD(r->avail->flags) & MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
}

static uint8_t *buf_at(struct world *w, uint32_t da, uint32_t len)
{
	if (da < W_DA || da - W_DA > W_SIZE || len > W_SIZE - (da - W_DA))
		return NULL;
	return w->mem + (da - W_DA);
}

/* ---- master ---- */

void master_init(struct master *m, struct world *w, enum peer_kind kind, bool event_idx)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->event_idx = event_idx && kind != PEER_RPMSG_LITE;
	m->w = w;
	m->addr = 1024u;
}

static uint32_t master_features(struct master *m)
{
	uint32_t want = 1u << MMAMP_VIRTIO_RPMSG_F_NS;

	if (m->event_idx)
		want |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
	return LD(m->w->table->vdev.dfeatures) & want;
}

static void master_rings(struct master *m, bool event_idx)
{
	memset(world_at(m->w, W_VRING0), 0, mmamp_vring_size(W_NUM, W_ALIGN));
	memset(world_at(m->w, W_VRING1), 0, mmamp_vring_size(W_NUM, W_ALIGN));
	pr_setup(&m->rx, world_at(m->w, W_VRING0), event_idx);
	pr_setup(&m->tx, world_at(m->w, W_VRING1), event_idx);
	m->tx_pool_next = 0;
	m->tx_free_count = 0;
	m->ns_count = 0;
	m->ns_name[0] = 0;
	for (uint16_t i = 0; i < W_NUM; i++)
		pr_add(&m->rx, i, BUF_DA(i), MMAMP_RPMSG_BUF_SIZE, true);
}

static int master_start_table(struct master *m)
{
	struct mmamp_fw_rsc_vdev2 *v = &m->w->table->vdev;
	uint32_t features = master_features(m);
	bool ev = (features >> MMAMP_VIRTIO_RING_F_EVENT_IDX) & 1u;

	if (m->kind == PEER_OPENAMP) {
		/* OpenAMP takes the addresses from the table before DRIVER_OK */
		for (int i = 0; i < 2; i++) {
			if (LD(v->vring[i].da) != W_DA + (i ? W_VRING1 : W_VRING0))
				return fail(m->error, "OpenAMP master: vring%d da 0x%x in the table "
					    "is not the fixed address it needs", i,
					    LD(v->vring[i].da));
			if (LD(v->vring[i].num) != W_NUM || LD(v->vring[i].align) != W_ALIGN)
				return fail(m->error, "OpenAMP master: vring%d geometry", i);
		}
	} else {
		ST(v->status, (uint8_t)MMAMP_VIRTIO_STATUS_ACKNOWLEDGE);
		ST(v->status, (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER));
		for (int i = 0; i < 2; i++) {
			ST(v->vring[i].da, W_DA + (i ? W_VRING1 : W_VRING0));
			ST(v->vring[i].notifyid, (uint32_t)i);
		}
	}
	ST(v->gfeatures, features);
	master_rings(m, ev);
	/* no TX-complete interrupts: TX buffers are reaped when sending */
	ST(m->tx.avail->flags, (uint16_t)MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
	m->rx_cb_on = true;
	if (m->kind == PEER_OPENAMP) {
		ST_REL(v->status, (uint8_t)MMAMP_VIRTIO_STATUS_DRIVER_OK); /* 4, directly */
		bell_ring(&m->w->to_remote, LD(v->notifyid));
		m->rx.kicked_at = m->rx.avail_idx; /* no vring0 kick */
		return 0;
	}
	ST_REL(v->status, (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER |
				    MMAMP_VIRTIO_STATUS_DRIVER_OK));
	if (pr_driver_kick(&m->rx))
		bell_ring(&m->w->to_remote, 0);
	return 0;
}

static int master_start_static(struct master *m)
{
	master_rings(m, false);
	/* RPMsg-Lite: every TX buffer starts on vring1's used ring; free ones are taken there */
	for (uint16_t i = 0; i < W_NUM; i++) {
		struct mmamp_vring_desc *d = &m->tx.desc[i];

		ST(d->addr_lo, BUF_DA(TX_BUF(i)));
		ST(d->addr_hi, 0u);
		ST(d->len, MMAMP_RPMSG_BUF_SIZE);
		ST(d->flags, (uint16_t)0);
		ST(m->tx.used->ring[i].id, (uint32_t)i);
		ST(m->tx.used->ring[i].len, MMAMP_RPMSG_BUF_SIZE);
	}
	ST_REL(m->tx.used->idx, (uint16_t)W_NUM);
	/* its RX callbacks stay off until the application enables them */
	ST(m->rx.avail->flags, (uint16_t)MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
	m->rx_cb_on = false;
	m->rx_off_rings = bell_count(&m->w->to_master, 0);
	m->rx.kicked_at = m->rx.avail_idx;
	bell_ring(&m->w->to_remote, 0); /* link-up */
	return 0;
}

int master_start(struct master *m)
{
	return m->kind == PEER_RPMSG_LITE ? master_start_static(m) : master_start_table(m);
}

void master_enable_rx_cb(struct master *m)
{
	if (!m->rx_cb_on && bell_count(&m->w->to_master, 0) != m->rx_off_rings)
		fail(m->error, "%s master: the remote rang vring0 while NO_INTERRUPT was set",
		     peer_name(m->kind));
	m->rx_cb_on = true;
	ST(m->rx.avail->flags, (uint16_t)0);
	if (m->rx.event_idx)
		ST(*pr_used_event(&m->rx), m->rx.last_used);
}

static int master_deliver(struct master *m, const uint8_t *b, uint32_t len)
{
	struct mmamp_rpmsg_hdr h;
	struct mmamp_rpmsg_ns_msg ns;

	if (len < MMAMP_RPMSG_HDR_SIZE || len > MMAMP_RPMSG_BUF_SIZE)
		return fail(m->error, "master: used.len %u on vring0", len);
	memcpy(&h, b, sizeof(h));
	if (h.len + MMAMP_RPMSG_HDR_SIZE > len)
		return fail(m->error, "master: header len %u in a %u-byte buffer", h.len, len);
	if (h.dst == MMAMP_RPMSG_NS_ADDR) {
		if (h.len != sizeof(ns))
			return fail(m->error, "master: NS message of %u bytes", h.len);
		memcpy(&ns, b + MMAMP_RPMSG_HDR_SIZE, sizeof(ns));
		memcpy(m->ns_name, ns.name, sizeof(m->ns_name));
		m->ns_name[sizeof(m->ns_name) - 1] = 0;
		m->ns_addr = ns.addr;
		m->ns_count++;
		return 0;
	}
	if (h.dst != m->addr)
		return fail(m->error, "master: message to unknown address %u", h.dst);
	m->received++;
	if (m->on_rx)
		m->on_rx(m->ctx, h.src, h.dst, b + MMAMP_RPMSG_HDR_SIZE, h.len);
	return 0;
}

int master_poll(struct master *m)
{
	uint16_t head;
	uint32_t len;
	int n = 0;

	if (m->error[0])
		return -1;
	if (m->kind == PEER_OPENAMP &&
	    bell_count(&m->w->to_master, LD(m->w->table->vdev.notifyid)))
		return fail(m->error, "OpenAMP master: the remote rang the vdev notify id %u, "
			    "which OpenAMP takes for a vdev notification, not a vring's",
			    LD(m->w->table->vdev.notifyid));
	while (pr_get_used(&m->rx, &head, &len, m->rx_cb_on)) {
		if (head >= W_NUM)
			return fail(m->error, "master: used id %u on vring0", head);
		if (master_deliver(m, m->w->mem + W_BUFS + head * MMAMP_RPMSG_BUF_SIZE, len))
			return -1;
		pr_add(&m->rx, head, BUF_DA(head), MMAMP_RPMSG_BUF_SIZE, true);
		n++;
	}
	if (n && pr_driver_kick(&m->rx))
		bell_ring(&m->w->to_remote, 0);
	return n;
}

/* A free TX buffer: its index and the capacity this master believes it has. */
static int master_tx_buffer(struct master *m, uint16_t *idx, uint32_t *cap)
{
	uint32_t len;

	if (m->kind == PEER_LINUX && m->tx_free_count) {
		*idx = m->tx_free[--m->tx_free_count];
		*cap = MMAMP_RPMSG_BUF_SIZE;
		return 0;
	}
	if (m->kind != PEER_RPMSG_LITE && m->tx_pool_next < W_NUM) {
		*idx = m->tx_pool_next++;
		*cap = MMAMP_RPMSG_BUF_SIZE;
		return 0;
	}
	if (!pr_get_used(&m->tx, idx, &len, false)) {
		if (m->kind == PEER_RPMSG_LITE)
			return 1; /* its TX interrupts are always on */
		/* as Linux does before it sleeps for a buffer: TX interrupts on, then look again */
		ST(m->tx.avail->flags, (uint16_t)0);
		if (m->tx.event_idx)
			ST(*pr_used_event(&m->tx), m->tx.last_used);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!pr_get_used(&m->tx, idx, &len, false))
			return 1;
	}
	if (m->kind != PEER_RPMSG_LITE) /* and off again once it has one */
		ST(m->tx.avail->flags, (uint16_t)MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
	if (*idx >= W_NUM)
		return fail(m->error, "master: used id %u on vring1", *idx);
	/* Linux ignores len; RPMsg-Lite and OpenAMP take it as the buffer's capacity */
	*cap = m->kind == PEER_LINUX ? MMAMP_RPMSG_BUF_SIZE : len;
	return 0;
}

int master_send(struct master *m, uint32_t dst, const void *data, uint32_t len)
{
	struct mmamp_rpmsg_hdr h = { .src = m->addr, .dst = dst, .len = (uint16_t)len };
	uint8_t *b;
	uint16_t idx;
	uint32_t cap;
	int ret;

	if (m->error[0])
		return -1;
	ret = master_tx_buffer(m, &idx, &cap);
	if (ret)
		return ret;
	if (cap < MMAMP_RPMSG_HDR_SIZE + len)
		return fail(m->error, "%s master: a returned TX buffer has capacity %u (its used.len), "
			    "a %u-byte message would be written out of bounds", peer_name(m->kind),
			    cap, len);
	b = m->w->mem + W_BUFS + TX_BUF(idx) * MMAMP_RPMSG_BUF_SIZE;
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), data, len);
	/* Linux posts the message's length; RPMsg-Lite and OpenAMP the whole buffer */
	pr_add(&m->tx, idx, BUF_DA(TX_BUF(idx)),
	       m->kind == PEER_LINUX ? MMAMP_RPMSG_HDR_SIZE + len : MMAMP_RPMSG_BUF_SIZE, false);
	if (pr_driver_kick(&m->tx))
		bell_ring(&m->w->to_remote, 1);
	m->sent++;
	return 0;
}

void master_stop(struct master *m)
{
	if (m->kind == PEER_RPMSG_LITE)
		return; /* no status byte: a restart is the next master_start()'s re-initialisation */
	ST_REL(m->w->table->vdev.status, (uint8_t)0);
	if (m->kind == PEER_OPENAMP)
		bell_ring(&m->w->to_remote, LD(m->w->table->vdev.notifyid));
}

/* ---- remote ---- */

void remote_init(struct remote *r, struct world *w, enum peer_kind kind, const char *name,
		 uint32_t addr)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->w = w;
	r->name = name;
	r->addr = addr;
	r->echo = true;
}

void remote_restart(struct remote *r)
{
	r->up = false;
	memset(&r->tx, 0, sizeof(r->tx));
	memset(&r->rx, 0, sizeof(r->rx));
}

static void remote_notify(struct remote *r, struct pring *q, uint32_t id)
{
	if (pr_device_notify(q, r->kind == PEER_RPMSG_LITE))
		bell_ring(&r->w->to_master, id);
}

int remote_send(struct remote *r, uint32_t dst, const void *data, uint32_t len)
{
	struct mmamp_rpmsg_hdr h = { .src = r->addr, .dst = dst, .len = (uint16_t)len };
	uint16_t head, flags;
	uint32_t addr, cap;
	uint8_t *b;

	if (!r->up)
		return 1;
	if (!pr_peek_avail(&r->tx, &head, &addr, &cap, &flags))
		return 1;
	b = buf_at(r->w, addr, cap);
	if (head >= W_NUM || !b || !(flags & MMAMP_VRING_DESC_F_WRITE) ||
	    cap < MMAMP_RPMSG_HDR_SIZE + len)
		return fail(r->error, "remote: vring0 buffer head %u addr 0x%x len %u flags %u",
			    head, addr, cap, flags);
	pr_take_avail(&r->tx);
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), data, len);
	pr_put_used(&r->tx, head, MMAMP_RPMSG_HDR_SIZE + len);
	remote_notify(r, &r->tx, 0);
	r->sent++;
	return 0;
}

static int remote_link_up(struct remote *r)
{
	struct mmamp_rpmsg_ns_msg ns = { .addr = r->addr, .flags = MMAMP_RPMSG_NS_CREATE };
	bool ev = false;

	if (r->kind == PEER_OPENAMP)
		ev = (LD(r->w->table->vdev.gfeatures) >> MMAMP_VIRTIO_RING_F_EVENT_IDX) & 1u;
	pr_setup(&r->tx, world_at(r->w, W_VRING0), ev);
	pr_setup(&r->rx, world_at(r->w, W_VRING1), ev);
	r->tx.kicked_at = LD(r->tx.used->idx);
	r->rx.kicked_at = LD(r->rx.used->idx);
	r->event_idx = ev;
	r->up = true;
	strncpy(ns.name, r->name, sizeof(ns.name) - 1);
	return remote_send(r, MMAMP_RPMSG_NS_ADDR, &ns, sizeof(ns)) < 0 ? -1 : 0;
}

int remote_poll(struct remote *r, bool rang)
{
	struct mmamp_rpmsg_hdr h;
	uint16_t head, flags;
	uint32_t addr, len;
	uint8_t *b;
	int n = 0, ret;

	if (r->error[0])
		return -1;
	if (r->kind == PEER_OPENAMP) {
		uint8_t status = LD_ACQ(r->w->table->vdev.status);

		if (r->up && !(status & MMAMP_VIRTIO_STATUS_DRIVER_OK))
			remote_restart(r);
		if (!r->up && (status & MMAMP_VIRTIO_STATUS_DRIVER_OK) && remote_link_up(r))
			return -1;
	} else if (!r->up && rang && remote_link_up(r)) {
		return -1;
	}
	if (!r->up)
		return 0;
	while (pr_peek_avail(&r->rx, &head, &addr, &len, &flags)) {
		b = buf_at(r->w, addr, len);
		if (head >= W_NUM || !b || len < MMAMP_RPMSG_HDR_SIZE || len > MMAMP_RPMSG_BUF_SIZE ||
		    (flags & MMAMP_VRING_DESC_F_WRITE))
			return fail(r->error, "remote: vring1 buffer head %u addr 0x%x len %u flags %u",
				    head, addr, len, flags);
		memcpy(&h, b, sizeof(h));
		if (h.len + MMAMP_RPMSG_HDR_SIZE > len)
			return fail(r->error, "remote: header len %u in a %u-byte buffer", h.len, len);
		if (h.dst != r->addr)
			return fail(r->error, "remote: message to unknown address %u", h.dst);
		if (r->echo) {
			ret = remote_send(r, h.src, b + MMAMP_RPMSG_HDR_SIZE, h.len);
			if (ret < 0)
				return -1;
			if (ret)
				break; /* no TX buffer yet: the message waits in the ring */
		}
		if (r->on_rx)
			r->on_rx(r->ctx, h.src, h.dst, b + MMAMP_RPMSG_HDR_SIZE, h.len);
		pr_take_avail(&r->rx);
		r->received++;
		/* RPMsg-Lite and OpenAMP return the descriptor length */
		pr_put_used(&r->rx, head, len);
		if (r->kind == PEER_RPMSG_LITE)
			remote_notify(r, &r->rx, 1); /* per buffer, whatever the master asked */
		n++;
	}
	if (n && r->kind != PEER_RPMSG_LITE)
		remote_notify(r, &r->rx, 1);
	return n;
}
