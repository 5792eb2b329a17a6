/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/imx-rproc-check/main.c — mmamp-imx-rproc-check: check an i.MX8QXP M4 firmware against
 * mainline imx_rproc's and U-Boot bootaux's rules (imx_rproc_check.h) before it goes near a
 * board. Prints one PASS/FAIL line per rule; exit 0 if all pass, 1 if one fails, 2 for bad use.
 *
 *   mmamp-imx-rproc-check FIRMWARE.elf [FIRMWARE.bin]
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

int main(int argc, char **argv)
{
	static struct imx_check out;
	void *elf, *bin = NULL;
	size_t elf_size = 0, bin_size = 0;

	if (argc < 2 || argc > 3 || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 || argc > 3 ? stderr : stdout,
			"usage: mmamp-imx-rproc-check FIRMWARE.elf [FIRMWARE.bin]\n"
			"Checks an i.MX8QXP M4 firmware against mainline imx_rproc (address table, "
			"vector table at TCML,\n.resource_table, vrings vs. the MEK device tree) and "
			"U-Boot bootaux (128 KiB TCML image).\n");
		return argc < 2 || argc > 3 ? 2 : 0;
	}
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
	imx_rproc_check(elf, elf_size, bin, bin_size, imx_dt_mek, imx_dt_mek_count, &out);
	fputs(out.text, stdout);
	printf("%s: %s (%u rule(s) failed)\n", argv[1], out.failures ? "REJECTED" : "accepted",
	       out.failures);
	free(elf);
	free(bin);
	return out.failures ? 1 : 0;
}
