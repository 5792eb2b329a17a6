/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_dev.c — see tool_dev.h. */
#include "tool_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "tool_time.h"

int tool_open_new_node(const char *path, int flags, int timeout_ms)
{
	/* nothing to wait on from user space for either step: poll with a deadline */
	const struct timespec step = { 0, 10 * 1000000L };
	uint64_t end = tool_now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;

	for (;;) {
		int fd = open(path, flags);

		if (fd >= 0)
			return fd;
		if ((errno != ENOENT && errno != ENXIO) || tool_now_ns() >= end)
			return -errno;
		nanosleep(&step, NULL);
	}
}
