/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/virtio_ring.h — wire layout of a legacy virtio split ring, as in virtio 1.1 §2.6 and
 * Linux include/uapi/linux/virtio_ring.h (see docs/protocol.md §2). Layout only; the algorithms
 * are in mmamp/vring.h.
 *
 *   base ─► desc[num]           16·num bytes          written by the driver
 *           avail.flags,idx     2 + 2
 *           avail.ring[num]     2·num                 written by the driver
 *           avail.used_event    2                     (EVENT_IDX only)
 *           ── pad to align ──
 *           used.flags,idx      2 + 2                 written by the device
 *           used.ring[num]      8·num  {id u32, len u32}
 *           used.avail_event    2                     (EVENT_IDX only)
 */
#ifndef MMAMP_VIRTIO_RING_H
#define MMAMP_VIRTIO_RING_H

#include <stdint.h>
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_VRING_DESC_F_NEXT      1u
#define MMAMP_VRING_DESC_F_WRITE     2u
#define MMAMP_VRING_DESC_F_INDIRECT  4u
#define MMAMP_VRING_AVAIL_F_NO_INTERRUPT 1u
#define MMAMP_VRING_USED_F_NO_NOTIFY     1u

/** struct mmamp_vring_desc - one buffer: bus address, length, flags, chain link (16 bytes). */
struct mmamp_vring_desc {
	uint32_t addr_lo; /* u64 addr split in halves: a 32-bit core cannot load it atomically */
	uint32_t addr_hi;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/** struct mmamp_vring_avail - driver → device: heads of buffers made available. */
struct mmamp_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [num], then used_event */
};

/** struct mmamp_vring_used_elem - one returned buffer: head index and bytes written. */
struct mmamp_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/** struct mmamp_vring_used - device → driver: buffers returned. */
struct mmamp_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct mmamp_vring_used_elem ring[]; /* [num], then avail_event */
};

MMAMP_STATIC_ASSERT(sizeof(struct mmamp_vring_desc) == 16, "vring_desc is 16 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_vring_used_elem) == 8, "used elem is 8 bytes");

/** mmamp_vring_used_offset() - byte offset of the used ring for (@num, @align); @align a power of two. */
static inline uint32_t mmamp_vring_used_offset(uint32_t num, uint32_t align)
{
	return (16u * num + 2u * (3u + num) + align - 1u) & ~(align - 1u);
}

/** mmamp_vring_size() - bytes a ring of @num entries with used-ring alignment @align occupies. */
static inline uint32_t mmamp_vring_size(uint32_t num, uint32_t align)
{
	return mmamp_vring_used_offset(num, align) + 2u * 3u + 8u * num;
}

/**
 * mmamp_vring_need_event() - the EVENT_IDX rule: after moving an index from @old_idx to @new_idx,
 * notify iff the peer's @event_idx lies in [old, new).
 */
static inline int mmamp_vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1u) < (uint16_t)(new_idx - old_idx);
}

MMAMP_END_DECLS

#endif /* MMAMP_VIRTIO_RING_H */
