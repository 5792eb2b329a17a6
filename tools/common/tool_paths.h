/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tool_paths.h — where a tool finds the files it runs (tool_paths.c): the platform
 * descriptions, the simulated-core launcher, the firmware and QEMU's boot ROM — those of the
 * install prefix the running executable lies in, else those of the build tree it was built in.
 */
#ifndef MMAMP_TOOL_PATHS_H
#define MMAMP_TOOL_PATHS_H

#include <limits.h>
#include <stdbool.h>

struct tool_paths {
	char platform_dir[PATH_MAX];  /* the .dtb files */
	char simcore[PATH_MAX];       /* mmamp-simcore, the simulated-core launcher */
	char sim_fw_dir[PATH_MAX];    /* firmware for the simulated core (fw_echo, fw_measure) */
	char qemu_fw_dir[PATH_MAX];   /* Cortex-M4 firmware for QEMU; "" when there is none */
	char qemu_bootrom[PATH_MAX];  /* QEMU's boot ROM in qemu_fw_dir; "" when there is none */
	bool installed;               /* from an install prefix, not the build tree */
};

/**
 * tool_paths_resolve() - Fill @p for the running executable.
 *
 * An executable in <prefix>/bin or <prefix>/libexec/mmamp (the install directories this build
 * was configured with) whose <prefix>/share/mmamp exists takes the prefix's files, wherever the
 * prefix was moved to; any other (the build tree's, one copied elsewhere) the build tree's.
 * Return: 0, or -ENAMETOOLONG when a path under the prefix does not fit PATH_MAX.
 */
int tool_paths_resolve(struct tool_paths *p);

#endif /* MMAMP_TOOL_PATHS_H */
