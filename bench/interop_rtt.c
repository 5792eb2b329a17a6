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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_rtt.h"

#define MSG LINK_RTT_MSG

static const struct pairing cases[] = {
	{ "mmamp host <-> mmamp full remote", MM_BOTH, PEER_LINUX, false, false },
	{ "Linux master <-> full remote", MM_FULL_REMOTE, PEER_LINUX, false, false },
	{ "Linux master <-> minimal remote", MM_MIN_REMOTE, PEER_LINUX, false, false },
	{ "RPMsg-Lite master <-> full remote", MM_FULL_REMOTE, PEER_RPMSG_LITE, false, true },
	{ "OpenAMP master <-> full remote", MM_FULL_REMOTE, PEER_OPENAMP, false, false },
	{ "OpenAMP master <-> minimal remote", MM_MIN_REMOTE, PEER_OPENAMP, false, false },
	{ "mmamp host <-> RPMsg-Lite remote", MM_HOST, PEER_RPMSG_LITE, false, true },
	{ "mmamp host <-> OpenAMP remote", MM_HOST, PEER_OPENAMP, false, false },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]) + 1) /* and the protocol floor, last */

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
		res[c] = link_rtt_run(c + 1 < N_CASES ? &cases[c] : &link_rtt_floor, n, t);
		failed |= res[c].n == 0;
	}
	if (json) {
		printf("{\n  \"payload\": %d, \"samples\": %zu, \"mode\": \"polled\",\n  \"cases\": [\n",
		       MSG, n);
		for (size_t c = 0; c < N_CASES; c++)
			printf("    {\"name\": \"%s\", \"median_us\": %.2f, \"p99_us\": %.2f, "
			       "\"p999_us\": %.2f, \"max_us\": %.2f, \"vs_mmamp\": %.2f}%s\n",
			       res[c].name, res[c].p50, res[c].p99, res[c].p999, res[c].max,
			       res[0].p50 > 0 ? res[c].p50 / res[0].p50 : 0, c + 1 < N_CASES ? "," : "");
		printf("  ]\n}\n");
	} else {
		printf("# polled round trip, %d-byte payload, %zu samples per case, CPUs 0 and 1\n",
		       MSG, n);
		printf("%-36s %10s %10s %10s %10s %9s\n", "case", "median_us", "p99_us", "p99.9_us",
		       "max_us", "vs_mmamp");
		for (size_t c = 0; c < N_CASES; c++)
			printf("%-36s %10.2f %10.2f %10.2f %10.2f %9.2f\n", res[c].name, res[c].p50,
			       res[c].p99, res[c].p999, res[c].max,
			       res[0].p50 > 0 ? res[c].p50 / res[0].p50 : 0);
		printf("ratio mmamp <-> mmamp / protocol floor (goal <= 1.2): %.2f\n",
		       res[N_CASES - 1].p50 > 0 ? res[0].p50 / res[N_CASES - 1].p50 : 0);
	}
	free(t);
	return failed;
}
