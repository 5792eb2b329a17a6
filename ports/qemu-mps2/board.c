/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * board.c — mps2-an386 board support every firmware links, whatever its IPC stack: the UART0
 * console, the timer0 clock (64-bit, extended by its wrap interrupt) and the guest half of the
 * host↔guest clock ping-pong (port_qemu.h). Not part of the IPC stack's footprint.
 */
#include <stdbool.h>

#include "port_qemu.h"
#include "mmamp/wire/qemu_mailbox.h"

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

uint32_t mmamp_qemu_clock_serve(uint32_t idle_ms, void (*beat)(void *ctx), void *ctx)
{
	volatile struct qmb_clock *c = (volatile struct qmb_clock *)(uintptr_t)(QMB_ADDR +
										QMB_CLOCK_OFFSET);
	const uint64_t ms = MPS2_CLK_HZ / 1000u;
	uint64_t idle = (uint64_t)idle_ms * ms, since = mmamp_port_ticks(), beaten = since;
	uint32_t last = c->ack, rounds = 0, req, primask;

	for (;;) {
		__asm__ volatile("dmb" ::: "memory");
		req = c->req;
		if (req == QMB_CLOCK_END)
			break;
		if (req == last) {
			uint64_t now = mmamp_port_ticks();

			/* idle: but a vCPU descheduled between the look at req and the clock read
			 * may have missed a round the host posted meanwhile — one more look */
			if (now - since > idle) {
				__asm__ volatile("dmb" ::: "memory");
				if (c->req == last)
					break;
				continue;
			}
			if (beat && now - beaten >= ms) {
				beat(ctx);
				beaten = now;
			}
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
		if (beat)
			beat(ctx);
		since = beaten = mmamp_port_ticks();
	}
	return rounds;
}
