/* SPDX-License-Identifier: BSD-3-Clause */
/* proto.c — see proto.h. */
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The protocol names an errno by its symbol, for every errno Linux has: the C library's own
 * table (strerrorname_np), so no errno the daemon, the library or the kernel below them can
 * return is missing (ELOOP was, once: a symlink loop came out as EUNKNOWN). Aliases (EWOULDBLOCK,
 * EDEADLOCK, ENOTSUP) share their number and travel under its one name.
 */
#define ERRNO_MAX 4095 /* the kernel's MAX_ERRNO */

const char *mmamp_errno_name(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = err > 0 && err <= ERRNO_MAX ? strerrorname_np(err) : NULL;
	return name ? name : "EUNKNOWN";
}

int mmamp_errno_from_name(const char *name)
{
	for (int err = 1; err <= ERRNO_MAX; err++) {
		const char *n = strerrorname_np(err);

		if (n && !strcmp(n, name))
			return err;
	}
	return 0;
}

const char *mmamp_escape(const char *text, size_t len, bool keep_newlines, char *buf,
			 size_t buflen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 <= buflen; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c == '\n' && keep_newlines) || (c >= ' ' && c < 0x7f && c != '\\'))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, buflen - o, "\\x%02x", c);
	}
	if (buflen)
		buf[o < buflen ? o : buflen - 1] = '\0';
	return buf;
}

int mmamp_default_runtime_dir(char *buf, size_t len)
{
	const char *env = getenv(MMAMP_RUNTIME_ENV);
	const char *xdg;

	if (env && env[0]) {
		if (snprintf(buf, len, "%s", env) >= (int)len) {
			snprintf(buf, len, "$" MMAMP_RUNTIME_ENV " is too long");
			return -ENAMETOOLONG;
		}
		return 0;
	}
	if (geteuid() == 0) {
		snprintf(buf, len, "/run/mmamp");
		return 0;
	}
	xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && xdg[0]) {
		if (snprintf(buf, len, "%s/mmamp", xdg) >= (int)len) {
			snprintf(buf, len, "$XDG_RUNTIME_DIR is too long: give -r RUNTIME_DIR");
			return -ENAMETOOLONG;
		}
		return 0;
	}
	snprintf(buf, len, "not root and XDG_RUNTIME_DIR is not set: give -r RUNTIME_DIR");
	return -ENOENT;
}

int mmamp_sockaddr(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, n + 1);
	return 0;
}

void mmamp_ept_status_make(char pkt[MMAMP_EPT_STATUS_LEN], int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	memset(pkt, 0, MMAMP_EPT_STATUS_LEN);
	n = snprintf(pkt, MMAMP_EPT_STATUS_LEN, MMAMP_EPT_STATUS_TAG "%s ", mmamp_errno_name(err));
	if (n > 0 && n < MMAMP_EPT_STATUS_LEN - 1) {
		va_start(ap, fmt);
		vsnprintf(pkt + n, (size_t)(MMAMP_EPT_STATUS_LEN - n), fmt, ap);
		va_end(ap);
	}
	pkt[MMAMP_EPT_STATUS_LEN - 1] = '\0';
}

bool mmamp_ept_status_parse(const void *pkt, size_t len, int *err, char *msg, size_t msglen)
{
	const char *p = pkt;
	const size_t tag = sizeof(MMAMP_EPT_STATUS_TAG) - 1;
	char name[32];
	size_t i = 0;

	if (len <= MMAMP_EPT_MTU)
		return false;
	*err = EPROTO;
	if (msg && msglen)
		snprintf(msg, msglen, "an unrecognised packet of %zu bytes", len);
	if (len < tag || memcmp(p, MMAMP_EPT_STATUS_TAG, tag))
		return true;
	p += tag;
	len -= tag;
	while (i < len && i + 1 < sizeof(name) && p[i] && p[i] != ' ') {
		name[i] = p[i];
		i++;
	}
	name[i] = '\0';
	*err = mmamp_errno_from_name(name);
	if (!*err)
		*err = EPROTO;
	if (i < len && p[i] == ' ')
		i++;
	if (msg && msglen)
		snprintf(msg, msglen, "%.*s", (int)strnlen(p + i, len - i), p + i);
	return true;
}
