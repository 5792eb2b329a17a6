/*
 * test_elf_loader.c — the ELF firmware loader against images built here field by field (ELF32 and
 * ELF64), two real files (this test's own executable and a Cortex-M4 firmware), and hostile
 * variants of them: each rejection is checked for its return value and for the diag it leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/diag.h"
#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"

/*
 * ---- A test-side ELF writer ----
 * Field offsets are typed in from the ELF spec here rather than taken from elf_loader.c, so a
 * layout mistake in the loader cannot hide behind the same mistake in the test.
 */
enum { C32, C64 };

struct field {
	unsigned short off[2];	/* [C32], [C64] */
	unsigned char width[2];
};

static const struct field E_TYPE      = { { 16, 16 }, { 2, 2 } };
static const struct field E_MACHINE   = { { 18, 18 }, { 2, 2 } };
static const struct field E_VERSION   = { { 20, 20 }, { 4, 4 } };
static const struct field E_ENTRY     = { { 24, 24 }, { 4, 8 } };
static const struct field E_PHOFF     = { { 28, 32 }, { 4, 8 } };
static const struct field E_SHOFF     = { { 32, 40 }, { 4, 8 } };
static const struct field E_EHSIZE    = { { 40, 52 }, { 2, 2 } };
static const struct field E_PHENTSIZE = { { 42, 54 }, { 2, 2 } };
static const struct field E_PHNUM     = { { 44, 56 }, { 2, 2 } };
static const struct field E_SHENTSIZE = { { 46, 58 }, { 2, 2 } };
static const struct field E_SHNUM     = { { 48, 60 }, { 2, 2 } };
static const struct field E_SHSTRNDX  = { { 50, 62 }, { 2, 2 } };

static const struct field P_TYPE   = { { 0, 0 }, { 4, 4 } };
static const struct field P_FLAGS  = { { 24, 4 }, { 4, 4 } };
static const struct field P_OFFSET = { { 4, 8 }, { 4, 8 } };
static const struct field P_VADDR  = { { 8, 16 }, { 4, 8 } };
static const struct field P_PADDR  = { { 12, 24 }, { 4, 8 } };
static const struct field P_FILESZ = { { 16, 32 }, { 4, 8 } };
static const struct field P_MEMSZ  = { { 20, 40 }, { 4, 8 } };
static const struct field P_ALIGN  = { { 28, 48 }, { 4, 8 } };

static const struct field SH_NAME   = { { 0, 0 }, { 4, 4 } };
static const struct field SH_TYPE   = { { 4, 4 }, { 4, 4 } };
static const struct field SH_FLAGS  = { { 8, 8 }, { 4, 8 } };
static const struct field SH_ADDR   = { { 12, 16 }, { 4, 8 } };
static const struct field SH_OFFSET = { { 16, 24 }, { 4, 8 } };
static const struct field SH_SIZE   = { { 20, 32 }, { 4, 8 } };

static const unsigned EHSIZE[2] = { 52, 64 };
static const unsigned PHENTSIZE[2] = { 32, 56 };
static const unsigned SHENTSIZE[2] = { 40, 64 };

#define IMG_MAX 16384
#define SEG_MAX 40
#define SEC_MAX 8

struct tseg {
	uint32_t type, flags;
	uint64_t paddr, vaddr, memsz;
	const uint8_t *bytes;
	size_t filesz;
};

/* A section's bytes are always some segment's, as in a linked image: @seg's, from @seg_off. */
struct tsec {
	const char *name;
	uint32_t type;
	uint64_t flags, addr;
	unsigned seg;
	size_t seg_off, size;
};

/* The image and where the writer put everything, for the tests to corrupt and to predict. */
struct timg {
	uint8_t buf[IMG_MAX];
	size_t size;
	int c;
	size_t phoff, shoff;
	unsigned phnum, shnum, shstrndx;
	size_t seg_off[SEG_MAX];
	size_t sec_off[SEC_MAX + 2], sec_name[SEC_MAX + 2];
	size_t strtab_off, strtab_size;
	size_t ph_end, sh_end, load_end;
};

/*
 * SHDRS_LAST is what linkers write: headers, segment bytes, names, section headers at the end.
 * SHDRS_FIRST puts the section headers and names before the segment bytes, so that truncating
 * the file breaks parse, the section lookup and the load at three different lengths.
 */
enum layout { SHDRS_LAST, SHDRS_FIRST };

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void put(struct timg *t, size_t at, const struct field *f, uint64_t v)
{
	unsigned k, w = f->width[t->c];
	size_t o = at + f->off[t->c];

	assert_true(o + w <= IMG_MAX);
	for (k = 0; k < w; k++)
		t->buf[o + k] = (uint8_t)(v >> (8 * k));
}

static void put_eh(struct timg *t, const struct field *f, uint64_t v)
{
	put(t, 0, f, v);
}

static void put_ph(struct timg *t, unsigned i, const struct field *f, uint64_t v)
{
	put(t, t->phoff + i * PHENTSIZE[t->c], f, v);
}

static void put_sh(struct timg *t, unsigned i, const struct field *f, uint64_t v)
{
	put(t, t->shoff + i * SHENTSIZE[t->c], f, v);
}

static void lay_out_strtab(struct timg *t, const struct tsec *secs, unsigned nsec, size_t *pos)
{
	size_t n, p = *pos;
	unsigned i;

	t->strtab_off = p;
	t->buf[p++] = 0;
	for (i = 0; i <= nsec; i++) {
		const char *name = i < nsec ? secs[i].name : ".shstrtab";

		n = strlen(name) + 1;
		assert_true(p + n <= IMG_MAX);
		t->sec_name[i + 1] = p - t->strtab_off;
		memcpy(t->buf + p, name, n);
		p += n;
	}
	t->strtab_size = p - t->strtab_off;
	*pos = p;
}

static void lay_out_shdrs(struct timg *t, size_t *pos)
{
	t->shoff = align_up(*pos, 8);
	*pos = t->shoff + t->shnum * SHENTSIZE[t->c];
	t->sh_end = *pos;
}

static void lay_out_segments(struct timg *t, const struct tseg *segs, unsigned nseg, size_t *pos)
{
	unsigned i;

	for (i = 0; i < nseg; i++) {
		*pos = align_up(*pos, 16);
		t->seg_off[i] = *pos;
		assert_true(*pos + segs[i].filesz <= IMG_MAX);
		memcpy(t->buf + *pos, segs[i].bytes, segs[i].filesz);
		*pos += segs[i].filesz;
		if (segs[i].type == MMAMP_PT_LOAD)
			t->load_end = max_sz(t->load_end, *pos);
	}
}

static void write_ehdr(struct timg *t, uint16_t machine, uint64_t entry)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	memcpy(t->buf, magic, 4);
	t->buf[4] = (uint8_t)(t->c + 1);	/* EI_CLASS */
	t->buf[5] = 1;				/* EI_DATA: ELFDATA2LSB */
	t->buf[6] = 1;				/* EI_VERSION: EV_CURRENT */
	put_eh(t, &E_TYPE, MMAMP_ET_EXEC);
	put_eh(t, &E_MACHINE, machine);
	put_eh(t, &E_VERSION, 1);
	put_eh(t, &E_ENTRY, entry);
	put_eh(t, &E_PHOFF, t->phoff);
	put_eh(t, &E_SHOFF, t->shoff);
	put_eh(t, &E_EHSIZE, EHSIZE[t->c]);
	put_eh(t, &E_PHENTSIZE, PHENTSIZE[t->c]);
	put_eh(t, &E_PHNUM, t->phnum);
	put_eh(t, &E_SHENTSIZE, t->shnum ? SHENTSIZE[t->c] : 0);
	put_eh(t, &E_SHNUM, t->shnum);
	put_eh(t, &E_SHSTRNDX, t->shstrndx);
}

static void write_phdrs(struct timg *t, const struct tseg *segs, unsigned nseg)
{
	unsigned i;

	for (i = 0; i < nseg; i++) {
		put_ph(t, i, &P_TYPE, segs[i].type);
		put_ph(t, i, &P_FLAGS, segs[i].flags);
		put_ph(t, i, &P_OFFSET, t->seg_off[i]);
		put_ph(t, i, &P_VADDR, segs[i].vaddr);
		put_ph(t, i, &P_PADDR, segs[i].paddr);
		put_ph(t, i, &P_FILESZ, segs[i].filesz);
		put_ph(t, i, &P_MEMSZ, segs[i].memsz);
		put_ph(t, i, &P_ALIGN, 16);
	}
}

static void write_shdrs(struct timg *t, const struct tsec *secs, unsigned nsec)
{
	unsigned i;

	for (i = 0; i < nsec; i++) {
		t->sec_off[i + 1] = t->seg_off[secs[i].seg] + secs[i].seg_off;
		put_sh(t, i + 1, &SH_NAME, t->sec_name[i + 1]);
		put_sh(t, i + 1, &SH_TYPE, secs[i].type);
		put_sh(t, i + 1, &SH_FLAGS, secs[i].flags);
		put_sh(t, i + 1, &SH_ADDR, secs[i].addr);
		put_sh(t, i + 1, &SH_OFFSET, t->sec_off[i + 1]);
		put_sh(t, i + 1, &SH_SIZE, secs[i].size);
	}
	t->sec_off[nsec + 1] = t->strtab_off;
	put_sh(t, nsec + 1, &SH_NAME, t->sec_name[nsec + 1]);
	put_sh(t, nsec + 1, &SH_TYPE, MMAMP_SHT_STRTAB);
	put_sh(t, nsec + 1, &SH_OFFSET, t->strtab_off);
	put_sh(t, nsec + 1, &SH_SIZE, t->strtab_size);
}

/* Section headers: [0] SHT_NULL, [1..nsec] @secs, [nsec + 1] .shstrtab; none if @nsec is 0. */
static void build(struct timg *t, int c, enum layout layout, uint16_t machine, uint64_t entry,
		  const struct tseg *segs, unsigned nseg, const struct tsec *secs, unsigned nsec)
{
	size_t pos;

	assert_true(nseg <= SEG_MAX && nsec <= SEC_MAX);
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->phnum = nseg;
	t->shnum = nsec ? nsec + 2 : 0;
	t->shstrndx = nsec ? nsec + 1 : 0;
	t->phoff = align_up(EHSIZE[c], 8);
	pos = t->phoff + nseg * PHENTSIZE[c];
	t->ph_end = pos;
	if (layout == SHDRS_FIRST && nsec) {
		lay_out_shdrs(t, &pos);
		lay_out_strtab(t, secs, nsec, &pos);
	}
	lay_out_segments(t, segs, nseg, &pos);
	if (layout == SHDRS_LAST && nsec) {
		lay_out_strtab(t, secs, nsec, &pos);
		lay_out_shdrs(t, &pos);
	}
	assert_true(pos <= IMG_MAX);
	t->size = pos;
	write_ehdr(t, machine, entry);
	write_phdrs(t, segs, nseg);
	if (nsec)
		write_shdrs(t, secs, nsec);
}

/*
 * ---- The standard image ----
 * [0] PT_LOAD R+X  text, 64 bytes                    at TEXT_DA
 * [1] PT_NOTE      20 bytes, must be ignored
 * [2] PT_LOAD R+W  64 bytes + 0xc0 bytes of .bss     at DATA_DA (holds the resource table)
 * Sections: [1] .text [2] .note.mmamp [3] .resource_table (DATA_DA + 16, 32 bytes) [4] .bss
 * [5] .shstrtab. ELF64 addresses sit above 4 GiB so that a 32-bit truncation would show.
 * p_vaddr differs from p_paddr everywhere: the loader must use p_paddr.
 */
#define SEC_TEXT 1u
#define SEC_NOTE 2u
#define SEC_RSC  3u
#define SEC_BSS  4u
#define SEC_STRTAB 5u
#define PH_TEXT 0u
#define PH_NOTE 1u
#define PH_DATA 2u

#define TEXT_SIZE 64u
#define DATA_FILESZ 64u
#define DATA_MEMSZ 0x100u
#define RSC_OFF 16u
#define RSC_SIZE 32u

static const uint64_t TEXT_DA[2] = { 0x1ffe0000u, 0x11ffe0000ull };
static const uint64_t DATA_DA[2] = { 0x20000000u, 0x120000000ull };
static const uint64_t ENTRY[2] = { 0x1ffe0009u, 0x11ffe0008ull };
static const uint64_t VADDR_XOR = 0x40000000u;

static uint8_t text_bytes[TEXT_SIZE], data_bytes[DATA_FILESZ], note_bytes[20];

static void fill_patterns(void)
{
	static const uint32_t rsc_hdr[4] = { 1, 0, 0, 0 };
	unsigned i;

	for (i = 0; i < TEXT_SIZE; i++)
		text_bytes[i] = (uint8_t)(0x10 + i);
	for (i = 0; i < DATA_FILESZ; i++)
		data_bytes[i] = (uint8_t)(0x80 + i);
	memcpy(data_bytes + RSC_OFF, rsc_hdr, sizeof(rsc_hdr));
	memcpy(data_bytes + RSC_OFF + 16, "rsc-table-marker", 16);
	for (i = 0; i < sizeof(note_bytes); i++)
		note_bytes[i] = (uint8_t)(0xe0 + i);
}

static void build_std(struct timg *t, int c, enum layout layout)
{
	struct tseg segs[3] = {
		{ MMAMP_PT_LOAD, MMAMP_PF_R | MMAMP_PF_X, TEXT_DA[c], TEXT_DA[c] ^ VADDR_XOR,
		  TEXT_SIZE, text_bytes, TEXT_SIZE },
		{ MMAMP_PT_NOTE, MMAMP_PF_R, 0, 0, 0, note_bytes, sizeof(note_bytes) },
		{ MMAMP_PT_LOAD, MMAMP_PF_R | MMAMP_PF_W, DATA_DA[c], DATA_DA[c] ^ VADDR_XOR,
		  DATA_MEMSZ, data_bytes, DATA_FILESZ },
	};
	struct tsec secs[4] = {
		{ ".text", MMAMP_SHT_PROGBITS, 6, TEXT_DA[c], PH_TEXT, 0, TEXT_SIZE },
		{ ".note.mmamp", MMAMP_SHT_NOTE, 2, 0, PH_NOTE, 0, sizeof(note_bytes) },
		{ ".resource_table", MMAMP_SHT_PROGBITS, 2, DATA_DA[c] + RSC_OFF, PH_DATA, RSC_OFF,
		  RSC_SIZE },
		{ ".bss", MMAMP_SHT_NOBITS, 3, DATA_DA[c] + DATA_FILESZ, PH_DATA, DATA_FILESZ,
		  DATA_MEMSZ - DATA_FILESZ },
	};

	fill_patterns();
	build(t, c, layout, c == C32 ? MMAMP_EM_ARM : MMAMP_EM_AARCH64, ENTRY[c], segs, 3, secs, 4);
}

/*
 * ---- A fake remote memory: two windows, pre-filled with 0xAA, behind a recording map ----
 */
#define WINDOW 0x1000u
#define FILL 0xaa

struct call {
	uint64_t da, memsz;
};

struct fake {
	uint64_t base[2];
	uint8_t mem[2][WINDOW];
	struct call calls[64];
	unsigned ncalls;
	uint64_t refuse_da;	/* refuse this da with refuse_err, when refuse_err != 0 */
	int refuse_err;
	int give_null;		/* return 0 without a pointer */
};

static void fake_init(struct fake *f, uint64_t base0, uint64_t base1)
{
	memset(f, 0, sizeof(*f));
	f->base[0] = base0;
	f->base[1] = base1;
	memset(f->mem, FILL, sizeof(f->mem));
}

static int fake_map(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct fake *f = ctx;
	unsigned w;

	assert_true(f->ncalls < 64);
	f->calls[f->ncalls].da = da;
	f->calls[f->ncalls++].memsz = memsz;
	if (f->refuse_err && da == f->refuse_da)
		return f->refuse_err;
	if (f->give_null)
		return 0;
	for (w = 0; w < 2; w++) {
		if (da >= f->base[w] && memsz <= WINDOW && da - f->base[w] <= WINDOW - memsz) {
			*local = f->mem[w] + (da - f->base[w]);
			return 0;
		}
	}
	return -MMAMP_EACCES;
}

static int all_fill(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static int fake_untouched(const struct fake *f)
{
	return all_fill(&f->mem[0][0], sizeof(f->mem), FILL);
}

/* The standard image, loaded: bytes, zero fill, and nothing beyond p_memsz. */
static void assert_std_loaded(const struct fake *f)
{
	assert_memory_equal(f->mem[0], text_bytes, TEXT_SIZE);
	assert_true(all_fill(f->mem[0] + TEXT_SIZE, WINDOW - TEXT_SIZE, FILL));
	assert_memory_equal(f->mem[1], data_bytes, DATA_FILESZ);
	assert_true(all_fill(f->mem[1] + DATA_FILESZ, DATA_MEMSZ - DATA_FILESZ, 0));
	assert_true(all_fill(f->mem[1] + DATA_MEMSZ, WINDOW - DATA_MEMSZ, FILL));
}

/* ---- diag checks ---- */

static void assert_diag(const struct mmamp_diag *d, const char *where, int index,
			const char *field, uint64_t value)
{
	assert_non_null(d->where);
	assert_string_equal(d->where, where);
	assert_int_equal(d->index, index);
	assert_non_null(d->field);
	assert_string_equal(d->field, field);
	assert_true(d->value == value);
	assert_non_null(d->why);
}

static void assert_diag_limit(const struct mmamp_diag *d, const char *where, int index,
			      const char *field, uint64_t value, uint64_t limit)
{
	assert_diag(d, where, index, field, value);
	assert_true(d->has_limit);
	assert_true(d->limit == limit);
}

static void assert_diag_text(const struct mmamp_diag *d, const char *text)
{
	char buf[200];

	mmamp_diag_format(d, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static const char EH[] = "ELF header";
static const char PH[] = "program header";
static const char SH[] = "section header";
#define NOI MMAMP_DIAG_NO_INDEX

/* A diag filled with something recognisable, to prove a call left it alone. */
static void diag_sentinel(struct mmamp_diag *d)
{
	memset(d, 0, sizeof(*d));
	d->field = "sentinel";
}

static int cls_of(void **state)
{
	return *(int *)*state;
}

static int k32 = C32, k64 = C64;

/* Parse a (corrupted) image expecting a rejection; returns the diag through @d. */
static void expect_parse_fails(const struct timg *t, struct mmamp_diag *d)
{
	struct mmamp_elf_image img;

	memset(d, 0, sizeof(*d));
	assert_int_equal(mmamp_elf_parse(&img, t->buf, t->size, d), -MMAMP_ENOEXEC);
	assert_null(img.data);	/* a failed parse leaves nothing usable */
}

static void parse_ok(struct mmamp_elf_image *img, const struct timg *t)
{
	struct mmamp_diag d;

	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_parse(img, t->buf, t->size, &d), 0);
	assert_null(d.field);
}

/* Load expecting a rejection before anything was mapped or written. */
static void expect_load_fails_early(const struct timg *t, struct mmamp_diag *d)
{
	struct mmamp_elf_image img;
	static struct fake f;

	parse_ok(&img, t);
	fake_init(&f, TEXT_DA[t->c], DATA_DA[t->c]);
	memset(d, 0, sizeof(*d));
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, d), -MMAMP_ENOEXEC);
	assert_int_equal(f.ncalls, 0);
	assert_true(fake_untouched(&f));
}

static void expect_rsc_fails(const struct timg *t, struct mmamp_diag *d)
{
	struct mmamp_elf_image img;
	const void *tab = NULL;
	size_t size = 0;
	uint64_t da = 0;

	parse_ok(&img, t);
	memset(d, 0, sizeof(*d));
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &size, &da, d), -MMAMP_ENOEXEC);
	assert_null(tab);
	assert_int_equal(size, 0);
}

/* ======================================================================================== */
/* Good images                                                                                */
/* ======================================================================================== */

static void loads_built_image(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	const void *tab;
	size_t size;
	uint64_t da;

	build_std(&t, c, SHDRS_LAST);
	parse_ok(&img, &t);
	assert_int_equal(img.bits, c == C32 ? 32 : 64);
	assert_int_equal(img.machine, c == C32 ? MMAMP_EM_ARM : MMAMP_EM_AARCH64);
	assert_int_equal(img.type, MMAMP_ET_EXEC);
	assert_true(img.entry == ENTRY[c]);
	assert_int_equal(img.phnum, 3);
	assert_int_equal(img.shnum, 6);
	assert_int_equal(img.shstrndx, SEC_STRTAB);
	assert_ptr_equal(img.data, t.buf);
	assert_int_equal(img.size, t.size);

	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &size, &da, &d), 0);
	assert_ptr_equal(tab, t.buf + t.seg_off[PH_DATA] + RSC_OFF);
	assert_int_equal(size, RSC_SIZE);
	assert_true(da == DATA_DA[c] + RSC_OFF);
	assert_memory_equal(tab, data_bytes + RSC_OFF, RSC_SIZE);

	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_null(d.field);
	assert_int_equal(f.ncalls, 2);	/* the PT_NOTE is not mapped */
	assert_true(f.calls[0].da == TEXT_DA[c] && f.calls[0].memsz == TEXT_SIZE);
	assert_true(f.calls[1].da == DATA_DA[c] && f.calls[1].memsz == DATA_MEMSZ);
	assert_std_loaded(&f);
	/* the table is where sh_addr says once loaded */
	assert_memory_equal(f.mem[1] + (da - DATA_DA[c]), tab, size);
}

static void reports_every_program_header(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_segment s;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_segment(&img, PH_NOTE, &s, NULL), 0);
	assert_int_equal(s.type, MMAMP_PT_NOTE);
	assert_true(s.offset == t.seg_off[PH_NOTE] && s.filesz == sizeof(note_bytes));
	assert_int_equal(mmamp_elf_segment(&img, PH_DATA, &s, NULL), 0);
	assert_int_equal(s.type, MMAMP_PT_LOAD);
	assert_int_equal(s.flags, MMAMP_PF_R | MMAMP_PF_W);
	assert_true(s.paddr == DATA_DA[c]);
	assert_true(s.vaddr == (DATA_DA[c] ^ VADDR_XOR));
	assert_true(s.offset == t.seg_off[PH_DATA]);
	assert_true(s.filesz == DATA_FILESZ && s.memsz == DATA_MEMSZ && s.align == 16);

	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_segment(&img, 3, &s, &d), -MMAMP_EINVAL);
	assert_diag_limit(&d, PH, NOI, "index", 3, 3);
	assert_int_equal(mmamp_elf_check_segments(&img, &d), 0);
}

static void finds_sections_by_exact_name(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_section s;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_find_section(&img, ".text", &s, NULL), 0);
	assert_int_equal(s.index, SEC_TEXT);
	assert_int_equal(s.type, MMAMP_SHT_PROGBITS);
	assert_true(s.addr == TEXT_DA[c] && s.size == TEXT_SIZE);
	assert_ptr_equal(s.data, t.buf + t.seg_off[PH_TEXT]);
	assert_int_equal(mmamp_elf_find_section(&img, ".bss", &s, NULL), 0);
	assert_int_equal(s.index, SEC_BSS);
	assert_null(s.data);	/* NOBITS: no bytes in the file */
	assert_int_equal(mmamp_elf_find_section(&img, ".shstrtab", &s, NULL), 0);
	assert_int_equal(s.index, SEC_STRTAB);

	/* prefixes and extensions of a name are other names */
	diag_sentinel(&d);
	assert_int_equal(mmamp_elf_find_section(&img, ".resource", &s, &d), -MMAMP_ENOENT);
	assert_int_equal(mmamp_elf_find_section(&img, ".resource_table2", &s, &d), -MMAMP_ENOENT);
	assert_int_equal(mmamp_elf_find_section(&img, ".tex", &s, &d), -MMAMP_ENOENT);
	assert_int_equal(mmamp_elf_find_section(&img, ".data", &s, &d), -MMAMP_ENOENT);
	assert_string_equal(d.field, "sentinel");	/* ENOENT is not an error in the file */
}

static void image_without_rsc_table(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	const void *tab;
	size_t size;

	build_std(&t, c, SHDRS_LAST);
	t.buf[t.strtab_off + t.sec_name[SEC_RSC] + 1] = 'R';	/* ".Resource_table" */
	parse_ok(&img, &t);
	diag_sentinel(&d);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &size, NULL, &d), -MMAMP_ENOENT);
	assert_string_equal(d.field, "sentinel");
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_std_loaded(&f);
}

static void image_without_section_headers(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_elf_section s;
	struct mmamp_diag d;
	const void *tab;
	size_t size;

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHOFF, 0);
	put_eh(&t, &E_SHNUM, 0);
	put_eh(&t, &E_SHSTRNDX, 0);
	put_eh(&t, &E_SHENTSIZE, 0);
	parse_ok(&img, &t);
	diag_sentinel(&d);
	assert_int_equal(mmamp_elf_find_section(&img, ".text", &s, &d), -MMAMP_ENOENT);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &size, NULL, &d), -MMAMP_ENOENT);
	assert_string_equal(d.field, "sentinel");
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_std_loaded(&f);
}

/* ET_DYN (a PIE, like the simulated core's firmware) is loadable too. */
static void accepts_et_dyn(void **state)
{
	static struct timg t;
	struct mmamp_elf_image img;

	(void)state;
	build_std(&t, C64, SHDRS_LAST);
	put_eh(&t, &E_TYPE, MMAMP_ET_DYN);
	parse_ok(&img, &t);
	assert_int_equal(img.type, MMAMP_ET_DYN);
}

/* Segments that touch are fine; empty PT_LOADs are neither mapped nor overlap-checked. */
static void accepts_adjacent_and_empty_segments(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, TEXT_DA[c] + TEXT_SIZE);
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_memory_equal(f.mem[0], text_bytes, TEXT_SIZE);
	assert_memory_equal(f.mem[0] + TEXT_SIZE, data_bytes, DATA_FILESZ);

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, TEXT_DA[c]);
	put_ph(&t, PH_DATA, &P_FILESZ, 0);
	put_ph(&t, PH_DATA, &P_MEMSZ, 0);
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_int_equal(f.ncalls, 1);
}

/* A garbage PT_NOTE (sizes that would be rejected in a PT_LOAD) is ignored. */
static void ignores_other_segment_types(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_NOTE, &P_OFFSET, 0xfffffff0u);
	put_ph(&t, PH_NOTE, &P_FILESZ, 0x1000000);
	put_ph(&t, PH_NOTE, &P_MEMSZ, 0x10);
	put_ph(&t, PH_NOTE, &P_PADDR, TEXT_DA[c]);	/* would overlap the text */
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_int_equal(f.ncalls, 2);
	assert_std_loaded(&f);
}

/* Exactly MMAMP_ELF_MAX_LOAD_SEGMENTS loads; one more is refused before any mapping. */
static void bounds_the_number_of_load_segments(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	static uint8_t bytes[SEG_MAX][4];
	struct tseg segs[SEG_MAX];
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	unsigned i, n = MMAMP_ELF_MAX_LOAD_SEGMENTS;

	for (i = 0; i < n + 1; i++) {
		memset(bytes[i], (int)i + 1, 4);
		segs[i] = (struct tseg){ MMAMP_PT_LOAD, MMAMP_PF_R, TEXT_DA[c] + 16 * i,
					 TEXT_DA[c] + 16 * i, 16, bytes[i], 4 };
	}
	build(&t, c, SHDRS_LAST, MMAMP_EM_ARM, 0, segs, n, NULL, 0);
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_int_equal(f.ncalls, n);
	for (i = 0; i < n; i++) {
		assert_memory_equal(f.mem[0] + 16 * i, bytes[i], 4);
		assert_true(all_fill(f.mem[0] + 16 * i + 4, 12, 0));
	}

	build(&t, c, SHDRS_LAST, MMAMP_EM_ARM, 0, segs, n + 1, NULL, 0);
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, (int)n, "p_type", MMAMP_PT_LOAD, n);
}

/* ======================================================================================== */
/* Real files                                                                                 */
/* ======================================================================================== */

/*
 * This test program is itself the host-side fixture: a real executable from the host toolchain
 * (ELF64, PIE, whatever the build adds) with a .resource_table section.
 */
struct host_rsc {
	uint32_t ver, num, reserved[2];
	char marker[16];
};

__attribute__((section(".resource_table"), used))
static const struct host_rsc host_rsc_table = { 1, 0, { 0, 0 }, "mmamp-host-fx" };

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	assert_non_null(fp);
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got);
	fclose(fp);
	*size = n;
	return buf;
}

/* A map over one flat buffer covering every PT_LOAD of an image. */
struct flat {
	uint64_t base;
	size_t size;
	uint8_t *mem;
	unsigned ncalls;
};

static int flat_map(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct flat *f = ctx;

	f->ncalls++;
	if (da < f->base || memsz > f->size || da - f->base > f->size - memsz)
		return -MMAMP_EACCES;
	*local = f->mem + (da - f->base);
	return 0;
}

static void flat_span(const struct mmamp_elf_image *img, struct flat *f)
{
	struct mmamp_elf_segment s;
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned i;

	for (i = 0; i < img->phnum; i++) {
		assert_int_equal(mmamp_elf_segment(img, i, &s, NULL), 0);
		if (s.type != MMAMP_PT_LOAD || !s.memsz)
			continue;
		lo = s.paddr < lo ? s.paddr : lo;
		hi = s.paddr + s.memsz > hi ? s.paddr + s.memsz : hi;
	}
	assert_true(hi > lo);
	f->base = lo;
	f->size = (size_t)(hi - lo);
}

static void parses_and_loads_this_executable(void **state)
{
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	struct flat f = { 0 };
	const void *tab;
	size_t size, fsize;
	uint64_t da;
	uint8_t *file;

	(void)state;
	file = read_file("/proc/self/exe", &fsize);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_parse(&img, file, fsize, &d), 0);
	assert_int_equal(img.bits, sizeof(void *) * 8);
#if defined(__x86_64__)
	assert_int_equal(img.machine, MMAMP_EM_X86_64);
#elif defined(__aarch64__)
	assert_int_equal(img.machine, MMAMP_EM_AARCH64);
#endif
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &size, &da, &d), 0);
	/* a sanitizer may pad the object; its bytes come first */
	assert_true(size >= sizeof(host_rsc_table));
	assert_memory_equal(tab, &host_rsc_table, sizeof(host_rsc_table));
	assert_int_equal(mmamp_elf_check_segments(&img, &d), 0);

	flat_span(&img, &f);
	if (f.size <= (256u << 20)) {	/* a sanitizer runtime may reserve a lot of .bss */
		f.mem = malloc(f.size);
		assert_non_null(f.mem);
		memset(f.mem, FILL, f.size);
		assert_int_equal(mmamp_elf_load(&img, flat_map, &f, &d), 0);
		assert_true(f.ncalls >= 2);
		assert_true(da >= f.base && da - f.base + size <= f.size);
		assert_memory_equal(f.mem + (da - f.base), tab, size);
		free(f.mem);
	}
	free(file);
}

/*
 * A real Cortex-M4 firmware from Debian's arm-none-eabi-gcc 12.2.1 (712 bytes), built from
 *
 *   struct rsc_hdr { unsigned int ver, num, reserved[2]; unsigned int offset[1];
 *                    unsigned int trace_type, da, len, reserved2; char name[32]; };
 *   __attribute__((section(".resource_table"), used))
 *   const struct rsc_hdr resource_table = {
 *           1, 1, { 0, 0 }, { 20 }, 2, 0x20000800u, 0x100, 0, "trace0" };
 *   volatile unsigned int counter = 0x12345678u;
 *   volatile unsigned int zeroes[64];
 *   void reset(void);
 *   void reset(void) { for (;;) zeroes[counter++ & 63] = counter; }
 *
 * with: arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
 *       -fno-ident -nostdlib -ffreestanding -Wl,-n -Wl,-z,max-page-size=16
 *       -Wl,-Ttext=0x1FFE0000 -Wl,-Tdata=0x20000000 -Wl,-e,reset -Wl,--build-id=none -s
 *
 * readelf: entry 0x1ffe0001; LOAD 0x74 -> 0x1ffe0000 filesz 0x64 memsz 0x64 (.text,
 * .resource_table at 0x1ffe0020, 0x44 bytes); LOAD 0xd8 -> 0x20000000 filesz 4 memsz 0x104
 * (.data, .bss); 9 section headers at 0x160, .shstrtab is 8.
 */
static const uint8_t m4_fw[712] = {
	0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0xfe, 0x1f, 0x34, 0x00, 0x00, 0x00, 0x60, 0x01, 0x00, 0x00,
	0x00, 0x04, 0x00, 0x05, 0x34, 0x00, 0x20, 0x00, 0x02, 0x00, 0x28, 0x00,
	0x09, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x74, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xfe, 0x1f, 0x00, 0x00, 0xfe, 0x1f, 0x64, 0x00, 0x00, 0x00,
	0x64, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
	0x00, 0x00, 0x00, 0x20, 0x04, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x4a, 0x06, 0x49,
	0x13, 0x68, 0x58, 0x1c, 0x10, 0x60, 0x03, 0xf0, 0x3f, 0x03, 0x10, 0x68,
	0x41, 0xf8, 0x23, 0x00, 0xf6, 0xe7, 0x00, 0xbf, 0x00, 0x00, 0x00, 0x20,
	0x04, 0x00, 0x00, 0x20, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x74, 0x72, 0x61, 0x63, 0x65, 0x30, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x78, 0x56, 0x34, 0x12, 0x41, 0x33, 0x00, 0x00, 0x00, 0x61, 0x65, 0x61,
	0x62, 0x69, 0x00, 0x01, 0x29, 0x00, 0x00, 0x00, 0x05, 0x37, 0x45, 0x2d,
	0x4d, 0x00, 0x06, 0x0d, 0x07, 0x4d, 0x09, 0x02, 0x0a, 0x06, 0x12, 0x04,
	0x14, 0x01, 0x15, 0x01, 0x17, 0x03, 0x18, 0x01, 0x19, 0x01, 0x1a, 0x01,
	0x1b, 0x01, 0x1c, 0x01, 0x1e, 0x04, 0x22, 0x01, 0x00, 0x2e, 0x73, 0x68,
	0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e, 0x74, 0x65, 0x78, 0x74,
	0x00, 0x2e, 0x72, 0x65, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x5f, 0x74,
	0x61, 0x62, 0x6c, 0x65, 0x00, 0x2e, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e,
	0x70, 0x65, 0x72, 0x73, 0x69, 0x73, 0x74, 0x65, 0x6e, 0x74, 0x00, 0x2e,
	0x62, 0x73, 0x73, 0x00, 0x2e, 0x6e, 0x6f, 0x69, 0x6e, 0x69, 0x74, 0x00,
	0x2e, 0x41, 0x52, 0x4d, 0x2e, 0x61, 0x74, 0x74, 0x72, 0x69, 0x62, 0x75,
	0x74, 0x65, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x1f,
	0x74, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x20, 0x00, 0xfe, 0x1f, 0x94, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0xd8, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x20,
	0xdc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x33, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x20, 0xdc, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xdc, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static void parses_and_loads_m4_firmware(void **state)
{
	static const uint8_t trace0[7] = "trace0";
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	const uint8_t *tab;
	const void *p;
	size_t size;
	uint64_t da;
	uint32_t w[6];

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_parse(&img, m4_fw, sizeof(m4_fw), &d), 0);
	assert_int_equal(img.bits, 32);
	assert_int_equal(img.machine, MMAMP_EM_ARM);
	assert_int_equal(img.type, MMAMP_ET_EXEC);
	assert_true(img.entry == 0x1ffe0001u);
	assert_int_equal(img.phnum, 2);
	assert_int_equal(img.shnum, 9);
	assert_int_equal(img.shstrndx, 8);

	assert_int_equal(mmamp_elf_find_rsc_table(&img, &p, &size, &da, &d), 0);
	tab = p;
	assert_ptr_equal(tab, m4_fw + 0x94);
	assert_int_equal(size, 0x44);
	assert_true(da == 0x1ffe0020u);
	memcpy(w, tab, sizeof(w));
	assert_int_equal(w[0], 1);		/* ver */
	assert_int_equal(w[1], 1);		/* num */
	assert_int_equal(w[4], 20);		/* offset[0] */
	assert_int_equal(w[5], 2);		/* RSC_TRACE */
	assert_memory_equal(tab + 36, trace0, sizeof(trace0));

	fake_init(&f, 0x1ffe0000u, 0x20000000u);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), 0);
	assert_int_equal(f.ncalls, 2);
	assert_true(f.calls[0].da == 0x1ffe0000u && f.calls[0].memsz == 0x64);
	assert_true(f.calls[1].da == 0x20000000u && f.calls[1].memsz == 0x104);
	assert_memory_equal(f.mem[0], m4_fw + 0x74, 0x64);
	assert_memory_equal(f.mem[0] + 0x20, tab, 0x44);
	memcpy(w, f.mem[1], 4);
	assert_int_equal(w[0], 0x12345678u);	/* counter */
	assert_true(all_fill(f.mem[1] + 4, 0x100, 0));	/* zeroes[] */
	assert_true(all_fill(f.mem[1] + 0x104, WINDOW - 0x104, FILL));
}

/* ======================================================================================== */
/* Truncation: every prefix of an image, in an exactly sized heap block (ASan sees overreads)  */
/* ======================================================================================== */

struct trunc_result {
	size_t parse_min, rsc_min, load_min;	/* shortest prefixes that succeed */
};

static void note_success(size_t *min, size_t len, int ok)
{
	if (ok && *min == SIZE_MAX)
		*min = len;
	/* succeeding once means succeeding for every longer prefix */
	assert_true(ok == (*min != SIZE_MAX));
}

static void try_prefix(const uint8_t *full, size_t len, uint64_t base0, uint64_t base1,
		       struct trunc_result *r)
{
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	uint8_t *buf = malloc(len ? len : 1);
	const void *tab = NULL;
	size_t size = 0;
	int ret;

	assert_non_null(buf);
	memcpy(buf, full, len);
	memset(&d, 0, sizeof(d));
	ret = mmamp_elf_parse(&img, buf, len, &d);
	assert_true(ret == 0 || (ret == -MMAMP_ENOEXEC && d.field && d.where));
	note_success(&r->parse_min, len, ret == 0);
	if (ret == 0) {
		memset(&d, 0, sizeof(d));
		ret = mmamp_elf_find_rsc_table(&img, &tab, &size, NULL, &d);
		assert_true(ret == 0 || (ret == -MMAMP_ENOEXEC && d.field && d.where));
		note_success(&r->rsc_min, len, ret == 0);
		memset(&d, 0, sizeof(d));
		fake_init(&f, base0, base1);
		ret = mmamp_elf_load(&img, fake_map, &f, &d);
		assert_true(ret == 0 || (ret == -MMAMP_ENOEXEC && d.field && d.where));
		assert_true(ret == 0 || (fake_untouched(&f) && f.ncalls == 0));
		note_success(&r->load_min, len, ret == 0);
	} else {
		note_success(&r->rsc_min, len, 0);
		note_success(&r->load_min, len, 0);
	}
	free(buf);
}

static void truncate_everywhere(const uint8_t *full, size_t size, uint64_t base0, uint64_t base1,
				struct trunc_result *r)
{
	size_t len;

	r->parse_min = r->rsc_min = r->load_min = SIZE_MAX;
	for (len = 0; len <= size; len++)
		try_prefix(full, len, base0, base1, r);
	assert_true(r->parse_min <= size && r->rsc_min <= size && r->load_min <= size);
}

static void survives_truncation(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct trunc_result r;
	size_t rsc_end;

	/* linker layout: the section headers come last, so nothing short of the file parses */
	build_std(&t, c, SHDRS_LAST);
	truncate_everywhere(t.buf, t.size, TEXT_DA[c], DATA_DA[c], &r);
	assert_int_equal(r.parse_min, t.size);

	/* headers first: parse, then the table lookup, then the load start to work */
	build_std(&t, c, SHDRS_FIRST);
	rsc_end = t.sec_off[SEC_RSC] + RSC_SIZE;
	truncate_everywhere(t.buf, t.size, TEXT_DA[c], DATA_DA[c], &r);
	assert_int_equal(r.parse_min, t.sh_end);
	assert_int_equal(r.rsc_min, max_sz(t.strtab_off + t.strtab_size, rsc_end));
	assert_int_equal(r.load_min, t.load_end);
	assert_true(r.parse_min < r.rsc_min && r.rsc_min < r.load_min);
}

static void survives_truncation_of_m4_firmware(void **state)
{
	struct trunc_result r;

	(void)state;
	truncate_everywhere(m4_fw, sizeof(m4_fw), 0x1ffe0000u, 0x20000000u, &r);
	assert_int_equal(r.parse_min, sizeof(m4_fw));	/* section headers end the file */
}

/* ======================================================================================== */
/* Hostile ELF headers                                                                        */
/* ======================================================================================== */

static void rejects_short_files(void **state)
{
	static struct timg t;
	struct mmamp_diag d;

	(void)state;
	build_std(&t, C32, SHDRS_LAST);
	t.size = 51;
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "file size", 51, 52);
	t.size = 0;
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "file size", 0, 52);

	build_std(&t, C64, SHDRS_LAST);
	t.size = 60;	/* enough for e_ident, not for an ELF64 header */
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "file size", 60, 64);
}

static void rejects_bad_ident(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	t.buf[1] = 'X';
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_MAG0..EI_MAG3]", 0x7f584c46u);

	build_std(&t, c, SHDRS_LAST);
	t.buf[0] = 0;
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_MAG0..EI_MAG3]", 0x00454c46u);

	build_std(&t, c, SHDRS_LAST);
	t.buf[4] = 0;	/* ELFCLASSNONE */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_CLASS]", 0);
	t.buf[4] = 3;
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_CLASS]", 3);

	build_std(&t, c, SHDRS_LAST);
	t.buf[5] = 2;	/* ELFDATA2MSB */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_DATA]", 2);
	t.buf[5] = 0;
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_DATA]", 0);

	build_std(&t, c, SHDRS_LAST);
	t.buf[6] = 0;
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_ident[EI_VERSION]", 0);
}

static void rejects_bad_type_and_version(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_TYPE, 1);	/* ET_REL */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_type", 1);
	put_eh(&t, &E_TYPE, 4);	/* ET_CORE */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_type", 4);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_VERSION, 2);
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_version", 2);
}

static void rejects_bad_program_header_table(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;
	uint64_t table = 3 * PHENTSIZE[c];

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_PHENTSIZE, PHENTSIZE[!c]);	/* the other class's size */
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_phentsize", PHENTSIZE[!c], PHENTSIZE[c]);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_PHNUM, 0);
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_phnum", 0);
	assert_diag_text(&d, "ELF header: e_phnum 0 is zero");

	put_eh(&t, &E_PHNUM, 0xffff);	/* PN_XNUM, refused as such, not for its size */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_phnum", 0xffff);
	assert_non_null(strstr(d.why, "PN_XNUM"));

	put_eh(&t, &E_PHNUM, 1000);	/* more headers than bytes in the file */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_phnum", 1000);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_PHOFF, t.size);
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_phoff", t.size, t.size - table);

	put_eh(&t, &E_PHOFF, t.size - table + 1);	/* one byte too far */
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_phoff", t.size - table + 1, t.size - table);

	put_eh(&t, &E_PHOFF, c == C32 ? 0xfffffff0u : 0xfffffffffffffff0ull);	/* would wrap */
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_phoff", c == C32 ? 0xfffffff0u : 0xfffffffffffffff0ull);
}

static void rejects_bad_section_header_table(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;
	uint64_t table = 6 * SHENTSIZE[c];

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHENTSIZE, SHENTSIZE[!c]);
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_shentsize", SHENTSIZE[!c], SHENTSIZE[c]);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHOFF, t.shoff + 1);
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_shoff", t.shoff + 1, t.size - table);

	put_eh(&t, &E_SHOFF, c == C32 ? 0xffffffc0u : 0xffffffffffffffc0ull);
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_shoff", c == C32 ? 0xffffffc0u : 0xffffffffffffffc0ull);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHNUM, 0xfeff);
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_shnum", 0xfeff);

	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHSTRNDX, 6);
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_shstrndx", 6, 6);
	put_eh(&t, &E_SHSTRNDX, 0xffff);	/* SHN_XINDEX */
	expect_parse_fails(&t, &d);
	assert_diag_limit(&d, EH, NOI, "e_shstrndx", 0xffff, 6);

	/* e_shnum 0 with e_shoff set: the extended-numbering escape */
	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHNUM, 0);
	expect_parse_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_shoff", t.shoff);
}

/* ======================================================================================== */
/* Hostile program headers                                                                    */
/* ======================================================================================== */

static void rejects_filesz_above_memsz(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_segment s;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_FILESZ, DATA_MEMSZ + 1);
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_DATA, "p_filesz", DATA_MEMSZ + 1, DATA_MEMSZ);
	assert_diag_text(&d, "program header 2: p_filesz 0x101 exceeds p_memsz (limit 0x100)");

	parse_ok(&img, &t);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_segment(&img, PH_DATA, &s, &d), -MMAMP_ENOEXEC);
	assert_diag_limit(&d, PH, PH_DATA, "p_filesz", DATA_MEMSZ + 1, DATA_MEMSZ);
	assert_int_equal(mmamp_elf_check_segments(&img, NULL), -MMAMP_ENOEXEC);
}

static void rejects_file_bytes_past_end(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;
	uint64_t huge = c == C32 ? 0xfffffff0u : 0xfffffffffffffff0ull;

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_TEXT, &P_OFFSET, t.size - TEXT_SIZE + 1);
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_TEXT, "p_offset", t.size - TEXT_SIZE + 1, t.size - TEXT_SIZE);

	put_ph(&t, PH_TEXT, &P_OFFSET, huge);	/* offset + filesz wraps to a small number */
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_TEXT, "p_offset", huge, t.size - TEXT_SIZE);

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_FILESZ, huge);
	put_ph(&t, PH_DATA, &P_MEMSZ, huge);
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_DATA, "p_filesz", huge, t.size);

	/* an empty file part still needs an offset inside the file (as in Linux) */
	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_FILESZ, 0);
	put_ph(&t, PH_DATA, &P_OFFSET, t.size + 1);
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_DATA, "p_offset", t.size + 1, t.size);
}

static void rejects_address_wrap(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_segment s;
	struct mmamp_diag d;
	uint64_t top = c == C32 ? 0xffffffffu : UINT64_MAX;

	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, top - 0x7f);	/* 0x80 bytes below the top */
	expect_load_fails_early(&t, &d);
	assert_diag_limit(&d, PH, PH_DATA, "p_memsz", DATA_MEMSZ, 0x80);

	/* ending exactly at the top is not a wrap */
	put_ph(&t, PH_DATA, &P_PADDR, top - 0xff);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_segment(&img, PH_DATA, &s, NULL), 0);
	assert_int_equal(mmamp_elf_check_segments(&img, NULL), 0);
}

/* The address space is the class's: near 4 GiB is a wrap for ELF32 only. */
static void address_space_follows_the_class(void **state)
{
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_segment s;
	struct mmamp_diag d;

	(void)state;
	build_std(&t, C64, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, 0xffffff80u);
	parse_ok(&img, &t);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_segment(&img, PH_DATA, &s, &d), 0);
	assert_true(s.paddr + s.memsz == 0x100000080ull);

	build_std(&t, C32, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, 0xffffff80u);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_segment(&img, PH_DATA, &s, &d), -MMAMP_ENOEXEC);
	assert_diag_limit(&d, PH, PH_DATA, "p_memsz", DATA_MEMSZ, 0x80);
	assert_diag_text(&d, "program header 2: p_memsz 0x100 runs from p_paddr past the top of "
			     "the 32-bit address space (limit 0x80)");
}

static void rejects_overlapping_segments(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;

	/* starts on the last byte of the text */
	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, TEXT_DA[c] + TEXT_SIZE - 1);
	expect_load_fails_early(&t, &d);
	assert_diag(&d, PH, PH_DATA, "p_paddr", TEXT_DA[c] + TEXT_SIZE - 1);

	/* swallows the text whole */
	put_ph(&t, PH_DATA, &P_PADDR, TEXT_DA[c] - 0x10);
	expect_load_fails_early(&t, &d);
	assert_diag(&d, PH, PH_DATA, "p_paddr", TEXT_DA[c] - 0x10);

	/* ends on the first byte of the text */
	put_ph(&t, PH_DATA, &P_PADDR, TEXT_DA[c] - DATA_MEMSZ + 1);
	expect_load_fails_early(&t, &d);
	assert_diag(&d, PH, PH_DATA, "p_paddr", TEXT_DA[c] - DATA_MEMSZ + 1);

	/* same start: the overlap is found whichever way round they are listed */
	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_TEXT, &P_PADDR, DATA_DA[c] + 0x20);
	expect_load_fails_early(&t, &d);
	assert_diag(&d, PH, PH_DATA, "p_paddr", DATA_DA[c]);
}

/* ======================================================================================== */
/* Hostile section headers and names                                                          */
/* ======================================================================================== */

static void rejects_bad_name_table(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_section s;
	struct mmamp_diag d;

	/* e_shstrndx SHN_UNDEF with sections: parse and load are fine, name lookups are not */
	build_std(&t, c, SHDRS_LAST);
	put_eh(&t, &E_SHSTRNDX, 0);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_check_segments(&img, NULL), 0);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, EH, NOI, "e_shstrndx", 0);

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_STRTAB, &SH_TYPE, MMAMP_SHT_PROGBITS);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_STRTAB, "sh_type", MMAMP_SHT_PROGBITS);

	/* the name table itself past the end of the file, and with a wrapping offset */
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_STRTAB, &SH_OFFSET, t.size - t.strtab_size + 1);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_STRTAB, "sh_offset", t.size - t.strtab_size + 1,
			  t.size - t.strtab_size);
	put_sh(&t, SEC_STRTAB, &SH_OFFSET, c == C32 ? 0xfffffffcu : 0xfffffffffffffffcull);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_STRTAB, "sh_offset", c == C32 ? 0xfffffffcu : 0xfffffffffffffffcull);
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_STRTAB, &SH_SIZE, t.size + 1);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_STRTAB, "sh_size", t.size + 1, t.size);

	/* not NUL-terminated: ".shstrtab" loses its final NUL */
	build_std(&t, c, SHDRS_LAST);
	t.buf[t.strtab_off + t.strtab_size - 1] = 'X';
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_STRTAB, "sh_size", t.strtab_size);

	/* ends in the middle of ".resource_table" */
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_STRTAB, &SH_SIZE, t.sec_name[SEC_RSC] + 9);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_STRTAB, "sh_size", t.sec_name[SEC_RSC] + 9);

	/* empty */
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_STRTAB, &SH_SIZE, 0);
	parse_ok(&img, &t);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_find_section(&img, ".text", &s, &d), -MMAMP_ENOEXEC);
	assert_diag(&d, SH, SEC_STRTAB, "sh_size", 0);
}

static void rejects_bad_sh_name(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_elf_image img;
	struct mmamp_elf_section s;
	struct mmamp_diag d;

	/* one past the table: rejected, whichever name is looked up */
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_BSS, &SH_NAME, t.strtab_size);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_BSS, "sh_name", t.strtab_size, t.strtab_size);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_find_section(&img, ".nothing", &s, &d), -MMAMP_ENOEXEC);
	assert_diag_limit(&d, SH, SEC_BSS, "sh_name", t.strtab_size, t.strtab_size);

	put_sh(&t, SEC_BSS, &SH_NAME, 0xffffffffu);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_BSS, "sh_name", 0xffffffffu, t.strtab_size);

	/* the table's final NUL is a valid (empty) name */
	put_sh(&t, SEC_BSS, &SH_NAME, t.strtab_size - 1);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_find_section(&img, ".bss", &s, &d), -MMAMP_ENOENT);
	assert_int_equal(mmamp_elf_find_section(&img, "", &s, &d), 0);
	assert_int_equal(s.index, SEC_BSS);	/* entry 0, also "", is reserved: no match */

	/* a name that runs into the next one is that longer name: ".resource_table" + 1 */
	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_TEXT, &SH_NAME, t.sec_name[SEC_RSC] + 1);
	parse_ok(&img, &t);
	assert_int_equal(mmamp_elf_find_section(&img, "resource_table", &s, &d), 0);
	assert_int_equal(s.index, SEC_TEXT);
}

static void rejects_duplicate_rsc_table(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_BSS, &SH_NAME, t.sec_name[SEC_RSC]);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_BSS, "sh_name", t.sec_name[SEC_RSC]);
}

static void rejects_bad_rsc_table_section(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	struct mmamp_diag d;
	uint64_t huge = c == C32 ? 0xfffffff0u : 0xfffffffffffffff0ull;

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_RSC, &SH_OFFSET, t.size - 8);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_offset", t.size - 8, t.size - RSC_SIZE);
	put_sh(&t, SEC_RSC, &SH_OFFSET, huge);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_offset", huge, t.size - RSC_SIZE);

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_RSC, &SH_SIZE, huge);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_size", huge, t.size);

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_RSC, &SH_SIZE, 15);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_size", 15, 16);
	put_sh(&t, SEC_RSC, &SH_SIZE, 0);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_size", 0, 16);

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_RSC, &SH_TYPE, MMAMP_SHT_NOBITS);
	expect_rsc_fails(&t, &d);
	assert_diag(&d, SH, SEC_RSC, "sh_type", MMAMP_SHT_NOBITS);

	build_std(&t, c, SHDRS_LAST);
	put_sh(&t, SEC_RSC, &SH_ADDR, (c == C32 ? 0xffffffffu : UINT64_MAX) - 0xf);
	expect_rsc_fails(&t, &d);
	assert_diag_limit(&d, SH, SEC_RSC, "sh_size", RSC_SIZE, 0x10);
}

/* ======================================================================================== */
/* The memory map                                                                             */
/* ======================================================================================== */

static void map_refusal_copies_nothing(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	char want[120];

	build_std(&t, c, SHDRS_LAST);
	parse_ok(&img, &t);

	/* the second segment is refused: the first was mapped but must not be written */
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	f.refuse_da = DATA_DA[c];
	f.refuse_err = -MMAMP_EACCES;
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), -MMAMP_EACCES);
	assert_diag_limit(&d, PH, PH_DATA, "p_paddr", DATA_DA[c], DATA_MEMSZ);
	snprintf(want, sizeof(want), "program header 2: p_paddr 0x%llx is refused by the memory "
		 "map for p_memsz (limit 0x100)", (unsigned long long)DATA_DA[c]);
	assert_diag_text(&d, want);
	assert_int_equal(f.ncalls, 2);
	assert_true(fake_untouched(&f));

	/* the first one refused: the loader stops there */
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	f.refuse_da = TEXT_DA[c];
	f.refuse_err = -MMAMP_ENXIO;
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), -MMAMP_ENXIO);
	assert_diag_limit(&d, PH, PH_TEXT, "p_paddr", TEXT_DA[c], TEXT_SIZE);
	assert_int_equal(f.ncalls, 1);
	assert_true(fake_untouched(&f));

	/* a segment outside both windows: the map's own range check refuses it */
	build_std(&t, c, SHDRS_LAST);
	put_ph(&t, PH_DATA, &P_PADDR, DATA_DA[c] + WINDOW - DATA_MEMSZ + 1);
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), -MMAMP_EACCES);
	assert_diag_limit(&d, PH, PH_DATA, "p_paddr", DATA_DA[c] + WINDOW - DATA_MEMSZ + 1,
			  DATA_MEMSZ);
	assert_true(fake_untouched(&f));
}

static void map_without_pointer_is_a_fault(void **state)
{
	int c = cls_of(state);
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img;
	struct mmamp_diag d;

	build_std(&t, c, SHDRS_LAST);
	parse_ok(&img, &t);
	fake_init(&f, TEXT_DA[c], DATA_DA[c]);
	f.give_null = 1;
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, &d), -MMAMP_EFAULT);
	assert_diag(&d, PH, PH_TEXT, "p_paddr", TEXT_DA[c]);
	assert_true(fake_untouched(&f));
}

/* ======================================================================================== */
/* Caller errors                                                                              */
/* ======================================================================================== */

static void rejects_bad_arguments(void **state)
{
	static struct timg t;
	static struct fake f;
	struct mmamp_elf_image img, zero;
	struct mmamp_elf_segment seg;
	struct mmamp_elf_section sec;
	const void *tab;
	size_t size;

	(void)state;
	build_std(&t, C32, SHDRS_LAST);
	assert_int_equal(mmamp_elf_parse(NULL, t.buf, t.size, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_parse(&img, NULL, t.size, NULL), -MMAMP_EINVAL);
	/* a NULL diag is fine on rejection */
	t.buf[0] = 0;
	assert_int_equal(mmamp_elf_parse(&img, t.buf, t.size, NULL), -MMAMP_ENOEXEC);
	zero = img;	/* what a failed parse leaves: unusable */
	t.buf[0] = 0x7f;
	parse_ok(&img, &t);

	fake_init(&f, TEXT_DA[C32], DATA_DA[C32]);
	assert_int_equal(mmamp_elf_segment(NULL, 0, &seg, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_segment(&img, 0, NULL, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_segment(&zero, 0, &seg, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_check_segments(&zero, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_section(&img, NULL, &sec, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_section(&img, ".text", NULL, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_section(&zero, ".text", &sec, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, NULL, &size, NULL, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, NULL, NULL, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_find_rsc_table(&zero, &tab, &size, NULL, NULL),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_load(&img, NULL, &f, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_load(&zero, fake_map, &f, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_elf_load(NULL, fake_map, &f, NULL), -MMAMP_EINVAL);
	assert_int_equal(f.ncalls, 0);
	/* and the good image still loads with a NULL diag */
	assert_int_equal(mmamp_elf_load(&img, fake_map, &f, NULL), 0);
	assert_std_loaded(&f);
}

#define BOTH(fn) cmocka_unit_test_prestate(fn, &k32), cmocka_unit_test_prestate(fn, &k64)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(loads_built_image),
		BOTH(reports_every_program_header),
		BOTH(finds_sections_by_exact_name),
		BOTH(image_without_rsc_table),
		BOTH(image_without_section_headers),
		cmocka_unit_test(accepts_et_dyn),
		BOTH(accepts_adjacent_and_empty_segments),
		BOTH(ignores_other_segment_types),
		BOTH(bounds_the_number_of_load_segments),
		cmocka_unit_test(parses_and_loads_this_executable),
		cmocka_unit_test(parses_and_loads_m4_firmware),
		BOTH(survives_truncation),
		cmocka_unit_test(survives_truncation_of_m4_firmware),
		cmocka_unit_test(rejects_short_files),
		BOTH(rejects_bad_ident),
		BOTH(rejects_bad_type_and_version),
		BOTH(rejects_bad_program_header_table),
		BOTH(rejects_bad_section_header_table),
		BOTH(rejects_filesz_above_memsz),
		BOTH(rejects_file_bytes_past_end),
		BOTH(rejects_address_wrap),
		cmocka_unit_test(address_space_follows_the_class),
		BOTH(rejects_overlapping_segments),
		BOTH(rejects_bad_name_table),
		BOTH(rejects_bad_sh_name),
		BOTH(rejects_duplicate_rsc_table),
		BOTH(rejects_bad_rsc_table_section),
		BOTH(map_refusal_copies_nothing),
		BOTH(map_without_pointer_is_a_fault),
		cmocka_unit_test(rejects_bad_arguments),
	};
	return cmocka_run_group_tests_name("elf_loader", tests, NULL, NULL);
}
