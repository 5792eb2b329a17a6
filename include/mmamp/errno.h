/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/errno.h — the error numbers every mmamp function returns (negated).
 *
 * The values are Linux's, so a host program can pass -ret to strerror() and a message logged on
 * the M4 means the same thing on the A35. They are defined here rather than taken from <errno.h>
 * because the portable core also builds freestanding (newlib's numbers differ from Linux's, e.g.
 * EMSGSIZE). Host code static-asserts that they agree with the C library (see src/core/diag.c).
 *
 * Meaning in mmamp (kept narrow so that a caller can act on the number alone):
 *   EIO       the queue/device is broken: the peer wrote something impossible; every later
 *             call fails the same way until the owner resets it.
 *   ENOBUFS   no free buffer right now (non-blocking send); retry or use the blocking variant.
 *   EAGAIN    nothing to receive / nothing to reap right now.
 *   EMSGSIZE  payload larger than the RPMsg MTU (496 bytes).
 *   EINVAL    a caller argument is wrong (the caller's bug, not the peer's).
 *   ENOEXEC   a malformed firmware image or resource table (the file's fault).
 *   EACCES    a memory-access callback refused (e.g. an SCU partition check).
 *   EPIPE     the link went down (peer reset) while the operation was pending.
 */
#ifndef MMAMP_ERRNO_H
#define MMAMP_ERRNO_H

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_EPERM      1
#define MMAMP_ENOENT     2
#define MMAMP_EIO        5
#define MMAMP_ENXIO      6
#define MMAMP_ENOEXEC    8
#define MMAMP_EAGAIN    11
#define MMAMP_ENOMEM    12
#define MMAMP_EACCES    13
#define MMAMP_EFAULT    14
#define MMAMP_EBUSY     16
#define MMAMP_EEXIST    17
#define MMAMP_ENODEV    19
#define MMAMP_EINVAL    22
#define MMAMP_ENOSPC    28
#define MMAMP_EPIPE     32
#define MMAMP_ERANGE    34
#define MMAMP_EPROTO    71
#define MMAMP_EBADMSG   74
#define MMAMP_EOVERFLOW 75
#define MMAMP_EMSGSIZE  90
#define MMAMP_EOPNOTSUPP 95
#define MMAMP_EADDRINUSE 98
#define MMAMP_ENOBUFS  105
#define MMAMP_ENOTCONN 107
#define MMAMP_ETIMEDOUT 110

MMAMP_END_DECLS

#endif /* MMAMP_ERRNO_H */
