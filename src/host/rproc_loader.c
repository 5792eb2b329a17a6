/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_loader.c — the loader: finding the firmware on the search path, reading it, checking
 * the ELF image against the core, taking its resource table (handled here: the vdev placed in
 * the platform's vring regions, carveouts matched to the core's regions) and loading its
 * segments where the SCU lets the APU write (Linux's remoteproc_elf_loader.c and the resource
 * handlers of remoteproc_core.c).
 */
#include "rproc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	/* O_NONBLOCK: a FIFO in the firmware directory must not block the open (and us) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -ENOEXEC;
	}
	if ((uint64_t)st.st_size > MMAMP_FIRMWARE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	*data = malloc((size_t)st.st_size);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*size = got;
	return 0;
}

struct load_ctx {
	struct mmamp_rproc *r;
	struct mmamp_scu_denial why;
	bool denied;
};

/* The ELF loader's memory map: the APU may write only where the SCU lets it. */
static int load_map(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct load_ctx *lc = ctx;
	struct mmamp_rproc *r = lc->r;
	const struct mmamp_region *reg;
	struct host_region *hr;
	uint64_t off;
	int ret;

	ret = mmamp_scu_check_mem(&r->h->scu, r->h->apu, r->core, da, memsz, MMAMP_PERM_W,
				  &lc->why);
	if (ret) {
		lc->denied = true;
		return ret;
	}
	reg = mmamp_platform_region_at(&r->h->plat, r->core, da, memsz, &off);
	hr = host_region_of(r->h, reg);
	if (!hr || !hr->host)
		return -MMAMP_EACCES;
	*local = (uint8_t *)hr->host + off;
	return 0;
}

static void diag_text(const struct mmamp_diag *d, char *buf, size_t len)
{
	mmamp_diag_format(d, buf, len);
}

/* Place the vdev's vrings in the platform's vdev<i>vring<j> regions and number them. */
static int handle_vdev(struct mmamp_rproc *r, struct mmamp_fw_rsc_vdev *v, unsigned idx,
		       char *err, size_t errlen)
{
	char name[32];

	if (idx > 0)
		return rproc_fail(err, errlen, -EOPNOTSUPP,
			    "resource table: vdev %u: only one vdev per core is supported", idx);
	if (v->id != MMAMP_VIRTIO_ID_RPMSG)
		return rproc_fail(err, errlen, -EOPNOTSUPP,
			    "resource table: vdev %u: virtio id %u is not RPMsg (7)", idx, v->id);
	if (v->num_of_vrings != 2)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "resource table: vdev %u: num_of_vrings %u, RPMsg needs 2", idx,
			    v->num_of_vrings);
	/* One geometry for both rings: the host sets them up alike (Linux only warns, then
	 * misbehaves), so a table that disagrees with itself is refused here. */
	if (v->vring[1].num != v->vring[0].num || v->vring[1].align != v->vring[0].align)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "resource table: vdev %u: vring 1 (num %u, align %#x) differs from "
			    "vring 0 (num %u, align %#x)", idx, v->vring[1].num, v->vring[1].align,
			    v->vring[0].num, v->vring[0].align);
	for (unsigned j = 0; j < 2; j++) {
		const struct mmamp_region *reg = NULL;
		uint32_t size = mmamp_vring_size(v->vring[j].num, v->vring[j].align);

		snprintf(name, sizeof(name), "vdev%uvring%u", idx, j);
		for (size_t k = 0; k < r->core->nrpmsg; k++)
			if (!strcmp(r->core->rpmsg_names[k], name))
				reg = r->core->rpmsg_regions[k];
		if (!reg)
			return rproc_fail(err, errlen, -ENOMEM,
				    "core %s: no carveout named %s for vdev %u vring %u",
				    r->core->name, name, idx, j);
		if (size > reg->size)
			return rproc_fail(err, errlen, -ENOMEM,
				    "vdev %u vring %u: num %u align %#x needs %#x bytes, region %s "
				    "has %#llx", idx, j, v->vring[j].num, v->vring[j].align, size,
				    reg->name, (unsigned long long)reg->size);
		if (v->vring[j].da != MMAMP_FW_RSC_ADDR_ANY && v->vring[j].da != reg->da)
			return rproc_fail(err, errlen, -ENOMEM,
				    "vdev %u vring %u: firmware wants da %#x, region %s is at %#llx",
				    idx, j, v->vring[j].da, reg->name,
				    (unsigned long long)reg->da);
		r->vring_region[j] = reg;
		v->vring[j].notifyid = j; /* the rproc-wide IDR: vdev0 gets 0 and 1 */
	}
	r->vdev_offset = (uint32_t)((uint8_t *)v - (uint8_t *)r->cached_table);
	return 0;
}

int rproc_handle_resources(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	unsigned vdevs = 0;
	char text[160];
	int ret;

	for (unsigned i = 0;; i++) {
		ret = mmamp_rsc_table_entry(r->cached_table, r->table_size, i, &e, &d);
		if (ret == -MMAMP_ENOENT)
			return 0;
		if (ret) {
			diag_text(&d, text, sizeof(text));
			return rproc_fail(err, errlen, ret, "resource table: %s", text);
		}
		switch (e.type) {
		case MMAMP_RSC_VDEV:
			ret = handle_vdev(r, e.body, vdevs++, err, errlen);
			break;
		case MMAMP_RSC_DEVMEM:
			ret = rproc_fail(err, errlen, -EINVAL,
				   "resource entry %u: RSC_DEVMEM needs an IOMMU, which this core has "
				   "not (as i.MX)", i);
			break;
		case MMAMP_RSC_CARVEOUT: {
			struct mmamp_fw_rsc_carveout *c = e.body;
			const struct mmamp_region *reg = NULL;

			/* a pre-registered carveout: a region of the core's map with that name */
			for (size_t k = 0; k < r->core->natt; k++)
				if (!strncmp(r->core->att[k]->name, c->name, sizeof(c->name)))
					reg = r->core->att[k];
			if (!reg || c->len > reg->size ||
			    (c->da != MMAMP_FW_RSC_ADDR_ANY &&
			     (c->da < reg->da || c->da - reg->da > reg->size - c->len))) {
				ret = rproc_fail(err, errlen, -ENOMEM,
					   "resource entry %u: carveout \"%.32s\" (da %#x len %#x) "
					   "does not fit a region of core %s", i, c->name, c->da,
					   c->len, r->core->name);
				break;
			}
			c->da = (uint32_t)reg->da;
			c->pa = (uint32_t)reg->sys;
			break;
		}
		default: /* trace, vendor and unknown entries: accepted, nothing to do here */
			break;
		}
		if (ret)
			return ret;
	}
}

/* The first directory of the ':'-separated @search that has @name (else the first one's path,
 * for the error message). */
static void find_firmware(const char *search, const char *name, char *path, size_t len)
{
	const char *dir = search;

	for (;;) {
		size_t n = strcspn(dir, ":");

		snprintf(path, len, "%.*s/%s", (int)n, dir, name);
		if (access(path, F_OK) == 0 || !dir[n])
			break;
		dir += n + 1;
	}
	if (access(path, F_OK))
		snprintf(path, len, "%.*s/%s", (int)strcspn(search, ":"), search, name);
}

/*
 * Read the firmware the core is set to, check it (ELF, machine, resource table), take its
 * resource table into r->cached_table, place the vdev, and load its segments through the SCU.
 * Lock held.
 */
int rproc_load_firmware(struct mmamp_rproc *r, char *err, size_t errlen)
{
	char path[4096], text[200];
	struct mmamp_elf_image img;
	struct load_ctx lc = { .r = r };
	struct mmamp_diag d;
	const void *table;
	size_t tsize;
	int ret;

	/* set_firmware checked it; a name from an earlier host's record was not */
	if (mmamp_firmware_name_check(r->firmware, text, sizeof(text)))
		return rproc_fail(err, errlen, -EINVAL, "firmware name: %s", text);
	find_firmware(r->h->firmware_path, r->firmware, path, sizeof(path));
	free(r->image);
	r->image = NULL;
	ret = read_file(path, &r->image, &r->image_size);
	if (ret == -EFBIG)
		return rproc_fail(err, errlen, ret, "firmware %s: larger than the %u MiB a firmware "
				  "may have", path, MMAMP_FIRMWARE_MAX_BYTES >> 20);
	if (ret)
		return rproc_fail(err, errlen, ret, "firmware %s: %s", path,
			    ret == -ENOEXEC ? "not a regular, non-empty file" : strerror(-ret));
	ret = mmamp_elf_parse(&img, r->image, r->image_size, &d);
	if (!ret)
		ret = mmamp_elf_check_segments(&img, &d);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	if (img.machine != r->bk->elf_machine)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: ELF e_machine %u, but core %s (backend %s) runs "
			    "e_machine %u", r->firmware, img.machine, r->core->name, r->bk->name,
			    r->bk->elf_machine);

	ret = mmamp_elf_find_rsc_table(&img, &table, &tsize, NULL, &d);
	if (ret == -MMAMP_ENOENT)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: no .resource_table section: nothing to talk to",
			    r->firmware);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	if (!r->core->rsc_table || tsize > r->core->rsc_table->size)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: resource table of %zu bytes does not fit core %s's "
			    "rsc-table region", r->firmware, tsize, r->core->name);
	free(r->cached_table);
	r->cached_table = malloc(tsize);
	if (!r->cached_table)
		return -ENOMEM;
	memcpy(r->cached_table, table, tsize);
	r->table_size = tsize;
	r->vdev_offset = 0;
	ret = mmamp_rsc_table_validate(r->cached_table, tsize, &d);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: resource table: %s", r->firmware,
			    text);
	}
	ret = rproc_handle_resources(r, err, errlen);
	if (ret)
		return ret;
	if (!r->vdev_offset)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: the resource table has no RPMsg vdev", r->firmware);

	ret = mmamp_elf_load(&img, load_map, &lc, &d);
	if (ret && lc.denied)
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, lc.why.msg);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	r->boot_addr = r->core->boot_addr;
	return 0;
}
