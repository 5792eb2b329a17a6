/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/imx-rproc-check/main.c — mmamp-imx-rproc-check: check an i.MX8QXP M4 firmware against
 * mainline imx_rproc's and U-Boot bootaux's rules (imx_rproc_check.h) before it goes near a
 * board. Prints one PASS/FAIL line per rule; exit 0 if all pass, 1 if one fails, 2 for bad use.
 *
 *   mmamp-imx-rproc-check [--dtb BOARD.dtb] FIRMWARE.elf [FIRMWARE.bin]
 *
 * Without --dtb the regions are those of platforms/linux/imx8qxp-m4-rpmsg.dtsi; with it, the
 * memory-regions of the board device tree's "fsl,imx8qxp-cm4" node (checked too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imx_rproc_check.h"

#define FILE_MAX (16u << 20)

/* Read all of @path into a malloc'd buffer; on failure say what and where. */
static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "mmamp-imx-rproc-check: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(FILE_MAX + 1u);
	if (buf)
		n = fread(buf, 1, FILE_MAX + 1u, f);
	if (!buf || ferror(f) || n > FILE_MAX) {
		fprintf(stderr, "mmamp-imx-rproc-check: cannot read %s: %s\n", path,
			!buf ? "out of memory" : n > FILE_MAX ? "larger than 16 MiB" : strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

static int usage(FILE *to, int ret)
{
	fprintf(to, "usage: mmamp-imx-rproc-check [--dtb BOARD.dtb] FIRMWARE.elf [FIRMWARE.bin]\n"
		    "Checks an i.MX8QXP M4 firmware against mainline imx_rproc (address table, vector "
		    "table at TCML,\n.resource_table, vrings vs. the device tree's carveouts) and "
		    "U-Boot bootaux (128 KiB TCML image).\n");
	return ret;
}

/* --dtb: the board's regions, or the built-in ones. Return: 0, or 2 after saying why. */
static int load_dt(const char *path, struct imx_dt *dt, const struct imx_dt_region **r,
		   size_t *n)
{
	char err[256];
	size_t size = 0;
	void *fdt;
	int ret;

	*r = imx_dt_mek;
	*n = imx_dt_mek_count;
	if (!path)
		return 0;
	fdt = slurp(path, &size);
	if (!fdt)
		return 2;
	ret = imx_dt_load(fdt, size, dt, err, sizeof(err));
	free(fdt);
	if (ret) {
		printf("FAIL dt: %s: %s\n%s: REJECTED (the device tree)\n", path, err, path);
		return 1;
	}
	printf("PASS dt: %s: M4 node, entry 0x%08x, %zu memory-regions\n", path, dt->entry, dt->n);
	*r = dt->region;
	*n = dt->n;
	return 0;
}

int main(int argc, char **argv)
{
	static struct imx_check out;
	static struct imx_dt dt;
	const struct imx_dt_region *regions;
	const char *dtb = NULL;
	void *elf, *bin = NULL;
	size_t elf_size = 0, bin_size = 0, nregions;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	if (argc > 2 && !strcmp(argv[1], "--dtb")) {
		dtb = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || argc > 3)
		return usage(stderr, 2);
	ret = load_dt(dtb, &dt, &regions, &nregions);
	if (ret)
		return ret;
	elf = slurp(argv[1], &elf_size);
	if (!elf)
		return 2;
	if (argc == 3) {
		bin = slurp(argv[2], &bin_size);
		if (!bin) {
			free(elf);
			return 2;
		}
	}
	imx_rproc_check(elf, elf_size, bin, bin_size, regions, nregions, &out);
	fputs(out.text, stdout);
	printf("%s: %s (%u rule(s) failed)\n", argv[1], out.failures ? "REJECTED" : "accepted",
	       out.failures);
	free(elf);
	free(bin);
	return out.failures ? 1 : 0;
}
