/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/imx-rproc-check/imx_rproc_dt.c — the device-tree half of the checker: the M4 node and
 * its memory regions, from a compiled board device tree (imx_rproc_check.h: imx_dt_load()).
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "imx_rproc_check.h"
#include "mmamp/errno.h"

#define ENTRY_ADDRESS 0x34FE0000u

static int fail(char *err, size_t errlen, int ret, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return ret;
}

/* The @i-th cell group of @prop at @cells cells (1 or 2) as a number. */
static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

static int region(const void *fdt, int node, struct imx_dt *dt, char *err, size_t errlen)
{
	int parent = fdt_parent_offset(fdt, node), ac, sc, len;
	const char *name = fdt_get_name(fdt, node, NULL);
	const fdt32_t *reg;
	size_t n = strcspn(name, "@");
	uint64_t addr, size;

	if (dt->n >= IMX_DT_MAX_REGIONS)
		return fail(err, errlen, -MMAMP_ENOSPC, "more than 16 memory-regions");
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || !reg || len != 4 * (ac + sc)) {
		snprintf(err, errlen, "memory-region %s: needs one reg entry of %d + %d cells", name,
			 ac, sc);
		return -MMAMP_EINVAL;
	}
	addr = cells(reg, ac);
	size = cells(reg + ac, sc);
	if (addr > UINT32_MAX || size > UINT32_MAX - addr || n >= sizeof(dt->name[0])) {
		snprintf(err, errlen, "memory-region %s: not in the M4's 32-bit address space", name);
		return -MMAMP_EINVAL;
	}
	memcpy(dt->name[dt->n], name, n);
	dt->name[dt->n][n] = 0;
	dt->region[dt->n].name = dt->name[dt->n];
	dt->region[dt->n].addr = (uint32_t)addr;
	dt->region[dt->n].size = (uint32_t)size;
	dt->n++;
	return 0;
}

int imx_dt_load(const void *fdt, size_t size, struct imx_dt *dt, char *err, size_t errlen)
{
	static const char mbox_names[] = "tx\0rx\0rxdb";
	const fdt32_t *p;
	const void *names;
	int node, len, ret;

	memset(dt, 0, sizeof(*dt));
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) || fdt_totalsize(fdt) > size)
		return fail(err, errlen, -MMAMP_ENOEXEC, "not a compiled device tree");
	node = fdt_node_offset_by_compatible(fdt, -1, "fsl,imx8qxp-cm4");
	if (node < 0)
		return fail(err, errlen, -MMAMP_ENOENT, "no node compatible with \"fsl,imx8qxp-cm4\"");
	p = fdt_getprop(fdt, node, "fsl,entry-address", &len);
	if (!p || len != 4 || fdt32_to_cpu(*p) != ENTRY_ADDRESS) {
		snprintf(err, errlen, "fsl,entry-address is %s0x%x, not 0x34fe0000 (TCML from the "
			 "A35, where the vector table is)", p && len == 4 ? "" : "missing, ",
			 p && len == 4 ? fdt32_to_cpu(*p) : 0);
		return -MMAMP_EINVAL;
	}
	dt->entry = fdt32_to_cpu(*p);
	names = fdt_getprop(fdt, node, "mbox-names", &len);
	if (!names || len != (int)sizeof(mbox_names) || memcmp(names, mbox_names, sizeof(mbox_names)))
		return fail(err, errlen, -MMAMP_EINVAL,
			    "mbox-names is not \"tx\", \"rx\", \"rxdb\" (TR1, RR1, GIP1 of MU5 A)");
	p = fdt_getprop(fdt, node, "memory-region", &len);
	if (!p || len <= 0 || len % 4)
		return fail(err, errlen, -MMAMP_EINVAL, "the M4 node has no memory-region");
	for (int i = 0; i < len / 4; i++) {
		int r = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p[i]));

		if (r < 0) {
			snprintf(err, errlen, "memory-region %d: no node with that phandle", i);
			return -MMAMP_EINVAL;
		}
		ret = region(fdt, r, dt, err, errlen);
		if (ret)
			return ret;
	}
	/* imx_rproc does not register vdev0buffer as a carveout; the virtio device falls back to
	 * memory-region index (vdev index) 0 as its DMA pool. */
	if (strcmp(dt->name[0], "vdev0buffer"))
		return fail(err, errlen, -MMAMP_EINVAL,
			    "memory-region[0] is not vdev0buffer (vdev 0 takes index 0 as its buffers)");
	return 0;
}
