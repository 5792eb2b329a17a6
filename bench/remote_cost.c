/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * remote_cost.c — mmamp-bench-remote-cost: N echoes of a 496-byte message through a remote
 * profile, paired in one process with a Linux-like master (tests/interop/peer.c), one message
 * and one remote poll at a time; the core is compiled here as firmware compiles it: remote-only
 * (MMAMP_CONFIG_HOST_ROLE=0), gcc -O2. Run under valgrind's callgrind by bench/remote_cost.sh, which
 * counts the instructions inside the remote's poll (delivery, the echo's copy and send, the
 * buffer's return) for two values of N: the difference over the difference in N is the
 * remote's cost per echo, with link-up and set-up cancelled out.
 *
 *   mmamp-bench-remote-cost full|min N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

int main(int argc, char **argv)
{
	/* a Linux-like master (tests/interop/peer.c): the mmamp core here is the remote only */
	static const struct pairing full = { "full", MM_FULL_REMOTE, PEER_LINUX, false, false };
	static const struct pairing min = { "min", MM_MIN_REMOTE, PEER_LINUX, false, false };
	const struct pairing *pr;
	struct link *l;
	uint8_t msg[MMAMP_RPMSG_MTU];
	unsigned long n;

	if (argc != 3 || (strcmp(argv[1], "full") && strcmp(argv[1], "min"))) {
		fprintf(stderr, "usage: %s full|min ECHOES\n", argv[0]);
		return 2;
	}
	pr = strcmp(argv[1], "full") ? &min : &full;
	n = strtoul(argv[2], NULL, 10);
	l = link_new(pr);
	if (!l || link_up(l)) {
		fprintf(stderr, "%s: %s\n", pr->name, l ? l->error : "no memory");
		return 1;
	}
	memset(msg, 0x5A, sizeof(msg));
	l->remote_echo = true;
	for (unsigned long i = 0; i < n; i++) {
		uint32_t want = l->at_master.count + 1u;

		if (link_master_tx(l, msg, sizeof(msg)) || link_remote_step(l, false) < 0 ||
		    link_master_step(l) < 0 || l->at_master.count != want) {
			fprintf(stderr, "%s: echo %lu failed: %s\n", pr->name, i, l->error);
			return 1;
		}
	}
	link_free(l);
	return 0;
}
