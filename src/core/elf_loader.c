/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * elf_loader.c — validating and loading an untrusted ELF32/ELF64 firmware image (remoteproc
 * semantics: segments by p_paddr, the resource table by section name) without ever reading
 * outside the file or writing anything before the whole image has been found sound.
 *
 * Header structures are our own (no <elf.h>: the core builds freestanding). They are laid out
 * without padding exactly as in the ELF spec, and every one is memcpy'd out of the byte buffer,
 * which may be unaligned, only after its extent has been checked against the file size.
 */
#include "mmamp/elf_loader.h"

#include <limits.h>
#include <string.h>

#include "mmamp/errno.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf_loader.c reads ELFDATA2LSB fields natively: little-endian cores only"
#endif

/* ---- ELF structures (System V gABI, "ELF Header", "Program Header", "Sections") ---- */

#define EI_NIDENT  16u
#define EI_CLASS   4u
#define EI_DATA    5u
#define EI_VERSION 6u

/* e_ident[EI_MAG0..EI_MAG3] read in file order into one number: "\x7fELF". */
#define ELF_MAGIC 0x7f454c46u

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf32_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint32_t sh_flags;
	uint32_t sh_addr;
	uint32_t sh_offset;
	uint32_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint32_t sh_addralign;
	uint32_t sh_entsize;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

/* The layouts must be the spec's, byte for byte; a padded struct would misread every field. */
_Static_assert(sizeof(struct elf32_ehdr) == 52 && offsetof(struct elf32_ehdr, e_entry) == 24 &&
	       offsetof(struct elf32_ehdr, e_phentsize) == 42 &&
	       offsetof(struct elf32_ehdr, e_shstrndx) == 50, "ELF32 header layout");
_Static_assert(sizeof(struct elf64_ehdr) == 64 && offsetof(struct elf64_ehdr, e_entry) == 24 &&
	       offsetof(struct elf64_ehdr, e_shoff) == 40 &&
	       offsetof(struct elf64_ehdr, e_phentsize) == 54 &&
	       offsetof(struct elf64_ehdr, e_shstrndx) == 62, "ELF64 header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32 && offsetof(struct elf32_phdr, p_flags) == 24,
	       "ELF32 program header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56 && offsetof(struct elf64_phdr, p_offset) == 8 &&
	       offsetof(struct elf64_phdr, p_align) == 48, "ELF64 program header layout");
_Static_assert(sizeof(struct elf32_shdr) == 40 && offsetof(struct elf32_shdr, sh_size) == 20,
	       "ELF32 section header layout");
_Static_assert(sizeof(struct elf64_shdr) == 64 && offsetof(struct elf64_shdr, sh_link) == 40 &&
	       offsetof(struct elf64_shdr, sh_entsize) == 56, "ELF64 section header layout");

/* ---- diagnostics ---- */

#define NO_INDEX MMAMP_DIAG_NO_INDEX

static const char W_EHDR[] = "ELF header";
static const char W_PHDR[] = "program header";
static const char W_SHDR[] = "section header";

static int reject(struct mmamp_diag *d, const char *where, int index, const char *field,
		  uint64_t value, const char *why)
{
	return mmamp_diag_set(d, MMAMP_ENOEXEC, where, index, field, value, why);
}

static int reject_limit(struct mmamp_diag *d, const char *where, int index, const char *field,
			uint64_t value, const char *why, uint64_t limit)
{
	return mmamp_diag_set_limit(d, MMAMP_ENOEXEC, where, index, field, value, why, limit);
}

/* ---- bounds arithmetic (no addition that can overflow, no 64-bit division) ---- */

/* Does [off, off + len) lie inside a file of @size bytes? */
static int in_file(uint64_t off, uint64_t len, size_t size)
{
	return len <= (uint64_t)size && off <= (uint64_t)size - len;
}

static uint64_t addr_max(const struct mmamp_elf_image *img)
{
	return img->bits == 32 ? UINT32_MAX : UINT64_MAX;
}

/* Does [addr, addr + len) run past the top of the class's address space? */
static int wraps(const struct mmamp_elf_image *img, uint64_t addr, uint64_t len)
{
	return len && (addr > addr_max(img) || len - 1 > addr_max(img) - addr);
}

/* ---- ELF header ---- */

static int check_ident(struct mmamp_elf_image *img, struct mmamp_diag *d)
{
	const uint8_t *id = img->data;
	uint32_t magic;

	if (img->size < sizeof(struct elf32_ehdr))
		return reject_limit(d, W_EHDR, NO_INDEX, "file size", img->size,
				    "is smaller than an ELF header", sizeof(struct elf32_ehdr));
	magic = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
	if (magic != ELF_MAGIC)
		return reject(d, W_EHDR, NO_INDEX, "e_ident[EI_MAG0..EI_MAG3]", magic,
			      "is not 0x7f454c46 (\"\\x7fELF\")");
	if (id[EI_CLASS] == MMAMP_ELFCLASS32) {
		img->bits = 32;
	} else if (id[EI_CLASS] == MMAMP_ELFCLASS64) {
		img->bits = 64;
	} else {
		return reject(d, W_EHDR, NO_INDEX, "e_ident[EI_CLASS]", id[EI_CLASS],
			      "is neither ELFCLASS32 (1) nor ELFCLASS64 (2)");
	}
	if (img->bits == 64 && img->size < sizeof(struct elf64_ehdr))
		return reject_limit(d, W_EHDR, NO_INDEX, "file size", img->size,
				    "is smaller than an ELF64 header", sizeof(struct elf64_ehdr));
	if (id[EI_DATA] != MMAMP_ELFDATA2LSB)
		return reject(d, W_EHDR, NO_INDEX, "e_ident[EI_DATA]", id[EI_DATA],
			      "is not ELFDATA2LSB (1): only little-endian images are supported");
	if (id[EI_VERSION] != MMAMP_EV_CURRENT)
		return reject(d, W_EHDR, NO_INDEX, "e_ident[EI_VERSION]", id[EI_VERSION],
			      "is not EV_CURRENT (1)");
	return 0;
}

/* Copies the header fields into @img; returns e_version, which only the checks need. */
static uint32_t read_ehdr(struct mmamp_elf_image *img)
{
	if (img->bits == 32) {
		struct elf32_ehdr h;

		memcpy(&h, img->data, sizeof(h));
		img->type = h.e_type;
		img->machine = h.e_machine;
		img->entry = h.e_entry;
		img->phoff = h.e_phoff;
		img->phentsize = h.e_phentsize;
		img->phnum = h.e_phnum;
		img->shoff = h.e_shoff;
		img->shentsize = h.e_shentsize;
		img->shnum = h.e_shnum;
		img->shstrndx = h.e_shstrndx;
		return h.e_version;
	} else {
		struct elf64_ehdr h;

		memcpy(&h, img->data, sizeof(h));
		img->type = h.e_type;
		img->machine = h.e_machine;
		img->entry = h.e_entry;
		img->phoff = h.e_phoff;
		img->phentsize = h.e_phentsize;
		img->phnum = h.e_phnum;
		img->shoff = h.e_shoff;
		img->shentsize = h.e_shentsize;
		img->shnum = h.e_shnum;
		img->shstrndx = h.e_shstrndx;
		return h.e_version;
	}
}

/* A table of @num entries of @entsize bytes at @off must lie inside the file. */
static int check_table(const struct mmamp_elf_image *img, uint64_t off, uint16_t num,
		       uint16_t entsize, const char *off_field, const char *num_field,
		       struct mmamp_diag *d)
{
	uint32_t bytes = (uint32_t)num * entsize;

	if (bytes > img->size)
		return reject(d, W_EHDR, NO_INDEX, num_field, num,
			      "entries are more than the file holds");
	if (!in_file(off, bytes, img->size))
		return reject_limit(d, W_EHDR, NO_INDEX, off_field, off,
				    "puts its table past the end of the file", img->size - bytes);
	return 0;
}

static int check_phdr_table(const struct mmamp_elf_image *img, struct mmamp_diag *d)
{
	unsigned want = img->bits == 32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);

	if (img->phentsize != want)
		return reject_limit(d, W_EHDR, NO_INDEX, "e_phentsize", img->phentsize,
				    "is not the program header size of this ELF class", want);
	if (img->phnum == 0)
		return reject(d, W_EHDR, NO_INDEX, "e_phnum", 0, "is zero");
	if (img->phnum == MMAMP_PN_XNUM)
		return reject(d, W_EHDR, NO_INDEX, "e_phnum", img->phnum,
			      "is PN_XNUM: extended numbering is not supported");
	return check_table(img, img->phoff, img->phnum, img->phentsize, "e_phoff", "e_phnum", d);
}

static int check_shdr_table(const struct mmamp_elf_image *img, struct mmamp_diag *d)
{
	unsigned want = img->bits == 32 ? sizeof(struct elf32_shdr) : sizeof(struct elf64_shdr);
	int ret;

	if (img->shnum == 0) {
		if (img->shoff != 0)
			return reject(d, W_EHDR, NO_INDEX, "e_shoff", img->shoff,
				      "is set but e_shnum is 0 (extended numbering is not supported)");
		return 0;
	}
	if (img->shentsize != want)
		return reject_limit(d, W_EHDR, NO_INDEX, "e_shentsize", img->shentsize,
				    "is not the section header size of this ELF class", want);
	ret = check_table(img, img->shoff, img->shnum, img->shentsize, "e_shoff", "e_shnum", d);
	if (ret)
		return ret;
	if (img->shstrndx >= img->shnum)
		return reject_limit(d, W_EHDR, NO_INDEX, "e_shstrndx", img->shstrndx,
				    "is not below e_shnum", img->shnum);
	return 0;
}

static int check_ehdr(const struct mmamp_elf_image *img, uint32_t version, struct mmamp_diag *d)
{
	int ret;

	if (img->type != MMAMP_ET_EXEC && img->type != MMAMP_ET_DYN)
		return reject(d, W_EHDR, NO_INDEX, "e_type", img->type,
			      "is neither ET_EXEC (2) nor ET_DYN (3)");
	if (version != MMAMP_EV_CURRENT)
		return reject(d, W_EHDR, NO_INDEX, "e_version", version, "is not EV_CURRENT (1)");
	ret = check_phdr_table(img, d);
	if (ret)
		return ret;
	return check_shdr_table(img, d);
}

int mmamp_elf_parse(struct mmamp_elf_image *img, const void *data, size_t size,
		    struct mmamp_diag *d)
{
	struct mmamp_elf_image tmp;
	uint32_t version;
	int ret;

	if (!img)
		return -MMAMP_EINVAL;
	memset(img, 0, sizeof(*img));
	if (!data)
		return -MMAMP_EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	tmp.data = data;
	tmp.size = size;
	ret = check_ident(&tmp, d);
	if (ret)
		return ret;
	version = read_ehdr(&tmp);
	ret = check_ehdr(&tmp, version, d);
	if (ret)
		return ret;
	*img = tmp;
	return 0;
}

/* ---- program headers ---- */

/* Index @i < e_phnum: parse proved the whole table is inside the file. */
static void read_phdr(const struct mmamp_elf_image *img, unsigned i, struct mmamp_elf_segment *s)
{
	const uint8_t *p = img->data + (size_t)img->phoff + (size_t)i * img->phentsize;

	if (img->bits == 32) {
		struct elf32_phdr h;

		memcpy(&h, p, sizeof(h));
		s->type = h.p_type;
		s->flags = h.p_flags;
		s->offset = h.p_offset;
		s->vaddr = h.p_vaddr;
		s->paddr = h.p_paddr;
		s->filesz = h.p_filesz;
		s->memsz = h.p_memsz;
		s->align = h.p_align;
	} else {
		struct elf64_phdr h;

		memcpy(&h, p, sizeof(h));
		s->type = h.p_type;
		s->flags = h.p_flags;
		s->offset = h.p_offset;
		s->vaddr = h.p_vaddr;
		s->paddr = h.p_paddr;
		s->filesz = h.p_filesz;
		s->memsz = h.p_memsz;
		s->align = h.p_align;
	}
}

static int check_load(const struct mmamp_elf_image *img, int i, const struct mmamp_elf_segment *s,
		      struct mmamp_diag *d)
{
	if (s->filesz > s->memsz)
		return reject_limit(d, W_PHDR, i, "p_filesz", s->filesz, "exceeds p_memsz",
				    s->memsz);
	if (s->filesz > img->size)
		return reject_limit(d, W_PHDR, i, "p_filesz", s->filesz, "exceeds the file size",
				    img->size);
	if (!in_file(s->offset, s->filesz, img->size))
		return reject_limit(d, W_PHDR, i, "p_offset", s->offset,
				    "puts p_filesz bytes past the end of the file",
				    img->size - s->filesz);
	if (wraps(img, s->paddr, s->memsz))
		return reject_limit(d, W_PHDR, i, "p_memsz", s->memsz,
				    img->bits == 32 ?
				    "runs from p_paddr past the top of the 32-bit address space" :
				    "runs from p_paddr past the top of the 64-bit address space",
				    addr_max(img) - s->paddr + 1);
	return 0;
}

int mmamp_elf_segment(const struct mmamp_elf_image *img, unsigned index,
		      struct mmamp_elf_segment *seg, struct mmamp_diag *d)
{
	struct mmamp_elf_segment s;
	int ret;

	if (!img || !img->data || !seg)
		return -MMAMP_EINVAL;
	if (index >= img->phnum)
		return mmamp_diag_set_limit(d, MMAMP_EINVAL, W_PHDR, NO_INDEX, "index", index,
					    "is not below e_phnum", img->phnum);
	read_phdr(img, index, &s);
	if (s.type == MMAMP_PT_LOAD) {
		ret = check_load(img, (int)index, &s, d);
		if (ret)
			return ret;
	}
	*seg = s;
	return 0;
}

/* The segments the loader writes: PT_LOAD with memory to fill. */
static int is_loaded(const struct mmamp_elf_segment *s)
{
	return s->type == MMAMP_PT_LOAD && s->memsz != 0;
}

/* Both non-empty and, by check_load(), free of wrap-around: compare inclusive last bytes. */
static int overlap(const struct mmamp_elf_segment *a, const struct mmamp_elf_segment *b)
{
	return a->paddr <= b->paddr + (b->memsz - 1) && b->paddr <= a->paddr + (a->memsz - 1);
}

static int check_overlaps(const struct mmamp_elf_image *img, unsigned index,
			  const struct mmamp_elf_segment *s, struct mmamp_diag *d)
{
	struct mmamp_elf_segment prev;
	unsigned i;

	for (i = 0; i < index; i++) {
		read_phdr(img, i, &prev);
		if (is_loaded(&prev) && overlap(&prev, s))
			return reject(d, W_PHDR, (int)index, "p_paddr", s->paddr,
				      "overlaps the memory of an earlier PT_LOAD segment");
	}
	return 0;
}

/* Everything mmamp_elf_load() needs from one loaded segment beyond mmamp_elf_segment(). */
static int check_loaded(const struct mmamp_elf_image *img, unsigned index, unsigned count,
			const struct mmamp_elf_segment *s, struct mmamp_diag *d)
{
	if (count > MMAMP_ELF_MAX_LOAD_SEGMENTS)
		return reject_limit(d, W_PHDR, (int)index, "p_type", s->type,
				    "is one PT_LOAD segment more than the loader accepts",
				    MMAMP_ELF_MAX_LOAD_SEGMENTS);
#if SIZE_MAX < UINT64_MAX
	if (s->memsz > SIZE_MAX)
		return reject_limit(d, W_PHDR, (int)index, "p_memsz", s->memsz,
				    "exceeds this core's address space", SIZE_MAX);
#endif
	return check_overlaps(img, index, s, d);
}

int mmamp_elf_check_segments(const struct mmamp_elf_image *img, struct mmamp_diag *d)
{
	struct mmamp_elf_segment s;
	unsigned i, count = 0;
	int ret;

	if (!img || !img->data)
		return -MMAMP_EINVAL;
	for (i = 0; i < img->phnum; i++) {
		ret = mmamp_elf_segment(img, i, &s, d);
		if (ret)
			return ret;
		if (!is_loaded(&s))
			continue;
		ret = check_loaded(img, i, ++count, &s, d);
		if (ret)
			return ret;
	}
	return 0;
}

/* Pass 2: a local pointer for every loaded segment, or the first refusal. */
static int map_segments(const struct mmamp_elf_image *img, mmamp_elf_map_fn map, void *ctx,
			void **local, struct mmamp_diag *d)
{
	struct mmamp_elf_segment s;
	unsigned i, n = 0;
	void *p;
	int ret;

	for (i = 0; i < img->phnum; i++) {
		read_phdr(img, i, &s);
		if (!is_loaded(&s))
			continue;
		p = NULL;
		ret = map(ctx, s.paddr, s.memsz, &p);
		if (ret == INT_MIN)
			ret = -MMAMP_EFAULT;	/* cannot be negated */
		if (ret < 0)
			return mmamp_diag_set_limit(d, -ret, W_PHDR, (int)i, "p_paddr", s.paddr,
						    "is refused by the memory map for p_memsz",
						    s.memsz);
		if (ret > 0 || !p)
			return mmamp_diag_set_limit(d, MMAMP_EFAULT, W_PHDR, (int)i, "p_paddr",
						    s.paddr,
						    "got no local address from the memory map",
						    s.memsz);
		local[n++] = p;
	}
	return 0;
}

/* Pass 3: nothing can fail any more. */
static void copy_segments(const struct mmamp_elf_image *img, void *const *local)
{
	struct mmamp_elf_segment s;
	unsigned i, n = 0;
	uint8_t *dst;

	for (i = 0; i < img->phnum; i++) {
		read_phdr(img, i, &s);
		if (!is_loaded(&s))
			continue;
		dst = local[n++];
		memcpy(dst, img->data + (size_t)s.offset, (size_t)s.filesz);
		memset(dst + (size_t)s.filesz, 0, (size_t)(s.memsz - s.filesz));
	}
}

int mmamp_elf_load(const struct mmamp_elf_image *img, mmamp_elf_map_fn map, void *ctx,
		   struct mmamp_diag *d)
{
	void *local[MMAMP_ELF_MAX_LOAD_SEGMENTS];
	int ret;

	if (!img || !img->data || !map)
		return -MMAMP_EINVAL;
	ret = mmamp_elf_check_segments(img, d);
	if (ret)
		return ret;
	ret = map_segments(img, map, ctx, local, d);
	if (ret)
		return ret;
	copy_segments(img, local);
	return 0;
}

/* ---- section headers ---- */

/* Index @i < e_shnum: parse proved the whole table is inside the file. */
static void read_shdr(const struct mmamp_elf_image *img, unsigned i, struct mmamp_elf_section *s)
{
	const uint8_t *p = img->data + (size_t)img->shoff + (size_t)i * img->shentsize;

	s->index = i;
	s->data = NULL;
	if (img->bits == 32) {
		struct elf32_shdr h;

		memcpy(&h, p, sizeof(h));
		s->name = h.sh_name;
		s->type = h.sh_type;
		s->flags = h.sh_flags;
		s->addr = h.sh_addr;
		s->offset = h.sh_offset;
		s->size = h.sh_size;
	} else {
		struct elf64_shdr h;

		memcpy(&h, p, sizeof(h));
		s->name = h.sh_name;
		s->type = h.sh_type;
		s->flags = h.sh_flags;
		s->addr = h.sh_addr;
		s->offset = h.sh_offset;
		s->size = h.sh_size;
	}
}

/* A section with file contents must lie inside the file; sets @s->data when it does. */
static int section_bytes(const struct mmamp_elf_image *img, struct mmamp_elf_section *s,
			 struct mmamp_diag *d)
{
	if (s->type == MMAMP_SHT_NOBITS)
		return 0;
	if (s->size > img->size)
		return reject_limit(d, W_SHDR, (int)s->index, "sh_size", s->size,
				    "exceeds the file size", img->size);
	if (!in_file(s->offset, s->size, img->size))
		return reject_limit(d, W_SHDR, (int)s->index, "sh_offset", s->offset,
				    "puts sh_size bytes past the end of the file",
				    img->size - s->size);
	s->data = img->data + (size_t)s->offset;
	return 0;
}

/* The section name string table: SHT_STRTAB, inside the file, ending with NUL. */
static int name_table(const struct mmamp_elf_image *img, struct mmamp_elf_section *tab,
		      struct mmamp_diag *d)
{
	int ret;

	if (img->shstrndx == MMAMP_SHN_UNDEF)
		return reject(d, W_EHDR, NO_INDEX, "e_shstrndx", MMAMP_SHN_UNDEF,
			      "is SHN_UNDEF: the sections have no names to look up");
	read_shdr(img, img->shstrndx, tab);
	if (tab->type != MMAMP_SHT_STRTAB)
		return reject(d, W_SHDR, (int)tab->index, "sh_type", tab->type,
			      "is not SHT_STRTAB (3) for the e_shstrndx section");
	ret = section_bytes(img, tab, d);
	if (ret)
		return ret;
	if (tab->size == 0 || ((const uint8_t *)tab->data)[tab->size - 1] != '\0')
		return reject(d, W_SHDR, (int)tab->index, "sh_size", tab->size,
			      "bytes of section names do not end with a NUL");
	return 0;
}

/* Is the string at @off of @tab exactly @name? Never reads past the table. */
static int name_is(const struct mmamp_elf_section *tab, uint32_t off, const char *name)
{
	const uint8_t *s = tab->data;
	size_t k;

	for (k = off; k < (size_t)tab->size; k++, name++) {
		if (s[k] != (uint8_t)*name)
			return 0;
		if (*name == '\0')
			return 1;
	}
	return 0;
}

int mmamp_elf_find_section(const struct mmamp_elf_image *img, const char *name,
			   struct mmamp_elf_section *sec, struct mmamp_diag *d)
{
	struct mmamp_elf_section tab, s, found;
	int have = 0, ret;
	unsigned i;

	if (!img || !img->data || !name || !sec)
		return -MMAMP_EINVAL;
	memset(&found, 0, sizeof(found));
	if (img->shnum == 0)
		return -MMAMP_ENOENT;
	ret = name_table(img, &tab, d);
	if (ret)
		return ret;
	for (i = 0; i < img->shnum; i++) {
		read_shdr(img, i, &s);
		if (s.name >= tab.size)
			return reject_limit(d, W_SHDR, (int)i, "sh_name", s.name,
					    "is past the end of the section name string table",
					    tab.size);
		if (i == MMAMP_SHN_UNDEF || !name_is(&tab, s.name, name))
			continue;	/* entry 0 is the spec's reserved "no section" */
		if (have)
			return reject(d, W_SHDR, (int)i, "sh_name", s.name,
				      "names a second section with the name looked up");
		found = s;
		have = 1;
	}
	if (!have)
		return -MMAMP_ENOENT;
	ret = section_bytes(img, &found, d);
	if (ret)
		return ret;
	*sec = found;
	return 0;
}

int mmamp_elf_find_rsc_table(const struct mmamp_elf_image *img, const void **table, size_t *size,
			     uint64_t *da, struct mmamp_diag *d)
{
	struct mmamp_elf_section s;
	int ret;

	if (!table || !size)
		return -MMAMP_EINVAL;
	ret = mmamp_elf_find_section(img, MMAMP_ELF_RSC_TABLE_SECTION, &s, d);
	if (ret)
		return ret;
	if (s.type == MMAMP_SHT_NOBITS)
		return reject(d, W_SHDR, (int)s.index, "sh_type", s.type,
			      "is SHT_NOBITS: the resource table has no bytes in the file");
	if (s.size < MMAMP_ELF_RSC_TABLE_MIN_SIZE)
		return reject_limit(d, W_SHDR, (int)s.index, "sh_size", s.size,
				    "is smaller than a resource table header",
				    MMAMP_ELF_RSC_TABLE_MIN_SIZE);
	if (wraps(img, s.addr, s.size))
		return reject_limit(d, W_SHDR, (int)s.index, "sh_size", s.size,
				    "runs from sh_addr past the top of the address space",
				    addr_max(img) - s.addr + 1);
	*table = s.data;
	*size = (size_t)s.size;
	if (da)
		*da = s.addr;
	return 0;
}
