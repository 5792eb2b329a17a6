/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_qemu_measureman.c — a short real MeasureMan run on the Cortex-M4 under QEMU (fw_measure.elf
 * through the in-process host library, interrupt mode, the guest's clock calibrated against the
 * host's through the boot mailbox): every section has samples and positive, ordered statistics
 * (min ≤ p50 ≤ p99.9 ≤ max), payloads came back byte-exact, and a fully known message's
 * sections add up to its round trip. Then the same firmware under -icount shift=0: remote
 * processing in guest instructions, the cross-clock sections left out. Exit 77 (skipped)
 * without qemu-system-arm.
 *
 * Usage: test_qemu_measureman PLATFORM.dtb QEMU_FW_DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "link_inproc.h"
#include "measure.h"
#include "mmamp/host/rproc.h"
#include "mmamp/wire/measureman.h"
#include "mmamp/wire/qemu_mailbox.h"
#include "../missing.h"

#define LOOPS 3000u

static const char *platform, *fw_dir;
static char bootrom[1024];

static void open_link(struct mm_link *l, bool icount)
{
	struct mm_inproc_config cfg = {
		.platform = platform,
		.firmware_dir = fw_dir,
		.qemu_bootrom = bootrom,
		.simcore = MMAMP_SIMCORE, /* required by the host library, unused by qemu cores */
		.core = "m4_0",
		.firmware = "fw_measure.elf",
		.channel = "rpmsg-raw",
		.remote_cpu = -1,
		.clock_file = "shm/qemu-ram",
		.icount = icount,
	};
	char err[512] = "";

	if (mm_inproc_open(l, &cfg, err, sizeof(err)))
		fail_msg("open: %s", err);
	print_message("link: %s\n", l->name);
}

static void print_section(const struct mm_stats *st, enum mm_section s)
{
	print_message("%-18s n=%llu min=%llu p50=%llu p99.9=%llu max=%llu ns\n",
		      mm_section_name(s), (unsigned long long)st->count,
		      (unsigned long long)st->min, (unsigned long long)mm_stats_quantile(st, 0.5),
		      (unsigned long long)mm_stats_quantile(st, 0.999),
		      (unsigned long long)st->max);
}

static void check_section(const struct mm_stats *st)
{
	uint64_t p50 = mm_stats_quantile(st, 0.5), p999 = mm_stats_quantile(st, 0.999);

	assert_true(st->count > 0 && st->min > 0 && st->mean > 0);
	assert_true(st->min <= p50 && p50 <= p999 && p999 <= st->max);
}

static void short_run_on_qemu(void **state)
{
	static struct mm_run run;
	struct mm_params p = { .loops = LOOPS, .len = 496, .hist_us = 1000, .slowest = 50,
			       .warmup = 50 };
	struct mm_link l = { 0 };
	char err[512] = "";

	(void)state;
	open_link(&l, false);
	assert_false(l.remote_own_clock);
	assert_int_equal(mm_run_init(&run, &p), 0);
	if (mm_measure(&l, &p, &run, NULL, err, sizeof(err)))
		fail_msg("measure: %s", err);
	assert_int_equal(mm_inproc_clock_recheck(&l), 0);
	print_message("after: %s\n", l.name);
	mm_inproc_close(&l);

	assert_int_equal(run.messages, LOOPS);
	assert_int_equal(run.mismatches, 0);
	print_message("unattributed: %llu\n", (unsigned long long)run.unattributed);
	for (int s = 0; s < MM_NSECTIONS; s++)
		print_section(&run.sec[s], (enum mm_section)s);
	/*
	 * The sections within one clock always hold. The two that cross between the clocks need a
	 * good calibration, which QEMU sharing busy CPUs may not give: checked when it is within
	 * 20 µs. Messages the M4 found before their doorbell's ISR had run (how many depends on
	 * the load too) are left out of IPI-to-remote and remote processing only.
	 */
	check_section(&run.sec[MM_TTY_WRITE]);
	check_section(&run.sec[MM_TTY_READ]);
	check_section(&run.sec[MM_REMOTE_PROC]);
	check_section(&run.sec[MM_ROUND_TRIP]);
	assert_true(run.sec[MM_TTY_WRITE].count * 10 >= LOOPS * 9);
	if (l.remote_offset_err_ns <= 20000) {
		check_section(&run.sec[MM_IPI_REMOTE]);
		check_section(&run.sec[MM_IPI_HOST]);
		assert_true(run.sec[MM_IPI_HOST].count * 2 >= LOOPS);
	} else {
		print_message("guest clock calibrated to ±%llu ns only (busy machine): IPI sections "
			      "not checked\n", (unsigned long long)l.remote_offset_err_ns);
	}
	/* the guest's points sit between the host's: a fully known message tiles its round trip */
	for (size_t i = 0; i < run.nslowest; i++) {
		const struct mm_sample *m = &run.slowest[i];
		int64_t parts = 0;
		int known = 0;

		for (int s = 0; s < MM_ROUND_TRIP; s++) {
			int64_t v = mm_sample_section(m, (enum mm_section)s);

			known += v >= 0;
			parts += v >= 0 ? v : 0;
		}
		if (known == MM_ROUND_TRIP)
			assert_int_equal(parts, mm_sample_section(m, MM_ROUND_TRIP));
	}
	mm_run_free(&run);
}

/* -icount shift=0: remote processing counts guest instructions; IPI sections are unknown. */
static void short_run_under_icount(void **state)
{
	static struct mm_run run;
	struct mm_params p = { .loops = 1000, .len = 496, .hist_us = 1000, .warmup = 20 };
	struct mm_link l = { 0 };
	const struct mm_stats *rp = &run.sec[MM_REMOTE_PROC];
	char err[512] = "";

	(void)state;
	open_link(&l, true);
	assert_true(l.remote_own_clock);
	assert_int_equal(mm_run_init(&run, &p), 0);
	if (mm_measure(&l, &p, &run, NULL, err, sizeof(err)))
		fail_msg("measure: %s", err);
	mm_inproc_close(&l);
	assert_int_equal(run.messages, 1000);
	assert_int_equal(run.sec[MM_IPI_REMOTE].count, 0);
	assert_int_equal(run.sec[MM_IPI_HOST].count, 0);
	print_section(rp, MM_REMOTE_PROC);
	check_section(rp);
	print_message("icount: fw_measure remote processing per 496-byte echo (ISR entry to "
		      "send_nocopy, zero-copy TX + one 496-byte copy): min %llu, median %llu guest "
		      "instructions (timer0 resolution 40)\n", (unsigned long long)rp->min,
		      (unsigned long long)mm_stats_quantile(rp, 0.5));
	mm_run_free(&run);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void on_echo(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	(void)ch;
	(void)data;
	(void)len;
	__atomic_store_n((int *)ctx, 1, __ATOMIC_RELEASE);
}

/*
 * A calibration as a loaded machine runs it (issue 12: a round took ~12 ms, 256 rounds outlast
 * the host's 3 s watchdog): rounds paced 25 ms apart for 4 s. The core is busy answering them
 * — alive, and it must say so on its heartbeat — so it must not be declared crashed; and the
 * firmware echoes the clock request when the host ends the ping-pong. (The pacing is the
 * stimulus, a slow host; every wait is on a condition with a deadline.)
 */
static void a_slow_calibration_is_not_a_crash(void **state)
{
	struct mmamp_host_config hc = { 0 };
	char rt[] = "/tmp/mmamp-qemu-clock-XXXXXX", path[128], err[512], cmd[160];
	struct mm_wire_hdr h = { .magic = MM_WIRE_CLOCK_MAGIC };
	const struct timespec gap = { 0, 25000000 };
	struct mmamp_host *host;
	struct mmamp_channel *ch;
	struct mmamp_rproc *r;
	struct qmb_clock *c;
	uint8_t req[MM_WIRE_HDR];
	uint64_t end, acked;
	uint32_t n;
	int echoed = 0, fd, rounds = 0;
	void *mb;

	(void)state;
	assert_non_null(mkdtemp(rt));
	hc.platform = platform;
	hc.runtime_dir = rt;
	hc.firmware_path = fw_dir;
	hc.simcore = MMAMP_SIMCORE;
	hc.qemu_bootrom = bootrom;
	if (mmamp_host_open(&host, &hc, err, sizeof(err)))
		fail_msg("host: %s", err);
	r = mmamp_host_rproc_by_name(host, "m4_0");
	assert_non_null(r);
	assert_int_equal(mmamp_rproc_set_firmware(r, "fw_measure.elf"), 0);
	if (mmamp_rproc_start(r, err, sizeof(err)))
		fail_msg("start: %s", err);
	assert_int_equal(mmamp_rproc_wait(r, MMAMP_RPROC_RUNNING, "rpmsg-raw", 20000), 0);
	ch = mmamp_rproc_find_channel(r, "rpmsg-raw");
	assert_non_null(ch);
	mmamp_channel_set_rx(ch, on_echo, &echoed);
	snprintf(path, sizeof(path), "%s/shm/qemu-ram", rt);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	mb = mmap(NULL, QMB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(mb != MAP_FAILED);
	c = (struct qmb_clock *)(void *)((uint8_t *)mb + QMB_CLOCK_OFFSET);

	n = __atomic_load_n(&c->ack, __ATOMIC_ACQUIRE);
	__atomic_store_n(&c->req, n, __ATOMIC_RELEASE);
	memset(req, 0, sizeof(req));
	memcpy(req, &h, sizeof(h));
	assert_int_equal(mmamp_channel_send(ch, req, sizeof(req), 1000), 0);
	for (end = now_ms() + 4000, acked = now_ms(); now_ms() < end; rounds++) {
		uint64_t deadline = now_ms() + 5000, late = now_ms() - acked;

		if (++n == QMB_CLOCK_END)
			n = 1;
		__atomic_store_n(&c->req, n, __ATOMIC_RELEASE);
		while (__atomic_load_n(&c->ack, __ATOMIC_ACQUIRE) != n) {
			if (now_ms() > deadline) {
				mmamp_rproc_crash_reason(r, err, sizeof(err));
				/* the firmware leaves after 500 ms without a round (FW_CLOCK_SERVE):
				 * a test descheduled that long cannot judge the product */
				fail_msg("round %d: the firmware did not answer within 5 s (state %s, "
					 "%u crashes: %s; this round came %llu ms after the last ack)",
					 rounds, mmamp_rproc_state_str(mmamp_rproc_state(r)),
					 mmamp_rproc_crash_count(r), err, (unsigned long long)late);
			}
			sched_yield(); /* QEMU's vCPU may need this CPU to answer */
		}
		acked = now_ms();
		nanosleep(&gap, NULL);
	}
	__atomic_store_n(&c->req, QMB_CLOCK_END, __ATOMIC_RELEASE);
	for (end = now_ms() + 5000; !__atomic_load_n(&echoed, __ATOMIC_ACQUIRE);)
		if (now_ms() > end)
			fail_msg("no echo of the clock request after the ping-pong");
	print_message("%d rounds over 4 s: state %s, crashes %u\n", rounds,
		      mmamp_rproc_state_str(mmamp_rproc_state(r)), mmamp_rproc_crash_count(r));
	assert_int_equal(mmamp_rproc_crash_count(r), 0);
	assert_int_equal(mmamp_rproc_state(r), MMAMP_RPROC_RUNNING);
	mmamp_channel_set_rx(ch, NULL, NULL);
	mmamp_channel_put(ch);
	munmap(mb, QMB_SIZE);
	mmamp_host_close(host);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rt);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", rt);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_run_on_qemu),
		cmocka_unit_test(short_run_under_icount),
		cmocka_unit_test(a_slow_calibration_is_not_a_crash),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s PLATFORM.dtb QEMU_FW_DIR\n", argv[0]);
		return 2;
	}
	if (system("command -v qemu-system-arm >/dev/null 2>&1")) {
		return mmamp_test_missing("test_qemu_measureman", "qemu", "qemu-system-arm (Debian "
					  "package qemu-system-arm) is not installed");
	}
	platform = argv[1];
	fw_dir = argv[2];
	snprintf(bootrom, sizeof(bootrom), "%s/qemu_bootrom.elf", fw_dir);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
