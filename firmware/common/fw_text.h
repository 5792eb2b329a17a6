/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_text.h — the little text handling the firmware's console lines and replies need (no printf
 * on the M4): the "<FW_NAME>: " prefix, the mmamp-info line, decimal numbers, the crash request.
 * Needs the port's console (mmamp_port_puts, mmamp/remote/port.h) and, for fw_say() and the info
 * line, FW_NAME / FW_BUILD_ID (string literals).
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

#ifdef FW_NAME
/** fw_say() - one console line (or its start), prefixed "<FW_NAME>: ". */
static inline void fw_say(const char *what)
{
	mmamp_port_puts(FW_NAME ": ");
	mmamp_port_puts(what);
}

/**
 * fw_say_errno() - one console line "<FW_NAME>: <what><n>" for the negative errno @err; @what
 * ends in "-" ("init failed, error -"), so the line reads as the negative number it is.
 */
static inline void fw_say_errno(const char *what, int err)
{
	fw_say(what);
	mmamp_port_put_u64((uint64_t)-err);
	mmamp_port_puts("\n");
}
#endif

#if defined(FW_NAME) && defined(FW_BUILD_ID)
/* The mmamp-info reply: "fw=<FW_NAME> build=<FW_BUILD_ID> uptime_ms=<n>\n". */
#define FW_INFO_HEAD     "fw=" FW_NAME " build=" FW_BUILD_ID " uptime_ms="
#define FW_INFO_LINE_MAX (sizeof(FW_INFO_HEAD) + 24u)

/** fw_info_line() - write the mmamp-info line for @uptime_ms into @line (FW_INFO_LINE_MAX). */
static inline size_t fw_info_line(char *line, uint64_t uptime_ms)
{
	char *p = line;

	memcpy(p, FW_INFO_HEAD, sizeof(FW_INFO_HEAD) - 1);
	p += sizeof(FW_INFO_HEAD) - 1;
	p = fw_put_dec(p, uptime_ms);
	*p++ = '\n';
	return (size_t)(p - line);
}
#endif

#endif /* MMAMP_FW_TEXT_H */
