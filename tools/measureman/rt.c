/* SPDX-License-Identifier: BSD-3-Clause */
/* rt.c — SCHED_FIFO, mlockall and CPU pinning for a run (see rt.h). */
#define _GNU_SOURCE
#include "rt.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tool_cpu.h"

/* @cpu < 0: every CPU again. */
static int pin(int pid, int cpu)
{
	return cpu < 0 ? tool_unpin(pid) : tool_pin(pid, cpu);
}

static int fifo(int pid, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return sched_setscheduler(pid, prio ? SCHED_FIFO : SCHED_OTHER, &sp) ? -errno : 0;
}

static void note(int *first, int ret, char *err, size_t errlen, const char *what)
{
	if (!ret || *first)
		return;
	*first = ret;
	snprintf(err, errlen, "%s: %s", what, strerror(-ret));
}

int mm_rt_apply(const struct mm_rt *rt, int remote_pid, char *err, size_t errlen)
{
	int first = 0;

	if (rt->prio) {
		note(&first, fifo(0, rt->prio), err, errlen, "SCHED_FIFO for the host thread");
		if (remote_pid > 0)
			note(&first, fifo(remote_pid, rt->prio), err, errlen,
			     "SCHED_FIFO for the remote core");
	}
	if (rt->mlock)
		note(&first, mlockall(MCL_CURRENT | MCL_FUTURE) ? -errno : 0, err, errlen,
		     "mlockall");
	if (rt->host_cpu >= 0)
		note(&first, pin(0, rt->host_cpu), err, errlen, "pinning the host thread");
	if (rt->remote_cpu >= 0 && remote_pid > 0)
		note(&first, pin(remote_pid, rt->remote_cpu), err, errlen, "pinning the remote core");
	return first;
}

void mm_rt_reset(int remote_pid)
{
	fifo(0, 0);
	munlockall();
	pin(0, -1);
	if (remote_pid > 0) {
		fifo(remote_pid, 0);
		pin(remote_pid, -1);
	}
}

void mm_rt_describe(const struct mm_rt *rt, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	if (rt->prio)
		n += snprintf(buf + n, len - (size_t)n, "SCHED_FIFO %d, ", rt->prio);
	if (rt->mlock && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "mlockall, ");
	if (rt->host_cpu >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "host CPU %d, ", rt->host_cpu);
	if (rt->remote_cpu >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "remote CPU %d, ", rt->remote_cpu);
	if (n >= 2 && (size_t)n < len)
		buf[n - 2] = 0;
	else if (!n)
		snprintf(buf, len, "no RT settings (SCHED_OTHER, not locked, not pinned)");
}
