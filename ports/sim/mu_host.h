/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/mu_host.h — the Linux host's OS glue for the MU model (mu_model.h): a shared-futex
 * line waker for mu_attach() and a bounded wait on a side's interrupt line. Host code only
 * (needs _GNU_SOURCE for syscall()); the firmware uses its port (port_sim.h) instead.
 *
 *   struct mu mu;
 *   mu_attach(&mu, page, mu_host_wake);
 *   for (;;) {                                     // the "ISR thread" of side A
 *           uint32_t seq = mu_irq_seq(&mu, MU_SIDE_A);
 *           if (mu_irq_pending(&mu, MU_SIDE_A)) { handle(); continue; }
 *           mu_host_wait_line(&mu, MU_SIDE_A, seq, timeout_ns);
 *   }
 */
#ifndef MMAMP_SIM_MU_HOST_H
#define MMAMP_SIM_MU_HOST_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mu_model.h"

/** mu_host_wake() - mu_wake_fn for the host: FUTEX_WAKE (shared) of every sleeper on @line. */
static inline void mu_host_wake(uint32_t *line)
{
	syscall(SYS_futex, line, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/**
 * mu_host_wait_line() - sleep while side @side's line word still equals @seq (the snapshot
 * taken before the condition was checked), at most @timeout_ns.
 * Return: 0 when the word changed (or may have: EINTR / spurious wake), -ETIMEDOUT.
 */
static inline int mu_host_wait_line(struct mu *mu, unsigned side, uint32_t seq, uint64_t timeout_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(timeout_ns / 1000000000u),
			       .tv_nsec = (long)(timeout_ns % 1000000000u) };

	if (syscall(SYS_futex, mu_irq_line(mu, side), FUTEX_WAIT, seq, &ts, NULL, 0) == 0)
		return 0;
	return errno == ETIMEDOUT ? -ETIMEDOUT : 0;
}

#endif /* MMAMP_SIM_MU_HOST_H */
