/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_board.c — measureman's board path against a directory laid out like remoteproc's
 * sysfs (firmware, state) and a PTY standing in for /dev/ttyRPMSG30, whose far end this test
 * answers like the measurement firmware (echo + stamped header). Checks that the tool installs
 * the firmware file, measures every message, and puts the old firmware and state back; that with
 * a driver's stamps beside the device (<rproc>/device, as kernel/mmamp_rproc.c has them) it
 * measures all five sections; and that a clock offset it cannot read stops it with the reason
 * and the old firmware back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
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

#include "mmamp/wire/measureman.h"

extern char **environ;

static char dir[32];
static int master_fd, slave_fd, stop_pipe[2];
static pthread_t fw_thread;
static bool kernel_stamps; /* the "driver" stamps kick and doorbell for each message */

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

/* A driver's stamp: rewritten in place, read by measureman only after the reply. */
static void stamp(const char *rel, uint64_t ns)
{
	char path[256], text[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	len = snprintf(text, sizeof(text), "%020llu\n", (unsigned long long)ns);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (pwrite(fd, text, (size_t)len, 0) != len)
			fprintf(stderr, "test_mm_board: cannot write %s\n", path);
		close(fd);
	}
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

			if (kernel_stamps)
				stamp("rproc/device/last_kick_ns", now_ns());
			memcpy(&h, msg, sizeof(h));
			h.isr_ns = now_ns();
			h.flags = MM_WIRE_STAMPED;
			h.sent_ns = now_ns();
			memcpy(msg, &h, sizeof(h));
			if (kernel_stamps)
				stamp("rproc/device/last_doorbell_ns", now_ns());
			if (write(master_fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
				return NULL;
			got = 0;
		}
	}
}

/* The sysfs-like directory, the firmware file, the PTY and its "M4" thread. */
static void fixture_up(void)
{
	char path[256], tty[256];
	struct termios tio;

	snprintf(dir, sizeof(dir), "/tmp/mm-board-XXXXXX");
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
	slave_fd = open(ptsname(master_fd), O_RDWR | O_NOCTTY); /* kept open: no hang-ups */
	assert_true(slave_fd >= 0);
	tcgetattr(slave_fd, &tio);
	cfmakeraw(&tio);
	tcsetattr(slave_fd, TCSANOW, &tio);
	snprintf(tty, sizeof(tty), "%s/ttyRPMSG30", dir);
	assert_int_equal(symlink(ptsname(master_fd), tty), 0);
	assert_int_equal(pipe(stop_pipe), 0);
	assert_int_equal(pthread_create(&fw_thread, NULL, firmware, NULL), 0);
}

static void fixture_down(void)
{
	char cmd[64];

	assert_int_equal(write(stop_pipe[1], "x", 1), 1);
	pthread_join(fw_thread, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	close(slave_fd);
	close(master_fd);
	kernel_stamps = false;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* measureman on the board platform, 300 round trips; its stderr into <dir>/stderr. Exit code. */
static int run_measureman(void)
{
	char rproc[256], fwdir[256], tty[256], json[256], fw[256], errpath[256];
	char *args[] = {
		(char *)MEASUREMAN_EXE, (char *)"--platform=board", (char *)"--rproc", rproc,
		(char *)"--fw-dir", fwdir, (char *)"--tty", tty, (char *)"-l", (char *)"300",
		(char *)"-q", (char *)"--json", json, (char *)"--firmware=fw_measure.elf", fw, NULL,
	};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	snprintf(rproc, sizeof(rproc), "%s/rproc", dir);
	snprintf(fwdir, sizeof(fwdir), "%s/firmware", dir);
	snprintf(tty, sizeof(tty), "%s/ttyRPMSG30", dir);
	snprintf(json, sizeof(json), "%s/out.json", dir);
	snprintf(fw, sizeof(fw), "--fw-file=%s/fw_measure.elf", dir);
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 2, errpath,
							  O_WRONLY | O_CREAT | O_TRUNC, 0644), 0);
	assert_int_equal(posix_spawn(&pid, MEASUREMAN_EXE, &fa, NULL, args, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void assert_restored(void)
{
	char buf[256];

	get("rproc/firmware", buf, sizeof(buf));
	assert_string_equal(buf, "old_fw.elf");
	get("rproc/state", buf, sizeof(buf));
	assert_string_equal(buf, "start");
}

static void board_path_installs_measures_restores(void **state)
{
	static char buf[1 << 16];

	(void)state;
	fixture_up();
	assert_int_equal(run_measureman(), 0);

	/* the old firmware and state are back; the measurement firmware was installed */
	assert_restored();
	get("firmware/fw_measure.elf", buf, sizeof(buf));
	assert_string_equal(buf, "\177ELF (the measurement firmware)");
	/* every message measured, the remote section from the stamped headers */
	get("out.json", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"messages\": 300,"));
	assert_non_null(strstr(buf, "\"remote_processing\": {\"count\": 300,"));
	assert_non_null(strstr(buf, "\"round_trip\": {\"count\": 300,"));
	assert_non_null(strstr(buf, "\"tty_write\": {\"count\": 0,"));
	fixture_down();
}

/* The attributes kernel/mmamp_rproc.c has beside the remoteproc device, @offset its clock's. */
static void put_driver_stamps(const char *offset)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/rproc/device", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("rproc/device/last_kick_ns", "0\n");
	put("rproc/device/last_doorbell_ns", "0\n");
	put("rproc/device/soc_clock_offset_ns", offset);
}

/* The driver's attributes beside the device: the kernel's points 3, all five sections. */
static void board_path_with_kernel_stamps_measures_every_section(void **state)
{
	static const char *const sections[] = { "tty_write", "ipi_to_remote", "remote_processing",
						"ipi_to_host", "tty_read", "round_trip" };
	static char buf[1 << 16];
	char want[64];

	(void)state;
	fixture_up();
	put_driver_stamps("0\n"); /* the "M4" reads our clock */
	kernel_stamps = true;
	assert_int_equal(run_measureman(), 0);
	assert_restored();
	get("out.json", buf, sizeof(buf));
	assert_non_null(strstr(buf, "board (remoteproc sysfs, the kernel's stamps)"));
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\": {\"count\": 300,", sections[i]);
		assert_non_null(strstr(buf, want));
	}
	fixture_down();
}

/* A clock offset that is not a number: the run does not start, the reason is said. */
static void board_path_refuses_an_unreadable_clock_offset(void **state)
{
	static char buf[1 << 16];

	(void)state;
	fixture_up();
	put_driver_stamps("not a number\n");
	assert_int_equal(run_measureman(), 1);
	assert_restored();
	get("stderr", buf, sizeof(buf));
	assert_non_null(strstr(buf, "measureman: soc_clock_offset_ns: Invalid argument"));
	fixture_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(board_path_installs_measures_restores),
		cmocka_unit_test(board_path_with_kernel_stamps_measures_every_section),
		cmocka_unit_test(board_path_refuses_an_unreadable_clock_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
