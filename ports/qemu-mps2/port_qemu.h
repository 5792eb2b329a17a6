/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/qemu-mps2/port_qemu.h — the mps2-an386 firmware port (mmamp/remote/port.h): what a
 * firmware on the runtime gets from the board, with the same names the sim port
 * (ports/sim/port_sim_extra.h) gives it:
 *
 *   console    mmamp_port_puts/put_u64/put_hex on UART0 (polled TX)
 *   time       mmamp_port_now_ns(): timer0 free-running at 25 MHz (40 ns a tick), extended to
 *              64 bits by its wrap interrupt; under -icount shift=0, 1 tick = 40 instructions
 *   doorbells  mmamp_qemu_doorbell_ops (struct mmamp_remote_doorbell_ops) on UART1: one byte
 *              per doorbell each way, value = notifyid; RX interrupt (IRQ 2) → mmamp_remote_isr()
 *   sleeping   the doorbell op wait: cpsid i; WFI unless flagged; cpsie i, bounded by a
 *              one-shot SysTick
 *   faults     every fault and unexpected exception ends in the fault handler: record in the
 *              boot mailbox (mmamp/wire/qemu_mailbox.h), doorbell byte 0xFE, halt
 *
 *   clock sync mmamp_qemu_clock_serve(): the guest half of the host↔guest clock ping-pong in
 *              the boot mailbox (struct qmb_clock), for MeasureMan's cross-core sections
 *
 * A firmware includes this file as MMAMP_FW_PORT_H (mmamp_add_firmware(... PORT qemu-mps2)) and
 * finds here the memory map and the doorbell binding (FW_SHM_DA ... FW_DOORBELL_OPS).
 */
#ifndef MMAMP_QEMU_PORT_QEMU_H
#define MMAMP_QEMU_PORT_QEMU_H

#include <stdint.h>

#include "mmamp/remote/runtime.h"
#include "mps2_an386.h"

/** struct mmamp_qemu_doorbell - the UART1 binding (db_ctx of mmamp_qemu_doorbell_ops). */
struct mmamp_qemu_doorbell {
	uint32_t uart;
	struct mmamp_remote *remote;
};

/** mmamp_qemu_doorbell_ops - struct mmamp_remote_doorbell_ops on UART1. */
extern const struct mmamp_remote_doorbell_ops mmamp_qemu_doorbell_ops;

/**
 * mmamp_qemu_doorbell_init() - bind the UART at @uart (MPS2_UART1) to @remote; its RX interrupt
 * is switched on by the ops' enable. Return: 0, or -MMAMP_EBUSY if a binding exists already.
 */
int mmamp_qemu_doorbell_init(struct mmamp_qemu_doorbell *db, uintptr_t uart,
			     struct mmamp_remote *remote);

/* Console (UART0): mmamp_port_puts/put_u64/put_hex (mmamp/remote/port.h). */

/* Time: mmamp_port_now_ns() (mmamp/remote/port.h) and microseconds since the clock started
 * (mmamp_port_clock_init()). */
uint64_t mmamp_port_now_us(void);
/** mmamp_port_ticks() - raw 64-bit timer0 ticks (25 MHz). */
uint64_t mmamp_port_ticks(void);
/** mmamp_port_clock_init() - start timer0 free-running (called by the reset handler). */
void mmamp_port_clock_init(void);

/**
 * mmamp_qemu_clock_serve() - answer the host's clock ping-pong (struct qmb_clock in the boot
 * mailbox) until it writes QMB_CLOCK_END or @idle_ms of the guest's clock pass without a new
 * round. Each answer is read and published with interrupts masked. @beat(@ctx) runs after
 * each answer and every millisecond of waiting: the core is alive while it serves, and a
 * loaded host's calibration may take longer than its watchdog's patience (3 s). Return:
 * rounds answered.
 */
uint32_t mmamp_qemu_clock_serve(uint32_t idle_ms, void (*beat)(void *ctx), void *ctx);

/* Startup (startup.c): fw_main() after reset (mmamp/remote/port.h). */

/* ---- the memory map and doorbell binding (mmamp/remote/port.h) ---- */
#define FW_SHM_DA        MPS2_SHM_DA
#define FW_SHM_SIZE      MPS2_SHM_SIZE
#define FW_WINDOW_DA     MPS2_SHM_DA
#define FW_WINDOW_SIZE   MPS2_SHM_SIZE
#define FW_RSC_TABLE_DA  MPS2_RSC_TABLE_DA
#define FW_DOORBELL_T    struct mmamp_qemu_doorbell
#define FW_DOORBELL_DA   MPS2_UART1
#define FW_DOORBELL_INIT mmamp_qemu_doorbell_init
#define FW_DOORBELL_OPS  mmamp_qemu_doorbell_ops
/* The cycle-budget probe (MMAMP_QEMU_PROBE): no idle tick — under -icount sleep=off an idle
 * guest runs straight to its next tick, whose poll would find a message before its doorbell's
 * ISR and unpair the probe. Nothing in that test needs the tick (no watchdog, no status 0). */
#ifdef MMAMP_QEMU_PROBE
#define FW_TICK_US 0u
#endif
/* fw_measure: the guest's clock is not the host's; it answers MeasureMan's clock ping-pong,
 * beating the heartbeat through @beat(@ctx) meanwhile. */
#define FW_CLOCK_SERVE(beat, ctx) mmamp_qemu_clock_serve(500u, (beat), (ctx))

#endif /* MMAMP_QEMU_PORT_QEMU_H */
