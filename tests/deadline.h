/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * deadline.h — the tests' one absolute deadline for pthread_cond_timedwait(): @ms from now on
 * CLOCK_REALTIME (the clock a default condition variable waits on). Shared by the host-library
 * tests' inbox (tests/host/channel_inbox.h) and the fault tests' (tests/fault/fault_common.c).
 */
#ifndef MMAMP_TESTS_DEADLINE_H
#define MMAMP_TESTS_DEADLINE_H

#include <time.h>

static inline void deadline_in_ms(struct timespec *end, int ms)
{
	clock_gettime(CLOCK_REALTIME, end);
	end->tv_sec += ms / 1000;
	end->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (end->tv_nsec >= 1000000000L) {
		end->tv_sec++;
		end->tv_nsec -= 1000000000L;
	}
}

#endif /* MMAMP_TESTS_DEADLINE_H */
