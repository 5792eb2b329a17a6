/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_board.c — measureman's board path against a directory laid out like remoteproc's
 * sysfs (firmware, state) and a PTY standing in for /dev/ttyRPMSG30, whose far end this test
 * answers like the measurement firmware (echo + stamped header). Checks that the tool installs
 * the firmware file, measures every message, and puts the old firmware and state back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mm_wire.h"

extern char **environ;

static char dir[] = "/tmp/mm-board-XXXXXX";
static int master_fd, stop_pipe[2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void get(const char *rel, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	buf[fread(buf, 1, len - 1, f)] = 0;
	fclose(f);
}

/* The "M4": 496-byte messages in, the same back with the header stamped. */
static void *firmware(void *arg)
{
	uint8_t msg[496];
	size_t got = 0;

	(void)arg;
	for (;;) {
		struct pollfd p[2] = { { master_fd, POLLIN, 0 }, { stop_pipe[0], POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, -1) < 0 || p[1].revents)
			return NULL;
		n = read(master_fd, msg + got, sizeof(msg) - got);
		if (n <= 0)
			continue; /* EIO while no one has the slave open */
		got += (size_t)n;
		if (got == sizeof(msg)) {
			struct mm_wire_hdr h;

			memcpy(&h, msg, sizeof(h));
			h.isr_ns = now_ns();
			h.flags = MM_WIRE_STAMPED;
			h.sent_ns = now_ns();
			memcpy(msg, &h, sizeof(h));
			if (write(master_fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
				return NULL;
			got = 0;
		}
	}
}

static void board_path_installs_measures_restores(void **state)
{
	static char buf[1 << 16];
	char path[256], tty[256], json[256], *args[32];
	struct termios tio;
	pthread_t th;
	pid_t pid;
	int slave, status, n = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rproc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/firmware", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("rproc/firmware", "old_fw.elf\n");
	put("rproc/state", "running\n");
	put("fw_measure.elf", "\177ELF (the measurement firmware)");

	master_fd = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master_fd >= 0);
	assert_int_equal(grantpt(master_fd), 0);
	assert_int_equal(unlockpt(master_fd), 0);
	slave = open(ptsname(master_fd), O_RDWR | O_NOCTTY); /* kept open: no hang-ups */
	assert_true(slave >= 0);
	tcgetattr(slave, &tio);
	cfmakeraw(&tio);
	tcsetattr(slave, TCSANOW, &tio);
	snprintf(tty, sizeof(tty), "%s/ttyRPMSG30", dir);
	assert_int_equal(symlink(ptsname(master_fd), tty), 0);
	assert_int_equal(pipe(stop_pipe), 0);
	assert_int_equal(pthread_create(&th, NULL, firmware, NULL), 0);

	snprintf(json, sizeof(json), "%s/out.json", dir);
	snprintf(path, sizeof(path), "%s/rproc", dir);
	snprintf(buf, sizeof(buf), "%s/firmware", dir);
	args[n++] = (char *)MEASUREMAN_EXE;
	args[n++] = (char *)"--platform=board";
	args[n++] = (char *)"--rproc";
	args[n++] = path;
	args[n++] = (char *)"--fw-dir";
	args[n++] = buf;
	args[n++] = (char *)"--tty";
	args[n++] = tty;
	args[n++] = (char *)"-l";
	args[n++] = (char *)"300";
	args[n++] = (char *)"-q";
	args[n++] = (char *)"--json";
	args[n++] = json;
	args[n++] = (char *)"--firmware=fw_measure.elf";
	args[n] = NULL;
	{
		char fw[256];

		snprintf(fw, sizeof(fw), "--fw-file=%s/fw_measure.elf", dir);
		args[n++] = fw;
		args[n] = NULL;
		assert_int_equal(posix_spawn(&pid, MEASUREMAN_EXE, NULL, NULL, args, environ), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* the old firmware and state are back; the measurement firmware was installed */
	get("rproc/firmware", buf, sizeof(buf));
	assert_string_equal(buf, "old_fw.elf");
	get("rproc/state", buf, sizeof(buf));
	assert_string_equal(buf, "start");
	get("firmware/fw_measure.elf", buf, sizeof(buf));
	assert_string_equal(buf, "\177ELF (the measurement firmware)");
	/* every message measured, the remote section from the stamped headers */
	f = fopen(json, "r");
	assert_non_null(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = 0;
	fclose(f);
	assert_non_null(strstr(buf, "\"messages\": 300,"));
	assert_non_null(strstr(buf, "\"remote_processing\": {\"count\": 300,"));
	assert_non_null(strstr(buf, "\"round_trip\": {\"count\": 300,"));
	assert_non_null(strstr(buf, "\"tty_write\": {\"count\": 0,"));

	assert_int_equal(write(stop_pipe[1], "x", 1), 1);
	pthread_join(th, NULL);
	close(slave);
	close(master_fd);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	assert_int_equal(system(buf), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(board_path_installs_measures_restores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
