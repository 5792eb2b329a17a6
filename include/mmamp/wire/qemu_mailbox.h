/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/wire/qemu_mailbox.h — the boot mailbox: the one page of the QEMU platform's shared main
 * RAM through which the host (src/host/qemu_machine.c, tools/measureman), the boot ROM
 * (ports/qemu-mps2/bootrom/bootrom.c) and the firmware (ports/qemu-mps2) talk. Shared by guest
 * and host code, so it uses fixed-width fields only; little-endian, 4-byte aligned words. The
 * probe's stopwatch macros, which only the port's firmware uses, are in
 * ports/qemu-mps2/qemu_probe.h.
 *
 * It lives at QMB_ADDR (0x21000000, file offset 0 of the 16 MiB RAM file). Who writes what:
 *
 *   off   field        writer      meaning
 *   0x00  magic        ROM         QMB_MAGIC once the ROM has run at least once
 *   0x04  state        ROM / fw    QMB_STATE_*: WAITING (ROM waits for go), BOOTING (ROM took
 *                                  go, jumping), RUNNING (firmware's reset handler), FAULTED
 *                                  (fault handler wrote the record below), REFUSED (ROM:
 *                                  unusable go, waiting again)
 *   0x08  boot_count   ROM         +1 each time the ROM starts (power-on, every system_reset)
 *   0x0C  go           host / ROM  host writes QMB_GO_MAGIC after vtor/fw_base/fw_size; the
 *                                  ROM clears it when it takes it (a later reset waits again)
 *   0x10  vtor         host        firmware vector table (SP, reset handler), 256-B aligned
 *   0x14  fw_base      host        firmware region: the ROM rewrites every word of
 *   0x18  fw_size      host          [fw_base, fw_base + fw_size) before jumping (see below)
 *   0x1C  reserved
 *   0x20  fault        firmware    struct qmb_fault (valid when fault.magic == QMB_FAULT_MAGIC)
 *   0x60  probe        firmware    struct qmb_probe (MMAMP_QEMU_PROBE builds only)
 *   0x80  clock        host / fw   struct qmb_clock: host↔guest clock ping-pong (MeasureMan)
 *
 * Why the ROM rewrites the firmware region: QEMU keeps translated blocks of code the guest has
 * executed, even across system_reset, and does not notice the host overwriting that code
 * through the shared file. A store from the guest to each word invalidates them.
 *
 * Doorbell bytes on UART1 (one byte per doorbell, both directions):
 *   0x00..QMB_DB_MAX_NOTIFYID  a vring notifyid
 *   QMB_DB_ROM_WAITING (0xFD)  guest → host: the boot ROM waits for go (after a reset)
 *   QMB_DB_FAULT (0xFE)        guest → host: the firmware faulted; the record is in the mailbox
 */
#ifndef MMAMP_WIRE_QEMU_MAILBOX_H
#define MMAMP_WIRE_QEMU_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define QMB_ADDR        0x21000000u /* guest address; host: offset 0 of the RAM file */
#define QMB_SIZE        0x1000u

#define QMB_MAGIC       0x584D4251u /* "QBMX" */
#define QMB_GO_MAGIC    0x21214F47u /* "GO!!" */
#define QMB_FAULT_MAGIC 0x544C4146u /* "FALT" */

#define QMB_STATE_NONE    0u
#define QMB_STATE_WAITING 1u
#define QMB_STATE_BOOTING 2u
#define QMB_STATE_RUNNING 3u
#define QMB_STATE_FAULTED 4u
#define QMB_STATE_REFUSED 5u /* ROM: go with a vtor outside [fw_base, fw_base + fw_size) or
				 not 256-byte aligned; waits again */

#define QMB_DB_MAX_NOTIFYID 0xFCu
#define QMB_DB_ROM_WAITING  0xFDu
#define QMB_DB_FAULT        0xFEu

/**
 * struct qmb_fault - what the firmware's fault handler saw (ARMv7-M registers).
 * @magic:  QMB_FAULT_MAGIC when valid.
 * @pc, @lr, @xpsr: from the exception frame (the faulting instruction, its LR and xPSR).
 * @sp:     the stack pointer before the exception (frame address + 32).
 * @exc_return: LR on handler entry.
 * @ipsr:   the exception number of the handler that ran (3 = HardFault).
 * @cfsr, @hfsr, @mmfar, @bfar: SCB 0xE000ED28, 0xE000ED2C, 0xE000ED34, 0xE000ED38.
 */
struct qmb_fault {
	uint32_t magic;
	uint32_t pc;
	uint32_t lr;
	uint32_t xpsr;
	uint32_t sp;
	uint32_t exc_return;
	uint32_t ipsr;
	uint32_t cfsr;
	uint32_t hfsr;
	uint32_t mmfar;
	uint32_t bfar;
	uint32_t reserved;
};

/**
 * struct qmb_probe - the cycle-budget probe of a firmware built with MMAMP_QEMU_PROBE: timer1
 * as a stopwatch (25 MHz: 1 tick = 40 ns = 40 guest instructions under -icount shift=0),
 * started when the doorbell ISR reads a host kick for vring 1 (a message: notifyid 1 on mmamp's
 * hosts) and read at the first doorbell for vring 0 (the reply: notifyid 0) after it.
 * @isr_ticks:   0 (the stopwatch starts at 0; kept for the layout).
 * @send_ticks:  stopwatch ticks from that read to that doorbell.
 * @isr_at_send: 0.
 * @isr_seq:     message kicks read (stopwatch starts).
 * @seq_at_send: @isr_seq when @send_ticks was taken: equal means that kick is paired.
 * Why a stopwatch and not the free-running timer0: with -icount sleep=off an idle guest's clock
 * jumps to the next timer deadline, often timer0's own wrap, and QEMU reads a timer as 0 from
 * its expiry until it has processed it; timer1 runs only while the guest is busy, and it does
 * not wait, so its deadline (171 s away) is never jumped to.
 */
struct qmb_probe {
	uint32_t isr_ticks;
	uint32_t send_ticks;
	uint32_t isr_at_send;
	uint32_t isr_seq;
	uint32_t seq_at_send;
};

#define QMB_PROBE_OFFSET 0x60u

/**
 * struct qmb_clock - the clock ping-pong through which the host relates the guest's clock
 * (mmamp_port_now_ns(): timer0) to its own CLOCK_MONOTONIC (tools/measureman, fw_measure):
 * one writer per field. The firmware serves it only when asked (mmamp_qemu_clock_serve()).
 * @req:   host: round number 1, 2, … (written last, after reading its clock: t1), or
 *         QMB_CLOCK_END to let the firmware go.
 * @ack:   firmware: @req's value once @guest_lo/@guest_hi hold its clock for that round; the
 *         host reads its clock again (t4) when it sees it.
 * @guest_lo, @guest_hi: firmware: mmamp_port_now_ns() read on seeing @req.
 * Host: offset = (t1 + t4) / 2 - guest, error ≤ (t4 - t1) / 2 + one timer tick (40 ns); the
 * round with the smallest t4 - t1 is the estimate.
 */
struct qmb_clock {
	uint32_t req;
	uint32_t ack;
	uint32_t guest_lo;
	uint32_t guest_hi;
};

#define QMB_CLOCK_OFFSET 0x80u
#define QMB_CLOCK_END    0xFFFFFFFFu

/** struct qmb - the boot mailbox (see the table above). */
struct qmb {
	uint32_t magic;
	uint32_t state;
	uint32_t boot_count;
	uint32_t go;
	uint32_t vtor;
	uint32_t fw_base;
	uint32_t fw_size;
	uint32_t reserved;
	struct qmb_fault fault;
};

MMAMP_STATIC_ASSERT(sizeof(struct qmb_fault) == 48, "fault record is 48 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct qmb) == 0x50, "mailbox header is 0x50 bytes");
MMAMP_STATIC_ASSERT(offsetof(struct qmb, go) == 0x0C, "go at 0x0C");
MMAMP_STATIC_ASSERT(offsetof(struct qmb, fw_size) == 0x18, "fw_size at 0x18");
MMAMP_STATIC_ASSERT(offsetof(struct qmb, fault) == 0x20, "fault record at 0x20");
MMAMP_STATIC_ASSERT(sizeof(struct qmb) <= QMB_PROBE_OFFSET, "header and probe area do not overlap");
MMAMP_STATIC_ASSERT(sizeof(struct qmb_probe) == 20, "probe record is 20 bytes");
MMAMP_STATIC_ASSERT(QMB_PROBE_OFFSET + sizeof(struct qmb_probe) <= QMB_CLOCK_OFFSET,
		    "probe and clock areas do not overlap");
MMAMP_STATIC_ASSERT(sizeof(struct qmb_clock) == 16, "clock ping-pong is 16 bytes");
MMAMP_STATIC_ASSERT(QMB_CLOCK_OFFSET + sizeof(struct qmb_clock) <= QMB_SIZE,
		    "the clock area lies inside the mailbox page");

MMAMP_END_DECLS

#endif /* MMAMP_WIRE_QEMU_MAILBOX_H */
