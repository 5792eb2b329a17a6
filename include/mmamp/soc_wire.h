/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/soc_wire.h — the wire between the real Linux kernel (User-Mode Linux, our remoteproc
 * driver kernel/mmamp_rproc.c) and the simulated i.MX8X under it (tools/mmamp-soc): what the
 * A35's buses would carry to the SCU, the MU and the memory controller (docs/linux-host.md).
 *
 * One UNIX stream socket; the SoC listens, the kernel connects. Every message is one
 * fixed-size struct mmamp_soc_msg (256 bytes, little-endian host order), so a reader that got
 * part of one keeps it until the rest arrives. The kernel's first message (HELLO) carries UML's
 * memory file as SCM_RIGHTS: a UML physical address is an offset into that file.
 *
 *   kernel → SoC
 *     HELLO     text = the SCU partition the kernel runs in ("apu"); fd = UML's memory file;
 *               a = the size of RAM (its first a bytes; the file holds more). Answered by
 *               REPLY.
 *     CARVEOUT  text = region name as in the platform description (m4-tcml, vdev0vring0, ...);
 *               a = the M4 device address, b = the offset of the memory in UML's file,
 *               c = size. The SoC checks it against the region of that name (address, size)
 *               and maps that memory there for the M4. Answered by REPLY.
 *     START     a = boot address: SCU cpu_start for the core; power on. Answered by REPLY.
 *     STOP      SCU cpu_stop; power off (also after a crash). Answered by REPLY.
 *     KICK      arg = notifyid: MU side A writes notifyid << 16 to TR1. Not answered.
 *     QUERY     after the carveouts: is the core on already (a boot loader started it before
 *               the kernel came up)? Answered by REPLY with a = 1 if it runs, 0 if not.
 *   SoC → kernel
 *     REPLY     arg = 0 or a negative errno; text = the reason of a refusal (the SCU's line).
 *     DOORBELL  arg = notifyid the M4 wrote to its TR1 (MU side A took it from RR1).
 *     CRASHED   arg = MMAMP_SOC_CRASH_*; text = how the core ended (signal, address, pc).
 */
#ifndef MMAMP_SOC_WIRE_H
#define MMAMP_SOC_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u32 mmamp_soc_u32;
typedef s32 mmamp_soc_s32;
typedef u64 mmamp_soc_u64;
#else
#include <stdint.h>
typedef uint32_t mmamp_soc_u32;
typedef int32_t mmamp_soc_s32;
typedef uint64_t mmamp_soc_u64;
#endif
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_SOC_MSG_SIZE 256
#define MMAMP_SOC_TEXT_MAX 224

enum mmamp_soc_type {
	MMAMP_SOC_HELLO = 1,
	MMAMP_SOC_CARVEOUT = 2,
	MMAMP_SOC_START = 3,
	MMAMP_SOC_STOP = 4,
	MMAMP_SOC_KICK = 5,
	MMAMP_SOC_QUERY = 7,
	MMAMP_SOC_REPLY = 16,
	MMAMP_SOC_DOORBELL = 17,
	MMAMP_SOC_CRASHED = 18,
};

/* CRASHED arg: how the core ended (the kernel's enum rproc_crash_type follows). */
#define MMAMP_SOC_CRASH_FATAL    0 /* ended, killed, or could not be set up */
#define MMAMP_SOC_CRASH_MMUFAULT 1 /* a memory fault (the core touched what it may not) */
#define MMAMP_SOC_CRASH_WATCHDOG 2

struct mmamp_soc_msg {
	mmamp_soc_u32 type;
	mmamp_soc_s32 arg;
	mmamp_soc_u64 a;
	mmamp_soc_u64 b;
	mmamp_soc_u64 c;
	char text[MMAMP_SOC_TEXT_MAX]; /* NUL-terminated */
};

MMAMP_STATIC_ASSERT(sizeof(struct mmamp_soc_msg) == MMAMP_SOC_MSG_SIZE, "256-byte messages");

MMAMP_END_DECLS

#endif /* MMAMP_SOC_WIRE_H */
