/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_interop.c — the peer-behaviour matrix: every mmamp role (the full remote, the minimal
 * remote, the host) paired with the "behaves like" peers of peer.h (Linux, RPMsg-Lite and
 * OpenAMP masters and remotes, EVENT_IDX on and off), over NXP's shared-memory layout. Each
 * pairing is checked four ways (docs/interop.md):
 *   ns     the name-service announcement arrives with the right name and address;
 *   sizes  every payload size 1..496 echoed byte-exact, initiated from either side;
 *   burst  100,000 messages with at least 200 in flight, the echoing side on its own thread,
 *          both sides sleeping on doorbells: a lost doorbell is a wait that times out with work
 *          pending (the waits are bounded; nothing here sleeps to synchronise);
 *   reset  the peer resets mid-stream as documented for it, and the link carries on.
 * Built twice: test_interop (table modes and the full remote's static link) and, with
 * MMAMP_MIN_STATIC_LINK, test_interop_min_static (the minimal profile on a static link).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mmamp/errno.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rpmsg_min.h"
#include "peer.h"

#define ECHO_ADDR     30u
#define ECHO_NAME     "rpmsg-interop-echo"
#define HOST_ADDR     1024u
#define BURST         100000u
#define WINDOW        220u   /* messages in flight in the burst: >= 200, < 256 buffers */
#define PING_PONG     20000u /* then one at a time: every doorbell counts */
#define STALL_MS      5000u  /* a side with work in flight that hears nothing this long: lost */
#define TICK_MS       20u    /* the echo thread's idle look (a table master resets silently) */
#define SETTLE_ROUNDS 64

enum mm_role { MM_FULL_REMOTE, MM_MIN_REMOTE, MM_HOST };

/** A pairing: which mmamp role meets which peer, how. */
struct pairing {
	const char *name;
	enum mm_role mm;
	enum peer_kind peer;
	bool event_idx;
	bool static_link;
};

struct got {
	uint8_t data[MMAMP_RPMSG_MTU];
	uint32_t len, src, count;
};

/** The link under test: the world, the peer, the mmamp side, what each side received. */
struct link {
	const struct pairing *pr;
	struct world *w;
	struct master peer_m;
	struct remote peer_r;
	/* mmamp remote (full) */
	struct mmamp_rpmsg_dev rdev;
	struct mmamp_rpmsg_ept ept;
	struct mmamp_rpmsg_static_link layout;
	/* mmamp remote (minimal) */
	struct mmamp_min_dev min;
	/* mmamp host */
	struct mmamp_rpmsg_dev host;
	struct mmamp_rpmsg_ept host_ept;
	struct mmamp_vq_desc_state rx_state[W_NUM], tx_state[W_NUM];
	uint16_t tx_free[W_NUM];
	char host_ns_name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t host_ns_addr, host_ns_count;
	/* what arrived */
	struct got at_master, at_remote;
	bool master_echo, remote_echo;
	/* the burst */
	uint32_t burst_next_expected, burst_errors;
	unsigned int lost_doorbells, echo_errors;
	volatile int stop;
};

static struct link *cur; /* the minimal profile's notify hook has no context */

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

static void full_init(struct link *l)
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
	assert_int_equal(mmamp_rpmsg_init_remote(&l->rdev, &rc), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&l->ept, &l->rdev, ECHO_NAME, ECHO_ADDR,
					      MMAMP_RPMSG_ADDR_ANY, full_rx, l), 0);
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
static void host_start(struct link *l)
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
	assert_int_equal(mmamp_rpmsg_init_host(&l->host, &hc), 0);
	l->host_ns_count = 0;
	if (!l->pr->static_link)
		__atomic_store_n(&v->status, (uint8_t)7, __ATOMIC_RELEASE);
	assert_int_equal(mmamp_rpmsg_host_kick(&l->host), 0);
}

/* ---- one side's step, whichever stack plays it ---- */

static bool mm_is_remote(const struct link *l)
{
	return l->pr->mm != MM_HOST;
}

/* Poll an mmamp device: > 0 if something happened (a link event, a message in or out). */
static int mm_poll(struct mmamp_rpmsg_dev *rdev)
{
	const struct mmamp_rpmsg_stats *s = mmamp_rpmsg_stats(rdev);
	uint32_t before = s->rx + s->tx;
	int r = mmamp_rpmsg_poll(rdev);

	if (r < 0)
		return -1;
	return r > 0 || s->rx + s->tx != before;
}

/* The remote side looks once. Returns >= 0, or -1 on an error (the test fails on it). */
static int remote_step(struct link *l, bool rang)
{
	int r;

	switch (mm_is_remote(l) ? l->pr->mm : MM_HOST) {
	case MM_FULL_REMOTE:
		if (rang)
			mmamp_rpmsg_kicked(&l->rdev);
		return mm_poll(&l->rdev);
	case MM_MIN_REMOTE:
#if MMAMP_MIN_STATIC_LINK
		if (rang)
			mmamp_min_kicked(&l->min);
#endif
		r = mmamp_min_poll(&l->min);
		return r == -MMAMP_EIO ? -1 : 0;
	default:
		return remote_poll(&l->peer_r, rang);
	}
}

static bool remote_has_work(struct link *l)
{
	switch (mm_is_remote(l) ? l->pr->mm : MM_HOST) {
	case MM_FULL_REMOTE:
		return mmamp_rpmsg_work_pending(&l->rdev);
	case MM_MIN_REMOTE:
		return l->min.up && __atomic_load_n(&l->min.vq[1].avail->idx, __ATOMIC_ACQUIRE) !=
					    l->min.vq[1].next_avail;
	default:
		return l->peer_r.up &&
		       __atomic_load_n(&l->peer_r.rx.avail->idx, __ATOMIC_ACQUIRE) !=
			       l->peer_r.rx.last_avail;
	}
}

static int master_step(struct link *l)
{
	if (!mm_is_remote(l))
		return mm_poll(&l->host);
	return master_poll(&l->peer_m);
}

/* Send @len bytes to the other side's endpoint: 0, 1 (no buffer now), -1 (error). */
static int master_tx(struct link *l, const void *data, uint32_t len)
{
	int r;

	if (!mm_is_remote(l)) {
		/* out of TX buffers, the host asks the remote to ring when one comes back */
		r = mmamp_rpmsg_sendto_timeout(&l->host_ept, l->host_ns_addr, data, len,
					       STALL_MS * 1000u);
		return r ? -1 : 0;
	}
	return master_send(&l->peer_m, ECHO_ADDR, data, len);
}

static int remote_tx(struct link *l, const void *data, uint32_t len)
{
	int r;

	switch (mm_is_remote(l) ? l->pr->mm : MM_HOST) {
	case MM_FULL_REMOTE:
		r = mmamp_rpmsg_sendto(&l->ept, HOST_ADDR, data, len);
		return r == -MMAMP_ENOBUFS ? 1 : r ? -1 : 0;
	case MM_MIN_REMOTE:
		r = mmamp_min_send(&l->min, ECHO_ADDR, HOST_ADDR, data, len);
		return r == -MMAMP_EAGAIN ? 1 : r ? -1 : 0;
	default:
		return remote_send(&l->peer_r, HOST_ADDR, data, len);
	}
}

static const char *peer_error(struct link *l)
{
	if (l->peer_m.error[0])
		return l->peer_m.error;
	if (l->peer_r.error[0])
		return l->peer_r.error;
	return NULL;
}

static void assert_no_peer_error(struct link *l)
{
	const char *e = peer_error(l);

	if (e)
		fail_msg("%s: %s", l->pr->name, e);
}

/* Lockstep: let both sides work until neither has anything left to do. */
static void settle(struct link *l)
{
	int quiet = 0, a, b;

	for (int round = 0; round < SETTLE_ROUNDS * 16 && quiet < 3; round++) {
		a = remote_step(l, bell_take(&l->w->to_remote));
		b = master_step(l);
		assert_no_peer_error(l);
		assert_true(a >= 0);
		assert_true(b >= 0);
		quiet = (a || b) ? 0 : quiet + 1;
	}
}

/* ---- set-up ---- */

static struct link *link_new(const struct pairing *pr)
{
	struct link *l = calloc(1, sizeof(*l));
	uint32_t df = 1u << MMAMP_VIRTIO_RPMSG_F_NS;

	assert_non_null(l);
	if (pr->event_idx)
		df |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
	l->pr = pr;
	l->w = world_new(df);
	cur = l;
	if (pr->mm == MM_FULL_REMOTE)
		full_init(l);
	else if (pr->mm == MM_MIN_REMOTE)
		min_init(l);
	if (mm_is_remote(l)) {
		master_init(&l->peer_m, l->w, pr->peer, pr->event_idx);
		l->peer_m.on_rx = NULL;
	} else {
		remote_init(&l->peer_r, l->w, pr->peer, ECHO_NAME, ECHO_ADDR);
	}
	return l;
}

static void link_free(struct link *l)
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

/* Bring the link up and check the announcement; after it, the master has an endpoint. */
static void link_up(struct link *l)
{
	if (mm_is_remote(l)) {
		l->peer_m.on_rx = peer_master_rx;
		l->peer_m.ctx = l;
		assert_int_equal(master_start(&l->peer_m), 0);
		settle(l);
		assert_int_equal(l->peer_m.ns_count, 1);
		assert_string_equal(l->peer_m.ns_name, ECHO_NAME);
		assert_int_equal(l->peer_m.ns_addr, ECHO_ADDR);
		if (l->pr->peer == PEER_RPMSG_LITE)
			master_enable_rx_cb(&l->peer_m);
		assert_no_peer_error(l);
	} else {
		l->peer_r.on_rx = peer_remote_rx;
		l->peer_r.ctx = l;
		host_start(l);
		settle(l);
		assert_int_equal(l->host_ns_count, 1);
		assert_string_equal(l->host_ns_name, ECHO_NAME);
		assert_int_equal(l->host_ns_addr, ECHO_ADDR);
		/* a new endpoint every link-up: init_host starts the device afresh */
		assert_int_equal(mmamp_rpmsg_ept_init(&l->host_ept, &l->host, NULL, HOST_ADDR,
						      l->host_ns_addr, host_rx, l), 0);
	}
}

static void fill(uint8_t *b, uint32_t len, uint32_t seed)
{
	for (uint32_t k = 0; k < len; k++)
		b[k] = (uint8_t)(seed * 131u + k * 7u + (k >> 8));
}

/* One message each way per size, byte-exact: master → remote → master, then the reverse. */
static void echo_sizes(struct link *l, uint32_t from, uint32_t to, uint32_t step)
{
	uint8_t msg[MMAMP_RPMSG_MTU];
	struct got *g;

	for (uint32_t n = from; n <= to; n += step) {
		fill(msg, n, n);
		/* master-initiated: the remote echoes */
		l->remote_echo = true;
		l->peer_r.echo = true;
		l->master_echo = false;
		g = &l->at_master;
		g->count = 0;
		assert_int_equal(master_tx(l, msg, n), 0);
		settle(l);
		assert_int_equal(g->count, 1);
		assert_int_equal(g->len, n);
		assert_int_equal(g->src, ECHO_ADDR);
		assert_memory_equal(g->data, msg, n);
		/* remote-initiated: the master echoes */
		fill(msg, n, n + 1000u);
		l->remote_echo = false;
		l->peer_r.echo = false;
		l->master_echo = true;
		g = &l->at_remote;
		g->count = 0;
		assert_int_equal(remote_tx(l, msg, n), 0);
		settle(l);
		assert_int_equal(g->count, 1);
		assert_int_equal(g->len, n);
		assert_int_equal(g->src, HOST_ADDR);
		assert_memory_equal(g->data, msg, n);
	}
	l->remote_echo = true;
	l->peer_r.echo = true;
	l->master_echo = false;
}

/* What the mmamp side must never have counted against a well-behaved peer. */
static void assert_mm_clean(struct link *l)
{
	const struct mmamp_rpmsg_stats *s;
	struct mmamp_diag d;

	assert_int_equal(__atomic_load_n(&l->echo_errors, __ATOMIC_RELAXED), 0);
	if (l->pr->mm == MM_MIN_REMOTE) {
		assert_int_equal(mmamp_min_fault(&l->min), 0);
		assert_int_equal(l->min.dropped, 0);
		return;
	}
	s = mmamp_rpmsg_stats(l->pr->mm == MM_HOST ? &l->host : &l->rdev);
	if (mmamp_rpmsg_fault(l->pr->mm == MM_HOST ? &l->host : &l->rdev, &d))
		fail_msg("%s: mmamp side faulted: %s %s", l->pr->name, d.where, d.why);
	assert_int_equal(s->rx_malformed, 0);
	assert_int_equal(s->rx_no_ept, 0);
}

/* ---- the four checks ---- */

static void check_ns(void **state)
{
	struct link *l = link_new(*state);

	link_up(l);
	assert_mm_clean(l);
	link_free(l);
}

static void check_sizes(void **state)
{
	struct link *l = link_new(*state);

	link_up(l);
	echo_sizes(l, 1, MMAMP_RPMSG_MTU, 1);
	/* more than a ring's worth: indices wrap past the buffers handed out at link-up */
	echo_sizes(l, 1, MMAMP_RPMSG_MTU, 1);
	assert_mm_clean(l);
	link_free(l);
}

/* The echoing remote on its own thread: poll when there is work, else sleep on the doorbell. */
static void *echo_thread(void *arg)
{
	struct link *l = arg;
	bool rang = false;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		if (remote_step(l, rang) < 0) {
			__atomic_fetch_add(&l->echo_errors, 1u, __ATOMIC_RELAXED);
			break;
		}
		if (remote_has_work(l)) {
			rang = bell_take(&l->w->to_remote);
			continue;
		}
		rang = bell_wait(&l->w->to_remote, TICK_MS) == 0;
		if (rang || !remote_has_work(l))
			continue;
		/* Work arrived, no doorbell: it may be on its way — or it was lost. */
		rang = bell_wait(&l->w->to_remote, STALL_MS) == 0;
		if (!rang)
			__atomic_fetch_add(&l->lost_doorbells, 1u, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void burst_rx_check(struct link *l, const uint8_t *data, uint32_t len)
{
	uint8_t want[MMAMP_RPMSG_MTU];
	uint32_t seq, n;

	if (len < 4) {
		l->burst_errors++;
		return;
	}
	memcpy(&seq, data, 4);
	n = 4u + seq % (MMAMP_RPMSG_MTU - 3u);
	fill(want, n, seq);
	memcpy(want, &seq, 4);
	if (seq != l->burst_next_expected || len != n || memcmp(want, data, n))
		l->burst_errors++;
	l->burst_next_expected = seq + 1u;
}

static void burst_master_rx(void *ctx, uint32_t src, uint32_t dst, const uint8_t *data,
			    uint32_t len)
{
	(void)src;
	(void)dst;
	burst_rx_check(ctx, data, len);
}

static int burst_host_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
			 void *priv)
{
	(void)ept;
	(void)src;
	burst_rx_check(priv, data, (uint32_t)len);
	return 0;
}

/*
 * Send @count messages from the master, at most @window in flight, and take every echo back
 * in order and byte-exact. Returns the most that were in flight at once.
 */
static uint32_t stream(struct link *l, uint32_t count, uint32_t window)
{
	uint8_t msg[MMAMP_RPMSG_MTU];
	uint32_t first = l->burst_next_expected, sent = first, end = first + count, n, most = 0;
	int r = 0;

	while (l->burst_next_expected < end && !l->burst_errors && !peer_error(l) &&
	       !__atomic_load_n(&l->lost_doorbells, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&l->echo_errors, __ATOMIC_RELAXED)) {
		bool progress = false;

		r = 0;
		while (sent < end && sent - l->burst_next_expected < window) {
			n = 4u + sent % (MMAMP_RPMSG_MTU - 3u);
			fill(msg, n, sent);
			memcpy(msg, &sent, 4);
			r = master_tx(l, msg, n);
			if (r)
				break;
			sent++;
			progress = true;
		}
		if (r < 0)
			break;
		if (sent - l->burst_next_expected > most)
			most = sent - l->burst_next_expected;
		r = master_step(l);
		if (r < 0)
			break;
		if (r > 0 || progress)
			continue;
		/* nothing to send or reap: sleep until the remote rings, boundedly; a wait that
		 * runs out with messages in flight is a lost doorbell (or a stalled remote) */
		if (bell_wait(&l->w->to_master, STALL_MS))
			fail_msg("%s: lost doorbell: %u messages in flight, no doorbell in %u ms "
				 "(the master then found %d)", l->pr->name,
				 sent - l->burst_next_expected, STALL_MS, master_step(l));
	}
	assert_no_peer_error(l);
	assert_int_equal(__atomic_load_n(&l->lost_doorbells, __ATOMIC_RELAXED), 0);
	assert_int_equal(l->burst_errors, 0);
	assert_true(r >= 0);
	assert_int_equal(l->burst_next_expected, end);
	return most;
}

/*
 * The burst: 100,000 messages with up to 220 in flight, then 20,000 one at a time — where
 * every doorbell in either direction is the only thing that wakes the other side, so a lost
 * one stalls the stream and fails it.
 */
static void check_burst(void **state)
{
	struct link *l = link_new(*state);
	pthread_t t;

	link_up(l);
	l->remote_echo = true;
	l->peer_r.echo = true;
	l->peer_m.on_rx = burst_master_rx;
	l->host_ept.cb = burst_host_rx;
	assert_int_equal(pthread_create(&t, NULL, echo_thread, l), 0);
	assert_true(stream(l, BURST, WINDOW) >= 200);
	stream(l, PING_PONG, 1);
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	bell_ring(&l->w->to_remote, 1);
	pthread_join(t, NULL);
	assert_mm_clean(l);
	link_free(l);
}

/* Reset mid-stream, as docs/interop.md says for each pairing, then carry on. */
static void check_reset(void **state)
{
	struct link *l = link_new(*state);
	uint8_t msg[64];
	int rounds;

	link_up(l);
	echo_sizes(l, 1, 496, 55);
	/* mid-stream: messages in flight towards the echoing remote */
	fill(msg, sizeof(msg), 7);
	for (int i = 0; i < 5; i++)
		assert_int_equal(master_tx(l, msg, sizeof(msg)), 0);
	assert_true(remote_step(l, bell_take(&l->w->to_remote)) >= 0);
	if (mm_is_remote(l)) {
		master_stop(&l->peer_m);
		if (l->pr->peer != PEER_RPMSG_LITE) {
			/* the remote lets go of the rings: its link epoch turns even */
			for (rounds = 0; (l->w->beat[1] & 1u) && rounds < SETTLE_ROUNDS; rounds++)
				assert_true(remote_step(l, bell_take(&l->w->to_remote)) >= -1);
			assert_int_equal(l->w->beat[1] & 1u, 0);
		}
		l->peer_m.ns_count = 0;
	} else {
		if (!l->pr->static_link) {
			__atomic_store_n(&l->w->table->vdev.status, (uint8_t)0, __ATOMIC_RELEASE);
			assert_true(remote_step(l, false) >= 0); /* it sees the reset */
			assert_false(l->peer_r.up);
		}
		remote_restart(&l->peer_r); /* the remote's firmware restarts */
	}
	link_up(l);
	echo_sizes(l, 1, 496, 15);
	assert_mm_clean(l);
	link_free(l);
}

/* ---- the matrix ---- */

#define PAIR(tag, mm_, peer_, ev, st)                                                         \
	static struct pairing tag = { #tag, mm_, peer_, ev, st }

#define ONE(tag, check) { #tag "/" #check, check_##check, NULL, NULL, &tag }
#define FOUR(tag) ONE(tag, ns), ONE(tag, sizes), ONE(tag, burst), ONE(tag, reset)

#if MMAMP_MIN_STATIC_LINK
PAIR(rpmsg_lite_master__min_remote_static, MM_MIN_REMOTE, PEER_RPMSG_LITE, false, true);
#else
PAIR(linux_master__full_remote, MM_FULL_REMOTE, PEER_LINUX, false, false);
PAIR(linux_master_event_idx__full_remote, MM_FULL_REMOTE, PEER_LINUX, true, false);
PAIR(linux_master__min_remote, MM_MIN_REMOTE, PEER_LINUX, false, false);
PAIR(rpmsg_lite_master__full_remote_static, MM_FULL_REMOTE, PEER_RPMSG_LITE, false, true);
PAIR(openamp_master__full_remote, MM_FULL_REMOTE, PEER_OPENAMP, false, false);
PAIR(openamp_master_event_idx__full_remote, MM_FULL_REMOTE, PEER_OPENAMP, true, false);
PAIR(openamp_master__min_remote, MM_MIN_REMOTE, PEER_OPENAMP, false, false);
PAIR(host__rpmsg_lite_remote_static, MM_HOST, PEER_RPMSG_LITE, false, true);
PAIR(host__openamp_remote, MM_HOST, PEER_OPENAMP, false, false);
PAIR(host_event_idx__openamp_remote, MM_HOST, PEER_OPENAMP, true, false);
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#if MMAMP_MIN_STATIC_LINK
		FOUR(rpmsg_lite_master__min_remote_static),
#else
		FOUR(linux_master__full_remote),
		FOUR(linux_master_event_idx__full_remote),
		FOUR(linux_master__min_remote),
		FOUR(rpmsg_lite_master__full_remote_static),
		FOUR(openamp_master__full_remote),
		FOUR(openamp_master_event_idx__full_remote),
		FOUR(openamp_master__min_remote),
		FOUR(host__rpmsg_lite_remote_static),
		FOUR(host__openamp_remote),
		FOUR(host_event_idx__openamp_remote),
#endif
	};
	return cmocka_run_group_tests_name("interop", tests, NULL, NULL);
}
