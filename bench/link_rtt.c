/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_rtt.c — the polled round trip over one in-process link (link_rtt.h).
 */
#define _GNU_SOURCE
#include "link_rtt.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "tool_rtt.h"

const struct pairing link_rtt_floor = {
	"protocol floor (unchecked peers)", MM_NONE, PEER_OPENAMP, false, false
};

/* What the remote thread runs: the link, and whether it relaxes on idle rings. */
struct remote_spin {
	struct link *l;
	bool relaxes;
};

/*
 * Between two looks at idle rings, the simulated core's polled runtime (ports/sim, sim_relax)
 * executes a pause and gives the CPU away every 4096 looks; with @relaxes the floor's remote
 * does the same, so that the two are compared with one idle habit.
 */
static void relax(void)
{
	static uint32_t looks;

#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if ((++looks & 4095u) == 0)
		sched_yield();
}

static void *remote_spin(void *arg)
{
	struct remote_spin *rs = arg;
	struct link *l = rs->l;

	tool_pin(0, 1);
	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		int ret = link_remote_step(l, false);

		if (ret < 0)
			break;
		if (ret == 0 && rs->relaxes)
			relax();
	}
	return NULL;
}

/* One trip over the link: send, then step the master until the echo is back. */
struct link_trip {
	struct link *l;
	uint8_t msg[LINK_RTT_MSG];
	uint64_t *t;
	size_t kept;
};

static int link_trip(void *ctx, long i)
{
	struct link_trip *k = ctx;
	uint32_t want = k->l->at_master.count + 1u;

	(void)i;
	if (link_master_tx(k->l, k->msg, LINK_RTT_MSG))
		return -EIO;
	while (k->l->at_master.count != want)
		if (link_master_step(k->l) < 0)
			return -EIO;
	return 0;
}

static void link_sample(void *ctx, uint64_t ns)
{
	struct link_trip *k = ctx;

	k->t[k->kept++] = ns;
}

struct bench_result link_rtt_run(const struct pairing *pr, size_t n, uint64_t *t)
{
	return link_rtt_run_relaxed(pr, false, n, t);
}

struct bench_result link_rtt_run_relaxed(const struct pairing *pr, bool relaxes, size_t n,
					 uint64_t *t)
{
	struct link_trip k = { .l = link_new(pr), .t = t };
	struct remote_spin rs = { k.l, relaxes };
	/* the first tenth warms up and is not kept */
	struct tool_rtt rt = { .n = n, .warmup = n / 10, .trip = link_trip, .sample = link_sample,
			       .ctx = &k, .sample_ctx = &k };
	pthread_t th;

	if (!k.l || link_up(k.l)) {
		fprintf(stderr, "%s: %s\n", pr->name, k.l ? k.l->error : "no memory");
		goto out;
	}
	memset(k.msg, 0x5A, sizeof(k.msg));
	k.l->remote_echo = true;
	k.l->peer_r.echo = true;
	pthread_create(&th, NULL, remote_spin, &rs);
	tool_pin(0, 0);
	if (tool_rtt_run(&rt))
		fprintf(stderr, "%s: stopped after %zu kept round trips: %s\n", pr->name, k.kept,
			k.l->error[0] ? k.l->error : link_peer_error(k.l) ? link_peer_error(k.l) : "?");
	__atomic_store_n(&k.l->stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
out:
	if (k.l)
		link_free(k.l);
	return bench_summarize(pr->name, t, k.kept == n ? n : 0);
}

/* The floor master's half of a round trip, in functions of their own for callgrind. */
static __attribute__((noinline)) int cost_floor_tx(struct link *l, const uint8_t *msg)
{
	int ret = link_master_tx(l, msg, LINK_RTT_MSG);

	BENCH_NO_TAIL_CALL(ret);
	return ret;
}

static __attribute__((noinline)) int cost_floor_rx(struct link *l)
{
	int ret = link_master_step(l);

	BENCH_NO_TAIL_CALL(ret);
	return ret;
}

int link_cost_run(size_t n)
{
	struct link *l = link_new(&link_rtt_floor);
	uint8_t msg[LINK_RTT_MSG];
	unsigned long extra = 0;
	int ret = -1;

	if (!l || link_up(l)) {
		fprintf(stderr, "%s: %s\n", link_rtt_floor.name, l ? l->error : "no memory");
		goto out;
	}
	memset(msg, 0x5A, sizeof(msg));
	l->remote_echo = true;
	l->peer_r.echo = true;
	for (size_t i = 0; i < n; i++) {
		uint32_t want = l->at_master.count + 1u;

		if (cost_floor_tx(l, msg))
			goto fail;
		for (int done = 0; !done;) /* the remote until it has echoed */
			if ((done = link_remote_step(l, false)) < 0)
				goto fail;
		for (;;) {
			if (cost_floor_rx(l) < 0)
				goto fail;
			if (l->at_master.count == want)
				break;
			extra++;
		}
	}
	if (extra)
		fprintf(stderr, "%s: %lu steps found no reply\n", link_rtt_floor.name, extra);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", link_rtt_floor.name,
		l->error[0] ? l->error : link_peer_error(l) ? link_peer_error(l) : "?");
out:
	if (l)
		link_free(l);
	return ret;
}
