/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/port_sim_extra.h — the sim port's binding of the firmware runtime (src/remote/
 * remote.h) to MU side B: the doorbell both ways, the MU interrupt, the WFI and the polled mode.
 *
 *   send    mu_doorbell_send(mu, MU_SIDE_B, notifyid, ...): wait for TE1, TR1 = notifyid << 16.
 *           While it waits it takes incoming doorbells (mmamp_remote_isr()), as the MU ISR
 *           would preempt the TE1 wait on a real M4: the host may be waiting for its own TE1.
 *   take    mu_doorbell_recv(mu, MU_SIDE_B): RF1 set → read RR1 (frees the host's TE1).
 *   enable  interrupt mode: register the MU as interrupt source with the port (ISR →
 *           mmamp_remote_isr()) and set RIE1; polled mode: leave RIE1 clear.
 *   wait    mmamp_port_wait_irq_timeout() (the sim core's WFI; ISRs run only there, so the
 *           runtime's flag cannot change between its last look and the sleep).
 *   relax   sched_yield(): polled mode spins on SR.RF1 without sleeping.
 *
 *   static struct mmamp_sim_doorbell db;
 *   mmamp_sim_doorbell_init(&db, MMAMP_SIM_MU_DA, &remote);      before mmamp_remote_init()
 *   cfg.db = &mmamp_sim_doorbell_ops; cfg.db_ctx = &db;
 */
#ifndef MMAMP_SIM_PORT_SIM_EXTRA_H
#define MMAMP_SIM_PORT_SIM_EXTRA_H

#include <stdint.h>

#include "mu_model.h"
#include "remote.h"

/**
 * struct mmamp_sim_doorbell - the MU side B binding (the db_ctx of mmamp_sim_doorbell_ops).
 * @mu:     the MU handle; first member (the TE wait gets back to the binding from it).
 * @remote: the runtime whose ISR runs on a doorbell.
 */
struct mmamp_sim_doorbell {
	struct mu mu;
	struct mmamp_remote *remote;
};

/** mmamp_sim_doorbell_ops - struct mmamp_remote_doorbell_ops on MU side B (db_ctx: the binding). */
extern const struct mmamp_remote_doorbell_ops mmamp_sim_doorbell_ops;

/**
 * mmamp_sim_doorbell_init() - attach to the MU page at @mu_da (futex-waking the host's line) for
 * @remote. Return: 0, or -MMAMP_ENODEV if the page does not carry the MU's reset magic (the
 * host has not reset it). Touching an unmapped @mu_da faults, as on the real core.
 */
int mmamp_sim_doorbell_init(struct mmamp_sim_doorbell *db, uintptr_t mu_da,
			    struct mmamp_remote *remote);

#endif /* MMAMP_SIM_PORT_SIM_EXTRA_H */
