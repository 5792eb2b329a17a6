/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/wire/simcore.h — the contract between the host (the SCU's cpu_start:
 * ports/sim/simcore_launch.c) and mmamp-simcore (ports/sim/simcore.c), the process that plays the
 * simulated Cortex-M4, and between mmamp-simcore and the firmware (ports/sim/port_sim.h).
 *
 * Command line (see `mmamp-simcore --help`):
 *
 *   mmamp-simcore --map FD:DA:SIZE:PROT[:OFFSET] [--map ...] --boot ADDR --stack-top ADDR --report FD
 *                 [--console FD] [--die-with-parent] [--no-seccomp]
 *
 *   --map FD:DA:SIZE:PROT[:OFFSET]
 *                          map SIZE bytes of inherited fd FD (from OFFSET, default 0;
 *                          page-aligned) MAP_SHARED at device address DA with PROT r, rw or
 *                          rwx (also rx). DA and SIZE page-aligned,
 *                          inside the M4's 32-bit address space. Up to MMAMP_SIMCORE_MAX_MAPS.
 *   --boot ADDR            jump here (must lie in an executable region)
 *   --stack-top ADDR       initial stack pointer (16-byte aligned, inside or at the end of a
 *                          writable region; the top of the M4's data TCM)
 *   --report FD            fault reports go here (a pipe); becomes MMAMP_SIMCORE_REPORT_FD
 *   --console FD           the firmware's console (becomes MMAMP_SIMCORE_CONSOLE_FD); without
 *                          it the firmware has no console (writes fail with EBADF)
 *   --die-with-parent      PR_SET_PDEATHSIG(SIGKILL): the core dies with the thread that
 *                          started it (so start it from a thread that lives as long as the core)
 *   --no-seccomp           do not restrict the firmware's system calls
 * Numbers are decimal or 0x-hex.
 *
 * Exit status: whatever the firmware passes to exit (by convention 0); MMAMP_SIMCORE_EXIT_SETUP
 * (2) when the core could not be set up (usage, a region that cannot be mapped at its DA, ...),
 * with one line on stderr saying why; 128 + signo after a fault, with a fault record written to
 * the report fd first. A core killed from outside ends by that signal (WIFSIGNALED).
 *
 * What the firmware gets: exactly the --map regions below 4 GiB (the launcher checks
 * /proc/self/maps and refuses to boot if anything else lives there), file descriptors
 * MMAMP_SIMCORE_CONSOLE_FD and MMAMP_SIMCORE_REPORT_FD only (the latter belongs to the fault
 * handler), all signals unblocked, SIGPIPE ignored, rsp = --stack-top, rbp = 0, and — unless
 * --no-seccomp — a seccomp filter that allows only write (to the console and report fds),
 * close, futex, clock_gettime, clock_nanosleep, nanosleep, sched_yield, exit, exit_group and
 * rt_sigreturn and restart_syscall; any other system call is a fault (SIGSYS, reported with the call's number).
 * The launcher's own image, libc and stacks stay mapped at their (ASLR, > 4 GiB) addresses.
 */
#ifndef MMAMP_WIRE_SIMCORE_H
#define MMAMP_WIRE_SIMCORE_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_SIMCORE_CONSOLE_FD 1
#define MMAMP_SIMCORE_REPORT_FD  3
#define MMAMP_SIMCORE_EXIT_SETUP 2
#define MMAMP_SIMCORE_MAX_MAPS   16
/* The M4's address space: every mapped region must end at or below this. */
#define MMAMP_SIMCORE_ADDR_LIMIT 0x100000000ull

#define MMAMP_SIMCORE_REPORT_MAGIC 0x52464D4Du /* "MMFR" little-endian */

/**
 * struct mmamp_simcore_report - written once, in one write(2), to the report fd when the
 * firmware faults (then the core exits with 128 + @signo).
 * @magic: MMAMP_SIMCORE_REPORT_MAGIC.
 * @signo: SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP or SIGSYS.
 * @code:  si_code (e.g. SEGV_MAPERR, SEGV_ACCERR, SYS_SECCOMP).
 * @aux:   for SIGSYS the system call number, else 0.
 * @addr:  si_addr: the faulting data address (SIGSEGV/SIGBUS), the faulting instruction
 *         (SIGILL/SIGFPE/SIGTRAP), or the address of the system call (SIGSYS).
 * @pc:    the instruction pointer at the fault (from the ucontext).
 */
struct mmamp_simcore_report {
	uint32_t magic;
	uint32_t signo;
	int32_t code;
	uint32_t aux;
	uint64_t addr;
	uint64_t pc;
};

MMAMP_STATIC_ASSERT(sizeof(struct mmamp_simcore_report) == 32, "report record is 32 bytes");
MMAMP_STATIC_ASSERT(offsetof(struct mmamp_simcore_report, addr) == 16, "addr at 16");
MMAMP_STATIC_ASSERT(offsetof(struct mmamp_simcore_report, pc) == 24, "pc at 24");

MMAMP_END_DECLS

#endif /* MMAMP_WIRE_SIMCORE_H */
