/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_refusals.c — refusals that agree and say what is wrong: every errno has its name in the
 * control protocol (a symlink loop is ELOOP end to end), a firmware over the 64 MiB limit is
 * refused naming the limit, every request refuses words it does not take with the same
 * "usage:" answer, the CLI prints what the daemon says escaped (a name with escape sequences
 * cannot reach the terminal raw), and a second mmampd -F on a directory says why once.
 * (The firmware-name rule on every face is in test_sysfs.c: it needs the sysfs face.)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "mmamp/host/rproc.h" /* MMAMP_FIRMWARE_MAX_BYTES */
#include "proto.h"

static char scratch[64]; /* firmware files made by the tests */

static int group_setup(void **state)
{
	char path[128];
	int fd;

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/mmamp-refusals-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	snprintf(path, sizeof(path), "%s/loop", scratch);
	assert_int_equal(symlink("loop", path), 0);
	snprintf(path, sizeof(path), "%s/big", scratch); /* sparse: 64 MiB + 1 */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)MMAMP_FIRMWARE_MAX_BYTES + 1), 0);
	close(fd);
	return 0;
}

static int group_teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/loop", scratch);
	unlink(path);
	snprintf(path, sizeof(path), "%s/big", scratch);
	unlink(path);
	rmdir(scratch);
	return 0;
}

/* Every errno the C library knows (and so the kernel, the library, the daemon can return)
 * travels by a name that comes back as the same number: none is EUNKNOWN. */
static void every_errno_has_a_protocol_name(void **state)
{
	(void)state;
	for (int e = 1; e <= 133; e++) { /* EPERM .. EHWPOISON on Linux */
		const char *name = mmamp_errno_name(e);

		if (!strncmp(strerror(e), "Unknown error", 13))
			continue; /* 41 and 58 are no errno on Linux */
		if (!strcmp(name, "EUNKNOWN"))
			fail_msg("errno %d (%s) has no name in the control protocol", e, strerror(e));
		assert_int_equal(mmamp_errno_from_name(name), e);
		assert_int_equal(strcmp(mmamp_errno_name(-e), name), 0);
	}
	assert_string_equal(mmamp_errno_name(ELOOP), "ELOOP");
	assert_string_equal(mmamp_errno_name(0), "EUNKNOWN");
	assert_string_equal(mmamp_errno_name(100000), "EUNKNOWN");
	assert_int_equal(mmamp_errno_from_name("ENOTANERRNO"), 0);
}

/* A symlink loop for a firmware and a firmware over the size limit: refused by start with an
 * errno the CLI and the control socket name and a message saying which limit. */
static void loop_and_size_are_named(void **state)
{
	char list[512], out[600], err[600];
	const char *args[] = { "-f", list, NULL };
	const char *start[] = { "state", "m4_0", "start", NULL };
	struct e2e *e;

	(void)state;
	snprintf(list, sizeof(list), "%s:%s", scratch, MMAMP_FIRMWARE_DIR);
	e = e2e_start(NULL, args);
	ctl_ok(e, "set m4_0 firmware loop");
	assert_false(ctl(e, out, sizeof(out), "set m4_0 state start"));
	if (strncmp(out, "ELOOP ", 6))
		fail_msg("start of a symlink loop: \"%s\", not ELOOP", out);
	assert_int_not_equal(cli(e, out, sizeof(out), err, sizeof(err), start), 0);
	if (!strstr(err, "(ELOOP)"))
		fail_msg("mmamp state m4_0 start (a symlink loop): \"%s\"", err);

	ctl_ok(e, "set m4_0 firmware big");
	assert_false(ctl(e, out, sizeof(out), "set m4_0 state start"));
	if (strncmp(out, "EFBIG ", 6) || !strstr(out, "64 MiB"))
		fail_msg("start of a 64 MiB + 1 firmware: \"%s\"", out);
	assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");
	e->passed = true;
	e2e_stop(e);
}

/* Words a request does not take: the same EINVAL "usage: …" from every request. */
static void extra_arguments_are_refused_alike(void **state)
{
	static const char *const reqs[] = { "ping x", "list x", "shutdown x", "get m4_0 state x",
					    "set m4_0 recovery enabled x", "channels m4_0 x",
					    "get", "set m4_0", "channels" };
	struct e2e *e = e2e_start(NULL, NULL);
	char out[600];

	(void)state;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		assert_false(ctl(e, out, sizeof(out), "%s", reqs[i]));
		if (strncmp(out, "EINVAL usage: ", 14))
			fail_msg("\"%s\": \"%s\", not EINVAL usage: …", reqs[i], out);
	}
	ctl_ok(e, "ping"); /* and it did not shut down on "shutdown x" */
	e->passed = true;
	e2e_stop(e);
}

/* ---- a daemon that says something hostile: the CLI must not print it raw ---- */

#define HOSTILE "\x1b]0;owned\x07\x1b[2J\x1b[31mfw\x9b" "1m\\"

struct fake {
	int fd;
	pthread_t t;
};

/* Answer every request with "ok HOSTILE" until the listening socket is shut down. */
static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	char req[4096];
	int c;

	while ((c = accept(f->fd, NULL, NULL)) >= 0) {
		if (recv(c, req, sizeof(req), 0) > 0 &&
		    send(c, "ok " HOSTILE, strlen("ok " HOSTILE), MSG_NOSIGNAL) < 0)
			(void)0;
		close(c);
	}
	return NULL;
}

static void cli_prints_untrusted_text_escaped(void **state)
{
	const char *const cmds[][5] = { { "get", "m4_0", "firmware", NULL },
					{ "info", "m4_0", NULL } };
	char dir[] = "/tmp/mmamp-fake-XXXXXX", out[8192], err[8192];
	struct sockaddr_un sa;
	struct fake f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/" MMAMP_CTL_SOCKET, dir);
	assert_int_equal(mmamp_sockaddr(&sa, out), 0);
	f.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(f.fd >= 0);
	assert_int_equal(bind(f.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f.fd, 8), 0);
	assert_int_equal(pthread_create(&f.t, NULL, fake_serve, &f), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *argv[8] = { "-r", dir };

		for (int j = 0; cmds[i][j]; j++)
			argv[2 + j] = cmds[i][j];
		run(MMAMP_CLI, out, sizeof(out), err, sizeof(err), argv);
		for (const char *p = out; *p; p++)
			if ((unsigned char)*p < ' ' && *p != '\n')
				fail_msg("mmamp %s printed byte 0x%02x raw: \"%s\"", cmds[i][0],
					 (unsigned char)*p, out);
			else if ((unsigned char)*p >= 0x7f)
				fail_msg("mmamp %s printed byte 0x%02x raw", cmds[i][0],
					 (unsigned char)*p);
		if (!strstr(out, "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mfw\\x9b1m\\x5c"))
			fail_msg("mmamp %s: \"%s\" is not the escaped text", cmds[i][0], out);
	}
	shutdown(f.fd, SHUT_RDWR);
	pthread_join(f.t, NULL);
	close(f.fd);
	unlink(sa.sun_path);
	rmdir(dir);
}

/* A second mmampd -F on a directory one already serves: one line saying so, exit 1. */
static void second_daemon_says_why_once(void **state)
{
	struct e2e *e = e2e_start(NULL, NULL);
	char plat[256], out[4096], err[4096];
	const char *argv[] = { "-F", "-r", e->rt, "-p", plat, NULL };
	const char *p;
	int n = 0;

	(void)state;
	snprintf(plat, sizeof(plat), "%s/imx8qxp-sim.dtb", MMAMP_PLATFORM_DIR);
	assert_int_not_equal(run(MMAMPD, out, sizeof(out), err, sizeof(err), argv), 0);
	for (p = err; (p = strstr(p, "another mmampd")); p++)
		n++;
	if (n != 1)
		fail_msg("a second mmampd -F said it %d times: \"%s%s\"", n, out, err);
	ctl_ok(e, "ping");
	e->passed = true;
	e2e_stop(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_errno_has_a_protocol_name),
		cmocka_unit_test(loop_and_size_are_named),
		cmocka_unit_test(extra_arguments_are_refused_alike),
		cmocka_unit_test(cli_prints_untrusted_text_escaped),
		cmocka_unit_test(second_daemon_says_why_once),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("refusals", tests, group_setup, group_teardown);
}
