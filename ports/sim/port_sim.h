/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/port_sim.h — the sim firmware's port: what an M4 board support package would give
 * the firmware, made of a handful of raw x86-64 Linux system calls (no libc):
 *
 *   console   write(2) to fd 1 (the launcher's --console; a UART on the real board)
 *   time      clock_gettime(CLOCK_MONOTONIC) (a free-running timer)
 *   sleeping  futex wait/wake on words in *shared* memory (FUTEX_WAIT/FUTEX_WAKE without
 *             FUTEX_PRIVATE_FLAG: the waker is another process)
 *   WFI + NVIC  mmamp_port_wait_irq(): sleep until an interrupt line rises, then run the ISRs
 *             of the pending sources, in the main loop's context ("interrupts masked while the
 *             main loop works": ISRs only run at these wait points)
 *   power off exit_group(2)
 *
 * Memory map (the M4's, docs/imx8x-board.md; the launcher maps these, see mmamp/wire/simcore.h):
 *   code TCM 0x1FFE0000 + 128 KiB (.text, .rodata), data TCM 0x20000000 + 128 KiB (.data,
 *   .resource_table, .bss, stack at the top), the MU page at MMAMP_SIM_MU_DA.
 */
#ifndef MMAMP_SIM_PORT_SIM_H
#define MMAMP_SIM_PORT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "mu_model.h"

#define MMAMP_SIM_CODE_TCM_DA   0x1FFE0000u
#define MMAMP_SIM_CODE_TCM_SIZE 0x20000u
#define MMAMP_SIM_DATA_TCM_DA   0x20000000u
#define MMAMP_SIM_DATA_TCM_SIZE 0x20000u
#define MMAMP_SIM_STACK_TOP     (MMAMP_SIM_DATA_TCM_DA + MMAMP_SIM_DATA_TCM_SIZE)

/*
 * Where the sim core sees the MU page (both register files, see mu_model.h); the M4 uses
 * side B, which on the i.MX8QXP is LSIO MU5 side B at 0x5D290000 (docs/imx8x-board.md). The
 * platform description's MU device-address must agree with this value (override with
 * -DMMAMP_SIM_MU_DA=...; tests/unit/test_platform.c checks the shipped platforms).
 */
#ifndef MMAMP_SIM_MU_DA
#define MMAMP_SIM_MU_DA 0x5D290000u
#endif

/* The launcher's fixed file descriptors (mmamp/wire/simcore.h). */
#define MMAMP_SIM_CONSOLE_FD 1

/* System calls. */

/** mmamp_port_console_write() - write @len bytes to the console; bytes written or -errno. */
long mmamp_port_console_write(const void *buf, size_t len);
/** mmamp_port_puts() - write a NUL-terminated string to the console (no newline added). */
void mmamp_port_puts(const char *s);
/** mmamp_port_put_u64() - write @v in decimal. */
void mmamp_port_put_u64(uint64_t v);
/** mmamp_port_put_hex() - write @v as 0x-prefixed hex. */
void mmamp_port_put_hex(uint64_t v);

/** mmamp_port_now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t mmamp_port_now_ns(void);

/**
 * mmamp_port_futex_wait() - sleep while *@word == @expected, at most @timeout_ns (0: forever).
 * Return: 0 when woken (or spuriously), -MMAMP_EAGAIN if *@word != @expected already,
 * -MMAMP_ETIMEDOUT, or another negative errno.
 */
int mmamp_port_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns);
/** mmamp_port_futex_wake() - wake up to @count sleepers on @word; returns how many or -errno. */
int mmamp_port_futex_wake(uint32_t *word, int count);
/** mmamp_port_futex_wake_all() - wake every sleeper on @word (fits mu_wake_fn). */
void mmamp_port_futex_wake_all(uint32_t *word);

/** mmamp_port_yield() - sched_yield(2). */
void mmamp_port_yield(void);

/** mmamp_port_exit() - power the core off with exit status @code (exit_group). */
__attribute__((noreturn)) void mmamp_port_exit(int code);

/* Interrupts. */

/** Largest number of interrupt sources mmamp_port_irq_register() accepts. */
#define MMAMP_PORT_MAX_IRQS 4

/**
 * typedef mmamp_port_irq_pending_fn - nonzero while the source asserts its interrupt (level).
 * typedef mmamp_port_isr_fn - the handler; it must clear the condition (e.g. read RR1).
 */
typedef uint32_t (*mmamp_port_irq_pending_fn)(void *ctx);
typedef void (*mmamp_port_isr_fn)(void *ctx);

/**
 * mmamp_port_irq_register() - attach an interrupt source.
 * @line:    its interrupt line word (a counter in shared memory that the raiser increments and
 *           futex-wakes, e.g. mu_irq_line(mu, MU_SIDE_B)).
 * @pending: whether it asserts its interrupt now.
 * @isr:     the handler.
 * @ctx:     passed to both.
 * Return: the source's number (0..MMAMP_PORT_MAX_IRQS-1), -MMAMP_ENOSPC, -MMAMP_EINVAL.
 */
int mmamp_port_irq_register(uint32_t *line, mmamp_port_irq_pending_fn pending,
			    mmamp_port_isr_fn isr, void *ctx);

/**
 * mmamp_port_wait_irq_timeout() - WFI: run the ISR of every pending source; if none was
 * pending, sleep on the interrupt line(s) until one rises (or @timeout_ns passes; 0 = forever)
 * and then run them. With one source this sleeps on its line word; with several, on the first
 * one's, re-checking the others every millisecond.
 * Return: the number of ISRs run (> 0), or -MMAMP_ETIMEDOUT (none ran), -MMAMP_ENOENT if no
 * source is registered.
 */
int mmamp_port_wait_irq_timeout(uint64_t timeout_ns);

/** mmamp_port_wait_irq() - mmamp_port_wait_irq_timeout() without a timeout. */
void mmamp_port_wait_irq(void);

/**
 * mmamp_port_mu_wait_te() - mu_wait_fn for the firmware: yields the CPU while the peer has not
 * consumed our last TR value, and gives up after MMAMP_PORT_TE_TIMEOUT_NS (-MMAMP_ETIMEDOUT;
 * Linux's imx_rproc TX timeout is 100 ms, the sim allows a slow, loaded host more).
 */
#define MMAMP_PORT_TE_TIMEOUT_NS 2000000000ull
int mmamp_port_mu_wait_te(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt);

/* Startup (startup.c): the firmware's entry after reset. */
int fw_main(void);

#endif /* MMAMP_SIM_PORT_SIM_H */
