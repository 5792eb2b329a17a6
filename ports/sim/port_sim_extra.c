/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_sim_extra.c — the firmware runtime's doorbell on the simulated MU, side B (see
 * port_sim_extra.h).
 */
#include "port_sim_extra.h"

#include "mmamp/errno.h"
#include "port_sim.h"

static struct mmamp_sim_doorbell *db_of(struct mu *mu)
{
	return (struct mmamp_sim_doorbell *)(void *)mu; /* @mu is the binding's first member */
}

/*
 * mu_wait_fn while our TE1 is clear: take the host's doorbell if it rang meanwhile (it may be
 * waiting for its own TE1 before it reads ours), then yield, up to the port's TE timeout.
 */
static int sim_wait_te(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt)
{
	struct mmamp_sim_doorbell *db = db_of(mu);

	if (db->remote && mu_doorbell_pending(mu, MU_SIDE_B))
		mmamp_remote_isr(db->remote);
	return mmamp_port_mu_wait_te(mu, side, seq, attempt);
}

static int sim_send(void *ctx, uint32_t notifyid)
{
	struct mmamp_sim_doorbell *db = ctx;

	return mu_doorbell_send(&db->mu, MU_SIDE_B, notifyid, sim_wait_te);
}

static int sim_take(void *ctx, uint32_t *notifyid)
{
	struct mmamp_sim_doorbell *db = ctx;

	return mu_doorbell_recv(&db->mu, MU_SIDE_B, notifyid);
}

static uint32_t sim_irq_pending(void *ctx)
{
	struct mmamp_sim_doorbell *db = ctx;

	return mu_irq_pending(&db->mu, MU_SIDE_B);
}

static void sim_isr(void *ctx)
{
	struct mmamp_sim_doorbell *db = ctx;

	mmamp_remote_isr(db->remote);
}

static int sim_enable(void *ctx, bool irq)
{
	struct mmamp_sim_doorbell *db = ctx;
	int ret;

	if (!irq) {
		mu_rmw_cr(&db->mu, MU_SIDE_B, 0, MU_CR_RIE(MU_DOORBELL_CHANNEL));
		return 0;
	}
	ret = mmamp_port_irq_register(mu_irq_line(&db->mu, MU_SIDE_B), sim_irq_pending, sim_isr, db);
	if (ret < 0)
		return ret;
	/* A doorbell rung before this (the host may kick before we boot) raises the line now. */
	mu_rmw_cr(&db->mu, MU_SIDE_B, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);
	return 0;
}

static int sim_wait(void *ctx, const volatile uint32_t *flag, uint32_t timeout_us)
{
	int ret;

	(void)ctx;
	/* ISRs run only inside the port's wait, so *flag cannot rise between this look and it. */
	if (*flag)
		return 0;
	ret = mmamp_port_wait_irq_timeout((uint64_t)timeout_us * 1000u);
	return ret < 0 ? ret : 0;
}

/*
 * Polled mode: a real M4 spins on the MU status with nothing else to run. Do the same (a pause
 * per look), and give the CPU away only every few thousand looks, so a polled core on an
 * oversubscribed host still lets others run; a yield per look cost about 1 us per look.
 */
static void sim_relax(void *ctx)
{
	static uint32_t looks;

	(void)ctx;
	__builtin_ia32_pause();
	if ((++looks & 4095u) == 0)
		mmamp_port_yield();
}

static uint64_t sim_now_us(void *ctx)
{
	(void)ctx;
	return mmamp_port_now_ns() / 1000u;
}

const struct mmamp_remote_doorbell_ops mmamp_sim_doorbell_ops = {
	.send = sim_send,
	.take = sim_take,
	.enable = sim_enable,
	.wait = sim_wait,
	.relax = sim_relax,
	.now_us = sim_now_us,
};

int mmamp_sim_doorbell_init(struct mmamp_sim_doorbell *db, uintptr_t mu_da,
			    struct mmamp_remote *remote)
{
	mu_attach(&db->mu, (void *)mu_da, mmamp_port_futex_wake_all);
	db->remote = remote;
	return mu_is_reset(&db->mu) ? 0 : -MMAMP_ENODEV;
}
