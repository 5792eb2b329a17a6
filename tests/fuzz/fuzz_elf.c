/*
 * fuzz_elf.c — fuzz target: the ELF loader on an arbitrary file. The file sits against a guard
 * page; parse, every program header, check_segments, the section lookup, the resource table
 * (handed to the resource-table validator) and a load through a map callback into a guarded
 * 16 KiB "remote memory" window. Properties: a rejection always comes with a renderable diag;
 * a successful load wrote exactly the segments (file bytes, then zeros) and nothing else; a
 * failed load wrote nothing (all or nothing).
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"

#define MAX_FILE   (64u * 1024u)
#define WIN_DA     0x10000u
#define WIN_SIZE   0x4000u
#define FILL       0xA5u

struct map_ctx {
	uint8_t *win;
	unsigned calls;
	unsigned refuse_at; /* refuse the n-th mapping (1-based; 0: never) */
	unsigned null_at;   /* return 0 without a pointer at the n-th mapping */
};

static int map_cb(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct map_ctx *m = ctx;

	m->calls++;
	FUZZ_CHECK(memsz > 0);
	if (m->calls == m->refuse_at)
		return -MMAMP_EACCES;
	if (m->calls == m->null_at)
		return 0;
	if (da < WIN_DA || memsz > WIN_SIZE || da - WIN_DA > WIN_SIZE - memsz)
		return -MMAMP_EACCES;
	*local = m->win + (da - WIN_DA);
	return 0;
}

/* After a successful load: every segment's bytes are right, everything else untouched. */
static void check_loaded(const struct mmamp_elf_image *img, const uint8_t *win)
{
	static uint8_t expect[WIN_SIZE];
	struct mmamp_elf_segment s;
	unsigned i;

	memset(expect, FILL, sizeof(expect));
	for (i = 0; i < img->phnum; i++) {
		FUZZ_CHECK(mmamp_elf_segment(img, i, &s, NULL) == 0);
		if (s.type != MMAMP_PT_LOAD || !s.memsz)
			continue;
		FUZZ_CHECK(s.paddr >= WIN_DA && s.paddr - WIN_DA + s.memsz <= WIN_SIZE);
		FUZZ_CHECK(s.offset + s.filesz <= img->size);
		memcpy(expect + (s.paddr - WIN_DA), img->data + s.offset, (size_t)s.filesz);
		memset(expect + (s.paddr - WIN_DA) + s.filesz, 0, (size_t)(s.memsz - s.filesz));
	}
	FUZZ_CHECK(memcmp(expect, win, WIN_SIZE) == 0);
}

static void check_untouched(const uint8_t *win)
{
	size_t k;

	for (k = 0; k < WIN_SIZE; k++)
		FUZZ_CHECK(win[k] == FILL);
}

static void sections(const struct mmamp_elf_image *img)
{
	static const char *const names[] = { ".text", ".resource_table", ".shstrtab", "" };
	struct mmamp_elf_section sec;
	struct mmamp_diag d;
	const uint8_t *end = img->data + img->size;
	const void *tab;
	size_t tsize;
	uint64_t da;
	unsigned k;
	int ret;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		ret = mmamp_elf_find_section(img, names[k], &sec, &d);
		FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOENT || ret == -MMAMP_ENOEXEC);
		if (ret == -MMAMP_ENOEXEC)
			fuzz_check_diag(&d);
		if (ret)
			continue;
		FUZZ_CHECK(sec.index != 0 && sec.index < img->shnum);
		if (sec.type == MMAMP_SHT_NOBITS) {
			FUZZ_CHECK(sec.data == NULL);
		} else {
			FUZZ_CHECK((const uint8_t *)sec.data >= img->data);
			FUZZ_CHECK(sec.size <= (uint64_t)(end - (const uint8_t *)sec.data));
		}
	}

	ret = mmamp_elf_find_rsc_table(img, &tab, &tsize, &da, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOENT || ret == -MMAMP_ENOEXEC);
	if (ret == -MMAMP_ENOEXEC)
		fuzz_check_diag(&d);
	if (ret)
		return;
	FUZZ_CHECK(tsize >= MMAMP_ELF_RSC_TABLE_MIN_SIZE);
	FUZZ_CHECK((const uint8_t *)tab >= img->data && tsize <= (size_t)(end - (const uint8_t *)tab));
	/* the table is still hostile: the validator must cope with it where it lies */
	ret = mmamp_rsc_table_validate(tab, tsize, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOEXEC);
	if (ret)
		fuzz_check_diag(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded file_mem, win_mem;
	static int ready;
	struct mmamp_elf_image img;
	struct mmamp_elf_segment s;
	struct map_ctx m;
	struct mmamp_diag d;
	uint8_t *file;
	unsigned i;
	int ret, checked;

	if (!ready) {
		guarded_init(&file_mem, MAX_FILE);
		guarded_init(&win_mem, WIN_SIZE);
		ready = 1;
	}
	if (size > MAX_FILE)
		return 0;
	file = guarded_place_end(&file_mem, size, 1);
	memcpy(file, data, size);

	ret = mmamp_elf_parse(&img, file, size, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOEXEC);
	if (ret) {
		static const struct mmamp_elf_image zero;

		fuzz_check_diag(&d);
		FUZZ_CHECK(memcmp(&img, &zero, sizeof(img)) == 0);
		return 0;
	}
	FUZZ_CHECK(img.bits == 32 || img.bits == 64);
	FUZZ_CHECK(img.phnum >= 1 && img.phoff + (uint64_t)img.phnum * img.phentsize <= size);
	FUZZ_CHECK(!img.shnum || img.shoff + (uint64_t)img.shnum * img.shentsize <= size);

	for (i = 0; i < img.phnum; i++) {
		ret = mmamp_elf_segment(&img, i, &s, &d);
		FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOEXEC);
		if (ret) {
			fuzz_check_diag(&d);
			continue;
		}
		if (s.type == MMAMP_PT_LOAD)
			FUZZ_CHECK(s.filesz <= s.memsz && s.offset + s.filesz <= size);
	}
	FUZZ_CHECK(mmamp_elf_segment(&img, img.phnum, &s, NULL) == -MMAMP_EINVAL);

	checked = mmamp_elf_check_segments(&img, &d);
	FUZZ_CHECK(checked == 0 || checked == -MMAMP_ENOEXEC);
	if (checked)
		fuzz_check_diag(&d);

	sections(&img);

	/* The input's length picks how the memory map misbehaves, the bytes stay the image. */
	memset(&m, 0, sizeof(m));
	m.win = guarded_place_end(&win_mem, WIN_SIZE, 1);
	m.refuse_at = (size % 8u == 7u) ? 2u : 0u;
	m.null_at = (size % 16u == 13u) ? 1u : 0u;
	memset(m.win, FILL, WIN_SIZE);
	ret = mmamp_elf_load(&img, map_cb, &m, &d);
	if (checked)
		FUZZ_CHECK(ret == checked);
	if (ret) {
		FUZZ_CHECK(ret == -MMAMP_ENOEXEC || ret == -MMAMP_EACCES || ret == -MMAMP_EFAULT);
		fuzz_check_diag(&d);
		check_untouched(m.win);
	} else {
		FUZZ_CHECK(!checked);
		check_loaded(&img, m.win);
	}
	return 0;
}
