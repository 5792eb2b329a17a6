/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_qemu.c — the UART1 doorbell binding of the firmware runtime (mmamp/remote/runtime.h) on
 * mps2-an386: struct mmamp_remote_doorbell_ops, its interrupt handler and the SysTick one-shot
 * that bounds its waits. The board itself (console, clock) is board.c; the minimal profile's
 * binding is port_min.c.
 */
#include "port_qemu.h"

#include <stdbool.h>

#include "mmamp/errno.h"
#include "qemu_probe.h"

/* How long a doorbell to the host may wait for UART1's TX register (host not reading). */
#define DB_TX_TIMEOUT_TICKS (2ull * MPS2_CLK_HZ)

/* ---- SysTick: the one-shot timeout of a doorbell wait ---- */

static volatile uint8_t systick_fired;

void mmamp_qemu_systick_isr(void);
void mmamp_qemu_systick_isr(void)
{
	mmio_write(SCS_SYST_CSR, 0);
	systick_fired = 1;
}

/* ---- doorbells (UART1) ---- */

static struct mmamp_qemu_doorbell *bound;

int mmamp_qemu_doorbell_init(struct mmamp_qemu_doorbell *db, uintptr_t uart,
			     struct mmamp_remote *remote)
{
	if (bound && bound != db)
		return -MMAMP_EBUSY;
	db->uart = (uint32_t)uart;
	db->remote = remote;
	bound = db;
	return 0;
}

void mmamp_qemu_uart1_isr(void);
void mmamp_qemu_uart1_isr(void)
{
	if (bound)
		mmamp_remote_isr(bound->remote);
	else
		mmio_write(MPS2_UART1 + UART_INT, UART_INT_RX);
}

static int db_send(void *ctx, uint32_t notifyid)
{
	struct mmamp_qemu_doorbell *db = ctx;
	uint64_t start;

	if (notifyid > 0xFCu)
		return -MMAMP_EINVAL;
	/* Interrupts stay enabled: incoming doorbells are taken while we wait. */
	if (mmio_read(db->uart + UART_STATE) & UART_STATE_TXFULL) {
		start = mmamp_port_ticks();
		while (mmio_read(db->uart + UART_STATE) & UART_STATE_TXFULL)
			if (mmamp_port_ticks() - start > DB_TX_TIMEOUT_TICKS)
				return -MMAMP_ETIMEDOUT;
	}
	PROBE_SEND(notifyid);
	mmio_write(db->uart + UART_DATA, notifyid);
	return 0;
}

static int db_take(void *ctx, uint32_t *notifyid)
{
	struct mmamp_qemu_doorbell *db = ctx;

	/* Clear first: a byte that arrives after our read latches the interrupt again. */
	mmio_write(db->uart + UART_INT, UART_INT_RX);
	if (!(mmio_read(db->uart + UART_STATE) & UART_STATE_RXFULL))
		return -MMAMP_EAGAIN;
	*notifyid = mmio_read(db->uart + UART_DATA) & 0xFFu;
	PROBE_ISR(*notifyid);
	return 0;
}

static int db_enable(void *ctx, bool irq)
{
	struct mmamp_qemu_doorbell *db = ctx;

	mmio_write(db->uart + UART_BAUDDIV, UART_BAUDDIV_MIN);
	mmio_write(db->uart + UART_CTRL,
		   UART_CTRL_TXEN | UART_CTRL_RXEN | (irq ? UART_CTRL_RXIRQ : 0u));
	if (irq)
		mmio_write(SCS_NVIC_ISER0, 1u << MPS2_UART1_RX_IRQ);
	return 0;
}

static int db_wait(void *ctx, const volatile uint32_t *flag, uint32_t timeout_us)
{
	uint32_t ticks = timeout_us > SYST_RVR_MAX / (MPS2_CLK_HZ / 1000000u)
				 ? SYST_RVR_MAX
				 : timeout_us * (MPS2_CLK_HZ / 1000000u);
	int ret = 0;

	(void)ctx;
	__asm__ volatile("cpsid i" ::: "memory");
	if (!*flag) {
		if (timeout_us) {
			systick_fired = 0;
			mmio_write(SCS_SYST_RVR, ticks ? ticks : 1u);
			mmio_write(SCS_SYST_CVR, 0);
			mmio_write(SCS_SYST_CSR,
				   SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE);
		}
		__asm__ volatile("dsb\n\twfi" ::: "memory");
	}
	__asm__ volatile("cpsie i\n\tisb" ::: "memory"); /* the pending ISR runs here */
	if (timeout_us) {
		mmio_write(SCS_SYST_CSR, 0);
		if (systick_fired && !*flag)
			ret = -MMAMP_ETIMEDOUT;
	}
	return ret;
}

static uint64_t db_now_us(void *ctx)
{
	(void)ctx;
	return mmamp_port_now_us();
}

const struct mmamp_remote_doorbell_ops mmamp_qemu_doorbell_ops = {
	.send = db_send,
	.take = db_take,
	.enable = db_enable,
	.wait = db_wait,
	.now_us = db_now_us,
};
