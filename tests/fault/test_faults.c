/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_faults.c — fault injection into a running stream, with both ends counted: kill -9 of the
 * remote at random points, a frozen remote (SIGSTOP → watchdog), and stop/start cycles and
 * firmware swaps under traffic with no leaked descriptor, mapping, thread or process. Each
 * asserts the delivery guarantee (docs/protocol.md §4): echoes come back in order, byte-exact,
 * never twice; every accepted message is either echoed or the sender learns the channel failed
 * (-EPIPE), and accepted − echoed is what was in flight when it failed.
 *
 * Counts (short defaults for make test; the long run in the report):
 *   MMAMP_FAULT_KILLS   kill -9 points            (default 4)
 *   MMAMP_FAULT_CYCLES  stop/start cycles         (default 50; long run 1000)
 *   MMAMP_FAULT_SWAPS   firmware swaps among them (default 10; long run 100)
 *   MMAMP_FAULT_SEED    the random points' seed   (default: time; printed)
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
#include <cmocka.h>

#include "fault_common.h"
#include "../deadline.h"

#define MSG_LEN 200
#define TRAFFIC_WINDOW 32 /* messages in flight at most in the stop/start traffic */

static struct world w;
static struct mmamp_rproc *m4;
static unsigned long seed;

static int setup(void **state)
{
	(void)state;
	states_reset();
	world_open(&w, MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb");
	m4 = mmamp_host_rproc_by_name(w.h, "m4_0");
	assert_non_null(m4);
	return 0;
}

static void traffic_stop_running(void);

static int teardown(void **state)
{
	(void)state;
	traffic_stop_running();
	world_close(&w);
	return 0;
}

static unsigned int rnd(unsigned int below)
{
	seed = seed * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned int)((seed >> 33) % below);
}

/*
 * One stream on the raw echo channel up to a fault: messages are sent back to back (the ring
 * holds up to 256 in flight); @fault runs after @at accepted. Sending goes on until a send
 * fails. Returns the counts.
 */
struct stream_result {
	uint64_t accepted, echoed;
	int error; /* the send error the sender learned */
	uint64_t out_of_order, corrupt;
};

static void stream_until_failure(unsigned int at, void (*fault)(int pid),
				 struct stream_result *res)
{
	struct inbox in;
	struct mmamp_channel *ch;
	uint8_t msg[MSG_LEN];
	int pid = mmamp_rproc_pid(m4);
	int ret;
	uint32_t seq = 0;

	inbox_init(&in);
	ch = chan(m4, RAW, inbox_rx_stream, &in);
	for (;;) {
		if (seq == at)
			fault(pid);
		stream_fill(msg, sizeof(msg), seq);
		ret = mmamp_channel_send(ch, msg, sizeof(msg), 2000);
		if (ret == -ETIMEDOUT && mmamp_channel_is_up(ch))
			continue; /* a frozen remote: buffers do not come back; the watchdog decides */
		if (ret)
			break;
		seq++;
		if (seq > at + 200000)
			fail_msg("the stream never failed after the fault");
	}
	/* the channel is down: no callback runs any more (the endpoint is gone) */
	mmamp_channel_set_rx(ch, NULL, NULL);
	pthread_mutex_lock(&in.lock);
	res->accepted = seq;
	res->echoed = in.count;
	res->out_of_order = in.out_of_order;
	res->corrupt = in.corrupt;
	pthread_mutex_unlock(&in.lock);
	res->error = ret;
	mmamp_channel_put(ch);
}

static void assert_guarantee(const char *what, const struct stream_result *r)
{
	printf("[ fault    ] %-28s accepted %6llu  echoed %6llu  in flight at failure %3llu  "
	       "sender saw %d\n", what, (unsigned long long)r->accepted,
	       (unsigned long long)r->echoed, (unsigned long long)(r->accepted - r->echoed),
	       r->error);
	assert_int_equal(r->out_of_order, 0); /* in order, no duplicate, no gap */
	assert_int_equal(r->corrupt, 0);      /* byte-exact */
	assert_true(r->echoed <= r->accepted);
	assert_int_equal(r->error, -EPIPE);   /* the sender learned the channel failed */
	/* at most what the rings hold can have been in flight: 256 out, 256 back */
	assert_true(r->accepted - r->echoed <= 512);
}

/* TTY echoes on the current channel: 0, or the first failure (with the console printed). */
static int channel_echoes(bool quiet)
{
	struct inbox in;
	struct mmamp_channel *ch;
	uint8_t msg[496];
	int ret = 0;

	inbox_init(&in);
	ch = mmamp_rproc_find_channel(m4, TTY);
	if (!ch)
		return -EPIPE;
	mmamp_channel_set_rx(ch, inbox_rx, &in);
	for (uint32_t i = 0; i < 20 && !ret; i++) {
		stream_fill(msg, sizeof(msg), i);
		ret = echo_once(ch, &in, msg, sizeof(msg));
	}
	if (ret && !quiet)
		dump_console(&w, "m4_0");
	mmamp_channel_set_rx(ch, NULL, NULL);
	mmamp_channel_put(ch);
	return ret;
}

static void after_recovery_the_channel_works(void)
{
	struct inbox in;
	struct mmamp_channel *ch;
	uint8_t msg[496];

	inbox_init(&in);
	ch = chan(m4, TTY, inbox_rx, &in);
	for (uint32_t i = 0; i < 20; i++) {
		struct mmamp_channel_stats st;
		int ret;

		stream_fill(msg, sizeof(msg), i);
		ret = echo_once(ch, &in, msg, sizeof(msg));
		if (ret) {
			mmamp_channel_stats(ch, &st);
			dump_console(&w, "m4_0");
			fail_msg("TTY echo %u after recovery: %d (tx %llu rx %llu, state %s)", i, ret,
				 (unsigned long long)st.tx, (unsigned long long)st.rx,
				 mmamp_rproc_state_str(mmamp_rproc_state(m4)));
		}
	}
	mmamp_channel_set_rx(ch, NULL, NULL);
	mmamp_channel_put(ch);
}

static void kill9(int pid)
{
	assert_int_equal(kill(pid, SIGKILL), 0);
}

static void sigstop(int pid)
{
	assert_int_equal(kill(pid, SIGSTOP), 0);
}

static void kill_9_at_random_points_of_a_stream(void **state)
{
	unsigned long kills = env_count("MMAMP_FAULT_KILLS", 4);

	(void)state;
	boot(m4, "fw_echo");
	for (unsigned long k = 0; k < kills; k++) {
		struct stream_result r;
		unsigned int mark = states_mark();
		unsigned int at = rnd(3000);
		char what[64], reason[256];

		stream_until_failure(at, kill9, &r);
		snprintf(what, sizeof(what), "kill -9 after %u accepted:", at);
		assert_guarantee(what, &r);
		assert_true(r.accepted >= at);
		assert_int_equal(states_wait(mark, m4, MMAMP_RPROC_CRASHED, MMAMP_RPROC_CRASHED,
					     FAULT_WAIT_MS), 0);
		/* five crashes within 10 s pause automatic recovery (a long run kills faster):
		 * then recover by hand, as an operator would */
		while (states_wait(mark, m4, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING, 100)) {
			mmamp_rproc_crash_reason(m4, reason, sizeof(reason));
			if (mmamp_rproc_state(m4) == MMAMP_RPROC_CRASHED &&
			    strstr(reason, "recovery paused"))
				assert_int_equal(mmamp_rproc_set_recovery(m4, "recover"), 0);
			else if (states_wait(mark, m4, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING,
					     FAULT_WAIT_MS))
				fail_msg("not recovered after kill -9: %s", reason);
		}
		mmamp_rproc_crash_reason(m4, reason, sizeof(reason));
		assert_non_null(strstr(reason, "killed"));
		after_recovery_the_channel_works();
	}
	assert_int_equal(mmamp_rproc_crash_count(m4), kills);
}

static void frozen_remote_in_a_stream_is_recovered_by_the_watchdog(void **state)
{
	struct stream_result r;
	unsigned int mark;
	char reason[256];

	(void)state;
	boot(m4, "fw_echo");
	mark = states_mark();
	stream_until_failure(rnd(2000), sigstop, &r);
	assert_guarantee("SIGSTOP (watchdog):", &r);
	assert_int_equal(states_wait(mark, m4, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING,
				     FAULT_WAIT_MS), 0);
	mmamp_rproc_crash_reason(m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "watchdog: no heartbeat"));
	after_recovery_the_channel_works();
}

/* ---- stop/start and swaps under traffic ---- */

struct traffic {
	pthread_t thread;
	volatile bool stop;
	struct inbox in;
	uint64_t accepted, echoed, lost, epipes, incarnations, violations;
	uint64_t attached; /* channels it has started on (under in.lock) */
};

static struct traffic *running_traffic; /* joined by teardown if a test failed with it */

static void traffic_stop_running(void)
{
	if (running_traffic) {
		__atomic_store_n(&running_traffic->stop, true, __ATOMIC_RELEASE);
		pthread_join(running_traffic->thread, NULL);
		running_traffic = NULL;
	}
}

/*
 * Wait until the traffic runs on its @n-th channel (or a later one) and has had a few echoes
 * there: true; false if a crash was counted meanwhile (@before: the count at the start).
 */
static bool traffic_running(struct traffic *t, uint64_t n, unsigned int before)
{
	for (int k = 0; k <= FAULT_WAIT_MS / 100; k++) {
		struct timespec end;
		bool ok;

		deadline_in_ms(&end, 100);
		pthread_mutex_lock(&t->in.lock);
		if (t->attached < n || t->in.count < 8)
			pthread_cond_timedwait(&t->in.cond, &t->in.lock, &end);
		ok = t->attached >= n && t->in.count >= 8;
		pthread_mutex_unlock(&t->in.lock);
		if (ok)
			return true;
		if (mmamp_rproc_crash_count(m4) != before)
			return false;
	}
	fail_msg("the traffic did not get going on channel %llu", (unsigned long long)n);
	return false;
}

/* Stream on whatever raw channel is up; at each failure, account and move to the next one. */
static void *traffic_run(void *arg)
{
	struct traffic *t = arg;
	uint8_t msg[MSG_LEN];

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		struct mmamp_channel *ch = mmamp_rproc_find_channel(m4, RAW);
		uint32_t seq = 0;
		int ret = 0;

		if (!ch) {
			mmamp_rproc_wait(m4, MMAMP_RPROC_RUNNING, RAW, 20);
			continue;
		}
		inbox_reset(&t->in, 0);
		mmamp_channel_set_rx(ch, inbox_rx_stream, &t->in);
		pthread_mutex_lock(&t->in.lock);
		t->attached++;
		pthread_cond_broadcast(&t->in.cond);
		pthread_mutex_unlock(&t->in.lock);
		while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
			/* a bounded window, so the cycle's own TTY echoes do not queue behind a
			 * full ring of raw messages on a loaded machine */
			if (seq >= TRAFFIC_WINDOW &&
			    inbox_wait(&t->in, seq - TRAFFIC_WINDOW + 1, 50) &&
			    mmamp_channel_is_up(ch))
				continue;
			stream_fill(msg, sizeof(msg), seq);
			ret = mmamp_channel_send(ch, msg, sizeof(msg), 1000);
			if (ret == -ETIMEDOUT && mmamp_channel_is_up(ch))
				continue;
			if (ret)
				break;
			seq++;
		}
		if (ret == 0) { /* told to stop while up: let what is in flight come back */
			inbox_wait(&t->in, seq, FAULT_WAIT_MS);
		} else {
			t->epipes += ret == -EPIPE;
			if (ret != -EPIPE)
				t->violations++;
		}
		mmamp_channel_set_rx(ch, NULL, NULL);
		pthread_mutex_lock(&t->in.lock);
		t->accepted += seq;
		t->echoed += t->in.count;
		t->lost += seq - t->in.count;
		t->violations += t->in.out_of_order + t->in.corrupt + (t->in.count > seq);
		pthread_mutex_unlock(&t->in.lock);
		t->incarnations++;
		mmamp_channel_put(ch);
	}
	return NULL;
}

static void check_info(const char *fw)
{
	struct inbox in;
	struct mmamp_channel *ch;
	char want[64];

	inbox_init(&in);
	ch = chan(m4, INFO, inbox_rx, &in);
	assert_int_equal(mmamp_channel_send(ch, "?", 1, FAULT_WAIT_MS), 0);
	assert_int_equal(inbox_wait(&in, 1, FAULT_WAIT_MS), 0);
	snprintf(want, sizeof(want), "fw=%s ", fw);
	pthread_mutex_lock(&in.lock);
	if (in.last_len < strlen(want) || memcmp(in.last, want, strlen(want)))
		fail_msg("info says \"%.*s\", wanted %s", (int)in.last_len, in.last, want);
	pthread_mutex_unlock(&in.lock);
	mmamp_channel_set_rx(ch, NULL, NULL);
	mmamp_channel_put(ch);
}

/*
 * A stop/start cycle must count no crash. It did twice over: the monitor took the death event of
 * the core a stop had just killed after the next start and killed the new core (the host now
 * checks the current core's death fd); and, rarely and only on a loaded machine, the watchdog
 * read the time before it waited for the lock a start held, so the start's later heartbeat time
 * made "now - then" wrap and the new core, not beating yet, was declared frozen ("watchdog: no
 * heartbeat for 18446744073709551615 ms"; the time is now read under the lock). Each counted
 * crash is printed with its reason and the cycle repeated after a "recover"; more than two per
 * run fail (a core starved of the CPU for the whole watchdog time on a machine under that much
 * load is a real watchdog case, not a bug).
 */
static unsigned int spurious;

static bool stale_crash(unsigned int before)
{
	if (mmamp_rproc_crash_count(m4) == before)
		return false;
	char why[512];

	spurious++;
	mmamp_rproc_crash_reason(m4, why, sizeof(why));
	printf("[ fault    ] UNEXPECTED: a stop/start cycle counted a crash (%u so far): %s\n",
	       spurious, why);
	/* Both known causes are fixed (above); the reason printed says what a new one is. More
	 * than two per run, or any with MMAMP_FAULT_STRICT=2, fails. */
	if (spurious > 2 || env_count("MMAMP_FAULT_STRICT", 1) > 1)
		fail_msg("stop/start cycles counted %u crashes: %s", spurious, why);
	mmamp_rproc_set_recovery(m4, "recover");
	mmamp_rproc_wait(m4, MMAMP_RPROC_RUNNING, INFO, FAULT_WAIT_MS);
	return true;
}

static void one_cycle(const char *fw, struct traffic *t, uint64_t *n)
{
	for (;;) {
		unsigned int before = mmamp_rproc_crash_count(m4);
		char err[512];
		int ret;

		assert_int_equal(mmamp_rproc_stop(m4), 0);
		assert_int_equal(mmamp_rproc_set_firmware(m4, fw), 0);
		if (mmamp_rproc_start(m4, err, sizeof(err)))
			fail_msg("start %s: %s", fw, err);
		/* up, or killed by the stale event (then possibly crashed for good) */
		for (int k = 0; mmamp_rproc_wait(m4, MMAMP_RPROC_RUNNING, TTY, 100) ||
				mmamp_rproc_wait(m4, MMAMP_RPROC_RUNNING, RAW, 100); k++)
			if (mmamp_rproc_crash_count(m4) != before || k > FAULT_WAIT_MS / 100)
				break;
		if (mmamp_rproc_wait(m4, MMAMP_RPROC_RUNNING, RAW, 0) ||
		    mmamp_rproc_crash_count(m4) != before) {
			if (stale_crash(before))
				continue;
			fail_msg("%s: no %s channel", fw, RAW);
		}
		if (!traffic_running(t, ++*n, before)) {
			stale_crash(before);
			continue;
		}
		ret = channel_echoes(true);
		if (stale_crash(before))
			continue;
		if (ret)
			fail_msg("TTY echoes after a start: %d", ret);
		return;
	}
}

static void stop_start_and_swaps_under_traffic_leak_nothing(void **state)
{
	unsigned long cycles = env_count("MMAMP_FAULT_CYCLES", 50);
	unsigned long swaps = env_count("MMAMP_FAULT_SWAPS", 10);
	unsigned long every = swaps ? (cycles / swaps ? cycles / swaps : 1) : cycles + 1;
	const char *fw = "fw_echo";
	struct census before, after;
	static struct traffic t; /* static: its thread may outlive a failed assertion's frame */
	unsigned long swapped = 0;
	struct timespec t0, t1;
	uint64_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	inbox_init(&t.in);
	/* warm up: whatever the first cycles allocate for good (malloc arenas, cached tables) */
	boot(m4, fw);
	assert_int_equal(pthread_create(&t.thread, NULL, traffic_run, &t), 0);
	running_traffic = &t;
	traffic_running(&t, 1, mmamp_rproc_crash_count(m4));
	n = 1;
	for (int i = 0; i < 3; i++)
		one_cycle(fw, &t, &n);
	__atomic_store_n(&t.stop, true, __ATOMIC_RELEASE);
	pthread_join(t.thread, NULL);
	running_traffic = NULL;
	assert_int_equal(mmamp_rproc_stop(m4), 0);
	census_take(&before);

	memset(&t, 0, sizeof(t));
	inbox_init(&t.in);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	boot(m4, fw);
	assert_int_equal(pthread_create(&t.thread, NULL, traffic_run, &t), 0);
	running_traffic = &t;
	traffic_running(&t, 1, mmamp_rproc_crash_count(m4));
	n = 1;
	spurious = 0;
	for (unsigned long i = 1; i <= cycles; i++) {
		if (i % every == 0 && swapped < swaps) {
			fw = strcmp(fw, "fw_echo") ? "fw_echo" : "fw_echo_b";
			swapped++;
		}
		one_cycle(fw, &t, &n);
		if (i % every == 0)
			check_info(fw);
	}
	__atomic_store_n(&t.stop, true, __ATOMIC_RELEASE);
	pthread_join(t.thread, NULL);
	running_traffic = NULL;
	assert_int_equal(mmamp_rproc_stop(m4), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	census_take(&after);

	printf("[ fault    ] %lu stop/start cycles, %lu swaps in %.1f s under traffic: accepted "
	       "%llu, echoed %llu, in flight at the stops %llu (%llu EPIPE over %llu channels), "
	       "violations %llu\n", cycles, swapped,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (unsigned long long)t.accepted, (unsigned long long)t.echoed,
	       (unsigned long long)t.lost, (unsigned long long)t.epipes,
	       (unsigned long long)t.incarnations, (unsigned long long)t.violations);
	printf("[ fault    ] census before/after: fds %u/%u, maps %u/%u, threads %u/%u, "
	       "children %u/%u\n", before.fds, after.fds, before.maps, after.maps, before.threads,
	       after.threads, before.children, after.children);
	assert_int_equal(t.violations, 0);
	assert_int_equal(t.accepted, t.echoed + t.lost);
	printf("[ fault    ] crashes counted in the cycles (expected none): %u\n",
	       spurious);
	assert_true(t.incarnations >= cycles + 1); /* the traffic ran on every channel */
	assert_int_equal(after.fds, before.fds);
	assert_int_equal(after.threads, before.threads);
	assert_int_equal(after.children, before.children);
	/* malloc may add an arena (a heap + guard mapping) for a thread it had not seen yet: a
	 * few lines of slack (more under ASan, whose allocator maps as it grows); a per-cycle
	 * leak would be ≥ cycles lines */
	assert_true(after.maps <= before.maps + 16);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(kill_9_at_random_points_of_a_stream),
		T(frozen_remote_in_a_stream_is_recovered_by_the_watchdog),
		T(stop_start_and_swaps_under_traffic_leak_nothing),
	};

	seed = env_count("MMAMP_FAULT_SEED", (unsigned long)time(NULL));
	printf("[ fault    ] MMAMP_FAULT_SEED=%lu\n", seed);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
