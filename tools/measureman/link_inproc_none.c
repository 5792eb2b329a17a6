/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_inproc_none.c — the in-process link's stand-in for a MeasureMan built without the host
 * library: measureman-guest, the static build that runs inside the Linux guest
 * (docs/linux-host.md), measures through the kernel (--platform board) only.
 */
#include <errno.h>
#include <stdio.h>

#include "link_inproc.h"

int mm_inproc_open(struct mm_link *l, const struct mm_inproc_config *cfg, char *err,
		   size_t errlen)
{
	(void)l;
	snprintf(err, errlen, "platform %s: this build (measureman-guest) has no host library; "
		 "it measures through a kernel: --platform board --rproc DIR", cfg->platform);
	return -ENOTSUP;
}

void mm_inproc_close(struct mm_link *l)
{
	(void)l;
}

int mm_inproc_clock_recheck(struct mm_link *l)
{
	(void)l;
	return 0;
}

int mm_inproc_remote_pid(struct mm_link *l)
{
	(void)l;
	return 0;
}
