/* SPDX-License-Identifier: BSD-3-Clause */
/* num.h — a number from mmamp-guest's command line (num.c). */
#ifndef MMAMP_GUEST_NUM_H
#define MMAMP_GUEST_NUM_H

/**
 * guest_parse_num() - @s as a whole (decimal, 0x hex or 0 octal), at most @max, into @v.
 * 0, or -EINVAL for anything else.
 */
int guest_parse_num(const char *s, unsigned long long max, unsigned long long *v);

#endif /* MMAMP_GUEST_NUM_H */
