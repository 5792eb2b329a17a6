/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_daemon_restart.c — mmampd killed with SIGKILL (messages in flight on its TTY) and started
 * again on the same runtime directory, three times over: each new daemon attaches to the core
 * that kept running (state "attached", the same simulated-core pid, not rebooted), its TTY and
 * raw endpoint echo byte-exact again (the rings were reset with the remote's acknowledgment,
 * not corrupted), and the last one's shutdown leaves no process behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

/* Start another mmampd -F on @e's runtime directory, in its own process group; wait until
 * it is ready. The daemon's output goes to the same log. */
static pid_t restart_daemon(struct e2e *e)
{
	char log[160], msg[512];
	int ready[2], logfd;
	struct pollfd p;
	ssize_t n;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/mmampd.log", e->rt);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(logfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char plat[256];

		snprintf(plat, sizeof(plat), "%s/imx8qxp-sim.dtb", MMAMP_PLATFORM_DIR);
		setpgid(0, 0);
		dup2(ready[1], 3);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execl(MMAMPD, MMAMPD, "-F", "-r", e->rt, "-p", plat, "--ready-fd", "3",
		      (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(ready[1]);
	close(logfd);
	p = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, E2E_WAIT_MS), 1);
	n = read(ready[0], msg, sizeof(msg) - 1);
	close(ready[0]);
	msg[n > 0 ? n : 0] = '\0';
	if (n <= 0 || msg[0] != 'K')
		fail_msg("the restarted mmampd failed: %s", n > 0 ? msg + 1 : "(no word)");
	return pid;
}

static void echo_all(struct e2e *e, uint64_t *seed)
{
	char tty[256], raw[256];
	uint8_t out[496], in[512];
	int fd, sock;

	channel_dev(e, "m4_0", TTY_CHANNEL, tty, sizeof(tty));
	channel_dev(e, "m4_0", RAW_CHANNEL, raw, sizeof(raw));
	fd = tty_open(tty);
	assert_true(fd >= 0);
	for (int i = 0; i < 30; i++) {
		fill_random(out, sizeof(out), seed);
		assert_int_equal(tty_echo(fd, out, sizeof(out), in), 0);
		assert_memory_equal(in, out, sizeof(out));
	}
	close(fd);
	sock = tool_seqpacket_connect(raw);
	assert_true(sock >= 0);
	for (int i = 0; i < 30; i++) {
		size_t len = 1 + (size_t)(i * 17) % sizeof(out);

		fill_random(out, len, seed);
		assert_int_equal(send(sock, out, len, MSG_NOSIGNAL), (ssize_t)len);
		assert_int_equal(seq_recv(sock, in, sizeof(in), E2E_WAIT_MS), (ssize_t)len);
		assert_memory_equal(in, out, len);
	}
	close(sock);
}

static void sigkill_and_restart_reattaches(void **state)
{
	struct e2e *e = e2e_start(NULL, NULL);
	uint64_t seed = 42;
	char out[256], tty[256];
	long core;
	int pidfd, status;
	struct pollfd p;

	(void)state;
	boot_echo(e, "m4_0", "fw_echo");
	assert_true(ctl(e, out, sizeof(out), "get m4_0 pid"));
	core = strtol(out, NULL, 10);
	assert_true(core > 0);
	echo_all(e, &seed);

	for (int round = 0; round < 3; round++) {
		uint8_t junk[4096];
		int fd;

		/* leave bytes in flight (written, echo not read) when the daemon dies */
		channel_dev(e, "m4_0", TTY_CHANNEL, tty, sizeof(tty));
		fd = tty_open(tty);
		assert_true(fd >= 0);
		fill_random(junk, sizeof(junk), &seed);
		assert_true(write(fd, junk, sizeof(junk)) > 0);
		assert_int_equal(kill(e->daemon, SIGKILL), 0);
		assert_int_equal(waitpid(e->daemon, &status, 0), e->daemon);
		close(fd);
		assert_int_equal(kill((pid_t)core, 0), 0); /* the core runs on without its host */

		e->daemon = restart_daemon(e);
		ctl_ok(e, "wait m4_0 attached %s %s %s %d", TTY_CHANNEL, RAW_CHANNEL, INFO_CHANNEL,
		       E2E_WAIT_MS);
		assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
		assert_string_equal(out, "attached");
		assert_true(ctl(e, out, sizeof(out), "get m4_0 pid"));
		assert_int_equal(strtol(out, NULL, 10), core);
		assert_true(ctl(e, out, sizeof(out), "get m4_0 crash_count"));
		assert_string_equal(out, "0");
		echo_all(e, &seed);
		printf("[ restart  ] round %d: mmampd %d attached to core %ld, echoes byte-exact\n",
		       round + 1, (int)e->daemon, core);
	}
	/* the last daemon's shutdown stops the attached core too */
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)core, 0);
	e->passed = true;
	e2e_stop(e);
	if (pidfd >= 0) {
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, E2E_WAIT_MS), 1);
		close(pidfd);
	}
}

static pid_t orphan; /* a core process the test must not leave behind, pass or fail */

static int kill_orphan(void **state)
{
	(void)state;
	if (orphan > 0)
		kill(orphan, SIGKILL);
	orphan = 0;
	return 0;
}

/* The daemon log (all of it that fits @len) into @text. */
static void read_log(struct e2e *e, char *text, size_t len)
{
	char path[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/mmampd.log", e->rt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, text, len - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
}

/* The core pid the host named when MMAMP_TEST_EXIT_AT=@point made it exit (the daemon log). */
static pid_t exit_at_pid(struct e2e *e, const char *point)
{
	char text[16384], key[128], *at;

	read_log(e, text, sizeof(text));
	snprintf(key, sizeof(key), "MMAMP_TEST_EXIT_AT=%s: the host exits (core m4_0, pid ", point);
	at = strstr(text, key);
	if (!at)
		fail_msg("the daemon did not stop at \"%s\"; its log:\n%s", point, text);
	return (pid_t)strtol(at + strlen(key), NULL, 10);
}

/* Whether the daemon log holds @what; prints the line that does. */
static bool log_has(struct e2e *e, const char *what)
{
	char text[65536], *at, *end;

	read_log(e, text, sizeof(text));
	at = strstr(text, what);
	if (!at)
		return false;
	end = strchr(at, '\n');
	printf("[ restart  ] %.*s\n", end ? (int)(end - at) : (int)strlen(at), at);
	return true;
}

/*
 * mmampd dies (MMAMP_TEST_EXIT_AT=@point: _exit at that moment of a boot, as a SIGKILL
 * there would) after it made the core's process and before the core was up and recorded
 * as running. The next mmampd must not leave that core running beside the one it boots on
 * the same partition: the unfinished core is gone once the new daemon is ready, the core
 * is offline, the log says what was found, and a new boot echoes on a new core process.
 */
static void killed_while_booting(const char *point, const char *found)
{
	char out[256];
	int status, pidfd;
	struct pollfd p;
	struct e2e *e;

	assert_int_equal(setenv("MMAMP_TEST_EXIT_AT", point, 1), 0);
	e = e2e_start(NULL, NULL);
	assert_int_equal(unsetenv("MMAMP_TEST_EXIT_AT"), 0);
	ctl_ok(e, "set m4_0 firmware fw_echo");
	assert_false(ctl(e, out, sizeof(out), "set m4_0 state start"));
	assert_int_equal(waitpid(e->daemon, &status, 0), e->daemon);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 86);
	orphan = exit_at_pid(e, point);
	assert_true(orphan > 0);
	pidfd = (int)syscall(SYS_pidfd_open, orphan, 0); /* -1: gone already */

	e->daemon = restart_daemon(e);
	if (pidfd >= 0) {
		/* recorded: ended by the new daemon before it is ready; not yet recorded: it
		 * never ran firmware and ends on its own, soon */
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(&p, 1, found ? 0 : E2E_WAIT_MS) != 1)
			fail_msg("the core (pid %d) the dead mmampd started still runs after the "
				 "restart", (int)orphan);
		close(pidfd);
	}
	assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");
	if (found && !log_has(e, found))
		fail_msg("the restarted mmampd did not say \"%s\"", found);
	boot_echo(e, "m4_0", "fw_echo");
	assert_true(ctl(e, out, sizeof(out), "get m4_0 pid"));
	assert_int_not_equal(strtol(out, NULL, 10), orphan);
	orphan = 0;
	e->passed = true;
	e2e_stop(e);
}

/* Killed after the core process was recorded ("phase booting"), before bring-up. */
static void killed_between_power_on_and_bring_up(void **state)
{
	(void)state;
	killed_while_booting("booting", "m4_0: found a core process (pid ");
	/* the message goes on: "…, firmware fw_echo) its host left before it was up: ended it" */
}

/* Killed after the fork, before the record: the child waits at its gate and never runs. */
static void killed_between_spawn_and_record(void **state)
{
	(void)state;
	killed_while_booting("spawned", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sigkill_and_restart_reattaches),
		cmocka_unit_test_teardown(killed_between_power_on_and_bring_up, kill_orphan),
		cmocka_unit_test_teardown(killed_between_spawn_and_record, kill_orphan),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("daemon_restart", tests, NULL, NULL);
}
