/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memory.c — the platform's memory as files: one file per region (or per group of regions that
 * name the same "file", each at its offset: QEMU's main RAM) and per MU page under
 * <runtime>/shm, created at their sizes, mapped by the host where its partition may access them,
 * and laid out contiguously (by device address) for a core's RPMsg window.
 */
#include "host_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_backing(struct mmamp_host *h, const char *name, uint64_t size, bool *fresh,
			char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/shm/%s", h->runtime_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*fresh = (uint64_t)st.st_size != size;
	if (*fresh && ftruncate(fd, (off_t)size)) {
		snprintf(err, errlen, "%s: cannot size to %#llx bytes: %s", path,
			 (unsigned long long)size, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The size of a region's backing file: the end of the last region it holds. */
static uint64_t backing_size(const struct mmamp_platform *p, const struct mmamp_region *r)
{
	uint64_t size = 0;

	for (size_t i = 0; i < p->nregions; i++) {
		const struct mmamp_region *o = &p->regions[i];

		if (!strcmp(o->file, r->file) && o->file_offset + o->size > size)
			size = o->file_offset + o->size;
	}
	return size;
}

int host_memory_open(struct mmamp_host *h, char *err, size_t errlen)
{
	const struct mmamp_platform *p = &h->plat;
	bool fresh;

	h->regions = calloc(p->nregions, sizeof(*h->regions));
	h->mus = calloc(p->nmus, sizeof(*h->mus));
	if (!h->regions || !h->mus)
		return -ENOMEM;
	for (size_t i = 0; i < p->nregions; i++) {
		struct host_region *hr = &h->regions[i];
		unsigned perm;

		hr->r = &p->regions[i];
		hr->fd = open_backing(h, hr->r->file, backing_size(p, hr->r), &fresh, err, errlen);
		if (hr->fd < 0)
			return -EIO;
		perm = mmamp_scu_memreg_perm(&h->scu, hr->r, h->apu);
		if (!(perm & MMAMP_PERM_R))
			continue; /* the host may not look at it: it does not map it */
		hr->host = mmap(NULL, hr->r->size,
				PROT_READ | ((perm & MMAMP_PERM_W) ? PROT_WRITE : 0), MAP_SHARED,
				hr->fd, (off_t)hr->r->file_offset);
		if (hr->host == MAP_FAILED) {
			hr->host = NULL;
			snprintf(err, errlen, "region %s: mmap: %s", hr->r->name, strerror(errno));
			return -EIO;
		}
	}
	for (size_t i = 0; i < p->nmus; i++) {
		struct host_mu *hm = &h->mus[i];

		hm->m = &p->mus[i];
		hm->fd = open_backing(h, hm->m->name, MMAMP_PLATFORM_PAGE, &fresh, err, errlen);
		if (hm->fd < 0)
			return -EIO;
		hm->host = mmap(NULL, MMAMP_PLATFORM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
				hm->fd, 0);
		if (hm->host == MAP_FAILED) {
			hm->host = NULL;
			snprintf(err, errlen, "MU %s: mmap: %s", hm->m->name, strerror(errno));
			return -EIO;
		}
		mu_attach(&hm->mu, hm->host, h->polling ? NULL : mu_host_wake);
		/* A used page keeps its state: a core may still run behind it (attach); each
		 * power-on resets its MU (backend_sim.c). */
		if (fresh)
			mu_reset(&hm->mu);
	}
	return 0;
}

void host_memory_close(struct mmamp_host *h)
{
	for (size_t i = 0; h->regions && i < h->plat.nregions; i++) {
		if (h->regions[i].host)
			munmap(h->regions[i].host, h->regions[i].r->size);
		if (h->regions[i].fd > 0)
			close(h->regions[i].fd);
	}
	for (size_t i = 0; h->mus && i < h->plat.nmus; i++) {
		if (h->mus[i].host)
			munmap(h->mus[i].host, MMAMP_PLATFORM_PAGE);
		if (h->mus[i].fd > 0)
			close(h->mus[i].fd);
	}
	free(h->regions);
	free(h->mus);
	h->regions = NULL;
	h->mus = NULL;
}

struct host_region *host_region_of(struct mmamp_host *h, const struct mmamp_region *r)
{
	return r ? &h->regions[r->index] : NULL;
}

struct host_mu *host_mu_of(struct mmamp_host *h, const struct mmamp_mu *m)
{
	return m ? &h->mus[m->index] : NULL;
}

/*
 * The RPMsg window: the core's RPMsg regions (and its live resource table) mapped again, each
 * at base + (da - lowest da), so that one struct mmamp_shm describes them all, as on the chip.
 * The holes between regions stay PROT_NONE.
 */
int host_rpmsg_window_map(struct mmamp_host *h, const struct mmamp_core *c,
			  struct mmamp_shm *shm, char *err, size_t errlen)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	const struct mmamp_region *list[MMAMP_PLATFORM_MAX_OBJECTS];
	size_t n = 0;
	uint8_t *base;

	for (size_t i = 0; i < c->nrpmsg && n < MMAMP_PLATFORM_MAX_OBJECTS - 1; i++)
		list[n++] = c->rpmsg_regions[i];
	if (c->rsc_table)
		list[n++] = c->rsc_table;
	if (!n) {
		snprintf(err, errlen, "core %s: no RPMsg regions (memory-region) in the platform",
			 c->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (list[i]->da < lo)
			lo = list[i]->da;
		if (list[i]->da + list[i]->size > hi)
			hi = list[i]->da + list[i]->size;
	}
	base = mmap(NULL, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "core %s: cannot reserve the RPMsg window: %s", c->name,
			 strerror(errno));
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct host_region *hr = host_region_of(h, list[i]);
		void *at = base + (list[i]->da - lo);

		if (mmap(at, list[i]->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, hr->fd,
			 (off_t)list[i]->file_offset) == MAP_FAILED) {
			snprintf(err, errlen, "region %s: mmap into the RPMsg window: %s",
				 list[i]->name, strerror(errno));
			munmap(base, hi - lo);
			return -EIO;
		}
	}
	*shm = (struct mmamp_shm){ base, lo, hi - lo };
	return 0;
}

void host_rpmsg_window_unmap(struct mmamp_shm *shm)
{
	if (shm->base)
		munmap(shm->base, shm->size);
	memset(shm, 0, sizeof(*shm));
}
