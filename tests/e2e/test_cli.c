/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cli.c — the mmamp CLI (and mmampd's own command line) against a real daemon: bad input
 * of every kind (missing, empty, unknown core, bad words, wrong state for the request) gives
 * one clear line "mmamp: ... (ERRNO)" and exit 1, or a usage error and exit 2; --help works
 * everywhere; the good paths print kernel-like strings.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

static int setup(void **state)
{
	*state = e2e_start(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	e2e_stop(*state);
	return 0;
}

static char out[65536], err[65536];

static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] == '\0';
}

/* Run the CLI; check the exit status and, for errors, the one line and its errno name. */
static void expect(struct e2e *e, int status, const char *errno_name, const char *const *argv)
{
	int got = cli(e, out, sizeof(out), err, sizeof(err), argv);
	char what[512] = "mmamp";
	size_t n = 5;

	for (int i = 0; argv[i] && n < sizeof(what) - 40; i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, " '%s'", argv[i]);
	if (got != status)
		fail_msg("%s: exit %d, expected %d; stderr: %s", what, got, status, err);
	if (status == 0)
		return;
	if (strncmp(err, "mmamp: ", 7) || !one_line(err))
		fail_msg("%s: stderr is not one \"mmamp: ...\" line: \"%s\"", what, err);
	if (errno_name) {
		char tag[40];

		snprintf(tag, sizeof(tag), "(%s)\n", errno_name);
		if (!strstr(err, tag))
			fail_msg("%s: expected %s in \"%s\"", what, errno_name, err);
	}
	if (out[0])
		fail_msg("%s: an error also printed to stdout: \"%s\"", what, out);
}

#define EXPECT(e, status, name, ...)                                          \
	do {                                                                  \
		const char *const a_[] = { __VA_ARGS__, NULL };                \
		expect((e), (status), (name), a_);                             \
	} while (0)

static void bad_input(void **state)
{
	struct e2e *e = *state;
	char big[600], pidfile[160];

	/* usage errors: exit 2 */
	{
		const char *const none[] = { NULL };

		assert_int_equal(cli(e, out, sizeof(out), err, sizeof(err), none), 2);
		assert_non_null(strstr(err, "Usage:"));
	}
	EXPECT(e, 2, NULL, "bogus");
	EXPECT(e, 2, NULL, "--bogus");
	EXPECT(e, 2, NULL, "state");
	EXPECT(e, 2, NULL, "state", "m4_0", "start", "now");
	EXPECT(e, 2, NULL, "list", "extra");
	EXPECT(e, 2, NULL, "wait", "m4_0");
	EXPECT(e, 2, NULL, "wait", "m4_0", "running", "--timeout", "soon");
	EXPECT(e, 2, NULL, "wait", "m4_0", "running", "--timeout");
	EXPECT(e, 2, NULL, "wait", "m4_0", "running", "--frobnicate");
	EXPECT(e, 2, NULL, "send");
	EXPECT(e, 2, NULL, "send", "rpmsg0");
	EXPECT(e, 2, NULL, "get", "m4_0");
	EXPECT(e, 2, NULL, "channels");
	EXPECT(e, 2, NULL, "rtt", "ttyRPMSG30", "--count", "0");
	EXPECT(e, 2, NULL, "help", "nosuchcommand");

	/* empty and malformed values: EINVAL */
	EXPECT(e, 1, "EINVAL", "state", "");
	EXPECT(e, 1, "EINVAL", "state", "m4_0", "");
	EXPECT(e, 1, "EINVAL", "state", "m4_0", "bogus");
	EXPECT(e, 1, "EINVAL", "state", "m4_0", "start now");
	EXPECT(e, 1, "EINVAL", "firmware", "m4_0", "");
	EXPECT(e, 1, "EINVAL", "firmware", "m4_0", "../fw_echo");
	EXPECT(e, 1, "EINVAL", "recovery", "m4_0", "maybe");
	EXPECT(e, 1, "EINVAL", "get", "m4_0", "colour");
	EXPECT(e, 1, "EINVAL", "wait", "m4_0", "sleeping");
	EXPECT(e, 1, "EINVAL", "send", "rpmsg0", "");

	/* unknown core: ENOENT */
	EXPECT(e, 1, "ENOENT", "state", "m4_9");
	EXPECT(e, 1, "ENOENT", "state", "m4_9", "start");
	EXPECT(e, 1, "ENOENT", "firmware", "m4_9", "fw_echo");
	EXPECT(e, 1, "ENOENT", "recovery", "m4_9");
	EXPECT(e, 1, "ENOENT", "channels", "m4_9");
	EXPECT(e, 1, "ENOENT", "info", "m4_9");
	EXPECT(e, 1, "ENOENT", "wait", "m4_9", "running");

	/* the state machine's refusals, with the kernel's errors */
	EXPECT(e, 1, "EINVAL", "state", "m4_0", "stop");    /* offline */
	EXPECT(e, 1, "ENOENT", "state", "m4_0", "start");   /* no firmware set */
	EXPECT(e, 0, NULL, "firmware", "m4_0", "no_such_firmware");
	EXPECT(e, 1, "ENOENT", "state", "m4_0", "start");   /* no such file */
	EXPECT(e, 1, "ETIMEDOUT", "wait", "m4_0", "running", "--timeout", "50");
	EXPECT(e, 0, NULL, "firmware", "m4_0", "fw_echo");
	EXPECT(e, 0, NULL, "state", "m4_0", "start");
	EXPECT(e, 0, NULL, "wait", "m4_0", "running", "--channel", TTY_CHANNEL, "--channel",
	       RAW_CHANNEL, "--channel", INFO_CHANNEL);
	EXPECT(e, 1, "EBUSY", "state", "m4_0", "start");    /* already running */
	EXPECT(e, 1, "EBUSY", "firmware", "m4_0", "fw_echo_b");
	EXPECT(e, 1, "EINVAL", "state", "m4_0", "detach");  /* not attached */
	EXPECT(e, 1, "ETIMEDOUT", "wait", "m4_0", "running", "--channel", "no-such-channel",
	       "--timeout", "50");

	/* messages */
	EXPECT(e, 1, "ENOENT", "send", "rpmsg99", "x");
	snprintf(pidfile, sizeof(pidfile), "%s/mmampd.pid", e->rt);
	EXPECT(e, 1, "ENOTSOCK", "send", pidfile, "x");
	memset(big, 'z', 497);
	big[497] = '\0';
	EXPECT(e, 1, "EMSGSIZE", "send", "rpmsg0", big);
	EXPECT(e, 1, "ENOENT", "device", "m4_0", "no-such-channel");
	EXPECT(e, 1, "ENOENT", "rtt", "ttyRPMSG99");
	EXPECT(e, 1, "EMSGSIZE", "rtt", "rpmsg0", "--size", "497");

	/* no daemon there: a clear error, not a hang */
	{
		const char *const a[] = { "-r", "/nonexistent-mmamp-runtime", "list", NULL };

		assert_int_equal(cli(NULL, out, sizeof(out), err, sizeof(err), a), 1);
		assert_true(one_line(err));
		assert_non_null(strstr(err, "mmampd"));
		assert_non_null(strstr(err, "(ENOENT)"));
	}
	e->passed = true;
}

static void good_paths_and_help(void **state)
{
	static const char *const cmds[] = { "list", "state", "firmware", "recovery", "info",
					     "get", "channels", "device", "wait", "send",
					     "recv", "rtt", "ping", "shutdown" };
	struct e2e *e = *state;
	char dev[PATH_MAX];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *const a[] = { cmds[i], "--help", NULL };

		assert_int_equal(cli(e, out, sizeof(out), err, sizeof(err), a), 0);
		assert_memory_equal(out, "Usage: mmamp", 12);
	}
	EXPECT(e, 0, NULL, "--help");
	assert_non_null(strstr(out, "Exit status"));

	EXPECT(e, 0, NULL, "list");
	assert_non_null(strstr(out, "m4_0"));
	assert_non_null(strstr(out, "offline"));
	EXPECT(e, 0, NULL, "state", "m4_0");
	assert_string_equal(out, "offline\n");
	EXPECT(e, 0, NULL, "recovery", "m4_0");
	assert_string_equal(out, "enabled\n");
	EXPECT(e, 0, NULL, "firmware", "m4_0", "fw_echo");
	EXPECT(e, 0, NULL, "firmware", "m4_0");
	assert_string_equal(out, "fw_echo\n");
	EXPECT(e, 0, NULL, "state", "m4_0", "start");
	EXPECT(e, 0, NULL, "wait", "m4_0", "running", "--channel", INFO_CHANNEL, "--channel",
	       RAW_CHANNEL, "--channel", TTY_CHANNEL);
	EXPECT(e, 0, NULL, "state", "m4_0");
	assert_string_equal(out, "running\n");
	EXPECT(e, 0, NULL, "channels", "m4_0");
	assert_non_null(strstr(out, "ttyRPMSG30 -> /dev/pts/"));
	EXPECT(e, 0, NULL, "device", "m4_0", INFO_CHANNEL);
	snprintf(dev, sizeof(dev), "%.*s", (int)strcspn(out, "\n"), out);
	EXPECT(e, 0, NULL, "send", dev, "info", "--reply");
	assert_memory_equal(out, "fw=fw_echo build=", 17);
	EXPECT(e, 0, NULL, "device", "m4_0", RAW_CHANNEL);
	snprintf(dev, sizeof(dev), "%.*s", (int)strcspn(out, "\n"), out);
	EXPECT(e, 0, NULL, "send", dev, "hello", "--reply");
	assert_string_equal(out, "hello\n");
	EXPECT(e, 0, NULL, "rtt", dev, "--count", "100");
	assert_non_null(strstr(out, "byte-exact"));
	/* sent without waiting for the echo: exit 0 once mmampd handed it to RPMsg */
	EXPECT(e, 0, NULL, "send", dev, "fire and forget");
	EXPECT(e, 0, NULL, "device", "m4_0", TTY_CHANNEL);
	snprintf(dev, sizeof(dev), "%.*s", (int)strcspn(out, "\n"), out);
	EXPECT(e, 0, NULL, "rtt", dev, "--count", "10", "--size", "4096");
	EXPECT(e, 0, NULL, "info", "m4_0");
	assert_non_null(strstr(out, "crash_count   0"));
	EXPECT(e, 0, NULL, "state", "m4_0", "stop");
	EXPECT(e, 0, NULL, "wait", "m4_0", "offline", "--timeout", "0");
	e->passed = true;
}

static void daemon_command_line(void **state)
{
	struct e2e *e = *state;

	{
		const char *const a[] = { "--bogus", NULL };

		assert_int_equal(run(MMAMPD, out, sizeof(out), err, sizeof(err), a), 2);
	}
	{
		const char *const a[] = { "--help", NULL };

		assert_int_equal(run(MMAMPD, out, sizeof(out), err, sizeof(err), a), 0);
		assert_memory_equal(out, "Usage: mmampd", 13);
	}
	{
		/* a second daemon on the same runtime directory is refused (and harmless) */
		const char *const a[] = { "-F", "-r", e->rt, NULL };

		assert_int_equal(run(MMAMPD, out, sizeof(out), err, sizeof(err), a), 1);
		assert_non_null(strstr(err, "another mmampd"));
	}
	{
		const char *const a[] = { "-F", "-r", "/tmp", "-p", "/nonexistent.dtb", NULL };

		assert_int_equal(run(MMAMPD, out, sizeof(out), err, sizeof(err), a), 1);
		assert_non_null(strstr(err, "/nonexistent.dtb"));
	}
	/* the first daemon still answers */
	EXPECT(e, 0, NULL, "ping");
	assert_memory_equal(out, "mmampd ", 7);
	e->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(good_paths_and_help, setup, teardown),
		cmocka_unit_test_setup_teardown(daemon_command_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
