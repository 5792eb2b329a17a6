/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_text.h — the little text handling the firmware's replies need (no printf on the M4).
 */
#ifndef MMAMP_FW_TEXT_H
#define MMAMP_FW_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** fw_is_crash_request() - whether a message is "crash" (or "crash\n", from a TTY). */
static inline int fw_is_crash_request(const void *data, size_t len)
{
	return (len == 5 || (len == 6 && ((const char *)data)[5] == '\n')) &&
	       !memcmp(data, "crash", 5);
}

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
