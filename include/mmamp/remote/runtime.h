/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/remote/runtime.h — the firmware runtime: one RPMsg remote device (mmamp/rpmsg.h, remote role) tied to
 * a doorbell, and the main loop that drives it. OS-free, no allocation, no libc beyond
 * memcpy/memset; the same file builds for the sim core (ports/sim) and for a Cortex-M4.
 *
 *   doorbell IRQ ──► mmamp_remote_isr(): take the doorbell (read RR1), set a flag. Never RPMsg.
 *   main loop    ──► mmamp_remote_poll_once(), forever (mmamp_remote_run()):
 *                      flagged, or mmamp_rpmsg_work_pending()?  → mmamp_rpmsg_poll()
 *                      (status → link up/down, NS announcements, RX delivery to endpoints)
 *                      otherwise                               → db->wait() (WFI), at most
 *                                                                 tick_us; or, polled: spin
 *                                                                 on the MU status (db->take)
 *   RPMsg notify ──► db->send(notifyid): TR1 = notifyid << 16 once TE1 is set.
 *
 * Why a tick: the host writes vdev status 0 (reset, stop, detach) without ringing a doorbell
 * (Linux does not), and the remote must see it (docs/protocol.md §1.3, "Known gaps").
 * While idle the loop therefore re-reads the status at least every tick_us (OpenAMP polls the
 * status byte every 1 ms for the same reason); 0 sleeps until a doorbell only.
 *
 * Endpoint callbacks run from mmamp_rpmsg_poll(), in the main loop's context: they may send
 * (also with a timeout — the wait is the doorbell wait below) but must not call
 * mmamp_remote_poll_once()/mmamp_remote_run().
 *
 * A port supplies struct mmamp_remote_doorbell_ops (mmamp/remote/port.h: the port contract; the
 * sim's is ports/sim/port_sim_extra.h, MU side B). Its ISR for the doorbell interrupt calls
 * mmamp_remote_isr(). The runtime is src/remote/remote.c; a firmware gets it, the core and its
 * port with mmamp_add_firmware() (docs/using-mmamp.md).
 */
#ifndef MMAMP_REMOTE_RUNTIME_H
#define MMAMP_REMOTE_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "mmamp/cdefs.h"
#include "mmamp/remote/port.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "mmamp/shm.h"

MMAMP_BEGIN_DECLS

/** Default longest idle sleep before the vdev status is looked at again (interrupt mode). */
#define MMAMP_REMOTE_TICK_US 10000u

struct mmamp_remote;

/**
 * typedef mmamp_remote_event_fn - the link changed state or the device reported an error.
 * @event: MMAMP_RPMSG_LINK_UP (announcements are sent: see ept->announced), MMAMP_RPMSG_LINK_DOWN
 *         (the host reset the device; endpoints are re-announced at the next link up), or a
 *         negative MMAMP_E* from mmamp_rpmsg_poll() — -MMAMP_EIO (a ring broke) or -MMAMP_EPROTO
 *         (the host's ring configuration was refused); mmamp_rpmsg_fault() says why. An error
 *         is reported once, when it first appears (again only after a poll succeeded).
 */
typedef void (*mmamp_remote_event_fn)(struct mmamp_remote *r, int event, void *ctx);

/**
 * struct mmamp_remote_config - what mmamp_remote_init() needs.
 * @shm:      the shared window all rings and buffers must lie in (i.MX: 0x90000000 + 0x500000).
 * @vdev:     the RPMsg vdev of the *live* resource table (i.MX: in 0x900FF000, not the ELF copy).
 * @layout:   instead of @vdev: a static link (no table; mmamp_rpmsg_static_link in mmamp/rpmsg.h).
 * @db, @db_ctx: the doorbell (see struct mmamp_remote_doorbell_ops).
 * @polled:   spin on the doorbell status instead of sleeping (no interrupt is enabled).
 * @tick_us:  interrupt mode: longest sleep before the status is re-read (0: until a doorbell).
 * @on_event, @ctx: link and error events (optional).
 * @heartbeat: a shared word the runtime increments every main-loop turn, every doorbell it
 *            rings and every wake-up of a blocking send, for the host's watchdog (optional;
 *            mmamp puts it at MMAMP_HEARTBEAT_OFFSET in the live table's region). The word
 *            after it is the link epoch (MMAMP_LINK_EPOCH_OFFSET, see mmamp_rpmsg_remote_config).
 * @now_ns:   a clock the host can read too (optional; MeasureMan's timestamp point 4): when set,
 *            the runtime records when it took each doorbell (mmamp_remote_isr_ns()).
 */
struct mmamp_remote_config {
	const struct mmamp_shm *shm;
	struct mmamp_fw_rsc_vdev *vdev;
	const struct mmamp_rpmsg_static_link *layout;
	const struct mmamp_remote_doorbell_ops *db;
	void *db_ctx;
	bool polled;
	uint32_t tick_us;
	mmamp_remote_event_fn on_event;
	void *ctx;
	uint32_t *heartbeat;
	uint64_t (*now_ns)(void);
};

/**
 * struct mmamp_remote_stats - the runtime's counters (RPMsg's own: mmamp_rpmsg_stats()).
 * @doorbells:     doorbells taken from the host.
 * @last_notifyid: the notifyid of the last one (informational: every poll services both vrings).
 * @polls:         mmamp_rpmsg_poll() calls.
 * @sleeps:        idle waits (interrupt mode) or idle spins (polled mode).
 * @notify_errors: doorbells to the host that failed (TE1 never came back, bad notifyid).
 */
struct mmamp_remote_stats {
	uint32_t doorbells;
	uint32_t last_notifyid;
	uint32_t polls;
	uint32_t sleeps;
	uint32_t notify_errors;
};

/** struct mmamp_remote - the runtime's state. Fields are private except through the accessors. */
struct mmamp_remote {
	struct mmamp_rpmsg_dev rdev;
	struct mmamp_rpmsg_ops ops;
	const struct mmamp_remote_doorbell_ops *db;
	void *db_ctx;
	mmamp_remote_event_fn on_event;
	void *ctx;
	volatile uint32_t flagged; /* set by the ISR, cleared by the main loop */
	uint32_t *heartbeat;
	uint32_t beats;
	uint32_t tick_us;
	uint32_t idle; /* turns without a poll since the last one */
	int last_error;
	struct mmamp_remote_stats stats;
	uint8_t polled;
	volatile uint8_t stop;
	uint64_t (*now_ns)(void);
	volatile uint64_t isr_ns; /* when the last doorbell was taken (ISR entry), if now_ns */
};

/**
 * mmamp_remote_beat() - move the heartbeat: for firmware that stays out of the main loop on
 * purpose for a while (fw_measure answering the host's clock ping-pong), so the host's
 * watchdog does not take a busy core for a stuck one.
 */
void mmamp_remote_beat(struct mmamp_remote *r);

/**
 * mmamp_remote_init() - set up the RPMsg remote device on @cfg->vdev and @cfg->shm and enable the
 * doorbell (db->enable). Create endpoints on mmamp_remote_rpmsg(@r) afterwards (before or after
 * the link is up: named ones are announced as soon as it is).
 * Return: 0, or -MMAMP_EINVAL (missing op, interrupt mode without @db->wait), or enable's error.
 */
int mmamp_remote_init(struct mmamp_remote *r, const struct mmamp_remote_config *cfg);

/** mmamp_remote_rpmsg() - the RPMsg device, for endpoints and sends. */
static inline struct mmamp_rpmsg_dev *mmamp_remote_rpmsg(struct mmamp_remote *r)
{
	return &r->rdev;
}

/**
 * mmamp_remote_isr() - the doorbell interrupt handler's work: take every pending doorbell
 * (db->take) and flag the main loop. Touches no RPMsg state; safe at interrupt level.
 */
void mmamp_remote_isr(struct mmamp_remote *r);

/**
 * mmamp_remote_poll_once() - one turn of the main loop: poll RPMsg if there is work (flag or
 * mmamp_rpmsg_work_pending()), else sleep until the next interrupt or tick (polled: look at the
 * doorbell once and relax). Events go to on_event.
 * Return: 1 if it polled, 0 if it waited, or a negative error when the poll failed.
 */
int mmamp_remote_poll_once(struct mmamp_remote *r);

/**
 * mmamp_remote_run() - mmamp_remote_poll_once() until mmamp_remote_stop(). Device errors do not
 * end it (they are reported through on_event; a host reset clears them). Returns 0.
 */
int mmamp_remote_run(struct mmamp_remote *r);

/** mmamp_remote_stop() - make mmamp_remote_run() return after the current turn (any context). */
static inline void mmamp_remote_stop(struct mmamp_remote *r)
{
	r->stop = 1;
}

/**
 * mmamp_remote_isr_ns() - the @now_ns clock at the entry of the ISR that took the last doorbell
 * (polled mode: when the spin saw it); 0 without a clock or before the first doorbell.
 */
static inline uint64_t mmamp_remote_isr_ns(const struct mmamp_remote *r)
{
	return r->isr_ns;
}

/** mmamp_remote_stats() - the runtime's counters. */
static inline const struct mmamp_remote_stats *mmamp_remote_stats(const struct mmamp_remote *r)
{
	return &r->stats;
}

/**
 * mmamp_fw_rsc_table - the firmware's resource table (src/remote/rsc_table_rpmsg.c; a port may
 * bring its own, as ports/imx8qx-m4/rsc_table_imx8qx.c does): one RPMsg vdev, vrings at
 * addresses the host chooses (ANY), align 0x1000, 256 descriptors, offering name service — what NXP's i.MX8 RPMsg-Lite firmware declares (docs/imx8x-board.md). The host
 * copies it to the live location (i.MX: 0x900FF000) before starting the core; the firmware
 * must use that live copy, not this one.
 */
extern struct mmamp_rsc_table_rpmsg mmamp_fw_rsc_table;

#define MMAMP_FW_VRING_NUM   256u
#define MMAMP_FW_VRING_ALIGN 0x1000u

MMAMP_END_DECLS

#endif /* MMAMP_REMOTE_RUNTIME_H */
