/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.c — the mps2-an386 firmware's vector table, reset handler and fault handler.
 *
 * The boot ROM (bootrom/bootrom.c) sets VTOR to the vector table at the start of the firmware
 * region, loads MSP from its word 0 and jumps to word 1 (mmamp_qemu_reset). The reset handler
 * enables the FPU (the image is built for the hard-float ABI), clears .bss, starts the clock,
 * marks the mailbox RUNNING and runs fw_main(); if that returns, the core parks in WFI.
 *
 * Every fault (HardFault, and MemManage/BusFault/UsageFault, which escalate to it unless
 * enabled) and every exception nobody expects ends in fault_report(): it writes a struct
 * qmb_fault into the boot mailbox, sets its state to FAULTED, sends doorbell byte 0xFE on
 * UART1 and halts with interrupts off — the host sees "crashed" with the record as the reason.
 */
#include <stdint.h>

#include "port_qemu.h"
#include "mmamp/wire/qemu_mailbox.h"

void mmamp_qemu_reset(void);
void mmamp_qemu_fault(void);
void mmamp_qemu_fault_report(const uint32_t *frame, uint32_t exc_return);
void mmamp_qemu_uart1_isr(void);
void mmamp_qemu_timer0_isr(void);
void mmamp_qemu_systick_isr(void);

extern uint32_t __stack_top[];
extern char __bss_start[], __bss_end[];

#define MPS2_NUM_IRQ 32

typedef void (*vector_fn)(void);

/* 16 system exceptions + 32 interrupts; first in the image (firmware.ld), 256-byte aligned. */
__attribute__((section(".vectors"), used))
const vector_fn mmamp_qemu_vectors[16 + MPS2_NUM_IRQ] = {
	[0] = (vector_fn)(uintptr_t)__stack_top,
	[1] = mmamp_qemu_reset,
	[2] = mmamp_qemu_fault, /* NMI */
	[3] = mmamp_qemu_fault, /* HardFault */
	[4] = mmamp_qemu_fault, /* MemManage */
	[5] = mmamp_qemu_fault, /* BusFault */
	[6] = mmamp_qemu_fault, /* UsageFault */
	[11] = mmamp_qemu_fault, /* SVCall */
	[12] = mmamp_qemu_fault, /* DebugMonitor */
	[14] = mmamp_qemu_fault, /* PendSV */
	[15] = mmamp_qemu_systick_isr,
	[16 + 0] = mmamp_qemu_fault,
	[16 + 1] = mmamp_qemu_fault,
	[16 + MPS2_UART1_RX_IRQ] = mmamp_qemu_uart1_isr,
	[16 + 3] = mmamp_qemu_fault,
	[16 + 4] = mmamp_qemu_fault,
	[16 + 5] = mmamp_qemu_fault,
	[16 + 6] = mmamp_qemu_fault,
	[16 + 7] = mmamp_qemu_fault,
	[16 + MPS2_TIMER0_IRQ] = mmamp_qemu_timer0_isr,
	[16 + 9 ... 16 + MPS2_NUM_IRQ - 1] = mmamp_qemu_fault,
};

void mmamp_qemu_reset(void)
{
	struct qmb *mb = (struct qmb *)(uintptr_t)QMB_ADDR;

	mmio_write(SCS_CPACR, mmio_read(SCS_CPACR) | (0xFu << 20)); /* CP10, CP11 full access */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	for (volatile char *p = __bss_start; p < (volatile char *)__bss_end; p++)
		*p = 0;
	mmamp_port_clock_init();
	mb->state = QMB_STATE_RUNNING;
	fw_main();
	for (;;)
		__asm__ volatile("wfi");
}

/* Entry of every fault: hand the exception frame (MSP or PSP, EXC_RETURN bit 2) to C. */
__attribute__((naked)) void mmamp_qemu_fault(void)
{
	__asm__ volatile("tst lr, #4\n\t"
			 "ite eq\n\t"
			 "mrseq r0, msp\n\t"
			 "mrsne r0, psp\n\t"
			 "mov r1, lr\n\t"
			 "b mmamp_qemu_fault_report\n");
}

void mmamp_qemu_fault_report(const uint32_t *frame, uint32_t exc_return)
{
	struct qmb *mb = (struct qmb *)(uintptr_t)QMB_ADDR;
	uint32_t ipsr;

	__asm__ volatile("cpsid i\n\tmrs %0, ipsr" : "=r"(ipsr)::"memory");
	mb->fault.pc = frame[6];
	mb->fault.lr = frame[5];
	mb->fault.xpsr = frame[7];
	mb->fault.sp = (uint32_t)(uintptr_t)frame + ((exc_return & 0x10u) ? 32u : 104u);
	mb->fault.exc_return = exc_return;
	mb->fault.ipsr = ipsr & 0x1FFu;
	mb->fault.cfsr = mmio_read(SCS_CFSR);
	mb->fault.hfsr = mmio_read(SCS_HFSR);
	mb->fault.mmfar = mmio_read(SCS_MMFAR);
	mb->fault.bfar = mmio_read(SCS_BFAR);
	__asm__ volatile("dmb" ::: "memory");
	mb->fault.magic = QMB_FAULT_MAGIC;
	mb->state = QMB_STATE_FAULTED;
	__asm__ volatile("dsb" ::: "memory");
	/* The doorbell UART may never have been set up (a fault before fw_main got that far). */
	mmio_write(MPS2_UART1 + UART_BAUDDIV, UART_BAUDDIV_MIN);
	mmio_write(MPS2_UART1 + UART_CTRL, mmio_read(MPS2_UART1 + UART_CTRL) | UART_CTRL_TXEN);
	while (mmio_read(MPS2_UART1 + UART_STATE) & UART_STATE_TXFULL)
		;
	mmio_write(MPS2_UART1 + UART_DATA, QMB_DB_FAULT);
	for (;;)
		__asm__ volatile("wfi");
}
