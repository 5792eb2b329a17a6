/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vring.c — the split-virtqueue algorithms for both roles, with every value the peer wrote
 * validated before use (see mmamp/vring.h for the rules, docs/protocol.md §2 for the ordering).
 */
#include "mmamp/vring.h"

#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "vring_dev.h"

/* The driver role's branches; a remote-only build (MMAMP_CONFIG_HOST_ROLE 0) has none. */
#define IS_DRIVER(vq) (MMAMP_CONFIG_HOST_ROLE && (vq)->is_driver)

int mmamp_vq_check_geometry(uint32_t num, uint32_t align)
{
	if (num == 0 || num > 32768u || (num & (num - 1u)))
		return -MMAMP_EINVAL;
	if (align < 4u || (align & (align - 1u)))
		return -MMAMP_EINVAL;
	return 0;
}

/* A window that wraps the device address space, or that no pointer can span, is no window
 * (vq_dev_take() relies on both). */
static bool window_unusable(const struct mmamp_shm *shm)
{
	return (shm->da && shm->size > 0u - shm->da) || shm->size > UINTPTR_MAX;
}

/* The ring's parts at @ring, once its geometry and placement passed. */
static void vq_layout(struct mmamp_vq *vq, uint8_t *ring, uint32_t num, uint32_t align,
		      const struct mmamp_shm *shm, unsigned int flags)
{
	memset(vq, 0, sizeof(*vq));
	vq->desc = (struct mmamp_vring_desc *)(void *)ring;
	vq->avail = (struct mmamp_vring_avail *)(void *)(ring + 16u * num);
	vq->used = (struct mmamp_vring_used *)(void *)(ring + mmamp_vring_used_offset(num, align));
	vq->shm = shm;
	vq->num = (uint16_t)num;
	vq->mask = (uint16_t)(num - 1u);
	vq->event_idx = (flags & MMAMP_VQ_F_EVENT_IDX) != 0;
}

static int vq_setup(struct mmamp_vq *vq, void *ring, uint32_t num, uint32_t align,
		    const struct mmamp_shm *shm, unsigned int flags)
{
	if (!vq || !ring || !shm || mmamp_vq_check_geometry(num, align))
		return -MMAMP_EINVAL;
	/* 16-byte alignment: the descriptor table holds u64 addresses and u32 lengths. */
	if (((uintptr_t)ring & 15u) || !mmamp_shm_contains(shm, ring, mmamp_vring_size(num, align)))
		return -MMAMP_EINVAL;
	if (window_unusable(shm))
		return -MMAMP_EINVAL;
	vq_layout(vq, ring, num, align, shm, flags);
	return 0;
}

int mmamp_vq_init_driver(struct mmamp_vq *vq, void *ring, uint32_t num, uint32_t align,
			 const struct mmamp_shm *shm, struct mmamp_vq_desc_state *state,
			 unsigned int flags)
{
	int ret;

	if (!MMAMP_CONFIG_HOST_ROLE)
		return -MMAMP_EOPNOTSUPP;
	if (!state)
		return -MMAMP_EINVAL;
	ret = vq_setup(vq, ring, num, align, shm, flags);
	if (ret)
		return ret;
	vq->is_driver = 1;
	vq->state = state;
	memset(state, 0, num * sizeof(*state));
	memset(ring, 0, mmamp_vring_size(num, align));
	/* Published to the device by the DRIVER_OK status store (a release). */
	return 0;
}

/* What a device starts from, once the ring is laid out. */
static void vq_device_start(struct mmamp_vq *vq, uint32_t max_len)
{
	vq->max_len = max_len ? max_len : UINT32_MAX; /* one compare per buffer (vring_dev.h) */
	/*
	 * used.idx is ours from now on, but it starts where the driver left it: Linux zeroes it,
	 * an RPMsg-Lite master has already put its TX buffers on the used ring (used.idx = 256).
	 * Starting from 0 instead would rewind the driver's view of the ring. The value needs no
	 * check: we only ever count it up, and the driver checks what we publish. The avail side
	 * starts at 0: every buffer the driver made available since its reset is still to be taken
	 * (the distance check in mmamp_vq_get_avail() refuses a ring that holds more than num).
	 */
	vq->next_used = MMAMP_SHM_READ(vq->used->idx);
	vq->kicked_at = vq->next_used;
}

int mmamp_vq_init_device(struct mmamp_vq *vq, void *ring, uint32_t num, uint32_t align,
			 const struct mmamp_shm *shm, uint32_t max_len, unsigned int flags)
{
	int ret = vq_setup(vq, ring, num, align, shm, flags);

	if (ret)
		return ret;
	vq_device_start(vq, max_len);
	return 0;
}

/* The same checks as vq_setup(), the placement one done by the one translation of @da. */
int mmamp_vq_init_device_at(struct mmamp_vq *vq, uint64_t da, uint32_t num, uint32_t align,
			    const struct mmamp_shm *shm, uint32_t max_len, unsigned int flags)
{
	uint8_t *ring;

	if (!vq || !shm || mmamp_vq_check_geometry(num, align))
		return -MMAMP_EINVAL;
	ring = mmamp_shm_translate(shm, da, mmamp_vring_size(num, align));
	if (!ring || ((uintptr_t)ring & 15u) || window_unusable(shm))
		return -MMAMP_ERANGE;
	vq_layout(vq, ring, num, align, shm, flags);
	vq_device_start(vq, max_len);
	return 0;
}

/* ---- driver role ---- */

int mmamp_vq_add(struct mmamp_vq *vq, uint16_t head, uint64_t da, uint32_t len,
		 bool device_writable)
{
	struct mmamp_vring_desc *d;
	uint16_t flags = device_writable ? MMAMP_VRING_DESC_F_WRITE : 0;

	if (!IS_DRIVER(vq))
		return -MMAMP_EINVAL;
	if (vq->fault)
		return -MMAMP_EIO;
	if (head >= vq->num || len == 0 || !mmamp_shm_translate(vq->shm, da, len))
		return -MMAMP_EINVAL;
	if (vq->state[head].len)
		return -MMAMP_EBUSY;

	/* Rewrite the whole descriptor every time: whatever the peer scribbled there is gone. */
	d = &vq->desc[head];
	MMAMP_SHM_WRITE(d->addr_lo, (uint32_t)da);
	MMAMP_SHM_WRITE(d->addr_hi, (uint32_t)(da >> 32));
	MMAMP_SHM_WRITE(d->len, len);
	MMAMP_SHM_WRITE(d->flags, flags);
	MMAMP_SHM_WRITE(d->next, (uint16_t)0);
	MMAMP_SHM_WRITE(vq->avail->ring[vq->next_avail & vq->mask], head);

	vq->state[head].len = len;
	vq->state[head].flags = flags;
	vq->outstanding++;
	vq->next_avail++;
	MMAMP_SHM_PUBLISH(vq->avail->idx, vq->next_avail);
	return 0;
}

int mmamp_vq_get_used(struct mmamp_vq *vq, uint16_t *head, uint32_t *len)
{
	struct mmamp_vq_desc_state *st;
	uint16_t used_idx, slot;
	uint32_t id, written;

	if (!IS_DRIVER(vq))
		return -MMAMP_EINVAL;
	if (vq->fault)
		return -MMAMP_EIO;

	used_idx = MMAMP_SHM_ACQUIRE(vq->used->idx);
	if (used_idx == vq->next_used)
		return -MMAMP_EAGAIN;
	if ((uint16_t)(used_idx - vq->next_used) > vq->outstanding)
		return vq_break(vq, MMAMP_VQ_BAD_USED_IDX, used_idx);

	slot = vq->next_used & vq->mask;
	id = MMAMP_SHM_READ(vq->used->ring[slot].id);
	written = MMAMP_SHM_READ(vq->used->ring[slot].len);
	if (id >= vq->num)
		return vq_break(vq, MMAMP_VQ_BAD_USED_ID, id);
	st = &vq->state[id];
	if (!st->len)
		return vq_break(vq, MMAMP_VQ_USED_ID_IDLE, id);
	if (st->flags & MMAMP_VRING_DESC_F_WRITE) {
		if (written > st->len)
			return vq_break(vq, MMAMP_VQ_BAD_USED_LEN, written);
	} else {
		written = 0; /* the device reads out-buffers; whatever it put in len means nothing */
	}

	st->len = 0;
	vq->outstanding--;
	vq->next_used++;
	/* EVENT_IDX: keep "interrupt me after this one" current while callbacks are on. */
	if (vq->event_idx && !vq->cb_off)
		MMAMP_SHM_WRITE(*used_event_slot(vq), vq->next_used);
	*head = (uint16_t)id;
	*len = written;
	return 0;
}

/* ---- device role ---- */

int mmamp_vq_get_avail(struct mmamp_vq *vq, struct mmamp_vq_buf *buf)
{
	int ret;

	if (IS_DRIVER(vq))
		return -MMAMP_EINVAL;
	if (vq->fault)
		return -MMAMP_EIO;
	/* The API reads avail.idx at every call (rpmsg.c's remote path uses what it counted). */
	ret = vq_dev_avail(vq);
	if (ret <= 0)
		return ret ? ret : -MMAMP_EAGAIN;
	return vq_dev_take(vq, buf);
}

int mmamp_vq_put_used(struct mmamp_vq *vq, uint16_t head, uint32_t len)
{
	if (vq->fault)
		return -MMAMP_EIO;
	if (IS_DRIVER(vq) || head >= vq->num || vq->outstanding == 0)
		return -MMAMP_EINVAL;
	vq_dev_put(vq, head, len);
	return 0;
}

/* ---- notification (both roles) ---- */

bool mmamp_vq_kick_prepare(struct mmamp_vq *vq)
{
	if (vq->fault)
		return false;
	if (!IS_DRIVER(vq))
		return vq_dev_kick_needed(vq);
	return vq_kick_needed(vq, vq->next_avail, avail_event_slot(vq), &vq->used->flags,
			      MMAMP_VRING_USED_F_NO_NOTIFY);
}

void mmamp_vq_disable_cb(struct mmamp_vq *vq)
{
	if (vq->fault)
		return;
	vq->cb_off = 1;
	if (IS_DRIVER(vq))
		MMAMP_SHM_WRITE(vq->avail->flags, (uint16_t)MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
	else
		MMAMP_SHM_WRITE(vq->used->flags, (uint16_t)MMAMP_VRING_USED_F_NO_NOTIFY);
}

bool mmamp_vq_enable_cb(struct mmamp_vq *vq)
{
	if (vq->fault)
		return true; /* let the caller come back and see -EIO */
	vq->cb_off = 0;
	if (IS_DRIVER(vq)) {
		MMAMP_SHM_WRITE(vq->avail->flags, (uint16_t)0);
		if (vq->event_idx)
			MMAMP_SHM_WRITE(*used_event_slot(vq), vq->next_used);
	} else {
		MMAMP_SHM_WRITE(vq->used->flags, (uint16_t)0);
		if (vq->event_idx)
			MMAMP_SHM_WRITE(*avail_event_slot(vq), vq->next_avail);
	}
	/* The flag/event store must land before we re-read the producer index. */
	MMAMP_MB();
	return mmamp_vq_pending(vq);
}

bool mmamp_vq_used_rewritten(const struct mmamp_vq *vq)
{
	return !IS_DRIVER(vq) && vq->used &&
	       MMAMP_SHM_READ(vq->used->idx) != vq->next_used;
}

bool mmamp_vq_pending(const struct mmamp_vq *vq)
{
	if (vq->fault)
		return true;
	if (IS_DRIVER(vq))
		return MMAMP_SHM_READ(vq->used->idx) != vq->next_used;
	return MMAMP_SHM_READ(vq->avail->idx) != vq->next_avail;
}

/* ---- diagnostics ---- */

struct vq_fault_text {
	const char *where;
	const char *field;
	const char *why;
};

static const struct vq_fault_text vq_fault_texts[] = {
	[MMAMP_VQ_BAD_USED_IDX] = { MMAMP_DIAG_S("used ring"), MMAMP_DIAG_S("idx"), MMAMP_DIAG_S("is ahead of the buffers in flight") },
	[MMAMP_VQ_BAD_USED_ID] = { MMAMP_DIAG_S("used ring"), MMAMP_DIAG_S("ring[].id"), MMAMP_DIAG_S("is not a descriptor index") },
	[MMAMP_VQ_USED_ID_IDLE] = { MMAMP_DIAG_S("used ring"), MMAMP_DIAG_S("ring[].id"), MMAMP_DIAG_S("names a descriptor not in flight") },
	[MMAMP_VQ_BAD_USED_LEN] = { MMAMP_DIAG_S("used ring"), MMAMP_DIAG_S("ring[].len"), MMAMP_DIAG_S("exceeds the buffer posted") },
	[MMAMP_VQ_BAD_AVAIL_IDX] = { MMAMP_DIAG_S("avail ring"), MMAMP_DIAG_S("idx"), MMAMP_DIAG_S("is more than num ahead") },
	[MMAMP_VQ_BAD_AVAIL_HEAD] = { MMAMP_DIAG_S("avail ring"), MMAMP_DIAG_S("ring[]"), MMAMP_DIAG_S("is not a descriptor index") },
	[MMAMP_VQ_BAD_DESC_FLAGS] = { MMAMP_DIAG_S("descriptor"), MMAMP_DIAG_S("flags"), MMAMP_DIAG_S("chain or indirect (unsupported)") },
	[MMAMP_VQ_BAD_DESC_LEN] = { MMAMP_DIAG_S("descriptor"), MMAMP_DIAG_S("len"), MMAMP_DIAG_S("is zero or exceeds the buffer size") },
	[MMAMP_VQ_BAD_DESC_ADDR] = { MMAMP_DIAG_S("descriptor"), MMAMP_DIAG_S("addr"), MMAMP_DIAG_S("is outside the shared memory") },
};

int mmamp_vq_fault(const struct mmamp_vq *vq, struct mmamp_diag *d)
{
	const struct vq_fault_text *t;

	if (!vq->fault)
		return 0;
	t = &vq_fault_texts[vq->fault];
	/* Without the text (MMAMP_CONFIG_DIAG_STRINGS 0) the fault's code is the index. */
	return mmamp_diag_set(d, MMAMP_EIO, t->where,
			      MMAMP_CONFIG_DIAG_STRINGS ? MMAMP_DIAG_NO_INDEX : (int)vq->fault,
			      t->field, vq->fault_value, t->why);
}
