/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_kstamps.h — the host driver's timestamp points (3 in measure.h) from a Linux kernel that
 * publishes them: our remoteproc driver for the simulated i.MX8X (kernel/mmamp_rproc.c) has,
 * on its device (<rproc>/device), last_kick_ns and last_doorbell_ns (ktime_get_ns(), the
 * CLOCK_MONOTONIC this process reads) and soc_clock_offset_ns (the M4's clock minus the
 * kernel's). A TTY link wrapped with them measures all five sections through the real kernel
 * (docs/measureman.md, "Platforms"; docs/linux-host.md).
 */
#ifndef MEASUREMAN_LINK_KSTAMPS_H
#define MEASUREMAN_LINK_KSTAMPS_H

#include <stddef.h>

#include "measure.h"

/**
 * mm_kstamps_attach() - wrap @l (an open link) so that every round trip also takes the kernel's
 * kick and doorbell stamps from @dir, and put the M4's points on this clock with the offset
 * read there. 0; -ENOENT when @dir has no stamps (the kernel's driver is another one: @l is
 * left as it was); another negative errno with @err.
 */
int mm_kstamps_attach(struct mm_link *l, const char *dir, char *err, size_t errlen);

/** mm_kstamps_detach() - give @l back as it was before mm_kstamps_attach(). */
void mm_kstamps_detach(struct mm_link *l);

#endif /* MEASUREMAN_LINK_KSTAMPS_H */
