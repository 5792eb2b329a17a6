/*
 * test_platform.c — platform descriptions: the two shipped boards load with the reference numbers
 * (docs/imx8x-board.md), device-address translation through a core's view, and every schema
 * violation is refused with its one-line message (trees built in memory with libfdt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include "mmamp/errno.h"
#include "mmamp/host/platform.h"

#ifndef MMAMP_PLATFORM_DIR
#error "MMAMP_PLATFORM_DIR (the build directory of platforms/) must be defined"
#endif

static const char *platform_dir = MMAMP_PLATFORM_DIR;

static void load_board(struct mmamp_platform *p, const char *name)
{
	char path[512];
	char err[512] = "";
	int ret;

	snprintf(path, sizeof(path), "%s/%s.dtb", platform_dir, name);
	ret = mmamp_platform_load(p, path, err, sizeof(err));
	if (ret)
		fail_msg("%s: %d %s", path, ret, err);
}

/* ---- the shipped boards ----------------------------------------------------------------- */

struct region_ref {
	const char *name;
	uint64_t sys, da, size;
	const char *owner;
	const char *grant_pt[2];
	unsigned grant_perm[2];
};

static void check_region(const struct mmamp_platform *p, const struct region_ref *ref)
{
	const struct mmamp_region *r = mmamp_platform_region(p, ref->name);
	size_t i;

	if (!r)
		fail_msg("region %s missing", ref->name);
	assert_int_equal(r->sys, ref->sys);
	assert_int_equal(r->size, ref->size);
	assert_true(r->has_da);
	assert_int_equal(r->da, ref->da);
	assert_string_equal(r->owner->name, ref->owner);
	assert_int_equal(r->ngrants, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(r->grants[i].partition->name, ref->grant_pt[i]);
		assert_int_equal(r->grants[i].perm, ref->grant_perm[i]);
	}
	assert_ptr_equal(&p->regions[r->index], r);
}

static const struct region_ref qxp_regions[] = {
	{ "m4-tcml", 0x34FE0000, 0x1FFE0000, 0x20000, "m4", { "m4", "apu" }, { 7, 6 } },
	{ "m4-tcmu", 0x35000000, 0x20000000, 0x20000, "m4", { "m4", "apu" }, { 6, 6 } },
	{ "m4-ddr", 0x88000000, 0x88000000, 0x100000, "m4", { "m4", "apu" }, { 7, 6 } },
	{ "vdev0vring0", 0x90000000, 0x90000000, 0x8000, "apu", { "apu", "m4" }, { 6, 6 } },
	{ "vdev0vring1", 0x90008000, 0x90008000, 0x8000, "apu", { "apu", "m4" }, { 6, 6 } },
	{ "vdev1vring0", 0x90010000, 0x90010000, 0x8000, "apu", { "apu", "m4" }, { 6, 6 } },
	{ "vdev1vring1", 0x90018000, 0x90018000, 0x8000, "apu", { "apu", "m4" }, { 6, 6 } },
	{ "rsc-table", 0x900FF000, 0x900FF000, 0x1000, "apu", { "apu", "m4" }, { 6, 6 } },
	{ "vdevbuffer", 0x90400000, 0x90400000, 0x100000, "apu", { "apu", "m4" }, { 6, 6 } },
};

static void imx8qxp_has_the_reference_numbers(void **state)
{
	struct mmamp_platform p;
	const struct mmamp_partition *apu, *m4;
	const struct mmamp_mu *mu;
	const struct mmamp_core *c;
	static const char *const rpmsg[] = { "vdevbuffer", "vdev0vring0", "vdev0vring1",
					     "vdev1vring0", "vdev1vring1" };
	size_t i;

	(void)state;
	load_board(&p, "imx8qxp-sim");
	assert_string_equal(p.compatible, "mmamp,imx8qxp-sim");
	assert_non_null(strstr(p.model, "i.MX8QXP"));

	assert_int_equal(p.npartitions, 2);
	apu = mmamp_platform_partition(&p, "apu");
	m4 = mmamp_platform_partition(&p, "m4");
	assert_non_null(apu);
	assert_non_null(m4);
	assert_int_equal(apu->id, 1);
	assert_null(apu->parent);
	assert_int_equal(m4->id, 2);
	assert_ptr_equal(m4->parent, apu);
	assert_ptr_equal(mmamp_platform_partition_by_id(&p, 2), m4);

	assert_int_equal(p.nregions, sizeof(qxp_regions) / sizeof(qxp_regions[0]));
	for (i = 0; i < p.nregions; i++)
		check_region(&p, &qxp_regions[i]);

	assert_int_equal(p.nmus, 1);
	mu = mmamp_platform_mu(&p, "lsio-mu5");
	assert_non_null(mu);
	assert_int_equal(mu->sys, 0x5D200000);
	assert_int_equal(mu->size, 0x1000);
	/* The M4 reaches its side of MU5 at side B's block, not side A's (docs/imx8x-board.md). */
	assert_int_equal(mu->da, 0x5D290000);
	assert_ptr_equal(mu->owner[MMAMP_MU_SIDE_A], apu);
	assert_ptr_equal(mu->owner[MMAMP_MU_SIDE_B], m4);
	assert_int_equal(mu->resource_id[MMAMP_MU_SIDE_A], 218);
	assert_int_equal(mu->resource_id[MMAMP_MU_SIDE_B], 227);

	assert_int_equal(p.ncores, 1);
	c = mmamp_platform_core(&p, "m4_0");
	assert_non_null(c);
	assert_ptr_equal(mmamp_platform_core_by_resource(&p, 278), c);
	assert_int_equal(c->resource_id, 278);
	assert_ptr_equal(c->owner, m4);
	assert_ptr_equal(c->mu, mu);
	assert_int_equal(c->boot_addr, 0x1FFE0000);
	assert_int_equal(c->entry_sys, 0x34FE0000);
	assert_int_equal(c->natt, 9);
	for (i = 0; i < p.nregions; i++)
		assert_true(mmamp_core_sees(c, &p.regions[i]));
	assert_ptr_equal(c->rsc_table, mmamp_platform_region(&p, "rsc-table"));
	assert_int_equal(c->nrpmsg, 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(c->rpmsg_regions[i]->name, rpmsg[i]);
		assert_string_equal(c->rpmsg_names[i], rpmsg[i]);
	}
	assert_null(c->firmware);
	assert_false(c->auto_boot);
	assert_int_equal(c->boot_order, 0);

	assert_null(mmamp_platform_region(&p, "nope"));
	assert_null(mmamp_platform_partition(&p, "m5"));
	assert_null(mmamp_platform_core(&p, "m4_1"));
	assert_null(mmamp_platform_mu(&p, "lsio-mu6"));
	assert_null(mmamp_platform_core_by_resource(&p, 298));
	mmamp_platform_free(&p);
	assert_int_equal(p.nregions, 0);
	mmamp_platform_free(&p);
}

static const struct region_ref qm_regions[] = {
	{ "m4_0-tcml", 0x34FE0000, 0x1FFE0000, 0x20000, "m4_0", { "m4_0", "apu" }, { 7, 6 } },
	{ "m4_0-tcmu", 0x35000000, 0x20000000, 0x20000, "m4_0", { "m4_0", "apu" }, { 6, 6 } },
	{ "m4_0-ddr", 0x88000000, 0x88000000, 0x100000, "m4_0", { "m4_0", "apu" }, { 7, 6 } },
	{ "vdev0vring0", 0x90000000, 0x90000000, 0x8000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "vdev0vring1", 0x90008000, 0x90008000, 0x8000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "vdev1vring0", 0x90010000, 0x90010000, 0x8000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "vdev1vring1", 0x90018000, 0x90018000, 0x8000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "rsc-table", 0x900FF000, 0x900FF000, 0x1000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "vdevbuffer", 0x90400000, 0x90400000, 0x100000, "apu", { "apu", "m4_0" }, { 6, 6 } },
	{ "m4_1-tcml", 0x38FE0000, 0x1FFE0000, 0x20000, "m4_1", { "m4_1", "apu" }, { 7, 6 } },
	{ "m4_1-tcmu", 0x39000000, 0x20000000, 0x20000, "m4_1", { "m4_1", "apu" }, { 6, 6 } },
	{ "m4_1-ddr", 0x88800000, 0x88800000, 0x100000, "m4_1", { "m4_1", "apu" }, { 7, 6 } },
	{ "m4_1-vdev0vring0", 0x90100000, 0x90100000, 0x8000, "apu", { "apu", "m4_1" }, { 6, 6 } },
	{ "m4_1-vdev0vring1", 0x90108000, 0x90108000, 0x8000, "apu", { "apu", "m4_1" }, { 6, 6 } },
	{ "m4_1-vdev1vring0", 0x90110000, 0x90110000, 0x8000, "apu", { "apu", "m4_1" }, { 6, 6 } },
	{ "m4_1-vdev1vring1", 0x90118000, 0x90118000, 0x8000, "apu", { "apu", "m4_1" }, { 6, 6 } },
	{ "m4_1-rsc-table", 0x901FF000, 0x901FF000, 0x1000, "apu", { "apu", "m4_1" }, { 6, 6 } },
	{ "m4_1-vdevbuffer", 0x90500000, 0x90500000, 0x100000, "apu", { "apu", "m4_1" }, { 6, 6 } },
};

static void imx8qm_has_two_cores(void **state)
{
	struct mmamp_platform p;
	const struct mmamp_core *c0, *c1;
	uint64_t off = 0;
	size_t i;

	(void)state;
	load_board(&p, "imx8qm-sim");
	assert_string_equal(p.compatible, "mmamp,imx8qm-sim");
	assert_int_equal(p.npartitions, 3);
	assert_int_equal(mmamp_platform_partition(&p, "m4_1")->id, 3);
	assert_ptr_equal(mmamp_platform_partition(&p, "m4_1")->parent,
			 mmamp_platform_partition(&p, "apu"));
	assert_int_equal(p.nregions, sizeof(qm_regions) / sizeof(qm_regions[0]));
	for (i = 0; i < p.nregions; i++)
		check_region(&p, &qm_regions[i]);

	assert_int_equal(p.ncores, 2);
	c0 = mmamp_platform_core(&p, "m4_0");
	c1 = mmamp_platform_core(&p, "m4_1");
	assert_non_null(c0);
	assert_non_null(c1);
	assert_int_equal(c0->resource_id, 278);
	assert_int_equal(c1->resource_id, 298);
	assert_string_equal(c0->owner->name, "m4_0");
	assert_string_equal(c1->owner->name, "m4_1");
	assert_string_equal(c0->mu->name, "lsio-mu5");
	assert_string_equal(c1->mu->name, "lsio-mu6");
	assert_int_equal(c1->mu->sys, 0x5D210000);
	assert_int_equal(c0->mu->da, 0x5D290000); /* MU5 side B */
	assert_int_equal(c1->mu->da, 0x5D2A0000); /* MU6 side B */
	assert_int_equal(c1->mu->resource_id[MMAMP_MU_SIDE_A], 219);
	assert_int_equal(c1->mu->resource_id[MMAMP_MU_SIDE_B], 228);
	assert_int_equal(c0->boot_addr, 0x1FFE0000);
	assert_int_equal(c1->boot_addr, 0x1FFE0000);
	assert_int_equal(c0->entry_sys, 0x34FE0000);
	assert_int_equal(c1->entry_sys, 0x38FE0000);
	assert_true(c0->boot_order < c1->boot_order);
	assert_true(c0->auto_boot && c1->auto_boot);
	assert_string_equal(c0->firmware, "fw_echo");
	assert_string_equal(c1->firmware, "fw_echo_m4_1");
	assert_string_equal(c1->rsc_table->name, "m4_1-rsc-table");
	assert_int_equal(c1->nrpmsg, 5);
	assert_string_equal(c1->rpmsg_regions[1]->name, "m4_1-vdev0vring0");
	assert_string_equal(c1->rpmsg_names[1], "vdev0vring0");
	assert_string_equal(c0->rpmsg_names[0], "vdevbuffer");

	/* The same device address is each core's own TCM. */
	assert_string_equal(mmamp_platform_region_at(&p, c0, 0x1FFE0010, 0x10, &off)->name,
			    "m4_0-tcml");
	assert_int_equal(off, 0x10);
	assert_string_equal(mmamp_platform_region_at(&p, c1, 0x1FFE0010, 0x10, &off)->name,
			    "m4_1-tcml");
	/* A core does not reach the other's RPMsg memory. */
	assert_null(mmamp_platform_region_at(&p, c0, 0x90100000, 4, NULL));
	assert_non_null(mmamp_platform_region_at(&p, c1, 0x90100000, 4, NULL));
	mmamp_platform_free(&p);
}

static void region_at_translates_through_the_core_view(void **state)
{
	struct mmamp_platform p, q;
	const struct mmamp_core *c;
	const struct mmamp_region *r;
	uint64_t off = 0;

	(void)state;
	load_board(&p, "imx8qxp-sim");
	c = mmamp_platform_core(&p, "m4_0");

	r = mmamp_platform_region_at(&p, c, 0x1FFE0100, 0x100, &off);
	assert_non_null(r);
	assert_string_equal(r->name, "m4-tcml");
	assert_int_equal(off, 0x100);
	assert_int_equal(r->sys + off, 0x34FE0100);
	/* The whole region, exactly. */
	assert_ptr_equal(mmamp_platform_region_at(&p, c, 0x20000000, 0x20000, &off),
			 mmamp_platform_region(&p, "m4-tcmu"));
	assert_int_equal(off, 0);
	assert_ptr_equal(mmamp_platform_region_at(&p, c, 0x904FFFFF, 1, &off),
			 mmamp_platform_region(&p, "vdevbuffer"));
	assert_int_equal(off, 0xFFFFF);
	/* System addresses: the same TCM at 0x34FE0000, which the M4 cannot address. */
	assert_ptr_equal(mmamp_platform_region_at(&p, NULL, 0x34FE0100, 0x100, &off),
			 mmamp_platform_region(&p, "m4-tcml"));
	assert_int_equal(off, 0x100);
	assert_null(mmamp_platform_region_at(&p, c, 0x34FE0100, 0x100, NULL));
	assert_null(mmamp_platform_region_at(&p, NULL, 0x1FFE0100, 0x100, NULL));
	/* One byte past, straddling two adjacent regions, empty, wrapping. */
	assert_null(mmamp_platform_region_at(&p, c, 0x20000000, 0x20001, NULL));
	assert_null(mmamp_platform_region_at(&p, c, 0x90007F00, 0x200, NULL));
	assert_null(mmamp_platform_region_at(&p, c, 0x90000000, 0, NULL));
	assert_null(mmamp_platform_region_at(&p, c, 0x90000000, UINT64_MAX, NULL));
	assert_null(mmamp_platform_region_at(&p, c, UINT64_MAX, 2, NULL));
	assert_null(mmamp_platform_region_at(&p, c, 0x1FF00000, 0x400, NULL));

	/* A core of another platform is no view of this one. */
	load_board(&q, "imx8qm-sim");
	assert_null(mmamp_platform_region_at(&p, mmamp_platform_core(&q, "m4_0"), 0x1FFE0000, 4,
					     NULL));
	assert_false(mmamp_platform_has_core(&p, mmamp_platform_core(&q, "m4_0")));
	assert_false(mmamp_platform_has_region(&p, &q.regions[0]));
	assert_true(mmamp_platform_has_region(&p, &p.regions[3]));
	mmamp_platform_free(&q);
	mmamp_platform_free(&p);
}

static void perm_names(void **state)
{
	(void)state;
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_NONE), "none");
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_R), "r");
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_RX), "rx");
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_RW), "rw");
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_RWX), "rwx");
	assert_string_equal(mmamp_perm_name(MMAMP_PERM_W), "invalid");
	assert_false(mmamp_perm_valid(MMAMP_PERM_W | MMAMP_PERM_X));
	assert_false(mmamp_perm_valid(8));
	assert_true(mmamp_perm_valid(MMAMP_PERM_RW));
}

static void file_errors_are_reported(void **state)
{
	struct mmamp_platform p;
	char err[512];
	char path[512];
	FILE *f;
	int ret;

	(void)state;
	ret = mmamp_platform_load(&p, "/nonexistent/x.dtb", err, sizeof(err));
	assert_int_equal(ret, -MMAMP_ENOENT);
	assert_string_equal(err, "/nonexistent/x.dtb: No such file or directory");
	assert_int_equal(p.ncores, 0);

	snprintf(path, sizeof(path), "%s/test-platform-garbage.dts", platform_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("/dts-v1/;\n/ { };\n", f);
	fclose(f);
	ret = mmamp_platform_load(&p, path, err, sizeof(err));
	remove(path);
	assert_int_equal(ret, -MMAMP_EINVAL);
	assert_non_null(strstr(err, "test-platform-garbage.dts: not a valid flattened device tree "
				    "(FDT_ERR_BADMAGIC); compile it with dtc -I dts -O dtb"));

	ret = mmamp_platform_load(&p, platform_dir, err, sizeof(err));
	assert_int_equal(ret, -MMAMP_EINVAL);
	assert_non_null(strstr(err, "not a regular file"));

	/* A NULL error buffer is allowed. */
	assert_int_equal(mmamp_platform_load(&p, "/nonexistent/x.dtb", NULL, 0), -MMAMP_ENOENT);
	assert_int_equal(mmamp_platform_load_blob(&p, "junk", 4, "junk.dtb", err, sizeof(err)),
			 -MMAMP_EINVAL);
	assert_string_equal(err, "junk.dtb: not a valid flattened device tree (FDT_ERR_BADMAGIC)");
	assert_int_equal(mmamp_platform_load_blob(&p, "\xd0\x0d\xfe\xed", 4, "short.dtb", err,
						  sizeof(err)), -MMAMP_EINVAL);
	assert_string_equal(err, "short.dtb: not a valid flattened device tree (FDT_ERR_TRUNCATED)");
}

/* ---- malformed descriptions, built in memory -------------------------------------------- */

#define TREE_SIZE 16384

#define CHECK_FDT(x)                                                                      \
	do {                                                                              \
		int fdt_ret_ = (x);                                                       \
		if (fdt_ret_ < 0)                                                         \
			fail_msg("%s: %s", #x, fdt_strerror(fdt_ret_));                   \
	} while (0)

static void cells(void *fdt, const char *name, const uint32_t *v, size_t n)
{
	fdt32_t be[16];
	size_t i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	CHECK_FDT(fdt_property(fdt, name, be, (int)(n * 4)));
}

#define CELLS(fdt, name, ...)                                                             \
	do {                                                                              \
		const uint32_t v_[] = { __VA_ARGS__ };                                    \
		cells(fdt, name, v_, sizeof(v_) / sizeof(v_[0]));                         \
	} while (0)

enum { PH_APU = 1, PH_M4 = 2, PH_TCML = 10, PH_VRING = 11, PH_RSC = 12, PH_MU = 20 };

static void region_node(void *fdt, const char *name, uint32_t ph, uint32_t sys, uint32_t size,
			uint32_t owner)
{
	CHECK_FDT(fdt_begin_node(fdt, name));
	CELLS(fdt, "address", sys);
	CELLS(fdt, "size", size);
	CELLS(fdt, "device-address", sys == 0x34FE0000 ? 0x1FFE0000 : sys);
	CELLS(fdt, "owner", owner);
	if (owner == PH_M4)
		CELLS(fdt, "grants", PH_M4, 7, PH_APU, 6);
	else
		CELLS(fdt, "grants", PH_APU, 6, PH_M4, 6);
	CELLS(fdt, "phandle", ph);
	CHECK_FDT(fdt_end_node(fdt));
}

/* A small valid platform: apu + m4, TCML + vring + rsc table, one MU, one core. */
static void *base_tree(void)
{
	void *fdt = calloc(1, TREE_SIZE);

	assert_non_null(fdt);
	CHECK_FDT(fdt_create(fdt, TREE_SIZE));
	CHECK_FDT(fdt_finish_reservemap(fdt));
	CHECK_FDT(fdt_begin_node(fdt, ""));
	CHECK_FDT(fdt_property(fdt, "compatible", "mmamp,test\0mmamp,platform-v1",
			       sizeof("mmamp,test\0mmamp,platform-v1")));
	CHECK_FDT(fdt_property_string(fdt, "model", "test board"));

	CHECK_FDT(fdt_begin_node(fdt, "partitions"));
	CHECK_FDT(fdt_begin_node(fdt, "apu"));
	CELLS(fdt, "id", 1);
	CELLS(fdt, "phandle", PH_APU);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "m4"));
	CELLS(fdt, "id", 2);
	CELLS(fdt, "parent", PH_APU);
	CELLS(fdt, "phandle", PH_M4);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "regions"));
	region_node(fdt, "tcml", PH_TCML, 0x34FE0000, 0x20000, PH_M4);
	region_node(fdt, "vring", PH_VRING, 0x90000000, 0x8000, PH_APU);
	region_node(fdt, "rsc", PH_RSC, 0x900FF000, 0x1000, PH_APU);
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "mus"));
	CHECK_FDT(fdt_begin_node(fdt, "mu"));
	CELLS(fdt, "address", 0x5D200000);
	CELLS(fdt, "size", 0x1000);
	CELLS(fdt, "device-address", 0x5D200000);
	CELLS(fdt, "side-a", PH_APU, 218);
	CELLS(fdt, "side-b", PH_M4, 227);
	CELLS(fdt, "phandle", PH_MU);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "cores"));
	CHECK_FDT(fdt_begin_node(fdt, "m4_0"));
	CELLS(fdt, "resource-id", 278);
	CELLS(fdt, "owner", PH_M4);
	CELLS(fdt, "mu", PH_MU);
	CELLS(fdt, "boot-address", 0x1FFE0000);
	CELLS(fdt, "att", PH_TCML, PH_VRING, PH_RSC);
	CELLS(fdt, "memory-region", PH_VRING);
	CELLS(fdt, "rsc-table", PH_RSC);
	CHECK_FDT(fdt_property_string(fdt, "firmware", "fw.elf"));
	CHECK_FDT(fdt_property(fdt, "auto-boot", "", 0));
	CELLS(fdt, "boot-order", 2);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_finish(fdt));
	CHECK_FDT(fdt_open_into(fdt, fdt, TREE_SIZE));
	return fdt;
}

static int node(void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fail_msg("%s: %s", path, fdt_strerror(off));
	return off;
}

static void set_cells(void *fdt, const char *path, const char *name, const uint32_t *v, size_t n)
{
	fdt32_t be[16];
	size_t i;

	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	CHECK_FDT(fdt_setprop(fdt, node(fdt, path), name, be, (int)(n * 4)));
}

#define SET(fdt, path, name, ...)                                                         \
	do {                                                                              \
		const uint32_t v_[] = { __VA_ARGS__ };                                    \
		set_cells(fdt, path, name, v_, sizeof(v_) / sizeof(v_[0]));               \
	} while (0)

static void del(void *fdt, const char *path, const char *name)
{
	CHECK_FDT(fdt_delprop(fdt, node(fdt, path), name));
}

/* Mutations of the base tree, one defect each. */
static void m_no_size(void *f) { del(f, "/regions/vring", "size"); }
static void m_zero_size(void *f) { SET(f, "/regions/vring", "size", 0); }
static void m_odd_size(void *f) { SET(f, "/regions/vring", "size", 0x100); }
static void m_short_size(void *f)
{
	CHECK_FDT(fdt_setprop(f, node(f, "/regions/vring"), "size", "\0\0\1", 3));
}
static void m_unaligned(void *f) { SET(f, "/regions/vring", "address", 0x90000100); }
static void m_wraps(void *f)
{
	SET(f, "/regions/vring", "address", 0xFFFFFFFF, 0xFFFFF000);
	SET(f, "/regions/vring", "size", 0x2000);
}
static void m_owner_dangling(void *f) { SET(f, "/regions/vring", "owner", 99); }
static void m_owner_not_partition(void *f) { SET(f, "/regions/vring", "owner", PH_TCML); }
static void m_bad_perm(void *f) { SET(f, "/regions/vring", "grants", PH_APU, 6, PH_M4, 3); }
static void m_dup_grant(void *f) { SET(f, "/regions/vring", "grants", PH_M4, 6, PH_M4, 4); }
static void m_grant_len(void *f) { SET(f, "/regions/vring", "grants", PH_APU, 6, PH_M4); }
static void m_overlap(void *f) { SET(f, "/regions/vring", "address", 0x900F8000); }
static void m_mu_overlap(void *f) { SET(f, "/mus/mu", "address", 0x34FE1000); }
static void m_dup_name_unit(void *f)
{
	CHECK_FDT(fdt_set_name(f, node(f, "/regions/rsc"), "vring@900ff000"));
}
static void m_dup_name_mu(void *f) { CHECK_FDT(fdt_set_name(f, node(f, "/mus/mu"), "tcml")); }
static void m_bad_name(void *f) { CHECK_FDT(fdt_set_name(f, node(f, "/regions/rsc"), "r s")); }
static void m_dup_id(void *f) { SET(f, "/partitions/m4", "id", 1); }
static void m_two_roots(void *f) { del(f, "/partitions/m4", "parent"); }
static void m_no_root(void *f) { SET(f, "/partitions/apu", "parent", PH_M4); }
static void m_loop(void *f)
{
	CHECK_FDT(fdt_add_subnode(f, node(f, "/partitions"), "x"));
	SET(f, "/partitions/x", "id", 3);
	SET(f, "/partitions/x", "phandle", 30);
	SET(f, "/partitions/x", "parent", 31);
	CHECK_FDT(fdt_add_subnode(f, node(f, "/partitions"), "y"));
	SET(f, "/partitions/y", "id", 4);
	SET(f, "/partitions/y", "phandle", 31);
	SET(f, "/partitions/y", "parent", 30);
}
static void m_self_parent(void *f) { SET(f, "/partitions/m4", "parent", PH_M4); }
static void m_no_mu(void *f) { del(f, "/cores/m4_0", "mu"); }
static void m_mu_not_mu(void *f) { SET(f, "/cores/m4_0", "mu", PH_TCML); }
static void m_mu_side_b(void *f) { SET(f, "/mus/mu", "side-b", PH_APU, 227); }
static void m_no_da(void *f) { del(f, "/regions/rsc", "device-address"); }
static void m_da_overlap(void *f) { SET(f, "/regions/rsc", "device-address", 0x1FFE1000); }
static void m_da_mu_overlap(void *f) { SET(f, "/regions/rsc", "device-address", 0x5D200000); }
static void m_boot_outside(void *f) { SET(f, "/cores/m4_0", "boot-address", 0x30000000); }
static void m_att_dangling(void *f) { SET(f, "/cores/m4_0", "att", PH_TCML, 99); }
static void m_att_twice(void *f) { SET(f, "/cores/m4_0", "att", PH_TCML, PH_RSC, PH_TCML); }
static void m_rpmsg_not_att(void *f) { SET(f, "/cores/m4_0", "att", PH_TCML, PH_RSC); }
static void m_rsc_not_att(void *f) { SET(f, "/cores/m4_0", "att", PH_TCML, PH_VRING); }
static void m_names_count(void *f)
{
	CHECK_FDT(fdt_setprop(f, node(f, "/cores/m4_0"), "memory-region-names", "a\0b", 4));
}
static void m_dup_rsrc(void *f) { SET(f, "/cores/m4_0", "resource-id", 218); }
static void m_dup_mu_rsrc(void *f) { SET(f, "/mus/mu", "side-b", PH_M4, 218); }
static void m_firmware_not_string(void *f) { SET(f, "/cores/m4_0", "firmware", 1); }
static void m_not_ours(void *f)
{
	CHECK_FDT(fdt_setprop_string(f, 0, "compatible", "fsl,imx8qxp-mek"));
}
static void m_no_compatible(void *f) { del(f, "/", "compatible"); }
static void m_no_cores(void *f) { CHECK_FDT(fdt_del_node(f, node(f, "/cores"))); }
static void m_empty_cores(void *f) { CHECK_FDT(fdt_del_node(f, node(f, "/cores/m4_0"))); }
static void m_no_id(void *f) { del(f, "/partitions/m4", "id"); }
static void m_wide_order(void *f) { SET(f, "/cores/m4_0", "boot-order", 0, 1); }

struct malformed {
	const char *what;
	void (*mutate)(void *fdt);
	const char *error;
};

static const struct malformed malformed_cases[] = {
	{ "size missing", m_no_size, "test.dtb: /regions/vring: property 'size' missing" },
	{ "size zero", m_zero_size, "test.dtb: /regions/vring: property 'size' is 0" },
	{ "size not pages", m_odd_size,
	  "test.dtb: /regions/vring: property 'size' 0x100 is not a multiple of 0x1000 (4 KiB pages)" },
	{ "size 3 bytes", m_short_size,
	  "test.dtb: /regions/vring: property 'size' is 3 bytes long, expected 4 or 8 (one or two "
	  "cells)" },
	{ "address not pages", m_unaligned,
	  "test.dtb: /regions/vring: property 'address' 0x90000100 is not a multiple of 0x1000 "
	  "(4 KiB pages)" },
	{ "range wraps", m_wraps,
	  "test.dtb: /regions/vring: property 'address' 0xfffffffffffff000 + size 0x2000 wraps "
	  "around 2^64" },
	{ "owner dangling", m_owner_dangling,
	  "test.dtb: /regions/vring: property 'owner': phandle 0x63 refers to no node" },
	{ "owner not a partition", m_owner_not_partition,
	  "test.dtb: /regions/vring: property 'owner': /regions/tcml is not a partition" },
	{ "bad permission", m_bad_perm,
	  "test.dtb: /regions/vring: property 'grants' entry 1: permission 3 is not one of 0 (none), "
	  "4 (r), 5 (rx), 6 (rw), 7 (rwx)" },
	{ "grant twice", m_dup_grant,
	  "test.dtb: /regions/vring: property 'grants': partition \"m4\" is listed twice" },
	{ "grants odd length", m_grant_len,
	  "test.dtb: /regions/vring: property 'grants' is 12 bytes long, expected pairs of "
	  "<&partition perm> (a multiple of 8)" },
	{ "regions overlap", m_overlap,
	  "test.dtb: /regions/rsc: 0x900ff000+0x1000 overlaps region \"vring\" (0x900f8000+0x8000)" },
	{ "MU overlaps a region", m_mu_overlap,
	  "test.dtb: /mus/mu: 0x34fe1000+0x1000 overlaps region \"tcml\" (0x34fe0000+0x20000)" },
	{ "duplicate name (unit address)", m_dup_name_unit,
	  "test.dtb: /regions/vring@900ff000: duplicate name \"vring\" (a region has it)" },
	{ "MU named like a region", m_dup_name_mu,
	  "test.dtb: /mus/tcml: duplicate name \"tcml\" (a region has it)" },
	{ "bad name", m_bad_name,
	  "test.dtb: /regions/r s: name has character 0x20 (allowed: A-Z a-z 0-9 , . _ + -)" },
	{ "partition id missing", m_no_id, "test.dtb: /partitions/m4: property 'id' missing" },
	{ "duplicate partition id", m_dup_id,
	  "test.dtb: /partitions/m4: property 'id' 1 is also partition \"apu\"'s" },
	{ "two boot partitions", m_two_roots,
	  "test.dtb: /partitions/m4: has no parent, nor has partition \"apu\" (there is exactly one "
	  "boot partition)" },
	{ "no boot partition", m_no_root,
	  "test.dtb: /partitions: no boot partition (every partition has a parent)" },
	{ "parent loop", m_loop,
	  "test.dtb: /partitions/y: property 'parent': the chain of parents loops" },
	{ "own parent", m_self_parent,
	  "test.dtb: /partitions/m4: property 'parent': a partition cannot be its own parent" },
	{ "core without MU", m_no_mu, "test.dtb: /cores/m4_0: property 'mu' missing" },
	{ "mu is a region", m_mu_not_mu,
	  "test.dtb: /cores/m4_0: property 'mu': /regions/tcml is not an MU" },
	{ "MU side B not the core's", m_mu_side_b,
	  "test.dtb: /cores/m4_0: property 'mu': side B of MU \"mu\" is owned by partition \"apu\", "
	  "not by the core's owner \"m4\"" },
	{ "att region without device-address", m_no_da,
	  "test.dtb: /cores/m4_0: property 'att': region \"rsc\" has no device-address" },
	{ "att overlap", m_da_overlap,
	  "test.dtb: /cores/m4_0: property 'att': region \"rsc\" (device address 0x1ffe1000+0x1000) "
	  "overlaps region \"tcml\" (0x1ffe0000+0x20000)" },
	{ "att overlaps MU", m_da_mu_overlap,
	  "test.dtb: /cores/m4_0: property 'att': region \"rsc\" (device address 0x5d200000+0x1000) "
	  "overlaps the page of MU \"mu\" (0x5d200000+0x1000)" },
	{ "boot address outside", m_boot_outside,
	  "test.dtb: /cores/m4_0: property 'boot-address' 0x30000000 is not inside a region of "
	  "'att'" },
	{ "att dangling", m_att_dangling,
	  "test.dtb: /cores/m4_0: property 'att' entry 1: phandle 0x63 refers to no node" },
	{ "att twice", m_att_twice,
	  "test.dtb: /cores/m4_0: property 'att': region \"tcml\" is listed twice" },
	{ "memory-region outside att", m_rpmsg_not_att,
	  "test.dtb: /cores/m4_0: property 'memory-region': region \"vring\" is not in 'att'" },
	{ "rsc-table outside att", m_rsc_not_att,
	  "test.dtb: /cores/m4_0: property 'rsc-table': region \"rsc\" is not in 'att'" },
	{ "memory-region-names count", m_names_count,
	  "test.dtb: /cores/m4_0: property 'memory-region-names' has 2 strings for 1 "
	  "'memory-region' entries" },
	{ "resource id reused", m_dup_rsrc,
	  "test.dtb: /cores/m4_0: property 'resource-id' 218 is also MU \"mu\" side A's" },
	{ "MU resource id reused", m_dup_mu_rsrc,
	  "test.dtb: /mus/mu: sides A and B have the same resource id 218" },
	{ "firmware not a string", m_firmware_not_string,
	  "test.dtb: /cores/m4_0: property 'firmware' is not one non-empty string" },
	{ "boot-order two cells", m_wide_order,
	  "test.dtb: /cores/m4_0: property 'boot-order' is 8 bytes long, expected 4 (one cell)" },
	{ "not an mmamp platform", m_not_ours,
	  "test.dtb: /: property 'compatible' does not list \"mmamp,platform-v1\" (not an mmamp "
	  "platform description)" },
	{ "no compatible", m_no_compatible,
	  "test.dtb: /: property 'compatible' missing (not an mmamp platform description)" },
	{ "no /cores", m_no_cores, "test.dtb: /cores: node missing" },
	{ "empty /cores", m_empty_cores,
	  "test.dtb: /cores: no children (at least one is required)" },
};

static void base_tree_is_valid(void **state)
{
	struct mmamp_platform p;
	char err[512] = "";
	void *fdt = base_tree();
	const struct mmamp_core *c;
	int ret;

	(void)state;
	ret = mmamp_platform_load_blob(&p, fdt, fdt_totalsize(fdt), "test.dtb", err, sizeof(err));
	memset(fdt, 0xA5, TREE_SIZE); /* the description keeps its own copy */
	free(fdt);
	if (ret)
		fail_msg("%d %s", ret, err);
	assert_string_equal(p.origin, "test.dtb");
	assert_string_equal(p.model, "test board");
	c = mmamp_platform_core(&p, "m4_0");
	assert_non_null(c);
	assert_string_equal(c->firmware, "fw.elf");
	assert_true(c->auto_boot);
	assert_int_equal(c->boot_order, 2);
	assert_string_equal(c->rsc_table->name, "rsc");
	assert_string_equal(c->rpmsg_names[0], "vring");
	assert_int_equal(c->entry_sys, 0x34FE0000);
	mmamp_platform_free(&p);
}

static void malformed_descriptions_are_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const struct malformed *m = &malformed_cases[i];
		struct mmamp_platform p;
		char err[512] = "";
		void *fdt = base_tree();
		int ret;

		m->mutate(fdt);
		CHECK_FDT(fdt_pack(fdt));
		ret = mmamp_platform_load_blob(&p, fdt, fdt_totalsize(fdt), "test.dtb", err,
					       sizeof(err));
		free(fdt);
		if (ret != -MMAMP_EINVAL)
			fail_msg("%s: returned %d (%s)", m->what, ret, err);
		if (strcmp(err, m->error))
			fail_msg("%s:\n  got      \"%s\"\n  expected \"%s\"", m->what, err, m->error);
		assert_int_equal(p.ncores, 0);
		assert_null(p.priv);
		mmamp_platform_free(&p);
	}
}

/* 64-bit (two-cell) addresses are read as such. */
static void two_cell_numbers(void **state)
{
	struct mmamp_platform p;
	char err[512] = "";
	void *fdt = base_tree();
	int ret;

	(void)state;
	SET(fdt, "/regions/vring", "address", 0x1, 0x90000000);
	ret = mmamp_platform_load_blob(&p, fdt, fdt_totalsize(fdt), "test.dtb", err, sizeof(err));
	free(fdt);
	if (ret)
		fail_msg("%d %s", ret, err);
	assert_int_equal(mmamp_platform_region(&p, "vring")->sys, 0x190000000ull);
	assert_int_equal(mmamp_platform_region(&p, "vring")->da, 0x90000000);
	mmamp_platform_free(&p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(imx8qxp_has_the_reference_numbers),
		cmocka_unit_test(imx8qm_has_two_cores),
		cmocka_unit_test(region_at_translates_through_the_core_view),
		cmocka_unit_test(perm_names),
		cmocka_unit_test(file_errors_are_reported),
		cmocka_unit_test(base_tree_is_valid),
		cmocka_unit_test(malformed_descriptions_are_refused),
		cmocka_unit_test(two_cell_numbers),
	};

	if (argc > 1)
		platform_dir = argv[1];
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
