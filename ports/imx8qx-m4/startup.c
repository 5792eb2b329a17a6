/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.c — the i.MX8QXP M4 firmware's vector table, reset handler, IRQSTEER master handlers
 * and fault handler.
 *
 * Linux (imx_rproc: fsl,entry-address 0x34fe0000) and U-Boot (bootaux) both start the M4 at the
 * start of TCML and ignore the ELF entry point: the core takes its stack pointer and reset vector
 * from the first two words there. So the vector table comes first in TCML (firmware.ld), with
 * all 640 entries, because IRQSTEER's master handlers dispatch through VTOR + (irq + 16) * 4.
 *
 * Reset: watchdog off, VTOR, FPU, .data copied from its load address in TCML to TCMU (bootaux copies only the
 * 128 KiB of TCML, so initial data must travel in it), .bss zeroed, MPU (shared DDR uncached),
 * the SoC bring-up (bringup.c), SysTick, the BSP copy of the resource table, then fw_main().
 */
#include <stdint.h>
#include <string.h>

#include "bringup.h"
#include "irqsteer.h"
#include "mmamp/rsc_table.h"
#include "port_imx8qx.h"
#include "soc_io.h"

typedef void (*vector_fn)(void);

void imx8qx_reset(void);
void imx8qx_fault(void);
void imx8qx_fault_report(const uint32_t *frame, uint32_t exc_return);
void imx8qx_systick_isr(void);
void imx8qx_mu5b_isr(void);

extern uint32_t __stack_top[];
extern char __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];

/* The IRQSTEER masters' handlers: run the vector of the lowest pending source. */
static void irqsteer_dispatch(unsigned master)
{
	const vector_fn *vtor = (const vector_fn *)(uintptr_t)soc_read32(SCS_VTOR);
	unsigned irq = irqsteer_next(master);

	if (irq)
		vtor[16u + irq]();
	__asm__ volatile("dsb" ::: "memory");
}

#define IRQSTEER_MASTER_HANDLER(m) \
	static void irqsteer_master##m(void) { irqsteer_dispatch(m); }
IRQSTEER_MASTER_HANDLER(0)
IRQSTEER_MASTER_HANDLER(1)
IRQSTEER_MASTER_HANDLER(2)
IRQSTEER_MASTER_HANDLER(3)
IRQSTEER_MASTER_HANDLER(4)
IRQSTEER_MASTER_HANDLER(5)
IRQSTEER_MASTER_HANDLER(6)
IRQSTEER_MASTER_HANDLER(7)

#define V(irq) (16u + (irq))

/* 16 system exceptions + 624 interrupts, first in TCML (firmware.ld: .isr_vector). */
__attribute__((section(".isr_vector"), used))
const vector_fn imx8qx_vectors[IMX8QX_NUM_VECTORS] = {
	[0] = (vector_fn)(uintptr_t)__stack_top,
	[1] = imx8qx_reset,
	[2 ... 14] = imx8qx_fault, /* NMI, HardFault, MemManage, BusFault, UsageFault, SVC, ... */
	[15] = imx8qx_systick_isr,
	/* An interrupt nobody expects is a fault report. */
	[V(0) ... V(IMX8QX_IRQ_IRQSTEER_0 - 1)] = imx8qx_fault,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 0)] = irqsteer_master0,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 1)] = irqsteer_master1,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 2)] = irqsteer_master2,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 3)] = irqsteer_master3,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 4)] = irqsteer_master4,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 5)] = irqsteer_master5,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 6)] = irqsteer_master6,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 7)] = irqsteer_master7,
	[V(IMX8QX_IRQ_IRQSTEER_0 + 8) ... V(IMX8QX_IRQ_LSIO_MU5_B - 1)] = imx8qx_fault,
	[V(IMX8QX_IRQ_LSIO_MU5_B)] = imx8qx_mu5b_isr,
	[V(IMX8QX_IRQ_LSIO_MU5_B + 1) ... IMX8QX_NUM_VECTORS - 1] = imx8qx_fault,
};
_Static_assert(sizeof(imx8qx_vectors) == 0xA00, "640 vectors: 0xA00 bytes");

/*
 * MPU: the DDR window 0x80000000..0xBFFFFFFF (the M4's DDR and the RPMsg memory at 0x90000000)
 * as Normal, non-cacheable, shareable memory, never executed: vrings and buffers need no cache
 * maintenance, and unaligned copies stay legal (Device memory would fault them). Everything
 * else keeps the default map (PRIVDEFENA). The LMEM caches stay off (their reset state).
 */
static void mpu_init(void)
{
	const uint32_t rasr = (1u << 28)   /* XN */
			      | (3u << 24) /* AP: full access */
			      | (1u << 19) /* TEX 001, C 0, B 0: Normal non-cacheable */
			      | (1u << 18) /* S: shareable */
			      | (29u << 1) /* SIZE: 2^(29+1) = 1 GiB */
			      | 1u;        /* ENABLE */

	soc_write32(SCS_MPU_RNR, 0);
	soc_write32(SCS_MPU_RBAR, 0x80000000u);
	soc_write32(SCS_MPU_RASR, rasr);
	soc_write32(SCS_MPU_CTRL, 1u | 4u); /* ENABLE | PRIVDEFENA */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
}

/*
 * NXP BSP kernels 5.4-5.10 read the table of a core they did not start at DT rsc-da
 * (0x90000000), mainline at the rsc-table region (0x900FF000). A core started by bootaux finds
 * no table at 0x900FF000 (fw_echo then installs one there); then publish a copy at 0x90000000
 * too. Not when Linux started us: it has a live table there and owns 0x90000000 (vring 0).
 */
static void publish_bsp_table(void)
{
	struct mmamp_fw_rsc_vdev *vdev;

	if (mmamp_rsc_table_find_vdev((void *)(uintptr_t)IMX8QX_RSC_TABLE_DA,
				      MMAMP_RSC_TABLE_LINUX_MAX, 0, &vdev, NULL) == 0)
		return;
	memcpy((void *)(uintptr_t)IMX8QX_BSP_RSC_DA, &mmamp_fw_rsc_table,
	       sizeof(mmamp_fw_rsc_table));
	__asm__ volatile("dsb" ::: "memory");
}

/*
 * The M4's WDOG32 may run out of reset (NXP's SDK stops it first thing too): unlock (CNT), the
 * longest timeout, then CS with EN cleared and UPDATE kept, all within 128 bus clocks.
 */
#define WDOG_CS        0x0u
#define WDOG_CNT       0x4u
#define WDOG_TOVAL     0x8u
#define WDOG_CS_EN     (1u << 7)
#define WDOG_CS_UPDATE (1u << 5)
#define WDOG_UNLOCK    0xD928C520u

static void wdog_off(void)
{
	uint32_t cs = soc_read32(IMX8QX_M4_WDOG_BASE + WDOG_CS);

	soc_write32(IMX8QX_M4_WDOG_BASE + WDOG_CNT, WDOG_UNLOCK);
	soc_write32(IMX8QX_M4_WDOG_BASE + WDOG_TOVAL, 0xFFFFu);
	soc_write32(IMX8QX_M4_WDOG_BASE + WDOG_CS, (cs & ~WDOG_CS_EN) | WDOG_CS_UPDATE);
}

static struct imx8qx_bringup bringup;

void imx8qx_reset(void)
{
	wdog_off();
	soc_write32(SCS_VTOR, (uint32_t)(uintptr_t)imx8qx_vectors);
	soc_write32(SCS_CPACR, soc_read32(SCS_CPACR) | (0xFu << 20)); /* CP10, CP11 full access */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	for (volatile char *s = __data_load, *p = __data_start; p < (volatile char *)__data_end;)
		*p++ = *s++;
	for (volatile char *p = __bss_start; p < (volatile char *)__bss_end; p++)
		*p = 0;
	mpu_init();
	if (imx8qx_bringup(&bringup) == 0) {
		imx8qx_clock_init(bringup.cpu_hz);
		publish_bsp_table();
		fw_main();
	}
	for (;;)
		__asm__ volatile("wfi");
}

/* Entry of every fault: hand the exception frame (MSP or PSP, EXC_RETURN bit 2) to C. */
__attribute__((naked)) void imx8qx_fault(void)
{
	__asm__ volatile("tst lr, #4\n\t"
			 "ite eq\n\t"
			 "mrseq r0, msp\n\t"
			 "mrsne r0, psp\n\t"
			 "mov r1, lr\n\t"
			 "b imx8qx_fault_report\n");
}

/**
 * struct imx8qx_fault_record - the last fault, in TCMU (.bss) for a debugger or devmem:
 * @magic "FALT" once written.
 */
struct imx8qx_fault_record {
	uint32_t magic, ipsr, pc, lr, xpsr, cfsr, hfsr, mmfar, bfar;
};
__attribute__((used)) struct imx8qx_fault_record imx8qx_fault_record;

void imx8qx_fault_report(const uint32_t *frame, uint32_t exc_return)
{
	struct imx8qx_fault_record *f = &imx8qx_fault_record;
	uint32_t ipsr;

	(void)exc_return;
	__asm__ volatile("cpsid i\n\tmrs %0, ipsr" : "=r"(ipsr)::"memory");
	f->ipsr = ipsr & 0x1FFu;
	f->pc = frame[6];
	f->lr = frame[5];
	f->xpsr = frame[7];
	f->cfsr = soc_read32(SCS_CFSR);
	f->hfsr = soc_read32(SCS_HFSR);
	f->mmfar = soc_read32(SCS_MMFAR);
	f->bfar = soc_read32(SCS_BFAR);
	f->magic = 0x544C4146u; /* "FALT" */
	mmamp_port_puts("imx8qx: FAULT exception ");
	mmamp_port_put_u64(f->ipsr);
	mmamp_port_puts(" pc ");
	mmamp_port_put_hex(f->pc);
	mmamp_port_puts(" lr ");
	mmamp_port_put_hex(f->lr);
	mmamp_port_puts(" cfsr ");
	mmamp_port_put_hex(f->cfsr);
	mmamp_port_puts(" bfar ");
	mmamp_port_put_hex(f->bfar);
	mmamp_port_puts(": halted\n");
	for (;;)
		__asm__ volatile("wfi");
}
