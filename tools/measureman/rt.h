/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rt.h — the real-time settings a run can be made with (cyclictest's -p, -m, -a): SCHED_FIFO
 * priority for this thread and the remote core's process, mlockall, and pinning both to CPUs.
 */
#ifndef MEASUREMAN_RT_H
#define MEASUREMAN_RT_H

#include <stdbool.h>
#include <stddef.h>

struct mm_rt {
	int prio;        /* SCHED_FIFO priority, 0: SCHED_OTHER */
	bool mlock;      /* mlockall(MCL_CURRENT | MCL_FUTURE) */
	int host_cpu;    /* -1: not pinned */
	int remote_cpu;  /* -1: not pinned */
};

/**
 * mm_rt_apply() - apply @rt to this thread and, when @remote_pid > 0, to that process. A
 * setting the system refuses (no CAP_SYS_NICE) is reported in @err and the rest still applied;
 * returns 0 or the first failure's negative errno.
 */
int mm_rt_apply(const struct mm_rt *rt, int remote_pid, char *err, size_t errlen);

/** mm_rt_reset() - back to SCHED_OTHER, unlocked, all CPUs (this thread and @remote_pid). */
void mm_rt_reset(int remote_pid);

/** mm_rt_describe() - "SCHED_FIFO 80, mlockall, host CPU 0, remote CPU 1" or "none". */
void mm_rt_describe(const struct mm_rt *rt, char *buf, size_t len);

#endif /* MEASUREMAN_RT_H */
