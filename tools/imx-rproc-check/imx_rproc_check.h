/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/imx-rproc-check/imx_rproc_check.h — does a firmware file pass what mainline Linux's
 * imx_rproc (i.MX8QXP) and U-Boot's bootaux require of it? The rules (docs/imx8x-board.md,
 * "What the kernel checks"):
 *
 *   segments      every PT_LOAD with bytes lies in one window of the 8QXP address table with
 *                 the driver's strict end check (da + len < window end), and in memory Linux
 *                 can write: the TCM window (0x1FFE0000 + 256 KiB), or a DT memory-region that
 *                 the driver maps (not the vdev* ones)
 *   vectors       the core starts at TCML (fsl,entry-address; e_entry is ignored): a loaded
 *                 640-entry vector table at 0x1FFE0000, initial SP in the TCMs, 8-aligned,
 *                 every handler a Thumb address inside loaded executable TCML
 *   rsc-table     a ".resource_table" section, valid (src/core/rsc_table.c), inside loaded TCM
 *                 (boot without a rsc-table region uses its sh_addr), at most 1 KiB (attach
 *                 maps 1 KiB of the rsc-table region)
 *   vrings        every vdev vring j of vdev i has the DT carveout vdev<i>vring<j>, its da is
 *                 ANY or that carveout's address, and the ring fits in it; the RPMsg buffers
 *                 (vdev<i>buffer) hold 2 × num buffers of 512 bytes; carveout entries name DT
 *                 regions and lie inside them
 *   bootaux       every byte of the image is in TCML and the TCML image is at most 128 KiB;
 *                 with a .bin, it is that image, byte for byte
 */
#ifndef MMAMP_IMX_RPROC_CHECK_H
#define MMAMP_IMX_RPROC_CHECK_H

#include <stddef.h>
#include <stdint.h>

/** struct imx_dt_region - a reserved-memory node of the board's device tree. */
struct imx_dt_region {
	const char *name;
	uint32_t addr;
	uint32_t size;
};

/** The MEK / VAR-SOM-MX8X fragments' regions (platforms/linux/imx8qxp-m4-rpmsg.dtsi). */
extern const struct imx_dt_region imx_dt_mek[];
extern const size_t imx_dt_mek_count;

/** Size of the text a check writes. */
#define IMX_CHECK_TEXT_MAX 8192u

/**
 * struct imx_check - the verdict.
 * @failures: rules that failed (0: the image passes).
 * @text:     one line per rule: "PASS <rule>: ..." or "FAIL <rule>: <what, where, why>".
 */
struct imx_check {
	unsigned failures;
	size_t len;
	char text[IMX_CHECK_TEXT_MAX];
};

/**
 * imx_rproc_check() - apply the rules above to the ELF @elf (@elf_size bytes) against the DT
 * regions @dt[@ndt], and, if @bin is not NULL, to the raw bootaux image @bin (@bin_size bytes).
 * Return: @out->failures.
 */
unsigned imx_rproc_check(const void *elf, size_t elf_size, const void *bin, size_t bin_size,
			 const struct imx_dt_region *dt, size_t ndt, struct imx_check *out);

#endif /* MMAMP_IMX_RPROC_CHECK_H */

/* ---- the board's device tree (optional: the built-in table is the MEK fragment's) ---- */

#define IMX_DT_MAX_REGIONS 16u

/**
 * struct imx_dt - what the checker takes from a compiled device tree: the memory-region nodes of
 * the "fsl,imx8qxp-cm4" node (name = node name without the unit address, as the driver matches
 * it) and its fsl,entry-address.
 */
struct imx_dt {
	struct imx_dt_region region[IMX_DT_MAX_REGIONS];
	char name[IMX_DT_MAX_REGIONS][32];
	size_t n;
	uint32_t entry;
};

/**
 * imx_dt_load() - read @fdt (@size bytes) into @dt. Checks that the M4 node exists, has
 * fsl,entry-address 0x34fe0000 (TCML from the A35), mbox-names "tx", "rx", "rxdb", that each
 * memory-region is a reserved-memory node with one reg entry, and that the first is vdev0buffer. On failure @err says what, where.
 * Return: 0 or a negative MMAMP_E*.
 */
int imx_dt_load(const void *fdt, size_t size, struct imx_dt *dt, char *err, size_t errlen);
