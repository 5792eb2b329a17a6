/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/qemu-mps2/port_min.h — the minimal profile's binding (mmamp/rpmsg_min.h) on mps2-an386:
 * what firmware/demo/fw_echo_min.c takes from its board when built with
 * -DMMAMP_FW_MIN_PORT_H="port_min.h".
 *
 *   doorbell in   UART1 RX interrupt (IRQ 2): every byte is a doorbell (the poll services both
 *                 vrings, so which one does not matter); the ISR drains them and flags the loop
 *   doorbell out  mmamp_qemu_min_notify(): one byte = notifyid on UART1
 *   tick          SysTick every FW_MIN_TICK_US: flags the loop too, so the vdev status (the
 *                 host writes 0 without a doorbell) and the heartbeat are looked at while idle
 *   sleep         mmamp_qemu_min_idle(): cpsid i; WFI unless flagged; cpsie i
 *   copy          mmamp_qemu_copy(): memcpy, 32 bytes per LDM/STM pair when word-aligned
 *
 * Console, clock and the fault record are the board's (port_qemu.h, board.c, startup.c).
 */
#ifndef MMAMP_QEMU_PORT_MIN_H
#define MMAMP_QEMU_PORT_MIN_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/rpmsg_min.h"
#include "port_qemu.h"

/** How often the idle loop looks at the vdev status and beats (the host's watchdog: 1 s). */
#define FW_MIN_TICK_US 10000u

/** mmamp_qemu_min_init() - UART1 on (RX interrupt) and the periodic tick. */
void mmamp_qemu_min_init(void);

/** mmamp_qemu_min_notify() - ring the host for vring @notifyid (struct mmamp_min_config). */
void mmamp_qemu_min_notify(uint32_t notifyid);

/** mmamp_qemu_min_idle() - sleep until a doorbell or the tick, unless one came already. */
void mmamp_qemu_min_idle(void);

/** mmamp_qemu_copy() - memcpy; word-aligned @dst, @src and @n go by 32-byte LDM/STM blocks. */
void *mmamp_qemu_copy(void *dst, const void *src, size_t n);

/* ---- what fw_echo_min.c takes from its port ---- */
#define FW_MIN_TABLE   ((struct mmamp_rsc_table_rpmsg *)(uintptr_t)MPS2_RSC_TABLE_DA)
#define FW_MIN_BEAT    ((volatile uint32_t *)(uintptr_t)(MPS2_RSC_TABLE_DA + MMAMP_HEARTBEAT_OFFSET))
#define FW_SHM_DA      MPS2_SHM_DA
#define FW_SHM_SIZE    MPS2_SHM_SIZE
#define FW_MIN_INIT    mmamp_qemu_min_init
#define FW_MIN_NOTIFY  mmamp_qemu_min_notify
#define FW_MIN_IDLE    mmamp_qemu_min_idle
#define FW_COPY        mmamp_qemu_copy

#endif /* MMAMP_QEMU_PORT_MIN_H */
