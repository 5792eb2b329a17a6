/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/imx8qx-m4/mu5b.c — the LSIO MU5 side B doorbell registers (mu5b.h).
 */
#include "mu5b.h"

#include "mmamp/errno.h"
#include "mmamp/wire/mu.h" /* MU register offsets and bits, MU_DOORBELL_* */
#include "soc_io.h"

void mu5b_init(uint32_t base)
{
	soc_write32(base + MU_CR, soc_read32(base + MU_CR) & ~MU_CR_OURS);
	if (soc_read32(base + MU_SR) & MU_SR_RF(MU_DOORBELL_CHANNEL))
		(void)soc_read32(base + MU_RR(MU_DOORBELL_CHANNEL));
}

int mu5b_send(uint32_t base, uint32_t notifyid)
{
	uint32_t n = 0;

	if (notifyid > MU_NOTIFYID_MAX)
		return -MMAMP_EINVAL;
	while (!(soc_read32(base + MU_SR) & MU_SR_TE(MU_DOORBELL_CHANNEL)))
		if (++n >= MU5B_TX_SPIN_LIMIT)
			return -MMAMP_ETIMEDOUT;
	soc_write32(base + MU_TR(MU_DOORBELL_CHANNEL), notifyid << MU_DOORBELL_SHIFT);
	return 0;
}

int mu5b_take(uint32_t base, uint32_t *notifyid)
{
	if (!(soc_read32(base + MU_SR) & MU_SR_RF(MU_DOORBELL_CHANNEL)))
		return -MMAMP_EAGAIN;
	*notifyid = soc_read32(base + MU_RR(MU_DOORBELL_CHANNEL)) >> MU_DOORBELL_SHIFT;
	return 0;
}

void mu5b_rx_irq(uint32_t base, int on)
{
	uint32_t cr = soc_read32(base + MU_CR) & ~MU_CR_GIR_ALL; /* never re-request a GIR */

	cr = on ? cr | MU_CR_RIE(MU_DOORBELL_CHANNEL) : cr & ~MU_CR_RIE(MU_DOORBELL_CHANNEL);
	soc_write32(base + MU_CR, cr);
}
