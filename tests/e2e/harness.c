/* SPDX-License-Identifier: BSD-3-Clause */
/* harness.c — see harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto.h"
#include "tool_time.h"

extern char **environ;

static uint64_t now_ms(void)
{
	return tool_now_ns() / 1000000u;
}

static int left_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	return deadline > now ? (int)(deadline - now) : 0;
}

static void print_file(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	fprintf(stderr, "---- %s ----\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "---- end of %s ----\n", path);
	fclose(f);
}

static void dump_logs(struct e2e *e)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/mmampd.log", e->rt);
	print_file(p);
	snprintf(p, sizeof(p), "%s/m4_0.console", e->rt);
	print_file(p);
	snprintf(p, sizeof(p), "%s/m4_1.console", e->rt);
	print_file(p);
}

/*
 * Daemons whose test failed an assertion before its e2e_stop (cmocka jumps out of the test):
 * when the test process exits, each is killed with its process group (its simulated cores),
 * the sysfs face it mounted is detached (a killed FUSE server leaves a dead mount) and its
 * runtime directory removed, so a failing test leaves nothing behind either.
 */
#define E2E_MAX_LIVE 16
static struct e2e *live[E2E_MAX_LIVE];

int e2e_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void live_reap(void)
{
	for (unsigned i = 0; i < E2E_MAX_LIVE; i++) {
		struct e2e *e = live[i];
		char sys[100];

		if (!e)
			continue;
		live[i] = NULL;
		if (e->daemon > 0) {
			kill(-e->daemon, SIGKILL);
			waitpid(e->daemon, NULL, 0);
		}
		snprintf(sys, sizeof(sys), "%s/sys", e->rt);
		if (umount2(sys, MNT_DETACH) && errno == EPERM) {
			const char *const argv[] = { "-u", "-z", sys, NULL };
			char out[256], err[256];

			run("/usr/bin/fusermount3", out, sizeof(out), err, sizeof(err), argv);
		}
		nftw(e->rt, e2e_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static void live_add(struct e2e *e)
{
	static bool registered;

	if (!registered)
		registered = atexit(live_reap) == 0;
	for (unsigned i = 0; i < E2E_MAX_LIVE; i++)
		if (!live[i]) {
			live[i] = e;
			return;
		}
}

static void live_del(struct e2e *e)
{
	for (unsigned i = 0; i < E2E_MAX_LIVE; i++)
		if (live[i] == e)
			live[i] = NULL;
}

void e2e_free(struct e2e *e)
{
	live_del(e);
	free(e);
}

/* argv arrays for exec are char *[]: copies, freed by the caller */
static void free_argv(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
}

struct e2e *e2e_start(const char *platform, const char *const *args)
{
	struct e2e *e = calloc(1, sizeof(*e));
	const char *argv[32];
	char *cargv[32];
	char plat[512], log[160], msg[512];
	int ready[2], argc = 0, logfd;
	struct pollfd p;
	ssize_t n;
	pid_t pid;

	assert_non_null(e);
	snprintf(e->rt, sizeof(e->rt), "/tmp/mmamp-e2e-XXXXXX");
	assert_non_null(mkdtemp(e->rt));
	if (platform && strchr(platform, '/'))
		snprintf(plat, sizeof(plat), "%s", platform);
	else
		snprintf(plat, sizeof(plat), "%s/%s.dtb", MMAMP_PLATFORM_DIR,
			 platform ? platform : "imx8qxp-sim");
	snprintf(log, sizeof(log), "%s/mmampd.log", e->rt);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	argv[argc++] = MMAMPD;
	argv[argc++] = "-F";
	argv[argc++] = "-r";
	argv[argc++] = e->rt;
	argv[argc++] = "-p";
	argv[argc++] = plat;
	argv[argc++] = "--ready-fd";
	argv[argc++] = "3";
	for (int i = 0; args && args[i] && argc < 30; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	for (int i = 0; i <= argc; i++)
		cargv[i] = argv[i] ? strdup(argv[i]) : NULL;
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(logfd >= 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0); /* its own group: daemon + simulated cores, killable as one */
		dup2(ready[1], 3);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execv(MMAMPD, cargv);
		_exit(127);
	}
	free_argv(cargv);
	setpgid(pid, pid);
	e->daemon = pid;
	live_add(e);
	close(ready[1]);
	close(logfd);
	p = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	if (poll(&p, 1, E2E_WAIT_MS) != 1) {
		close(ready[0]);
		dump_logs(e);
		fail_msg("mmampd did not get ready within %d ms", E2E_WAIT_MS);
	}
	n = read(ready[0], msg, sizeof(msg) - 1);
	close(ready[0]);
	msg[n > 0 ? n : 0] = '\0';
	if (n <= 0 || msg[0] != 'K') {
		dump_logs(e);
		fail_msg("mmampd failed to start: %s", n > 0 ? msg + 1 : "(no word)");
	}
	return e;
}

void e2e_stop(struct e2e *e)
{
	char out[256];
	int status = 0, pidfd;
	bool exited = false, clean_shutdown;
	struct pollfd p;

	if (!e)
		return;
	live_del(e);
	if (e->daemon > 0) {
		clean_shutdown = ctl(e, out, sizeof(out), "shutdown");
		pidfd = (int)syscall(SYS_pidfd_open, e->daemon, 0);
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (pidfd >= 0 && poll(&p, 1, E2E_WAIT_MS) == 1)
			exited = waitpid(e->daemon, &status, 0) == e->daemon;
		if (pidfd >= 0)
			close(pidfd);
		if (!exited) {
			kill(-e->daemon, SIGKILL);
			waitpid(e->daemon, &status, 0);
		}
		/* the simulated cores die with the daemon's shutdown; anything left is a bug */
		if (kill(-e->daemon, 0) == 0) {
			kill(-e->daemon, SIGKILL);
			e->passed = false;
			fprintf(stderr, "e2e: processes of mmampd's group were left behind\n");
		}
		if (!e->passed || !exited || !clean_shutdown || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			dump_logs(e);
		if (!exited || !clean_shutdown || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			nftw(e->rt, e2e_rm_one, 16, FTW_DEPTH | FTW_PHYS);
			free(e);
			fail_msg("mmampd did not shut down cleanly (shutdown %s, %s %d)",
				 clean_shutdown ? "ok" : "refused",
				 exited && WIFEXITED(status) ? "exit status" : "signal/status",
				 exited && WIFEXITED(status) ? WEXITSTATUS(status)
							     : (WIFSIGNALED(status) ? WTERMSIG(status)
										    : -1));
		}
	}
	nftw(e->rt, e2e_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
}

/* ---- control ---- */

static bool vctl(struct e2e *e, char *out, size_t outlen, const char *fmt, va_list ap)
{
	static char buf[MMAMP_CTL_MAX + 1];
	struct timeval tv = { .tv_sec = E2E_WAIT_MS / 1000 + 30 };
	char path[160], req[1024];
	ssize_t n;
	int fd;

	vsnprintf(req, sizeof(req), fmt, ap);
	snprintf(path, sizeof(path), "%s/" MMAMP_CTL_SOCKET, e->rt);
	fd = tool_seqpacket_connect(path);
	assert_int_not_equal(fd, -ENAMETOOLONG);
	if (fd < 0) {
		snprintf(out, outlen, "connect: %s", strerror(-fd));
		return false;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 || (n = recv(fd, buf, MMAMP_CTL_MAX, 0)) <= 0) {
		snprintf(out, outlen, "no reply to \"%s\"", req);
		close(fd);
		return false;
	}
	close(fd);
	buf[n] = '\0';
	if (!strncmp(buf, "ok", 2)) {
		snprintf(out, outlen, "%s", buf[2] == ' ' ? buf + 3 : buf + 2);
		return true;
	}
	snprintf(out, outlen, "%s", !strncmp(buf, "err ", 4) ? buf + 4 : buf);
	return false;
}

bool ctl(struct e2e *e, char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vctl(e, out, outlen, fmt, ap);
	va_end(ap);
	return ok;
}

void ctl_ok(struct e2e *e, const char *fmt, ...)
{
	char out[4096], req[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	if (!ctl(e, out, sizeof(out), "%s", req))
		fail_msg("\"%s\" failed: %s", req, out);
}

void boot_echo(struct e2e *e, const char *core, const char *firmware)
{
	ctl_ok(e, "set %s firmware %s", core, firmware);
	ctl_ok(e, "set %s state start", core);
	ctl_ok(e, "wait %s running %s %s %s %d", core, TTY_CHANNEL, RAW_CHANNEL, INFO_CHANNEL,
	       E2E_WAIT_MS);
}

static bool channel_line(struct e2e *e, const char *core, const char *name, char *line,
			 size_t len)
{
	char out[8192], *save = NULL;

	if (!ctl(e, out, sizeof(out), "channels %s", core))
		fail_msg("channels %s: %s", core, out);
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(name);

		if (!strncmp(l, name, n) && l[n] == ' ') {
			snprintf(line, len, "%s", l);
			return true;
		}
	}
	return false;
}

static bool line_field(const char *line, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return false;
	p += strlen(pat);
	snprintf(out, len, "%.*s", (int)strcspn(p, " "), p);
	return true;
}

void channel_dev(struct e2e *e, const char *core, const char *name, char *out, size_t len)
{
	char line[1024];

	if (!channel_line(e, core, name, line, sizeof(line)))
		fail_msg("%s has no channel %s", core, name);
	if (!line_field(line, "dev", out, len) || !strcmp(out, "-"))
		fail_msg("channel %s of %s has no device: %s", name, core, line);
}

unsigned long long channel_field(struct e2e *e, const char *core, const char *name,
				 const char *key)
{
	char line[1024], v[64];

	if (!channel_line(e, core, name, line, sizeof(line)) || !line_field(line, key, v, sizeof(v)))
		fail_msg("%s: channel %s: no %s", core, name, key);
	return strtoull(v, NULL, 10);
}

/* ---- the CLI ---- */

int cli(struct e2e *e, char *out, size_t outlen, char *err, size_t errlen, const char *const *argv)
{
	const char *args[40];
	int argc = 0;

	if (e) {
		args[argc++] = "-r";
		args[argc++] = e->rt;
	}
	for (int i = 0; argv[i] && argc < 39; i++)
		args[argc++] = argv[i];
	args[argc] = NULL;
	return run(MMAMP_CLI, out, outlen, err, errlen, args);
}

int run(const char *exe, char *out, size_t outlen, char *err, size_t errlen,
	const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	char *args[48];
	int po[2], pe[2], argc = 0, status;
	size_t no = 0, ne = 0;
	uint64_t deadline = now_ms() + E2E_WAIT_MS;
	bool open_o = true, open_e = true;
	pid_t pid;

	args[argc++] = strdup(exe);
	for (int i = 0; argv[i] && argc < 47; i++)
		args[argc++] = strdup(argv[i]);
	args[argc] = NULL;
	assert_int_equal(pipe2(po, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pe[1], STDERR_FILENO);
	assert_int_equal(posix_spawn(&pid, exe, &fa, NULL, args, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	free_argv(args);
	close(po[1]);
	close(pe[1]);
	while (open_o || open_e) {
		struct pollfd p[2] = { { .fd = open_o ? po[0] : -1, .events = POLLIN },
				       { .fd = open_e ? pe[0] : -1, .events = POLLIN } };

		if (poll(p, 2, left_ms(deadline)) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(po[0], out + no, outlen - 1 - no);

			if (n <= 0)
				open_o = false;
			else
				no += (size_t)n;
		}
		if (p[1].revents) {
			ssize_t n = read(pe[0], err + ne, errlen - 1 - ne);

			if (n <= 0)
				open_e = false;
			else
				ne += (size_t)n;
		}
	}
	out[no] = '\0';
	err[ne] = '\0';
	close(po[0]);
	close(pe[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- I/O ---- */

int tty_open(const char *path)
{
	return open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

int tty_echo(int fd, const uint8_t *out, size_t len, uint8_t *in)
{
	uint64_t deadline = now_ms() + E2E_WAIT_MS;
	size_t put = 0, got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (put < len ? POLLOUT : 0) };
		ssize_t n;

		if (poll(&p, 1, left_ms(deadline)) <= 0)
			return -ETIMEDOUT;
		if (p.revents & POLLOUT) {
			n = write(fd, out + put, len - put);
			if (n < 0 && errno != EAGAIN)
				return -errno;
			if (n > 0)
				put += (size_t)n;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, in + got, len - got);
			if (n == 0)
				return -EPIPE;
			if (n < 0 && errno != EAGAIN)
				return -errno;
			if (n > 0)
				got += (size_t)n;
		}
	}
	return 0;
}

ssize_t seq_recv(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	n = recv(fd, buf, len, MSG_DONTWAIT | MSG_TRUNC);
	return n < 0 ? -errno : n;
}

void fill_random(uint8_t *buf, size_t len, uint64_t *seed)
{
	for (size_t i = 0; i < len; i++) {
		*seed ^= *seed << 13;
		*seed ^= *seed >> 7;
		*seed ^= *seed << 17;
		buf[i] = (uint8_t)(*seed >> 24);
	}
}
