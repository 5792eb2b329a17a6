/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_sim.c — the "sim" backend (backend.h): powering the core on starts a fresh
 * mmamp-simcore process that maps exactly its partition's regions and its MU side B (SCU
 * rules, docs/sim-platform.md), powering off kills it; doorbells go through the MU register
 * model (ports/sim/mu_model.h), whose interrupt line is a futex on the status word.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmamp/errno.h"
#include "rproc_internal.h"
#include "simcore_launch.h"

#define EM_X86_64 62u

/* struct sim_core - the sim backend's own state of one core (r->bk_priv). */
struct sim_core {
	struct host_mu *mu; /* the core's MU page */
	pid_t pid;          /* the process playing the core, 0 if none */
	bool adopted;       /* it was started by an earlier host (attach): not our child */
	int pidfd;          /* its end */
	int report_fd;      /* its fault report (simcore_launch.h), -1 if none */
};

static struct sim_core *sc(struct mmamp_rproc *r)
{
	return r->bk_priv;
}

/* ---- power: the simulated core process (started by ports/sim/simcore_launch.c) ---- */

static int sim_identify(struct mmamp_rproc *r, char *buf, size_t len);

struct spawn_maps {
	struct mmamp_rproc *r;
	struct mmamp_simcore_map maps[MMAMP_SIMCORE_MAX_MAPS];
	unsigned n;
	uint64_t stack_top;
};

static int add_map(struct spawn_maps *m, int fd, uint64_t da, uint64_t size, unsigned perm)
{
	if (m->n >= MMAMP_SIMCORE_MAX_MAPS)
		return -E2BIG;
	m->maps[m->n++] = (struct mmamp_simcore_map){ .fd = fd, .da = da, .size = size,
						      .perm = perm };
	return 0;
}

static int collect_region(void *ctx, const struct mmamp_region *reg, unsigned perm)
{
	struct spawn_maps *m = ctx;

	/* The stack goes at the top of the first writable, non-executable core-private region
	 * below the shared memory (the data TCM on i.MX8X). */
	if (!m->stack_top && (perm & MMAMP_PERM_W) && !(perm & MMAMP_PERM_X) &&
	    reg->owner == m->r->core->owner)
		m->stack_top = reg->da + reg->size;
	return add_map(m, host_region_of(m->r->h, reg)->fd, reg->da, reg->size, perm);
}

static int collect_mu(void *ctx, const struct mmamp_mu *mu, enum mmamp_mu_side side)
{
	struct spawn_maps *m = ctx;

	if (side != MMAMP_MU_SIDE_B)
		return 0;
	return add_map(m, host_mu_of(m->r->h, mu)->fd, mu->da, MMAMP_PLATFORM_PAGE,
		       MMAMP_PERM_RW);
}

/*
 * The launcher's gate (simcore_launch.h): the core's process exists but runs nothing until its
 * record is written ("phase booting", attach.c) — a host killed before that (test hook
 * MMAMP_TEST_EXIT_AT=spawned) leaves no core that a later host could not find.
 */
static int record_before_run(void *ctx, pid_t pid, char *err, size_t errlen)
{
	struct mmamp_rproc *r = ctx;
	struct sim_core *s = sc(r);
	char id[128];
	int ret;

	s->pid = pid;
	rproc_test_exit_at(r, "spawned", (int)pid);
	ret = sim_identify(r, id, sizeof(id));
	if (ret)
		return rproc_fail(err, errlen, ret, "core %s: its process %d vanished at once",
				  r->core->name, (int)pid);
	ret = rproc_record_write(r, id, "booting", err, errlen);
	if (ret) {
		s->pid = 0;
		rproc_record_clear(r);
	}
	return ret;
}

static int sim_power_on(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct sim_core *s = sc(r);
	struct spawn_maps m = { .r = r };
	struct mmamp_simcore_launch l = { .simcore = r->h->simcore };
	char console_path[4096];
	pid_t pid;
	int ret;

	mu_reset(&s->mu->mu); /* powering the partition resets its MU */
	ret = mmamp_scu_partition_regions(&r->h->scu, (int)r->core->owner->id, r->core,
					  collect_region, &m);
	if (!ret)
		ret = mmamp_scu_partition_mus(&r->h->scu, (int)r->core->owner->id, collect_mu, &m);
	if (ret)
		return rproc_fail(err, errlen, ret, "core %s: cannot list its partition's resources",
			    r->core->name);
	if (!m.stack_top)
		return rproc_fail(err, errlen, -EINVAL, "core %s: no writable private memory for a stack",
			    r->core->name);
	snprintf(console_path, sizeof(console_path), "%s/%s.console", r->h->runtime_dir,
		 r->core->name);
	l.console_fd = open(console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l.console_fd < 0)
		return rproc_fail(err, errlen, -errno, "%s: %s", console_path, strerror(errno));
	l.maps = m.maps;
	l.nmaps = m.n;
	l.boot = r->boot_addr;
	l.stack_top = m.stack_top;
	/* mmampd's cores outlive it (attach); a tool's or a test's private host takes its own along */
	l.die_with_parent = !r->h->cores_outlive_host;
	l.before_run = record_before_run;
	l.ctx = r;
	ret = mmamp_simcore_spawn(&l, &pid, &s->report_fd, err, errlen);
	close(l.console_fd);
	if (ret) {
		if (s->pid) { /* recorded, then the gate failed: the launcher has reaped it */
			s->pid = 0;
			rproc_record_clear(r);
		}
		return ret;
	}
	s->pid = pid;
	s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}

/* Kill and reap the core process; describe how it ended (for crashed). Lock held. */
static void sim_power_off(struct mmamp_rproc *r, bool expected)
{
	struct sim_core *s = sc(r);
	char console_path[4096];
	int status = 0, report_fd = s->report_fd;

	if (!s->pid)
		return;
	kill(s->pid, SIGKILL); /* whatever is left of it */
	if (s->adopted) {
		/* not our child: no exit status; its pidfd says when it is gone */
		struct pollfd pfd = { .fd = s->pidfd, .events = POLLIN };

		poll(&pfd, 1, 1000);
	} else {
		waitpid(s->pid, &status, 0);
	}
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pid = 0;
	s->pidfd = -1;
	s->report_fd = -1;
	if (expected) {
		s->adopted = false;
	} else if (r->fault_pending) {
		r->fault_pending = false; /* the reason was written when the vdev broke */
	} else if (s->adopted) {
		s->adopted = false;
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "fatal error: the core ended (started by an earlier host: no exit status)");
	} else {
		snprintf(console_path, sizeof(console_path), "%s/%s.console", r->h->runtime_dir,
			 r->core->name);
		mmamp_simcore_describe_end(status, report_fd, console_path, r->crash_reason,
					   sizeof(r->crash_reason));
	}
	if (report_fd >= 0)
		close(report_fd);
}

/* ---- a core that outlives its host (attach, docs/protocol.md §1.3) ---- */

static int sim_identify(struct mmamp_rproc *r, char *buf, size_t len)
{
	struct sim_core *s = sc(r);
	unsigned long long start = rproc_proc_start_time(s->pid);

	if (!s->pid || !start)
		return -ESRCH;
	snprintf(buf, len, "pid %d start %llu", (int)s->pid, start);
	return 0;
}

static int sim_adopt(struct mmamp_rproc *r, const char *record)
{
	struct sim_core *s = sc(r);
	unsigned long long start;
	int pid, fd;

	if (sscanf(record, "pid %d start %llu", &pid, &start) != 2 || pid <= 1)
		return -EINVAL;
	if (rproc_proc_start_time(pid) != start)
		return -ESRCH; /* gone, or the pid now names another process */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	s->pid = pid;
	s->pidfd = fd;
	s->report_fd = -1;
	s->adopted = true;
	return 0;
}

static void sim_forget(struct mmamp_rproc *r)
{
	struct sim_core *s = sc(r);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->report_fd >= 0)
		close(s->report_fd);
	s->pid = 0;
	s->pidfd = s->report_fd = -1;
}

static int sim_death_fd(struct mmamp_rproc *r)
{
	struct sim_core *s = sc(r);
	return s->pidfd;
}

static int sim_pid(struct mmamp_rproc *r)
{
	struct sim_core *s = sc(r);
	return s->pid;
}

/* ---- doorbells: MU channel 1 (docs/sim-platform.md), side A ---- */

static void sim_irq_enable(struct mmamp_rproc *r, bool on)
{
	struct sim_core *s = sc(r);
	if (on)
		mu_rmw_cr(&s->mu->mu, MU_SIDE_A, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);
	else
		mu_rmw_cr(&s->mu->mu, MU_SIDE_A, 0, MU_CR_RIE(MU_DOORBELL_CHANNEL));
}

/*
 * Ring the core. If our previous doorbell is still unread (TE1 clear), it already covers this
 * one: the remote takes a doorbell (reading RR1, which sets our TE1) before it looks at the
 * rings, and our ring update is ordered before this check. So we coalesce instead of waiting
 * for a core that may be descheduled, stopped or dead — a notification is a hint, never data.
 * Callers hold r->lock, so there is one sender on side A. Returns 1 when it rang, 0 coalesced.
 */
static int sim_kick(struct mmamp_rproc *r, uint32_t notifyid)
{
	struct sim_core *s = sc(r);
	struct mu *mu = &s->mu->mu;

	if (notifyid > MU_NOTIFYID_MAX)
		return -MMAMP_EINVAL;
	if (!(mu_get_sr(mu, MU_SIDE_A) & MU_SR_TE(MU_DOORBELL_CHANNEL)))
		return 0;
	mu_write_tr(mu, MU_SIDE_A, MU_DOORBELL_CHANNEL, notifyid << MU_DOORBELL_SHIFT);
	return 1;
}

static int sim_take_doorbell(struct mmamp_rproc *r, char *why, size_t whylen)
{
	struct sim_core *s = sc(r);
	uint32_t id;

	(void)why;
	(void)whylen;
	return mu_doorbell_recv(&s->mu->mu, MU_SIDE_A, &id) == 0 ? 0 : -EAGAIN;
}

static bool sim_pending(struct mmamp_rproc *r)
{
	struct sim_core *s = sc(r);
	return mu_doorbell_pending(&s->mu->mu, MU_SIDE_A);
}

static int sim_wait(struct mmamp_rproc *r, uint64_t timeout_ns)
{
	struct sim_core *s = sc(r);
	struct mu *mu = &s->mu->mu;
	uint32_t seq = mu_irq_seq(mu, MU_SIDE_A);

	if (mu_doorbell_pending(mu, MU_SIDE_A))
		return 0;
	return mu_host_wait_line(mu, MU_SIDE_A, seq, timeout_ns);
}

static void sim_wake(struct mmamp_rproc *r)
{
	struct sim_core *s = sc(r);
	mu_raise_irq(&s->mu->mu, MU_SIDE_A);
}

static int sim_create(struct mmamp_rproc *r, char *err, size_t errlen)
{
	const struct mmamp_core *c = r->core;
	struct sim_core *s;

	for (size_t i = 0; i < c->natt; i++)
		if (c->att[i]->file_offset || strcmp(c->att[i]->file, c->att[i]->name))
			return rproc_fail(err, errlen, -EINVAL, "core %s: region %s: the sim "
					    "backend maps whole region files (no 'file'/'file-offset')",
					    c->name, c->att[i]->name);
	s = calloc(1, sizeof(*s));
	if (!s)
		return rproc_fail(err, errlen, -ENOMEM, "core %s: no memory", c->name);
	s->mu = host_mu_of(r->h, c->mu);
	s->pidfd = s->report_fd = -1;
	r->bk_priv = s;
	return 0;
}

static void sim_destroy(struct mmamp_rproc *r)
{
	free(r->bk_priv);
	r->bk_priv = NULL;
}

const struct rproc_backend_ops rproc_backend_sim = {
	.name = "sim",
	.elf_machine = EM_X86_64,
	.create = sim_create,
	.destroy = sim_destroy,
	.power_on = sim_power_on,
	.power_off = sim_power_off,
	.death_fd = sim_death_fd,
	.irq_enable = sim_irq_enable,
	.kick = sim_kick,
	.take_doorbell = sim_take_doorbell,
	.pending = sim_pending,
	.wait = sim_wait,
	.wake = sim_wake,
	.pid = sim_pid,
	.identify = sim_identify,
	.adopt = sim_adopt,
	.forget = sim_forget,
};
