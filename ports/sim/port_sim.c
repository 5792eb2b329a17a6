/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_sim.c — the sim firmware's port (see port_sim.h): raw x86-64 Linux system calls by
 * inline assembly, and the "NVIC" that runs ISRs at the main loop's wait points.
 */
#include "port_sim.h"

#include "mmamp/errno.h"

/* x86-64 Linux system call numbers and constants (this file must not include libc headers). */
#define SYS_WRITE          1
#define SYS_SCHED_YIELD    24
#define SYS_FUTEX          202
#define SYS_CLOCK_GETTIME  228
#define SYS_EXIT_GROUP     231
#define FUTEX_WAIT         0 /* shared: no FUTEX_PRIVATE_FLAG (128), the waker is another process */
#define FUTEX_WAKE         1
#define CLOCK_MONOTONIC    1
#define E_AGAIN            11
#define E_INTR             4
#define E_TIMEDOUT         110

struct k_timespec {
	long tv_sec;
	long tv_nsec;
};

static inline long sys1(long nr, long a)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a) : "rcx", "r11", "memory");
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

long mmamp_port_console_write(const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		long n = sys3(SYS_WRITE, MMAMP_SIM_CONSOLE_FD, (long)(p + done), (long)(len - done));

		if (n == -E_INTR)
			continue;
		if (n <= 0)
			return done ? (long)done : n;
		done += (size_t)n;
	}
	return (long)done;
}

void mmamp_port_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	mmamp_port_console_write(s, n);
}

void mmamp_port_put_u64(uint64_t v)
{
	char buf[20];
	unsigned i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	mmamp_port_console_write(buf + i, sizeof(buf) - i);
}

void mmamp_port_put_hex(uint64_t v)
{
	char buf[18];
	unsigned i = sizeof(buf);

	do {
		buf[--i] = "0123456789abcdef"[v & 0xfu];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	mmamp_port_console_write(buf + i, sizeof(buf) - i);
}

uint64_t mmamp_port_now_ns(void)
{
	struct k_timespec ts = { 0, 0 };

	sys3(SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, (long)&ts, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int mmamp_port_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
	struct k_timespec ts = { (long)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };
	long rc = sys4(SYS_FUTEX, (long)word, FUTEX_WAIT, (long)expected, timeout_ns ? (long)&ts : 0);

	if (rc == 0 || rc == -E_INTR)
		return 0;
	if (rc == -E_AGAIN)
		return -MMAMP_EAGAIN;
	if (rc == -E_TIMEDOUT)
		return -MMAMP_ETIMEDOUT;
	return (int)rc;
}

int mmamp_port_futex_wake(uint32_t *word, int count)
{
	return (int)sys3(SYS_FUTEX, (long)word, FUTEX_WAKE, count);
}

void mmamp_port_futex_wake_all(uint32_t *word)
{
	mmamp_port_futex_wake(word, 0x7fffffff);
}

void mmamp_port_yield(void)
{
	sys1(SYS_SCHED_YIELD, 0);
}

void mmamp_port_exit(int code)
{
	for (;;)
		sys1(SYS_EXIT_GROUP, code);
}

/* ---- the interrupt controller ---- */

struct irq_source {
	uint32_t *line;
	mmamp_port_irq_pending_fn pending;
	mmamp_port_isr_fn isr;
	void *ctx;
};

static struct irq_source irqs[MMAMP_PORT_MAX_IRQS];
static unsigned nirqs;

int mmamp_port_irq_register(uint32_t *line, mmamp_port_irq_pending_fn pending,
			    mmamp_port_isr_fn isr, void *ctx)
{
	if (!line || !pending || !isr)
		return -MMAMP_EINVAL;
	if (nirqs == MMAMP_PORT_MAX_IRQS)
		return -MMAMP_ENOSPC;
	irqs[nirqs] = (struct irq_source){ line, pending, isr, ctx };
	return (int)nirqs++;
}

static int run_pending_isrs(void)
{
	int ran = 0;

	for (unsigned i = 0; i < nirqs; i++) {
		if (irqs[i].pending(irqs[i].ctx)) {
			irqs[i].isr(irqs[i].ctx);
			ran++;
		}
	}
	return ran;
}

int mmamp_port_wait_irq_timeout(uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? mmamp_port_now_ns() + timeout_ns : 0;

	if (!nirqs)
		return -MMAMP_ENOENT;
	for (;;) {
		/* Snapshot the line before looking at the sources: no edge can slip between. */
		uint32_t seq = __atomic_load_n(irqs[0].line, __ATOMIC_SEQ_CST);
		uint64_t slice = 0;
		int ran = run_pending_isrs();

		if (ran)
			return ran;
		if (deadline) {
			uint64_t now = mmamp_port_now_ns();

			if (now >= deadline)
				return -MMAMP_ETIMEDOUT;
			slice = deadline - now;
		}
		if (nirqs > 1 && (!slice || slice > 1000000u))
			slice = 1000000u;
		mmamp_port_futex_wait(irqs[0].line, seq, slice);
	}
}

void mmamp_port_wait_irq(void)
{
	mmamp_port_wait_irq_timeout(0);
}

int mmamp_port_mu_wait_te(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt)
{
	static uint64_t deadline;

	(void)mu;
	(void)side;
	(void)seq;
	if (attempt == 0)
		deadline = mmamp_port_now_ns() + MMAMP_PORT_TE_TIMEOUT_NS;
	else if (mmamp_port_now_ns() >= deadline)
		return -MMAMP_ETIMEDOUT;
	mmamp_port_yield();
	return 0;
}
