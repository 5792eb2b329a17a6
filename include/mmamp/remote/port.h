/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/remote/port.h — the port contract of the firmware runtime (mmamp/remote/runtime.h): what
 * a board gives the runtime and the firmware built on it. A port is a folder with a header that
 * includes this one (ports/sim/port_sim_extra.h, ports/qemu-mps2/port_qemu.h,
 * ports/imx8qx-m4/port_imx8qx.h); mmamp_add_firmware() names it to the firmware with
 * -DMMAMP_FW_PORT_H="<header>" (docs/using-mmamp.md). It supplies:
 *
 *   doorbells  a struct mmamp_remote_doorbell_ops (below) and its interrupt handler, which
 *              calls mmamp_remote_isr()
 *   console    mmamp_port_puts(), mmamp_port_put_u64(), mmamp_port_put_hex()
 *   time       mmamp_port_now_ns(): a monotonic nanosecond clock
 *   startup    the reset handler and vector table, which call fw_main() (the firmware's entry)
 *   linking    a linker script that KEEPs .resource_table
 *
 * and, in its header, the memory map and doorbell binding as macros:
 *
 *   FW_SHM_DA, FW_SHM_SIZE        the RPMsg region: vring carveouts, live resource table and
 *                                 buffer pool (i.MX8QXP: 0x90000000 + 5 MiB)
 *   FW_WINDOW_DA, FW_WINDOW_SIZE  the window every ring and buffer a host hands over must lie in:
 *                                 the RPMsg region, or wider where a Linux host may put its
 *                                 buffers in general RAM (docs/linux-host.md)
 *   FW_RSC_TABLE_DA               where the host writes the live resource table
 *   FW_DOORBELL_T                 the doorbell binding's type (the ops' db_ctx)
 *   FW_DOORBELL_DA                the doorbell device's address
 *   FW_DOORBELL_INIT(db, da, r)   bind it to the runtime @r: 0 or a negative MMAMP_E*
 *   FW_DOORBELL_OPS               its struct mmamp_remote_doorbell_ops
 *
 * Optional: FW_TICK_US (the idle tick, default MMAMP_REMOTE_TICK_US), FW_CLOCK_SERVE(beat, ctx)
 * (a clock the host cannot read: answer MeasureMan's clock ping-pong), FW_TAKE_PENDING_DOORBELL
 * (ISRs run only where the main loop waits: take a doorbell pending behind a message at once).
 */
#ifndef MMAMP_REMOTE_PORT_H
#define MMAMP_REMOTE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/**
 * struct mmamp_remote_doorbell_ops - the doorbell and the core's sleep, from the port.
 * @send:   ring the host for vring @notifyid (required). Wait until the previous doorbell was
 *          taken (TE1), then write notifyid << 16 to TR1. Return 0 or a negative MMAMP_E*.
 *          While it waits, the port must keep taking *incoming* doorbells (on a real M4 the
 *          MU ISR still runs; the sim's send calls mmamp_remote_isr() itself), or two sides
 *          ringing each other at once would each wait for the other.
 * @take:   take one incoming doorbell if one is pending (RF1: read RR1, which frees the host's
 *          TE1) and store its notifyid (required). Return 0, or -MMAMP_EAGAIN if none.
 * @enable: switch the doorbell interrupt on (@irq true: RIE1, ISR → mmamp_remote_isr()) or
 *          leave it off (polled mode) (optional). Called once by mmamp_remote_init().
 * @wait:   interrupt mode (required there): sleep until an interrupt was taken or @timeout_us
 *          passed (0: no limit) — but not at all if *@flag is already non-zero, checked with
 *          interrupts masked (M4: cpsid i; if (!*flag) wfi; cpsie i), so a doorbell taken
 *          between the caller's last look and the sleep is not lost. Return ≥ 0 when woken,
 *          -MMAMP_ETIMEDOUT.
 * @relax:  polled mode: between two looks at the MU status (optional; a pause/yield).
 * @now_us: a monotonic microsecond clock (optional: exact timeouts for blocking sends).
 */
struct mmamp_remote_doorbell_ops {
	int (*send)(void *ctx, uint32_t notifyid);
	int (*take)(void *ctx, uint32_t *notifyid);
	int (*enable)(void *ctx, bool irq);
	int (*wait)(void *ctx, const volatile uint32_t *flag, uint32_t timeout_us);
	void (*relax)(void *ctx);
	uint64_t (*now_us)(void *ctx);
};

/* Console (a UART, or the sim's console descriptor). */
void mmamp_port_puts(const char *s);
void mmamp_port_put_u64(uint64_t v);
void mmamp_port_put_hex(uint64_t v);

/** mmamp_port_now_ns() - nanoseconds on the port's monotonic clock. */
uint64_t mmamp_port_now_ns(void);

/** fw_main() - the firmware's entry, called by the port's reset handler; its return powers off. */
int fw_main(void);

MMAMP_END_DECLS

#endif /* MMAMP_REMOTE_PORT_H */
