/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/elf_loader.h — validating an untrusted ELF32/ELF64 firmware image and loading it the way
 * Linux remoteproc does: PT_LOAD segments by p_paddr, the resource table from the section named
 * ".resource_table", the boot address from e_entry.
 *
 * The image is hostile input. Every offset, size and count is checked against the file size
 * (overflow-safe) before a byte it covers is read, nothing is read outside [data, data + size),
 * and each rejection returns -MMAMP_ENOEXEC and fills a struct mmamp_diag, e.g.
 *
 *   "program header 2: p_filesz 0x2000 exceeds p_memsz (limit 0x1000)"
 *   "section header 4: sh_name 0x90 is past the end of the section name string table (limit 0x2c)"
 *
 * Typical use (host LCM):
 *
 *   mmamp_elf_parse(&img, file, file_size, &d);          header and header tables
 *   img.machine == MMAMP_EM_ARM ?                          the caller judges e_machine
 *   mmamp_elf_find_rsc_table(&img, &tab, &len, &da, &d);  -MMAMP_ENOENT: no table (allowed)
 *   mmamp_elf_load(&img, da_to_va, ctx, &d);               all-or-nothing copy into the M4's memory
 *   boot at img.entry
 *
 * Only little-endian images are accepted (ELFDATA2LSB, as Linux on a little-endian host), and the
 * extended numbering escapes (PN_XNUM, e_shnum 0 with e_shoff set) are rejected: no firmware has
 * 65535 program headers or 65280 sections.
 */
#ifndef MMAMP_ELF_LOADER_H
#define MMAMP_ELF_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/diag.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/* Values from the ELF specification (System V gABI) that the loader and its callers use. */
#define MMAMP_ELFCLASS32   1u
#define MMAMP_ELFCLASS64   2u
#define MMAMP_ELFDATA2LSB  1u
#define MMAMP_EV_CURRENT   1u
#define MMAMP_ET_EXEC      2u
#define MMAMP_ET_DYN       3u
#define MMAMP_EM_ARM       40u
#define MMAMP_EM_X86_64    62u
#define MMAMP_EM_AARCH64   183u
#define MMAMP_PT_NULL      0u
#define MMAMP_PT_LOAD      1u
#define MMAMP_PT_NOTE      4u
#define MMAMP_PF_X         0x1u
#define MMAMP_PF_W         0x2u
#define MMAMP_PF_R         0x4u
#define MMAMP_PN_XNUM      0xffffu
#define MMAMP_SHN_UNDEF    0u
#define MMAMP_SHT_NULL     0u
#define MMAMP_SHT_PROGBITS 1u
#define MMAMP_SHT_STRTAB   3u
#define MMAMP_SHT_NOTE     7u
#define MMAMP_SHT_NOBITS   8u

/** MMAMP_ELF_RSC_TABLE_SECTION - the section Linux takes the resource table from (exact name). */
#define MMAMP_ELF_RSC_TABLE_SECTION ".resource_table"
/** MMAMP_ELF_RSC_TABLE_MIN_SIZE - a resource table holds at least its 16-byte header. */
#define MMAMP_ELF_RSC_TABLE_MIN_SIZE 16u

/**
 * MMAMP_ELF_MAX_LOAD_SEGMENTS - most PT_LOAD segments (with p_memsz > 0) one image may have.
 * mmamp_elf_load() keeps one local pointer per segment on the stack so that it can map them all
 * before copying any, and checks overlaps pairwise; the bound keeps both small and fast on the
 * M4 whatever e_phnum a hostile image claims. Real firmware has two to six.
 */
#define MMAMP_ELF_MAX_LOAD_SEGMENTS 32u

/**
 * struct mmamp_elf_image - a parsed view of an image (filled by mmamp_elf_parse(); treat as
 * read-only). It points into the caller's buffer, which must stay valid and unchanged while the
 * view is used.
 * @data:      the file's bytes.
 * @size:      the file's size.
 * @bits:      32 (ELFCLASS32) or 64 (ELFCLASS64): the width of addresses and offsets.
 * @type:      e_type: MMAMP_ET_EXEC or MMAMP_ET_DYN.
 * @machine:   e_machine, not judged here (MMAMP_EM_ARM for the M4; the host's for the sim core).
 * @entry:     e_entry, the boot address (i.MX8QXP boots from the vector table instead).
 * @phoff:     e_phoff.   @phnum: e_phnum (≥ 1).   @phentsize: e_phentsize (32 or 56).
 * @shoff:     e_shoff.   @shnum: e_shnum (0: no section headers).   @shentsize: 40 or 64.
 * @shstrndx:  e_shstrndx, below @shnum when @shnum ≠ 0 (MMAMP_SHN_UNDEF: no section names).
 */
struct mmamp_elf_image {
	const uint8_t *data;
	size_t size;
	unsigned bits;
	uint16_t type;
	uint16_t machine;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	uint16_t phentsize;
	uint64_t shoff;
	uint16_t shnum;
	uint16_t shentsize;
	uint16_t shstrndx;
};

/**
 * struct mmamp_elf_segment - one program header, widened to 64 bits.
 * @type: p_type.  @flags: p_flags (MMAMP_PF_*).  @offset: p_offset.  @vaddr: p_vaddr.
 * @paddr: p_paddr, the device address the loader uses.  @filesz: p_filesz.  @memsz: p_memsz.
 * @align: p_align.
 */
struct mmamp_elf_segment {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/**
 * struct mmamp_elf_section - one section header, widened to 64 bits.
 * @index: its index in the section header table.
 * @name:  sh_name (offset in the section name string table).
 * @type:  sh_type.  @flags: sh_flags.  @addr: sh_addr.  @offset: sh_offset.  @size: sh_size.
 * @data:  its @size bytes inside the image, or NULL for MMAMP_SHT_NOBITS.
 */
struct mmamp_elf_section {
	unsigned index;
	uint32_t name;
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	const void *data;
};

/**
 * typedef mmamp_elf_map_fn - translate a device address range to a local pointer.
 * @ctx:   the caller's context, as given to mmamp_elf_load().
 * @da:    p_paddr of a PT_LOAD segment.
 * @memsz: p_memsz (> 0): the whole range [@da, @da + @memsz) must be writable through @local.
 * @local: where to store the pointer to @da.
 *
 * Return: 0 and *@local set, or a negative MMAMP_E* error to refuse the range (e.g.
 * -MMAMP_EACCES when it is not the remote core's memory). Called once per segment, before any
 * byte of the image is written. The memory must accept memcpy/memset (normal memory, not a
 * device mapping that faults on unaligned or cache-zeroing stores).
 */
typedef int (*mmamp_elf_map_fn)(void *ctx, uint64_t da, uint64_t memsz, void **local);

/**
 * mmamp_elf_parse() - check an ELF header and the extent of its header tables.
 * @img:  filled with the parsed view on success, zeroed on failure.
 * @data: the file's bytes (any alignment).
 * @size: the file's size.
 * @d:    filled on rejection (may be NULL).
 *
 * Checks: the file holds the ELF header of its class; magic; EI_CLASS is 32 or 64 bits;
 * EI_DATA is little-endian; EI_VERSION and e_version are EV_CURRENT; e_type is ET_EXEC or
 * ET_DYN; e_phentsize is the class's program header size; e_phnum is neither 0 nor PN_XNUM;
 * the program header table lies inside the file. If e_shnum ≠ 0: e_shentsize is the class's
 * section header size, the section header table lies inside the file, e_shstrndx < e_shnum.
 * If e_shnum = 0, e_shoff must be 0 too. e_machine is reported, not judged. Individual program
 * and section headers are checked by the functions that use them.
 *
 * Return: 0, -MMAMP_ENOEXEC for a malformed image, -MMAMP_EINVAL for a NULL @img or @data.
 */
int mmamp_elf_parse(struct mmamp_elf_image *img, const void *data, size_t size,
		    struct mmamp_diag *d);

/**
 * mmamp_elf_segment() - read program header @index.
 * @img:   a view filled by mmamp_elf_parse().
 * @index: below @img->phnum.
 * @seg:   filled on success.
 * @d:     filled on rejection (may be NULL).
 *
 * A PT_LOAD header is also validated: p_filesz ≤ p_memsz, [p_offset, p_offset + p_filesz) lies
 * inside the file, and [p_paddr, p_paddr + p_memsz) does not wrap the class's address space.
 * Other types are returned as they are, unchecked (the loader ignores them).
 *
 * Return: 0, -MMAMP_ENOEXEC for a malformed PT_LOAD header, -MMAMP_EINVAL for a bad argument.
 */
int mmamp_elf_segment(const struct mmamp_elf_image *img, unsigned index,
		      struct mmamp_elf_segment *seg, struct mmamp_diag *d);

/**
 * mmamp_elf_check_segments() - validate every program header as mmamp_elf_load() will.
 * @img: a view filled by mmamp_elf_parse().
 * @d:   filled on rejection (may be NULL).
 *
 * Each PT_LOAD as in mmamp_elf_segment(); at most MMAMP_ELF_MAX_LOAD_SEGMENTS of them with
 * p_memsz > 0, each small enough for this core's size_t, and no two overlapping in p_paddr space.
 * Lets a caller reject an image before it touches the remote core at all.
 *
 * Return: 0, -MMAMP_ENOEXEC, or -MMAMP_EINVAL for a bad argument.
 */
int mmamp_elf_check_segments(const struct mmamp_elf_image *img, struct mmamp_diag *d);

/**
 * mmamp_elf_find_section() - find the section called exactly @name.
 * @img:  a view filled by mmamp_elf_parse().
 * @name: NUL-terminated name, e.g. ".resource_table".
 * @sec:  filled on success.
 * @d:    filled on rejection (may be NULL); untouched for -MMAMP_ENOENT.
 *
 * Names are looked up in the e_shstrndx section, which must be SHT_STRTAB, lie inside the file and
 * end with a NUL (as the ELF spec requires). Every section header's sh_name is checked to be inside
 * it, and no byte past it is ever read. A name given to two sections is rejected (an image must
 * not be read one way by this tool and another way by the kernel). The found section's bytes must
 * lie inside the file unless it is SHT_NOBITS. Entry 0 (SHN_UNDEF, reserved) is never a match.
 *
 * An image without section headers (e_shnum = 0) has no sections to find: -MMAMP_ENOENT. An image
 * with section headers but e_shstrndx = SHN_UNDEF has sections that cannot be named: the lookup
 * cannot say whether @name is absent, so it is rejected (-MMAMP_ENOEXEC) rather than guessed.
 *
 * Return: 0, -MMAMP_ENOENT if no section has that name, -MMAMP_ENOEXEC, -MMAMP_EINVAL.
 */
int mmamp_elf_find_section(const struct mmamp_elf_image *img, const char *name,
			   struct mmamp_elf_section *sec, struct mmamp_diag *d);

/**
 * mmamp_elf_find_rsc_table() - locate the resource table: the ".resource_table" section.
 * @img:   a view filled by mmamp_elf_parse().
 * @table: set to its bytes inside the image (any alignment: copy before use).
 * @size:  set to sh_size (≥ MMAMP_ELF_RSC_TABLE_MIN_SIZE).
 * @da:    set to sh_addr, where the loaded image holds the table (may be NULL).
 * @d:     filled on rejection (may be NULL); untouched for -MMAMP_ENOENT.
 *
 * Checks that the section has bytes in the file (not SHT_NOBITS), inside it, at least a table
 * header's worth, and that [sh_addr, sh_addr + sh_size) does not wrap the address space. The
 * table's contents are the resource-table module's business.
 *
 * Return: 0, -MMAMP_ENOENT if the image has no resource table (allowed, as on i.MX),
 * -MMAMP_ENOEXEC, -MMAMP_EINVAL.
 */
int mmamp_elf_find_rsc_table(const struct mmamp_elf_image *img, const void **table, size_t *size,
			     uint64_t *da, struct mmamp_diag *d);

/**
 * mmamp_elf_load() - copy every PT_LOAD segment to its p_paddr, all or nothing.
 * @img: a view filled by mmamp_elf_parse().
 * @map: translates [p_paddr, p_paddr + p_memsz) to a local pointer, or refuses it.
 * @ctx: passed to @map.
 * @d:   filled on rejection (may be NULL).
 *
 * In three passes: validate every program header (mmamp_elf_check_segments()); call @map for
 * every PT_LOAD with p_memsz > 0, in program header order; only then copy p_filesz bytes from
 * p_offset and zero the remaining p_memsz - p_filesz of each. A malformed image or a refusal
 * therefore leaves the destination memory untouched. Segments of other types are ignored.
 *
 * Return: 0; -MMAMP_ENOEXEC for a malformed image; @map's negative error when it refuses a range
 * (the diag names the program header and its p_paddr, with p_memsz as the limit);
 * -MMAMP_EFAULT if @map returned 0 without a pointer; -MMAMP_EINVAL for a bad argument.
 */
int mmamp_elf_load(const struct mmamp_elf_image *img, mmamp_elf_map_fn map, void *ctx,
		   struct mmamp_diag *d);

MMAMP_END_DECLS

#endif /* MMAMP_ELF_LOADER_H */
