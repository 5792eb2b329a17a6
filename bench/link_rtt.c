/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_rtt.c — the polled round trip over one in-process link (link_rtt.h).
 */
#define _GNU_SOURCE
#include "link_rtt.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

const struct pairing link_rtt_floor = {
	"protocol floor (unchecked peers)", MM_NONE, PEER_OPENAMP, false, false
};

static void *remote_spin(void *arg)
{
	struct link *l = arg;

	bench_pin(1);
	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE))
		if (link_remote_step(l, false) < 0)
			break;
	return NULL;
}

struct bench_result link_rtt_run(const struct pairing *pr, size_t n, uint64_t *t)
{
	struct link *l = link_new(pr);
	uint8_t msg[LINK_RTT_MSG];
	uint32_t want;
	size_t i = 0;
	pthread_t th;
	uint64_t t0;

	if (!l || link_up(l)) {
		fprintf(stderr, "%s: %s\n", pr->name, l ? l->error : "no memory");
		goto out;
	}
	memset(msg, 0x5A, sizeof(msg));
	l->remote_echo = true;
	l->peer_r.echo = true;
	pthread_create(&th, NULL, remote_spin, l);
	bench_pin(0);
	for (i = 0; i < n + n / 10; i++) { /* the first tenth warms up and is not kept */
		want = l->at_master.count + 1u;
		t0 = bench_now_ns();
		if (link_master_tx(l, msg, LINK_RTT_MSG))
			break;
		while (l->at_master.count != want)
			if (link_master_step(l) < 0)
				break;
		if (l->at_master.count != want)
			break;
		if (i >= n / 10)
			t[i - n / 10] = bench_now_ns() - t0;
	}
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (i < n + n / 10) {
		fprintf(stderr, "%s: stopped after %zu round trips: %s\n", pr->name, i,
			l->error[0] ? l->error : link_peer_error(l) ? link_peer_error(l) : "?");
		i = n / 10;
	}
out:
	if (l)
		link_free(l);
	return bench_summarize(pr->name, t, i > n / 10 ? i - n / 10 : 0);
}
