/* SPDX-License-Identifier: BSD-3-Clause */
/* num.c — a number from mmamp-guest's command line (num.h). */
#include "num.h"

#include <errno.h>
#include <stdlib.h>

int guest_parse_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *v > max || s[0] == '-' ? -EINVAL : 0;
}
