/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_imx8qx.c — the MU5 side B doorbell binding of the firmware runtime (mmamp/remote/runtime.h)
 * on the i.MX8QXP M4: struct mmamp_remote_doorbell_ops and the MU5 B interrupt handler that
 * IRQSTEER's master 3 dispatches to.
 */
#include "port_imx8qx.h"

#include <stdbool.h>

#include "irqsteer.h"
#include "mmamp/errno.h"
#include "mu5b.h"

/* NVIC priority of the doorbell (as NXP's RPMsg-Lite port: 3). */
#define DB_IRQ_PRIO 3u

static struct imx8qx_doorbell *bound;

int imx8qx_doorbell_init(struct imx8qx_doorbell *db, uintptr_t base, struct mmamp_remote *remote)
{
	if (bound && bound != db)
		return -MMAMP_EBUSY;
	db->base = (uint32_t)base;
	db->remote = remote;
	mu5b_init(db->base);
	bound = db;
	return 0;
}

void imx8qx_mu5b_isr(void);
void imx8qx_mu5b_isr(void)
{
	if (bound)
		mmamp_remote_isr(bound->remote); /* reads RR1 at once: Linux's TX completes */
	else
		mu5b_rx_irq(IMX8QX_MU5B_BASE, 0);
	/* The write that cleared the source must land before the exception returns, or the
	 * still-asserted line re-enters the handler (Arm erratum 838869). */
	__asm__ volatile("dsb" ::: "memory");
}

static int db_send(void *ctx, uint32_t notifyid)
{
	struct imx8qx_doorbell *db = ctx;

	return mu5b_send(db->base, notifyid);
}

static int db_take(void *ctx, uint32_t *notifyid)
{
	struct imx8qx_doorbell *db = ctx;

	return mu5b_take(db->base, notifyid);
}

static int db_enable(void *ctx, bool irq)
{
	struct imx8qx_doorbell *db = ctx;
	int ret;

	if (!irq)
		return 0;
	ret = irqsteer_enable(IMX8QX_IRQ_LSIO_MU5_B, DB_IRQ_PRIO);
	if (!ret)
		mu5b_rx_irq(db->base, 1);
	return ret;
}

/* Sleep until the ISR flagged a doorbell or @timeout_us passed (SysTick wakes us every ms). */
static int db_wait(void *ctx, const volatile uint32_t *flag, uint32_t timeout_us)
{
	uint64_t start = mmamp_port_now_us();
	bool flagged;

	(void)ctx;
	for (;;) {
		__asm__ volatile("cpsid i" ::: "memory");
		flagged = *flag != 0;
		if (!flagged)
			__asm__ volatile("dsb\n\twfi" ::: "memory");
		__asm__ volatile("cpsie i\n\tisb" ::: "memory"); /* the pending ISR runs here */
		if (flagged || *flag)
			return 0;
		if (timeout_us && mmamp_port_now_us() - start >= timeout_us)
			return -MMAMP_ETIMEDOUT;
	}
}

static uint64_t db_now_us(void *ctx)
{
	(void)ctx;
	return mmamp_port_now_us();
}

const struct mmamp_remote_doorbell_ops imx8qx_doorbell_ops = {
	.send = db_send,
	.take = db_take,
	.enable = db_enable,
	.wait = db_wait,
	.now_us = db_now_us,
};
