/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_cpu.c — pinning a process or thread to a CPU (tool_cpu.h). */
#include "tool_cpu.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

int tool_pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}

int tool_unpin(pid_t pid)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (long c = 0; c < sysconf(_SC_NPROCESSORS_CONF) && c < CPU_SETSIZE; c++)
		CPU_SET((int)c, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}
