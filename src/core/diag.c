/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diag.c — recording and rendering struct mmamp_diag without libc (the core builds freestanding,
 * so this carries its own tiny hex/decimal writer instead of snprintf).
 */
#include "mmamp/diag.h"

#include "mmamp/errno.h"

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ && !defined(__arm__)
#include <errno.h>
/* The host C library must agree with the numbers the core returns (see mmamp/errno.h). */
_Static_assert(MMAMP_EIO == EIO && MMAMP_ENOBUFS == ENOBUFS && MMAMP_EMSGSIZE == EMSGSIZE &&
	       MMAMP_EINVAL == EINVAL && MMAMP_ENOEXEC == ENOEXEC && MMAMP_EACCES == EACCES &&
	       MMAMP_EPIPE == EPIPE && MMAMP_EAGAIN == EAGAIN && MMAMP_ETIMEDOUT == ETIMEDOUT &&
	       MMAMP_EBUSY == EBUSY && MMAMP_EEXIST == EEXIST && MMAMP_ENOENT == ENOENT &&
	       MMAMP_EADDRINUSE == EADDRINUSE && MMAMP_ENOTCONN == ENOTCONN &&
	       MMAMP_EOPNOTSUPP == EOPNOTSUPP && MMAMP_EPROTO == EPROTO &&
	       MMAMP_EBADMSG == EBADMSG && MMAMP_EOVERFLOW == EOVERFLOW && MMAMP_ERANGE == ERANGE &&
	       MMAMP_ENOSPC == ENOSPC && MMAMP_ENODEV == ENODEV && MMAMP_ENXIO == ENXIO &&
	       MMAMP_ENOMEM == ENOMEM && MMAMP_EFAULT == EFAULT && MMAMP_EPERM == EPERM,
	       "mmamp/errno.h must match the host's errno values");
#endif

int mmamp_diag_set_limit(struct mmamp_diag *d, int err, const char *where, int index,
			 const char *field, uint64_t value, const char *why, uint64_t limit)
{
	if (d) {
		d->where = where;
		d->index = index;
		d->field = field;
		d->why = why;
		d->value = value;
		d->limit = limit;
		d->has_limit = 1;
	}
	return -err;
}

int mmamp_diag_set(struct mmamp_diag *d, int err, const char *where, int index, const char *field,
		   uint64_t value, const char *why)
{
	mmamp_diag_set_limit(d, err, where, index, field, value, why, 0);
	if (d)
		d->has_limit = 0;
	return -err;
}

struct diag_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void put_char(struct diag_out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_str(struct diag_out *o, const char *s)
{
	while (s && *s)
		put_char(o, *s++);
}

/* Hex by shifting and decimal only for 32-bit values: no 64-bit division on a 32-bit core. */
static void put_hex(struct diag_out *o, uint64_t v)
{
	int shift = 60;

	put_str(o, "0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char(o, "0123456789abcdef"[(v >> shift) & 0xFu]);
}

static void put_dec(struct diag_out *o, uint32_t v)
{
	char digits[10];
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n)
		put_char(o, digits[--n]);
}

/* Small values read best in decimal (counts); addresses and sizes in hex. */
static void put_value(struct diag_out *o, uint64_t v)
{
	if (v < 10)
		put_dec(o, (uint32_t)v);
	else
		put_hex(o, v);
}

size_t mmamp_diag_format(const struct mmamp_diag *d, char *buf, size_t len)
{
	struct diag_out o = { buf, len, 0 };

#if MMAMP_CONFIG_DIAG_STRINGS
	if (!d || !d->field) {
#else
	if (!d) {
#endif
		put_str(&o, "no diagnostic recorded");
#if !MMAMP_CONFIG_DIAG_STRINGS
	} else if (!d->field) { /* codes only: "#index value (limit n)" */
		put_char(&o, '#');
		put_dec(&o, (uint32_t)d->index);
		put_char(&o, ' ');
		put_value(&o, d->value);
		if (d->has_limit) {
			put_str(&o, " (limit ");
			put_value(&o, d->limit);
			put_char(&o, ')');
		}
#endif
	} else {
		if (d->where) {
			put_str(&o, d->where);
			if (d->index != MMAMP_DIAG_NO_INDEX) {
				put_char(&o, ' ');
				put_dec(&o, (uint32_t)d->index);
			}
			put_str(&o, ": ");
		}
		put_str(&o, d->field);
		put_char(&o, ' ');
		put_value(&o, d->value);
		if (d->why) {
			put_char(&o, ' ');
			put_str(&o, d->why);
		}
		if (d->has_limit) {
			put_str(&o, " (limit ");
			put_value(&o, d->limit);
			put_char(&o, ')');
		}
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}
