/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/scfw.h — a minimal client of the SCU firmware's RPC (SCFW API) over the M4's
 * own MU1 side A: boot-done, resource power, clock rate and clock enable. Polled and blocking,
 * bounded: a silent SCU is a timeout, never a hang.
 *
 * Wire format (docs/imx8x-board.md "SCU firmware RPC"): a message is 1..8 little-endian words;
 * word 0 is the header, bytes {version = 1, size in words, service, function}; the rest is the
 * call's payload packed as bytes/halfwords/words at fixed offsets. Word i travels in MU channel
 * i % 4 (TRn → the SCU's RRn), each write waiting for its TEn. The reply has the same shape;
 * its function byte is the SCFW error code (0 = SC_ERR_NONE).
 *
 * Every call returns 0, or a negative MMAMP_E* error: -MMAMP_EIO when the SCU answered with an
 * SCFW error (ipc->sc_err holds it, scfw_err_name() names it), -MMAMP_ETIMEDOUT when it did not
 * answer (or never took a word), -MMAMP_EPROTO for a malformed reply. ipc->call names the last
 * call, so the caller can say what failed.
 */
#ifndef MMAMP_IMX8QX_SCFW_H
#define MMAMP_IMX8QX_SCFW_H

#include <stdbool.h>
#include <stdint.h>

#define SC_RPC_VERSION        1u
#define SC_RPC_MAX_MSG        8u /* words, header included */
#define SC_RPC_SVC_RETURN     1u
#define SC_RPC_SVC_PM         2u
#define SC_RPC_SVC_MISC       7u
#define PM_FUNC_SET_RESOURCE_POWER_MODE 3u
#define PM_FUNC_SET_CLOCK_RATE          5u
#define PM_FUNC_GET_CLOCK_RATE          6u
#define PM_FUNC_CLOCK_ENABLE            7u
#define MISC_FUNC_BOOT_DONE             14u

/* sc_pm_power_mode_t */
#define SC_PM_PW_MODE_OFF     0u
#define SC_PM_PW_MODE_STBY    1u
#define SC_PM_PW_MODE_LP      2u
#define SC_PM_PW_MODE_ON      3u
/* sc_pm_clk_t */
#define SC_PM_CLK_PER         2u
#define SC_PM_CLK_CPU         2u

/* sc_err_t */
enum {
	SC_ERR_NONE, SC_ERR_VERSION, SC_ERR_CONFIG, SC_ERR_PARM, SC_ERR_NOACCESS, SC_ERR_LOCKED,
	SC_ERR_UNAVAILABLE, SC_ERR_NOTFOUND, SC_ERR_NOPOWER, SC_ERR_IPC, SC_ERR_BUSY, SC_ERR_FAIL,
	SC_ERR_LAST
};

/** How many status polls one MU word may take before the call times out (≈ 1 s on the M4). */
#define SCFW_SPIN_LIMIT (1u << 24)

/** struct scfw_msg - one RPC message (header + payload). */
struct scfw_msg {
	uint32_t w[SC_RPC_MAX_MSG];
};

/**
 * struct scfw_ipc - an open channel to the SCU.
 * @mu:         MU side A base (IMX8QX_MU1A_BASE).
 * @spin_limit: polls per word before -MMAMP_ETIMEDOUT.
 * @call:       name of the last call ("pm_set_resource_power_mode", ...).
 * @rsrc:       its resource argument.
 * @sc_err:     the SCFW error of the last call (SC_ERR_NONE after a success or a transport error).
 */
struct scfw_ipc {
	uint32_t mu;
	uint32_t spin_limit;
	const char *call;
	uint32_t rsrc;
	uint32_t sc_err;
};

/** scfw_open() - bind @ipc to the MU at @mu_base and mask its interrupts (the client polls). */
void scfw_open(struct scfw_ipc *ipc, uint32_t mu_base);

/** scfw_call() - send @msg and read the reply into it. Return: as described above. */
int scfw_call(struct scfw_ipc *ipc, struct scfw_msg *msg);

/** scfw_boot_done() - sc_misc_boot_done(@cpu): the core's boot is complete. */
int scfw_boot_done(struct scfw_ipc *ipc, uint32_t cpu);

/** scfw_set_power() - sc_pm_set_resource_power_mode(@rsrc, @mode). */
int scfw_set_power(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t mode);

/** scfw_set_clock_rate() - sc_pm_set_clock_rate(): asks *@rate Hz, returns the rate granted. */
int scfw_set_clock_rate(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, uint32_t *rate);

/** scfw_get_clock_rate() - sc_pm_get_clock_rate() into *@rate. */
int scfw_get_clock_rate(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, uint32_t *rate);

/** scfw_clock_enable() - sc_pm_clock_enable(@rsrc, @clk, @enable, autogate off). */
int scfw_clock_enable(struct scfw_ipc *ipc, uint32_t rsrc, uint32_t clk, bool enable);

/** scfw_err_name() - "SC_ERR_NOACCESS" etc. ("SC_ERR_?" beyond the known codes). */
const char *scfw_err_name(uint32_t sc_err);

/* Message packing, shared with the SCU model (tests): header and payload bytes. */
static inline uint32_t scfw_header(uint32_t size, uint32_t svc, uint32_t func)
{
	return SC_RPC_VERSION | (size << 8) | (svc << 16) | (func << 24);
}

static inline uint32_t scfw_hdr_size(uint32_t h) { return (h >> 8) & 0xFFu; }
static inline uint32_t scfw_hdr_svc(uint32_t h) { return (h >> 16) & 0xFFu; }
static inline uint32_t scfw_hdr_func(uint32_t h) { return h >> 24; }

/* Payload byte @off (0 = first byte after the header), as RPC_U8/U16/U32 address it. */
static inline uint32_t scfw_get_u8(const struct scfw_msg *m, unsigned off)
{
	return (m->w[1 + off / 4] >> (8 * (off % 4))) & 0xFFu;
}

static inline uint32_t scfw_get_u16(const struct scfw_msg *m, unsigned off)
{
	return (m->w[1 + off / 4] >> (8 * (off % 4))) & 0xFFFFu;
}

static inline void scfw_put_u8(struct scfw_msg *m, unsigned off, uint32_t v)
{
	uint32_t shift = 8 * (off % 4);

	m->w[1 + off / 4] = (m->w[1 + off / 4] & ~(0xFFu << shift)) | ((v & 0xFFu) << shift);
}

static inline void scfw_put_u16(struct scfw_msg *m, unsigned off, uint32_t v)
{
	uint32_t shift = 8 * (off % 4);

	m->w[1 + off / 4] = (m->w[1 + off / 4] & ~(0xFFFFu << shift)) | ((v & 0xFFFFu) << shift);
}

#endif /* MMAMP_IMX8QX_SCFW_H */
