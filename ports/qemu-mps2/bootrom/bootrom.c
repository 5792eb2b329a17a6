/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bootrom.c — the mps2-an386 boot ROM: the image QEMU starts (-kernel, ssram1 at 0x0), i.e.
 * what the SCU's "start core at address" is on this board. At every reset (power-on,
 * system_reset) it:
 *
 *   1. marks the boot mailbox (mmamp/wire/qemu_mailbox.h) WAITING, counts the boot, and sends
 *      doorbell byte 0xFD on UART1 so the host knows without polling;
 *   2. sleeps (WFI, woken every millisecond by SysTick) until the host's go word appears;
 *   3. takes go (clears it: a later reset waits again), checks vtor lies 256-byte aligned in
 *      [fw_base, fw_base + fw_size), clears the old fault record;
 *   4. rewrites every word of the firmware region from the guest side — this is what makes
 *      QEMU drop translated blocks of code the host has since overwritten through the file;
 *   5. sets VTOR, loads MSP from the vector table and jumps to its reset handler.
 */
#include <stdint.h>

#include "mmamp/wire/qemu_mailbox.h"
#include "mps2_an386.h"

#define ICSR_PENDSTCLR    (1u << 25)

void rom_reset(void);
void rom_tick(void);
void rom_trap(void);

typedef void (*vector_fn)(void);

__attribute__((section(".vectors"), used))
const vector_fn rom_vectors[16] = {
	[0] = (vector_fn)(uintptr_t)MPS2_ROM_STACK_TOP,
	[1] = rom_reset,
	[2 ... 14] = rom_trap,
	[15] = rom_tick,
};

void rom_tick(void)
{
}

/* Nothing should fault here; if something does, stop where a debugger can see it. */
void rom_trap(void)
{
	for (;;)
		__asm__ volatile("wfi");
}

static void uart1_send(uint8_t b)
{
	while (mmio_read(MPS2_UART1 + UART_STATE) & UART_STATE_TXFULL)
		;
	mmio_write(MPS2_UART1 + UART_DATA, b);
}

__attribute__((noreturn)) static void jump(uint32_t vtor)
{
	const volatile uint32_t *v = (const volatile uint32_t *)(uintptr_t)vtor;
	uint32_t sp = v[0], pc = v[1];

	mmio_write(SCS_VTOR, vtor);
	__asm__ volatile("dsb\n\tisb\n\t"
			 "msr msp, %0\n\t"
			 "bx %1\n" ::"r"(sp),
			 "r"(pc)
			 : "memory");
	__builtin_unreachable();
}

void rom_reset(void)
{
	volatile struct qmb *mb = (volatile struct qmb *)(uintptr_t)QMB_ADDR;
	uint32_t vtor, base, size;

	mmio_write(MPS2_UART1 + UART_BAUDDIV, UART_BAUDDIV_MIN);
	mmio_write(MPS2_UART1 + UART_CTRL, UART_CTRL_TXEN);
	mb->magic = QMB_MAGIC;
	mb->boot_count = mb->boot_count + 1u;
	mb->state = QMB_STATE_WAITING;
	__asm__ volatile("dsb" ::: "memory");
	uart1_send(QMB_DB_ROM_WAITING);

	mmio_write(SCS_SYST_RVR, MPS2_CLK_HZ / 1000u - 1u);
	mmio_write(SCS_SYST_CVR, 0);
	mmio_write(SCS_SYST_CSR, SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE);
	for (;;) {
		while (mb->go != QMB_GO_MAGIC)
			__asm__ volatile("wfi" ::: "memory");
		__asm__ volatile("dmb" ::: "memory");
		vtor = mb->vtor;
		base = mb->fw_base;
		size = mb->fw_size;
		mb->go = 0;
		if (!(vtor & 0xFFu) && vtor >= base && vtor - base < size && !(size & 3u) &&
		    !(base & 3u))
			break;
		mb->state = QMB_STATE_REFUSED;
	}
	mmio_write(SCS_SYST_CSR, 0);
	mmio_write(SCS_ICSR, ICSR_PENDSTCLR);
	mb->fault.magic = 0;
	mb->state = QMB_STATE_BOOTING;

	/* Defeat stale translations: a guest store to every word of the firmware region. */
	for (volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)base,
			       *end = (volatile uint32_t *)(uintptr_t)(base + size);
	     p < end; p++)
		*p = *p;
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	jump(vtor);
}
