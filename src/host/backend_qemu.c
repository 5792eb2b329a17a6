/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_qemu.c — the "qemu" backend (backend.h): the core is a QEMU mps2-an386 running real
 * Cortex-M4 code (qemu_machine.c, ports/qemu-mps2, docs/qemu-platform.md).
 *
 *   power on   QEMU is launched on first use (paused, its boot ROM waiting) and kept: the
 *              LCM has loaded the segments into the shared main-RAM file; "go" hands the boot
 *              ROM the vector table (the boot address) and the firmware region to rewrite
 *              (stale translations), and it jumps.
 *   power off  system_reset: back into the boot ROM, which waits for the next go. QEMU stays,
 *              so a swap costs no emulator start. A QEMU stopped by a signal (SIGSTOP: the
 *              watchdog's frozen core) is continued first, so it can take the reset.
 *   doorbells  one byte per doorbell on UART1 (a socket); a HardFault arrives as the fault
 *              byte with a record in the boot mailbox, and becomes "crashed" with its reason.
 *   death      QEMU's own end (pidfd); the next power-on launches a new one.
 *   attach     QEMU outlives its host (no parent-death signal; its sockets reconnect every
 *              second): a host started later adopts it from the record "qemu pid P start T"
 *              by listening on the same socket paths (qemu_machine_adopt), and the attach
 *              handshake (attach.c) takes it from there; a host that closes while the core is
 *              detached lets go of it the same way (forget).
 *
 * Every region of the core lives in one 16 MiB file, QEMU's main RAM (the platform gives them
 * all the same "file", at offset = address − 0x21000000).
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "qemu_machine.h"
#include "rproc_internal.h"

#define EM_ARM 40u

struct qemu_core {
	struct qemu_machine *m;
	int pidfd;   /* QEMU's end */
	int wakefd;  /* makes a waiting host thread return */
	const struct mmamp_region *fw; /* the region holding the boot address */
	char ram_file[4096];
};

static struct qemu_core *qc(struct mmamp_rproc *r)
{
	return r->bk_priv;
}

static int qemu_create(struct mmamp_rproc *r, char *err, size_t errlen)
{
	const struct mmamp_core *c = r->core;
	struct qemu_core *q;
	uint64_t off;

	if (!r->h->qemu_bootrom) {
		snprintf(err, errlen, "core %s: backend qemu needs a boot ROM "
			 "(mmamp_host_config.qemu_bootrom, mmampd --qemu-bootrom)", c->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < c->natt; i++) {
		const struct mmamp_region *g = c->att[i];

		if (strcmp(g->file, c->att[0]->file) || g->da < QEMU_MACHINE_RAM_BASE ||
		    g->file_offset != g->da - QEMU_MACHINE_RAM_BASE) {
			snprintf(err, errlen, "core %s: region %s must live in QEMU's main RAM: file "
				 "\"%s\" at offset = device address - %#x", c->name, g->name,
				 c->att[0]->file, QEMU_MACHINE_RAM_BASE);
			return -EINVAL;
		}
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->pidfd = -1;
	q->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->fw = mmamp_platform_region_at(&r->h->plat, c, r->core->boot_addr, 4, &off);
	snprintf(q->ram_file, sizeof(q->ram_file), "%s/shm/%s", r->h->runtime_dir,
		 c->att[0]->file);
	if (q->wakefd < 0 || !q->fw) {
		if (q->wakefd >= 0)
			close(q->wakefd);
		free(q);
		snprintf(err, errlen, "core %s: no region holds the boot address", c->name);
		return -EINVAL;
	}
	r->bk_priv = q;
	return 0;
}

static void drop_machine(struct qemu_core *q)
{
	qemu_machine_destroy(q->m);
	q->m = NULL;
	if (q->pidfd >= 0)
		close(q->pidfd);
	q->pidfd = -1;
}

static void qemu_destroy(struct mmamp_rproc *r)
{
	struct qemu_core *q = qc(r);

	if (!q)
		return;
	drop_machine(q);
	close(q->wakefd);
	free(q);
	r->bk_priv = NULL;
}

static int qemu_id(pid_t pid, char *buf, size_t len)
{
	unsigned long long start = pid > 0 ? rproc_proc_start_time(pid) : 0;

	if (!start)
		return -ESRCH;
	snprintf(buf, len, "qemu pid %d start %llu", (int)pid, start);
	return 0;
}

/* Launch: QEMU's process exists, it has not started yet. Recorded "idle" (it waits in its boot
 * ROM until the first go), so a host started after this one died finds and ends it. */
static int record_before_run(void *ctx, pid_t pid, char *err, size_t errlen)
{
	struct mmamp_rproc *r = ctx;
	char id[128];
	int ret;

	rproc_test_exit_at(r, "spawned", (int)pid);
	ret = qemu_id(pid, id, sizeof(id));
	return ret ? ret : rproc_record_write(r, id, "idle", err, errlen);
}

/* The launch/adopt configuration of @r's QEMU: its files under the runtime directory. */
static int machine_config(struct mmamp_rproc *r, struct qemu_machine_config *cfg, char *dir,
			  char *console, size_t len, char *err, size_t errlen)
{
	snprintf(dir, len, "%s/%s.qemu", r->h->runtime_dir, r->core->name);
	snprintf(console, len, "%s/%s.console", r->h->runtime_dir, r->core->name);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	*cfg = (struct qemu_machine_config){
		.qemu = r->h->qemu,
		.bootrom = r->h->qemu_bootrom,
		.ram_file = qc(r)->ram_file,
		.ram_size = QEMU_MACHINE_RAM_SIZE,
		.socket_dir = dir,
		.console_log = console,
		.outlive_host = r->h->cores_outlive_host,
		.before_run = record_before_run,
		.before_run_ctx = r,
	};
	return 0;
}

/* QEMU, launched if there is none (or the last one ended). */
static int ensure_machine(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct qemu_core *q = qc(r);
	char dir[4096], console[4096];
	struct qemu_machine_config cfg;
	int ret;

	if (q->m && !qemu_machine_exited(q->m, NULL))
		return 0;
	drop_machine(q);
	ret = machine_config(r, &cfg, dir, console, sizeof(dir), err, errlen);
	if (!ret)
		ret = qemu_machine_launch(&cfg, &q->m, err, errlen);
	if (ret)
		return ret;
	q->pidfd = (int)syscall(SYS_pidfd_open, qemu_machine_pid(q->m), 0);
	return 0;
}

/* ---- a core that outlives its host (attach, docs/protocol.md §1.3) ---- */

static int qemu_identify(struct mmamp_rproc *r, char *buf, size_t len)
{
	struct qemu_core *q = qc(r);

	return qemu_id(q->m ? qemu_machine_pid(q->m) : 0, buf, len);
}

static int qemu_adopt(struct mmamp_rproc *r, const char *record)
{
	struct qemu_core *q = qc(r);
	char dir[4096], console[4096], err[256];
	struct qemu_machine_config cfg;
	unsigned long long start;
	int pid, ret;

	if (sscanf(record, "qemu pid %d start %llu", &pid, &start) != 2 || pid <= 1)
		return -EINVAL;
	if (rproc_proc_start_time(pid) != start)
		return -ESRCH; /* gone, or the pid now names another process */
	ret = machine_config(r, &cfg, dir, console, sizeof(dir), err, sizeof(err));
	if (!ret)
		ret = qemu_machine_adopt(&cfg, pid, &q->m, err, sizeof(err));
	if (ret) {
		/* Ours by its record, but it cannot be driven (it did not reconnect): nobody else
		 * will ever stop it, and the next boot launches a new one on the same RAM file. */
		kill(pid, SIGKILL);
		return ret;
	}
	q->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}

static void qemu_forget(struct mmamp_rproc *r)
{
	struct qemu_core *q = qc(r);

	qemu_machine_forget(q->m); /* QEMU runs on; its sockets wait for the next host */
	q->m = NULL;
	if (q->pidfd >= 0)
		close(q->pidfd);
	q->pidfd = -1;
}

static int qemu_power_on(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct qemu_core *q = qc(r);
	char id[128];
	int ret = ensure_machine(r, err, errlen);

	if (!ret)
		ret = qemu_identify(r, id, sizeof(id));
	if (!ret) /* a host that dies from here on leaves a QEMU the next one ends */
		ret = rproc_record_write(r, id, "booting", err, errlen);
	if (ret)
		return ret;
	ret = qemu_machine_go(q->m, (uint32_t)r->boot_addr, (uint32_t)q->fw->da,
			      (uint32_t)q->fw->size);
	if (ret)
		snprintf(err, errlen, "core %s: QEMU refused the boot: %s", r->core->name,
			 qemu_machine_error(q->m));
	return ret;
}

static void qemu_power_off(struct mmamp_rproc *r, bool expected)
{
	struct qemu_core *q = qc(r);
	char why[256];

	if (!q->m)
		return;
	if (!expected && !r->fault_pending) {
		if (qemu_machine_fault_reason(q->m, why, sizeof(why)) == 0)
			snprintf(r->crash_reason, sizeof(r->crash_reason), "fatal error: %s", why);
		else
			snprintf(r->crash_reason, sizeof(r->crash_reason),
				 "fatal error: the core stopped");
	}
	/*
	 * A QEMU stopped from outside (SIGSTOP, job control: what the watchdog catches as a frozen
	 * core) answers no QMP command, so the reset below would wait out its whole timeout and
	 * then kill it. Continuing it first costs nothing when it runs (QEMU takes SIGCONT's
	 * default action) and lets the reset work at once; the guest runs on for the moment the
	 * reset takes, which only the rings see, and the host resets those next.
	 */
	if (!qemu_machine_exited(q->m, NULL))
		kill(qemu_machine_pid(q->m), SIGCONT);
	if (qemu_machine_exited(q->m, NULL) || qemu_machine_halt(q->m))
		drop_machine(q); /* the next power-on starts a new QEMU */
}

static int qemu_death_fd(struct mmamp_rproc *r)
{
	return qc(r)->pidfd;
}

static void qemu_irq_enable(struct mmamp_rproc *r, bool on)
{
	(void)r; /* the doorbell socket is always readable; polled mode just looks more often */
	(void)on;
}

/* 1: rang; the machine may drop a byte when the socket is full — those it holds already
 * make the core look at both rings. */
static int qemu_kick(struct mmamp_rproc *r, uint32_t notifyid)
{
	struct qemu_core *q = qc(r);
	int ret;

	if (!q->m)
		return -EPIPE;
	ret = qemu_machine_kick(q->m, notifyid);
	return ret ? ret : 1;
}

static int qemu_take_doorbell(struct mmamp_rproc *r, char *why, size_t whylen)
{
	struct qemu_core *q = qc(r);
	uint32_t id;
	int ret;

	if (!q->m)
		return -EAGAIN;
	ret = qemu_machine_take_doorbell(q->m, &id);
	if (ret == -EFAULT || ret == -EPIPE) {
		char what[200];

		if (qemu_machine_fault_reason(q->m, what, sizeof(what)))
			snprintf(why, whylen, "fatal error: the core stopped");
		else if (ret == -EPIPE) /* QEMU's own end, said as when its death fd tells it */
			snprintf(why, whylen, "fatal error: %s", what);
		else /* the firmware's fault record: "hardfault: pc … CFSR …" */
			snprintf(why, whylen, "%s", what);
		return -EFAULT;
	}
	return ret;
}

static bool qemu_pending(struct mmamp_rproc *r)
{
	struct qemu_core *q = qc(r);
	struct pollfd p;

	if (!q->m)
		return false;
	p = (struct pollfd){ .fd = qemu_machine_event_fd(q->m), .events = POLLIN };
	return qemu_machine_faulted(q->m) || poll(&p, 1, 0) > 0;
}

static int qemu_wait(struct mmamp_rproc *r, uint64_t timeout_ns)
{
	struct qemu_core *q = qc(r);
	struct pollfd p[2] = { { .fd = q->wakefd, .events = POLLIN }, { .fd = -1 } };
	uint64_t v;
	int n;

	if (q->m)
		p[1] = (struct pollfd){ .fd = qemu_machine_event_fd(q->m), .events = POLLIN };
	n = poll(p, 2, (int)((timeout_ns + 999999u) / 1000000u));
	if (p[0].revents && read(q->wakefd, &v, sizeof(v)) < 0)
		v = 0;
	return n > 0 ? 0 : -ETIMEDOUT;
}

static void qemu_wake(struct mmamp_rproc *r)
{
	uint64_t one = 1;

	if (write(qc(r)->wakefd, &one, sizeof(one)) < 0)
		return; /* the counter is already non-zero */
}

static int qemu_pid(struct mmamp_rproc *r)
{
	return qc(r)->m ? (int)qemu_machine_pid(qc(r)->m) : 0;
}

const struct rproc_backend_ops rproc_backend_qemu = {
	.name = "qemu",
	.elf_machine = EM_ARM,
	.create = qemu_create,
	.destroy = qemu_destroy,
	.power_on = qemu_power_on,
	.power_off = qemu_power_off,
	.death_fd = qemu_death_fd,
	.irq_enable = qemu_irq_enable,
	.kick = qemu_kick,
	.take_doorbell = qemu_take_doorbell,
	.pending = qemu_pending,
	.wait = qemu_wait,
	.wake = qemu_wake,
	.pid = qemu_pid,
	.identify = qemu_identify,
	.adopt = qemu_adopt,
	.forget = qemu_forget,
};
