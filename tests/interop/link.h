/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link.h — one link between an mmamp role and a "behaves like" peer of peer.h (or mmamp on both
 * sides, the baseline), driven either in lockstep (link_settle: both sides in one thread, until
 * neither has work) or side by side on two threads (link_remote_step / link_master_step). Used
 * by the interop matrix (test_interop.c) and the interop benchmark (bench/interop_rtt.c).
 */
#ifndef INTEROP_LINK_H
#define INTEROP_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mmamp/rpmsg.h"
#include "mmamp/rpmsg_min.h"
#include "peer.h"
#include "mmamp/remote/runtime.h"

#define ECHO_ADDR     30u
#define ECHO_NAME     "rpmsg-interop-echo"
#define HOST_ADDR     1024u
#define STALL_MS      5000u  /* a side with work in flight that hears nothing this long: lost */

/**
 * enum mm_role - the mmamp side of a pairing.
 * @MM_FULL_REMOTE: the full remote (mmamp/rpmsg.h) against a peer master.
 * @MM_MIN_REMOTE:  the minimal remote (mmamp/rpmsg_min.h) against a peer master.
 * @MM_HOST:        the host role against a peer remote.
 * @MM_BOTH:        the host role against the full remote: mmamp on both sides (baseline).
 * @MM_BOTH_MIN:    the host role against the minimal remote.
 * @MM_RUNTIME_REMOTE: the full remote inside the firmware runtime (src/remote/remote.c, polled
 *                  mode), against a peer master: the doorbell-to-link-up path of a firmware.
 * @MM_NONE:        no mmamp at all: a peer master against a peer remote (the protocol floor of
 *                  bench/interop_rtt.c — the same layout and copies, next to no checks).
 */
enum mm_role {
	MM_FULL_REMOTE, MM_MIN_REMOTE, MM_HOST, MM_BOTH, MM_BOTH_MIN, MM_RUNTIME_REMOTE, MM_NONE
};

/** struct pairing - which mmamp role meets which peer, and how. */
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

/** struct link - the world, the peer, the mmamp sides, and what each side received. */
struct link {
	const struct pairing *pr;
	struct world *w;
	struct master peer_m;
	struct remote peer_r;
	/* mmamp remote (full): @rd is @rdev, or the runtime's device */
	struct mmamp_rpmsg_dev *rd;
	struct mmamp_rpmsg_dev rdev;
	struct mmamp_remote rt;
	bool rt_rang;
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
	/* what arrived, and who echoes */
	struct got at_master, at_remote;
	bool master_echo, remote_echo;
	/* a stream's bookkeeping (test_interop.c) */
	uint32_t burst_next_expected, burst_errors;
	unsigned int lost_doorbells, echo_errors;
	volatile int stop;
	char error[256];
};

/* The mmamp host drives the master side / an mmamp remote the remote side. */
bool link_mm_master(const struct link *l);
bool link_mm_remote(const struct link *l);

struct link *link_new(const struct pairing *pr);
void link_free(struct link *l);
/* Bring the link up and check the announcement (name, address): 0, or -1 with l->error. */
int link_up(struct link *l);
/* Lockstep until neither side has work: 0, or -1 with l->error. */
int link_settle(struct link *l);
/* One look by the remote side (@rang: a doorbell came): > 0 if it did something, -1 on error. */
int link_remote_step(struct link *l, bool rang);
bool link_remote_has_work(struct link *l);
/* One look by the master side: > 0 if it did something, -1 on error. */
int link_master_step(struct link *l);
/* Send to the other side's endpoint: 0, 1 (no buffer now), -1 (error). */
int link_master_tx(struct link *l, const void *data, uint32_t len);
int link_remote_tx(struct link *l, const void *data, uint32_t len);
/* What a peer reported against mmamp, or NULL. */
const char *link_peer_error(const struct link *l);

#endif /* INTEROP_LINK_H */
