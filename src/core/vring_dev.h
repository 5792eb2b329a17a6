/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vring_dev.h — the device (remote) role's per-buffer steps, as inline functions private to the
 * core: vring.c's public API (mmamp_vq_get_avail, mmamp_vq_put_used, mmamp_vq_kick_prepare) and
 * rpmsg.c's remote fast path share them, so a message costs no call and no re-check of what the
 * caller already knows. Every value the driver writes is still read once and checked here, by
 * the rules of mmamp/vring.h:
 *
 *   vq_dev_avail()  avail.idx: at most num − held ahead of what we took (else broken)
 *   vq_dev_take()   avail.ring[] < num; descriptor: no NEXT/INDIRECT, 0 < len ≤ max_len,
 *                   [addr, addr + len) inside the window
 *
 * What moved out of the per-buffer path (docs/config.md, "The remote fast path"):
 *   - the avail.idx read: vq_dev_avail() reads and checks it once; the buffers it counted are
 *     taken without reading it again (@avail_seen remembers how far it was checked);
 *   - "is this queue a device, is head < num, is something outstanding" on a return: the caller
 *     returns a head it took from this queue itself (the public mmamp_vq_put_used() keeps them);
 *   - "max_len 0 means no limit": turned into UINT32_MAX once, at mmamp_vq_init_device();
 *   - "does the window wrap the address space, is it larger than a pointer can span": refused
 *     once, at set-up (vq_setup()), so the window check needs no separate "below the window"
 *     test and its length compare is pointer-wide.
 */
#ifndef MMAMP_CORE_VRING_DEV_H
#define MMAMP_CORE_VRING_DEV_H

#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/vring.h"

/* EVENT_IDX: the slot after avail.ring[] (driver writes) and after used.ring[] (device writes). */
static inline uint16_t *used_event_slot(const struct mmamp_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static inline uint16_t *avail_event_slot(const struct mmamp_vq *vq)
{
	return (uint16_t *)(void *)&vq->used->ring[vq->num];
}

/* The peer made a mess: remember what, and refuse everything from now on. */
static inline int vq_break(struct mmamp_vq *vq, enum mmamp_vq_fault_code code, uint32_t value)
{
	vq->fault = (uint8_t)code;
	vq->fault_value = value;
	return -MMAMP_EIO;
}

/*
 * Read avail.idx once and check it: how many buffers the driver made available beyond those
 * we took (0: none), or -MMAMP_EIO (the queue is broken now). The caller checked vq->fault.
 * The driver owns num descriptors; those we hold cannot be available again, so the distance
 * plus what we hold is at most num. Taking one keeps that sum, returning one lowers it: the
 * buffers counted here stay within the rule until they are all taken.
 */
static inline int vq_dev_avail(struct mmamp_vq *vq)
{
	uint16_t idx = MMAMP_SHM_ACQUIRE(vq->avail->idx);
	uint16_t ahead = (uint16_t)(idx - vq->next_avail);

	if ((uint32_t)ahead + vq->outstanding > vq->num)
		return vq_break(vq, MMAMP_VQ_BAD_AVAIL_IDX, idx);
	vq->avail_seen = idx;
	return ahead;
}

/*
 * Take the buffer at next_avail, which vq_dev_avail() counted (next_avail != avail_seen):
 * 0 with @buf filled, or -MMAMP_EIO (broken now; @buf untouched).
 */
static inline int vq_dev_take(struct mmamp_vq *vq, struct mmamp_vq_buf *buf)
{
	const struct mmamp_vring_desc *d;
	uint16_t head, flags;
	uint32_t len;
	uint64_t addr, off;
	uintptr_t size;

	head = MMAMP_SHM_READ(vq->avail->ring[vq->next_avail & vq->mask]);
	if (head >= vq->num)
		return vq_break(vq, MMAMP_VQ_BAD_AVAIL_HEAD, head);
	d = &vq->desc[head];
	addr = MMAMP_SHM_READ(d->addr_lo) | (uint64_t)MMAMP_SHM_READ(d->addr_hi) << 32;
	len = MMAMP_SHM_READ(d->len);
	flags = MMAMP_SHM_READ(d->flags);
	if (flags & (MMAMP_VRING_DESC_F_NEXT | MMAMP_VRING_DESC_F_INDIRECT))
		return vq_break(vq, MMAMP_VQ_BAD_DESC_FLAGS, flags);
	/* 0 < len ≤ max_len in one compare: len 0 wraps to UINT32_MAX */
	if (len - 1u >= vq->max_len)
		return vq_break(vq, MMAMP_VQ_BAD_DESC_LEN, len);
	/*
	 * Inside the window: an address below it wraps to an offset above its size, as the
	 * window does not wrap, and its size fits a pointer (both refused at vq_setup()), so
	 * the second compare is pointer-wide (32-bit on a Cortex-M).
	 */
	off = addr - vq->shm->da;
	size = (uintptr_t)vq->shm->size;
	if (off >= size || len > size - (uintptr_t)off)
		return vq_break(vq, MMAMP_VQ_BAD_DESC_ADDR, (uint32_t)addr);
	buf->data = (uint8_t *)vq->shm->base + (uintptr_t)off;
	MMAMP_CACHE_INVALIDATE(buf->data, len);

	vq->next_avail++;
	vq->outstanding++;
	if (vq->event_idx && !vq->cb_off)
		MMAMP_SHM_WRITE(*avail_event_slot(vq), vq->next_avail);
	buf->head = head;
	buf->len = len;
	buf->device_writable = (flags & MMAMP_VRING_DESC_F_WRITE) != 0;
	return 0;
}

/* Return @head, which the caller took from this queue, with @len bytes written. */
static inline void vq_dev_put(struct mmamp_vq *vq, uint16_t head, uint32_t len)
{
	struct mmamp_vring_used_elem *e = &vq->used->ring[vq->next_used & vq->mask];

	MMAMP_SHM_WRITE(e->id, (uint32_t)head);
	MMAMP_SHM_WRITE(e->len, len);
	vq->outstanding--;
	vq->next_used++;
	MMAMP_SHM_PUBLISH(vq->used->idx, vq->next_used);
}

/*
 * After publishing up to @new_idx (either role): whether the peer wants a notification — its
 * event index @event with EVENT_IDX, else its suppression flag @no_flag in *@flags. Full
 * barrier first: our index store before we read its wish.
 */
static inline bool vq_kick_needed(struct mmamp_vq *vq, uint16_t new_idx, const uint16_t *event,
				  const uint16_t *flags, uint16_t no_flag)
{
	uint16_t old_idx = vq->kicked_at;

	MMAMP_MB();
	vq->kicked_at = new_idx;
	if (new_idx == old_idx)
		return false;
	if (vq->event_idx)
		return mmamp_vring_need_event(MMAMP_SHM_READ(*event), new_idx, old_idx);
	return !(MMAMP_SHM_READ(*flags) & no_flag);
}

/* The device after returning buffers: the driver's used_event / NO_INTERRUPT. */
static inline bool vq_dev_kick_needed(struct mmamp_vq *vq)
{
	return vq_kick_needed(vq, vq->next_used, used_event_slot(vq), &vq->avail->flags,
			      MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
}

#endif /* MMAMP_CORE_VRING_DEV_H */
