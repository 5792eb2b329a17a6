// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_imx_rproc_check.c — the i.MX8QXP firmware checker (tools/imx-rproc-check) on the board
 * firmware (accepted) and on images made wrong on purpose, one rule at a time, from a copy of
 * it: a segment that ends exactly at the TCM window's end (rejected by the strict check) next
 * to one that ends a byte earlier (accepted), a segment in unmapped DDR, a vector table moved
 * off TCML or with a hole, the resource table missing or malformed, a vring at the wrong
 * address, data outside the bootaux image, a .bin that is too long or not the ELF's; and the
 * QEMU firmware, which is not an i.MX8QXP image at all.
 *
 * argv: board ELF, its .bin, the QEMU fw_echo.elf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "imx_rproc_check.h"

static const char *board_elf_path, *board_bin_path, *qemu_elf_path;

struct file {
	uint8_t *data;
	size_t size;
};

static struct file load(const char *path)
{
	struct file f = { NULL, 0 };
	FILE *fp = fopen(path, "rb");

	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	f.size = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	f.data = malloc(f.size + 2u);
	assert_non_null(f.data);
	assert_int_equal(fread(f.data, 1, f.size, fp), f.size);
	fclose(fp);
	return f;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Program header @i of an ELF32 (p_type at +0, offset +4, vaddr +8, paddr +12, filesz +16,
 * memsz +20, flags +24). */
static uint8_t *phdr(const struct file *f, unsigned i)
{
	return f->data + rd32(f->data + 28) + (size_t)i * 32u;
}

/* The PT_LOAD whose p_paddr equals @paddr... or the first with the property asked. */
static unsigned load_at(const struct file *f, uint32_t lo, uint32_t hi, int want_file_bytes)
{
	unsigned n = (unsigned)(f->data[44] | f->data[45] << 8);

	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = phdr(f, i);

		if (rd32(p) == 1 && rd32(p + 12) >= lo && rd32(p + 12) < hi &&
		    (want_file_bytes ? rd32(p + 16) != 0 : rd32(p + 16) == 0))
			return i;
	}
	fail_msg("no such PT_LOAD");
	return 0;
}

/* Section header named @name (ELF32: sh_name +0, sh_addr +12, sh_offset +16, sh_size +20). */
static uint8_t *shdr(const struct file *f, const char *name)
{
	uint32_t shoff = rd32(f->data + 32);
	unsigned shnum = f->data[48] | f->data[49] << 8, shstrndx = f->data[50] | f->data[51] << 8;
	const uint8_t *strtab = f->data + shoff + shstrndx * 40u;
	const char *names = (const char *)f->data + rd32(strtab + 16);

	for (unsigned i = 0; i < shnum; i++) {
		uint8_t *s = f->data + shoff + i * 40u;

		if (!strcmp(names + rd32(s), name))
			return s;
	}
	fail_msg("no section %s", name);
	return NULL;
}

static struct imx_check out;

static unsigned check(const struct file *elf, const struct file *bin)
{
	unsigned n = imx_rproc_check(elf->data, elf->size, bin ? bin->data : NULL,
				     bin ? bin->size : 0, imx_dt_mek, imx_dt_mek_count, &out);

	print_message("%s", out.text);
	return n;
}

static void expect_line(const char *text)
{
	if (!strstr(out.text, text))
		fail_msg("expected \"%s\" in:\n%s", text, out.text);
}

static void the_board_firmware_is_accepted(void **state)
{
	struct file elf = load(board_elf_path), bin = load(board_bin_path);

	(void)state;
	assert_int_equal(check(&elf, &bin), 0);
	expect_line("PASS segments:");
	expect_line("PASS vectors: 640 vectors at 0x1ffe0000");
	expect_line("PASS rsc-table: valid");
	expect_line("PASS vrings: 1 vdev(s)");
	expect_line("PASS bootaux:");
	free(elf.data);
	free(bin.data);
}

/* The .bss segment (memsz only, in TCMU) moved to end at, then one byte before, 0x20020000. */
static void a_segment_ending_at_the_window_end_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *p = phdr(&f, load_at(&f, 0x20000000u, 0x20020000u, 0));
	uint32_t memsz = rd32(p + 20);

	(void)state;
	wr32(p + 12, 0x20020000u - memsz);
	wr32(p + 8, 0x20020000u - memsz);
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL segments: PT_LOAD");
	expect_line("da + len < window end");

	wr32(p + 12, 0x20020000u - memsz - 1u);
	wr32(p + 8, 0x20020000u - memsz - 1u);
	assert_int_equal(check(&f, NULL), 0);
	free(f.data);
}

static void a_segment_in_unmapped_ddr_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *p = phdr(&f, load_at(&f, 0x20000000u, 0x20020000u, 0));

	(void)state;
	wr32(p + 12, 0x88000000u);
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL segments: PT_LOAD 3 at 0x88000000");
	expect_line("not mapped");
	free(f.data);
}

static void a_vector_table_off_tcml_start_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	unsigned n = (unsigned)(f.data[44] | f.data[45] << 8);

	(void)state;
	for (unsigned i = 0; i < n; i++) /* every byte of TCML 256 bytes up */
		if (rd32(phdr(&f, i)) == 1 && rd32(phdr(&f, i) + 12) < 0x20000000u)
			wr32(phdr(&f, i) + 12, rd32(phdr(&f, i) + 12) + 0x100u);
	assert_true(check(&f, NULL) >= 1);
	expect_line("FAIL vectors: no loaded 640-entry vector table at 0x1ffe0000");
	free(f.data);
}

static void a_hole_in_the_vector_table_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *vec = f.data + rd32(shdr(&f, ".isr_vector") + 16);

	(void)state;
	wr32(vec + 4u * (16u + 283u), 0); /* the MU5 B handler IRQSTEER dispatches to */
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL vectors: 1 of the 640 vectors");
	expect_line("vector 299 = 0x00000000");
	free(f.data);
}

static void a_missing_resource_table_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint32_t shoff = rd32(f.data + 32);
	unsigned shstrndx = f.data[50] | f.data[51] << 8;
	char *names = (char *)f.data + rd32(f.data + shoff + shstrndx * 40u + 16);

	(void)state;
	names[rd32(shdr(&f, ".resource_table"))] = '_'; /* "_resource_table" */
	assert_true(check(&f, NULL) >= 1);
	expect_line("FAIL rsc-table: no .resource_table section");
	free(f.data);
}

static void a_malformed_resource_table_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *t = f.data + rd32(shdr(&f, ".resource_table") + 16);

	(void)state;
	wr32(t, 2); /* version 2 */
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL rsc-table: table:");
	free(f.data);
}

static void a_vring_off_its_carveout_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *t = f.data + rd32(shdr(&f, ".resource_table") + 16);

	(void)state;
	assert_int_equal(rd32(t + 0x30), 0x90000000u); /* vdev 0 vring 0 da */
	wr32(t + 0x30, 0x90010000u);
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL vrings: vdev 0 vring 0: da 0x90010000 is not carveout vdev0vring0");
	free(f.data);
}

static void data_outside_the_bootaux_image_is_refused(void **state)
{
	struct file f = load(board_elf_path);
	uint8_t *p = phdr(&f, load_at(&f, 0x1FFE0000u, 0x20000000u, 1));
	unsigned n = (unsigned)(f.data[44] | f.data[45] << 8), data = n;

	(void)state;
	for (unsigned i = 0; i < n; i++) /* .data: file bytes, vaddr in TCMU, paddr in TCML */
		if (rd32(phdr(&f, i)) == 1 && rd32(phdr(&f, i) + 16) && phdr(&f, i) != p)
			data = i;
	assert_true(data < n);
	wr32(phdr(&f, data) + 12, rd32(phdr(&f, data) + 8)); /* loaded where it runs */
	assert_int_equal(check(&f, NULL), 1);
	expect_line("FAIL bootaux: PT_LOAD");
	expect_line("outside the 128 KiB of TCML");
	free(f.data);
}

static void a_wrong_bin_is_refused(void **state)
{
	struct file elf = load(board_elf_path), bin = load(board_bin_path);
	struct file big = { calloc(1, 131073u), 131073u };

	(void)state;
	bin.data[0x100] ^= 1u;
	assert_int_equal(check(&elf, &bin), 1);
	expect_line("is not the ELF's TCML image");
	assert_int_equal(check(&elf, &big), 1);
	expect_line("the .bin is 131073 bytes: bootaux copies 131072");
	free(elf.data);
	free(bin.data);
	free(big.data);
}

static void the_qemu_firmware_is_not_an_imx8qxp_image(void **state)
{
	struct file f = load(qemu_elf_path);

	(void)state;
	assert_true(check(&f, NULL) >= 3);
	expect_line("FAIL segments:");
	expect_line("FAIL vectors:");
	expect_line("FAIL bootaux:");
	free(f.data);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_board_firmware_is_accepted),
		cmocka_unit_test(a_segment_ending_at_the_window_end_is_refused),
		cmocka_unit_test(a_segment_in_unmapped_ddr_is_refused),
		cmocka_unit_test(a_vector_table_off_tcml_start_is_refused),
		cmocka_unit_test(a_hole_in_the_vector_table_is_refused),
		cmocka_unit_test(a_missing_resource_table_is_refused),
		cmocka_unit_test(a_malformed_resource_table_is_refused),
		cmocka_unit_test(a_vring_off_its_carveout_is_refused),
		cmocka_unit_test(data_outside_the_bootaux_image_is_refused),
		cmocka_unit_test(a_wrong_bin_is_refused),
		cmocka_unit_test(the_qemu_firmware_is_not_an_imx8qxp_image),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s BOARD.elf BOARD.bin QEMU.elf\n", argv[0]);
		return 2;
	}
	board_elf_path = argv[1];
	board_bin_path = argv[2];
	qemu_elf_path = argv[3];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
