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
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmamp/errno.h"
#include "rproc_internal.h"
#include "simcore.h"

#define EM_X86_64 62u

/* ---- power: the simulated core process ---- */

#define SIM_GATE_FD 5         /* the gate pipe in the child, between console (4) and maps (10) */
#define SIM_EXIT_NO_GATE 125  /* the child's exit status when its host died before the gate */

static int sim_identify(struct mmamp_rproc *r, char *buf, size_t len);

struct spawn_maps {
	struct mmamp_rproc *r;
	char args[MMAMP_SIMCORE_MAX_MAPS][64];
	int fds[MMAMP_SIMCORE_MAX_MAPS];
	unsigned n;
	uint64_t stack_top;
};

static const char *prot_str(unsigned perm)
{
	if ((perm & MMAMP_PERM_RWX) == MMAMP_PERM_RWX)
		return "rwx";
	if (perm & MMAMP_PERM_W)
		return "rw";
	if (perm & MMAMP_PERM_X)
		return "rx";
	return "r";
}

static int add_map(struct spawn_maps *m, int fd, uint64_t da, uint64_t size, unsigned perm)
{
	if (m->n >= MMAMP_SIMCORE_MAX_MAPS)
		return -E2BIG;
	m->fds[m->n] = fd;
	snprintf(m->args[m->n], sizeof(m->args[0]), "%u:%#llx:%#llx:%s", 10 + m->n,
		 (unsigned long long)da, (unsigned long long)size, prot_str(perm));
	m->n++;
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
 * Start the core process, recorded before it runs: @srcs[i] becomes fd @dsts[i] in it (report
 * 3, console 4, then the maps from 10 on, in that order). The child (a fork: async-signal-safe
 * calls only) puts its fds in place, sheds every other one, and waits on a gate pipe; the
 * parent writes the core's record ("phase booting", attach.c) and only then opens the gate. A
 * host that dies before (MMAMP_TEST_EXIT_AT=spawned) closes the gate unopened: the child sees
 * EOF and exits without ever running firmware — so no core runs that a later host cannot
 * find. Returns the pid or a negative errno with @err filled.
 */
static pid_t spawn_gated(struct mmamp_rproc *r, char *const argv[], const int *srcs,
			 const int *dsts, unsigned n, char *err, size_t errlen)
{
	char id[128];
	int gate[2], ret;
	pid_t pid, parent;

	for (unsigned i = 0; i < n; i++)
		if (srcs[i] < 0)
			return rproc_fail(err, errlen, -EMFILE, "core %s: out of file descriptors",
					  r->core->name);
	if (pipe2(gate, O_CLOEXEC))
		return rproc_fail(err, errlen, -errno, "core %s: pipe: %s", r->core->name,
				  strerror(errno));
	/* its read end above every target number too, or a dup2 below could overwrite it */
	ret = fcntl(gate[0], F_DUPFD_CLOEXEC, 100);
	close(gate[0]);
	gate[0] = ret;
	if (gate[0] < 0) {
		close(gate[1]);
		return rproc_fail(err, errlen, -EMFILE, "core %s: out of file descriptors",
				  r->core->name);
	}
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		char go;

		if (!r->h->cores_outlive_host &&
		    (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
			_exit(SIM_EXIT_NO_GATE); /* dies with its host, which is gone already */

		for (unsigned i = 0; i < n; i++)
			if (dup2(srcs[i], dsts[i]) < 0)
				_exit(MMAMP_SIMCORE_EXIT_SETUP);
		/* the gate at a fixed number, everything else closed: a sibling waiting at its own
		 * gate must not hold ours open */
		if (dup2(gate[0], SIM_GATE_FD) < 0 || close_range(SIM_GATE_FD + 1, 9, 0) ||
		    close_range(10 + (n - 2), ~0u, 0))
			_exit(MMAMP_SIMCORE_EXIT_SETUP);
		while ((ret = (int)read(SIM_GATE_FD, &go, 1)) < 0 && errno == EINTR)
			;
		if (ret != 1)
			_exit(SIM_EXIT_NO_GATE); /* the host died before it recorded us */
		close(SIM_GATE_FD);
		execv(argv[0], argv);
		_exit(127);
	}
	close(gate[0]);
	if (pid < 0) {
		ret = -errno;
		close(gate[1]);
		return rproc_fail(err, errlen, ret, "core %s: fork: %s", r->core->name,
				  strerror(-ret));
	}
	r->pid = pid;
	rproc_test_exit_at(r, "spawned", (int)pid);
	ret = sim_identify(r, id, sizeof(id));
	if (!ret)
		ret = rproc_record_write(r, id, "booting", err, errlen);
	else
		rproc_fail(err, errlen, ret, "core %s: its process %d vanished at once",
			   r->core->name, (int)pid);
	if (!ret && write(gate[1], "g", 1) != 1)
		ret = rproc_fail(err, errlen, -EIO, "core %s: cannot release its process",
				 r->core->name);
	close(gate[1]);
	if (ret) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		r->pid = 0;
		rproc_record_clear(r);
		return ret;
	}
	return pid;
}

static int sim_power_on(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct spawn_maps m = { .r = r };
	char boot[32], stack[32], console_path[4096];
	char *argv[16 + 2 * MMAMP_SIMCORE_MAX_MAPS];
	int report[2], console, ret, argc = 0;
	int srcs[2 + MMAMP_SIMCORE_MAX_MAPS], dsts[2 + MMAMP_SIMCORE_MAX_MAPS];
	pid_t pid;

	mu_reset(&r->mu->mu); /* powering the partition resets its MU */
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
	if (pipe2(report, O_CLOEXEC))
		return -errno;
	snprintf(console_path, sizeof(console_path), "%s/%s.console", r->h->runtime_dir,
		 r->core->name);
	console = open(console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (console < 0) {
		close(report[0]);
		close(report[1]);
		return rproc_fail(err, errlen, -errno, "%s: %s", console_path, strerror(errno));
	}

	snprintf(boot, sizeof(boot), "%#llx", (unsigned long long)r->boot_addr);
	snprintf(stack, sizeof(stack), "%#llx", (unsigned long long)m.stack_top);
	argv[argc++] = r->h->simcore;
	for (unsigned i = 0; i < m.n; i++) {
		argv[argc++] = "--map";
		argv[argc++] = m.args[i];
	}
	argv[argc++] = "--boot";
	argv[argc++] = boot;
	argv[argc++] = "--stack-top";
	argv[argc++] = stack;
	argv[argc++] = "--report";
	argv[argc++] = "3";
	argv[argc++] = "--console";
	argv[argc++] = "4";
	argv[argc] = NULL;

	/* Move every source above the target numbers first, so no dup2 overwrites a source. */
	srcs[0] = fcntl(report[1], F_DUPFD_CLOEXEC, 100);
	dsts[0] = 3; /* --report 3 */
	srcs[1] = fcntl(console, F_DUPFD_CLOEXEC, 100);
	dsts[1] = 4; /* --console 4 */
	for (unsigned i = 0; i < m.n; i++) {
		srcs[2 + i] = fcntl(m.fds[i], F_DUPFD_CLOEXEC, 100);
		dsts[2 + i] = (int)(10 + i);
	}
	pid = spawn_gated(r, argv, srcs, dsts, 2 + m.n, err, errlen);
	for (unsigned i = 0; i < 2 + m.n; i++)
		if (srcs[i] >= 0)
			close(srcs[i]);
	close(report[1]);
	close(console);
	if (pid < 0) {
		close(report[0]);
		return (int)pid;
	}
	r->pid = pid;
	r->report_fd = report[0];
	r->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}

/* Kill and reap the core process; describe how it ended (for crashed). Lock held. */
static void sim_power_off(struct mmamp_rproc *r, bool expected)
{
	struct mmamp_simcore_report rep;
	int status = 0;
	ssize_t n = -1;

	if (!r->pid)
		return;
	kill(r->pid, SIGKILL); /* whatever is left of it */
	if (r->adopted) {
		/* not our child: no exit status; its pidfd says when it is gone */
		struct pollfd pfd = { .fd = r->pidfd, .events = POLLIN };

		poll(&pfd, 1, 1000);
	} else {
		waitpid(r->pid, &status, 0);
	}
	if (r->report_fd >= 0) {
		n = read(r->report_fd, &rep, sizeof(rep));
		close(r->report_fd);
	}
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pid = 0;
	r->pidfd = -1;
	r->report_fd = -1;
	if (expected) {
		r->adopted = false;
		return;
	}
	if (r->fault_pending) {
		r->fault_pending = false; /* the reason was written when the vdev broke */
		return;
	}
	if (r->adopted) {
		r->adopted = false;
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "fatal error: the core ended (started by an earlier host: no exit status)");
	} else if (n == (ssize_t)sizeof(rep) && rep.magic == MMAMP_SIMCORE_REPORT_MAGIC)
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "mmufault: %s at %#llx (pc %#llx)", strsignal((int)rep.signo),
			 (unsigned long long)rep.addr, (unsigned long long)rep.pc);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == MMAMP_SIMCORE_EXIT_SETUP)
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "fatal error: the core could not be set up (see %s/%s.console)",
			 r->h->runtime_dir, r->core->name);
	else if (WIFEXITED(status))
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "fatal error: the core stopped (exit status %d)", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(r->crash_reason, sizeof(r->crash_reason),
			 "fatal error: the core was killed (%s)", strsignal(WTERMSIG(status)));
}

/* ---- a core that outlives its host (attach, reference §1.7) ---- */

static int sim_identify(struct mmamp_rproc *r, char *buf, size_t len)
{
	unsigned long long start = rproc_proc_start_time(r->pid);

	if (!r->pid || !start)
		return -ESRCH;
	snprintf(buf, len, "pid %d start %llu", (int)r->pid, start);
	return 0;
}

static int sim_adopt(struct mmamp_rproc *r, const char *record)
{
	unsigned long long start;
	int pid, fd;

	if (sscanf(record, "pid %d start %llu", &pid, &start) != 2 || pid <= 1)
		return -EINVAL;
	if (rproc_proc_start_time(pid) != start)
		return -ESRCH; /* gone, or the pid now names another process */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	r->pid = pid;
	r->pidfd = fd;
	r->report_fd = -1;
	r->adopted = true;
	return 0;
}

static void sim_forget(struct mmamp_rproc *r)
{
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->report_fd >= 0)
		close(r->report_fd);
	r->pid = 0;
	r->pidfd = r->report_fd = -1;
}

static int sim_death_fd(struct mmamp_rproc *r)
{
	return r->pidfd;
}

static int sim_pid(struct mmamp_rproc *r)
{
	return r->pid;
}

/* ---- doorbells: MU channel 1 (reference §5.2), side A ---- */

static void sim_irq_enable(struct mmamp_rproc *r, bool on)
{
	if (on)
		mu_rmw_cr(&r->mu->mu, MU_SIDE_A, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);
	else
		mu_rmw_cr(&r->mu->mu, MU_SIDE_A, 0, MU_CR_RIE(MU_DOORBELL_CHANNEL));
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
	struct mu *mu = &r->mu->mu;

	if (notifyid > MU_NOTIFYID_MAX)
		return -MMAMP_EINVAL;
	if (!(mu_get_sr(mu, MU_SIDE_A) & MU_SR_TE(MU_DOORBELL_CHANNEL)))
		return 0;
	mu_write_tr(mu, MU_SIDE_A, MU_DOORBELL_CHANNEL, notifyid << MU_DOORBELL_SHIFT);
	return 1;
}

static int sim_take_doorbell(struct mmamp_rproc *r, char *why, size_t whylen)
{
	uint32_t id;

	(void)why;
	(void)whylen;
	return mu_doorbell_recv(&r->mu->mu, MU_SIDE_A, &id) == 0 ? 0 : -EAGAIN;
}

static bool sim_pending(struct mmamp_rproc *r)
{
	return mu_doorbell_pending(&r->mu->mu, MU_SIDE_A);
}

static int sim_wait(struct mmamp_rproc *r, uint64_t timeout_ns)
{
	struct mu *mu = &r->mu->mu;
	uint32_t seq = mu_irq_seq(mu, MU_SIDE_A);

	if (mu_doorbell_pending(mu, MU_SIDE_A))
		return 0;
	return mu_host_wait_line(mu, MU_SIDE_A, seq, timeout_ns);
}

static void sim_wake(struct mmamp_rproc *r)
{
	mu_raise_irq(&r->mu->mu, MU_SIDE_A);
}

static int sim_create(struct mmamp_rproc *r, char *err, size_t errlen)
{
	const struct mmamp_core *c = r->core;

	for (size_t i = 0; i < c->natt; i++)
		if (c->att[i]->file_offset || strcmp(c->att[i]->file, c->att[i]->name))
			return rproc_fail(err, errlen, -EINVAL, "core %s: region %s: the sim "
					    "backend maps whole region files (no 'file'/'file-offset')",
					    c->name, c->att[i]->name);
	r->mu = host_mu_of(r->h, c->mu);
	return 0;
}

const struct rproc_backend_ops rproc_backend_sim = {
	.name = "sim",
	.elf_machine = EM_X86_64,
	.create = sim_create,
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
