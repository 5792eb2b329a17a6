/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/mu5b.h — the RPMsg doorbell on LSIO MU5 side B (the M4's side; Linux has side
 * A): notifyid << 16 in channel 1 both ways, as Linux's imx_rproc / imx-mailbox expect.
 *
 *   send  wait for TE1 (Linux read the previous kick), write TR1 = notifyid << 16
 *   take  if RF1: read RR1 at once — Linux's mailbox TX completes only when we do (TE1 on its
 *         side) and gives up after 100 ms ("imx_rproc_kick: failed ... err:-62")
 *   irq   RIE1 on; the interrupt reaches the NVIC through IRQSTEER (line 283, master 3)
 * SC_R_MU_5B must be powered (bringup.c) before any of these touch the MU.
 */
#ifndef MMAMP_IMX8QX_MU5B_H
#define MMAMP_IMX8QX_MU5B_H

#include <stdint.h>

/**
 * MU_CR_OURS - the CR bits a side's driver owns: interrupt enables (GIEn, RIEn, TIEn, bits
 * 31..20), general-purpose interrupt requests (GIRn, 19..16) and the flags Fn (2..0); the rest
 * (reset control) is left alone, as NXP's MU driver does.
 */
#define MU_CR_OURS 0xFFFF0007u

/** Polls of SR before a send gives up on TE1 (Linux not reading: ≈ 1 s). */
#define MU5B_TX_SPIN_LIMIT (1u << 24)

/** mu5b_init() - interrupts off and a stale kick in RR1 read (it frees Linux's TE1). */
void mu5b_init(uint32_t base);

/** mu5b_send() - ring Linux for @notifyid. Return: 0, -MMAMP_EINVAL, -MMAMP_ETIMEDOUT. */
int mu5b_send(uint32_t base, uint32_t notifyid);

/** mu5b_take() - take a pending kick into *@notifyid. Return: 0 or -MMAMP_EAGAIN. */
int mu5b_take(uint32_t base, uint32_t *notifyid);

/** mu5b_rx_irq() - switch the RX interrupt (RIE1) on or off. */
void mu5b_rx_irq(uint32_t base, int on);

#endif /* MMAMP_IMX8QX_MU5B_H */
