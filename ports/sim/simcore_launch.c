/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/simcore_launch.c — starts mmamp-simcore with a core's address map and reads how it
 * ended (simcore_launch.h).
 */
#include "simcore_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmamp/host/platform.h"

/* The core sees its fds at these numbers (mmamp/wire/simcore.h: report 3; console here at 4). */
#define CHILD_REPORT_FD  3
#define CHILD_CONSOLE_FD 4
#define CHILD_MAP_FD0    10
/* Sources are moved above every target number first, so no dup2 overwrites a source. */
#define SOURCE_FD_MIN    100

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

static int fail(char *err, size_t errlen, int ret, const char *what, const char *detail)
{
	snprintf(err, errlen, "%s: %s", what, detail);
	return ret;
}

#define CHILD_GATE_FD 5 /* between the console (4) and the maps (10) */

/*
 * Start the core behind a gate: a fork (async-signal-safe calls only in the child) puts @src[i]
 * at @dst[i], sheds every other descriptor — a sibling waiting at its own gate must not hold
 * ours open — and waits; the parent runs l->before_run and then opens the gate.
 */
static int spawn_gated(const struct mmamp_simcore_launch *l, char *const argv[], const int *src,
		       const int *dst, int n, pid_t *pid, char *err, size_t errlen)
{
	int gate[2], ret;
	char go;
	pid_t child;

	if (pipe2(gate, O_CLOEXEC))
		return fail(err, errlen, -errno, "simcore: gate pipe", strerror(errno));
	ret = fcntl(gate[0], F_DUPFD_CLOEXEC, SOURCE_FD_MIN); /* above every target number */
	close(gate[0]);
	gate[0] = ret;
	if (gate[0] < 0) {
		close(gate[1]);
		return fail(err, errlen, -EMFILE, "simcore", "out of file descriptors");
	}
	child = fork();
	if (child == 0) {
		for (int i = 0; i < n; i++)
			if (dup2(src[i], dst[i]) < 0)
				_exit(MMAMP_SIMCORE_EXIT_SETUP);
		if (dup2(gate[0], CHILD_GATE_FD) < 0 || close_range(CHILD_GATE_FD + 1, CHILD_MAP_FD0 - 1, 0) ||
		    close_range(CHILD_MAP_FD0 + (unsigned)l->nmaps, ~0u, 0))
			_exit(MMAMP_SIMCORE_EXIT_SETUP);
		while ((ret = (int)read(CHILD_GATE_FD, &go, 1)) < 0 && errno == EINTR)
			;
		if (ret != 1)
			_exit(MMAMP_SIMCORE_EXIT_NO_GATE); /* the host died before it let us run */
		close(CHILD_GATE_FD);
		execv(argv[0], argv);
		_exit(127);
	}
	close(gate[0]);
	if (child < 0) {
		ret = -errno;
		close(gate[1]);
		return fail(err, errlen, ret, "simcore: fork", strerror(-ret));
	}
	ret = l->before_run(l->ctx, child, err, errlen);
	if (!ret && write(gate[1], "g", 1) != 1)
		ret = fail(err, errlen, -EIO, "simcore", "cannot open the gate of its process");
	close(gate[1]);
	if (ret) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return ret;
	}
	*pid = child;
	return 0;
}

int mmamp_simcore_spawn(const struct mmamp_simcore_launch *l, pid_t *pid, int *report_fd,
			char *err, size_t errlen)
{
	char args[MMAMP_SIMCORE_MAX_MAPS][96], boot[32], stack[32], path[4096];
	char *argv[16 + 2 * MMAMP_SIMCORE_MAX_MAPS];
	int src[MMAMP_SIMCORE_MAX_MAPS + 2], dst[MMAMP_SIMCORE_MAX_MAPS + 2], nsrc = 0, report[2];
	int argc = 0, ret;
	posix_spawn_file_actions_t fa;

	if (l->nmaps == 0 || l->nmaps > MMAMP_SIMCORE_MAX_MAPS)
		return fail(err, errlen, -E2BIG, "simcore", "between 1 and 16 regions per core");
	if ((size_t)snprintf(path, sizeof(path), "%s", l->simcore) >= sizeof(path))
		return fail(err, errlen, -ENAMETOOLONG, l->simcore, "path too long");
	argv[argc++] = path;
	if (pipe2(report, O_CLOEXEC))
		return fail(err, errlen, -errno, "simcore: report pipe", strerror(errno));
	for (unsigned i = 0; i < l->nmaps; i++) {
		const struct mmamp_simcore_map *m = &l->maps[i];

		snprintf(args[i], sizeof(args[i]), "%u:%#llx:%#llx:%s:%#llx", CHILD_MAP_FD0 + i,
			 (unsigned long long)m->da, (unsigned long long)m->size,
			 prot_str(m->perm), (unsigned long long)m->offset);
		argv[argc++] = "--map";
		argv[argc++] = args[i];
	}
	snprintf(boot, sizeof(boot), "%#llx", (unsigned long long)l->boot);
	snprintf(stack, sizeof(stack), "%#llx", (unsigned long long)l->stack_top);
	argv[argc++] = "--boot";
	argv[argc++] = boot;
	argv[argc++] = "--stack-top";
	argv[argc++] = stack;
	argv[argc++] = "--report";
	argv[argc++] = "3";
	if (l->console_fd >= 0) {
		argv[argc++] = "--console";
		argv[argc++] = "4";
	}
	if (l->die_with_parent)
		argv[argc++] = "--die-with-parent";
	argv[argc] = NULL;

	posix_spawn_file_actions_init(&fa);
	src[nsrc] = fcntl(report[1], F_DUPFD_CLOEXEC, SOURCE_FD_MIN);
	dst[nsrc] = CHILD_REPORT_FD;
	posix_spawn_file_actions_adddup2(&fa, src[nsrc++], CHILD_REPORT_FD);
	if (l->console_fd >= 0) {
		src[nsrc] = fcntl(l->console_fd, F_DUPFD_CLOEXEC, SOURCE_FD_MIN);
		dst[nsrc] = CHILD_CONSOLE_FD;
		posix_spawn_file_actions_adddup2(&fa, src[nsrc++], CHILD_CONSOLE_FD);
	}
	for (unsigned i = 0; i < l->nmaps; i++) {
		src[nsrc] = fcntl(l->maps[i].fd, F_DUPFD_CLOEXEC, SOURCE_FD_MIN);
		dst[nsrc] = (int)(CHILD_MAP_FD0 + i);
		posix_spawn_file_actions_adddup2(&fa, src[nsrc++], (int)(CHILD_MAP_FD0 + i));
	}
	ret = -1;
	for (int i = 0; i < nsrc; i++)
		if (src[i] < 0)
			ret = -EMFILE;
	if (ret == -EMFILE)
		fail(err, errlen, ret, l->simcore, "out of file descriptors");
	else if (l->before_run)
		ret = spawn_gated(l, argv, src, dst, nsrc, pid, err, errlen);
	else if ((ret = -posix_spawn(pid, l->simcore, &fa, NULL, argv, NULL)))
		fail(err, errlen, ret, l->simcore, strerror(-ret));
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < nsrc; i++)
		if (src[i] >= 0)
			close(src[i]);
	close(report[1]);
	if (ret) {
		close(report[0]);
		return ret;
	}
	*report_fd = report[0];
	return 0;
}

bool mmamp_simcore_describe_end(int status, int report_fd, const char *console, char *buf,
				size_t len)
{
	struct mmamp_simcore_report rep;
	ssize_t n = -1;

	if (report_fd >= 0)
		n = read(report_fd, &rep, sizeof(rep));
	if (n == (ssize_t)sizeof(rep) && rep.magic == MMAMP_SIMCORE_REPORT_MAGIC) {
		snprintf(buf, len, "mmufault: %s at %#llx (pc %#llx)", strsignal((int)rep.signo),
			 (unsigned long long)rep.addr, (unsigned long long)rep.pc);
		return true;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == MMAMP_SIMCORE_EXIT_SETUP)
		snprintf(buf, len, "fatal error: the core could not be set up (see %s)",
			 console ? console : "its console");
	else if (WIFEXITED(status))
		snprintf(buf, len, "fatal error: the core stopped (exit status %d)",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "fatal error: the core was killed (%s)",
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "fatal error: the core ended");
	return false;
}
