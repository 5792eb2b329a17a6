/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_min.c — the minimal profile's doorbells, tick and sleep on mps2-an386 (port_min.h).
 */
#include "port_min.h"

#include "qemu_probe.h"

static volatile uint32_t work_flag; /* set by the ISRs, cleared by the idle loop */

void mmamp_qemu_uart1_isr(void);
void mmamp_qemu_uart1_isr(void)
{
	uint32_t notifyid;

	/* Clear first: a byte that arrives after the drain latches the interrupt again. */
	mmio_write(MPS2_UART1 + UART_INT, UART_INT_RX);
	while (mmio_read(MPS2_UART1 + UART_STATE) & UART_STATE_RXFULL) {
		notifyid = mmio_read(MPS2_UART1 + UART_DATA);
		PROBE_ISR(notifyid);
		(void)notifyid;
	}
	work_flag = 1;
}

void mmamp_qemu_systick_isr(void);
void mmamp_qemu_systick_isr(void)
{
	work_flag = 1;
}

void mmamp_qemu_min_init(void)
{
	mmio_write(MPS2_UART1 + UART_BAUDDIV, UART_BAUDDIV_MIN);
	mmio_write(MPS2_UART1 + UART_CTRL, UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXIRQ);
	mmio_write(SCS_NVIC_ISER0, 1u << MPS2_UART1_RX_IRQ);
#ifndef MMAMP_QEMU_PROBE
	/* Not in probe builds: under -icount sleep=off an idle guest runs straight to its next
	 * tick, whose poll would find messages before their doorbell's ISR and unpair the probe. */
	mmio_write(SCS_SYST_RVR, FW_MIN_TICK_US * (MPS2_CLK_HZ / 1000000u) - 1u);
	mmio_write(SCS_SYST_CVR, 0);
	mmio_write(SCS_SYST_CSR, SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE);
#endif
}

void mmamp_qemu_min_notify(uint32_t notifyid)
{
	/* The notifyid is the host's (live table): one that collides with the board's own codes
	 * (ROM waiting, fault) would make the host misread us; send vring 0's instead. */
	if (notifyid > QMB_DB_MAX_NOTIFYID)
		notifyid = 0;
	/* The host's monitor always reads this socket; a host that stops reading stops our
	 * heartbeat too, and its watchdog (not we) decides what happens next. */
	while (mmio_read(MPS2_UART1 + UART_STATE) & UART_STATE_TXFULL)
		;
	PROBE_SEND(notifyid);
	mmio_write(MPS2_UART1 + UART_DATA, notifyid);
}

void mmamp_qemu_min_idle(void)
{
	__asm__ volatile("cpsid i" ::: "memory");
	if (!work_flag)
		__asm__ volatile("dsb\n\twfi" ::: "memory");
	__asm__ volatile("cpsie i\n\tisb" ::: "memory"); /* the pending ISR runs here */
	work_flag = 0; /* what woke us is looked at by the caller's next poll */
}
