/*
 * rpmsg_pair.h — test fixture: a host-role and a remote-role RPMsg device over one shared
 * window laid out like the i.MX8X regions (vring0, vring1, live vdev, buffer pool), in process.
 * Doorbells are counters; the test decides who runs when.
 */
#ifndef RPMSG_PAIR_H
#define RPMSG_PAIR_H

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"

#ifndef PAIR_NUM
#define PAIR_NUM      16u /* a test may ask for another ring size before including this */
#endif
#define PAIR_ALIGN    4096u
#define PAIR_DA       0x90000000u
#define PAIR_VRING0   0x0000u
#define PAIR_VRING1   0x8000u
#define PAIR_VDEV     0xF000u
#define PAIR_BUFS     0x10000u
#define PAIR_SIZE     (PAIR_BUFS + 2u * PAIR_NUM * MMAMP_RPMSG_BUF_SIZE)

struct pair_side {
	atomic_uint doorbells[4]; /* rung by the peer, per notifyid */
	atomic_uint consumed;     /* doorbells seen by the waiter (threaded test) */
	int (*wait_hook)(void *ctx, uint32_t timeout_us);
	unsigned int waits;
	char ns_name[32];
	uint32_t ns_addr, ns_flags, ns_calls;
};

struct pair {
	uint8_t *mem;
	struct mmamp_shm shm;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rpmsg_dev host, remote;
	struct pair_side host_side, remote_side;
	struct mmamp_vq_desc_state rx_state[PAIR_NUM], tx_state[PAIR_NUM];
	uint16_t tx_free[PAIR_NUM];
	uint32_t features;
};

/* host rings → remote's doorbells and vice versa */
static inline int pair_host_notify(void *ctx, uint32_t id)
{
	struct pair *p = ctx;

	atomic_fetch_add(&p->remote_side.doorbells[id & 3], 1);
	return 0;
}

static inline int pair_remote_notify(void *ctx, uint32_t id)
{
	struct pair *p = ctx;

	atomic_fetch_add(&p->host_side.doorbells[id & 3], 1);
	return 0;
}

static inline int pair_host_wait(void *ctx, uint32_t timeout_us)
{
	struct pair *p = ctx;

	p->host_side.waits++;
	return p->host_side.wait_hook ? p->host_side.wait_hook(ctx, timeout_us) : -MMAMP_ETIMEDOUT;
}

static inline int pair_remote_wait(void *ctx, uint32_t timeout_us)
{
	struct pair *p = ctx;

	p->remote_side.waits++;
	return p->remote_side.wait_hook ? p->remote_side.wait_hook(ctx, timeout_us)
					: -MMAMP_ETIMEDOUT;
}

static inline void pair_record_ns(struct pair_side *s, const char *name, uint32_t addr,
				  uint32_t flags)
{
	strncpy(s->ns_name, name, sizeof(s->ns_name) - 1);
	s->ns_addr = addr;
	s->ns_flags = flags;
	s->ns_calls++;
}

static inline void pair_host_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
				uint32_t flags, void *ctx)
{
	(void)rdev;
	pair_record_ns(&((struct pair *)ctx)->host_side, name, addr, flags);
}

static inline void pair_remote_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
				  uint32_t flags, void *ctx)
{
	(void)rdev;
	pair_record_ns(&((struct pair *)ctx)->remote_side, name, addr, flags);
}

static const struct mmamp_rpmsg_ops pair_host_ops = {
	.notify = pair_host_notify, .wait = pair_host_wait, .ns_bind = pair_host_ns,
};
static const struct mmamp_rpmsg_ops pair_remote_ops = {
	.notify = pair_remote_notify, .wait = pair_remote_wait, .ns_bind = pair_remote_ns,
};

/* What the firmware's table says before the host touches it. */
static inline void pair_write_fw_vdev(struct pair *p)
{
	struct mmamp_fw_rsc_vdev *v = p->vdev;

	memset(v, 0, sizeof(*v) + 2 * sizeof(v->vring[0]));
	v->id = MMAMP_VIRTIO_ID_RPMSG;
	v->dfeatures = 1u << MMAMP_VIRTIO_RPMSG_F_NS;
	v->num_of_vrings = 2;
	for (int i = 0; i < 2; i++) {
		v->vring[i].da = MMAMP_FW_RSC_ADDR_ANY;
		v->vring[i].align = PAIR_ALIGN;
		v->vring[i].num = PAIR_NUM;
		v->vring[i].notifyid = MMAMP_FW_RSC_ADDR_ANY;
	}
}

/* The host's half of Linux's boot: find_vqs, rpmsg_probe, DRIVER_OK, first kick. */
static inline int pair_host_boot(struct pair *p)
{
	struct mmamp_rpmsg_host_config hc = {
		.shm = &p->shm,
		.vring = { p->mem + PAIR_VRING0, p->mem + PAIR_VRING1 },
		.num = PAIR_NUM, .align = PAIR_ALIGN, .notifyid = { 0, 1 },
		.buffers = p->mem + PAIR_BUFS,
		.rx_state = p->rx_state, .tx_state = p->tx_state, .tx_free = p->tx_free,
		.features = p->features, .ops = &pair_host_ops, .ctx = p,
	};
	int ret;

	/* status is the one field both cores touch concurrently: single atomic stores */
	__atomic_store_n(&p->vdev->status, (uint8_t)MMAMP_VIRTIO_STATUS_ACKNOWLEDGE,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&p->vdev->status,
			 (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER),
			 __ATOMIC_RELAXED);
	p->vdev->gfeatures = p->features;
	for (int i = 0; i < 2; i++) {
		p->vdev->vring[i].notifyid = (uint32_t)i;
		p->vdev->vring[i].da = PAIR_DA + (i ? PAIR_VRING1 : PAIR_VRING0);
	}
	ret = mmamp_rpmsg_init_host(&p->host, &hc);
	if (ret)
		return ret;
	__atomic_store_n(&p->vdev->status, (uint8_t)7, __ATOMIC_RELEASE); /* + DRIVER_OK */
	return mmamp_rpmsg_host_kick(&p->host);
}

static inline struct pair *pair_new(uint32_t features)
{
	struct pair *p = calloc(1, sizeof(*p));
	struct mmamp_rpmsg_remote_config rc;

	p->mem = aligned_alloc(4096, PAIR_SIZE);
	memset(p->mem, 0x6B, PAIR_SIZE); /* garbage until somebody initialises it */
	p->shm = (struct mmamp_shm){ p->mem, PAIR_DA, PAIR_SIZE };
	p->vdev = (struct mmamp_fw_rsc_vdev *)(void *)(p->mem + PAIR_VDEV);
	p->features = features;
	pair_write_fw_vdev(p);
	rc = (struct mmamp_rpmsg_remote_config){ .shm = &p->shm, .vdev = p->vdev,
						 .ops = &pair_remote_ops, .ctx = p };
	if (mmamp_rpmsg_init_remote(&p->remote, &rc))
		abort();
	return p;
}

static inline void pair_free(struct pair *p)
{
	free(p->mem);
	free(p);
}

#endif /* RPMSG_PAIR_H */
