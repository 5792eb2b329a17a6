/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcm.h — MeasureMan drives lifecycle management itself, like the paper's: note the core's
 * firmware and state, install the measurement firmware, start the core, wait for the channel's
 * device, and afterwards put the previous firmware (and state) back. Two back ends:
 *
 *   mmampd   the daemon's control socket <runtime>/mmampd.sock (sim, QEMU): get/set/wait/channels
 *   sysfs    Linux remoteproc: <rproc>/firmware and <rproc>/state (tools/mmampd/README.md: "start",
 *            "stop"; reads "offline", "running", …), the firmware file copied into the firmware
 *            directory (/lib/firmware), the channel's device (/dev/ttyRPMSG*) awaited by path
 */
#ifndef MEASUREMAN_LCM_H
#define MEASUREMAN_LCM_H

#include <stdbool.h>
#include <stddef.h>

enum mm_lcm_kind { MM_LCM_MMAMPD, MM_LCM_SYSFS };

struct mm_lcm {
	enum mm_lcm_kind kind;
	/* mmampd */
	const char *runtime;     /* runtime directory */
	const char *core;        /* "m4_0" */
	const char *channel;     /* channel name whose device to use */
	/* sysfs */
	const char *rproc_dir;   /* /sys/class/remoteproc/remoteproc0 */
	const char *fw_file;     /* measurement firmware to copy (NULL: already installed) */
	const char *fw_dir;      /* /lib/firmware */
	const char *tty;         /* device to wait for (NULL: first /dev/ttyRPMSG*) */
	/* both */
	const char *firmware;    /* name to install */
	int timeout_ms;
	/* saved by mm_lcm_install() */
	char old_firmware[256];
	bool was_running;
	bool installed;
	int ctl;                 /* mmampd control socket */
};

/**
 * mm_lcm_install() - save firmware and state, stop the core if it runs, set the measurement
 * firmware, start, wait for the channel; the device path into @dev. 0 or -errno with @err.
 */
int mm_lcm_install(struct mm_lcm *c, char *dev, size_t devlen, char *err, size_t errlen);

/** mm_lcm_restore() - stop, put the old firmware back, start again if it was running. */
int mm_lcm_restore(struct mm_lcm *c, char *err, size_t errlen);

/** mm_lcm_ctl() - one mmampd control request; the reply (without "ok ") into @reply. */
int mm_lcm_ctl(struct mm_lcm *c, const char *req, char *reply, size_t len, char *err,
	       size_t errlen);

#endif /* MEASUREMAN_LCM_H */
