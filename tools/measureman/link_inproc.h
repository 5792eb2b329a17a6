/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_inproc.h — MeasureMan's in-process link: the host library (include/mmamp/host/rproc.h)
 * opened in this process with caller_polls, so this thread is the host's interrupt context —
 * the lowest-latency path and the only one that sees timestamp point 3 (doorbell rung/taken).
 * Works for any platform description the host library can open: the sim's, and QEMU's
 * (qemu-mps2-an386.dtb), where the guest's clock is related to the host's by a ping-pong through
 * the boot mailbox (struct qmb_clock): offset = (t1 + t4) / 2 - guest at the round with the
 * shortest t4 - t1, error ≤ half that round trip + one 40 ns timer tick.
 */
#ifndef MEASUREMAN_LINK_INPROC_H
#define MEASUREMAN_LINK_INPROC_H

#include <stdbool.h>
#include <stddef.h>

#include "measure.h"

struct mm_inproc_config {
	const char *platform;      /* .dtb */
	const char *firmware_dir;
	const char *simcore;
	const char *core;          /* "m4_0" */
	const char *firmware;      /* "fw_measure" */
	const char *channel;       /* "rpmsg-raw" */
	bool polled;               /* both sides spin instead of sleeping on the doorbell */
	int remote_cpu;            /* pin the simulated core there (-1: leave it) */
	/* QEMU platforms */
	const char *qemu_bootrom;  /* the boot ROM (mmamp_host_config.qemu_bootrom) */
	const char *clock_file;    /* the RAM file holding the boot mailbox, relative to the
				      runtime directory ("shm/qemu-ram"): the guest's clock is
				      calibrated against the host's through its struct qmb_clock
				      (NULL: the remote reads the host's clock, as in the sim) */
	bool icount;               /* QEMU with -icount shift=0,sleep=off: the guest's clock counts
				      instructions (1 ns each) and stays its own (no calibration) */
};

/**
 * mm_inproc_open() - open the platform in a fresh runtime directory, boot @cfg->firmware on
 * @cfg->core, wait for the channel. Return 0 with @l ready, or a negative errno with @err.
 */
int mm_inproc_open(struct mm_link *l, const struct mm_inproc_config *cfg, char *err,
		   size_t errlen);

/** mm_inproc_close() - stop the core, close the host, remove the runtime directory. */
void mm_inproc_close(struct mm_link *l);

/**
 * mm_inproc_clock_recheck() - QEMU: calibrate the guest's clock again (after the runs) and add
 * the drift since the first calibration to the link's name. 0, or a negative errno.
 */
int mm_inproc_clock_recheck(struct mm_link *l);

/** mm_inproc_remote_pid() - the simulated core's pid (for pinning, RT priority). */
int mm_inproc_remote_pid(struct mm_link *l);

#endif /* MEASUREMAN_LINK_INPROC_H */
