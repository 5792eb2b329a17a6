/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/config.h — every compile-time option of the portable core, with its default. A firmware
 * changes them with -D… for the whole build, or in a file of its own named by MMAMP_CONFIG_FILE
 * (-DMMAMP_CONFIG_FILE='"my_mmamp_config.h"'), which is read first. docs/config.md says what each
 * option costs and what it means for the other side of the wire; none changes the wire protocol
 * or what is checked.
 */
#ifndef MMAMP_CONFIG_H
#define MMAMP_CONFIG_H

#ifdef MMAMP_CONFIG_FILE
#include MMAMP_CONFIG_FILE
#endif

/* Diagnostics keep their text (1) or only their codes (0: the strings are not linked). */
#ifndef MMAMP_CONFIG_DIAG_STRINGS
#define MMAMP_CONFIG_DIAG_STRINGS 1
#endif

/* The host (virtio driver) role is built (1), or the core is remote-only (0: every firmware). */
#ifndef MMAMP_CONFIG_HOST_ROLE
#define MMAMP_CONFIG_HOST_ROLE 1
#endif

/*
 * The full stack's remote role offers a static link (mmamp_rpmsg_static_link, no resource
 * table) besides the live table (1), or the live table only (0: a static layout is refused).
 */
#ifndef MMAMP_CONFIG_STATIC_LINK
#define MMAMP_CONFIG_STATIC_LINK 1
#endif

/* The minimal remote profile (mmamp/rpmsg_min.h): ring geometry, fixed at build time. */
#ifndef MMAMP_MIN_VRING_NUM
#define MMAMP_MIN_VRING_NUM 256u
#endif
#ifndef MMAMP_MIN_VRING_ALIGN
#define MMAMP_MIN_VRING_ALIGN 0x1000u
#endif

/* The minimal profile on a static link (no resource table): 1, with both ring addresses. */
#ifndef MMAMP_MIN_STATIC_LINK
#define MMAMP_MIN_STATIC_LINK 0
#endif
#if MMAMP_MIN_STATIC_LINK && !(defined(MMAMP_MIN_VRING0_DA) && defined(MMAMP_MIN_VRING1_DA))
#error "MMAMP_MIN_STATIC_LINK needs MMAMP_MIN_VRING0_DA and MMAMP_MIN_VRING1_DA"
#endif

/*
 * Not here, because a port supplies them rather than a firmware choosing them: the barriers and
 * shared-memory accessors of mmamp/port.h (MMAMP_MB, MMAMP_SHM_READ, MMAMP_CACHE_FLUSH, …) and
 * MMAMP_MIN_COPY (the minimal profile's block copy).
 */

#endif /* MMAMP_CONFIG_H */
