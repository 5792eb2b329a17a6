/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host_internal.h — what the host library's files share: the host, a remote core's runtime
 * state, and the memory helpers (memory.c). Not installed; not an API.
 */
#ifndef MMAMP_HOST_INTERNAL_H
#define MMAMP_HOST_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "mmamp/host/platform.h"
#include "mmamp/host/rproc.h"
#include "mmamp/host/scu.h"
#include "mmamp/rpmsg.h"
#include "mu_host.h"

/** struct host_region - a region's backing file and, where the APU may read it, its mapping. */
struct host_region {
	const struct mmamp_region *r;
	int fd;
	void *host;
};

/** struct host_mu - an MU page (both sides' registers) and the host's side-A handle. */
struct host_mu {
	const struct mmamp_mu *m;
	int fd;
	void *host;
	struct mu mu;
};

struct mmamp_host {
	struct mmamp_platform plat;
	struct mmamp_scu scu;
	int apu; /* the host's partition id: the boot partition (no parent) */
	char *runtime_dir;
	char *firmware_path;
	char *simcore;
	char *qemu_bootrom; /* NULL: no qemu cores */
	char *qemu;         /* NULL: qemu-system-arm from PATH */
	bool polling;
	bool caller_polls;
	bool cores_outlive_host;
	struct mmamp_host_events events;
	void *ctx;
	struct host_region *regions;
	struct host_mu *mus;
	struct mmamp_rproc **rprocs;
	size_t nrprocs;
};

struct mmamp_channel {
	int refs; /* atomic */
	struct mmamp_rproc *r;
	struct mmamp_channel *next;
	struct mmamp_rpmsg_ept ept;
	char name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t dst;
	bool up;
	mmamp_channel_rx_fn rx;
	void *rx_ctx;
	struct mmamp_channel_stats stats;
};

int host_memory_open(struct mmamp_host *h, char *err, size_t errlen);
void host_memory_close(struct mmamp_host *h);
struct host_region *host_region_of(struct mmamp_host *h, const struct mmamp_region *r);
struct host_mu *host_mu_of(struct mmamp_host *h, const struct mmamp_mu *m);
int host_rpmsg_window_map(struct mmamp_host *h, const struct mmamp_core *c,
			  struct mmamp_shm *shm, char *err, size_t errlen);
void host_rpmsg_window_unmap(struct mmamp_shm *shm);

#endif /* MMAMP_HOST_INTERNAL_H */
