/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_min.h — the minimal remote profile: an RPMsg *remote* device (the M4's side of Linux's
 * virtio_rpmsg_bus) for firmware that counts bytes, in one small file (src/core/rpmsg_min.c).
 *
 * Same wire protocol as mmamp/rpmsg.h (docs/protocol.md): the firmware's resource table with one
 * RPMsg vdev, the DRIVER_OK handshake, vring 0 = remote → host (the host's RX buffers), vring 1 =
 * host → remote, 512-byte buffers with the 16-byte header, name-service announcements to 53,
 * heartbeat and link epoch (MMAMP_HEARTBEAT_OFFSET / MMAMP_LINK_EPOCH_OFFSET). Linux, the mmamp
 * host and NXP's imx_rpmsg drivers see no difference. What it leaves out, against the full
 * remote (mmamp/rpmsg.h + mmamp/remote/runtime.h):
 *
 *   full remote                               minimal profile
 *   ----------------------------------------  -------------------------------------------------
 *   walks and validates the live table        the live table is the firmware's own layout
 *                                             (struct mmamp_rsc_table_rpmsg at a fixed address);
 *                                             only the host-written fields are read, and checked
 *   any vring num/align in the table          MMAMP_MIN_VRING_NUM / _ALIGN, fixed at build time
 *                                             (the firmware's table says the same; a host that
 *                                             rewrote them is refused)
 *   endpoints created at run time, dynamic    a const array of endpoints with fixed addresses
 *   addresses, NS bind from the host
 *   blocking send with timeout, held RX       non-blocking: no TX buffer → -MMAMP_EAGAIN; an RX
 *   buffers, event-idx, diag strings          callback that returns -MMAMP_EAGAIN leaves its
 *                                             message in the ring and gets it again at the next
 *                                             poll (back-pressure, nothing dropped)
 *   ops table (notify/wait/take/relax/clock)  one function pointer: notify
 *
 * What it does not leave out: every value the host wrote is validated before use — vring
 * addresses and geometry at DRIVER_OK, avail index distance, head index, descriptor address
 * (64-bit) and length against the shared window, message header length against the buffer, TX
 * buffer size — each read once from shared memory. A host that breaks a ring makes the device go
 * quiet with a fault code (mmamp_min_fault()) until it resets the device (status 0, as Linux
 * does on stop/recovery); nothing is written outside the window, no message is half-delivered.
 *
 *   host                         shared window                         this device
 *   ----                         -------------                         -----------
 *   status 0→1→3→7 ───────────►  live table (vdev, vrings da) ◄────── poll: DRIVER_OK? → link up:
 *                                                                      check vrings, epoch odd,
 *                                                                      announce endpoints (NS)
 *   send: buf → vring1.avail ─►  [hdr|payload] ───────────────────────► rx: ept by dst → callback
 *   RX buf ◄── vring0.used  ◄──  [hdr|payload] ◄─────────────────────── tx_get/tx_send (vring0.avail)
 *   status 0 (stop/reset) ───►                                         link down: epoch even
 *
 * Context: single-threaded. Call mmamp_min_poll() from the main loop whenever the doorbell
 * interrupt fired and at a periodic tick (the host writes status 0 without a doorbell);
 * callbacks run inside it and may send. Nothing here runs at interrupt level.
 */
#ifndef MMAMP_RPMSG_MIN_H
#define MMAMP_RPMSG_MIN_H

#include <stdint.h>

#include "mmamp/config.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "mmamp/virtio_ring.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/*
 * Build-time configuration (defaults in parentheses; each must equal the firmware's resource
 * table, which the host reads — a host following the table always agrees):
 *   MMAMP_MIN_VRING_NUM    (256)    descriptors per vring, a power of two
 *   MMAMP_MIN_VRING_ALIGN  (0x1000) used-ring alignment (NXP/RPMsg-Lite 0x1000, OpenAMP 16)
 *   MMAMP_MIN_COPY         (memmove) the copy of mmamp_min_send(); a port may give a block copy
 *                          (it must stay inside [dst, dst + n) for overlapping buffers too)
 *   MMAMP_MIN_STATIC_LINK  (0)      1: a static link (RPMsg-Lite's model, no resource table and
 *                          no status byte; docs/protocol.md §5): the rings are at
 *   MMAMP_MIN_VRING0_DA,   (none)   these device addresses (required with a static link), the
 *   MMAMP_MIN_VRING1_DA             doorbell ids are 0 and 1, the name service is always on, the
 *                          link comes up at the first doorbell after mmamp_min_kicked(), and a
 *                          master that re-initialised the rings is followed (down, then up)
 */
MMAMP_STATIC_ASSERT((MMAMP_MIN_VRING_NUM & (MMAMP_MIN_VRING_NUM - 1u)) == 0 &&
	       MMAMP_MIN_VRING_NUM <= 32768u, "MMAMP_MIN_VRING_NUM: a power of two <= 32768");

/** Why the device went quiet (mmamp_min_fault()); cleared when the host resets the device. */
enum mmamp_min_fault {
	MMAMP_MIN_OK = 0,
	MMAMP_MIN_BAD_VRING,     /* at DRIVER_OK: a vring's num/align differ from ours, or its da
				    is unaligned or does not fit in the window (value: the da) */
	MMAMP_MIN_BAD_AVAIL_IDX, /* avail.idx ran more than num ahead of what we took */
	MMAMP_MIN_BAD_HEAD,      /* an avail entry names a descriptor >= num */
	MMAMP_MIN_BAD_DESC,      /* a descriptor's address/length leave the shared window, its
				    address is above 4 GiB or not 4-byte aligned */
	MMAMP_MIN_BAD_TX_LEN,    /* a host RX buffer shorter than MMAMP_RPMSG_BUF_SIZE */
};

struct mmamp_min_dev;
struct mmamp_min_ept;

/**
 * typedef mmamp_min_rx_fn - a message for @ept.
 * @data, @len: the payload, in the host's buffer (zero-copy): valid until the callback returns.
 *              @len <= MMAMP_RPMSG_MTU, checked against the buffer.
 * @src:        the sender's address (reply to it).
 * Return: 0 when done with the message, or -MMAMP_EAGAIN to leave it in the ring and get it
 * again at a later poll (e.g. no TX buffer for the reply yet). Any other value counts as 0.
 */
typedef int (*mmamp_min_rx_fn)(struct mmamp_min_dev *d, const struct mmamp_min_ept *ept,
			       void *data, uint32_t len, uint32_t src);

/**
 * struct mmamp_min_ept - one endpoint, in a const array given to mmamp_min_init().
 * @name: announced to the host at link up when not NULL (at most 31 characters).
 * @addr: its fixed local address (below 1024: the reserved range, never handed out dynamically).
 * @rx:   its callback.
 */
struct mmamp_min_ept {
	const char *name;
	uint32_t addr;
	mmamp_min_rx_fn rx;
};

/**
 * struct mmamp_min_config - what mmamp_min_init() needs.
 * @table:     the *live* resource table (i.MX: 0x900FF000), the firmware's own layout; unused
 *             (NULL) with MMAMP_MIN_STATIC_LINK.
 * @window:    local address of the shared window (on the M4 the same as @window_da).
 * @window_da, @window_size: the window every vring and buffer must lie in.
 * @beat:      two words: the heartbeat, counted up every poll, and the link epoch (mmamp puts
 *             them at MMAMP_HEARTBEAT_OFFSET of the live table's region; the host's watchdog and
 *             attach read them). Required.
 * @epts, @n_epts: the endpoints.
 * @notify:    ring the host for the vring with this notifyid (the port's doorbell).
 */
struct mmamp_min_config {
	struct mmamp_rsc_table_rpmsg *table;
	void *window;
	uint32_t window_da;
	uint32_t window_size;
	volatile uint32_t *beat;
	const struct mmamp_min_ept *epts;
	uint32_t n_epts;
	void (*notify)(uint32_t notifyid);
};

/** struct mmamp_min_vq - device half of one split vring; indices are ours, never read back. */
struct mmamp_min_vq {
	struct mmamp_vring_desc *desc;
	struct mmamp_vring_avail *avail;
	struct mmamp_vring_used *used;
	uint16_t next_avail;
	uint16_t next_used;
	uint16_t head;      /* the last peeked buffer: descriptor */
	uint32_t len;       /* and length */
	uint32_t notifyid;
};

/**
 * struct mmamp_min_dev - the device (private but for the accessors).
 * @vq:        [0] vring 0 (we send), [1] vring 1 (we receive).
 * @tx:        a TX buffer taken by mmamp_min_tx_get() and not yet sent, or NULL.
 * @tx_head:   its descriptor.
 * @up:        link up (ring state held; the epoch is odd).
 * @fault:     enum mmamp_min_fault.
 * @announced: endpoints announced since link up.
 * @dropped:   messages dropped: malformed (short buffer, length beyond it) or no such endpoint.
 */
struct mmamp_min_dev {
	/* the busiest byte fields first: Thumb's 16-bit loads reach only small offsets */
	uint8_t up;
	uint8_t fault;
	uint16_t tx_head;
	uint16_t announced;
	uint16_t dropped;
#if MMAMP_MIN_STATIC_LINK
	uint8_t kicked; /* a doorbell came since the last poll */
#endif
	uint8_t *tx;
	struct mmamp_min_config cfg;
	struct mmamp_min_vq vq[2];
};

/** mmamp_min_init() - set up @d from @cfg (nothing is read from the host yet). */
void mmamp_min_init(struct mmamp_min_dev *d, const struct mmamp_min_config *cfg);

/**
 * mmamp_min_poll() - follow the host's status (link up/down), announce endpoints, deliver every
 * message waiting in vring 1, hand its buffers back and notify the host once.
 * Return: messages delivered (>= 0), -MMAMP_ENOTCONN while the host has not set DRIVER_OK, or
 * -MMAMP_EIO while the device is quiet after a fault (mmamp_min_fault()).
 */
int mmamp_min_poll(struct mmamp_min_dev *d);

/**
 * mmamp_min_tx_get() - take a TX buffer for a zero-copy send; the same one until it is sent.
 * Return: where the payload goes (MMAMP_RPMSG_MTU bytes), or NULL: no buffer free right now,
 * link down, or a fault.
 */
void *mmamp_min_tx_get(struct mmamp_min_dev *d);

/**
 * mmamp_min_tx_send() - send the buffer of mmamp_min_tx_get() with @len payload bytes.
 * Return: 0, -MMAMP_EINVAL (no buffer taken, or the link went down since: the buffer belonged
 * to the vring the host reset), -MMAMP_EMSGSIZE (@len > MMAMP_RPMSG_MTU).
 */
int mmamp_min_tx_send(struct mmamp_min_dev *d, uint32_t src, uint32_t dst, uint32_t len);

/**
 * mmamp_min_send() - copy @len bytes to a TX buffer and send them from @src to @dst.
 * Return: 0, -MMAMP_EMSGSIZE, or -MMAMP_EAGAIN when no TX buffer is free (or the link is down /
 * faulted: see mmamp_min_poll()). Never blocks.
 */
int mmamp_min_send(struct mmamp_min_dev *d, uint32_t src, uint32_t dst, const void *data,
		   uint32_t len);

#if MMAMP_MIN_STATIC_LINK
/** mmamp_min_kicked() - the master rang us: call before mmamp_min_poll() (main loop, not ISR). */
void mmamp_min_kicked(struct mmamp_min_dev *d);
#endif

/** mmamp_min_fault() - enum mmamp_min_fault: why the device is quiet (0: it is not). */
static inline unsigned int mmamp_min_fault(const struct mmamp_min_dev *d)
{
	return d->fault;
}

MMAMP_END_DECLS

#endif /* MMAMP_RPMSG_MIN_H */
