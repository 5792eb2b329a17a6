/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/cortex-m/armv7m_scs.h — the ARMv7-M system control space registers the Cortex-M4 ports
 * use (SysTick, NVIC, SCB, MPU): architecture, not board, so every port shares them.
 */
#ifndef MMAMP_ARMV7M_SCS_H
#define MMAMP_ARMV7M_SCS_H

#define SCS_SYST_CSR         0xE000E010u
#define SCS_SYST_RVR         0xE000E014u
#define SCS_SYST_CVR         0xE000E018u
#define SYST_CSR_ENABLE      0x1u
#define SYST_CSR_TICKINT     0x2u
#define SYST_CSR_CLKSOURCE   0x4u
#define SYST_CSR_COUNTFLAG   0x10000u
#define SYST_RVR_MAX         0x00FFFFFFu
#define SCS_NVIC_ISER(n)     (0xE000E100u + 4u * (n))
#define SCS_NVIC_ICER(n)     (0xE000E180u + 4u * (n))
#define SCS_NVIC_ISER0       SCS_NVIC_ISER(0)
#define SCS_NVIC_ICPR0       0xE000E280u
#define SCS_NVIC_IPR(n)      (0xE000E400u + (n)) /* one byte per interrupt */
#define SCS_ICSR             0xE000ED04u
#define ICSR_PENDSTSET       (1u << 26)
#define SCS_VTOR             0xE000ED08u
#define SCS_CFSR             0xE000ED28u
#define SCS_HFSR             0xE000ED2Cu
#define SCS_MMFAR            0xE000ED34u
#define SCS_BFAR             0xE000ED38u
#define SCS_CPACR            0xE000ED88u
#define SCS_MPU_CTRL         0xE000ED94u
#define SCS_MPU_RNR          0xE000ED98u
#define SCS_MPU_RBAR         0xE000ED9Cu
#define SCS_MPU_RASR         0xE000EDA0u

#endif /* MMAMP_ARMV7M_SCS_H */
