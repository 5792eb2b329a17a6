/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.c — the sim firmware's reset handler. mmamp-simcore jumps to _start (the ELF entry,
 * the "boot address") with rsp at the top of the data TCM and every other register zero, like a
 * Cortex-M coming out of reset with SP loaded from the vector table. _start aligns the stack,
 * clears .bss (as an M4 reset handler does; the loader zero-fills it too) and runs fw_main();
 * its return value is the core's exit status.
 */
#include "port_sim.h"

void mmamp_sim_reset(void);

__asm__(".section .text.startup._start,\"ax\",@progbits\n"
	".globl _start\n"
	".type _start,@function\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %rsp\n"
	"	call mmamp_sim_reset\n"
	"	ud2\n"
	".size _start, .-_start\n"
	".previous\n");

extern char __bss_start[], __bss_end[];

void mmamp_sim_reset(void)
{
	/* Volatile stores: the compiler must neither turn this into a memset call before memset
	 * is "safe" (it is, but keep the reset path self-contained) nor drop it. */
	for (volatile char *p = __bss_start; p < (volatile char *)__bss_end; p++)
		*p = 0;
	mmamp_port_exit(fw_main());
}
