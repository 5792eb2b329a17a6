/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/qemu-mps2/mps2_an386.h — the board: QEMU's mps2-an386 (Cortex-M4F, 25 MHz) registers
 * this port touches, and the platform memory map the firmware, the boot ROM, the host and
 * platforms/qemu-mps2-an386.dts agree on. Register access helpers for guest code only.
 *
 * Memory map (guest address = system address = device address; the 16 MiB main RAM
 * 0x21000000..0x21FFFFFF is the host's RAM file, file offset = address - 0x21000000):
 *
 *   0x00000000  ssram1      boot ROM (QEMU -kernel), stack in ssram23      not shared
 *   0x21000000  4 KiB       boot mailbox (mmamp/wire/qemu_mailbox.h)       host rw, m4 rw
 *   0x21100000  1 MiB       firmware: vectors, .text, .rodata,            host rw, m4 rwx
 *                           .resource_table, .data, .bss, stack (top)
 *   0x21200000  32 KiB      vdev0vring0                                    host rw, m4 rw
 *   0x21208000  32 KiB      vdev0vring1
 *   0x212FF000  4 KiB       live resource table (heartbeat at +0xFF0)
 *   0x21600000  1 MiB       vdevbuffer (RPMsg buffers)
 *   RPMsg window the firmware accepts: 0x21200000 + 0x500000 (the i.MX layout shifted from
 *   0x90000000, same offsets).
 */
#ifndef MMAMP_QEMU_MPS2_AN386_H
#define MMAMP_QEMU_MPS2_AN386_H

#include <stdint.h>

/* ---- platform memory map ---- */
#define MPS2_RAM_BASE        0x21000000u
#define MPS2_RAM_SIZE        0x01000000u
#define MPS2_FW_BASE         0x21100000u
#define MPS2_FW_SIZE         0x00100000u
#define MPS2_VRING0_DA       0x21200000u
#define MPS2_VRING1_DA       0x21208000u
#define MPS2_VRING_REGION    0x8000u
#define MPS2_RSC_TABLE_DA    0x212FF000u
#define MPS2_VBUF_DA         0x21600000u
#define MPS2_VBUF_SIZE       0x00100000u
#define MPS2_SHM_DA          0x21200000u
#define MPS2_SHM_SIZE        0x00500000u
#define MPS2_ROM_STACK_TOP   0x20001000u /* boot ROM's stack, in ssram23 */

/* ---- clocks ---- */
#define MPS2_CLK_HZ          25000000u /* SYSCLK = SysTick processor clock = APB clock */

/* ---- CMSDK APB UART ---- */
#define MPS2_UART0           0x40004000u /* console / trace */
#define MPS2_UART1           0x40005000u /* doorbells */
#define MPS2_UART1_RX_IRQ    2u
#define UART_DATA            0x00u
#define UART_STATE           0x04u
#define UART_CTRL            0x08u
#define UART_INT             0x0Cu /* INTSTATUS (read) / INTCLEAR (write 1) */
#define UART_BAUDDIV         0x10u
#define UART_STATE_TXFULL    0x1u
#define UART_STATE_RXFULL    0x2u
#define UART_CTRL_TXEN       0x1u
#define UART_CTRL_RXEN       0x2u
#define UART_CTRL_RXIRQ      0x8u
#define UART_INT_RX          0x2u
#define UART_BAUDDIV_MIN     16u

/* ---- CMSDK APB timer 0: the free-running clock ---- */
#define MPS2_TIMER0          0x40000000u
#define MPS2_TIMER0_IRQ      8u
#define MPS2_TIMER1          0x40001000u /* the cycle-budget probe's stopwatch (qemu_probe.h) */
#define TIMER_CTRL           0x00u
#define TIMER_VALUE          0x04u
#define TIMER_RELOAD         0x08u
#define TIMER_INT            0x0Cu
#define TIMER_CTRL_EN        0x1u
#define TIMER_CTRL_IRQEN     0x8u

/* ---- System control space (ARMv7-M) ---- */
#include "../cortex-m/armv7m_scs.h"

static inline uint32_t mmio_read(uint32_t addr)
{
	return *(volatile const uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

#endif /* MMAMP_QEMU_MPS2_AN386_H */
