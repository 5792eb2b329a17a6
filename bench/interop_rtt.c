/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * interop_rtt.c — mmamp-bench-interop: the polled 496-byte round trip between an mmamp role and
 * the "behaves like" peers of tests/interop (Linux, RPMsg-Lite, OpenAMP masters and remotes),
 * next to mmamp on both sides, all in one run on the same two CPUs: the master on CPU 0 sends
 * one message and spins until its echo is back, the remote on CPU 1 spins on its rings.
 *
 *   mmamp-bench-interop [-n SAMPLES] [--json]      (defaults: 20000 samples per case)
 *
 * Prints median, p99, p99.9 and max per case, each median's ratio to mmamp ↔ mmamp, and
 * mmamp ↔ mmamp's ratio to the protocol floor (last case: our two peers, which check next to
 * nothing, on the same layout with the same copies). The
 * peers are our models of those stacks' ring habits (docs/interop.md), not their code: the
 * figures say what mmamp costs against each kind of peer, not how fast the real stacks are.
 * A measurement, never a test: it fails only when a pairing does not work.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_stats.h"
#include "link.h"

#define MSG 496

static const struct pairing cases[] = {
	{ "mmamp host <-> mmamp full remote", MM_BOTH, PEER_LINUX, false, false },
	{ "Linux master <-> full remote", MM_FULL_REMOTE, PEER_LINUX, false, false },
	{ "Linux master <-> minimal remote", MM_MIN_REMOTE, PEER_LINUX, false, false },
	{ "RPMsg-Lite master <-> full remote", MM_FULL_REMOTE, PEER_RPMSG_LITE, false, true },
	{ "OpenAMP master <-> full remote", MM_FULL_REMOTE, PEER_OPENAMP, false, false },
	{ "OpenAMP master <-> minimal remote", MM_MIN_REMOTE, PEER_OPENAMP, false, false },
	{ "mmamp host <-> RPMsg-Lite remote", MM_HOST, PEER_RPMSG_LITE, false, true },
	{ "mmamp host <-> OpenAMP remote", MM_HOST, PEER_OPENAMP, false, false },
	/* the protocol floor: the same rings, layout and copies between two unchecked peers */
	{ "floor: OpenAMP-like <-> OpenAMP-like", MM_NONE, PEER_OPENAMP, false, false },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void *remote_spin(void *arg)
{
	struct link *l = arg;

	tool_pin(0, 1);
	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE))
		if (link_remote_step(l, false) < 0)
			break;
	return NULL;
}

/* One case: @n round trips, or 0 samples (and a reason on stderr) if the pairing fails. */
static struct bench_result run_case(const struct pairing *pr, size_t n, uint64_t *t)
{
	struct link *l = link_new(pr);
	uint8_t msg[MSG];
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
	tool_pin(0, 0);
	for (i = 0; i < n + n / 10; i++) { /* the first tenth warms up and is not kept */
		want = l->at_master.count + 1u;
		t0 = tool_now_ns();
		if (link_master_tx(l, msg, MSG))
			break;
		while (l->at_master.count != want)
			if (link_master_step(l) < 0)
				break;
		if (l->at_master.count != want)
			break;
		if (i >= n / 10)
			t[i - n / 10] = tool_now_ns() - t0;
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

int main(int argc, char **argv)
{
	struct bench_result res[N_CASES];
	bool json = false;
	size_t n = 20000;
	uint64_t *t;
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else {
			fprintf(stderr, "usage: %s [-n SAMPLES] [--json]\n", argv[0]);
			return 2;
		}
	}
	if (n < 10)
		n = 10;
	t = calloc(n, sizeof(*t));
	if (!t)
		return 1;
	for (size_t c = 0; c < N_CASES; c++) {
		res[c] = run_case(&cases[c], n, t);
		failed |= res[c].n == 0;
	}
	if (json) {
		printf("{\n  \"payload\": %d, \"samples\": %zu, \"mode\": \"polled\",\n  \"cases\": [\n",
		       MSG, n);
		for (size_t c = 0; c < N_CASES; c++)
			printf("    {\"name\": \"%s\", \"median_us\": %.2f, \"p99_us\": %.2f, "
			       "\"p999_us\": %.2f, \"max_us\": %.2f, \"vs_mmamp\": %.2f}%s\n",
			       cases[c].name, res[c].p50, res[c].p99, res[c].p999, res[c].max,
			       res[0].p50 > 0 ? res[c].p50 / res[0].p50 : 0, c + 1 < N_CASES ? "," : "");
		printf("  ]\n}\n");
	} else {
		printf("# polled round trip, %d-byte payload, %zu samples per case, CPUs 0 and 1\n",
		       MSG, n);
		printf("%-36s %10s %10s %10s %10s %9s\n", "case", "median_us", "p99_us", "p99.9_us",
		       "max_us", "vs_mmamp");
		for (size_t c = 0; c < N_CASES; c++)
			printf("%-36s %10.2f %10.2f %10.2f %10.2f %9.2f\n", cases[c].name, res[c].p50,
			       res[c].p99, res[c].p999, res[c].max,
			       res[0].p50 > 0 ? res[c].p50 / res[0].p50 : 0);
		printf("ratio mmamp <-> mmamp / protocol floor (goal <= 1.2): %.2f\n",
		       res[N_CASES - 1].p50 > 0 ? res[0].p50 / res[N_CASES - 1].p50 : 0);
	}
	free(t);
	return failed;
}
