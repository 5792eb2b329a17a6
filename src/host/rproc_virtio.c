/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_virtio.c — the RPMsg vdev, the subdevice that runs on a powered core (rproc_subdev,
 * rproc_internal.h): its bring-up (the vdev subdevice's start, docs/protocol.md §1.2 step 9:
 * status 1, 3, the RPMsg master over the rings, DRIVER_OK), its reset, the watch on the link
 * the remote might reset under us, and the doorbell to the core (RPMsg's notify op). The
 * channels on top are channels.c.
 */
#include "rproc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mmamp/rsc_table.h"

#define RPMSG_FEATURES (1u << MMAMP_VIRTIO_RPMSG_F_NS)

/* Ring the core (RPMsg's notify op; callers hold r->lock, so there is one sender). The
 * timestamp is taken just before the doorbell register write, so it must be taken before we
 * know whether the backend coalesced; a coalesced kick does not move it back. */
static int host_notify(void *ctx, uint32_t notifyid)
{
	struct mmamp_rproc *r = ctx;
	uint64_t t = rproc_now_ns();
	int ret = r->bk->kick(r, notifyid);

	if (ret <= 0)
		return ret;
	__atomic_store_n(&r->t_kick_ns, t, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->n_kicks, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Just before DRIVER_OK: note what the link must look like from now on (link_check).
 * The epoch is even here — a boot zeroed it with the region, an attach waited for it — and the
 * remote's link-up makes it base + 1. Lock held.
 */
static void link_watch_arm(struct mmamp_rproc *r)
{
	struct host_region *rt = host_region_of(r->h, r->core->rsc_table);

	r->link_epoch = NULL;
	if (rt && rt->host && rt->r->size >= MMAMP_LINK_EPOCH_OFFSET + sizeof(uint32_t))
		r->link_epoch = (uint32_t *)(void *)((uint8_t *)rt->host +
						     MMAMP_LINK_EPOCH_OFFSET);
	r->epoch_base = r->link_epoch ? __atomic_load_n(r->link_epoch, __ATOMIC_ACQUIRE) : 0;
	r->epoch_seen = r->epoch_base;
	r->status_set = (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER |
				  MMAMP_VIRTIO_STATUS_DRIVER_OK);
}

/*
 * link_check() - whether the remote reset the vdev under us (lock held). The status byte
 * is the host's alone (§1.3 of docs/protocol.md): it must still be what we wrote. The link epoch
 * may move once after our DRIVER_OK — the remote's link-up, base → base + 1 — and any further
 * move means the remote dropped its ring state (and may have set up rings of its own since).
 * Either way the two sides no longer share the rings: the channels would accept sends nobody
 * takes and time out. It is reported like any other broken vdev: crashed, senders get -EPIPE,
 * recovery. A remote without the epoch (not mmamp's) leaves the word alone and is judged by
 * the status byte only. Only while up with the vdev ours: the host's own status writes (start,
 * stop, detach, attach) happen with r->vdev NULL or under the lock before the state is up.
 */
static void link_check(struct mmamp_rproc *r)
{
	uint8_t status;
	uint32_t epoch;

	if (!r->vdev || !r->powered || r->fault_pending || !rproc_is_up(r))
		return;
	status = __atomic_load_n(&r->vdev->status, __ATOMIC_ACQUIRE);
	epoch = r->link_epoch ? __atomic_load_n(r->link_epoch, __ATOMIC_ACQUIRE) : r->epoch_base;
	if (status == r->status_set && epoch - r->epoch_base <= 1u) {
		r->epoch_seen = epoch;
		return;
	}
	rproc_report_crash(r, "fatal error: vdev broken: the remote reset the device (status "
			   "0x%02x -> 0x%02x, link epoch %u -> %u)", r->status_set, status,
			   r->epoch_seen, epoch);
}

/* The subdevice's start: the vdev handshake and the RPMsg master on the rings. Lock held. */
static int virtio_start(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_fw_rsc_vdev *v = (void *)((uint8_t *)r->live_table + r->vdev_offset);
	/* The geometry comes from our validated copy: the live table is the remote's memory, and
	 * it runs already — a num it rewrote now would size our rings past their regions. */
	const struct mmamp_fw_rsc_vdev *cv = (const void *)((const uint8_t *)r->cached_table +
							     r->vdev_offset);
	static const struct mmamp_rpmsg_ops ops = { .notify = host_notify,
						    .ns_bind = rproc_ns_bind };
	struct mmamp_rpmsg_host_config cfg;
	uint32_t num = cv->vring[0].num;
	int ret;

	__atomic_store_n(&v->status, (uint8_t)MMAMP_VIRTIO_STATUS_ACKNOWLEDGE, __ATOMIC_RELEASE);
	__atomic_store_n(&v->status,
			 (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER),
			 __ATOMIC_RELEASE);
	v->gfeatures = cv->dfeatures & RPMSG_FEATURES;
	for (unsigned j = 0; j < 2; j++)
		v->vring[j].da = (uint32_t)r->vring_region[j]->da;

	free(r->desc_state);
	r->desc_state = calloc(2u * num, sizeof(*r->desc_state));
	free(r->tx_free);
	r->tx_free = calloc(num, sizeof(*r->tx_free));
	if (!r->desc_state || !r->tx_free)
		return -ENOMEM;
	cfg = (struct mmamp_rpmsg_host_config){
		.shm = &r->shm,
		.vring = { mmamp_shm_translate(&r->shm, r->vring_region[0]->da, 1),
			   mmamp_shm_translate(&r->shm, r->vring_region[1]->da, 1) },
		.num = num,
		.align = cv->vring[0].align,
		.notifyid = { cv->vring[0].notifyid, cv->vring[1].notifyid },
		.buffers = mmamp_shm_translate(&r->shm, r->buffer_region->da, 1),
		.rx_state = r->desc_state,
		.tx_state = r->desc_state + num,
		.tx_free = r->tx_free,
		.features = cv->dfeatures & RPMSG_FEATURES,
		.ops = &ops,
		.ctx = r,
	};
	ret = mmamp_rpmsg_init_host(&r->rdev, &cfg);
	if (!ret && r->h->polling)
		mmamp_rpmsg_rx_notify(&r->rdev, false); /* we poll: no doorbell per message */
	if (ret)
		return rproc_fail(err, errlen, ret, "core %s: RPMsg probe failed (%s): vrings/buffers do "
			    "not fit the RPMsg regions", r->core->name, strerror(-ret));
	link_watch_arm(r);
	__atomic_store_n(&v->status, r->status_set, __ATOMIC_RELEASE);
	r->vdev = v;
	return mmamp_rpmsg_host_kick(&r->rdev);
}

/* The subdevice's stop: status 0 (the remote drops its ring state) and the channels go. */
static void virtio_reset(struct mmamp_rproc *r)
{
	if (r->vdev)
		__atomic_store_n(&r->vdev->status, (uint8_t)0, __ATOMIC_RELEASE);
	r->vdev = NULL;
	rproc_channels_down(r);
}

/* Polled mode: whether the rings hold work the remote rang no doorbell for. Lock held. */
static bool virtio_pending(struct mmamp_rproc *r)
{
	return mmamp_rpmsg_work_pending(&r->rdev);
}

/*
 * After a doorbell: what the rings hold is delivered first (validated as always); then a
 * doorbell is also where a remote that reset the device under us is noticed. Lock held.
 */
static void virtio_deliver(struct mmamp_rproc *r)
{
	if (rproc_is_up(r))
		rproc_rpmsg_poll(r);
	link_check(r);
}

/* The rproc goes: its channels, and the ring state virtio_start allocated. */
static void virtio_release(struct mmamp_rproc *r)
{
	rproc_channels_free(r);
	free(r->desc_state);
	free(r->tx_free);
	r->desc_state = NULL;
	r->tx_free = NULL;
}

const struct rproc_subdev rproc_rpmsg_vdev = {
	.start = virtio_start,
	.stop = virtio_reset,
	.pending = virtio_pending,
	.deliver = virtio_deliver,
	.check = link_check, /* a remote that reset the device and went quiet rings no doorbell */
	.release = virtio_release,
};
