/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/diag.h — a structured "what, where and why" for errors found in untrusted input (a
 * firmware image, a resource table, a ring written by the peer).
 *
 * The core cannot printf (it builds freestanding), so a failing check fills a struct mmamp_diag
 * with string literals and numbers; mmamp_diag_format() renders it, on either core, as e.g.
 *
 *   "program header 2: p_filesz 0x2000 exceeds p_memsz (limit 0x1000)"
 *
 * All strings are static literals: a diag stays valid after the input buffer is gone.
 */
#ifndef MMAMP_DIAG_H
#define MMAMP_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include "mmamp/config.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/*
 * MMAMP_CONFIG_DIAG_STRINGS (default 1): with 0, the core's diagnostics keep their codes (the
 * errno, @index, @value, @limit; a vring fault's code in @index) but not their text (@where,
 * @field and @why are NULL), so the strings are not linked in — for small firmware
 * (docs/config.md). Validation is the same either way.
 */
#if MMAMP_CONFIG_DIAG_STRINGS
#define MMAMP_DIAG_S(text) (text)
#else
#define MMAMP_DIAG_S(text) ((const char *)0)
#endif

/** MMAMP_DIAG_NO_INDEX - @index value when the location is not one of many entries. */
#define MMAMP_DIAG_NO_INDEX (-1)

/**
 * struct mmamp_diag - a rejected value, with its location and the rule it broke.
 * @where:     the structure that holds the value ("ELF header", "resource entry", "vring0 used ring").
 * @index:     which one of several (@where number @index), or MMAMP_DIAG_NO_INDEX.
 * @field:     the field name as in the spec ("e_phnum", "p_filesz", "num_of_vrings").
 * @why:       the rule, phrased to follow the value ("exceeds file size", "is not a power of two").
 * @value:     the offending value.
 * @limit:     the bound it broke, when @has_limit.
 * @has_limit: whether @limit is meaningful.
 */
struct mmamp_diag {
	const char *where;
	int index;
	const char *field;
	const char *why;
	uint64_t value;
	uint64_t limit;
	int has_limit;
};

/**
 * mmamp_diag_set() - record a rejection (a NULL @d is allowed: the caller did not ask).
 * Returns -@err so a check can `return mmamp_diag_set(d, ...)`.
 */
int mmamp_diag_set(struct mmamp_diag *d, int err, const char *where, int index, const char *field,
		   uint64_t value, const char *why);

/** mmamp_diag_set_limit() - as mmamp_diag_set(), naming the bound that was broken. */
int mmamp_diag_set_limit(struct mmamp_diag *d, int err, const char *where, int index,
			 const char *field, uint64_t value, const char *why, uint64_t limit);

/**
 * mmamp_diag_format() - render @d into @buf (always NUL-terminated when @len > 0).
 * Returns the length of the full message (like snprintf), so truncation is detectable.
 */
size_t mmamp_diag_format(const struct mmamp_diag *d, char *buf, size_t len);

MMAMP_END_DECLS

#endif /* MMAMP_DIAG_H */
