/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/simcore_launch.h — starting mmamp-simcore from a host process and telling how it
 * ended: the host side of the contract in mmamp/wire/simcore.h, shared by everything that powers a
 * simulated core (src/host/backend_sim.c for mmampd, tools/mmamp-soc under a real kernel).
 */
#ifndef MMAMP_SIM_SIMCORE_LAUNCH_H
#define MMAMP_SIM_SIMCORE_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mmamp/wire/simcore.h"

/**
 * struct mmamp_simcore_map - one region the core maps.
 * @fd:     the backing file (inherited by the core, read at @offset).
 * @offset: where in @fd the region starts (page-aligned).
 * @da:     the core's address of the region; @size its length (page multiples).
 * @perm:   MMAMP_PERM_R/W/X bits (r, rw, rx or rwx).
 */
struct mmamp_simcore_map {
	int fd;
	uint64_t offset;
	uint64_t da;
	uint64_t size;
	unsigned perm;
};

/**
 * struct mmamp_simcore_launch - what one power-on needs.
 * @simcore:         path of the mmamp-simcore executable.
 * @maps, @nmaps:    the core's address map (at most MMAMP_SIMCORE_MAX_MAPS).
 * @boot, @stack_top: entry point and initial stack pointer (device addresses).
 * @console_fd:      the firmware's console (-1: none).
 * @die_with_parent: the core dies with the calling thread (PR_SET_PDEATHSIG).
 * @before_run:      optional: called with the new process's pid before it runs anything — it
 *                   waits at a gate until this returns 0 (a non-zero return kills and reaps it,
 *                   and is mmamp_simcore_spawn()'s). A host records the core here, so that no
 *                   core ever runs that a later host cannot find; if the host dies first, the
 *                   gate closes unopened and the process exits (MMAMP_SIMCORE_EXIT_NO_GATE)
 *                   without having run firmware.
 * @ctx:             for @before_run.
 */
struct mmamp_simcore_launch {
	const char *simcore;
	const struct mmamp_simcore_map *maps;
	unsigned nmaps;
	uint64_t boot;
	uint64_t stack_top;
	int console_fd;
	bool die_with_parent;
	int (*before_run)(void *ctx, pid_t pid, char *err, size_t errlen);
	void *ctx;
};

/* The exit status of a core whose host died before it opened the gate (@before_run). */
#define MMAMP_SIMCORE_EXIT_NO_GATE 125

/**
 * mmamp_simcore_spawn() - start the core.
 * @pid:       its pid (a child of the caller).
 * @report_fd: the read end of its fault-report pipe (close-on-exec; the caller closes it).
 * Return: 0, or a negative errno with a line in @err.
 */
int mmamp_simcore_spawn(const struct mmamp_simcore_launch *l, pid_t *pid, int *report_fd,
			char *err, size_t errlen);

/**
 * mmamp_simcore_describe_end() - how a reaped core ended, as remoteproc's crash reason:
 * "mmufault: Segmentation fault at 0x40000000 (pc 0x1ffe0123)", "fatal error: the core was
 * killed (Killed)", ... @status is waitpid's; @report_fd the report pipe (read once, may be -1).
 * @console names the console file in the set-up failure line (may be NULL).
 * Return: true when the report says the core faulted (an MMU fault), else false.
 */
bool mmamp_simcore_describe_end(int status, int report_fd, const char *console, char *buf,
				size_t len);

#endif /* MMAMP_SIM_SIMCORE_LAUNCH_H */
