/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_qemu.c — the mps2-an386 firmware port (see port_qemu.h): UART0 console, timer0 clock,
 * the UART1 doorbell binding of the firmware runtime, and its interrupt handlers.
 */
#include "port_qemu.h"

#include <stdbool.h>

#include "mmamp/errno.h"
#include "qemu_mailbox.h"

/* MMAMP_QEMU_PROBE: stamp the doorbell ISR's entry and each doorbell sent (struct qmb_probe). */
#ifdef MMAMP_QEMU_PROBE
#define PROBE_AT ((volatile struct qmb_probe *)(uintptr_t)(QMB_ADDR + QMB_PROBE_OFFSET))
#define PROBE_ISR() (PROBE_AT->isr_ticks = (uint32_t)mmamp_port_ticks())
#define PROBE_SEND()                                                                      \
	do {                                                                              \
		uint32_t t_ = (uint32_t)mmamp_port_ticks();                               \
		PROBE_AT->isr_at_send = PROBE_AT->isr_ticks;                              \
		PROBE_AT->send_ticks = t_;                                                \
	} while (0)
#else
#define PROBE_ISR()  ((void)0)
#define PROBE_SEND() ((void)0)
#endif

/* How long a doorbell to the host may wait for UART1's TX register (host not reading). */
#define DB_TX_TIMEOUT_TICKS (2ull * MPS2_CLK_HZ)

/* ---- console (UART0) ---- */

static bool console_on;

static void console_putc(char c)
{
	if (!console_on) {
		mmio_write(MPS2_UART0 + UART_BAUDDIV, UART_BAUDDIV_MIN);
		mmio_write(MPS2_UART0 + UART_CTRL, UART_CTRL_TXEN);
		console_on = true;
	}
	while (mmio_read(MPS2_UART0 + UART_STATE) & UART_STATE_TXFULL)
		;
	mmio_write(MPS2_UART0 + UART_DATA, (uint8_t)c);
}

void mmamp_port_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

void mmamp_port_put_u64(uint64_t v)
{
	char buf[21];
	unsigned i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	mmamp_port_puts(buf + i);
}

void mmamp_port_put_hex(uint64_t v)
{
	char buf[19];
	unsigned i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 0xfu];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	mmamp_port_puts(buf + i);
}

/* ---- clock: timer0 counts down from 0xFFFFFFFF at 25 MHz; its wrap IRQ extends it ---- */

static volatile uint32_t clock_wraps;

void mmamp_port_clock_init(void)
{
	mmio_write(MPS2_TIMER0 + TIMER_CTRL, 0);
	mmio_write(MPS2_TIMER0 + TIMER_RELOAD, 0xFFFFFFFFu);
	mmio_write(MPS2_TIMER0 + TIMER_VALUE, 0xFFFFFFFFu);
	mmio_write(MPS2_TIMER0 + TIMER_INT, 1u);
	mmio_write(MPS2_TIMER0 + TIMER_CTRL, TIMER_CTRL_EN | TIMER_CTRL_IRQEN);
	mmio_write(SCS_NVIC_ISER0, 1u << MPS2_TIMER0_IRQ);
}

void mmamp_qemu_timer0_isr(void);
void mmamp_qemu_timer0_isr(void)
{
	mmio_write(MPS2_TIMER0 + TIMER_INT, 1u);
	clock_wraps = clock_wraps + 1u;
}

uint64_t mmamp_port_ticks(void)
{
	uint32_t primask, hi, v;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	hi = clock_wraps;
	v = mmio_read(MPS2_TIMER0 + TIMER_VALUE);
	if (mmio_read(MPS2_TIMER0 + TIMER_INT) & 1u) { /* wrapped, not yet counted */
		hi++;
		v = mmio_read(MPS2_TIMER0 + TIMER_VALUE);
	}
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
	return ((uint64_t)hi << 32) | (uint32_t)(0xFFFFFFFFu - v);
}

uint64_t mmamp_port_now_ns(void)
{
	return mmamp_port_ticks() * (1000000000u / MPS2_CLK_HZ);
}

uint64_t mmamp_port_now_us(void)
{
	return mmamp_port_ticks() / (MPS2_CLK_HZ / 1000000u);
}

/* ---- the clock ping-pong with the host (struct qmb_clock) ---- */

uint32_t mmamp_qemu_clock_serve(uint32_t idle_ms)
{
	volatile struct qmb_clock *c = (volatile struct qmb_clock *)(uintptr_t)(QMB_ADDR +
										QMB_CLOCK_OFFSET);
	uint64_t idle = (uint64_t)idle_ms * (MPS2_CLK_HZ / 1000u), since = mmamp_port_ticks();
	uint32_t last = c->ack, rounds = 0, req, primask;

	for (;;) {
		__asm__ volatile("dmb" ::: "memory");
		req = c->req;
		if (req == QMB_CLOCK_END)
			break;
		if (req == last) {
			if (mmamp_port_ticks() - since > idle)
				break;
			continue;
		}
		__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
		{
			uint64_t ns = mmamp_port_now_ns();

			c->guest_lo = (uint32_t)ns;
			c->guest_hi = (uint32_t)(ns >> 32);
			__asm__ volatile("dmb" ::: "memory");
			c->ack = req;
		}
		__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
		last = req;
		rounds++;
		since = mmamp_port_ticks();
	}
	return rounds;
}

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
	PROBE_ISR();
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
	PROBE_SEND();
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
