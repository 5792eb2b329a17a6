/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/port_sim_extra.h — the sim port's binding of the firmware runtime
 * (mmamp/remote/runtime.h) to MU side B: the doorbell both ways, the MU interrupt, the WFI and
 * the polled mode; and the memory map a firmware on it sees (mmamp/remote/port.h: FW_*). It is
 * the port header (MMAMP_FW_PORT_H) of the sim's runtime firmware.
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

#include "mmamp/remote/runtime.h"
#include "mu_model.h"
#include "port_sim.h"

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

/* ---- the memory map and doorbell binding (mmamp/remote/port.h) ---- */

/* The i.MX8QXP layout of the default platform (docs/imx8x-board.md): vrings at 0x90000000, the
 * live resource table at 0x900FF000, the buffer pool at 0x90400000. Another partition (the
 * i.MX8QM's second M4) overrides them with -D. */
#ifndef FW_SHM_DA
#define FW_SHM_DA        0x90000000u
#define FW_SHM_SIZE      0x500000u
#endif
#ifndef FW_RSC_TABLE_DA
#define FW_RSC_TABLE_DA  0x900FF000u
#endif
/*
 * The window a host's rings and buffers may lie in: for mmampd the RPMsg region; for the real
 * Linux kernel (docs/linux-host.md) also the kernel's RPMsg buffers, which virtio_rpmsg_bus
 * takes from general RAM and describes by physical address: under User-Mode Linux that is
 * 0x00010000 up to the size of its RAM. So the window runs from 0x00010000 to the end of the
 * buffer pool, 0x904FFFFF. Most of it is not granted to the M4 (below the TCMs, between them and
 * the MU, and the gaps 0x90020000..0x900FEFFF and 0x90100000..0x903FFFFF): in the sim those
 * ranges are unmapped, so a hostile descriptor pointing there passes the window check but
 * faults the core on first access — the host then sees a crash (SIGSEGV at that address), never
 * silent corruption of memory the M4 should not reach. The window also covers the M4's own TCMs
 * and DDR, which a host that writes our firmware image anyway could overwrite in other ways.
 * (On silicon the M4's MPU should be set up the same way.)
 */
#ifndef FW_WINDOW_DA
#define FW_WINDOW_DA     0x00010000u
#define FW_WINDOW_SIZE   (0x90500000u - FW_WINDOW_DA)
#endif
#define FW_DOORBELL_T    struct mmamp_sim_doorbell
#define FW_DOORBELL_DA   MMAMP_SIM_MU_DA
#define FW_DOORBELL_INIT mmamp_sim_doorbell_init
#define FW_DOORBELL_OPS  mmamp_sim_doorbell_ops
/* The sim core runs ISRs only where its main loop waits (fw_measure.c's measure_cb). */
#define FW_TAKE_PENDING_DOORBELL 1

#endif /* MMAMP_SIM_PORT_SIM_EXTRA_H */
