/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_tty.h — MeasureMan's TTY link: a message is written to a TTY (mmampd's
 * <runtime>/ttyRPMSG<addr> PTY, or a board's /dev/ttyRPMSG*) and its echo read back. Only the
 * application points (1) are ours; the remote's (4) come from the reply header. Also works on
 * an rpmsg_char-like endpoint (/dev/rpmsgN, mmampd's rpmsgN socket), where one read is one
 * message.
 */
#ifndef MEASUREMAN_LINK_TTY_H
#define MEASUREMAN_LINK_TTY_H

#include <stddef.h>

#include "measure.h"

/** mm_tty_open() - open @path (a TTY: raw mode is set; a socket: connected). 0 or -errno. */
int mm_tty_open(struct mm_link *l, const char *path, char *err, size_t errlen);
void mm_tty_close(struct mm_link *l);

#endif /* MEASUREMAN_LINK_TTY_H */
