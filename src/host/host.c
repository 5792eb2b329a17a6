/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host.c — opening a platform: the description, the SCU, the memory files, one remoteproc per
 * remote core; and closing it again.
 */
#include "rproc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/shm", dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "runtime directory %s: %s", path, strerror(errno));
	return -errno;
}

/* The host's own copies of the configuration's strings. 0 or -ENOMEM. */
static int config_copy(struct mmamp_host *h, const struct mmamp_host_config *cfg)
{
	h->runtime_dir = strdup(cfg->runtime_dir);
	h->firmware_path = strdup(cfg->firmware_path);
	h->simcore = strdup(cfg->simcore);
	h->qemu_bootrom = cfg->qemu_bootrom ? strdup(cfg->qemu_bootrom) : NULL;
	h->qemu = cfg->qemu ? strdup(cfg->qemu) : NULL;
	if (!h->runtime_dir || !h->firmware_path || !h->simcore ||
	    (cfg->qemu_bootrom && !h->qemu_bootrom) || (cfg->qemu && !h->qemu))
		return -ENOMEM;
	return 0;
}

static void config_free(struct mmamp_host *h)
{
	free(h->runtime_dir);
	free(h->firmware_path);
	free(h->simcore);
	free(h->qemu_bootrom);
	free(h->qemu);
}

static void rprocs_destroy(struct mmamp_host *h)
{
	for (size_t i = 0; i < h->nrprocs; i++)
		rproc_destroy(h->rprocs[i]);
	free(h->rprocs);
}

int mmamp_host_open(struct mmamp_host **out, const struct mmamp_host_config *cfg, char *err,
		    size_t errlen)
{
	struct mmamp_host *h;
	int ret;

	if (!out || !cfg || !cfg->platform || !cfg->runtime_dir || !cfg->firmware_path ||
	    !cfg->simcore) {
		snprintf(err, errlen, "host: platform, runtime_dir, firmware_path and simcore are "
			 "all required");
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "host: no memory");
		return -ENOMEM;
	}
	ret = config_copy(h, cfg);
	if (ret) {
		snprintf(err, errlen, "host: no memory for its configuration");
		goto free_host;
	}
	h->polling = cfg->polling;
	h->caller_polls = cfg->caller_polls;
	h->cores_outlive_host = cfg->cores_outlive_host;
	h->ctx = cfg->ctx;
	if (cfg->events)
		h->events = *cfg->events;
	ret = mmamp_platform_load(&h->plat, cfg->platform, err, errlen);
	if (ret)
		goto free_host;
	h->apu = -1;
	for (size_t i = 0; i < h->plat.npartitions; i++)
		if (!h->plat.partitions[i].parent)
			h->apu = (int)h->plat.partitions[i].id;
	ret = mmamp_scu_init(&h->scu, &h->plat);
	if (ret) {
		snprintf(err, errlen, "scu: cannot model %s", cfg->platform);
		goto free_platform;
	}
	ret = make_dirs(h->runtime_dir, err, errlen);
	if (ret)
		goto fini_scu;
	ret = host_memory_open(h, err, errlen); /* what it opened before failing is closed below */
	if (ret)
		goto close_memory;
	h->rprocs = calloc(h->plat.ncores, sizeof(*h->rprocs));
	if (!h->rprocs) {
		snprintf(err, errlen, "host: no memory");
		ret = -ENOMEM;
		goto close_memory;
	}
	for (size_t i = 0; i < h->plat.ncores; i++) {
		ret = rproc_create(h, &h->plat.cores[i], &h->rprocs[i], err, errlen);
		if (ret)
			goto destroy_rprocs;
		h->nrprocs++;
	}
	*out = h;
	return 0;

destroy_rprocs:
	rprocs_destroy(h);
close_memory:
	host_memory_close(h);
fini_scu:
	mmamp_scu_fini(&h->scu);
free_platform:
	mmamp_platform_free(&h->plat);
free_host:
	config_free(h);
	free(h);
	return ret;
}

void mmamp_host_close(struct mmamp_host *h)
{
	if (!h)
		return;
	rprocs_destroy(h);
	host_memory_close(h);
	mmamp_scu_fini(&h->scu);
	mmamp_platform_free(&h->plat);
	config_free(h);
	free(h);
}

size_t mmamp_host_rproc_count(const struct mmamp_host *h)
{
	return h->nrprocs;
}

struct mmamp_rproc *mmamp_host_rproc(struct mmamp_host *h, size_t index)
{
	return index < h->nrprocs ? h->rprocs[index] : NULL;
}

struct mmamp_rproc *mmamp_host_rproc_by_name(struct mmamp_host *h, const char *name)
{
	for (size_t i = 0; i < h->nrprocs; i++)
		if (!strcmp(mmamp_rproc_name(h->rprocs[i]), name))
			return h->rprocs[i];
	return NULL;
}
