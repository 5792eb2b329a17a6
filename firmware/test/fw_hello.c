/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_hello.c — the smallest sim firmware that exercises the whole core: console, MU side B in
 * interrupt mode (RIE1 + the port's WFI), a doorbell each way, and a clean power-off.
 *
 *   1. print "hello from sim m4"
 *   2. enable RIE1 on MU side B, wait (futex, through the port's ISR dispatch) for a doorbell
 *   3. print "doorbell notifyid N", ring the host back with notifyid 0
 *   4. -DFW_CRASH:      store to 0x40000000, which no region covers (proves isolation: the
 *                       launcher reports SIGSEGV there)
 *      -DFW_BADSYSCALL: make a system call the launcher's filter forbids (getpid)
 *      otherwise:       exit with status 0
 *
 * It carries an empty resource table (version 1, no entries) in .resource_table, so the host
 * loads it like any remoteproc image.
 */
#include "mmamp/rsc_table.h"
#include "port_sim.h"

__attribute__((section(".resource_table"), used, aligned(8)))
const struct mmamp_rsc_table fw_hello_rsc_table = {
	.ver = MMAMP_RSC_TABLE_VERSION,
	.num = 0,
};

static struct mu mu;
static volatile int got_doorbell;
static volatile uint32_t notifyid;

static uint32_t mu_pending(void *ctx)
{
	return mu_irq_pending(ctx, MU_SIDE_B);
}

static void mu_isr(void *ctx)
{
	uint32_t id;

	if (mu_doorbell_recv(ctx, MU_SIDE_B, &id) == 0) {
		notifyid = id;
		got_doorbell = 1;
	}
}

int fw_main(void)
{
	mmamp_port_puts("hello from sim m4\n");

	mu_attach(&mu, (void *)(uintptr_t)MMAMP_SIM_MU_DA, mmamp_port_futex_wake_all);
	if (!mu_is_reset(&mu)) {
		mmamp_port_puts("fw_hello: no MU at ");
		mmamp_port_put_hex(MMAMP_SIM_MU_DA);
		mmamp_port_puts("\n");
		return 3;
	}
	mmamp_port_irq_register(mu_irq_line(&mu, MU_SIDE_B), mu_pending, mu_isr, &mu);
	mu_rmw_cr(&mu, MU_SIDE_B, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);

	while (!got_doorbell)
		mmamp_port_wait_irq();

	mmamp_port_puts("doorbell notifyid ");
	mmamp_port_put_u64(notifyid);
	mmamp_port_puts("\n");
	if (mu_doorbell_send(&mu, MU_SIDE_B, 0, mmamp_port_mu_wait_te)) {
		mmamp_port_puts("fw_hello: the host never took our doorbell\n");
		return 4;
	}

#if defined(FW_CRASH)
	*(volatile uint32_t *)(uintptr_t)0x40000000u = 0xdeadbeefu;
#elif defined(FW_BADSYSCALL)
	{
		long ret;

		__asm__ volatile("syscall" : "=a"(ret) : "a"(39L) : "rcx", "r11", "memory");
		(void)ret;
	}
#endif
	mmamp_port_puts("bye\n");
	return 0;
}
