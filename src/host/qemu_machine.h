/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qemu_machine.h — one QEMU mps2-an386 process as a remote Cortex-M4 (internal to the host
 * library; the QEMU backend of the LCM drives it). It knows QEMU, the boot ROM and the boot
 * mailbox (include/mmamp/wire/qemu_mailbox.h); it knows nothing of firmware images, resource
 * tables or RPMsg — the caller loads segments into the RAM file and runs the vdev.
 *
 *   launch      start QEMU paused (-S): the 16 MiB RAM file as main RAM (0x21000000, shared),
 *               the boot ROM as -kernel, UART0 → console log, UART1 ↔ the doorbell socket,
 *               QMP ↔ the control socket (both UNIX sockets we listen on and QEMU connects
 *               to), optionally -icount shift=0; QMP capabilities negotiated
 *   go          write vtor / firmware region / go into the mailbox; resume QEMU if paused
 *   halt        back into the boot ROM: system_reset, then wait (doorbell byte 0xFD + the
 *               mailbox boot count) until the ROM waits for the next go
 *   freeze      QMP stop / cont (a frozen core: the heartbeat stops)
 *   kick        one byte on UART1 = notifyid (0..0xFC)
 *   take_doorbell / wait_doorbell   doorbells from the core; the fault byte 0xFE and QEMU's exit
 *               are reported as errors (-EFAULT, -EPIPE), with fault_reason() saying why
 *   event_fd    readable when a doorbell byte may be there or QEMU has ended (for epoll/poll)
 *   destroy     QMP quit, reap (SIGKILL after a grace period), close everything
 *
 * Errors are negative errno values; the machine keeps a one-line message of the last failure
 * (qemu_machine_error()). QEMU is started with PR_SET_PDEATHSIG = SIGKILL: it dies with the
 * thread that launched it, so launch from a thread that lives as long as the machine.
 *
 * Threads: kick() only writes the doorbell socket and may run concurrently with
 * take_doorbell()/wait_doorbell(); every other call needs the caller's serialisation.
 */
#ifndef MMAMP_HOST_QEMU_MACHINE_H
#define MMAMP_HOST_QEMU_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** The RAM file's size and guest base: mps2-an386's main RAM. */
#define QEMU_MACHINE_RAM_SIZE 0x01000000u
#define QEMU_MACHINE_RAM_BASE 0x21000000u

/**
 * struct qemu_machine_config - what qemu_machine_launch() needs.
 * @qemu:        the emulator ("qemu-system-arm" from PATH when NULL).
 * @bootrom:     the boot ROM ELF (ports/qemu-mps2: qemu_bootrom.elf).
 * @ram_file:    the main-RAM file, shared with QEMU (created and sized when missing or empty;
 *               any other size than @ram_size is refused). File offset = address - 0x21000000.
 * @ram_size:    QEMU_MACHINE_RAM_SIZE (0 means that).
 * @socket_dir:  an existing directory for the two UNIX sockets (qemu-db.sock, qemu-qmp.sock,
 *               removed once QEMU is connected) and QEMU's stderr (qemu-stderr.log).
 * @console_log: UART0 output goes to this file (NULL: discarded).
 * @icount:      -icount shift=0,sleep=off: one guest instruction = 1 ns of virtual time and
 *               idle time is skipped (the clock jumps to the next timer deadline), so guest
 *               timestamps count instructions (SysTick/timer0: 1 tick per 40). A measurement
 *               mode: while the guest idles QEMU runs its timer ticks back to back, busy.
 * @timeout_ms:  how long launch/halt/destroy wait for QEMU (0: 10,000 ms).
 * @outlive_host: QEMU is not killed when its host process ends (no parent-death signal), and
 *               its sockets reconnect every second: a later host can take it over with
 *               qemu_machine_adopt() (attach, docs/protocol.md §1.3). Off: QEMU dies with the host.
 * @before_run:  called (optional) with the new process's pid after the fork and before QEMU
 *               starts: the LCM records the process there, so that no QEMU runs that a later
 *               host cannot find. Non-zero: the process is killed and launch fails with it.
 *               A host that dies before it returns leaves a child that exits on its own.
 * @before_run_ctx: its first argument.
 */
struct qemu_machine_config {
	const char *qemu;
	const char *bootrom;
	const char *ram_file;
	uint64_t ram_size;
	const char *socket_dir;
	const char *console_log;
	bool icount;
	unsigned int timeout_ms;
	bool outlive_host;
	int (*before_run)(void *ctx, pid_t pid, char *err, size_t errlen);
	void *before_run_ctx;
};

struct qemu_machine;

/**
 * qemu_machine_launch() - start QEMU paused and connect to it.
 * @out:    receives the machine.
 * @err:    receives one line on failure (QEMU's own message when it refused to start).
 * Return: 0, -EINVAL (config), -ENOENT (emulator or boot ROM missing), -ETIMEDOUT (QEMU never
 * connected), -EPIPE (QEMU exited during startup), or another negative errno.
 */
int qemu_machine_launch(const struct qemu_machine_config *cfg, struct qemu_machine **out,
			char *err, size_t errlen);

/**
 * qemu_machine_adopt() - take over QEMU @pid, launched by an earlier host with @cfg (the same
 * ram_file and socket_dir) and outlive_host: listen on its socket paths again and wait until
 * it reconnects (about a second), then QMP as after a launch. The firmware keeps running.
 * Return: 0, -ESRCH (@pid is gone), -ETIMEDOUT (it did not reconnect), or as launch.
 */
int qemu_machine_adopt(const struct qemu_machine_config *cfg, pid_t pid,
		       struct qemu_machine **out, char *err, size_t errlen);

/**
 * qemu_machine_forget() - let go of @m without stopping QEMU (a host leaving a core running
 * for the next one: its sockets reconnect to whoever listens next). Frees @m.
 */
void qemu_machine_forget(struct qemu_machine *m);

/**
 * qemu_machine_go() - release the core: the boot ROM rewrites [@fw_base, @fw_base + @fw_size)
 * (stale translations), sets VTOR = @vtor, loads MSP from it and jumps to its reset handler.
 * Only in the ROM's waiting state (after launch or halt): -EBUSY otherwise. The previous
 * fault record is cleared. Return: 0, -EINVAL (@vtor not 256-byte aligned inside the region,
 * or the region outside main RAM), -EBUSY, -EPIPE (QEMU gone), -EIO (QMP refused).
 */
int qemu_machine_go(struct qemu_machine *m, uint32_t vtor, uint32_t fw_base, uint32_t fw_size);

/**
 * qemu_machine_halt() - stop the firmware: system_reset (resuming a frozen or paused machine)
 * and wait until the boot ROM says it waits for go. Doorbells and a fault byte still queued
 * from the old firmware are dropped. Return: 0, -ETIMEDOUT, -EPIPE, -EIO.
 */
int qemu_machine_halt(struct qemu_machine *m);

/** qemu_machine_freeze() - QMP stop (@frozen) or cont; the core keeps its state. */
int qemu_machine_freeze(struct qemu_machine *m, bool frozen);

/**
 * qemu_machine_kick() - ring the core for vring @notifyid (≤ 0xFC). When the socket is full of
 * unread doorbells the kick is dropped (and succeeds): each queued byte already makes the core
 * look at both vrings. Return: 0, -EINVAL, -EPIPE (QEMU gone).
 */
int qemu_machine_kick(struct qemu_machine *m, uint32_t notifyid);

/**
 * qemu_machine_take_doorbell() - take one doorbell without blocking.
 * Return: 0 with *@notifyid set; -EAGAIN (none now: wait on qemu_machine_event_fd(), after
 * taking until -EAGAIN); -EFAULT (the firmware faulted; sticky until the next halt/go,
 * qemu_machine_fault_reason() says why); -EPIPE (QEMU ended; the reason says how).
 */
int qemu_machine_take_doorbell(struct qemu_machine *m, uint32_t *notifyid);

/**
 * qemu_machine_wait_doorbell() - as take, but wait up to @timeout_ns (0: don't wait) for one;
 * -ETIMEDOUT if none came.
 */
int qemu_machine_wait_doorbell(struct qemu_machine *m, uint64_t timeout_ns, uint32_t *notifyid);

/**
 * qemu_machine_event_fd() - an fd (epoll) that is readable while a doorbell byte is unread or
 * QEMU has ended. Bytes already taken into the machine's buffer do not make it readable: take
 * until -EAGAIN before waiting on it.
 */
int qemu_machine_event_fd(const struct qemu_machine *m);

/** qemu_machine_faulted() - whether the fault byte came (since the last go/halt). */
bool qemu_machine_faulted(const struct qemu_machine *m);

/**
 * qemu_machine_fault_reason() - one line: "hardfault: pc 0x21100abc CFSR 0x00008200 (precise
 * bus fault at 0x30000000)" from the mailbox's fault record while the core is faulted (until
 * the next halt/go), or how QEMU ended ("qemu exited with status 1", "qemu killed by signal 9
 * (Killed)"). Return: 0, -ENOENT (no fault, QEMU alive).
 */
int qemu_machine_fault_reason(struct qemu_machine *m, char *buf, size_t len);

/** qemu_machine_exited() - whether QEMU has ended (reaps it; *@status gets its wait status). */
bool qemu_machine_exited(struct qemu_machine *m, int *status);

/** qemu_machine_pid() - QEMU's process id. */
pid_t qemu_machine_pid(const struct qemu_machine *m);

/** qemu_machine_boot_state() - the mailbox state word (QMB_STATE_*). */
uint32_t qemu_machine_boot_state(const struct qemu_machine *m);

/** qemu_machine_error() - the one-line message of the last failure ("" if none). */
const char *qemu_machine_error(const struct qemu_machine *m);

/** qemu_machine_destroy() - quit QEMU (SIGKILL if it does not), reap it, free @m (NULL ok). */
void qemu_machine_destroy(struct qemu_machine *m);

#endif /* MMAMP_HOST_QEMU_MACHINE_H */
