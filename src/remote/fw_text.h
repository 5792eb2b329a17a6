/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_text.h — the little text formatting the firmware's replies need (no printf on the M4).
 */
#ifndef MMAMP_FW_TEXT_H
#define MMAMP_FW_TEXT_H

#include <stdint.h>

/** fw_put_dec() - write @v in decimal at @p (at most 20 characters, no NUL); returns the end. */
static inline char *fw_put_dec(char *p, uint64_t v)
{
	char tmp[20];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

#endif /* MMAMP_FW_TEXT_H */
