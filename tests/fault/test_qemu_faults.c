/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_qemu_faults.c — fault injection into a stream with the real Cortex-M4 under QEMU
 * (platform qemu-mps2-an386, backend "qemu", the cross-built firmware): in the middle of a
 * stream of 496-byte echoes on rpmsg-raw,
 *   (a) QEMU is killed with SIGKILL       → crashed "fatal error: qemu killed by signal 9 …",
 *   (b) QEMU is frozen with SIGSTOP       → crashed "watchdog: no heartbeat for N ms" (the
 *                                           backend continues the stopped QEMU to reset it),
 *   (c) the firmware takes a HardFault    → crashed "hardfault: pc … CFSR …" (fw_echo_fault.elf,
 *                                           "crash" to mmamp-info),
 * and each is recovered and echoes again (20 × 496 bytes, byte-exact). Both ends are counted (the delivery guarantee,
 * docs/protocol.md §4): every accepted message was delivered — in order, once, byte-exact — or
 * was in flight when the channel failed and the sender learned it (-EPIPE); the host's channel
 * counters agree with the sender's and the receiver's; nothing of the old stream comes late; at
 * most the window (64) was in flight; and for the HardFault, everything sent before the faulting
 * message was delivered. About 5 s in all (the watchdog's 3 s included).
 * Skipped (77) without qemu-system-arm or the cross-built firmware.
 *
 *   MMAMP_FAULT_SEED  the fault points' seed (default: time; printed)
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fault_common.h"
#include "../missing.h"

#define MSG_LEN 496 /* the MTU: every echo fills a whole buffer */
/* Messages in flight at most: echoes keep flowing while the fault hits (a stream sent back to
 * back is all in the ring before QEMU has echoed any), and what is lost is bounded by it. */
#define WINDOW 64

static const char *platform, *bootrom, *fwdir;
static unsigned long seed;
static struct world w;
static struct mmamp_rproc *m4;

static unsigned int rnd(unsigned int below)
{
	seed = seed * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned int)((seed >> 33) % below);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int setup(void **state)
{
	(void)state;
	states_reset();
	world_open_qemu(&w, platform, bootrom, fwdir);
	m4 = mmamp_host_rproc_by_name(w.h, "m4_0");
	assert_non_null(m4);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_close(&w);
	return 0;
}

/* ---- the faults ---- */

struct fault {
	const char *what;
	const char *firmware;
	const char *reason;     /* what the crash reason must contain */
	void (*inject)(struct mmamp_channel *info, int qemu);
	/* every message sent before the fault is delivered: the core handles vring1 in order
	 * and echoes all that came before "crash" before it faults on it */
	bool all_before;
};

static void kill9(struct mmamp_channel *info, int qemu)
{
	(void)info;
	assert_int_equal(kill(qemu, SIGKILL), 0);
}

static void sigstop(struct mmamp_channel *info, int qemu)
{
	(void)info;
	assert_int_equal(kill(qemu, SIGSTOP), 0);
}

/* fw_echo_fault: "crash" to mmamp-info stores where nothing is mapped, a precise bus fault */
static void hardfault(struct mmamp_channel *info, int qemu)
{
	(void)qemu;
	assert_int_equal(mmamp_channel_send(info, "crash", 5, FAULT_WAIT_MS), 0);
}

/* ---- one stream up to the fault ---- */

struct counts {
	uint64_t accepted;  /* sends that returned 0 */
	uint64_t delivered; /* echoes received (the stream inbox) */
	int error;          /* what the sender learned at the end */
	uint64_t out_of_order, corrupt;
	struct mmamp_channel_stats st; /* the host's own counters for the channel */
	uint64_t t_fault;   /* when the fault was injected (ms, CLOCK_MONOTONIC) */
	uint64_t fail_ms;   /* from the fault to the sender's error */
};

/*
 * Stream on rpmsg-raw, at most WINDOW in flight; inject @f after @at accepted; go on until a
 * send fails. While the window is full and the channel up, wait for echoes (a frozen core
 * sends none: the watchdog decides); once the channel is down the next send says so.
 */
static void stream_through(const struct fault *f, unsigned int at, struct inbox *in,
			   struct counts *c)
{
	struct mmamp_channel *raw = chan(m4, RAW, inbox_rx_stream, in);
	/* the info channel only sends here (the HardFault's "crash"): no reader */
	struct mmamp_channel *info = chan(m4, INFO, NULL, NULL);
	uint8_t msg[MSG_LEN];
	uint32_t seq = 0;
	int ret;

	for (;;) {
		if (seq == at && !c->t_fault) {
			f->inject(info, mmamp_rproc_pid(m4));
			c->t_fault = now_ms();
		}
		if (seq >= WINDOW && inbox_wait(in, seq - WINDOW + 1, 50) &&
		    mmamp_channel_is_up(raw))
			continue;
		stream_fill(msg, sizeof(msg), seq);
		ret = mmamp_channel_send(raw, msg, sizeof(msg), FAULT_WAIT_MS);
		if (ret)
			break;
		seq++;
		if (seq > at + 100000)
			fail_msg("%s: the stream never failed after the fault", f->what);
	}
	c->fail_ms = now_ms() - c->t_fault;
	/* the channel is down: its endpoint is gone, so the counts are final */
	mmamp_channel_stats(raw, &c->st);
	mmamp_channel_set_rx(raw, NULL, NULL);
	pthread_mutex_lock(&in->lock);
	c->accepted = seq;
	c->delivered = in->count;
	c->out_of_order = in->out_of_order;
	c->corrupt = in->corrupt;
	pthread_mutex_unlock(&in->lock);
	c->error = ret;
	mmamp_channel_put(raw);
	mmamp_channel_put(info);
}

/* After recovery: 20 echoes of 496 bytes, byte-exact, on the new raw channel. */
static void raw_echoes_again(const char *what)
{
	struct inbox in;
	struct mmamp_channel *raw;
	uint8_t msg[MSG_LEN];

	inbox_init(&in);
	raw = chan(m4, RAW, inbox_rx, &in);
	for (uint32_t i = 0; i < 20; i++) {
		int ret;

		stream_fill(msg, sizeof(msg), i);
		ret = echo_once(raw, &in, msg, sizeof(msg));
		if (ret) {
			dump_console(&w, "m4_0");
			fail_msg("%s: echo %u after recovery: %d (state %s)", what, i, ret,
				 mmamp_rproc_state_str(mmamp_rproc_state(m4)));
		}
	}
	mmamp_channel_set_rx(raw, NULL, NULL);
	mmamp_channel_put(raw);
}

static void fault_case(const struct fault *f)
{
	struct inbox in;
	struct counts c = { 0 };
	unsigned int at = 100 + rnd(500);
	unsigned int mark, crashes;
	char reason[512];

	boot(m4, f->firmware);
	crashes = mmamp_rproc_crash_count(m4);
	inbox_init(&in);
	mark = states_mark();
	stream_through(f, at, &in, &c);
	if (states_wait(mark, m4, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING, FAULT_WAIT_MS)) {
		dump_console(&w, "m4_0");
		fail_msg("%s: not crashed and recovered (state %s)", f->what,
			 mmamp_rproc_state_str(mmamp_rproc_state(m4)));
	}
	mmamp_rproc_crash_reason(m4, reason, sizeof(reason));
	printf("[ qemu     ] %-9s after %3u: accepted %4llu  delivered %4llu  lost (EPIPE) %3llu  "
	       "(not handed back by the core: %llu)  sender saw %d %llu ms after the fault, running "
	       "again after %llu ms\n"
	       "[ qemu     ]           reason: %s\n", f->what, at,
	       (unsigned long long)c.accepted, (unsigned long long)c.delivered,
	       (unsigned long long)(c.accepted - c.delivered),
	       (unsigned long long)c.st.tx_in_flight, c.error,
	       (unsigned long long)c.fail_ms, (unsigned long long)(now_ms() - c.t_fault), reason);
	if (!strstr(reason, f->reason)) {
		dump_console(&w, "m4_0");
		fail_msg("%s: crash reason \"%s\" does not name \"%s\"", f->what, reason,
			 f->reason);
	}
	assert_int_equal(mmamp_rproc_crash_count(m4), crashes + 1);
	assert_int_equal(c.error, -EPIPE);       /* the sender learned the channel failed */
	assert_int_equal(c.out_of_order, 0);     /* in order, no duplicate, no gap */
	assert_int_equal(c.corrupt, 0);          /* byte-exact */
	assert_true(c.accepted >= at);
	if (f->all_before)
		assert_int_equal(c.delivered, at);
	assert_true(c.delivered <= c.accepted);  /* delivered + lost == accepted, lost ≥ 0 */
	assert_true(c.accepted - c.delivered <= WINDOW); /* at most what was in flight */
	assert_int_equal(c.st.tx, c.accepted);   /* the host accepted what the sender counted */
	assert_int_equal(c.st.rx, c.delivered);  /* and delivered what the receiver counted */
	assert_int_equal(c.st.rx_dropped, 0);
	/* what the core had not handed back was not consumed — or, one at most, was inside the
	 * echo callback (echoed, not yet returned) */
	assert_true(c.st.tx_in_flight <= c.accepted - c.delivered + 1);
	raw_echoes_again(f->what);
	assert_int_equal(inbox_count(&in), c.delivered); /* nothing of the old stream came late */
	assert_int_equal(mmamp_rproc_stop(m4), 0);
}

static void qemu_killed_in_a_stream(void **state)
{
	static const struct fault f = { "kill -9", "fw_echo.elf",
					"fatal error: qemu killed by signal 9 (Killed)",
					kill9, false };

	(void)state;
	fault_case(&f);
}

static void qemu_frozen_in_a_stream(void **state)
{
	static const struct fault f = { "SIGSTOP", "fw_echo.elf", "watchdog: no heartbeat for",
					sigstop, false };

	(void)state;
	fault_case(&f);
}

static void hardfault_in_a_stream(void **state)
{
	static const struct fault f = { "HardFault", "fw_echo_fault.elf",
					"hardfault: pc 0x", hardfault, true };

	(void)state;
	fault_case(&f);
}

static bool readable(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, R_OK) == 0;
}

int main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(qemu_killed_in_a_stream),
		T(qemu_frozen_in_a_stream),
		T(hardfault_in_a_stream),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s PLATFORM.dtb BOOTROM.elf FIRMWARE_DIR\n", argv[0]);
		return 2;
	}
	platform = argv[1];
	bootrom = argv[2];
	fwdir = argv[3];
	if (system("command -v qemu-system-arm >/dev/null 2>&1")) {
		return mmamp_test_missing("test_qemu_faults", "qemu", "qemu-system-arm (Debian "
					  "package qemu-system-arm) is not installed");
	}
	if (access(bootrom, R_OK) || !readable(fwdir, "fw_echo.elf") ||
	    !readable(fwdir, "fw_echo_fault.elf")) {
		fprintf(stderr, "test_qemu_faults: the Cortex-M4 firmware (%s, fw_echo.elf, "
			"fw_echo_fault.elf in %s) is not built\n", bootrom, fwdir);
		return mmamp_test_missing("test_qemu_faults", "cross",
					  "the cross-built Cortex-M4 firmware is missing");
	}
	seed = env_count("MMAMP_FAULT_SEED", (unsigned long)time(NULL));
	printf("[ qemu     ] MMAMP_FAULT_SEED=%lu\n", seed);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("qemu_faults", tests, NULL, NULL);
}
