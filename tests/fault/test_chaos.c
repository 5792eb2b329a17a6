/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_chaos.c — a hostile remote (fw_chaos on m4_0 of the two-core test platform) corrupts
 * rings, message headers, name-service messages and the live resource table and storms the
 * host with doorbells; for each corruption the host must break the vdev and report it (state
 * crashed, a reason naming the field) or drop and survive the message, recover through LCM —
 * while m4_1 (fw_echo_b) keeps echoing a sequenced stream on its TTY throughout, in order,
 * byte-exact, with no send failing. Run in every build (ASan/TSan included): no crash, no hang.
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

/* MMAMP_FAULT_STRICT=0: tolerate two fixed host bugs again (for bisecting; see the cases). */
static bool strict(void)
{
	return env_count("MMAMP_FAULT_STRICT", 1) != 0;
}

/* ---- m4_1: the bystander, echoing throughout ---- */

struct bystander {
	struct mmamp_channel *ch;
	struct inbox in;
	pthread_t thread;
	volatile bool stop;
	uint64_t sent, echoed, failures;
	int last_error;
};

static void *bystander_run(void *arg)
{
	struct bystander *b = arg;
	uint8_t msg[128];
	uint32_t seq = 0;

	while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
		int ret;

		stream_fill(msg, sizeof(msg), seq);
		ret = mmamp_channel_send(b->ch, msg, sizeof(msg), FAULT_WAIT_MS);
		if (!ret) {
			__atomic_add_fetch(&b->sent, 1, __ATOMIC_RELAXED);
			ret = inbox_wait(&b->in, (uint64_t)seq + 1, FAULT_WAIT_MS);
		}
		if (ret) {
			b->last_error = ret;
			__atomic_add_fetch(&b->failures, 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&b->echoed, 1, __ATOMIC_RELAXED);
		seq++;
	}
	return NULL;
}

/* Wait until the bystander has echoed @n more (it still works now). */
static void bystander_alive(struct bystander *b, uint64_t n)
{
	uint64_t want = __atomic_load_n(&b->echoed, __ATOMIC_RELAXED) + n;

	if (inbox_wait(&b->in, want, FAULT_WAIT_MS) || b->failures)
		fail_msg("m4_1 stopped echoing: %llu echoed, %llu failures (last %d)",
			 (unsigned long long)b->echoed, (unsigned long long)b->failures,
			 b->last_error);
}

/* ---- m4_0: the hostile remote ---- */

struct chaos {
	struct world w;
	struct mmamp_rproc *m0, *m1;
	struct mmamp_channel *info, *tty;
	struct inbox info_in, tty_in;
	struct bystander by;
};

static void chaos_channels(struct chaos *c)
{
	mmamp_channel_put(c->info);
	mmamp_channel_put(c->tty);
	c->info = chan(c->m0, INFO, inbox_rx, &c->info_in);
	c->tty = chan(c->m0, TTY, inbox_rx, &c->tty_in);
}

/*
 * Send @cmd to fw_chaos and, with @ack, wait for its acknowledgment. (A ring corruption may
 * break the vdev before the host reaped the acknowledgment ahead of it: no wait then.)
 */
static void command_ack(struct chaos *c, const char *cmd, bool ack)
{
	char want[64];
	uint64_t before = c->info_in.acks;
	int ret = mmamp_channel_send(c->info, cmd, strlen(cmd), FAULT_WAIT_MS);

	if (ret)
		fail_msg("%s: send: %d", cmd, ret);
	if (!ack)
		return;
	if (inbox_wait_ack(&c->info_in, before + 1, FAULT_WAIT_MS)) {
		dump_console(&c->w, "m4_0");
		fail_msg("%s: no acknowledgment", cmd);
	}
	snprintf(want, sizeof(want), "ack %.*s\n", (int)strcspn(cmd, " "), cmd);
	pthread_mutex_lock(&c->info_in.lock);
	ret = !strcmp(c->info_in.ack, want);
	pthread_mutex_unlock(&c->info_in.lock);
	assert_true(ret);
}

static void command(struct chaos *c, const char *cmd)
{
	command_ack(c, cmd, true);
}

/* m4_0's TTY echoes @n messages byte-exact. */
static void m0_echoes(struct chaos *c, unsigned int n)
{
	uint8_t msg[496];

	for (unsigned int i = 0; i < n; i++) {
		stream_fill(msg, sizeof(msg), i);
		assert_int_equal(echo_once(c->tty, &c->tty_in, msg, sizeof(msg)), 0);
	}
}

static void assert_crash_recovered(struct chaos *c, unsigned int mark, unsigned int crashes,
				   const char *reason_part)
{
	char reason[512];

	if (states_wait(mark, c->m0, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING, FAULT_WAIT_MS)) {
		dump_console(&c->w, "m4_0");
		fail_msg("m4_0 was not crashed and recovered (state %s, %u crashes)",
			 mmamp_rproc_state_str(mmamp_rproc_state(c->m0)),
			 mmamp_rproc_crash_count(c->m0));
	}
	assert_int_equal(mmamp_rproc_crash_count(c->m0), crashes);
	mmamp_rproc_crash_reason(c->m0, reason, sizeof(reason));
	if (!strstr(reason, reason_part))
		fail_msg("crash reason \"%s\" does not name \"%s\"", reason, reason_part);
	printf("[ chaos    ] crash reason: %s\n", reason);
	/* the old channels are gone: sending on them says so */
	assert_false(mmamp_channel_is_up(c->tty));
	assert_int_equal(mmamp_channel_send(c->tty, "x", 1, 0), -EPIPE);
	chaos_channels(c);
	m0_echoes(c, 20);
}

/* LCM by hand: stop and start again (what an operator does for a wedged but "running" core). */
static void restart(struct chaos *c)
{
	uint8_t msg[496];
	unsigned int before = mmamp_rproc_crash_count(c->m0);

	assert_int_equal(mmamp_rproc_stop(c->m0), 0);
	assert_false(mmamp_channel_is_up(c->info));
	boot(c->m0, "fw_chaos");
	for (int tries = 0;; tries++) {
		int ret = 0;

		chaos_channels(c);
		for (uint32_t i = 0; i < 20 && !ret; i++) {
			stream_fill(msg, sizeof(msg), i);
			ret = echo_once(c->tty, &c->tty_in, msg, sizeof(msg));
		}
		if (!ret)
			return;
		/*
		 * Fixed host bug, tolerated only with MMAMP_FAULT_STRICT=0 (bisecting): the death
		 * event of the core the stop killed was taken after the new boot.
		 */
		if (mmamp_rproc_crash_count(c->m0) == before || strict() || tries > 3)
			fail_msg("echo after a restart: %d (%u crashes)", ret,
				 mmamp_rproc_crash_count(c->m0));
		printf("[ chaos    ] KNOWN BUG: the restarted core was killed by a stale death "
		       "event; recovered\n");
		before = mmamp_rproc_crash_count(c->m0);
		mmamp_rproc_set_recovery(c->m0, "recover");
		assert_int_equal(mmamp_rproc_wait(c->m0, MMAMP_RPROC_RUNNING, INFO,
						  FAULT_WAIT_MS), 0);
	}
}

static int setup(void **state)
{
	struct chaos *c = calloc(1, sizeof(*c));

	states_reset();
	world_open(&c->w, E2E_DUAL_DTB);
	c->m0 = mmamp_host_rproc_by_name(c->w.h, "m4_0");
	c->m1 = mmamp_host_rproc_by_name(c->w.h, "m4_1");
	assert_non_null(c->m0);
	assert_non_null(c->m1);
	inbox_init(&c->info_in);
	inbox_init(&c->tty_in);
	inbox_init(&c->by.in);
	boot(c->m0, "fw_chaos");
	boot(c->m1, "fw_echo_b");
	chaos_channels(c);
	c->by.ch = chan(c->m1, TTY, inbox_rx_stream, &c->by.in);
	assert_int_equal(pthread_create(&c->by.thread, NULL, bystander_run, &c->by), 0);
	bystander_alive(&c->by, 10);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct chaos *c = *state;

	__atomic_store_n(&c->by.stop, true, __ATOMIC_RELEASE);
	pthread_join(c->by.thread, NULL);
	printf("[ chaos    ] m4_1 meanwhile: %llu sent, %llu echoed in order, %llu failures, "
	       "%llu out of order, %llu corrupt\n", (unsigned long long)c->by.sent,
	       (unsigned long long)c->by.echoed, (unsigned long long)c->by.failures,
	       (unsigned long long)c->by.in.out_of_order, (unsigned long long)c->by.in.corrupt);
	assert_int_equal(c->by.failures, 0);
	assert_int_equal(c->by.in.out_of_order, 0);
	assert_int_equal(c->by.in.corrupt, 0);
	assert_int_equal(mmamp_rproc_crash_count(c->m1), 0);
	mmamp_channel_put(c->by.ch);
	mmamp_channel_put(c->info);
	mmamp_channel_put(c->tty);
	world_close(&c->w);
	free(c);
	return 0;
}

/* ---- ring corruptions: the vdev breaks, the core is crashed and recovered ---- */

static void ring_case(struct chaos *c, const char *cmd, const char *field, unsigned int *crashes)
{
	unsigned int mark = states_mark();

	command_ack(c, cmd, false);
	assert_crash_recovered(c, mark, ++*crashes, field);
	bystander_alive(&c->by, 5);
}

static void corrupted_rx_ring_breaks_the_vdev_and_recovers(void **state)
{
	struct chaos *c = *state;
	unsigned int crashes = 0;

	ring_case(c, "used.idx", "vdev broken: used ring: idx", &crashes);
	ring_case(c, "used.id", "vdev broken: used ring: ring[].id", &crashes);
	ring_case(c, "used.len", "vdev broken: used ring: ring[].len", &crashes);
}

/*
 * vring1 (host TX): the host reaps it lazily, once its never-used TX buffers are gone, so the
 * corruption is found at the 257th send after a boot at the latest.
 */
static void corrupted_tx_ring_breaks_the_vdev_and_recovers(void **state)
{
	struct chaos *c = *state;
	static const char *const cmds[] = { "tx.used.id", "tx.used.idx" };
	/* a used entry for a buffer not in flight reads as a bad id, or — when nothing is in
	 * flight at that reap — as an index ahead of the buffers in flight: either names it */
	static const char *const fields[] = { "vdev broken: used ring: ",
					      "vdev broken: used ring: idx" };
	unsigned int crashes = 0;

	for (unsigned int k = 0; k < 2; k++) {
		unsigned int mark = states_mark();
		uint8_t msg[64];
		int ret = 0;
		unsigned int i;

		command(c, cmds[k]);
		for (i = 0; i < 600; i++) {
			stream_fill(msg, sizeof(msg), i);
			ret = echo_once(c->tty, &c->tty_in, msg, sizeof(msg));
			if (ret)
				break;
		}
		/* the send that found it fails (EPIPE/EIO), or the echo never comes */
		printf("[ chaos    ] %s: found at send %u (%d)\n", cmds[k], i, ret);
		assert_int_not_equal(ret, 0);
		if (states_wait(mark, c->m0, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING, 3000) &&
		    !strict()) {
			/*
			 * Fixed host bug, tolerated only with MMAMP_FAULT_STRICT=0 (bisecting):
			 * a vring1 broken in the send path was returned as -EIO and not reported.
			 */
			printf("[ chaos    ] KNOWN BUG: %s: send returned %d, core still %s, %u "
			       "crashes: a vdev broken in the TX path is not reported\n", cmds[k],
			       ret, mmamp_rproc_state_str(mmamp_rproc_state(c->m0)),
			       mmamp_rproc_crash_count(c->m0));
			assert_int_equal(ret, -EIO);
			restart(c);
			bystander_alive(&c->by, 5);
			continue;
		}
		assert_crash_recovered(c, mark, ++crashes, fields[k]);
		bystander_alive(&c->by, 5);
	}
}

/* ---- message corruptions: dropped (and counted in the RPMsg core), nothing else moves ---- */

static void corrupted_messages_are_dropped(void **state)
{
	struct chaos *c = *state;
	static const char *const cmds[] = { "hdr.len", "hdr.dst", "used.short", "ns.short" };

	for (unsigned int k = 0; k < 4; k++) {
		uint64_t before;

		command(c, cmds[k]);
		before = inbox_count(&c->info_in);
		/* anything after the corruption comes after it: an info round trip orders them */
		assert_int_equal(mmamp_channel_send(c->info, "?", 1, FAULT_WAIT_MS), 0);
		assert_int_equal(inbox_wait(&c->info_in, before + 1, FAULT_WAIT_MS), 0);
		/* exactly the info line: the corrupt message was not delivered */
		assert_int_equal(inbox_count(&c->info_in), before + 1);
		assert_memory_equal(c->info_in.last, "fw=fw_chaos ", 12);
		assert_int_equal(mmamp_rproc_state(c->m0), MMAMP_RPROC_RUNNING);
		assert_int_equal(mmamp_rproc_crash_count(c->m0), 0);
		m0_echoes(c, 5);
	}
	bystander_alive(&c->by, 5);
}

/* A message from src ANY: the host delivers by dst only (as Linux); recorded, and harmless. */
static void message_from_any_is_delivered_by_dst(void **state)
{
	struct chaos *c = *state;
	uint64_t before;

	command(c, "hdr.src");
	before = inbox_count(&c->info_in);
	assert_int_equal(mmamp_channel_send(c->info, "?", 1, FAULT_WAIT_MS), 0);
	assert_int_equal(inbox_wait(&c->info_in, before + 1, FAULT_WAIT_MS), 0);
	printf("[ chaos    ] hdr.src=ANY: %llu message(s) delivered before the info line\n",
	       (unsigned long long)(inbox_count(&c->info_in) - before - 1));
	assert_true(inbox_count(&c->info_in) <= before + 2);
	assert_int_equal(mmamp_rproc_crash_count(c->m0), 0);
	m0_echoes(c, 5);
}

/* ---- name service ---- */

static size_t channel_count(struct mmamp_rproc *r)
{
	return mmamp_rproc_channels(r, NULL, 0);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void wait_channels(struct mmamp_rproc *r, size_t n)
{
	uint64_t end = now_ms() + FAULT_WAIT_MS;

	while (channel_count(r) < n) {
		if (now_ms() > end)
			fail_msg("%zu channels, wanted %zu", channel_count(r), n);
		/* the state wait doubles as a 10 ms timed wait on the core's change condition */
		mmamp_rproc_wait(r, MMAMP_RPROC_DELETED, NULL, 10);
	}
}

static void hostile_names_make_channels_not_crashes(void **state)
{
	struct chaos *c = *state;
	struct mmamp_channel *chs[16];
	size_t n;
	bool junk = false, empty = false;

	command(c, "ns.badname");
	wait_channels(c->m0, 4);
	command(c, "ns.empty");
	wait_channels(c->m0, 5);
	command(c, "ns.badname"); /* the same name and address again: Linux ignores it, so do we */
	m0_echoes(c, 3);
	n = mmamp_rproc_channels(c->m0, chs, 16);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		const char *name = mmamp_channel_name(chs[i]);

		if (mmamp_channel_dst(chs[i]) == 61) {
			junk = true;
			assert_true(strlen(name) <= 31); /* name[31] forced to NUL */
		}
		if (mmamp_channel_dst(chs[i]) == 62) {
			empty = true;
			assert_string_equal(name, "");
		}
		mmamp_channel_put(chs[i]);
	}
	assert_true(junk && empty);
	assert_int_equal(mmamp_rproc_crash_count(c->m0), 0);
	bystander_alive(&c->by, 5);
	restart(c);
	assert_int_equal(channel_count(c->m0), 3);
}

static void ns_destroy_takes_the_channel_down(void **state)
{
	struct chaos *c = *state;

	command(c, "ns.destroy");
	for (uint64_t end = now_ms() + FAULT_WAIT_MS; mmamp_channel_is_up(c->tty);) {
		if (now_ms() > end)
			fail_msg("TTY channel still up after NS DESTROY");
		mmamp_rproc_wait(c->m0, MMAMP_RPROC_DELETED, NULL, 10);
	}
	assert_int_equal(mmamp_channel_send(c->tty, "x", 1, 0), -EPIPE);
	assert_null(mmamp_rproc_find_channel(c->m0, TTY));
	restart(c);
	bystander_alive(&c->by, 5);
}

/* The host's cap on channels per core (src/host/channels.c MAX_CHANNELS_PER_CORE). */
#define FLOOD_CAP 64u

static void ns_flood_is_survived(void **state)
{
	struct chaos *c = *state;
	unsigned long n = env_count("MMAMP_CHAOS_FLOOD", 300);
	char cmd[32];

	size_t want = 3 + n < FLOOD_CAP ? 3 + n : FLOOD_CAP;
	uint64_t before;

	snprintf(cmd, sizeof(cmd), "ns.flood %lu", n);
	command(c, cmd);
	/* an info round trip comes after the whole flood (it runs in the command's callback) */
	before = inbox_count(&c->info_in);
	assert_int_equal(mmamp_channel_send(c->info, "?", 1, FAULT_WAIT_MS), 0);
	assert_int_equal(inbox_wait(&c->info_in, before + 1, FAULT_WAIT_MS), 0);
	wait_channels(c->m0, want);
	printf("[ chaos    ] ns.flood %lu: the host holds %zu channels for m4_0\n", n,
	       channel_count(c->m0));
	assert_int_equal(channel_count(c->m0), want);
	/* what did not fit is refused and counted, not dropped silently */
	assert_int_equal(mmamp_rproc_ns_refused(c->m0), 3 + n - want);
	m0_echoes(c, 5);
	bystander_alive(&c->by, 5);
	restart(c);
	assert_int_equal(channel_count(c->m0), 3);
}

/* ---- live resource table ---- */

static void live_table_corruption_is_undone_by_the_next_boot(void **state)
{
	struct chaos *c = *state;

	command(c, "rsc.num");
	m0_echoes(c, 10); /* neither side re-reads it while the link is up */
	command(c, "rsc.da");
	m0_echoes(c, 10);
	assert_int_equal(mmamp_rproc_crash_count(c->m0), 0);
	restart(c); /* the host copies its cached table again */
	bystander_alive(&c->by, 5);
}

/*
 * The remote clears the host's status byte in the middle of a stream: its own runtime takes that
 * as a reset and drops the link (its link epoch moves on). The host notices — at the next
 * doorbell, or on its watchdog tick if the remote goes quiet — and treats it as a broken vdev:
 * crashed with the reason, the sender learns -EPIPE (a sender blocked on a full ring included),
 * recovery, and the new channel echoes. Both ends are counted: every accepted message was
 * delivered (in order, byte-exact, once) or was in flight when the channel failed, the host's
 * channel counters agree with the sender's and the receiver's, and nothing of the old stream
 * arrives after the failure.
 */
static void status_cleared_by_the_remote_is_a_broken_vdev_and_recovers(void **state)
{
	struct chaos *c = *state;
	struct mmamp_channel_stats st;
	const char *reset = "fatal error: vdev broken: the remote reset the device (status 0x07 -> ";
	unsigned int mark = states_mark();
	struct inbox in;
	uint8_t msg[496];
	uint64_t t0, t1, delivered;
	uint32_t seq = 0;
	int ret;

	inbox_init(&in);
	mmamp_channel_set_rx(c->tty, inbox_rx_stream, &in);
	/* a window of the stream ahead of the command, the rest behind it */
	for (; seq < 64; seq++) {
		stream_fill(msg, sizeof(msg), seq);
		assert_int_equal(mmamp_channel_send(c->tty, msg, sizeof(msg), FAULT_WAIT_MS), 0);
	}
	t0 = now_ms();
	/* no wait for the acknowledgment: the host may take the reset down with it in the ring */
	command_ack(c, "rsc.status", false);
	for (;; seq++) {
		stream_fill(msg, sizeof(msg), seq);
		ret = mmamp_channel_send(c->tty, msg, sizeof(msg), FAULT_WAIT_MS);
		if (ret)
			break;
		if (seq > 100000)
			fail_msg("rsc.status: the stream never failed (%u accepted)", seq);
	}
	t1 = now_ms();
	/* the channel is down: its endpoint is gone, so these counts are final */
	mmamp_channel_stats(c->tty, &st);
	mmamp_channel_set_rx(c->tty, NULL, NULL);
	delivered = inbox_count(&in);
	printf("[ chaos    ] rsc.status: accepted %u, delivered %llu, lost in flight %llu (not "
	       "handed back by the core: %llu), sender saw %d %llu ms after the command\n", seq,
	       (unsigned long long)delivered, (unsigned long long)(seq - delivered),
	       (unsigned long long)st.tx_in_flight, ret, (unsigned long long)(t1 - t0));
	assert_int_equal(ret, -EPIPE);
	assert_int_equal(in.out_of_order, 0);
	assert_int_equal(in.corrupt, 0);
	assert_true(delivered <= seq);
	assert_true(seq - delivered <= 512); /* at most what the two rings hold */
	assert_int_equal(st.tx, seq);        /* the host accepted what the sender counted */
	/* not handed back: not consumed, or (one at most) still inside the echo callback */
	assert_true(st.tx_in_flight <= seq - delivered + 1);
	assert_int_equal(st.rx, delivered);  /* and delivered what the receiver counted */
	assert_int_equal(st.rx_dropped, 0);
	assert_crash_recovered(c, mark, 1, reset);
	assert_int_equal(inbox_count(&in), delivered); /* nothing of the old stream came late */
	bystander_alive(&c->by, 5);
}

/* ---- doorbells ---- */

static void doorbell_storm_is_survived(void **state)
{
	struct chaos *c = *state;
	unsigned long n = env_count("MMAMP_CHAOS_DOORBELLS", 4000);
	char cmd[32];
	uint64_t mark;

	snprintf(cmd, sizeof(cmd), "db.storm %lu", n);
	mark = __atomic_load_n(&c->by.echoed, __ATOMIC_RELAXED);
	command(c, cmd);
	snprintf(cmd, sizeof(cmd), "db.bad %lu", n / 4);
	command(c, cmd); /* carried out after the storm: the loop does one command at a time */
	m0_echoes(c, 20); /* the echo comes after both */
	printf("[ chaos    ] doorbell storm of %lu + %lu: m4_1 echoed %llu meanwhile\n", n, n / 4,
	       (unsigned long long)(__atomic_load_n(&c->by.echoed, __ATOMIC_RELAXED) - mark));
	assert_int_equal(mmamp_rproc_crash_count(c->m0), 0);
	bystander_alive(&c->by, 5);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(corrupted_rx_ring_breaks_the_vdev_and_recovers),
		T(corrupted_tx_ring_breaks_the_vdev_and_recovers),
		T(corrupted_messages_are_dropped),
		T(message_from_any_is_delivered_by_dst),
		T(hostile_names_make_channels_not_crashes),
		T(ns_destroy_takes_the_channel_down),
		T(ns_flood_is_survived),
		T(live_table_corruption_is_undone_by_the_next_boot),
		T(status_cleared_by_the_remote_is_a_broken_vdev_and_recovers),
		T(doorbell_storm_is_survived),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("chaos", tests, NULL, NULL);
}
