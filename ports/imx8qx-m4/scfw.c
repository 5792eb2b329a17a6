/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/scfw.c — the SCU firmware RPC client (scfw.h): the MU word transport and the
 * five calls the board bring-up makes.
 */
#include "scfw.h"

#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/wire/mu.h" /* MU register offsets and bits: the same imx6sx-type MU as the sim's */
#include "mu5b.h"     /* MU_CR_OURS */
#include "soc_io.h"

void scfw_open(struct scfw_ipc *ipc, uint32_t mu_base)
{
	ipc->mu = mu_base;
	ipc->spin_limit = SCFW_SPIN_LIMIT;
	ipc->call = "open";
	ipc->rsrc = 0;
	ipc->sc_err = SC_ERR_NONE;
	/* No interrupts, no general-purpose requests or flags from us: the client polls. The other
	 * CR bits (reset control) are left as the SCU set them. */
	soc_write32(mu_base + MU_CR, soc_read32(mu_base + MU_CR) & ~MU_CR_OURS);
}

/* Wait until SR has @bit, at most spin_limit polls. */
static int wait_sr(const struct scfw_ipc *ipc, uint32_t bit)
{
	for (uint32_t n = 0; n < ipc->spin_limit; n++)
		if (soc_read32(ipc->mu + MU_SR) & bit)
			return 0;
	return -MMAMP_ETIMEDOUT;
}

static int send_msg(const struct scfw_ipc *ipc, const struct scfw_msg *msg, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		unsigned ch = i % MU_CHANNELS;

		if (wait_sr(ipc, MU_SR_TE(ch)))
			return -MMAMP_ETIMEDOUT;
		soc_write32(ipc->mu + MU_TR(ch), msg->w[i]);
	}
	return 0;
}

static int recv_msg(const struct scfw_ipc *ipc, struct scfw_msg *msg)
{
	uint32_t size;

	if (wait_sr(ipc, MU_SR_RF(0)))
		return -MMAMP_ETIMEDOUT;
	msg->w[0] = soc_read32(ipc->mu + MU_RR(0));
	size = scfw_hdr_size(msg->w[0]);
	/* A reply we cannot hold, or of another protocol version, is not read further. */
	if ((msg->w[0] & 0xFFu) != SC_RPC_VERSION || size < 1u || size > SC_RPC_MAX_MSG)
		return -MMAMP_EPROTO;
	for (uint32_t i = 1; i < size; i++) {
		unsigned ch = i % MU_CHANNELS;

		if (wait_sr(ipc, MU_SR_RF(ch)))
			return -MMAMP_ETIMEDOUT;
		msg->w[i] = soc_read32(ipc->mu + MU_RR(ch));
	}
	return 0;
}

int scfw_call(struct scfw_ipc *ipc, struct scfw_msg *msg)
{
	uint32_t size = scfw_hdr_size(msg->w[0]);
	int ret;

	ipc->sc_err = SC_ERR_NONE;
	if (size < 1u || size > SC_RPC_MAX_MSG)
		return -MMAMP_EINVAL;
	ret = send_msg(ipc, msg, size);
	if (!ret)
		ret = recv_msg(ipc, msg);
	if (ret)
		return ret;
	ipc->sc_err = scfw_hdr_func(msg->w[0]);
	return ipc->sc_err == SC_ERR_NONE ? 0 : -MMAMP_EIO;
}

/* Start a request: header of @size words, payload zeroed, the call's name kept for reports. */
static void begin(struct scfw_ipc *ipc, struct scfw_msg *m, const char *call, uint32_t rsrc,
		  uint32_t size, uint32_t svc, uint32_t func)
{
	memset(m, 0, sizeof(*m));
	m->w[0] = scfw_header(size, svc, func);
	ipc->call = call;
	ipc->rsrc = rsrc;
}

int scfw_boot_done(struct scfw_ipc *ipc, uint32_t cpu)
{
	struct scfw_msg m;

	begin(ipc, &m, "misc_boot_done", cpu, 2, SC_RPC_SVC_MISC, MISC_FUNC_BOOT_DONE);
	scfw_put_u16(&m, 0, cpu);
	return scfw_call(ipc, &m);
}

int scfw_set_power(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t mode)
{
	struct scfw_msg m;

	begin(ipc, &m, "pm_set_resource_power_mode", rsrc, 2, SC_RPC_SVC_PM,
	      PM_FUNC_SET_RESOURCE_POWER_MODE);
	scfw_put_u16(&m, 0, rsrc);
	scfw_put_u8(&m, 2, mode);
	return scfw_call(ipc, &m);
}

int scfw_set_clock_rate(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, uint32_t *rate)
{
	struct scfw_msg m;
	int ret;

	begin(ipc, &m, "pm_set_clock_rate", rsrc, 3, SC_RPC_SVC_PM, PM_FUNC_SET_CLOCK_RATE);
	m.w[1] = *rate;
	scfw_put_u16(&m, 4, rsrc);
	scfw_put_u8(&m, 6, clk);
	ret = scfw_call(ipc, &m);
	if (!ret)
		*rate = m.w[1];
	return ret;
}

int scfw_get_clock_rate(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, uint32_t *rate)
{
	struct scfw_msg m;
	int ret;

	begin(ipc, &m, "pm_get_clock_rate", rsrc, 2, SC_RPC_SVC_PM, PM_FUNC_GET_CLOCK_RATE);
	scfw_put_u16(&m, 0, rsrc);
	scfw_put_u8(&m, 2, clk);
	ret = scfw_call(ipc, &m);
	if (!ret)
		*rate = m.w[1];
	return ret;
}

int scfw_clock_enable(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, bool enable)
{
	struct scfw_msg m;

	begin(ipc, &m, "pm_clock_enable", rsrc, 3, SC_RPC_SVC_PM, PM_FUNC_CLOCK_ENABLE);
	scfw_put_u16(&m, 0, rsrc);
	scfw_put_u8(&m, 2, clk);
	scfw_put_u8(&m, 3, enable ? 1u : 0u);
	scfw_put_u8(&m, 4, 0u); /* no autogating */
	return scfw_call(ipc, &m);
}

const char *scfw_err_name(uint32_t sc_err)
{
	static const char *const names[SC_ERR_LAST] = {
		"SC_ERR_NONE", "SC_ERR_VERSION", "SC_ERR_CONFIG", "SC_ERR_PARM", "SC_ERR_NOACCESS",
		"SC_ERR_LOCKED", "SC_ERR_UNAVAILABLE", "SC_ERR_NOTFOUND", "SC_ERR_NOPOWER",
		"SC_ERR_IPC", "SC_ERR_BUSY", "SC_ERR_FAIL",
	};

	return sc_err < SC_ERR_LAST ? names[sc_err] : "SC_ERR_?";
}
