/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend.h — how the host reaches a remote core's "silicon": power, doorbells and the core's
 * death, as one small ops table per kind of core. remoteproc (rproc*.c: lifecycle, boot
 * sequence, host thread, RPMsg vdev) is the same for all of them; what a backend keeps of its
 * own core lives in its private data (r->bk_priv). The platform description picks the backend
 * per core ("backend" property of /cores/<name>, default "sim").
 *
 *   sim   (backend_sim.c)  a new mmamp-simcore process per power-on, mapping exactly the core's
 *                          partition; doorbells through the MU register model (ports/sim).
 *   qemu  (backend_qemu.c) one QEMU mps2-an386 per core, started with the host; its boot ROM
 *                          waits for each power-on; doorbells are bytes on a UART socket.
 *
 * Locking: every op runs with the rproc's lock held, except doorbell_wait() and wake(), which the
 * host thread / mmamp_rproc_wait_doorbell() call without it, and take_doorbell(), which may run
 * either way (it only touches the doorbell hardware).
 */
#ifndef MMAMP_HOST_BACKEND_H
#define MMAMP_HOST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mmamp_rproc;

/**
 * struct rproc_backend_ops - one kind of remote core.
 * @name:          "sim", "qemu" (the platform's "backend" value).
 * @elf_machine:   the e_machine its firmware must have (EM_X86_64 = 62, EM_ARM = 40).
 * @create:        once per rproc, when the host opens (optional). May set r->bk.
 * @destroy:       undo @create (optional).
 * @power_on:      the image is in memory and the live table written: start the core at
 *                 r->boot_addr. Must set up crash detection before returning.
 * @power_off:     stop the core and forget it. @expected false: it died or was declared
 *                 crashed — unless r->fault_pending (the reason is already written), describe
 *                 how it ended in r->crash_reason.
 * @death_fd:      an fd that becomes readable when the running core ends on its own (the
 *                 monitor watches it), or -1.
 * @irq_enable:    switch the host-side doorbell interrupt on (interrupt mode) or off (polled).
 * @kick:          ring the core for vring @notifyid (may coalesce with an unread doorbell).
 * @take_doorbell: take one pending doorbell from the core: 0, -EAGAIN (none), or -EFAULT when
 *                 the core reported a fatal fault (the reason is written to @why).
 * @pending:       whether a doorbell (or fault report) is waiting.
 * @wait:          sleep until the core rings or @timeout_ns passes: 0 / -ETIMEDOUT.
 * @wake:          make a concurrent @wait return (stopping the host thread).
 * @pid:           the process that plays the core (0 if none): for tools and tests.
 * @identify:      a one-line record of the powered core that lets a later host find it again
 *                 (sim: "pid <n> start <ticks>") (optional: no attach without it).
 * @adopt:         take over the core a record describes, if it still runs (0), or -ESRCH.
 * @forget:        let go of a powered core without stopping it (host closing while detached).
 */
struct rproc_backend_ops {
	const char *name;
	unsigned elf_machine;
	int (*create)(struct mmamp_rproc *r, char *err, size_t errlen);
	void (*destroy)(struct mmamp_rproc *r);
	int (*power_on)(struct mmamp_rproc *r, char *err, size_t errlen);
	void (*power_off)(struct mmamp_rproc *r, bool expected);
	int (*death_fd)(struct mmamp_rproc *r);
	void (*irq_enable)(struct mmamp_rproc *r, bool on);
	int (*kick)(struct mmamp_rproc *r, uint32_t notifyid);
	int (*take_doorbell)(struct mmamp_rproc *r, char *why, size_t whylen);
	bool (*pending)(struct mmamp_rproc *r);
	int (*wait)(struct mmamp_rproc *r, uint64_t timeout_ns);
	void (*wake)(struct mmamp_rproc *r);
	int (*pid)(struct mmamp_rproc *r);
	int (*identify)(struct mmamp_rproc *r, char *buf, size_t len);
	int (*adopt)(struct mmamp_rproc *r, const char *record);
	void (*forget)(struct mmamp_rproc *r);
};

extern const struct rproc_backend_ops rproc_backend_sim;
extern const struct rproc_backend_ops rproc_backend_qemu;

/** rproc_backend_find() - the ops for a platform "backend" name, or NULL. */
/**
 * rproc_proc_start_time() - process @pid's start time (clock ticks since boot, /proc stat
 * field 22), or 0 if it is gone: with the pid it names one process whatever pids were reused
 * since — what a backend's identify/adopt record holds.
 */
unsigned long long rproc_proc_start_time(pid_t pid);

const struct rproc_backend_ops *rproc_backend_find(const char *name);

#endif /* MMAMP_HOST_BACKEND_H */
