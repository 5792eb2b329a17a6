/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * board.c — i.MX8QXP M4 board support every firmware links: the console (RAM log + LPUART once
 * bringup.c attached it) and the SysTick clock (port_imx8qx.h). Not part of the IPC stack.
 */
#include <stdbool.h>

#include "bringup.h"
#include "fw_text.h"
#include "lpuart.h"
#include "port_imx8qx.h"
#include "soc_io.h"

/* ---- console: a RAM log at the start of TCMU, mirrored to the LPUART once it is up ---- */

#define IMX8QX_LOG_MAGIC 0x474F4C4Du /* "MLOG": find it at 0x35000000 from the A35 */
#define IMX8QX_LOG_SIZE  2048u

/**
 * struct imx8qx_log - what the firmware said, readable from Linux (devmem/memtool at
 * 0x35000000) when the UART stays silent: @head counts every byte written (the text is
 * text[0 .. head % size), wrapping).
 */
struct imx8qx_log {
	uint32_t magic;
	uint32_t head;
	char text[IMX8QX_LOG_SIZE];
};

__attribute__((section(".bss.imx8qx_log"), used)) struct imx8qx_log imx8qx_log;
static uint32_t console_uart;

void imx8qx_console_attach(uint32_t base)
{
	console_uart = base;
	/* What was said before the UART was up goes out first (the start of it, if it wrapped). */
	for (uint32_t i = 0; i < imx8qx_log.head && i < IMX8QX_LOG_SIZE; i++) {
		if (imx8qx_log.text[i] == '\n')
			lpuart_putc(base, '\r');
		lpuart_putc(base, imx8qx_log.text[i]);
	}
}

static void console_putc(char c)
{
	imx8qx_log.magic = IMX8QX_LOG_MAGIC;
	imx8qx_log.text[imx8qx_log.head % IMX8QX_LOG_SIZE] = c;
	imx8qx_log.head++;
	if (console_uart) {
		if (c == '\n')
			lpuart_putc(console_uart, '\r');
		lpuart_putc(console_uart, c);
	}
}

void mmamp_port_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

void mmamp_port_put_u64(uint64_t v)
{
	char buf[21];

	*fw_put_dec(buf, v) = 0;
	mmamp_port_puts(buf);
}

void mmamp_port_put_hex(uint64_t v)
{
	char buf[19], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do {
		*--p = "0123456789abcdef"[v & 0xfu];
		v >>= 4;
	} while (v);
	mmamp_port_puts("0x");
	mmamp_port_puts(p);
}

/* ---- clock: SysTick at the core clock, reloading every millisecond ---- */

static volatile uint32_t clock_ms;
static uint32_t clock_hz, clock_reload;

void imx8qx_clock_init(uint32_t cpu_hz)
{
	clock_hz = cpu_hz;
	clock_reload = cpu_hz / 1000u - 1u;
	soc_write32(SCS_SYST_CSR, 0);
	soc_write32(SCS_SYST_RVR, clock_reload);
	soc_write32(SCS_SYST_CVR, 0);
	soc_write32(SCS_SYST_CSR, SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE);
}

void imx8qx_systick_isr(void);
void imx8qx_systick_isr(void)
{
	clock_ms = clock_ms + 1u;
}

uint64_t mmamp_port_now_ns(void)
{
	uint32_t primask, ms, cvr;

	if (!clock_hz)
		return 0;
	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	ms = clock_ms;
	cvr = soc_read32(SCS_SYST_CVR);
	if (soc_read32(SCS_ICSR) & ICSR_PENDSTSET) { /* wrapped, not yet counted */
		ms++;
		cvr = soc_read32(SCS_SYST_CVR);
	}
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
	return (uint64_t)ms * 1000000u + (uint64_t)(clock_reload - cvr) * 1000000000u / clock_hz;
}

uint64_t mmamp_port_now_us(void)
{
	return mmamp_port_now_ns() / 1000u;
}
