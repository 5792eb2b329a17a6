/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/qemu-mps2/qemu_probe.h — the firmware's half of the cycle-budget probe (struct qmb_probe
 * in mmamp/wire/qemu_mailbox.h): the stopwatch macros the doorbell paths of this port call.
 * Port-private: needs the port's MMIO helpers and timer registers (mps2_an386.h).
 */
#ifndef MMAMP_QEMU_PROBE_H
#define MMAMP_QEMU_PROBE_H

#include <stdint.h>

#include "mmamp/wire/qemu_mailbox.h"

/*
 * PROBE_ISR(notifyid): the doorbell ISR read a host kick @notifyid; PROBE_SEND(notifyid): a
 * doorbell to the host is about to be written (MMAMP_QEMU_PROBE builds; nothing otherwise).
 * Each message kick restarts the stopwatch: a kick read after its message was already served
 * (the main loop was awake) leaves no pair, and the next kick starts afresh.
 */
#ifdef MMAMP_QEMU_PROBE
#define PROBE_AT ((volatile struct qmb_probe *)(uintptr_t)(QMB_ADDR + QMB_PROBE_OFFSET))
#define PROBE_ISR(notifyid)                                                               \
	do {                                                                              \
		if ((notifyid) == 1u) {                                                   \
			mmio_write(MPS2_TIMER1 + TIMER_CTRL, 0);                          \
			mmio_write(MPS2_TIMER1 + TIMER_VALUE, 0xFFFFFFFFu);               \
			mmio_write(MPS2_TIMER1 + TIMER_CTRL, TIMER_CTRL_EN);              \
			PROBE_AT->isr_seq = PROBE_AT->isr_seq + 1u;                       \
		}                                                                         \
	} while (0)
#define PROBE_SEND(notifyid)                                                              \
	do {                                                                              \
		uint32_t v_ = mmio_read(MPS2_TIMER1 + TIMER_VALUE);                       \
		if ((notifyid) == 0u && PROBE_AT->seq_at_send != PROBE_AT->isr_seq) {     \
			mmio_write(MPS2_TIMER1 + TIMER_CTRL, 0);                          \
			PROBE_AT->send_ticks = 0xFFFFFFFFu - v_;                          \
			PROBE_AT->isr_ticks = 0;                                          \
			PROBE_AT->isr_at_send = 0;                                        \
			PROBE_AT->seq_at_send = PROBE_AT->isr_seq;                        \
		}                                                                         \
	} while (0)
#else
#define PROBE_ISR(notifyid)  ((void)0)
#define PROBE_SEND(notifyid) ((void)0)
#endif

#endif /* MMAMP_QEMU_PROBE_H */
