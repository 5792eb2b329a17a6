/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_inproc.h — MeasureMan's in-process link: the host library (include/mmamp/host/rproc.h)
 * opened in this process with caller_polls, so this thread is the host's interrupt context —
 * the lowest-latency path and the only one that sees timestamp point 3 (doorbell rung/taken).
 * Works for any platform description the host library can open (sim today, QEMU's .dtb later).
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
};

/**
 * mm_inproc_open() - open the platform in a fresh runtime directory, boot @cfg->firmware on
 * @cfg->core, wait for the channel. Return 0 with @l ready, or a negative errno with @err.
 */
int mm_inproc_open(struct mm_link *l, const struct mm_inproc_config *cfg, char *err,
		   size_t errlen);

/** mm_inproc_close() - stop the core, close the host, remove the runtime directory. */
void mm_inproc_close(struct mm_link *l);

/** mm_inproc_remote_pid() - the simulated core's pid (for pinning, RT priority). */
int mm_inproc_remote_pid(struct mm_link *l);

#endif /* MEASUREMAN_LINK_INPROC_H */
