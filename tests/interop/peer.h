/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer.h — "behaves like X" RPMsg peers for the interop matrix (test_interop.c): a master
 * (virtio driver) and a remote (virtio device) that reproduce, on the wire, what RPMsg-Lite,
 * OpenAMP and Linux do (docs/interop.md lists each behaviour and where it comes from). Their
 * ring code is written here, independently of src/core/vring.c, the way those stacks do it —
 * device side reading used.idx back from the ring, no validation beyond what they do — so that
 * mmamp is tested against the peer, not against itself. What a third-party stack would do
 * wrong because of something mmamp did (a buffer capacity of 0, a doorbell on a suppressed
 * ring, a descriptor outside the pool) is recorded in peer_error and fails the test.
 *
 * Shared window (NXP's layout, as RPMsg-Lite and OpenAMP use it on i.MX):
 *   +0x00000 vring0 (remote -> master)   +0x08000 vring1 (master -> remote)
 *   +0x10000 buffers: 256 master-RX, then 256 master-TX, 512 bytes each
 *   +0x50000 the live resource table (table modes), +0x50FF0 heartbeat, +0x50FF4 link epoch
 */
#ifndef INTEROP_PEER_H
#define INTEROP_PEER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "mmamp/virtio_ring.h"

#define W_NUM      256u
#define W_ALIGN    0x1000u
#define W_DA       0x90000000u
#define W_VRING0   0x00000u
#define W_VRING1   0x08000u
#define W_BUFS     0x10000u
#define W_TABLE    0x50000u
#define W_SIZE     0x51000u

/**
 * struct bell - a latched doorbell (an interrupt line with a pending bit), per direction.
 * One waiter (the side it rings), any number of ringers; @seen is the waiter's own.
 */
struct bell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int rung, sleepers;
	unsigned int seen;
	unsigned int by_id[4];
};

void bell_init(struct bell *b);
void bell_ring(struct bell *b, uint32_t id);
/* Wait until rung since the last wait/take, at most @timeout_ms. 0, or -1 on timeout. */
int bell_wait(struct bell *b, unsigned int timeout_ms);
/* Whether it rang since the last wait/take (and consume that). */
bool bell_take(struct bell *b);
unsigned int bell_count(struct bell *b, uint32_t id);

/** struct world - the shared window and the two doorbells between a master and a remote. */
struct world {
	uint8_t *mem;
	struct mmamp_shm shm;
	struct mmamp_rsc_table_rpmsg *table;
	uint32_t *beat; /* [0] heartbeat, [1] link epoch */
	struct bell to_master, to_remote;
};

struct world *world_new(uint32_t dfeatures);
void world_free(struct world *w);
static inline void *world_at(struct world *w, uint32_t off)
{
	return w->mem + off;
}

/** struct pring - one split vring as a third-party stack keeps it. */
struct pring {
	struct mmamp_vring_desc *desc;
	struct mmamp_vring_avail *avail;
	struct mmamp_vring_used *used;
	uint16_t num;
	uint16_t last_avail; /* device: next avail entry to take */
	uint16_t last_used;  /* driver: next used entry to reap */
	uint16_t avail_idx;  /* driver: our avail.idx */
	uint16_t kicked_at;
	bool event_idx;
};

enum peer_kind { PEER_LINUX, PEER_RPMSG_LITE, PEER_OPENAMP };

const char *peer_name(enum peer_kind k);

/** Received-message hook: @data is valid during the call. */
typedef void (*peer_rx_fn)(void *ctx, uint32_t src, uint32_t dst, const uint8_t *data,
			   uint32_t len);

/**
 * struct master - a master (virtio driver, buffer owner) that behaves like @kind:
 *   LINUX:      status 1, 3, 7 with gfeatures; zeroes both rings; 256 RX buffers on vring0; TX
 *               buffers from its own pool, reaped from vring1's used ring ignoring len; no TX
 *               interrupts (NO_INTERRUPT on vring1); kicks vring0 after DRIVER_OK.
 *   RPMSG_LITE: no resource table and no status (static layout); all TX buffers put on vring1's
 *               *used* ring at init (used.idx = 256) and taken from there; NO_INTERRUPT left set
 *               on its RX ring (vring0) until master_enable_rx_cb(); link-up = its first kick.
 *   OPENAMP:    reads the vring addresses from the table before DRIVER_OK (they must be
 *               fixed); writes status 4 directly; signals the vdev notify id instead of kicking
 *               vring0; ignores doorbells carrying the vdev notify id; reuses a returned TX
 *               buffer with capacity = its used.len (a capacity below header + payload is the
 *               out-of-bounds write OpenAMP would do: peer error).
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (LINUX, OPENAMP).
 */
struct master {
	enum peer_kind kind;
	bool event_idx;
	struct world *w;
	struct pring rx, tx;
	uint16_t tx_pool_next;      /* LINUX/OPENAMP: pool buffers never used yet */
	uint16_t tx_free[W_NUM];    /* LINUX: reaped buffers */
	uint16_t tx_free_count;
	bool rx_cb_on;
	unsigned int rx_off_rings; /* vring0 doorbells counted when RX callbacks went off */
	uint32_t addr;              /* our endpoint */
	peer_rx_fn on_rx;
	void *ctx;
	char ns_name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t ns_addr;
	unsigned int ns_count;
	unsigned int received, sent;
	char error[256];
};

void master_init(struct master *m, struct world *w, enum peer_kind kind, bool event_idx);
/* Bring the link up as @kind does. 0, or -1 with m->error set. */
int master_start(struct master *m);
/* Reap and deliver everything received; returns messages delivered, -1 on a peer error. */
int master_poll(struct master *m);
/* Send @len bytes from m->addr to @dst: 0, 1 when no TX buffer is free, -1 on a peer error. */
int master_send(struct master *m, uint32_t dst, const void *data, uint32_t len);
/* RPMsg-Lite: the application enables RX callbacks (clears NO_INTERRUPT on vring0). */
void master_enable_rx_cb(struct master *m);
/* Reset the device as @kind does (docs/interop.md): status 0 (OpenAMP also rings the vdev
 * notify id; Linux rings nothing); RPMsg-Lite has nothing to write — its restart is the next
 * master_start(), which re-initialises the rings. */
void master_stop(struct master *m);

/**
 * struct remote - a remote (virtio device) that behaves like @kind:
 *   RPMSG_LITE: static layout (no table), comes up at the master's first doorbell; reads
 *               used.idx back from the ring for every return; returns vring1 buffers with
 *               len = descriptor length; ignores the master's notification suppression (rings
 *               after every buffer); announces its endpoint right after link-up.
 *   OPENAMP:    follows the table's status (DRIVER_OK bit); same ring habits, but honours the
 *               master's suppression (flags, or EVENT_IDX when the master negotiated it).
 * It echoes everything it receives on its endpoint back to the sender when @echo is set.
 */
struct remote {
	enum peer_kind kind;
	struct world *w;
	struct pring tx, rx; /* vring0, vring1 */
	bool up, echo, event_idx;
	uint32_t addr;
	const char *name;
	peer_rx_fn on_rx;
	void *ctx;
	unsigned int received, sent;
	char error[256];
};

void remote_init(struct remote *r, struct world *w, enum peer_kind kind, const char *name,
		 uint32_t addr);
/* One look: link state (@rang: a doorbell came since the last look), announcements, everything
 * received. Returns messages handled, or -1 on a peer error. */
int remote_poll(struct remote *r, bool rang);
int remote_send(struct remote *r, uint32_t dst, const void *data, uint32_t len);
/* A restart of the remote's firmware: all ring state forgotten, waits for a link-up again. */
void remote_restart(struct remote *r);

#endif /* INTEROP_PEER_H */
