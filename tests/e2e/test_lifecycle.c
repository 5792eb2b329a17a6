/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lifecycle.c — mmampd's lifecycle with real simulated cores:
 *  - auto-boot of a two-core platform in boot order, then firmware swaps of one core
 *    (stop → firmware → start → channels) while the other core's TTY echoes continuously,
 *    untouched;
 *  - kill -9 of the core process → crashed → recovered (recovery enabled), the old TTY hung up
 *    and the new one echoing;
 *  - the same with recovery disabled: the core stays crashed (start and firmware refused with
 *    EBUSY) until "recover";
 *  - a fault inside the firmware (fw_echo_fault, "crash" on mmamp-info) → an MMU-fault crash
 *    reason → recovered.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "proto.h"

static int setup(void **state)
{
	*state = e2e_start(NULL, NULL);
	return 0;
}

static int setup_dual(void **state)
{
	*state = e2e_start(E2E_DUAL_DTB, NULL);
	return 0;
}

static int teardown(void **state)
{
	e2e_stop(*state);
	return 0;
}

static void info_of(struct e2e *e, const char *core, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	channel_dev(e, core, INFO_CHANNEL, path, sizeof(path));
	fd = tool_seqpacket_connect(path);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, "info", 4, 0), 4);
	n = seq_recv(fd, out, len - 1, E2E_WAIT_MS);
	assert_true(n > 0 && n <= 496);
	out[n] = '\0';
	close(fd);
}

/* ---- swap one core while the other one's TTY keeps echoing ---- */

struct pump {
	int fd;
	volatile int stop;
	unsigned long round_trips;
	int error; /* 0, -errno, or 1 for a mismatch */
};

static void *pump_thread(void *arg)
{
	struct pump *p = arg;
	uint8_t out[496], in[496];
	uint64_t seed = 99;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		int ret;

		fill_random(out, sizeof(out), &seed);
		ret = tty_echo(p->fd, out, sizeof(out), in);
		if (ret || memcmp(out, in, sizeof(out))) {
			p->error = ret ? ret : 1;
			break;
		}
		__atomic_add_fetch(&p->round_trips, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void swap_keeps_other_core(void **state)
{
	struct e2e *e = *state;
	char out[512], path[PATH_MAX];
	struct pump p = { 0 };
	pthread_t t;

	/* both cores auto-boot from the platform description: m4_0 first, then m4_1 */
	ctl_ok(e, "wait m4_0 running %s %s %s %d", TTY_CHANNEL, RAW_CHANNEL, INFO_CHANNEL,
	       E2E_WAIT_MS);
	ctl_ok(e, "wait m4_1 running %s %s %s %d", TTY_CHANNEL, RAW_CHANNEL, INFO_CHANNEL,
	       E2E_WAIT_MS);
	info_of(e, "m4_0", out, sizeof(out));
	assert_non_null(strstr(out, "fw=fw_echo build=1"));
	info_of(e, "m4_1", out, sizeof(out));
	assert_non_null(strstr(out, "fw=fw_echo_b build=2"));

	/* the second core announcing ttyRPMSG30 gets a name that says whose it is */
	channel_dev(e, "m4_1", TTY_CHANNEL, path, sizeof(path));
	assert_non_null(strstr(path, "/ttyRPMSG30.m4_1"));
	p.fd = tty_open(path);
	assert_true(p.fd >= 0);
	assert_int_equal(pthread_create(&t, NULL, pump_thread, &p), 0);

	for (int i = 0; i < 6; i++) {
		const char *fw = i % 2 ? "fw_echo" : "fw_echo_b";
		unsigned long before = __atomic_load_n(&p.round_trips, __ATOMIC_ACQUIRE);
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ctl_ok(e, "set m4_0 state stop");
		ctl_ok(e, "set m4_0 firmware %s", fw);
		ctl_ok(e, "set m4_0 state start");
		ctl_ok(e, "wait m4_0 running %s %s %s %d", TTY_CHANNEL, RAW_CHANNEL, INFO_CHANNEL,
		       E2E_WAIT_MS);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		info_of(e, "m4_0", out, sizeof(out));
		assert_non_null(strstr(out, fw));
		print_message("swap %d to %s: %.1f ms; m4_1 TTY round trips meanwhile: %lu\n", i,
			      fw, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
					  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
			      __atomic_load_n(&p.round_trips, __ATOMIC_ACQUIRE) - before);
	}
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	close(p.fd);
	if (p.error)
		fail_msg("m4_1's TTY failed during m4_0's swaps: %s",
			 p.error == 1 ? "echo mismatch" : strerror(-p.error));
	assert_true(p.round_trips > 0);
	/* m4_1 was not disturbed at all */
	assert_true(ctl(e, out, sizeof(out), "get m4_1 state"));
	assert_string_equal(out, "running");
	assert_true(ctl(e, out, sizeof(out), "get m4_1 crash_count"));
	assert_string_equal(out, "0");
	assert_int_equal(channel_field(e, "m4_1", TTY_CHANNEL, "tx_errors"), 0);
	assert_int_equal(channel_field(e, "m4_1", TTY_CHANNEL, "rx_dropped"), 0);
	assert_int_equal(channel_field(e, "m4_1", TTY_CHANNEL, "tx"), p.round_trips);
	e->passed = true;
}

/* ---- crashes ---- */

static void echo_on_tty(struct e2e *e, int *fdp)
{
	char path[PATH_MAX];
	uint8_t out[496], in[496];
	uint64_t seed = 5;

	channel_dev(e, "m4_0", TTY_CHANNEL, path, sizeof(path));
	*fdp = tty_open(path);
	assert_true(*fdp >= 0);
	for (int i = 0; i < 20; i++) {
		fill_random(out, sizeof(out), &seed);
		assert_int_equal(tty_echo(*fdp, out, sizeof(out), in), 0);
		assert_memory_equal(out, in, sizeof(out));
	}
}

static void expect_hangup(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t b[64];

	assert_int_equal(poll(&p, 1, E2E_WAIT_MS), 1);
	assert_true(p.revents & POLLHUP);
	assert_true(read(fd, b, sizeof(b)) <= 0);
	close(fd);
}

static int core_pid(struct e2e *e)
{
	char out[64];

	assert_true(ctl(e, out, sizeof(out), "get m4_0 pid"));
	return atoi(out);
}

static void kill9_recovers(void **state)
{
	struct e2e *e = *state;
	char out[600];
	int fd, pid, pid2;

	boot_echo(e, "m4_0", "fw_echo");
	echo_on_tty(e, &fd);
	pid = core_pid(e);
	assert_true(pid > 0);
	assert_true(ctl(e, out, sizeof(out), "get m4_0 recovery"));
	assert_string_equal(out, "enabled");

	assert_int_equal(kill(pid, SIGKILL), 0);
	ctl_ok(e, "wait m4_0 running %s crashes=1 %d", TTY_CHANNEL, E2E_WAIT_MS);
	assert_true(ctl(e, out, sizeof(out), "get m4_0 crash_count"));
	assert_string_equal(out, "1");
	assert_true(ctl(e, out, sizeof(out), "get m4_0 crash_reason"));
	assert_non_null(strstr(out, "killed"));
	pid2 = core_pid(e);
	assert_true(pid2 > 0 && pid2 != pid);

	expect_hangup(fd);   /* the TTY of the crashed core's channel is gone */
	echo_on_tty(e, &fd); /* the new one works */
	close(fd);
	e->passed = true;
}

static void crash_without_recovery(void **state)
{
	struct e2e *e = *state;
	char out[600], path[PATH_MAX];
	struct stat st;
	int fd;

	boot_echo(e, "m4_0", "fw_echo");
	ctl_ok(e, "set m4_0 recovery disabled");
	echo_on_tty(e, &fd);
	channel_dev(e, "m4_0", TTY_CHANNEL, path, sizeof(path));
	assert_int_equal(kill(core_pid(e), SIGKILL), 0);
	ctl_ok(e, "wait m4_0 crashed %d", E2E_WAIT_MS);
	expect_hangup(fd);
	assert_int_equal(lstat(path, &st), -1);
	assert_true(ctl(e, out, sizeof(out), "channels m4_0"));
	assert_string_equal(out, "0");
	assert_true(ctl(e, out, sizeof(out), "get m4_0 pid"));
	assert_string_equal(out, "0");
	/* crashed is not offline: start and firmware are refused */
	assert_false(ctl(e, out, sizeof(out), "set m4_0 state start"));
	assert_memory_equal(out, "EBUSY ", 6);
	assert_false(ctl(e, out, sizeof(out), "set m4_0 firmware fw_echo_b"));
	assert_memory_equal(out, "EBUSY ", 6);
	/* a one-shot recovery brings it back */
	ctl_ok(e, "set m4_0 recovery recover");
	ctl_ok(e, "wait m4_0 running %s %d", TTY_CHANNEL, E2E_WAIT_MS);
	echo_on_tty(e, &fd);
	close(fd);
	assert_true(ctl(e, out, sizeof(out), "get m4_0 recovery"));
	assert_string_equal(out, "disabled");
	e->passed = true;
}

static void firmware_fault_recovers(void **state)
{
	struct e2e *e = *state;
	char out[600], path[PATH_MAX], pkt[MMAMP_EPT_STATUS_LEN], text[MMAMP_EPT_STATUS_LEN];
	ssize_t n;
	int fd, err;

	boot_echo(e, "m4_0", "fw_echo_fault");
	channel_dev(e, "m4_0", INFO_CHANNEL, path, sizeof(path));
	fd = tool_seqpacket_connect(path);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, "crash", 5, 0), 5);
	/* the endpoint's channel goes away with the core: EPIPE, then the end */
	n = seq_recv(fd, pkt, sizeof(pkt), E2E_WAIT_MS);
	assert_int_equal(n, MMAMP_EPT_STATUS_LEN);
	assert_true(mmamp_ept_status_parse(pkt, (size_t)n, &err, text, sizeof(text)));
	assert_int_equal(err, EPIPE);
	close(fd);
	ctl_ok(e, "wait m4_0 running %s %s crashes=1 %d", TTY_CHANNEL, INFO_CHANNEL, E2E_WAIT_MS);
	assert_true(ctl(e, out, sizeof(out), "get m4_0 crash_reason"));
	print_message("crash reason: %s\n", out);
	assert_non_null(strstr(out, "mmufault"));
	echo_on_tty(e, &fd);
	close(fd);
	e->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(swap_keeps_other_core, setup_dual, teardown),
		cmocka_unit_test_setup_teardown(kill9_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(crash_without_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(firmware_fault_recovers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
