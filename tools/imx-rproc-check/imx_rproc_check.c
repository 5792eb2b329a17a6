/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/imx-rproc-check/imx_rproc_check.c — mainline imx_rproc's and bootaux's rules for an
 * i.MX8QXP M4 firmware (imx_rproc_check.h), on top of the core's ELF and resource-table
 * validation (src/core/elf_loader.c, rsc_table.c).
 */
#include "imx_rproc_check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mmamp/diag.h"
#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"
#include "mmamp/virtio_ring.h"

/* Mainline imx_rproc_att_imx8qxp: device address, system address, size, Linux maps it. */
struct att {
	uint32_t da, sa, size;
	bool own;
};
static const struct att att_8qxp[] = {
	{ 0x08000000u, 0x08000000u, 0x10000000u, false }, /* FlexSPI */
	{ 0x1FFE0000u, 0x34FE0000u, 0x00040000u, true },  /* TCML + TCMU */
	{ 0x21000000u, 0x00100000u, 0x00018000u, false }, /* OCRAM (low 96 KiB) */
	{ 0x21100000u, 0x00100000u, 0x00040000u, false }, /* OCRAM */
	{ 0x80000000u, 0x80000000u, 0x60000000u, false }, /* DDR */
};

#define TCML_DA      0x1FFE0000u
#define TCML_SIZE    0x20000u
#define TCMU_END     0x20020000u
#define NUM_VECTORS  640u
#define BOOTAUX_MAX  0x20000u
#define RPMSG_BUF    512u
#define RPMSG_MAX_BUFS 512u   /* virtio_rpmsg_bus: at most 512 buffers in all */
#define RSC_COPY_MAX 4096u

const struct imx_dt_region imx_dt_mek[] = {
	{ "vdev0vring0", 0x90000000u, 0x8000u },
	{ "vdev0vring1", 0x90008000u, 0x8000u },
	{ "vdev1vring0", 0x90010000u, 0x8000u },
	{ "vdev1vring1", 0x90018000u, 0x8000u },
	{ "rsc-table", 0x900FF000u, 0x1000u },
	{ "vdev0buffer", 0x90400000u, 0x100000u },
};
const size_t imx_dt_mek_count = sizeof(imx_dt_mek) / sizeof(imx_dt_mek[0]);

struct ctx {
	struct mmamp_elf_image img;
	const struct imx_dt_region *dt;
	size_t ndt;
	struct imx_check *out;
	bool rule_failed;
};

/* One line of the verdict; FAIL lines count. */
__attribute__((format(printf, 4, 5)))
static void line(struct ctx *c, bool pass, const char *rule, const char *fmt, ...)
{
	struct imx_check *o = c->out;
	va_list ap;
	int n;

	if (!pass) {
		o->failures++;
		c->rule_failed = true;
	}
	if (o->len >= sizeof(o->text) - 1)
		return;
	n = snprintf(o->text + o->len, sizeof(o->text) - o->len, "%s %s: ", pass ? "PASS" : "FAIL",
		     rule);
	if (n > 0)
		o->len += (size_t)n;
	va_start(ap, fmt);
	n = o->len < sizeof(o->text) ? vsnprintf(o->text + o->len, sizeof(o->text) - o->len, fmt, ap)
				     : 0;
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
	if (o->len < sizeof(o->text) - 1)
		o->text[o->len++] = '\n';
	else
		o->len = sizeof(o->text) - 1;
	o->text[o->len] = 0;
}

static void fail_diag(struct ctx *c, const char *rule, const char *what, const struct mmamp_diag *d)
{
	char text[256];

	mmamp_diag_format(d, text, sizeof(text));
	line(c, false, rule, "%s: %s", what, text);
}

/* imx_rproc_da_to_sys(): the first window with da >= start and da + len < end (strict). */
static const struct att *translate(uint64_t da, uint64_t len, uint64_t *sys)
{
	for (size_t i = 0; i < sizeof(att_8qxp) / sizeof(att_8qxp[0]); i++) {
		const struct att *a = &att_8qxp[i];

		if (da >= a->da && da + len < (uint64_t)a->da + a->size) {
			*sys = a->sa + (da - a->da);
			return a;
		}
	}
	return NULL;
}

/* imx_rproc_da_to_va(): what Linux mapped — TCM (ATT_OWN) and non-"vdev" memory-regions. */
static const char *writable_by_linux(const struct ctx *c, uint64_t sys, uint64_t len)
{
	for (size_t i = 0; i < sizeof(att_8qxp) / sizeof(att_8qxp[0]); i++)
		if (att_8qxp[i].own && sys >= att_8qxp[i].sa &&
		    sys + len < (uint64_t)att_8qxp[i].sa + att_8qxp[i].size)
			return "the TCM window";
	for (size_t i = 0; i < c->ndt; i++)
		if (strncmp(c->dt[i].name, "vdev", 4) && sys >= c->dt[i].addr &&
		    sys + len < (uint64_t)c->dt[i].addr + c->dt[i].size)
			return c->dt[i].name;
	return NULL;
}

static void check_segments(struct ctx *c)
{
	struct mmamp_elf_segment s;
	struct mmamp_diag d;
	unsigned loads = 0;

	c->rule_failed = false;
	for (unsigned i = 0; i < c->img.phnum; i++) {
		const struct att *a;
		uint64_t sys;

		if (mmamp_elf_segment(&c->img, i, &s, &d)) {
			fail_diag(c, "segments", "program header", &d);
			continue;
		}
		if (s.type != MMAMP_PT_LOAD || !s.memsz) /* Linux skips empty ones too */
			continue;
		loads++;
		a = translate(s.paddr, s.memsz, &sys);
		if (!a) {
			line(c, false, "segments",
			     "PT_LOAD %u at 0x%llx + 0x%llx: no window of the 8QXP address table holds it "
			     "with da + len < window end (imx_rproc: \"Translation failed\")",
			     i, (unsigned long long)s.paddr, (unsigned long long)s.memsz);
			continue;
		}
		if (!writable_by_linux(c, sys, s.memsz))
			line(c, false, "segments",
			     "PT_LOAD %u at 0x%llx + 0x%llx (system 0x%llx): Linux has it in its address "
			     "table but not mapped — only the TCM window and non-vdev memory-regions are "
			     "(add a memory-region, or link it into the TCMs)",
			     i, (unsigned long long)s.paddr, (unsigned long long)s.memsz,
			     (unsigned long long)sys);
	}
	if (!loads)
		line(c, false, "segments", "no PT_LOAD segment with bytes");
	else if (!c->rule_failed)
		line(c, true, "segments", "%u PT_LOAD, each inside the TCM window (strict end check)",
		     loads);
}

/* The loaded bytes at device address @da (@len of them), or NULL. */
static const uint8_t *loaded(const struct ctx *c, uint64_t da, uint64_t len, bool *exec)
{
	struct mmamp_elf_segment s;

	for (unsigned i = 0; i < c->img.phnum; i++) {
		if (mmamp_elf_segment(&c->img, i, &s, NULL) || s.type != MMAMP_PT_LOAD)
			continue;
		if (da >= s.paddr && da + len <= s.paddr + s.filesz) {
			if (exec)
				*exec = (s.flags & MMAMP_PF_X) != 0;
			return c->img.data + s.offset + (da - s.paddr);
		}
	}
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_vectors(struct ctx *c)
{
	const uint8_t *v = loaded(c, TCML_DA, 4u * NUM_VECTORS, NULL);
	uint32_t sp, bad = 0, first_bad = 0, first_val = 0;

	c->rule_failed = false;
	if (!v) {
		line(c, false, "vectors",
		     "no loaded 640-entry vector table at 0x%08x (the start of TCML, where Linux and "
		     "bootaux start the core)", TCML_DA);
		return;
	}
	sp = le32(v);
	if (sp <= TCML_DA || sp > TCMU_END || (sp & 7u))
		line(c, false, "vectors",
		     "initial SP 0x%08x: not an 8-byte aligned address in the TCMs (0x%08x..0x%08x]",
		     sp, TCML_DA, TCMU_END);
	for (uint32_t i = 1; i < NUM_VECTORS; i++) {
		uint32_t h = le32(v + 4u * i);
		bool exec = false;

		if (i == 7 || i == 8 || i == 9 || i == 10 || i == 13) /* reserved exceptions */
			continue;
		if (!(h & 1u) || h - 1u < TCML_DA || h - 1u >= TCML_DA + TCML_SIZE ||
		    !loaded(c, h - 1u, 2, &exec) || !exec) {
			if (!bad++) {
				first_bad = i;
				first_val = h;
			}
		}
	}
	if (bad)
		line(c, false, "vectors",
		     "%u of the 640 vectors are not Thumb addresses in loaded executable TCML (first: "
		     "vector %u = 0x%08x); IRQSTEER dispatches through VTOR + (irq + 16) * 4",
		     bad, first_bad, first_val);
	if (!c->rule_failed)
		line(c, true, "vectors",
		     "640 vectors at 0x%08x, SP 0x%08x, reset 0x%08x (e_entry 0x%llx is ignored)",
		     TCML_DA, sp, le32(v + 4), (unsigned long long)c->img.entry);
}

static const struct imx_dt_region *dt_find(const struct ctx *c, const char *name, size_t n)
{
	for (size_t i = 0; i < c->ndt; i++)
		if (strlen(c->dt[i].name) == n && !strncmp(c->dt[i].name, name, n))
			return &c->dt[i];
	return NULL;
}

struct walk {
	struct ctx *c;
	unsigned vdev;
};

static void check_vdev(struct ctx *c, unsigned i, const struct mmamp_fw_rsc_vdev *v)
{
	uint32_t bufs = 0;
	char name[32];

	for (unsigned j = 0; j < v->num_of_vrings; j++) {
		const struct mmamp_fw_rsc_vdev_vring *r = &v->vring[j];
		const struct imx_dt_region *cv;
		uint32_t need = mmamp_vring_size(r->num, r->align);

		snprintf(name, sizeof(name), "vdev%uvring%u", i, j);
		cv = dt_find(c, name, strlen(name));
		bufs += r->num;
		if (!cv) {
			line(c, false, "vrings", "vdev %u vring %u: the DT has no carveout \"%s\"", i, j,
			     name);
			continue;
		}
		if (r->da != MMAMP_FW_RSC_ADDR_ANY && r->da != cv->addr)
			line(c, false, "vrings",
			     "vdev %u vring %u: da 0x%08x is not carveout %s at 0x%08x (remoteproc "
			     "refuses a fixed vring address its carveout does not have)",
			     i, j, r->da, name, cv->addr);
		if (need > cv->size)
			line(c, false, "vrings",
			     "vdev %u vring %u: %u entries aligned 0x%x need 0x%x bytes, carveout %s has "
			     "0x%x", i, j, r->num, r->align, need, name, cv->size);
	}
	snprintf(name, sizeof(name), "vdev%ubuffer", i);
	if (v->id == MMAMP_VIRTIO_ID_RPMSG) {
		const struct imx_dt_region *b = dt_find(c, name, strlen(name));
		uint32_t need = (bufs < RPMSG_MAX_BUFS ? bufs : RPMSG_MAX_BUFS) * RPMSG_BUF;

		if (!b)
			line(c, false, "vrings", "vdev %u: the DT has no buffer region \"%s\"", i, name);
		else if (need > b->size)
			line(c, false, "vrings", "vdev %u: %u RPMsg buffers need 0x%x bytes, %s has 0x%x",
			     i, bufs, need, name, b->size);
	}
}

static int visit(const struct mmamp_rsc_entry *e, void *arg)
{
	struct walk *w = arg;
	struct ctx *c = w->c;

	if (e->type == MMAMP_RSC_VDEV) {
		check_vdev(c, w->vdev++, e->body);
	} else if (e->type == MMAMP_RSC_CARVEOUT) {
		const struct mmamp_fw_rsc_carveout *cv = e->body;
		size_t n = mmamp_rsc_name_len(cv->name);
		const struct imx_dt_region *r = dt_find(c, cv->name, n);

		if (!r)
			line(c, false, "vrings", "carveout entry %u \"%.*s\": no DT region of that name",
			     e->index, (int)n, cv->name);
		else if (cv->da != MMAMP_FW_RSC_ADDR_ANY &&
			 (cv->da < r->addr || (uint64_t)cv->da + cv->len > (uint64_t)r->addr + r->size))
			line(c, false, "vrings",
			     "carveout entry %u \"%.*s\" 0x%08x + 0x%x: outside DT region 0x%08x + 0x%x",
			     e->index, (int)n, cv->name, cv->da, cv->len, r->addr, r->size);
	}
	return 0;
}

static void check_rsc_table(struct ctx *c)
{
	static uint32_t copy[RSC_COPY_MAX / 4];
	const void *table;
	size_t size;
	uint64_t da, sys;
	struct mmamp_diag d;
	struct walk w = { c, 0 };
	int ret;

	c->rule_failed = false;
	ret = mmamp_elf_find_rsc_table(&c->img, &table, &size, &da, &d);
	if (ret == -MMAMP_ENOENT) {
		line(c, false, "rsc-table", "no .resource_table section: Linux boots it without vdevs "
		     "(\"No resource table in elf\") and cannot attach to it");
		return;
	}
	if (ret) {
		fail_diag(c, "rsc-table", ".resource_table", &d);
		return;
	}
	if (size > MMAMP_RSC_TABLE_LINUX_MAX)
		line(c, false, "rsc-table", "0x%zx bytes: more than the 1 KiB Linux maps at attach",
		     size);
	if (!translate(da, size, &sys) || !writable_by_linux(c, sys, size) ||
	    !loaded(c, da, size, NULL))
		line(c, false, "rsc-table",
		     "sh_addr 0x%llx + 0x%zx: not in loaded TCM, where Linux writes the table when "
		     "the DT has no rsc-table region", (unsigned long long)da, size);
	if (size > sizeof(copy))
		return;
	memcpy(copy, table, size); /* aligned for the typed walk */
	if (mmamp_rsc_table_validate(copy, size, &d)) {
		fail_diag(c, "rsc-table", "table", &d);
		return;
	}
	if (!c->rule_failed)
		line(c, true, "rsc-table", "valid, 0x%zx bytes at 0x%llx", size, (unsigned long long)da);
	c->rule_failed = false;
	ret = mmamp_rsc_table_for_each(copy, size, visit, &w, &d);
	if (ret)
		fail_diag(c, "vrings", "table walk", &d);
	else if (!w.vdev)
		line(c, false, "vrings", "the table declares no vdev: no RPMsg");
	else if (!c->rule_failed)
		line(c, true, "vrings", "%u vdev(s): vrings and buffers match the DT carveouts", w.vdev);
}

/* The TCML image bootaux copies: every PT_LOAD's file bytes at p_paddr - TCML, into @img. */
static void check_bootaux(struct ctx *c, const uint8_t *bin, size_t bin_size)
{
	static uint8_t img[BOOTAUX_MAX];
	struct mmamp_elf_segment s;
	uint64_t end = 0;

	c->rule_failed = false;
	memset(img, 0, sizeof(img));
	for (unsigned i = 0; i < c->img.phnum; i++) {
		if (mmamp_elf_segment(&c->img, i, &s, NULL) || s.type != MMAMP_PT_LOAD || !s.filesz)
			continue;
		if (s.paddr < TCML_DA || s.paddr + s.filesz > TCML_DA + BOOTAUX_MAX) {
			line(c, false, "bootaux",
			     "PT_LOAD %u has bytes at 0x%llx + 0x%llx, outside the 128 KiB of TCML that "
			     "bootaux copies", i, (unsigned long long)s.paddr,
			     (unsigned long long)s.filesz);
			continue;
		}
		memcpy(img + (s.paddr - TCML_DA), c->img.data + s.offset, (size_t)s.filesz);
		if (s.paddr + s.filesz - TCML_DA > end)
			end = s.paddr + s.filesz - TCML_DA;
	}
	if (bin && bin_size > BOOTAUX_MAX)
		line(c, false, "bootaux", "the .bin is %zu bytes: bootaux copies 131072", bin_size);
	else if (bin && (bin_size != end || memcmp(bin, img, bin_size)))
		line(c, false, "bootaux",
		     "the .bin (%zu bytes) is not the ELF's TCML image (%llu bytes)", bin_size,
		     (unsigned long long)end);
	if (!c->rule_failed)
		line(c, true, "bootaux", "TCML image %llu of 131072 bytes%s", (unsigned long long)end,
		     bin ? ", the .bin matches it" : "");
}

unsigned imx_rproc_check(const void *elf, size_t elf_size, const void *bin, size_t bin_size,
			 const struct imx_dt_region *dt, size_t ndt, struct imx_check *out)
{
	struct ctx c = { .dt = dt, .ndt = ndt, .out = out };
	struct mmamp_diag d;

	out->failures = 0;
	out->len = 0;
	out->text[0] = 0;
	if (mmamp_elf_parse(&c.img, elf, elf_size, &d)) {
		fail_diag(&c, "elf", "not an image Linux loads", &d);
		return out->failures;
	}
	if (c.img.bits != 32 || c.img.machine != MMAMP_EM_ARM)
		line(&c, false, "elf", "class %u, machine %u: not a 32-bit ARM image", c.img.bits,
		     c.img.machine);
	if (mmamp_elf_check_segments(&c.img, &d))
		fail_diag(&c, "elf", "program headers", &d);
	if (out->failures)
		return out->failures;
	check_segments(&c);
	check_vectors(&c);
	check_rsc_table(&c);
	check_bootaux(&c, bin, bin_size);
	return out->failures;
}
