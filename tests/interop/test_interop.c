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
#include "link.h"

#define BURST         100000u
#define WINDOW        220u   /* messages in flight in the burst: >= 200, < 256 buffers */
#define PING_PONG     20000u /* then one at a time: every doorbell counts */
#define TICK_MS       20u    /* the echo thread's idle look (a table master resets silently) */
#define RESET_LOOKS   64     /* looks a remote gets to notice a reset */
/* A link call that failed fails the test with the link's reason. */
static void ok(struct link *l, int ret)
{
	if (ret)
		fail_msg("%s: %s", l->pr->name, l->error[0] ? l->error : "failed");
}

static void assert_no_peer_error(struct link *l)
{
	const char *e = link_peer_error(l);

	if (e)
		fail_msg("%s: %s", l->pr->name, e);
}

static struct link *new_link(void **state)
{
	struct link *l = link_new(*state);

	assert_non_null(l);
	return l;
}

static void fill(uint8_t *b, uint32_t len, uint32_t seed)
{
	for (uint32_t k = 0; k < len; k++)
		b[k] = (uint8_t)(seed * 131u + k * 7u + (k >> 8));
}

/* Who echoes: the remote (a master-initiated message) or the master (a remote-initiated one). */
static void set_echo(struct link *l, bool remote_echoes)
{
	l->remote_echo = remote_echoes;
	l->peer_r.echo = remote_echoes;
	l->master_echo = !remote_echoes;
}

/* @n bytes from one side, echoed by the other, back byte-exact from the right address. */
static void echo_one(struct link *l, bool from_master, uint32_t n)
{
	struct got *g = from_master ? &l->at_master : &l->at_remote;
	uint8_t msg[MMAMP_RPMSG_MTU];

	fill(msg, n, from_master ? n : n + 1000u);
	set_echo(l, from_master);
	g->count = 0;
	assert_int_equal(from_master ? link_master_tx(l, msg, n) : link_remote_tx(l, msg, n), 0);
	ok(l, link_settle(l));
	assert_int_equal(g->count, 1);
	assert_int_equal(g->len, n);
	assert_int_equal(g->src, from_master ? ECHO_ADDR : HOST_ADDR);
	assert_memory_equal(g->data, msg, n);
}

/* One message each way per size: master → remote → master, then the reverse. */
static void echo_sizes(struct link *l, uint32_t from, uint32_t to, uint32_t step)
{
	for (uint32_t n = from; n <= to; n += step) {
		echo_one(l, true, n);
		echo_one(l, false, n);
	}
	set_echo(l, true);
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
	s = mmamp_rpmsg_stats(l->pr->mm == MM_HOST ? &l->host : l->rd);
	if (mmamp_rpmsg_fault(l->pr->mm == MM_HOST ? &l->host : l->rd, &d))
		fail_msg("%s: mmamp side faulted: %s %s", l->pr->name, d.where, d.why);
	assert_int_equal(s->rx_malformed, 0);
	assert_int_equal(s->rx_no_ept, 0);
}

/* ---- the four checks ---- */

static void check_ns(void **state)
{
	struct link *l = new_link(state);

	ok(l, link_up(l));
	assert_mm_clean(l);
	link_free(l);
}

static void check_sizes(void **state)
{
	struct link *l = new_link(state);

	ok(l, link_up(l));
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
		if (link_remote_step(l, rang) < 0) {
			__atomic_fetch_add(&l->echo_errors, 1u, __ATOMIC_RELAXED);
			break;
		}
		if (link_remote_has_work(l)) {
			rang = bell_take(&l->w->to_remote);
			continue;
		}
		rang = bell_wait(&l->w->to_remote, TICK_MS) == 0;
		if (rang || !link_remote_has_work(l))
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

	while (l->burst_next_expected < end && !l->burst_errors && !link_peer_error(l) &&
	       !__atomic_load_n(&l->lost_doorbells, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&l->echo_errors, __ATOMIC_RELAXED)) {
		bool progress = false;

		r = 0;
		while (sent < end && sent - l->burst_next_expected < window) {
			n = 4u + sent % (MMAMP_RPMSG_MTU - 3u);
			fill(msg, n, sent);
			memcpy(msg, &sent, 4);
			r = link_master_tx(l, msg, n);
			if (r)
				break;
			sent++;
			progress = true;
		}
		if (r < 0)
			break;
		if (sent - l->burst_next_expected > most)
			most = sent - l->burst_next_expected;
		r = link_master_step(l);
		if (r < 0)
			break;
		if (r > 0 || progress)
			continue;
		/* nothing to send or reap: sleep until the remote rings, boundedly; a wait that
		 * runs out with messages in flight is a lost doorbell (or a stalled remote) */
		if (bell_wait(&l->w->to_master, STALL_MS))
			fail_msg("%s: lost doorbell: %u messages in flight, no doorbell in %u ms "
				 "(the master then found %d)", l->pr->name,
				 sent - l->burst_next_expected, STALL_MS, link_master_step(l));
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
	struct link *l = new_link(state);
	pthread_t t;

	ok(l, link_up(l));
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
	struct link *l = new_link(state);
	uint8_t msg[64];
	int rounds;

	ok(l, link_up(l));
	echo_sizes(l, 1, 496, 55);
	/* mid-stream: messages in flight towards the echoing remote */
	fill(msg, sizeof(msg), 7);
	for (int i = 0; i < 5; i++)
		assert_int_equal(link_master_tx(l, msg, sizeof(msg)), 0);
	assert_true(link_remote_step(l, bell_take(&l->w->to_remote)) >= 0);
	if (link_mm_remote(l)) {
		master_stop(&l->peer_m);
		if (l->pr->peer != PEER_RPMSG_LITE) {
			/* the remote lets go of the rings: its link epoch turns even */
			for (rounds = 0; (l->w->beat[1] & 1u) && rounds < RESET_LOOKS; rounds++)
				assert_true(link_remote_step(l, bell_take(&l->w->to_remote)) >= -1);
			assert_int_equal(l->w->beat[1] & 1u, 0);
		}
		l->peer_m.ns_count = 0;
	} else {
		if (!l->pr->static_link) {
			__atomic_store_n(&l->w->table->vdev.status, (uint8_t)0, __ATOMIC_RELEASE);
			assert_true(link_remote_step(l, false) >= 0); /* it sees the reset */
			assert_false(l->peer_r.up);
		}
		remote_restart(&l->peer_r); /* the remote's firmware restarts */
	}
	ok(l, link_up(l));
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
PAIR(rpmsg_lite_master__runtime_static, MM_RUNTIME_REMOTE, PEER_RPMSG_LITE, false, true);
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
		/* polled: the runtime asks for no doorbells, so the burst's lost-doorbell watch is moot */
		ONE(rpmsg_lite_master__runtime_static, ns),
		ONE(rpmsg_lite_master__runtime_static, sizes),
		ONE(rpmsg_lite_master__runtime_static, reset),
		FOUR(host__rpmsg_lite_remote_static),
		FOUR(host__openamp_remote),
		FOUR(host_event_idx__openamp_remote),
#endif
	};
	return cmocka_run_group_tests_name("interop", tests, NULL, NULL);
}
