/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_cpu.h — pinning a process or thread to a CPU (tool_cpu.c). */
#ifndef MMAMP_TOOL_CPU_H
#define MMAMP_TOOL_CPU_H

#include <sys/types.h>

/**
 * tool_pin() - run @pid (0: the calling thread, and what it starts later) on CPU @cpu only;
 * @cpu < 0 leaves it where it is. Returns 0 or a negative errno.
 */
int tool_pin(pid_t pid, int cpu);

/** tool_unpin() - let @pid (0: the calling thread) run on every CPU again. 0 or -errno. */
int tool_unpin(pid_t pid);

#endif /* MMAMP_TOOL_CPU_H */
