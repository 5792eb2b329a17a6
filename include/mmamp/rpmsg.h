/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/rpmsg.h — RPMsg over a pair of virtqueues, wire-compatible with Linux virtio_rpmsg_bus,
 * in both roles:
 *
 *   host   (virtio driver, Linux's role):  owns the buffer pool; vring0 = RX, vring1 = TX
 *   remote (virtio device, the M4's role): owns no buffers;      vring0 = TX, vring1 = RX
 *
 *            host                                   remote
 *   rx_pool[i] ──posts (WRITE, 512 B)──► vring0 ──fills hdr+payload──► used ──► host RX
 *   tx_pool[i] ──fills hdr+payload────► vring1 ──reads, returns──────► used ──► host TX free
 *
 * Each message is one 512-byte buffer: a 16-byte struct mmamp_rpmsg_hdr and up to 496 bytes of
 * payload. Address 53 is the name service (40-byte struct mmamp_rpmsg_ns_msg); addresses from
 * 1024 up are handed out dynamically. See docs/protocol.md §3.
 *
 * Every message the peer sends is validated: header length against the buffer, destination
 * against our endpoints (unknown ⇒ dropped and counted in stats), name-service payload size.
 * A ring violation breaks the device (every call then returns -MMAMP_EIO, see mmamp/vring.h).
 *
 * Concurrency: one struct mmamp_rpmsg_dev is driven from one context at a time; the caller
 * serialises (a mutex on the host, the main loop on bare metal — the ISR only flags work).
 */
#ifndef MMAMP_RPMSG_H
#define MMAMP_RPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmamp/rsc_table.h"
#include "mmamp/shm.h"
#include "mmamp/vring.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_RPMSG_BUF_SIZE      512u
#define MMAMP_RPMSG_HDR_SIZE      16u
#define MMAMP_RPMSG_MTU           (MMAMP_RPMSG_BUF_SIZE - MMAMP_RPMSG_HDR_SIZE) /* 496 */
#define MMAMP_RPMSG_MAX_BUFS      512u  /* both directions together, as Linux */
#define MMAMP_RPMSG_ADDR_ANY      0xFFFFFFFFu
#define MMAMP_RPMSG_NS_ADDR       53u
#define MMAMP_RPMSG_RESERVED_ADDRESSES 1024u
#define MMAMP_RPMSG_NAME_SIZE     32u
#define MMAMP_RPMSG_NS_CREATE     0u
#define MMAMP_RPMSG_NS_DESTROY    1u

/** Returned by an endpoint callback to keep the RX buffer (release it with mmamp_rpmsg_release_rx()). */
#define MMAMP_RPMSG_HOLD 1

/** struct mmamp_rpmsg_hdr - the 16-byte header in front of every payload (little-endian). */
struct mmamp_rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved; /* 0 on the wire; used locally to remember a held buffer's descriptor */
	uint16_t len;
	uint16_t flags;
};

/** struct mmamp_rpmsg_ns_msg - name-service announcement, the payload of a message to 53. */
struct mmamp_rpmsg_ns_msg {
	char name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags;
};

MMAMP_STATIC_ASSERT(sizeof(struct mmamp_rpmsg_hdr) == 16, "rpmsg header is 16 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_rpmsg_ns_msg) == 40, "ns message is 40 bytes");

struct mmamp_rpmsg_dev;
struct mmamp_rpmsg_static_link;
struct mmamp_rpmsg_ept;

/**
 * typedef mmamp_rpmsg_cb - an endpoint received @len bytes at @data from @src.
 * @data is valid until the callback returns, unless it returns MMAMP_RPMSG_HOLD: then the buffer
 * is kept until mmamp_rpmsg_release_rx(). Return 0 otherwise.
 */
typedef int (*mmamp_rpmsg_cb)(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
			      void *priv);

/**
 * struct mmamp_rpmsg_ops - what the port provides.
 * @notify:    ring the doorbell for vring @notifyid (required).
 * @wait:      block until the peer notifies us or @timeout_us passes; return 0 when woken,
 *             -MMAMP_ETIMEDOUT on timeout (optional: without it, blocking sends fail -ENOBUFS).
 * @now_us:    a monotonic microsecond clock (optional: makes blocking-send timeouts exact
 *             across spurious wake-ups; without it each wait gets the full timeout).
 * @ns_bind:   the peer announced (or, with @flags DESTROY, withdrew) service @name at @addr
 *             (optional; called from mmamp_rpmsg_poll() context).
 */
struct mmamp_rpmsg_ops {
	int (*notify)(void *ctx, uint32_t notifyid);
	int (*wait)(void *ctx, uint32_t timeout_us);
	uint64_t (*now_us)(void *ctx);
	void (*ns_bind)(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
			uint32_t flags, void *ctx);
};

/**
 * struct mmamp_rpmsg_ept - an endpoint: a local address bound to a callback.
 * @name:      service name (announced by the remote role when the link comes up; "" = none).
 * @addr:      local address.
 * @dest_addr: default destination; MMAMP_RPMSG_ADDR_ANY until known. A remote endpoint with ANY
 *             learns it from the first message it receives (Linux never tells it otherwise).
 */
struct mmamp_rpmsg_ept {
	struct mmamp_rpmsg_ept *next;
	struct mmamp_rpmsg_dev *rdev;
	mmamp_rpmsg_cb cb;
	void *priv;
	uint32_t addr;
	uint32_t dest_addr;
	char name[MMAMP_RPMSG_NAME_SIZE];
	uint8_t dest_learned;
	uint8_t announced;
};

/**
 * struct mmamp_rpmsg_stats - counters; nothing the peer sends disappears without one moving.
 * @rx:           messages delivered to an endpoint.
 * @tx:           messages sent.
 * @rx_no_ept:    dropped: no endpoint at the destination address.
 * @rx_malformed: dropped: header length inconsistent with the buffer, bad NS message, or a
 *                buffer the host posted unusable for TX (read-only, shorter than a header).
 * @tx_no_buf:    non-blocking sends refused with -MMAMP_ENOBUFS.
 */
struct mmamp_rpmsg_stats {
	uint32_t rx;
	uint32_t tx;
	uint32_t rx_no_ept;
	uint32_t rx_malformed;
	uint32_t tx_no_buf;
};

/**
 * struct mmamp_rpmsg_dev - one RPMsg virtio device (one vdev, two vrings). Private fields.
 * @rvq, @svq:  our receive and send queues (host: vring0/vring1; remote: vring1/vring0).
 */
struct mmamp_rpmsg_dev {
	struct mmamp_vq rvq;
	struct mmamp_vq svq;
	struct mmamp_shm shm;
	const struct mmamp_rpmsg_ops *ops;
	void *ctx;
	struct mmamp_rpmsg_ept *epts;
	struct mmamp_rpmsg_stats stats;
	uint32_t rvq_notifyid;
	uint32_t svq_notifyid;
	uint32_t next_dyn_addr;
	uint32_t *link_epoch; /* remote role, optional (mmamp_rpmsg_remote_config) */
	uint8_t is_host;
	uint8_t link_up;
	uint8_t ns;
	/* host role */
	uint8_t *rx_pool;
	uint8_t *tx_pool;
	uint16_t *tx_free;
	uint16_t tx_free_count;
	uint16_t nbufs;
	/* remote role */
	struct mmamp_fw_rsc_vdev *vdev;
	const struct mmamp_rpmsg_static_link *layout;
	uint8_t kicked; /* static link: a doorbell came since the last poll looked */
	uint8_t announce_pending; /* a named endpoint may still be unannounced */
	struct mmamp_rpmsg_hdr *tx_spare; /* reserved-but-unsent TX buffers (linked in place) */
	uint32_t link_error_value;
	uint8_t link_error;
};

/**
 * struct mmamp_rpmsg_host_config - everything the host role needs (all memory caller-owned).
 * @shm:       the shared window; rings and @buffers must lie inside it.
 * @vring:     vring0 and vring1 (mmamp_vring_size(@num, @align) bytes each, 16-byte aligned).
 * @num, @align: ring geometry, as in the resource table.
 * @notifyid:  the doorbell ids of vring0 and vring1.
 * @buffers:   2 · min(@num, 256) · 512 bytes: RX buffers first, then TX (Linux's layout).
 * @rx_state, @tx_state: @num descriptor shadows each.
 * @tx_free:   min(@num, 256) u16s.
 * @features:  negotiated features (bit MMAMP_VIRTIO_RPMSG_F_NS, bit MMAMP_VIRTIO_RING_F_EVENT_IDX).
 */
struct mmamp_rpmsg_host_config {
	const struct mmamp_shm *shm;
	void *vring[2];
	uint32_t num;
	uint32_t align;
	uint32_t notifyid[2];
	void *buffers;
	struct mmamp_vq_desc_state *rx_state;
	struct mmamp_vq_desc_state *tx_state;
	uint16_t *tx_free;
	uint32_t features;
	const struct mmamp_rpmsg_ops *ops;
	void *ctx;
};

/** mmamp_rpmsg_host_nbufs() - buffers per direction for ring size @num (Linux's rule). */
static inline uint32_t mmamp_rpmsg_host_nbufs(uint32_t num)
{
	return num < MMAMP_RPMSG_MAX_BUFS / 2 ? num : MMAMP_RPMSG_MAX_BUFS / 2;
}

/**
 * mmamp_rpmsg_init_host() - zero both rings, post every RX buffer on vring0, and silence TX
 * completions on vring1 — Linux's rpmsg_probe. The link is up on return; the caller then sets
 * DRIVER_OK in the live table and calls mmamp_rpmsg_host_kick() (the remote's "link up").
 */
int mmamp_rpmsg_init_host(struct mmamp_rpmsg_dev *rdev, const struct mmamp_rpmsg_host_config *cfg);

/** mmamp_rpmsg_host_kick() - notify vring0 if the remote wants it (after DRIVER_OK is set). */
int mmamp_rpmsg_host_kick(struct mmamp_rpmsg_dev *rdev);

/**
 * struct mmamp_rpmsg_static_link - a link with no resource table and no status handshake, its
 * layout fixed at build time on both sides (RPMsg-Lite's model, for MCU-to-MCU parts such as
 * dual-core i.MX RT or LPC55S69; docs/protocol.md §5).
 * @vring_da: device addresses of vring0 (remote → master) and vring1 (master → remote).
 *            RPMsg-Lite's default: the shared base and base + 0x8000.
 * @num, @align: their geometry (RPMsg-Lite on i.MX: 256 descriptors, align 0x1000).
 * @notifyid: the ids our doorbells carry for vring0 and vring1 (RPMsg-Lite: 0 and 1).
 * @features: what both sides assume negotiated: MMAMP_VIRTIO_RPMSG_F_NS (RPMsg-Lite announces
 *            through the name service), never EVENT_IDX with RPMsg-Lite.
 *
 * Remote role: the link comes up at the first doorbell after mmamp_rpmsg_kicked() (the master
 * initialises the rings, then rings), and a master that restarted — re-initialised the rings —
 * is seen at the next poll (a used index we did not write): link down, and up again at once.
 * Master role: mmamp_rpmsg_init_host() + mmamp_rpmsg_host_kick() is already the whole static
 * link-up; a remote that restarted announces its channels again (docs/protocol.md §5).
 */
struct mmamp_rpmsg_static_link {
	uint32_t vring_da[2];
	uint32_t num;
	uint32_t align;
	uint32_t notifyid[2];
	uint32_t features;
};

/**
 * struct mmamp_rpmsg_remote_config - the remote role.
 * @shm:  the shared window the host's rings and buffers must lie in.
 * @vdev: the RPMsg vdev entry of the *live* resource table (where the host writes status,
 *        gfeatures and vring da/notifyid); every field the host writes is validated.
 * @layout: instead of @vdev (exactly one of the two): a static link (no table, no status).
 * @link_epoch: optional shared word (mmamp: MMAMP_LINK_EPOCH_OFFSET in the live table's
 *        region) counted up, with release order, on every link change: odd from the moment
 *        ring state exists (before any announcement is sent), even once it is dropped. A host
 *        attaching to a running core waits for it to be even before it sets the vdev up.
 */
struct mmamp_rpmsg_remote_config {
	const struct mmamp_shm *shm;
	struct mmamp_fw_rsc_vdev *vdev;
	const struct mmamp_rpmsg_static_link *layout;
	const struct mmamp_rpmsg_ops *ops;
	void *ctx;
	uint32_t *link_epoch;
};

/**
 * mmamp_rpmsg_init_remote() - prepare the remote role; the link comes up in mmamp_rpmsg_poll().
 * Returns 0, or -MMAMP_EINVAL (a missing op, neither or both of @vdev and @layout, a static
 * layout whose geometry is unusable or whose rings are not inside @shm), or -MMAMP_EOPNOTSUPP
 * (a @layout in a core built with MMAMP_CONFIG_STATIC_LINK 0, mmamp/config.h).
 */
int mmamp_rpmsg_init_remote(struct mmamp_rpmsg_dev *rdev,
			    const struct mmamp_rpmsg_remote_config *cfg);

/**
 * mmamp_rpmsg_kicked() - the peer rang our doorbell (any notifyid). Call it from the main loop
 * before mmamp_rpmsg_poll() (not from the ISR); only a static link needs it — its link-up is the
 * master's first doorbell. Harmless otherwise.
 */
void mmamp_rpmsg_kicked(struct mmamp_rpmsg_dev *rdev);

/* mmamp_rpmsg_poll() link events (positive returns) */
#define MMAMP_RPMSG_LINK_UP   1
#define MMAMP_RPMSG_LINK_DOWN 2

/**
 * mmamp_rpmsg_poll() - do all pending work: (remote) follow the vdev status — bring the link up
 * when DRIVER_OK appears, take it down when status returns to 0 — then deliver received messages:
 * (remote) those the host had made available when the poll read vring1's avail.idx; one posted
 * later brings its own doorbell (and mmamp_rpmsg_work_pending() sees it), with EVENT_IDX the
 * poll looks again until nothing is new.
 * Returns a MMAMP_RPMSG_LINK_* event, 0, or a negative error (-MMAMP_EIO: broken;
 * -MMAMP_EPROTO: the host published an unusable ring configuration, see mmamp_rpmsg_fault()).
 */
int mmamp_rpmsg_poll(struct mmamp_rpmsg_dev *rdev);

/** mmamp_rpmsg_is_up() - whether messages can flow. */
static inline bool mmamp_rpmsg_is_up(const struct mmamp_rpmsg_dev *rdev)
{
	return rdev->link_up;
}

/**
 * mmamp_rpmsg_host_ready() - remote on a resource table: whether the host has the device up
 * *now* (DRIVER_OK in the live vdev status, read from shared memory). Unlike mmamp_rpmsg_is_up(),
 * which is what the last poll saw, it notices a reset (status 0, which comes without a doorbell)
 * from inside an endpoint callback: a send that waits for TX buffers stops retrying once the host
 * is gone. A static link has no status word: use mmamp_rpmsg_is_up() there.
 */
static inline bool mmamp_rpmsg_host_ready(const struct mmamp_rpmsg_dev *rdev)
{
	return (__atomic_load_n(&rdev->vdev->status, __ATOMIC_ACQUIRE) &
		MMAMP_VIRTIO_STATUS_DRIVER_OK) != 0;
}

/**
 * mmamp_rpmsg_work_pending() - whether mmamp_rpmsg_poll() has something to do: a message
 * waiting, or (remote) a vdev status change. A port calls it before it sleeps until the next
 * doorbell; safe in every link state.
 */
bool mmamp_rpmsg_work_pending(const struct mmamp_rpmsg_dev *rdev);

/**
 * mmamp_rpmsg_tx_in_flight() - host: messages from local address @src that the remote has not
 * handed back (TX descriptors still outstanding after taking back every returned one): not
 * consumed, or still in the remote's hands. Counts from the host's own descriptor shadows and
 * each outstanding buffer's header. 0 on the remote side.
 */
uint32_t mmamp_rpmsg_tx_in_flight(struct mmamp_rpmsg_dev *rdev, uint32_t src);

/**
 * mmamp_rpmsg_rx_notify() - whether the peer should ring us when it has sent something (on,
 * the default) or not (off: we poll — the ring's notification-suppression flag, so a polled
 * side costs the other no doorbell per message). Either role; valid until the next link-up
 * (remote) or init (host), which start with "on". Returns 0 or -MMAMP_EINVAL.
 */
int mmamp_rpmsg_rx_notify(struct mmamp_rpmsg_dev *rdev, bool on);

/** mmamp_rpmsg_fault() - why the device stopped (-MMAMP_EIO / -MMAMP_EPROTO with @d), or 0. */
int mmamp_rpmsg_fault(const struct mmamp_rpmsg_dev *rdev, struct mmamp_diag *d);

/**
 * mmamp_rpmsg_ept_init() - bind @ept at @addr (MMAMP_RPMSG_ADDR_ANY: the next free dynamic
 * address ≥ 1024) with default destination @dest. A named endpoint is announced to the host
 * by the remote role as soon as the link is up. Returns 0, -MMAMP_EADDRINUSE, -MMAMP_EINVAL.
 */
int mmamp_rpmsg_ept_init(struct mmamp_rpmsg_ept *ept, struct mmamp_rpmsg_dev *rdev,
			 const char *name, uint32_t addr, uint32_t dest, mmamp_rpmsg_cb cb,
			 void *priv);

/** mmamp_rpmsg_ept_destroy() - unbind (announcing DESTROY if it was announced). */
void mmamp_rpmsg_ept_destroy(struct mmamp_rpmsg_ept *ept);

/** mmamp_rpmsg_announce() - send a name-service message for @ept (@flags CREATE/DESTROY). */
int mmamp_rpmsg_announce(struct mmamp_rpmsg_ept *ept, uint32_t flags);

/**
 * mmamp_rpmsg_sendto() - copy @len bytes to @dst from @ept. Non-blocking: -MMAMP_ENOBUFS when no
 * buffer is free. -MMAMP_EMSGSIZE above 496 bytes, -MMAMP_ENOTCONN while the link is down,
 * -MMAMP_EIO when broken.
 */
int mmamp_rpmsg_sendto(struct mmamp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len);

/** mmamp_rpmsg_send() - mmamp_rpmsg_sendto() the endpoint's destination (-MMAMP_ENOTCONN if unknown). */
int mmamp_rpmsg_send(struct mmamp_rpmsg_ept *ept, const void *data, size_t len);

/**
 * mmamp_rpmsg_sendto_timeout() - as mmamp_rpmsg_sendto(), waiting up to @timeout_us for a free
 * buffer through ops->wait; -MMAMP_ETIMEDOUT when none came.
 */
int mmamp_rpmsg_sendto_timeout(struct mmamp_rpmsg_ept *ept, uint32_t dst, const void *data,
			       size_t len, uint32_t timeout_us);

/**
 * mmamp_rpmsg_get_tx_buffer() - zero-copy: reserve a TX buffer; returns its payload area
 * (*@size = 496) or NULL with *@err set (-MMAMP_ENOBUFS, -MMAMP_ETIMEDOUT, …) after waiting up to
 * @timeout_us (0: don't wait). Hand it back with mmamp_rpmsg_send_nocopy() or
 * mmamp_rpmsg_release_tx_buffer().
 */
void *mmamp_rpmsg_get_tx_buffer(struct mmamp_rpmsg_ept *ept, uint32_t *size, uint32_t timeout_us,
				int *err);

/** mmamp_rpmsg_send_nocopy() - send a buffer from mmamp_rpmsg_get_tx_buffer() with @len bytes. */
int mmamp_rpmsg_send_nocopy(struct mmamp_rpmsg_ept *ept, uint32_t dst, void *data, size_t len);

/** mmamp_rpmsg_release_tx_buffer() - give back a reserved TX buffer without sending it. */
int mmamp_rpmsg_release_tx_buffer(struct mmamp_rpmsg_dev *rdev, void *data);

/** mmamp_rpmsg_release_rx() - return an RX buffer an endpoint callback held. */
int mmamp_rpmsg_release_rx(struct mmamp_rpmsg_dev *rdev, void *data);

/** mmamp_rpmsg_stats() - the device's counters. */
static inline const struct mmamp_rpmsg_stats *mmamp_rpmsg_stats(const struct mmamp_rpmsg_dev *rdev)
{
	return &rdev->stats;
}

MMAMP_END_DECLS

#endif /* MMAMP_RPMSG_H */
