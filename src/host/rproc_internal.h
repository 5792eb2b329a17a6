/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_internal.h — one remote core's state and the calls between the files that make up
 * remoteproc (split as Linux splits it): rproc.c (the lifecycle state machine), rproc_attr.c
 * (attributes), rproc_loader.c (ELF and resource table), rproc_virtio.c (the RPMsg vdev, a
 * subdevice of the lifecycle), rproc_irq.c (the host thread: doorbells), rproc_crash.c (crash
 * handling and recovery), attach.c, channels.c (RPMsg master) and monitor.c (watching the core
 * process). What is a backend's own (sim: the process, the MU page) is its private data
 * (bk_priv), not here. Not an API.
 */
#ifndef MMAMP_RPROC_INTERNAL_H
#define MMAMP_RPROC_INTERNAL_H

#include <time.h>

#include "backend.h"
#include "host_internal.h"

struct mmamp_rproc {
	struct mmamp_host *h;
	const struct mmamp_core *core;
	const struct rproc_backend_ops *bk;
	void *bk_priv;    /* the backend's own state */
	const struct rproc_subdev *subdev; /* what runs on the powered core: the RPMsg vdev */
	/* Lifecycle operations (start, stop, recover, crash handling, destroy) hold op_lock from
	 * start to end; they drop @lock only to join the host thread, and op_lock keeps every
	 * other lifecycle operation out of that window. The host thread never takes op_lock. */
	pthread_mutex_t op_lock;
	pthread_mutex_t lock;   /* recursive: channel callbacks may call back into the API */
	pthread_cond_t changed; /* state or channel set changed */
	pthread_cond_t tx_space; /* the host thread ran: TX buffers may have come back */
	unsigned int tx_waiters; /* senders asleep on @tx_space (under @lock) */

	enum mmamp_rproc_state state;
	char firmware[256];
	bool recovery;
	unsigned int crash_count;
	uint64_t crash_ms[5]; /* when the last crashes were (ring), for crash_loop() */
	size_t crash_next;
	char crash_reason[512];
	char found[512]; /* what the host found of this core at open and did (rproc_reclaim) */

	/* the loaded image */
	uint8_t *image;
	size_t image_size;
	void *cached_table;
	size_t table_size;
	uint32_t vdev_offset;
	uint64_t boot_addr;
	const struct mmamp_region *vring_region[2];
	const struct mmamp_region *buffer_region;

	/* running */
	bool powered;  /* the backend's power_on succeeded and no power_off since */
	pthread_t irq;
	bool irq_running;
	bool irq_stop;
	bool fault_pending; /* a crash was reported (rproc_report_crash), reason written */
	uint32_t *heartbeat;  /* the remote's heartbeat word (MMAMP_HEARTBEAT_OFFSET) */
	uint32_t hb_last;     /* its value at the last look (at boot/attach: what was there) */
	uint64_t hb_when_ms;  /* when it last moved (or the boot/attach) */
	bool hb_armed;        /* it has moved since the boot/attach: only then is it watched */
	uint32_t watchdog_ms; /* 0: WATCHDOG_MS (rproc_crash.c); tests set a shorter one */
	/* The vdev link as the host set it up (rproc_virtio.c), for its link check: a remote
	 * that resets the device under us (writes the status byte, which is the host's, or moves
	 * its link epoch past its one link-up) has left the rings, and that is a broken vdev. */
	uint32_t *link_epoch; /* the remote's link epoch word (MMAMP_LINK_EPOCH_OFFSET) or NULL */
	uint32_t epoch_base;  /* its value when we wrote DRIVER_OK */
	uint32_t epoch_seen;  /* its value at our last look that found the link intact */
	uint8_t status_set;   /* the status byte we wrote last */
	struct mmamp_shm shm;
	void *live_table;
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rpmsg_dev rdev;
	struct mmamp_vq_desc_state *desc_state;
	uint16_t *tx_free;
	struct mmamp_channel *channels;
	unsigned long ns_refused; /* announcements refused: MAX_CHANNELS_PER_CORE reached */

	/* doorbell timestamps (mmamp_rproc_times), written with relaxed atomics */
	uint64_t t_kick_ns;
	uint64_t t_doorbell_ns;
	uint64_t n_kicks;
	uint64_t n_doorbells;

	/* monitor */
	pthread_t monitor;
	int epfd;
	int evfd;     /* stop the monitor */
	int crashfd;  /* a crash was reported */
};

/**
 * struct rproc_subdev - what runs on top of a powered core, hung off its lifecycle as Linux
 * hangs its rproc_subdev: started once the core is powered and the host thread runs (boot,
 * attach), stopped before the host thread stops and the core is powered off or let go
 * (stop, crash, detach). The lifecycle (rproc.c) and the host thread (rproc_irq.c) reach it
 * only through these hooks. The RPMsg vdev with its master (rproc_virtio.c, channels.c) is the
 * one there is. Every hook but @release runs with the lock held.
 * @start:   bring it up on the freshly powered or attached core, or say why not.
 * @stop:    take it down; the core may be dead (crash) or still running (stop, detach).
 * @pending: whether it has work waiting that no doorbell announced (polled mode).
 * @deliver: the host thread's work after a doorbell (or a look in polled mode).
 * @check:   a look without a doorbell (the watchdog's tick): report what it finds broken.
 * @release: the rproc goes: free what it kept (lock not held).
 */
struct rproc_subdev {
	int (*start)(struct mmamp_rproc *r, char *err, size_t errlen);
	void (*stop)(struct mmamp_rproc *r);
	bool (*pending)(struct mmamp_rproc *r);
	void (*deliver)(struct mmamp_rproc *r);
	void (*check)(struct mmamp_rproc *r);
	void (*release)(struct mmamp_rproc *r);
};

/* rproc.c: the lifecycle */
int rproc_create(struct mmamp_host *h, const struct mmamp_core *c, struct mmamp_rproc **out,
		 char *err, size_t errlen);
void rproc_destroy(struct mmamp_rproc *r);
/* @ms from now on CLOCK_MONOTONIC, the clock of every condition variable here. */
void rproc_deadline(struct timespec *ts, int ms);
/* CLOCK_MONOTONIC now, in milliseconds and in nanoseconds. */
uint64_t rproc_now_ms(void);
uint64_t rproc_now_ns(void);
int rproc_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rproc_set_state(struct mmamp_rproc *r, enum mmamp_rproc_state s);
int rproc_boot(struct mmamp_rproc *r, char *err, size_t errlen);
int rproc_bring_up(struct mmamp_rproc *r, char *err, size_t errlen);
void rproc_shutdown_core(struct mmamp_rproc *r, bool crashed);

/* rproc_loader.c */
int rproc_load_firmware(struct mmamp_rproc *r, char *err, size_t errlen);
int rproc_handle_resources(struct mmamp_rproc *r, char *err, size_t errlen);

/* rproc_virtio.c: the RPMsg vdev subdevice */
extern const struct rproc_subdev rproc_rpmsg_vdev;

/* rproc_irq.c: the host thread */
int rproc_irq_start(struct mmamp_rproc *r);
void rproc_irq_stop(struct mmamp_rproc *r);
int rproc_take_and_deliver(struct mmamp_rproc *r);

/* rproc_crash.c */
void rproc_core_exited(struct mmamp_rproc *r, bool reported);
void rproc_report_crash(struct mmamp_rproc *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rproc_watchdog_check(struct mmamp_rproc *r);
void rproc_watchdog_disarm(struct mmamp_rproc *r);
int rproc_recover_locked(struct mmamp_rproc *r, char *err, size_t errlen);

/** rproc_is_up() - running, booted by us or attached to. Lock held. */
static inline bool rproc_is_up(const struct mmamp_rproc *r)
{
	return r->state == MMAMP_RPROC_RUNNING || r->state == MMAMP_RPROC_ATTACHED;
}

/* attach.c */
#define RPROC_TEST_EXIT_STATUS 86 /* the exit status of rproc_test_exit_at() */
void rproc_test_exit_at(const struct mmamp_rproc *r, const char *point, int pid);
int rproc_record_write(struct mmamp_rproc *r, const char *id, const char *phase, char *err,
		       size_t errlen);
void rproc_record_save(struct mmamp_rproc *r);
void rproc_record_stopped(struct mmamp_rproc *r);
void rproc_record_clear(struct mmamp_rproc *r);
void rproc_reclaim(struct mmamp_rproc *r);
int rproc_attach_locked(struct mmamp_rproc *r, char *err, size_t errlen);
void rproc_forget(struct mmamp_rproc *r);

/* channels.c */
void rproc_ns_bind(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		   uint32_t flags, void *ctx);
void rproc_rpmsg_poll(struct mmamp_rproc *r);
void rproc_vdev_broken(struct mmamp_rproc *r);
void rproc_channels_down(struct mmamp_rproc *r);
void rproc_channels_free(struct mmamp_rproc *r);
struct mmamp_channel *rproc_channel_find_locked(struct mmamp_rproc *r, const char *name);

/* monitor.c */
int rproc_monitor_start(struct mmamp_rproc *r);
void rproc_monitor_stop(struct mmamp_rproc *r);
void rproc_monitor_watch(struct mmamp_rproc *r);
void rproc_monitor_crash(struct mmamp_rproc *r);

#endif /* MMAMP_RPROC_INTERNAL_H */
