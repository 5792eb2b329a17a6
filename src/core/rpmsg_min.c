/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_min.c — the minimal remote profile (include/mmamp/rpmsg_min.h): the RPMsg remote device
 * in as few instructions as the checks allow. Every field the host writes is read once
 * (MMAMP_SHM_READ into a local) and checked before it is used; our own indices live in private
 * RAM and are never read back from the shared window.
 */
#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/rpmsg_min.h"
#include "hot.h"

#ifdef MMAMP_MIN_COPY
void *MMAMP_MIN_COPY(void *dst, const void *src, size_t n); /* the port's (rpmsg_min.h) */
#else
/* memmove: a hostile host may hand out an RX and a TX buffer that overlap (an echo copies one
 * into the other); the result is its own garbage, but never undefined behaviour here. */
#define MMAMP_MIN_COPY memmove
#endif

#define NUM   MMAMP_MIN_VRING_NUM
#define MASK  (MMAMP_MIN_VRING_NUM - 1u)
#define USED_OFFSET mmamp_vring_used_offset(NUM, MMAMP_MIN_VRING_ALIGN)
#define RING_SIZE   mmamp_vring_size(NUM, MMAMP_MIN_VRING_ALIGN)
#define TX 0
#define RX 1

/*
 * The TX steps (tx_get, tx_send): inlined into mmamp_min_send() when built for speed, behind
 * the public mmamp_min_tx_get()/mmamp_min_tx_send(); built for size (firmware), they *are*
 * the public functions, one copy each, and mmamp_min_send() calls them (the flash budget).
 */
#ifdef __OPTIMIZE_SIZE__
#define TX_STEP
#define tx_get  mmamp_min_tx_get
#define tx_send mmamp_min_tx_send
#else
#define TX_STEP MMAMP_HOT
#endif

void mmamp_min_init(struct mmamp_min_dev *d, const struct mmamp_min_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
}

/* Local address of [da, da + len) if it lies in the window, else NULL (wrap-safe). */
static uint8_t *window_ptr(const struct mmamp_min_dev *d, uint32_t da, uint32_t len)
{
	uint32_t off = da - d->cfg.window_da;

	if (off > d->cfg.window_size || len > d->cfg.window_size - off)
		return NULL;
	return (uint8_t *)d->cfg.window + off;
}

static void *broke(struct mmamp_min_dev *d, enum mmamp_min_fault why)
{
	d->fault = (uint8_t)why;
	return NULL;
}

/* The epoch (the word after the heartbeat) turns odd at link up and even at link down. */
static void bump_epoch(struct mmamp_min_dev *d)
{
	MMAMP_SHM_PUBLISH(d->cfg.beat[1], d->cfg.beat[1] + 1u);
}

/*
 * The next buffer the host made available on @q, without taking it: its head and length in
 * q->head, q->len. NULL when there is none or the ring is broken (then d->fault says why).
 */
MMAMP_HOT uint8_t *vq_peek(struct mmamp_min_dev *d, struct mmamp_min_vq *q)
{
	uint16_t ahead = (uint16_t)(MMAMP_SHM_ACQUIRE(q->avail->idx) - q->next_avail);
	struct mmamp_vring_desc *desc;
	uint32_t h, addr_hi;
	uint8_t *buf;

	if (!ahead)
		return NULL;
	if (ahead > NUM)
		return broke(d, MMAMP_MIN_BAD_AVAIL_IDX);
	h = MMAMP_SHM_READ(q->avail->ring[q->next_avail & MASK]);
	if (h >= NUM)
		return broke(d, MMAMP_MIN_BAD_HEAD);
	desc = &q->desc[h];
	addr_hi = MMAMP_SHM_READ(desc->addr_hi);
	q->len = MMAMP_SHM_READ(desc->len);
	buf = window_ptr(d, MMAMP_SHM_READ(desc->addr_lo), q->len);
	if (addr_hi || !buf || ((uintptr_t)buf & 3u)) /* above 4 GiB, not inside, misaligned */
		return broke(d, MMAMP_MIN_BAD_DESC);
	q->head = (uint16_t)h;
	return buf;
}

/* Hand buffer @head back with @len bytes written. */
MMAMP_HOT void vq_put(struct mmamp_min_vq *q, uint32_t head, uint32_t len)
{
	struct mmamp_vring_used_elem *e = &q->used->ring[q->next_used & MASK];

	MMAMP_SHM_WRITE(e->id, head);
	MMAMP_SHM_WRITE(e->len, len);
	MMAMP_SHM_PUBLISH(q->used->idx, ++q->next_used);
}

/* Ring the host for @q unless it suppressed notifications (a polling host). */
MMAMP_HOT void vq_notify(struct mmamp_min_dev *d, struct mmamp_min_vq *q)
{
	MMAMP_MB(); /* the used index before we look at the flag: the host may be switching */
	if (!(MMAMP_SHM_READ(q->avail->flags) & MMAMP_VRING_AVAIL_F_NO_INTERRUPT))
		d->cfg.notify(q->notifyid);
}

#if MMAMP_MIN_STATIC_LINK
/* A static link: the layout is the build's; only the window check is left to do. */
static int vq_setup(struct mmamp_min_dev *d, unsigned int i)
{
	static const uint32_t ring_da[2] = { MMAMP_MIN_VRING0_DA, MMAMP_MIN_VRING1_DA };
	struct mmamp_min_vq *q = &d->vq[i];
	uint32_t da = ring_da[i];
	uint8_t *ring = window_ptr(d, da, RING_SIZE);

	if (!ring || (da & 15u)) {
		d->fault = MMAMP_MIN_BAD_VRING;
		return -MMAMP_EIO;
	}
	q->notifyid = i;
#else
/* At DRIVER_OK: vring @i's address, as the host wrote it, must hold our geometry in the window. */
static int vq_setup(struct mmamp_min_dev *d, unsigned int i)
{
	struct mmamp_fw_rsc_vdev_vring *v = &d->cfg.table->vdev.vring[i];
	struct mmamp_min_vq *q = &d->vq[i];
	uint32_t da = MMAMP_SHM_READ(v->da);
	uint8_t *ring = window_ptr(d, da, RING_SIZE);

	if (!ring || (da & 15u) || MMAMP_SHM_READ(v->num) != NUM ||
	    MMAMP_SHM_READ(v->align) != MMAMP_MIN_VRING_ALIGN) {
		d->fault = MMAMP_MIN_BAD_VRING;
		return -MMAMP_EIO;
	}
	q->notifyid = MMAMP_SHM_READ(v->notifyid);
#endif
	q->desc = (struct mmamp_vring_desc *)(void *)ring;
	q->avail = (struct mmamp_vring_avail *)(void *)(ring + 16u * NUM);
	q->used = (struct mmamp_vring_used *)(void *)(ring + USED_OFFSET);
	q->next_avail = 0;
	/* adopted, not assumed 0: RPMsg-Lite's master pre-returns its TX buffers (protocol.md §2.3) */
	q->next_used = MMAMP_SHM_READ(q->used->idx);
	return 0;
}

static int link_up(struct mmamp_min_dev *d)
{
	if (vq_setup(d, TX) || vq_setup(d, RX))
		return -MMAMP_EIO;
	d->tx = NULL;
	d->announced = 0;
	d->up = 1;
	bump_epoch(d);
	return 0;
}

/* Announce what is left to announce (at link up; again later if TX buffers ran out). */
static void announce(struct mmamp_min_dev *d)
{
	const struct mmamp_min_ept *e;
	struct mmamp_rpmsg_ns_msg *ns;
	uint32_t i;

#if !MMAMP_MIN_STATIC_LINK /* a static link always has the name service */
	if (!(MMAMP_SHM_READ(d->cfg.table->vdev.gfeatures) & (1u << MMAMP_VIRTIO_RPMSG_F_NS))) {
		d->announced = (uint16_t)d->cfg.n_epts; /* the host did not take name service */
		return;
	}
#endif
	for (; d->announced < d->cfg.n_epts; d->announced++) {
		e = &d->cfg.epts[d->announced];
		if (!e->name)
			continue;
		ns = mmamp_min_tx_get(d);
		if (!ns)
			return;
		/* written in place: the name NUL-padded (cut at 31), then addr and flags */
		for (i = 0; i < MMAMP_RPMSG_NAME_SIZE - 1u && e->name[i]; i++)
			ns->name[i] = e->name[i];
		while (i < MMAMP_RPMSG_NAME_SIZE)
			ns->name[i++] = 0;
		ns->addr = e->addr;
		ns->flags = MMAMP_RPMSG_NS_CREATE;
		mmamp_min_tx_send(d, e->addr, MMAMP_RPMSG_NS_ADDR, sizeof(*ns));
	}
}

/* Deliver message @buf (@len bytes of buffer) to its endpoint; -MMAMP_EAGAIN keeps it. */
static int deliver(struct mmamp_min_dev *d, uint8_t *buf, uint32_t len)
{
	struct mmamp_rpmsg_hdr *hdr = (struct mmamp_rpmsg_hdr *)(void *)buf;
	const struct mmamp_min_ept *e = d->cfg.epts, *end = e + d->cfg.n_epts;
	uint32_t n, dst;

	if (len >= MMAMP_RPMSG_HDR_SIZE) { /* the header only when the buffer holds one */
		n = MMAMP_SHM_READ(hdr->len);
		dst = MMAMP_SHM_READ(hdr->dst);
		if (n <= len - MMAMP_RPMSG_HDR_SIZE && n <= MMAMP_RPMSG_MTU)
			for (; e < end; e++)
				if (e->addr == dst)
					return e->rx(d, e, buf + MMAMP_RPMSG_HDR_SIZE, n,
						     MMAMP_SHM_READ(hdr->src)) == -MMAMP_EAGAIN
						       ? -MMAMP_EAGAIN
						       : 1;
	}
	d->dropped++; /* malformed, or no such endpoint: the buffer goes back unread */
	return 0;
}

/* The host reset the device (status 0; a static link: it re-initialised the rings). */
static void link_down(struct mmamp_min_dev *d)
{
	if (d->up)
		bump_epoch(d);
	d->up = 0;
	d->fault = 0;
	d->tx = NULL; /* a TX buffer still held belongs to the vring the host has reset */
}

#if MMAMP_MIN_STATIC_LINK
void mmamp_min_kicked(struct mmamp_min_dev *d)
{
	d->kicked = 1;
}

/*
 * No status byte: up at the first doorbell; a master that restarted wrote a used index that
 * is not ours (rpmsg.h's struct mmamp_rpmsg_static_link): down, and up again at once.
 */
static int follow_link(struct mmamp_min_dev *d)
{
	if (d->up && (MMAMP_SHM_READ(d->vq[TX].used->idx) != d->vq[TX].next_used ||
		      MMAMP_SHM_READ(d->vq[RX].used->idx) != d->vq[RX].next_used)) {
		link_down(d);
		d->kicked = 1;
	}
	if (d->up)
		return 0;
	if (!d->kicked)
		return -MMAMP_ENOTCONN;
	d->kicked = 0;
	return 1;
}
#else
static int follow_link(struct mmamp_min_dev *d)
{
	if (!(MMAMP_SHM_ACQUIRE(d->cfg.table->vdev.status) & MMAMP_VIRTIO_STATUS_DRIVER_OK)) {
		link_down(d);
		return -MMAMP_ENOTCONN;
	}
	return !d->up;
}
#endif

int mmamp_min_poll(struct mmamp_min_dev *d)
{
	struct mmamp_min_vq *q = &d->vq[RX];
	uint8_t *buf;
	int delivered = 0, returned = 0, ret;

	d->cfg.beat[0]++;
	ret = follow_link(d);
	if (ret < 0)
		return ret;
	if (d->fault || (ret && link_up(d)))
		return -MMAMP_EIO;
	if (d->announced < d->cfg.n_epts)
		announce(d);
	/* not after a fault: an announcement or a callback's send may have broken vring 0 */
	while (!d->fault && (buf = vq_peek(d, q))) {
		ret = deliver(d, buf, q->len);
		if (ret < 0)
			break;
		delivered += ret;
		q->next_avail++;
		vq_put(q, q->head, q->len); /* the descriptor's length: OpenAMP's master reads it */
		returned = 1;
	}
	if (returned)
		vq_notify(d, q); /* once per batch: a host waiting for TX buffers */
	return d->fault ? -MMAMP_EIO : delivered;
}

TX_STEP void *tx_get(struct mmamp_min_dev *d)
{
	uint8_t *buf;

	if (!d->up || d->fault)
		return NULL;
	if (!d->tx) {
		struct mmamp_min_vq *q = &d->vq[TX];

		buf = vq_peek(d, q);
		if (!buf) {
			/* out of buffers: now the host must ring when it reposts one; look again, it
			 * may have just done so (the flag store before the index load: no lost wake) */
			MMAMP_SHM_WRITE(q->used->flags, (uint16_t)0);
			MMAMP_MB();
			buf = vq_peek(d, q);
			if (!buf)
				return NULL;
		}
		/* while buffers are there, a repost needs no doorbell: we look when we send */
		MMAMP_SHM_WRITE(q->used->flags, (uint16_t)MMAMP_VRING_USED_F_NO_NOTIFY);
		if (q->len < MMAMP_RPMSG_BUF_SIZE)
			return broke(d, MMAMP_MIN_BAD_TX_LEN);
		q->next_avail++;
		d->tx = buf;
		d->tx_head = q->head;
	}
	return d->tx + MMAMP_RPMSG_HDR_SIZE;
}

TX_STEP int tx_send(struct mmamp_min_dev *d, uint32_t src, uint32_t dst, uint32_t len)
{
	struct mmamp_rpmsg_hdr *hdr = (struct mmamp_rpmsg_hdr *)(void *)d->tx;

	if (!hdr)
		return -MMAMP_EINVAL;
	if (len > MMAMP_RPMSG_MTU)
		return -MMAMP_EMSGSIZE;
	hdr->src = src;
	hdr->dst = dst;
	hdr->reserved = 0;
	hdr->len = (uint16_t)len;
	hdr->flags = 0;
	d->tx = NULL;
	vq_put(&d->vq[TX], d->tx_head, MMAMP_RPMSG_HDR_SIZE + len);
	vq_notify(d, &d->vq[TX]);
	return 0;
}

#ifndef __OPTIMIZE_SIZE__
void *mmamp_min_tx_get(struct mmamp_min_dev *d)
{
	return tx_get(d);
}

int mmamp_min_tx_send(struct mmamp_min_dev *d, uint32_t src, uint32_t dst, uint32_t len)
{
	return tx_send(d, src, dst, len);
}
#endif

int mmamp_min_send(struct mmamp_min_dev *d, uint32_t src, uint32_t dst, const void *data,
		   uint32_t len)
{
	void *p;

	if (len > MMAMP_RPMSG_MTU)
		return -MMAMP_EMSGSIZE;
	p = tx_get(d);
	if (!p)
		return -MMAMP_EAGAIN;
	MMAMP_MIN_COPY(p, data, len);
	return tx_send(d, src, dst, len);
}
