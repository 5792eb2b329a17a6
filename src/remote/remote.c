/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * remote.c — the firmware runtime: an RPMsg remote device, a doorbell and the main loop (see
 * remote.h). Portable: no OS, no allocation; the port's part is struct
 * mmamp_remote_doorbell_ops.
 */
#include "mmamp/remote/runtime.h"

#include <string.h>

#include "mmamp/errno.h"

/* Polled mode, device in error: look at it again after this many idle spins (or a doorbell). */
#define POLLED_ERROR_RETRY_SPINS 1024u

static void note_doorbell(struct mmamp_remote *r, uint32_t notifyid)
{
	r->stats.doorbells++;
	r->stats.last_notifyid = notifyid;
}

static bool take_flag(struct mmamp_remote *r)
{
	/* An atomic swap: on the M4 the ISR may set the flag between a load and a store. */
	return __atomic_exchange_n(&r->flagged, 0u, __ATOMIC_ACQ_REL) != 0;
}

/* Timestamp point 4 (MeasureMan): read the clock only when the firmware asked for it. */
static uint64_t stamp(const struct mmamp_remote *r)
{
	return r->now_ns ? r->now_ns() : 0;
}

void mmamp_remote_isr(struct mmamp_remote *r)
{
	uint64_t entry = stamp(r);
	uint32_t notifyid;

	if (r->db->take(r->db_ctx, &notifyid) == 0) {
		note_doorbell(r, notifyid);
		r->isr_ns = entry;
	}
	__atomic_store_n(&r->flagged, 1u, __ATOMIC_RELEASE);
}

/* ---- what the RPMsg core calls (struct mmamp_rpmsg_ops) ---- */

static void beat(struct mmamp_remote *r);

/*
 * A doorbell to the host is proof of life too: one main-loop turn may serve up to 2 × num
 * messages (the RX drain's budget), and a host that answers each at once keeps the core in
 * that turn for a whole stream — the heartbeat must not stand still meanwhile.
 */
static int rt_notify(void *ctx, uint32_t notifyid)
{
	struct mmamp_remote *r = ctx;
	int ret;

	beat(r);
	ret = r->db->send(r->db_ctx, notifyid);

	if (ret)
		r->stats.notify_errors++;
	return ret;
}

static uint64_t rt_now_us(void *ctx)
{
	struct mmamp_remote *r = ctx;

	return r->db->now_us(r->db_ctx);
}

/* I am alive: the host's watchdog watches this word move. */
static void beat(struct mmamp_remote *r)
{
	if (r->heartbeat)
		__atomic_store_n(r->heartbeat, ++r->beats, __ATOMIC_RELAXED);
}

void mmamp_remote_beat(struct mmamp_remote *r)
{
	beat(r);
}

/*
 * A blocking send waits here for the host to give TX buffers back (the core has asked it to
 * ring when it does). A flag left over from an earlier doorbell only ends this wait early: it
 * is dropped, because the main loop finds the work it stood for through
 * mmamp_rpmsg_work_pending() anyway, while keeping it would turn every later wait into a spin.
 */
static int rt_wait(void *ctx, uint32_t timeout_us)
{
	struct mmamp_remote *r = ctx;
	uint64_t start;
	uint32_t notifyid, spins;
	int ret;

	beat(r); /* a send blocked on a slow host is alive, not hung */
	if (take_flag(r))
		return 0;
	if (!r->polled) {
		ret = r->db->wait(r->db_ctx, &r->flagged, timeout_us);
		take_flag(r);
		return ret < 0 ? ret : 0;
	}
	start = r->db->now_us ? r->db->now_us(r->db_ctx) : 0;
	for (spins = 0;; spins++) {
		if (r->db->take(r->db_ctx, &notifyid) == 0) {
			r->isr_ns = stamp(r);
			note_doorbell(r, notifyid);
			return 0;
		}
		if (r->db->now_us ? r->db->now_us(r->db_ctx) - start >= timeout_us
				  : spins >= timeout_us) /* without a clock: ~1 µs a spin */
			return -MMAMP_ETIMEDOUT;
		if (r->db->relax)
			r->db->relax(r->db_ctx);
	}
}

/* ---- the main loop ---- */

int mmamp_remote_init(struct mmamp_remote *r, const struct mmamp_remote_config *cfg)
{
	struct mmamp_rpmsg_remote_config rc;
	int ret;

	if (!r || !cfg || !cfg->db || !cfg->db->send || !cfg->db->take ||
	    (!cfg->polled && !cfg->db->wait))
		return -MMAMP_EINVAL;
	memset(r, 0, sizeof(*r));
	r->db = cfg->db;
	r->db_ctx = cfg->db_ctx;
	r->on_event = cfg->on_event;
	r->ctx = cfg->ctx;
	r->tick_us = cfg->tick_us;
	r->polled = cfg->polled;
	r->heartbeat = cfg->heartbeat;
	r->now_ns = cfg->now_ns;
	r->ops.notify = rt_notify;
	r->ops.wait = rt_wait;
	r->ops.now_us = cfg->db->now_us ? rt_now_us : NULL;

	rc.shm = cfg->shm;
	rc.vdev = cfg->vdev;
	rc.layout = cfg->layout;
	rc.ops = &r->ops;
	rc.ctx = r;
	/* MMAMP_LINK_EPOCH_OFFSET: the word after the heartbeat */
	rc.link_epoch = cfg->heartbeat ? cfg->heartbeat + 1 : NULL;
	ret = mmamp_rpmsg_init_remote(&r->rdev, &rc);
	if (ret)
		return ret;
	return cfg->db->enable ? cfg->db->enable(cfg->db_ctx, !cfg->polled) : 0;
}

static void event(struct mmamp_remote *r, int ev)
{
	if (r->on_event)
		r->on_event(r, ev, r->ctx);
}

static int do_poll(struct mmamp_remote *r)
{
	bool was_up = mmamp_rpmsg_is_up(&r->rdev);
	int ret;

	r->stats.polls++;
	ret = mmamp_rpmsg_poll(&r->rdev);
	/* From the state, not the return value: an error after link-up would hide LINK_UP. */
	if (was_up != mmamp_rpmsg_is_up(&r->rdev)) {
		/* polled: we look at the rings anyway, the host need not ring per message */
		if (!was_up && r->polled)
			mmamp_rpmsg_rx_notify(&r->rdev, false);
		event(r, was_up ? MMAMP_RPMSG_LINK_DOWN : MMAMP_RPMSG_LINK_UP);
	}
	if (ret < 0) {
		if (ret != r->last_error) {
			r->last_error = ret;
			event(r, ret);
		}
		return ret;
	}
	r->last_error = 0;
	return 1;
}

/*
 * Whether to poll now. Normally: a doorbell came, or the core sees work (a message, a status
 * change). A broken device reports "work" forever (so that a poll returns its error), so while
 * the last poll failed only a doorbell or the passing of a tick / of some idle spins brings the
 * next poll — which is also how a host reset (status 0) is noticed and the error cleared.
 */
static bool want_poll(struct mmamp_remote *r)
{
	if (take_flag(r)) {
		mmamp_rpmsg_kicked(&r->rdev); /* a static link comes up at the first doorbell */
		return true;
	}
	if (!r->last_error)
		return mmamp_rpmsg_work_pending(&r->rdev);
	return r->idle >= (r->polled ? POLLED_ERROR_RETRY_SPINS : 1u);
}

int mmamp_remote_poll_once(struct mmamp_remote *r)
{
	uint32_t notifyid;

	beat(r);
	if (r->polled && r->db->take(r->db_ctx, &notifyid) == 0) {
		r->isr_ns = stamp(r);
		note_doorbell(r, notifyid);
		__atomic_store_n(&r->flagged, 1u, __ATOMIC_RELAXED);
	}
	if (want_poll(r)) {
		r->idle = 0;
		return do_poll(r);
	}
	r->idle++;
	r->stats.sleeps++;
	if (r->polled) {
		if (r->db->relax)
			r->db->relax(r->db_ctx);
	} else {
		r->db->wait(r->db_ctx, &r->flagged, r->tick_us);
	}
	return 0;
}

int mmamp_remote_run(struct mmamp_remote *r)
{
	while (!r->stop)
		mmamp_remote_poll_once(r);
	r->stop = 0;
	return 0;
}
