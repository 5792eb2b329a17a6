/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/vring.h — a legacy virtio split virtqueue in shared memory, in either role:
 *
 *   driver (the host / Linux role): owns the descriptors, makes buffers available on the avail
 *           ring, reaps them from the used ring;
 *   device (the remote / M4 role):  takes buffers from the avail ring, returns them on the used ring.
 *
 * The peer is not trusted. Everything it writes is read exactly once into a local and checked
 * before use:
 *
 *   driver reads  used.idx        at most "in flight" entries ahead of what we reaped
 *                 used.ring[].id  < num, and a descriptor we actually have in flight
 *                 used.ring[].len ≤ the length we posted (device-writable buffers)
 *   device reads  avail.idx       at most num entries (minus those we hold) ahead
 *                 avail.ring[]    < num
 *                 desc[head]      no chaining/indirect; len non-zero, ≤ max_len; [addr, addr+len)
 *                                 inside the shared window — only then is it turned into a pointer
 *
 * A violation marks the queue broken (like Linux's vq->broken): the call and every later call
 * return -MMAMP_EIO, nothing is read or written any more, and mmamp_vq_fault() says what the peer
 * did. Only re-initialising the queue (a virtio reset) clears it. A driver never dereferences an
 * address that came from shared memory: its buffer pointers come from its own bookkeeping.
 *
 * Ordering (see mmamp/port.h and docs/protocol.md §2):
 *   publish:  fill buffer + ring slot, MMAMP_WMB, write idx, MMAMP_MB, read the peer's
 *             suppression flag / event index to decide on a notification;
 *   consume:  read idx, MMAMP_RMB, read ring slot, descriptor, buffer.
 */
#ifndef MMAMP_VRING_H
#define MMAMP_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmamp/config.h"
#include "mmamp/diag.h"
#include "mmamp/shm.h"
#include "mmamp/virtio_ring.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/*
 * MMAMP_CONFIG_HOST_ROLE (default 1): with 0, the core is built for the remote (virtio device)
 * role only — firmware: every host/driver-role branch inside the shared functions of vring.c and
 * rpmsg.c is compiled out (the host-only functions are dropped by --gc-sections anyway), and
 * mmamp_vq_init_driver() / mmamp_rpmsg_init_host() return -MMAMP_EOPNOTSUPP (docs/config.md).
 * The wire protocol and every check are the same either way.
 */

/* mmamp_vq_init_*() flags */
#define MMAMP_VQ_F_EVENT_IDX 0x1u /* VIRTIO_RING_F_EVENT_IDX was negotiated */

/**
 * enum mmamp_vq_fault_code - what a peer did to break the queue (mmamp_vq_fault()).
 */
enum mmamp_vq_fault_code {
	MMAMP_VQ_OK = 0,
	MMAMP_VQ_BAD_USED_IDX,   /* used.idx ahead of what we have in flight */
	MMAMP_VQ_BAD_USED_ID,    /* used.ring[].id out of range */
	MMAMP_VQ_USED_ID_IDLE,   /* used.ring[].id names a descriptor that is not in flight */
	MMAMP_VQ_BAD_USED_LEN,   /* used.ring[].len larger than the buffer we posted */
	MMAMP_VQ_BAD_AVAIL_IDX,  /* avail.idx more than num ahead */
	MMAMP_VQ_BAD_AVAIL_HEAD, /* avail.ring[] entry out of range */
	MMAMP_VQ_BAD_DESC_FLAGS, /* chained or indirect descriptor (RPMsg never uses them) */
	MMAMP_VQ_BAD_DESC_LEN,   /* zero, or above the queue's max_len */
	MMAMP_VQ_BAD_DESC_ADDR,  /* [addr, addr+len) not inside the shared window */
};

/**
 * struct mmamp_vq_desc_state - driver-private shadow of one descriptor (never in shared memory).
 * @len:   length posted; 0 when the descriptor is free.
 * @flags: MMAMP_VRING_DESC_F_WRITE if the device may write it.
 */
struct mmamp_vq_desc_state {
	uint32_t len;
	uint32_t flags;
};

/**
 * struct mmamp_vq - one virtqueue endpoint. All fields are private to vring.c.
 * @desc, @avail, @used: the three parts of the ring in shared memory.
 * @shm:        the shared window that descriptor addresses must lie in.
 * @state:      driver role: caller-provided array of @num descriptor shadows.
 * @max_len:    device role: largest descriptor length accepted (UINT32_MAX: only the window
 *              bounds it; mmamp_vq_init_device() turns its "0 = no limit" into that).
 * @fault_value: the offending value when broken (@fault says which field).
 * @num, @mask: queue size (power of two) and num - 1.
 * @next_avail: driver: avail.idx we publish next.    device: next avail entry to take.
 * @next_used:  driver: next used entry to reap.      device: used.idx we publish next.
 * @outstanding: driver: buffers in flight.           device: buffers taken, not yet returned.
 * @kicked_at:  the index at our last notification decision (for EVENT_IDX).
 * @avail_seen: device: avail.idx as last read and checked; the buffers up to it are taken
 *              without reading it again (src/core/vring_dev.h).
 * @cb_off:     we asked the peer not to notify us (mmamp_vq_disable_cb()).
 */
struct mmamp_vq {
	struct mmamp_vring_desc *desc;
	struct mmamp_vring_avail *avail;
	struct mmamp_vring_used *used;
	const struct mmamp_shm *shm;
	struct mmamp_vq_desc_state *state;
	uint32_t max_len;
	uint32_t fault_value;
	uint16_t num;
	uint16_t mask;
	uint16_t next_avail;
	uint16_t next_used;
	uint16_t outstanding;
	uint16_t kicked_at;
	uint16_t avail_seen;
	uint8_t is_driver;
	uint8_t event_idx;
	uint8_t cb_off;
	uint8_t fault;
};

/**
 * struct mmamp_vq_buf - a buffer the device took from the avail ring.
 * @head: descriptor index, to hand back to mmamp_vq_put_used().
 * @data: local pointer to the buffer (validated to lie inside the shared window).
 * @len:  its length.
 * @device_writable: whether the driver marked it VRING_DESC_F_WRITE (an in-buffer).
 */
struct mmamp_vq_buf {
	void *data;
	uint32_t len;
	uint16_t head;
	bool device_writable;
};

/**
 * mmamp_vq_check_geometry() - whether (@num, @align) is a ring both sides can agree on:
 * @num a power of two in 1..32768, @align a power of two ≥ 4 (the used ring holds u32s).
 * Returns 0 or -MMAMP_EINVAL.
 */
int mmamp_vq_check_geometry(uint32_t num, uint32_t align);

/**
 * mmamp_vq_init_driver() - set up the driver side and zero the ring (as Linux does in find_vqs).
 * @ring must lie inside @shm for mmamp_vring_size(@num, @align) bytes; @state has @num entries.
 * Returns 0, or -MMAMP_EINVAL for a bad geometry or placement.
 */
int mmamp_vq_init_driver(struct mmamp_vq *vq, void *ring, uint32_t num, uint32_t align,
			 const struct mmamp_shm *shm, struct mmamp_vq_desc_state *state,
			 unsigned int flags);

/**
 * mmamp_vq_init_device() - set up the device side of a ring the driver has initialised. Does not
 * write shared memory. The used index is adopted from the ring (read once: a driver may have
 * pre-returned buffers, as RPMsg-Lite's master does); the avail side starts at 0.
 * @max_len bounds descriptor lengths (0: only the window bounds them).
 */
int mmamp_vq_init_device(struct mmamp_vq *vq, void *ring, uint32_t num, uint32_t align,
			 const struct mmamp_shm *shm, uint32_t max_len, unsigned int flags);

/**
 * mmamp_vq_init_device_at() - mmamp_vq_init_device() for a ring the driver placed at device
 * address @da (as a remote reads it from the live resource table): one translation checks that
 * the whole ring lies inside @shm. Return: 0; -MMAMP_EINVAL for an unusable @num / @align (or
 * a NULL @vq / @shm); -MMAMP_ERANGE if the ring is not inside the window at 16-byte alignment,
 * or the window itself is unusable (it wraps the device address space, or no pointer spans it).
 */
int mmamp_vq_init_device_at(struct mmamp_vq *vq, uint64_t da, uint32_t num, uint32_t align,
			    const struct mmamp_shm *shm, uint32_t max_len, unsigned int flags);

/**
 * mmamp_vq_add() - driver: make buffer [@da, @da + @len) available as descriptor @head.
 * Returns 0; -MMAMP_EBUSY if @head is still in flight; -MMAMP_EINVAL for a bad head, length or
 * address; -MMAMP_EIO if the queue is broken. Publishes immediately (the index store is the
 * commit point); call mmamp_vq_kick_prepare() once per batch to decide on a doorbell.
 */
int mmamp_vq_add(struct mmamp_vq *vq, uint16_t head, uint64_t da, uint32_t len,
		 bool device_writable);

/**
 * mmamp_vq_get_used() - driver: reap the next buffer the device returned.
 * @head: its descriptor index.  @len: bytes the device wrote (0 for a device-readable buffer).
 * Returns 0, -MMAMP_EAGAIN if none, -MMAMP_EIO if the queue is (now) broken.
 */
int mmamp_vq_get_used(struct mmamp_vq *vq, uint16_t *head, uint32_t *len);

/**
 * mmamp_vq_get_avail() - device: take the next available buffer.
 * Returns 0, -MMAMP_EAGAIN if none, -MMAMP_EIO if the queue is (now) broken.
 */
int mmamp_vq_get_avail(struct mmamp_vq *vq, struct mmamp_vq_buf *buf);

/**
 * mmamp_vq_put_used() - device: return descriptor @head with @len bytes written.
 * Returns 0, -MMAMP_EINVAL if @head is out of range or nothing is outstanding, -MMAMP_EIO if broken.
 */
int mmamp_vq_put_used(struct mmamp_vq *vq, uint16_t head, uint32_t len);

/**
 * mmamp_vq_kick_prepare() - after publishing (either role): whether the peer wants a
 * notification now (its NO_NOTIFY/NO_INTERRUPT flag, or its event index). Full barrier inside.
 */
bool mmamp_vq_kick_prepare(struct mmamp_vq *vq);

/**
 * mmamp_vq_disable_cb() - ask the peer not to notify us for this queue (a hint).
 */
void mmamp_vq_disable_cb(struct mmamp_vq *vq);

/**
 * mmamp_vq_enable_cb() - ask the peer to notify us again. Returns true if work arrived in the
 * meantime (the caller must poll again instead of sleeping — this closes the lost-wakeup race).
 */
bool mmamp_vq_enable_cb(struct mmamp_vq *vq);

/** mmamp_vq_pending() - whether the peer has published work we have not consumed yet. */
bool mmamp_vq_pending(const struct mmamp_vq *vq);

/**
 * mmamp_vq_used_rewritten() - device: whether used.idx in the ring differs from what we
 * published — only a driver that re-initialised the ring writes it (a static link's restart
 * signature, see mmamp/rpmsg.h). False on a driver or an unset queue.
 */
bool mmamp_vq_used_rewritten(const struct mmamp_vq *vq);

/** mmamp_vq_is_broken() - whether a peer violation stopped the queue. */
static inline bool mmamp_vq_is_broken(const struct mmamp_vq *vq)
{
	return vq->fault != MMAMP_VQ_OK;
}

/**
 * mmamp_vq_fault() - describe why the queue is broken (where, field, offending value).
 * Returns -MMAMP_EIO if broken (with @d filled), 0 if not.
 */
int mmamp_vq_fault(const struct mmamp_vq *vq, struct mmamp_diag *d);

/** mmamp_vq_num() - queue size. */
static inline uint16_t mmamp_vq_num(const struct mmamp_vq *vq)
{
	return vq->num;
}

/** mmamp_vq_outstanding() - driver: buffers in flight; device: buffers held. */
static inline uint16_t mmamp_vq_outstanding(const struct mmamp_vq *vq)
{
	return vq->outstanding;
}

MMAMP_END_DECLS

#endif /* MMAMP_VRING_H */
