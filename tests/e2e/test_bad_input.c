/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_bad_input.c — every command and option of mmamp and mmampd, platform files and firmware
 * files, given missing, empty, truncated, oversized and malformed values (a table per tool;
 * the bad .dtb and ELF files are made at test time): each must end with a non-zero status and
 * exactly one line of error on stderr (a "Try '... --help'." hint aside) — never a signal, a
 * sanitizer report, or a hang (the harness kills a run after E2E_WAIT_MS) — and the daemon
 * must still answer afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define MAX_ARGS 12

/* Placeholders in the tables: expanded per run. */
static char scratch[64]; /* the generated files */
static char big[100001]; /* an oversized value */
static char longname[301];

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The bad platform and firmware files, from the real ones. */
static void make_files(void)
{
	char path[256];
	uint8_t junk[4096], *img;
	size_t len;
	uint64_t seed = 7;

	snprintf(scratch, sizeof(scratch), "/tmp/mmamp-badin-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	memset(big, 'z', sizeof(big) - 1);
	memset(longname, 'n', sizeof(longname) - 1);
	fill_random(junk, sizeof(junk), &seed);

	img = read_whole(MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb", &len);
	write_file("trunc.dtb", img, 100);
	write_file("half.dtb", img, len / 2);
	write_file("garbage.dtb", junk, sizeof(junk));
	write_file("empty.dtb", "", 0);
	put_be32(img + 4, 0xFFFFFFF0u); /* totalsize */
	write_file("totalsize.dtb", img, len);
	put_be32(img + 4, (uint32_t)len);
	put_be32(img + 8, 0x7FFFFFF0u); /* off_dt_struct */
	write_file("structoff.dtb", img, len);
	free(img);

	img = read_whole(MMAMP_FIRMWARE_DIR "/fw_echo", &len);
	write_file("trunc.elf", img, 64);
	write_file("half.elf", img, len / 2);
	write_file("garbage.elf", junk, sizeof(junk));
	write_file("empty.elf", "", 0);
	memcpy(img + 0x20, "\xf0\xff\xff\xff\0\0\0\0", 8); /* e_phoff */
	write_file("phoff.elf", img, len);
	free(img);
	img = read_whole(MMAMP_FIRMWARE_DIR "/fw_echo", &len);
	img[0x38] = 0xff; /* e_phnum */
	img[0x39] = 0xfe;
	write_file("phnum.elf", img, len);
	free(img);
	img = read_whole(MMAMP_FIRMWARE_DIR "/fw_echo", &len);
	img[4] = 1; /* ELFCLASS32 with a 64-bit layout */
	write_file("class.elf", img, len);
	free(img);

	snprintf(path, sizeof(path), "%s/fifo.dtb", scratch);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/fifo.elf", scratch);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/dir.elf", scratch);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/huge.elf", scratch);
	write_file("huge.elf", "", 0);
	assert_int_equal(truncate(path, 100L << 20), 0); /* sparse, over the 64 MiB limit */
}

static void remove_files(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd))
		(void)0;
}

/* Expand "%S" (scratch dir), "%R" (runtime dir), "%BIG", "%LONG" in one argument. */
static char *expand(const char *a, const char *rt)
{
	char *out = malloc(sizeof(big) + 256);

	assert_non_null(out);
	if (!strcmp(a, "%BIG"))
		snprintf(out, sizeof(big) + 256, "%s", big);
	else if (!strcmp(a, "%LONG"))
		snprintf(out, sizeof(big) + 256, "%s", longname);
	else if (!strncmp(a, "%S", 2))
		snprintf(out, sizeof(big) + 256, "%s%s", scratch, a + 2);
	else if (!strncmp(a, "%R", 2))
		snprintf(out, sizeof(big) + 256, "%s%s", rt ? rt : "/nonexistent", a + 2);
	else
		snprintf(out, sizeof(big) + 256, "%s", a);
	return out;
}

/* The verdict on one run: non-zero exit (no signal), one error line, no sanitizer report. */
static void judge(const char *tool, const char *const *argv, int status, const char *err)
{
	char what[512] = "";
	unsigned int lines = 0;
	const char *p;

	for (int i = 0; argv[i]; i++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %.60s", argv[i]);
	for (p = err; *p;) {
		size_t n = strcspn(p, "\n");

		if (n && strncmp(p, "Try '", 5))
			lines++;
		p += n + (p[n] == '\n');
	}
	if (status == 0 || status >= 128 || lines != 1 || strstr(err, "Sanitizer") ||
	    strstr(err, "runtime error:"))
		fail_msg("%s%s: status %d, %u error lines:\n%s", tool, what, status, lines, err);
}

static void run_case(const char *exe, const char *tool, const char *const *args, const char *rt)
{
	static char out[65536], err[65536];
	char *argv[MAX_ARGS + 1];
	int n = 0, status;

	for (; args[n]; n++)
		argv[n] = expand(args[n], rt);
	argv[n] = NULL;
	status = run(exe, out, sizeof(out), err, sizeof(err), (const char *const *)argv);
	judge(tool, (const char *const *)argv, status, err);
	for (int i = 0; i < n; i++)
		free(argv[i]);
}

/* ---- mmampd ---- */

/* Without -F (the ordinary use): the parent reports the daemon's start-up error in one line. */
static const char *const mmampd_cases[][MAX_ARGS] = {
	{ "--bogus" },
	{ "-p" },
	{ "-p", "" },
	{ "-p", "/nonexistent.dtb" },
	{ "-p", "%S" },
	{ "-p", "%S/empty.dtb" },
	{ "-p", "%S/trunc.dtb" },
	{ "-p", "%S/half.dtb" },
	{ "-p", "%S/garbage.dtb" },
	{ "-p", "%S/totalsize.dtb" },
	{ "-p", "%S/structoff.dtb" },
	{ "-p", "%S/fifo.dtb" },
	{ "-p", "/dev/zero" },
	{ "-p", "%BIG" },
	{ "-p", "%S/garbage.elf" },
	{ "-r" },
	{ "-r", "" },
	{ "-r", "%LONG" },
	{ "-r", "/proc/nonexistent/rt" },
	{ "-r", "%S/garbage.dtb" },
	{ "-f" },
	{ "-f", "" },
	{ "-f", ":" },
	{ "-f", "/nonexistent" },
	{ "-f", "%S/garbage.elf" },
	{ "-f", "%BIG" },
	{ "--simcore" },
	{ "--simcore", "" },
	{ "--simcore", "/nonexistent" },
	{ "--simcore", "%S" },
	{ "--simcore", "%S/garbage.dtb" },
	{ "--qemu-bootrom" },
	{ "--qemu-bootrom", "/nonexistent" },
	{ "--qemu-bootrom", "%S" },
	{ "-F", "--ready-fd" },
	{ "-F", "--ready-fd", "" },
	{ "-F", "--ready-fd", "abc" },
	{ "-F", "--ready-fd", "-1" },
	{ "-F", "--ready-fd", "99999999999999999999" },
	{ "-F", "--ready-fd", "500" },
	{ "unexpected" },
	{ "--polling", "--no-auto-boot", "extra" },
};

static void mmampd_refuses_bad_options(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(mmampd_cases) / sizeof(mmampd_cases[0]); k++) {
		const char *args[MAX_ARGS + 4];
		char rt[96];
		int n = 0;
		bool has_r = false;

		snprintf(rt, sizeof(rt), "%s/rt%zu", scratch, k);
		for (int i = 0; mmampd_cases[k][i]; i++)
			has_r |= !strcmp(mmampd_cases[k][i], "-r");
		args[n++] = "--no-sysfs";
		if (!has_r) {
			args[n++] = "-r";
			args[n++] = rt;
		}
		for (int i = 0; mmampd_cases[k][i]; i++)
			args[n++] = mmampd_cases[k][i];
		args[n] = NULL;
		run_case(MMAMPD, "mmampd", args, NULL);
	}
}

/* ---- mmamp, against a running daemon (%R: its runtime directory) ---- */

/* (A bare "mmamp" prints its usage on stderr, exit 2, by design: tests/e2e/test_cli.c.) */
static const char *const mmamp_cases[][MAX_ARGS] = {
	{ "bogus" },
	{ "" },
	{ "--bogus" },
	{ "-r" },
	{ "-r", "", "list" },
	{ "-r", "/nonexistent", "list" },
	{ "-r", "%LONG", "list" },
	{ "-r", "%S/garbage.dtb", "list" },
	{ "-r", "%R", "list", "extra" },
	{ "-r", "%R", "ping", "extra" },
	{ "-r", "%R", "shutdown", "now" },
	{ "-r", "%R", "state" },
	{ "-r", "%R", "state", "nocore" },
	{ "-r", "%R", "state", "", "start" },
	{ "-r", "%R", "state", "%BIG", "start" },
	{ "-r", "%R", "state", "m4_0", "" },
	{ "-r", "%R", "state", "m4_0", "bogus" },
	{ "-r", "%R", "state", "m4_0", "start" }, /* already running: EBUSY */
	{ "-r", "%R", "state", "m4_0", "detach" },
	{ "-r", "%R", "state", "m4_0", "start stop" },
	{ "-r", "%R", "firmware" },
	{ "-r", "%R", "firmware", "m4_0", "" },
	{ "-r", "%R", "firmware", "m4_0", "a/b" },
	{ "-r", "%R", "firmware", "m4_0", "%LONG" },
	{ "-r", "%R", "firmware", "m4_0", "fw_echo" }, /* running: EBUSY */
	{ "-r", "%R", "recovery" },
	{ "-r", "%R", "recovery", "m4_0", "bogus" },
	{ "-r", "%R", "recovery", "m4_0", "%BIG" },
	{ "-r", "%R", "info" },
	{ "-r", "%R", "info", "nocore" },
	{ "-r", "%R", "info", "m4_0", "extra" },
	{ "-r", "%R", "get" },
	{ "-r", "%R", "get", "m4_0" },
	{ "-r", "%R", "get", "m4_0", "bogus" },
	{ "-r", "%R", "get", "m4_0", "" },
	{ "-r", "%R", "get", "nocore", "state" },
	{ "-r", "%R", "channels" },
	{ "-r", "%R", "channels", "nocore" },
	{ "-r", "%R", "device" },
	{ "-r", "%R", "device", "m4_0" },
	{ "-r", "%R", "device", "m4_0", "nochannel" },
	{ "-r", "%R", "device", "m4_0", "%BIG" },
	{ "-r", "%R", "wait" },
	{ "-r", "%R", "wait", "m4_0" },
	{ "-r", "%R", "wait", "m4_0", "bogus" },
	{ "-r", "%R", "wait", "m4_0", "running", "--timeout" },
	{ "-r", "%R", "wait", "m4_0", "running", "--timeout", "abc" },
	{ "-r", "%R", "wait", "m4_0", "running", "--timeout", "-5" },
	{ "-r", "%R", "wait", "m4_0", "running", "--timeout", "99999999999999999999" },
	{ "-r", "%R", "wait", "m4_0", "running", "--crashes", "x" },
	{ "-r", "%R", "wait", "m4_0", "running", "--channel" },
	{ "-r", "%R", "wait", "m4_0", "running", "--channel", "" },
	{ "-r", "%R", "wait", "m4_0", "running", "--channel", "none", "--timeout", "50" },
	{ "-r", "%R", "wait", "m4_0", "crashed", "--timeout", "50" },
	{ "-r", "%R", "wait", "m4_0", "running", "--bogus" },
	{ "-r", "%R", "send" },
	{ "-r", "%R", "send", "%R/nonexistent" },
	{ "-r", "%R", "send", "%R/nonexistent", "x" },
	{ "-r", "%R", "send", "", "x" },
	{ "-r", "%R", "send", "%R/mmampd.log", "x" },
	{ "-r", "%R", "send", "%R/mmampd.sock", "x" },
	{ "-r", "%R", "send", "%BIG", "x" },
	{ "-r", "%R", "send", "%R/rpmsg0", "%BIG" },
	{ "-r", "%R", "send", "%R/rpmsg0", "x", "--timeout", "abc" },
	{ "-r", "%R", "send", "%R/rpmsg0", "x", "--bogus" },
	{ "-r", "%R", "recv" },
	{ "-r", "%R", "recv", "/nonexistent" },
	{ "-r", "%R", "recv", "%R/rpmsg0", "--count", "abc" },
	{ "-r", "%R", "recv", "%R/rpmsg0", "--count", "0" },
	{ "-r", "%R", "recv", "%R/rpmsg0", "--count", "-1" },
	{ "-r", "%R", "recv", "%R/rpmsg0", "--timeout", "100" },
	{ "-r", "%R", "rtt" },
	{ "-r", "%R", "rtt", "/nonexistent" },
	{ "-r", "%R", "rtt", "/dev/null" },
	{ "-r", "%R", "rtt", "%R/mmampd.log" },
	{ "-r", "%R", "rtt", "%R/ttyRPMSG30", "--size", "0" },
	{ "-r", "%R", "rtt", "%R/ttyRPMSG30", "--size", "100000" },
	{ "-r", "%R", "rtt", "%R/ttyRPMSG30", "--count", "abc" },
	{ "-r", "%R", "rtt", "%R/ttyRPMSG30", "--count", "-1" },
	{ "-r", "%R", "rtt", "%R/ttyRPMSG30", "--count" },
	{ "-r", "%R", "help", "bogus" },
	{ "-r", "%R", "%BIG" },
};

static void mmamp_refuses_bad_commands(void **state)
{
	struct e2e *e = e2e_start(NULL, NULL);
	char out[256];

	(void)state;
	boot_echo(e, "m4_0", "fw_echo");
	for (size_t k = 0; k < sizeof(mmamp_cases) / sizeof(mmamp_cases[0]); k++)
		run_case(MMAMP_CLI, "mmamp", mmamp_cases[k], e->rt);
	/* the daemon took all that and still serves */
	assert_true(ctl(e, out, sizeof(out), "ping"));
	assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "running");
	e->passed = true;
	e2e_stop(e);
}

/* ---- firmware files, through the daemon ---- */

static const char *const bad_firmware[] = {
	"trunc.elf", "half.elf", "garbage.elf", "empty.elf", "phoff.elf", "phnum.elf",
	"class.elf", "fifo.elf", "dir.elf", "huge.elf", "nonexistent.elf",
};

static void bad_firmware_files_are_refused(void **state)
{
	char list[512], out[256];
	const char *args[] = { "-f", list, NULL };
	struct e2e *e;

	(void)state;
	snprintf(list, sizeof(list), "%s:%s", scratch, MMAMP_FIRMWARE_DIR);
	e = e2e_start(NULL, args);
	for (size_t k = 0; k < sizeof(bad_firmware) / sizeof(bad_firmware[0]); k++) {
		const char *set[] = { "-r", "%R", "firmware", "m4_0", bad_firmware[k], NULL };
		const char *start[] = { "-r", "%R", "state", "m4_0", "start", NULL };
		static char o[4096], er[4096];
		char *argv[8];
		int status;

		for (int i = 0; set[i]; i++)
			argv[i] = expand(set[i], e->rt);
		argv[5] = NULL;
		status = run(MMAMP_CLI, o, sizeof(o), er, sizeof(er), (const char *const *)argv);
		if (status)
			fail_msg("firmware m4_0 %s: %d %s", bad_firmware[k], status, er);
		for (int i = 0; i < 5; i++)
			free(argv[i]);
		run_case(MMAMP_CLI, "mmamp", start, e->rt);
		assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
		assert_string_equal(out, "offline");
	}
	boot_echo(e, "m4_0", "fw_echo"); /* and a good one still boots */
	e->passed = true;
	e2e_stop(e);
}

static int group_setup(void **state)
{
	(void)state;
	make_files();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	remove_files();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmampd_refuses_bad_options),
		cmocka_unit_test(mmamp_refuses_bad_commands),
		cmocka_unit_test(bad_firmware_files_are_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("bad_input", tests, group_setup, group_teardown);
}
