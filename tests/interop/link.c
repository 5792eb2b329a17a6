/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link.c — the link of link.h: the mmamp sides (full remote, minimal remote, host) wired to the
 * peers of peer.c over one world, and the steps that drive them.
 */
#include "link.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmamp/errno.h"

#define SETTLE_ROUNDS 1024

static struct link *cur; /* the minimal profile's notify hook has no context */

static int link_fail(struct link *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->error[0]) {
		va_start(ap, fmt);
		vsnprintf(l->error, sizeof(l->error), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void record(struct got *g, uint32_t src, const uint8_t *data, uint32_t len)
{
	memcpy(g->data, data, len);
	g->len = len;
	g->src = src;
	g->count++;
}

/* ---- the mmamp sides ---- */

static int mm_notify_master(void *ctx, uint32_t id)
{
	bell_ring(&((struct link *)ctx)->w->to_master, id);
	return 0;
}

static int mm_notify_remote(void *ctx, uint32_t id)
{
	bell_ring(&((struct link *)ctx)->w->to_remote, id);
	return 0;
}

static int mm_remote_wait(void *ctx, uint32_t timeout_us)
{
	struct link *l = ctx;

	return bell_wait(&l->w->to_remote, timeout_us / 1000u + 1u) ? -MMAMP_ETIMEDOUT : 0;
}

static int full_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct link *l = priv;

	if (l->remote_echo) {
		/* blocking: in the burst the host may hold every RX buffer for a moment */
		if (mmamp_rpmsg_sendto_timeout(ept, src, data, len, STALL_MS * 1000u))
			__atomic_fetch_add(&l->echo_errors, 1u, __ATOMIC_RELAXED);
	} else {
		record(&l->at_remote, src, data, (uint32_t)len);
	}
	return 0;
}

static const struct mmamp_rpmsg_ops full_ops = {
	.notify = mm_notify_master, .wait = mm_remote_wait,
};

static int full_init(struct link *l)
{
	struct mmamp_rpmsg_remote_config rc = {
		.shm = &l->w->shm, .ops = &full_ops, .ctx = l, .link_epoch = &l->w->beat[1],
	};

	if (l->pr->static_link) {
		l->layout = (struct mmamp_rpmsg_static_link){
			.vring_da = { W_DA + W_VRING0, W_DA + W_VRING1 }, .num = W_NUM,
			.align = W_ALIGN, .notifyid = { 0, 1 },
			.features = 1u << MMAMP_VIRTIO_RPMSG_F_NS,
		};
		rc.layout = &l->layout;
	} else {
		rc.vdev = (struct mmamp_fw_rsc_vdev *)(void *)&l->w->table->vdev;
	}
	l->rd = &l->rdev;
	if (mmamp_rpmsg_init_remote(&l->rdev, &rc) ||
	    mmamp_rpmsg_ept_init(&l->ept, l->rd, ECHO_NAME, ECHO_ADDR, MMAMP_RPMSG_ADDR_ANY,
				 full_rx, l))
		return link_fail(l, "the full remote refused its configuration");
	return 0;
}

/* The runtime's doorbell, polled: a ring is taken when it came (or the caller saw it come). */
static int rt_send(void *ctx, uint32_t id)
{
	bell_ring(&((struct link *)ctx)->w->to_master, id);
	return 0;
}

static int rt_take(void *ctx, uint32_t *id)
{
	struct link *l = ctx;

	if (!l->rt_rang && !bell_take(&l->w->to_remote))
		return -MMAMP_EAGAIN;
	l->rt_rang = false;
	*id = 0;
	return 0;
}

static const struct mmamp_remote_doorbell_ops rt_db = { .send = rt_send, .take = rt_take };

static int runtime_init(struct link *l)
{
	struct mmamp_remote_config c = {
		.shm = &l->w->shm, .db = &rt_db, .db_ctx = l, .polled = true,
		.heartbeat = &l->w->beat[0],
	};

	l->layout = (struct mmamp_rpmsg_static_link){
		.vring_da = { W_DA + W_VRING0, W_DA + W_VRING1 }, .num = W_NUM, .align = W_ALIGN,
		.notifyid = { 0, 1 }, .features = 1u << MMAMP_VIRTIO_RPMSG_F_NS,
	};
	if (l->pr->static_link)
		c.layout = &l->layout;
	else
		c.vdev = (struct mmamp_fw_rsc_vdev *)(void *)&l->w->table->vdev;
	l->rd = mmamp_remote_rpmsg(&l->rt);
	if (mmamp_remote_init(&l->rt, &c) ||
	    mmamp_rpmsg_ept_init(&l->ept, l->rd, ECHO_NAME, ECHO_ADDR, MMAMP_RPMSG_ADDR_ANY,
				 full_rx, l))
		return link_fail(l, "the runtime refused its configuration");
	return 0;
}

static int min_rx(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data,
		  uint32_t len, uint32_t src)
{
	if (cur->remote_echo)
		return mmamp_min_send(d, e->addr, src, data, len); /* -EAGAIN: kept, retried */
	record(&cur->at_remote, src, data, len);
	return 0;
}

static const struct mmamp_min_ept min_epts[] = { { ECHO_NAME, ECHO_ADDR, min_rx } };

static void min_notify(uint32_t id)
{
	bell_ring(&cur->w->to_master, id);
}

static void min_init(struct link *l)
{
	struct mmamp_min_config c = {
		.table = MMAMP_MIN_STATIC_LINK ? NULL : l->w->table,
		.window = l->w->mem, .window_da = W_DA, .window_size = W_SIZE,
		.beat = l->w->beat, .epts = min_epts, .n_epts = 1, .notify = min_notify,
	};

	mmamp_min_init(&l->min, &c);
}

static void host_ns(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		    uint32_t flags, void *ctx)
{
	struct link *l = ctx;

	(void)rdev;
	if (flags)
		return;
	strncpy(l->host_ns_name, name, sizeof(l->host_ns_name) - 1);
	l->host_ns_addr = addr;
	l->host_ns_count++;
}

static int host_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct link *l = priv;

	if (l->master_echo) {
		if (mmamp_rpmsg_sendto(ept, src, data, len))
			l->echo_errors++;
	} else {
		record(&l->at_master, src, data, (uint32_t)len);
	}
	return 0;
}

static int mm_host_wait(void *ctx, uint32_t timeout_us)
{
	struct link *l = ctx;

	return bell_wait(&l->w->to_master, timeout_us / 1000u + 1u) ? -MMAMP_ETIMEDOUT : 0;
}

static const struct mmamp_rpmsg_ops host_ops = {
	.notify = mm_notify_remote, .wait = mm_host_wait, .ns_bind = host_ns,
};

/* The host's link-up: with a table as Linux does it (status 1, 3, 7), or a static link. */
static int host_start(struct link *l)
{
	struct mmamp_fw_rsc_vdev2 *v = &l->w->table->vdev;
	struct mmamp_rpmsg_host_config hc = {
		.shm = &l->w->shm,
		.vring = { world_at(l->w, W_VRING0), world_at(l->w, W_VRING1) },
		.num = W_NUM, .align = W_ALIGN, .notifyid = { 0, 1 },
		.buffers = world_at(l->w, W_BUFS),
		.rx_state = l->rx_state, .tx_state = l->tx_state, .tx_free = l->tx_free,
		.features = 1u << MMAMP_VIRTIO_RPMSG_F_NS, .ops = &host_ops, .ctx = l,
	};

	if (!l->pr->static_link) {
		if (l->pr->event_idx)
			hc.features |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
		hc.features &= __atomic_load_n(&v->dfeatures, __ATOMIC_RELAXED);
		__atomic_store_n(&v->status, (uint8_t)3, __ATOMIC_RELAXED);
		__atomic_store_n(&v->gfeatures, hc.features, __ATOMIC_RELAXED);
	}
	if (mmamp_rpmsg_init_host(&l->host, &hc))
		return link_fail(l, "the host refused its configuration");
	l->host_ns_count = 0;
	if (!l->pr->static_link)
		__atomic_store_n(&v->status, (uint8_t)7, __ATOMIC_RELEASE);
	return mmamp_rpmsg_host_kick(&l->host) ? link_fail(l, "host kick failed") : 0;
}

/* ---- one side's step, whichever stack plays it ---- */

bool link_mm_master(const struct link *l)
{
	return l->pr->mm == MM_HOST || l->pr->mm == MM_BOTH || l->pr->mm == MM_BOTH_MIN;
}

bool link_mm_remote(const struct link *l)
{
	return l->pr->mm != MM_HOST && l->pr->mm != MM_NONE;
}

/* Which remote plays: the full or minimal mmamp remote, or the peer (MM_HOST). */
static enum mm_role remote_role(const struct link *l)
{
	if (l->pr->mm == MM_BOTH)
		return MM_FULL_REMOTE;
	return l->pr->mm == MM_BOTH_MIN ? MM_MIN_REMOTE : l->pr->mm;
}

/* Poll an mmamp device: > 0 if something happened (a link event, a message in or out). */
static int mm_poll(struct link *l, struct mmamp_rpmsg_dev *rdev)
{
	const struct mmamp_rpmsg_stats *s = mmamp_rpmsg_stats(rdev);
	uint32_t before = s->rx + s->tx;
	struct mmamp_diag d;
	char text[160];
	int r = mmamp_rpmsg_poll(rdev);

	if (r < 0) {
		mmamp_rpmsg_fault(rdev, &d);
		mmamp_diag_format(&d, text, sizeof(text));
		return link_fail(l, "mmamp %s: %d (%s)", rdev->is_host ? "host" : "remote", r, text);
	}
	return r > 0 || s->rx + s->tx != before;
}

/* The remote side looks once. Returns >= 0, or -1 on an error (the test fails on it). */
int link_remote_step(struct link *l, bool rang)
{
	int r;

	switch (remote_role(l)) {
	case MM_FULL_REMOTE:
		if (rang)
			mmamp_rpmsg_kicked(l->rd);
		return mm_poll(l, l->rd);
	case MM_RUNTIME_REMOTE: {
		const struct mmamp_rpmsg_stats *s = mmamp_rpmsg_stats(l->rd);
		uint32_t before = s->rx + s->tx;
		bool was_up = mmamp_rpmsg_is_up(l->rd);

		l->rt_rang = l->rt_rang || rang;
		if (mmamp_remote_poll_once(&l->rt) < 0)
			return link_fail(l, "the runtime's device failed");
		return s->rx + s->tx != before || was_up != mmamp_rpmsg_is_up(l->rd);
	}
	case MM_MIN_REMOTE:
#if MMAMP_MIN_STATIC_LINK
		if (rang)
			mmamp_min_kicked(&l->min);
#endif
		r = mmamp_min_poll(&l->min);
		if (r == -MMAMP_EIO)
			return link_fail(l, "minimal remote: fault %u", mmamp_min_fault(&l->min));
		return 0;
	default:
		return remote_poll(&l->peer_r, rang);
	}
}

bool link_remote_has_work(struct link *l)
{
	switch (remote_role(l)) {
	case MM_FULL_REMOTE:
	case MM_RUNTIME_REMOTE:
		return mmamp_rpmsg_work_pending(l->rd);
	case MM_MIN_REMOTE:
		return l->min.up && __atomic_load_n(&l->min.vq[1].avail->idx, __ATOMIC_ACQUIRE) !=
					    l->min.vq[1].next_avail;
	default:
		return l->peer_r.up &&
		       __atomic_load_n(&l->peer_r.rx.avail->idx, __ATOMIC_ACQUIRE) !=
			       l->peer_r.rx.last_avail;
	}
}

int link_master_step(struct link *l)
{
	if (link_mm_master(l))
		return mm_poll(l, &l->host);
	return master_poll(&l->peer_m);
}

/* Send @len bytes to the other side's endpoint: 0, 1 (no buffer now), -1 (error). */
int link_master_tx(struct link *l, const void *data, uint32_t len)
{
	int r;

	if (link_mm_master(l)) {
		/* out of TX buffers, the host asks the remote to ring when one comes back */
		r = mmamp_rpmsg_sendto_timeout(&l->host_ept, l->host_ns_addr, data, len,
					       STALL_MS * 1000u);
		return r ? -1 : 0;
	}
	return master_send(&l->peer_m, ECHO_ADDR, data, len);
}

int link_remote_tx(struct link *l, const void *data, uint32_t len)
{
	int r;

	switch (remote_role(l)) {
	case MM_FULL_REMOTE:
	case MM_RUNTIME_REMOTE:
		r = mmamp_rpmsg_sendto(&l->ept, HOST_ADDR, data, len);
		return r == -MMAMP_ENOBUFS ? 1 : r ? -1 : 0;
	case MM_MIN_REMOTE:
		r = mmamp_min_send(&l->min, ECHO_ADDR, HOST_ADDR, data, len);
		return r == -MMAMP_EAGAIN ? 1 : r ? -1 : 0;
	default:
		return remote_send(&l->peer_r, HOST_ADDR, data, len);
	}
}

const char *link_peer_error(const struct link *l)
{
	if (l->peer_m.error[0])
		return l->peer_m.error;
	if (l->peer_r.error[0])
		return l->peer_r.error;
	return NULL;
}

int link_settle(struct link *l)
{
	int quiet = 0, a, b;

	for (int round = 0; round < SETTLE_ROUNDS && quiet < 3; round++) {
		a = link_remote_step(l, bell_take(&l->w->to_remote));
		b = link_master_step(l);
		if (link_peer_error(l))
			return link_fail(l, "%s", link_peer_error(l));
		if (a < 0 || b < 0)
			return -1;
		quiet = (a || b) ? 0 : quiet + 1;
	}
	return quiet >= 3 ? 0 : link_fail(l, "the link never settled");
}

/* ---- set-up ---- */

struct link *link_new(const struct pairing *pr)
{
	struct link *l = calloc(1, sizeof(*l));
	uint32_t df = 1u << MMAMP_VIRTIO_RPMSG_F_NS;

	if (!l)
		return NULL;
	if (pr->event_idx)
		df |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
	l->pr = pr;
	l->w = world_new(df);
	cur = l;
	if ((remote_role(l) == MM_FULL_REMOTE && full_init(l)) ||
	    (remote_role(l) == MM_RUNTIME_REMOTE && runtime_init(l))) {
		link_free(l);
		return NULL;
	}
	if (remote_role(l) == MM_MIN_REMOTE)
		min_init(l);
	if (!link_mm_master(l))
		master_init(&l->peer_m, l->w, pr->peer, pr->event_idx);
	if (!link_mm_remote(l))
		remote_init(&l->peer_r, l->w, pr->peer, ECHO_NAME, ECHO_ADDR);
	return l;
}

void link_free(struct link *l)
{
	world_free(l->w);
	free(l);
	cur = NULL;
}

static void peer_master_rx(void *ctx, uint32_t src, uint32_t dst, const uint8_t *data,
			   uint32_t len)
{
	struct link *l = ctx;

	(void)dst;
	if (l->master_echo)
		master_send(&l->peer_m, src, data, len);
	else
		record(&l->at_master, src, data, len);
}

static void peer_remote_rx(void *ctx, uint32_t src, uint32_t dst, const uint8_t *data,
			   uint32_t len)
{
	struct link *l = ctx;

	(void)dst;
	if (!l->peer_r.echo)
		record(&l->at_remote, src, data, len);
}

static int check_ns(struct link *l, const char *name, uint32_t addr, unsigned int count)
{
	if (count != 1 || strcmp(name, ECHO_NAME) || addr != ECHO_ADDR)
		return link_fail(l, "announcement: %u seen, last \"%s\" at %u; want one \"%s\" at %u",
				 count, name, addr, ECHO_NAME, ECHO_ADDR);
	return 0;
}

int link_up(struct link *l)
{
	if (!link_mm_master(l)) {
		l->peer_m.on_rx = peer_master_rx;
		l->peer_m.ctx = l;
		if (master_start(&l->peer_m) || link_settle(l) ||
		    check_ns(l, l->peer_m.ns_name, l->peer_m.ns_addr, l->peer_m.ns_count))
			return link_fail(l, "%s", l->peer_m.error);
		if (l->pr->peer == PEER_RPMSG_LITE)
			master_enable_rx_cb(&l->peer_m);
		return link_peer_error(l) ? link_fail(l, "%s", link_peer_error(l)) : 0;
	}
	l->peer_r.on_rx = peer_remote_rx;
	l->peer_r.ctx = l;
	if (host_start(l) || link_settle(l) ||
	    check_ns(l, l->host_ns_name, l->host_ns_addr, l->host_ns_count))
		return -1;
	/* a new endpoint every link-up: init_host starts the device afresh */
	if (mmamp_rpmsg_ept_init(&l->host_ept, &l->host, NULL, HOST_ADDR, l->host_ns_addr, host_rx,
				 l))
		return link_fail(l, "host endpoint");
	return 0;
}
