/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imx8qx_soc_model.c — the register models behind soc_read32()/soc_write32() for the i.MX8QXP
 * M4 bring-up test (imx8qx_soc_model.h).
 */
#include "imx8qx_soc_model.h"

#include <stdio.h>
#include <string.h>

#include "imx8qx.h"
#include "irqsteer.h"
#include "lpuart.h"
#include "scfw.h"
#include "soc_io.h"

#define PAGE 0x10000u /* each block decodes 64 KiB */
#define TEXT_MAX 8192u

static struct {
	struct mmamp_scu *scu;
	int m4;
	struct imx8qx_model_config cfg;
	struct mu_page mu1_page, mu5_page;
	struct mu mu1, mu5;
	uint32_t power[512];
	bool clock_on[512];
	uint32_t irqsteer[0x100 / 4];
	uint32_t adma_uart1_lpcg;
	uint32_t scs[0x1000 / 4];
	char fault[256];
	char calls[TEXT_MAX];
	char uart_m4[TEXT_MAX], uart_adma1[TEXT_MAX];
	/* The SCU's side of MU1: the request being received and the reply being sent. */
	struct scfw_msg req, reply;
	uint32_t req_words, reply_words, reply_sent;
} m;

static void append(char *buf, const char *fmt, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	size_t len = strlen(buf);

	snprintf(buf + len, TEXT_MAX - len, fmt, a, b, c, d);
}

static void bus_fault(const char *block, uint32_t addr, const char *why)
{
	if (!m.fault[0])
		snprintf(m.fault, sizeof(m.fault), "bus fault: %s access at 0x%08x: %s", block, addr,
			 why);
}

void imx8qx_model_reset(struct mmamp_scu *scu, int m4_partition,
			const struct imx8qx_model_config *cfg)
{
	memset(&m, 0, sizeof(m));
	m.scu = scu;
	m.m4 = m4_partition;
	m.cfg = *cfg;
	mu_attach(&m.mu1, &m.mu1_page, NULL);
	mu_attach(&m.mu5, &m.mu5_page, NULL);
	mu_reset(&m.mu1);
	mu_reset(&m.mu5);
}

const char *imx8qx_model_fault(void) { return m.fault[0] ? m.fault : NULL; }
const char *imx8qx_model_calls(void) { return m.calls; }
uint32_t imx8qx_model_power(uint32_t rsrc) { return m.power[rsrc % 512u]; }
struct mu *imx8qx_model_mu5(void) { return &m.mu5; }

const char *imx8qx_model_uart_text(uint32_t base)
{
	return base == IMX8QX_ADMA_UART1_BASE ? m.uart_adma1 : m.uart_m4;
}

bool imx8qx_model_nvic_enabled(unsigned irq)
{
	return (m.scs[(0x100u + 4u * (irq / 32u)) / 4u] >> (irq % 32u)) & 1u;
}

/* ---- the SCU firmware ---- */

/* Does the M4's partition own @rsrc? The SCU model for what the platform describes (MU sides,
 * cores); the board's SCFW partition table for IRQSTEER and UARTs. */
static bool m4_owns(uint32_t rsrc)
{
	int owner = mmamp_scu_resource_owner(m.scu, rsrc);

	if (owner >= 0)
		return owner == m.m4;
	switch (rsrc) {
	case SC_R_IRQSTR_M4_0:
		return true;
	case SC_R_M4_0_UART:
	case SC_R_UART_1:
		return m.cfg.uart_granted;
	default:
		return false;
	}
}

static uint32_t scfw_serve(struct scfw_msg *q)
{
	uint32_t h = q->w[0], svc = scfw_hdr_svc(h), func = scfw_hdr_func(h), rsrc, err;
	uint32_t size = 1;

	if (svc == SC_RPC_SVC_PM && func == PM_FUNC_SET_RESOURCE_POWER_MODE) {
		rsrc = scfw_get_u16(q, 0);
		err = !m4_owns(rsrc) ? SC_ERR_NOACCESS : scfw_get_u8(q, 2) > 3u ? SC_ERR_PARM
										   : SC_ERR_NONE;
		if (!err)
			m.power[rsrc % 512u] = scfw_get_u8(q, 2);
		append(m.calls, "power %u %u -> %u\n", rsrc, scfw_get_u8(q, 2), err, 0);
	} else if (svc == SC_RPC_SVC_PM && func == PM_FUNC_SET_CLOCK_RATE) {
		rsrc = scfw_get_u16(q, 4);
		err = !m4_owns(rsrc) ? SC_ERR_NOACCESS
		      : m.power[rsrc % 512u] != SC_PM_PW_MODE_ON ? SC_ERR_NOPOWER : SC_ERR_NONE;
		append(m.calls, "set_clock_rate %u %u %u -> %u\n", rsrc, scfw_get_u8(q, 6), q->w[1],
		       err);
		size = 2; /* the rate granted: what was asked */
	} else if (svc == SC_RPC_SVC_PM && func == PM_FUNC_GET_CLOCK_RATE) {
		rsrc = scfw_get_u16(q, 0);
		err = m4_owns(rsrc) ? SC_ERR_NONE : SC_ERR_NOACCESS;
		append(m.calls, "get_clock_rate %u %u -> %u\n", rsrc, scfw_get_u8(q, 2), err, 0);
		q->w[1] = 264000000u; /* the reply's payload replaces the request's */
		size = 2;
	} else if (svc == SC_RPC_SVC_PM && func == PM_FUNC_CLOCK_ENABLE) {
		rsrc = scfw_get_u16(q, 0);
		err = !m4_owns(rsrc) ? SC_ERR_NOACCESS
		      : m.power[rsrc % 512u] != SC_PM_PW_MODE_ON ? SC_ERR_NOPOWER : SC_ERR_NONE;
		if (!err)
			m.clock_on[rsrc % 512u] = scfw_get_u8(q, 3) != 0;
		append(m.calls, "clock_enable %u %u %u -> %u\n", rsrc, scfw_get_u8(q, 2),
		       scfw_get_u8(q, 3), err);
	} else if (svc == SC_RPC_SVC_MISC && func == MISC_FUNC_BOOT_DONE) {
		rsrc = scfw_get_u16(q, 0);
		err = m4_owns(rsrc) ? SC_ERR_NONE : SC_ERR_NOACCESS;
		append(m.calls, "boot_done %u -> %u\n", rsrc, err, 0, 0);
	} else {
		err = SC_ERR_NOTFOUND;
		append(m.calls, "svc %u func %u -> %u\n", svc, func, err, 0);
	}
	q->w[0] = scfw_header(size, SC_RPC_SVC_RETURN, err);
	return size;
}

/* Push reply words while their channel is free (the M4 read the previous one). */
static void scu_pump(void)
{
	while (m.reply_sent < m.reply_words) {
		unsigned ch = m.reply_sent % MU_CHANNELS;

		if (!(mu_get_sr(&m.mu1, MU_SIDE_B) & MU_SR_TE(ch)))
			return;
		mu_write_tr(&m.mu1, MU_SIDE_B, ch, m.reply.w[m.reply_sent++]);
	}
}

/* The SCU takes every word the M4 wrote; a whole request is answered. */
static void scu_receive(void)
{
	for (;;) {
		unsigned ch = m.req_words % MU_CHANNELS;

		if (!(mu_get_sr(&m.mu1, MU_SIDE_B) & MU_SR_RF(ch)))
			return;
		m.req.w[m.req_words++] = mu_read_rr(&m.mu1, MU_SIDE_B, ch);
		if (m.req_words < scfw_hdr_size(m.req.w[0]) && m.req_words < SC_RPC_MAX_MSG)
			continue;
		m.req_words = 0;
		if (m.cfg.scu_silent)
			continue;
		m.reply = m.req;
		m.reply_words = scfw_serve(&m.reply);
		m.reply_sent = 0;
		scu_pump();
	}
}

/* ---- the blocks ---- */

static uint32_t mu_read(struct mu *mu, unsigned side, uint32_t off)
{
	if (off >= MU_RR(0) && off <= MU_RR(3))
		return mu_read_rr(mu, side, (off - MU_RR(0)) / 4u);
	if (off == MU_SR)
		return mu_get_sr(mu, side);
	if (off == MU_CR)
		return mu_get_cr(mu, side);
	return 0;
}

static void mu_write(struct mu *mu, unsigned side, uint32_t off, uint32_t v)
{
	if (off <= MU_TR(3))
		mu_write_tr(mu, side, off / 4u, v);
	else if (off == MU_SR)
		mu_write_sr(mu, side, v);
	else if (off == MU_CR)
		mu_set_cr(mu, side, v);
}

static bool powered(const char *block, uint32_t addr, uint32_t rsrc)
{
	if (m.power[rsrc] == SC_PM_PW_MODE_ON)
		return true;
	bus_fault(block, addr, rsrc == SC_R_MU_5B ? "SC_R_MU_5B is not powered"
			       : rsrc == SC_R_IRQSTR_M4_0 ? "SC_R_IRQSTR_M4_0 is not powered"
							  : "its UART resource is not powered");
	return false;
}

/* IRQSTEER's raw source lines: 283 is MU5 side B's interrupt. */
static uint32_t irqsteer_raw(unsigned r)
{
	uint32_t raw = 0;

	if (mu_irq_pending(&m.mu5, MU_SIDE_B) && irqsteer_reg(IMX8QX_IRQ_LSIO_MU5_B) == r)
		raw |= irqsteer_bit(IMX8QX_IRQ_LSIO_MU5_B);
	return raw;
}

uint32_t imx8qx_model_irqsteer(uint32_t off)
{
	if (off >= IRQSTEER_CHN_STATUS(0) && off < IRQSTEER_CHN_STATUS(IMX8QX_IRQSTEER_REGS)) {
		unsigned r = (off - IRQSTEER_CHN_STATUS(0)) / 4u;

		return m.irqsteer[IRQSTEER_CHN_MASK(r) / 4u] & irqsteer_raw(r);
	}
	return m.irqsteer[(off % 0x100u) / 4u];
}

static char *uart_text(uint32_t base)
{
	return base == IMX8QX_ADMA_UART1_BASE ? m.uart_adma1 : m.uart_m4;
}

static uint32_t uart_rsrc(uint32_t base)
{
	return base == IMX8QX_ADMA_UART1_BASE ? SC_R_UART_1 : SC_R_M4_0_UART;
}

static bool is_uart(uint32_t base)
{
	return base == IMX8QX_ADMA_UART1_BASE || base == IMX8QX_M4_LPUART_BASE;
}

uint32_t soc_read32(uint32_t addr)
{
	uint32_t base = addr & ~(PAGE - 1u), off = addr & (PAGE - 1u);

	if (base == IMX8QX_MU1A_BASE) {
		uint32_t v = mu_read(&m.mu1, MU_SIDE_A, off);

		scu_pump();
		return v;
	}
	if (base == IMX8QX_MU5B_BASE)
		return powered("MU5 side B", addr, SC_R_MU_5B) ? mu_read(&m.mu5, MU_SIDE_B, off) : 0;
	if (base == IMX8QX_IRQSTEER_BASE)
		return powered("IRQSTEER", addr, SC_R_IRQSTR_M4_0) ? imx8qx_model_irqsteer(off) : 0;
	if (is_uart(base)) {
		if (!powered("LPUART", addr, uart_rsrc(base)))
			return 0;
		return off == LPUART_STAT ? LPUART_STAT_TDRE : 0;
	}
	if (addr == IMX8QX_ADMA_UART1_LPCG)
		return powered("LPCG", addr, SC_R_UART_1) ? m.adma_uart1_lpcg : 0;
	if (addr >= 0xE000E000u && addr < 0xE000F000u)
		return m.scs[(addr - 0xE000E000u) / 4u];
	bus_fault("unmapped", addr, "no model here");
	return 0;
}

void soc_write32(uint32_t addr, uint32_t v)
{
	uint32_t base = addr & ~(PAGE - 1u), off = addr & (PAGE - 1u);

	if (base == IMX8QX_MU1A_BASE) {
		mu_write(&m.mu1, MU_SIDE_A, off, v);
		scu_receive();
	} else if (base == IMX8QX_MU5B_BASE) {
		if (powered("MU5 side B", addr, SC_R_MU_5B))
			mu_write(&m.mu5, MU_SIDE_B, off, v);
	} else if (base == IMX8QX_IRQSTEER_BASE) {
		if (powered("IRQSTEER", addr, SC_R_IRQSTR_M4_0))
			m.irqsteer[(off % 0x100u) / 4u] = v;
	} else if (is_uart(base)) {
		if (!powered("LPUART", addr, uart_rsrc(base)))
			return;
		if (!m.clock_on[uart_rsrc(base)])
			bus_fault("LPUART", addr, "its clock is not enabled");
		else if (base == IMX8QX_ADMA_UART1_BASE &&
			 (m.adma_uart1_lpcg & (LPCG_SW_SEL(0) | LPCG_SW_SEL(4))) !=
				 (LPCG_SW_SEL(0) | LPCG_SW_SEL(4)))
			bus_fault("LPUART", addr, "its LPCG gate is closed");
		else if (off == LPUART_DATA)
			append(uart_text(base), "%c", v & 0xFFu, 0, 0, 0);
	} else if (addr == IMX8QX_ADMA_UART1_LPCG) {
		if (powered("LPCG", addr, SC_R_UART_1))
			m.adma_uart1_lpcg = v;
	} else if (addr >= 0xE000E000u && addr < 0xE000F000u) {
		uint32_t *r = &m.scs[(addr - 0xE000E000u) / 4u];

		/* ISER: write 1 to enable (bits accumulate). */
		*r = (addr >= 0xE000E100u && addr < 0xE000E120u) ? *r | v : v;
	} else {
		bus_fault("unmapped", addr, "no model here");
	}
}
