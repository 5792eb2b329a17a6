/*
 * test_qemu_lcm.c — the host library's lifecycle management with a real Cortex-M4 under QEMU
 * (platform qemu-mps2-an386, backend "qemu"): boot through the SCU-checked loader → name
 * service → 496-byte TTY echo byte-exact, a firmware swap that really runs the new build, and
 * a HardFault → crashed (with the fault record's reason) → recovered; the same on the minimal
 * profile (fw_echo_min*.elf), with swaps between the two stacks; attach to a core whose host
 * died (QEMU outlives it and reconnects). Waits are on library
 * conditions with timeouts, never sleeps. Skipped (77) without qemu-system-arm.
 */
#define _GNU_SOURCE
#include <fcntl.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mmamp/host/rproc.h"
#include "channel_inbox.h"
#include "../missing.h"

#define TTY "rpmsg-virtual-tty-channel-1"
#define INFO "mmamp-info"
#define WAIT_MS 20000

static const char *bootrom, *fwdir, *platform;

static struct inbox inbox = INBOX_INIT;

struct world {
	char runtime[64];
	struct mmamp_host *h;
	struct mmamp_rproc *m4;
};

/* A host on the test's runtime directory: 0, or -1 with the reason in @err. */
static int host_open(struct world *w, char *err, size_t errlen)
{
	struct mmamp_host_config cfg = { 0 };

	cfg.platform = platform;
	cfg.runtime_dir = w->runtime;
	cfg.firmware_path = fwdir;
	cfg.simcore = "/nonexistent"; /* no sim cores on this platform */
	cfg.qemu_bootrom = bootrom;
	cfg.cores_outlive_host = true; /* the attach tests: QEMU outlives a host that dies */
	if (mmamp_host_open(&w->h, &cfg, err, errlen))
		return -1;
	w->m4 = mmamp_host_rproc_by_name(w->h, "m4_0");
	return w->m4 ? 0 : -1;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char err[512];

	snprintf(w->runtime, sizeof(w->runtime), "/tmp/mmamp-qemu-lcm-XXXXXX");
	assert_non_null(mkdtemp(w->runtime));
	if (host_open(w, err, sizeof(err)))
		fail_msg("mmamp_host_open: %s", err);
	inbox.count = 0;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char cmd[128];

	mmamp_host_close(w->h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->runtime);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", w->runtime);
	free(w);
	return 0;
}

static void start_fw(struct world *w, const char *fw)
{
	char err[512];

	assert_int_equal(mmamp_rproc_set_firmware(w->m4, fw), 0);
	if (mmamp_rproc_start(w->m4, err, sizeof(err)))
		fail_msg("start %s: %s", fw, err);
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, TTY, WAIT_MS), 0);
}

static struct mmamp_channel *channel(struct world *w, const char *name)
{
	struct mmamp_channel *ch;

	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, name, WAIT_MS), 0);
	ch = mmamp_rproc_find_channel(w->m4, name);
	assert_non_null(ch);
	mmamp_channel_set_rx(ch, inbox_on_rx, &inbox);
	return ch;
}

static void echo_n(struct mmamp_channel *ch, unsigned int n)
{
	inbox_echo_n(&inbox, ch, n, WAIT_MS);
}

static void ask_info(struct mmamp_channel *ch, char *out, size_t len)
{
	inbox_ask(&inbox, ch, out, len, WAIT_MS);
}

/* mmamp-info's line names firmware @fw and build @build. */
static void expect_build(struct world *w, const char *fw, const char *build)
{
	struct mmamp_channel *info = channel(w, INFO);
	char text[128], want[64];

	ask_info(info, text, sizeof(text));
	snprintf(want, sizeof(want), "fw=%s build=%s ", fw, build);
	if (!strstr(text, want))
		fail_msg("mmamp-info said \"%s\", not \"%s...\"", text, want);
	mmamp_channel_put(info);
}

static void boots_through_lcm_and_echoes(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;

	start_fw(w, "fw_echo.elf");
	assert_true(mmamp_rproc_pid(w->m4) > 0); /* QEMU's */
	tty = channel(w, TTY);
	echo_n(tty, 200);
	mmamp_channel_put(tty);
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
}

static void swap_runs_the_new_build_in_the_same_qemu(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	int qemu;

	start_fw(w, "fw_echo.elf");
	qemu = mmamp_rproc_pid(w->m4);
	expect_build(w, "fw_echo", "1");
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	start_fw(w, "fw_echo_b.elf");
	assert_int_equal(mmamp_rproc_pid(w->m4), qemu); /* no emulator restart */
	expect_build(w, "fw_echo_b", "2");
	tty = channel(w, TTY);
	echo_n(tty, 50);
	mmamp_channel_put(tty);
}

/*
 * Start fault-injecting firmware @fw, ask it to crash: crashed with a "hardfault" reason, then
 * recovered by the default "enabled" recovery (the crash count says so), and the TTY echoes.
 */
static void crash_and_recover(struct world *w, const char *fw)
{
	struct mmamp_channel *info, *tty;
	char reason[512];
	unsigned int before = mmamp_rproc_crash_count(w->m4);

	start_fw(w, fw);
	info = channel(w, INFO);
	assert_int_equal(mmamp_channel_send(info, "crash", 5, 2000), 0);
	mmamp_channel_put(info);
	for (int i = 0; i < WAIT_MS / 10 && mmamp_rproc_crash_count(w->m4) == before; i++)
		mmamp_rproc_wait(w->m4, MMAMP_RPROC_CRASHED, NULL, 10);
	assert_int_equal(mmamp_rproc_crash_count(w->m4), before + 1);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "hardfault"));
	tty = channel(w, TTY);
	echo_n(tty, 20);
	mmamp_channel_put(tty);
	assert_int_equal(mmamp_rproc_crash_count(w->m4), before + 1);
}

static void hardfault_is_a_crash_and_recovers(void **state)
{
	crash_and_recover(*state, "fw_echo_fault.elf");
}

/*
 * The minimal profile (mmamp/rpmsg_min.h) through the same LCM: boot, NS, 496-byte TTY echoes
 * byte-exact; swaps to the full stack and back in the same QEMU; a HardFault → crashed →
 * recovered; the heartbeat keeps the watchdog quiet meanwhile (no crash is counted but the one).
 */
static void minimal_profile_boots_swaps_and_recovers(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	int qemu;

	start_fw(w, "fw_echo_min.elf");
	qemu = mmamp_rproc_pid(w->m4);
	tty = channel(w, TTY);
	echo_n(tty, 200);
	mmamp_channel_put(tty);
	expect_build(w, "fw_echo_min", "1");
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	start_fw(w, "fw_echo.elf");
	expect_build(w, "fw_echo", "1");
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	start_fw(w, "fw_echo_min_b.elf");
	assert_int_equal(mmamp_rproc_pid(w->m4), qemu); /* every swap in the same QEMU */
	expect_build(w, "fw_echo_min_b", "2");
	assert_int_equal(mmamp_rproc_crash_count(w->m4), 0);
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	crash_and_recover(w, "fw_echo_min_fault.elf");
}

/* In a child process: a host boots @fw and dies without closing; QEMU's pid comes back. */
static pid_t boot_in_a_host_that_dies(struct world *w, const char *fw)
{
	int fds[2], status;
	pid_t child, qemu = 0;

	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char err[512];

		if (host_open(w, err, sizeof(err)))
			_exit(2);
		if (mmamp_rproc_set_firmware(w->m4, fw) || mmamp_rproc_start(w->m4, err, sizeof(err)) ||
		    mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, TTY, WAIT_MS))
			_exit(3);
		qemu = mmamp_rproc_pid(w->m4);
		if (write(fds[1], &qemu, sizeof(qemu)) != sizeof(qemu))
			_exit(4);
		_exit(0); /* no mmamp_host_close(): the host "crashes", QEMU runs on */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &qemu, sizeof(qemu)), sizeof(qemu));
	close(fds[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return qemu;
}

static void attach_and_echo(struct world *w, pid_t qemu)
{
	struct mmamp_channel *tty;
	char err[512];

	if (mmamp_rproc_start(w->m4, err, sizeof(err)))
		fail_msg("attach: %s", err);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_ATTACHED);
	assert_int_equal(mmamp_rproc_pid(w->m4), qemu); /* the same QEMU, not rebooted */
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_ATTACHED, TTY, WAIT_MS), 0);
	tty = mmamp_rproc_find_channel(w->m4, TTY);
	assert_non_null(tty);
	mmamp_channel_set_rx(tty, inbox_on_rx, &inbox);
	echo_n(tty, 100);
	mmamp_channel_put(tty);
}

/*
 * Attach (docs/protocol.md §1.3) to a Cortex-M4 that an earlier host left running: QEMU outlives its
 * host and reconnects, the new host finds it DETACHED, attaches without reloading, echoes,
 * detaches, attaches again, and stops it — for the full stack and the minimal profile.
 */
static void a_running_qemu_core_is_attached_not_rebooted(void **state)
{
	static const char *const fws[] = { "fw_echo.elf", "fw_echo_min.elf" };
	struct world *w = *state;
	char err[512], fw[64];
	pid_t qemu;

	for (size_t i = 0; i < sizeof(fws) / sizeof(fws[0]); i++) {
		mmamp_host_close(w->h); /* the test's host goes; another boots the core and dies */
		qemu = boot_in_a_host_that_dies(w, fws[i]);
		assert_true(qemu > 0);
		if (host_open(w, err, sizeof(err)))
			fail_msg("reopen: %s", err);
		assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_DETACHED);
		assert_int_equal(mmamp_rproc_pid(w->m4), qemu);
		mmamp_rproc_firmware(w->m4, fw, sizeof(fw));
		assert_string_equal(fw, fws[i]);
		attach_and_echo(w, qemu);
		assert_int_equal(mmamp_rproc_detach(w->m4), 0);
		assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_DETACHED);
		assert_int_equal(kill(qemu, 0), 0);
		attach_and_echo(w, qemu);
		assert_int_equal(mmamp_rproc_stop(w->m4), 0);
		assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
		assert_int_equal(mmamp_rproc_crash_count(w->m4), 0);
	}
}

static pid_t stray; /* a QEMU the test must not leave behind, pass or fail */

static int kill_stray_and_teardown(void **state)
{
	if (stray > 0)
		kill(stray, SIGKILL);
	stray = 0;
	return teardown(state);
}

/* The pid a host's MMAMP_TEST_EXIT_AT message on @fd names ("… (core m4_0, pid P)"), or 0. */
static pid_t exit_at_pid(int fd)
{
	char text[1024], *at;
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(text) - 1 && (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = '\0';
	at = strstr(text, "(core m4_0, pid ");
	return at ? (pid_t)strtol(at + strlen("(core m4_0, pid "), NULL, 10) : 0;
}

/*
 * A host dies (MMAMP_TEST_EXIT_AT=booting: _exit as a SIGKILL there would) after its QEMU
 * was launched and sent into the firmware, before the core was up: QEMU outlives hosts, so
 * the next host must find it by its record and end it before it boots another QEMU on the
 * same RAM file — and say so.
 */
static void a_qemu_left_before_it_was_up_is_ended(void **state)
{
	struct world *w = *state;
	char err[512], found[512];
	struct mmamp_channel *tty;
	struct pollfd p;
	int status, pidfd;
	pid_t child, qemu;

	int msg[2];

	mmamp_host_close(w->h);
	w->h = NULL;
	assert_int_equal(pipe(msg), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		dup2(msg[1], STDERR_FILENO);
		setenv("MMAMP_TEST_EXIT_AT", "booting", 1);
		if (host_open(w, err, sizeof(err)) || mmamp_rproc_set_firmware(w->m4, "fw_echo.elf"))
			_exit(2);
		mmamp_rproc_start(w->m4, err, sizeof(err));
		_exit(3); /* not reached: the host exits at "booting" */
	}
	close(msg[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	stray = qemu = exit_at_pid(msg[0]);
	close(msg[0]);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 86);
	assert_true(qemu > 0);
	pidfd = (int)syscall(SYS_pidfd_open, qemu, 0);
	assert_true(pidfd >= 0);

	if (host_open(w, err, sizeof(err)))
		fail_msg("reopen: %s", err);
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (poll(&p, 1, 0) != 1)
		fail_msg("the QEMU (pid %d) of the dead host still runs after the reopen", (int)qemu);
	close(pidfd);
	stray = 0;
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	mmamp_rproc_found(w->m4, found, sizeof(found));
	printf("[ reopen   ] found %s\n", found);
	assert_non_null(strstr(found, "ended it"));
	start_fw(w, "fw_echo.elf");
	assert_int_not_equal(mmamp_rproc_pid(w->m4), qemu);
	tty = channel(w, TTY);
	echo_n(tty, 20);
	mmamp_channel_put(tty);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(boots_through_lcm_and_echoes, setup, teardown),
		cmocka_unit_test_setup_teardown(swap_runs_the_new_build_in_the_same_qemu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(hardfault_is_a_crash_and_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(minimal_profile_boots_swaps_and_recovers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_running_qemu_core_is_attached_not_rebooted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_qemu_left_before_it_was_up_is_ended, setup,
						kill_stray_and_teardown),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s PLATFORM.dtb BOOTROM.elf FIRMWARE_DIR\n", argv[0]);
		return 2;
	}
	platform = argv[1];
	bootrom = argv[2];
	fwdir = argv[3];
	if (system("command -v qemu-system-arm >/dev/null 2>&1")) {
		return mmamp_test_missing("test_qemu_lcm", "qemu", "qemu-system-arm (Debian "
					  "package qemu-system-arm) is not installed");
	}
	return cmocka_run_group_tests_name("qemu_lcm", tests, NULL, NULL);
}
