/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/host/platform.h — the platform description: which partitions, memory regions, messaging
 * units and remote cores a board has (docs/sim-platform.md). One device-tree source per board in
 * platforms/ (imx8qxp-sim.dts is the default), compiled to .dtb with dtc at build time and read
 * here with libfdt. Another board is another file, not other code.
 *
 * Schema "mmamp,platform-v1" (full text with examples at the top of platforms/imx8qxp-sim.dts):
 *
 *   /                     compatible contains "mmamp,platform-v1"; model (optional string)
 *   /partitions/<name>    id <u32> (unique); parent <&partition> (absent: the boot partition,
 *                         exactly one); no parent loops
 *   /regions/<name>       address, size (system address and bytes; > 0, 4 KiB multiples),
 *                         device-address (optional: where cores that list it in "att" see it),
 *                         owner <&partition>, grants <&partition perm>... (optional),
 *                         file (optional string: the backing file's name, default the
 *                         region's), file-offset (optional, default 0: where in that file)
 *   /mus/<name>           address, size (one 4 KiB page holding both sides), device-address,
 *                         side-a <&partition resource-id>, side-b <&partition resource-id>
 *   /cores/<name>         resource-id <u32>, owner <&partition>, mu <&mu>, boot-address (device
 *                         address), att <&region...> (the core's address map), memory-region
 *                         <&region...> + memory-region-names (optional, RPMsg vrings/buffers),
 *                         rsc-table <&region> (optional), firmware (optional string), auto-boot
 *                         (optional flag), boot-order <u32> (optional, default 0),
 *                         backend (optional string: "sim" (default) or "qemu")
 *
 * Address/size properties are one cell (32 bits) or two cells (64 bits). Permissions are chmod
 * digits (MMAMP_PERM_*): 0 none, 4 r, 5 rx, 6 rw, 7 rwx. A partition without a grant entry has no
 * access to a region, except its owner, which has rwx unless an entry for it says otherwise.
 * Names (node names without "@unit") are unique within their kind; regions and MUs share one
 * namespace (each becomes a file <runtime>/shm/<name>) and use only [A-Za-z0-9,._+-].
 *
 * Loading validates everything that later code relies on and fails with one line naming the
 * file, the node and the property, e.g.
 *
 *   "platforms/x.dtb: /regions/vdevbuffer: property 'size' missing"
 *   "platforms/x.dtb: /cores/m4_0: property 'owner': phandle 0x63 refers to no node"
 *   "platforms/x.dtb: /regions/vdev0vring1: 0x90004000+0x8000 overlaps region "vdev0vring0"
 *    (0x90000000+0x8000)"
 *
 * The loaded description is immutable: runtime ownership and permissions live in the SCU model
 * (mmamp/host/scu.h), which starts from the owners and grants given here.
 */
#ifndef MMAMP_HOST_PLATFORM_H
#define MMAMP_HOST_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/** The compatible string every platform description must list at its root. */
#define MMAMP_PLATFORM_COMPATIBLE "mmamp,platform-v1"
/** The default platform's base name (platforms/<name>.dts, <build>/platforms/<name>.dtb). */
#define MMAMP_PLATFORM_DEFAULT "imx8qxp-sim"
/** Longest object name, including its NUL. */
#define MMAMP_PLATFORM_NAME_MAX 32u
/** Regions and MU pages are multiples of this (the simulator maps them page by page). */
#define MMAMP_PLATFORM_PAGE 0x1000u
/** At most this many objects of one kind (bounds allocations and quadratic checks). */
#define MMAMP_PLATFORM_MAX_OBJECTS 256u

/* Permissions: chmod digits, as written in the .dts "grants" property. */
#define MMAMP_PERM_NONE 0u
#define MMAMP_PERM_X    1u
#define MMAMP_PERM_W    2u
#define MMAMP_PERM_R    4u
#define MMAMP_PERM_RX   (MMAMP_PERM_R | MMAMP_PERM_X)
#define MMAMP_PERM_RW   (MMAMP_PERM_R | MMAMP_PERM_W)
#define MMAMP_PERM_RWX  (MMAMP_PERM_R | MMAMP_PERM_W | MMAMP_PERM_X)

/**
 * mmamp_perm_valid() - whether @perm is a permission a grant may carry: none, r, rx, rw or rwx
 * (write or execute without read is not a thing memory does).
 */
bool mmamp_perm_valid(unsigned perm);

/** mmamp_perm_name() - "none", "r", "rx", "rw", "rwx" (or "invalid"); a static string. */
const char *mmamp_perm_name(unsigned perm);

/**
 * struct mmamp_partition - an SCU partition.
 * @name:   node name.
 * @id:     its SCU partition number (≤ INT_MAX; the SCU API takes it as an int).
 * @parent: its parent, or NULL for the boot partition.
 */
struct mmamp_partition {
	char name[MMAMP_PLATFORM_NAME_MAX];
	uint32_t id;
	const struct mmamp_partition *parent;
};

/**
 * struct mmamp_grant - one entry of a region's "grants".
 * @partition: who.  @perm: MMAMP_PERM_* it has on the region.
 */
struct mmamp_grant {
	const struct mmamp_partition *partition;
	unsigned perm;
};

/**
 * struct mmamp_region - a memory region (one shared-memory file in the simulator).
 * @name:    node name (unique among regions and MUs).
 * @sys:     system address.  @size: bytes (> 0, multiple of MMAMP_PLATFORM_PAGE).
 * @da:      device address at which the cores that list it in their @att see it, if @has_da.
 * @has_da:  whether "device-address" was given.
 * @owner:   initial owner partition.
 * @grants:  initial grant entries (@ngrants, no partition twice).
 * @file:    the backing file's name (<runtime>/shm/<file>): the region's own name unless
 *           "file" says otherwise — several regions may live in one file (QEMU's main RAM is
 *           one 16 MiB file), at distinct, page-aligned, non-overlapping @file_offset.
 * @file_offset: where the region starts in that file.
 * @index:   position in mmamp_platform.regions.
 */
struct mmamp_region {
	char name[MMAMP_PLATFORM_NAME_MAX];
	uint64_t sys;
	uint64_t size;
	uint64_t da;
	bool has_da;
	const struct mmamp_partition *owner;
	const struct mmamp_grant *grants;
	size_t ngrants;
	const char *file;
	uint64_t file_offset;
	unsigned index;
};

/** The two sides of a messaging unit: A (the application processor's), B (the remote core's). */
enum mmamp_mu_side {
	MMAMP_MU_SIDE_A = 0,
	MMAMP_MU_SIDE_B = 1,
};

/**
 * struct mmamp_mu - a messaging unit: one page holding both sides' register files.
 * @name:        node name (unique among regions and MUs).
 * @sys:         system address of the page.  @size: its size (MMAMP_PLATFORM_PAGE multiple).
 * @da:          where the remote core sees that page.
 * @owner:       initial owner of side A ([MMAMP_MU_SIDE_A]) and side B.
 * @resource_id: SCU resource id of each side (e.g. SC_R_MU_5A = 218, SC_R_MU_5B = 227).
 * @index:       position in mmamp_platform.mus.
 */
struct mmamp_mu {
	char name[MMAMP_PLATFORM_NAME_MAX];
	uint64_t sys;
	uint64_t size;
	uint64_t da;
	const struct mmamp_partition *owner[2];
	uint32_t resource_id[2];
	unsigned index;
};

/**
 * struct mmamp_core - a remote core.
 * @name:         node name ("m4_0").
 * @resource_id:  SCU resource of the core (SC_R_M4_0_PID0 = 278).
 * @owner:        initial owner of the core resource; it and its parent may start/stop the core.
 * @mu:           its messaging unit (the core uses side B, whose initial owner is @owner).
 * @boot_addr:    boot address (device address, inside one of @att).
 * @entry_sys:    the system address of @boot_addr (what fsl,entry-address holds on i.MX8).
 * @att:          the core's address map: the regions it reaches, each at its ->da (@natt, no
 *                two overlapping, none overlapping @mu's page).
 * @rpmsg_regions: the "memory-region" entries (@nrpmsg; each also in @att), with
 * @rpmsg_names:  the name of each as the core's remoteproc matches it ("vdev0vring0").
 * @rsc_table:    the region holding the live resource table, or NULL (in @att).
 * @firmware:     default firmware file name, or NULL.
 * @auto_boot:    boot when the host side starts.
 * @boot_order:   cores boot by increasing order; equal orders boot in parallel.
 * @backend:      what plays the core: "sim" (a process, the default) or "qemu".
 * @index:        position in mmamp_platform.cores.
 */
struct mmamp_core {
	char name[MMAMP_PLATFORM_NAME_MAX];
	uint32_t resource_id;
	const struct mmamp_partition *owner;
	const struct mmamp_mu *mu;
	uint64_t boot_addr;
	uint64_t entry_sys;
	const struct mmamp_region *const *att;
	size_t natt;
	const struct mmamp_region *const *rpmsg_regions;
	const char *const *rpmsg_names;
	size_t nrpmsg;
	const struct mmamp_region *rsc_table;
	const char *firmware;
	bool auto_boot;
	uint32_t boot_order;
	const char *backend;
	unsigned index;
};

/**
 * struct mmamp_platform - a loaded description (read-only after mmamp_platform_load()).
 * @origin:  the path (or name) it was loaded from, for messages.
 * @compatible: the first compatible string ("mmamp,imx8qxp-sim").
 * @model:   the model string, or "" when absent.
 * @partitions, @npartitions / @regions, @nregions / @mus, @nmus / @cores, @ncores: the objects,
 *           in node order.
 * @priv:    private (the blob and allocations).
 */
struct mmamp_platform {
	const char *origin;
	const char *compatible;
	const char *model;
	struct mmamp_partition *partitions;
	size_t npartitions;
	struct mmamp_region *regions;
	size_t nregions;
	struct mmamp_mu *mus;
	size_t nmus;
	struct mmamp_core *cores;
	size_t ncores;
	void *priv;
};

/**
 * mmamp_platform_load() - read and validate a compiled description (.dtb).
 * @p:      filled on success; zeroed on failure (mmamp_platform_free() is then a no-op).
 * @path:   the .dtb file (a .dts is refused with a hint to compile it).
 * @err:    receives one line saying what is wrong (may be NULL).  @errlen: its size.
 *
 * Return: 0, -MMAMP_EINVAL (malformed description), -MMAMP_ENOMEM, or the negative errno of
 * opening/reading the file.
 */
int mmamp_platform_load(struct mmamp_platform *p, const char *path, char *err, size_t errlen);

/**
 * mmamp_platform_load_blob() - as mmamp_platform_load(), from a flattened tree in memory (copied;
 * the caller's buffer may go away). @origin names it in messages ("test.dtb").
 */
int mmamp_platform_load_blob(struct mmamp_platform *p, const void *fdt, size_t size,
			     const char *origin, char *err, size_t errlen);

/** mmamp_platform_free() - release what a successful load allocated; @p is zeroed. */
void mmamp_platform_free(struct mmamp_platform *p);

/* Lookups by name or number; NULL when there is no such object. */
const struct mmamp_partition *mmamp_platform_partition(const struct mmamp_platform *p,
						       const char *name);
const struct mmamp_partition *mmamp_platform_partition_by_id(const struct mmamp_platform *p,
							     uint32_t id);
const struct mmamp_region *mmamp_platform_region(const struct mmamp_platform *p, const char *name);
const struct mmamp_mu *mmamp_platform_mu(const struct mmamp_platform *p, const char *name);
const struct mmamp_core *mmamp_platform_core(const struct mmamp_platform *p, const char *name);
const struct mmamp_core *mmamp_platform_core_by_resource(const struct mmamp_platform *p,
							 uint32_t resource_id);

/** mmamp_platform_has_core() - whether @c is one of @p's cores (safe for any pointer value). */
bool mmamp_platform_has_core(const struct mmamp_platform *p, const struct mmamp_core *c);
/** mmamp_platform_has_region() - whether @r is one of @p's regions (safe for any pointer). */
bool mmamp_platform_has_region(const struct mmamp_platform *p, const struct mmamp_region *r);
/** mmamp_platform_has_mu() - whether @mu is one of @p's MUs (safe for any pointer). */
bool mmamp_platform_has_mu(const struct mmamp_platform *p, const struct mmamp_mu *mu);

/** mmamp_core_sees() - whether @r is in @c's address map (@c->att). */
bool mmamp_core_sees(const struct mmamp_core *c, const struct mmamp_region *r);

/**
 * mmamp_platform_region_at() - the region that wholly covers [@addr, @addr + @len).
 * @c:      whose view: NULL = system addresses (all regions); a core = its device addresses
 *          (the regions of its @att, each at its ->da).
 * @len:    > 0; a range that wraps around 2^64 covers nothing.
 * @offset: if not NULL, receives @addr's offset in the region (system address = ->sys + offset).
 *
 * Return: the region, or NULL (nothing covers the whole range, @len is 0, or @c is not @p's).
 */
const struct mmamp_region *mmamp_platform_region_at(const struct mmamp_platform *p,
						    const struct mmamp_core *c, uint64_t addr,
						    uint64_t len, uint64_t *offset);

MMAMP_END_DECLS

#endif /* MMAMP_HOST_PLATFORM_H */
