/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_channels.c — mmampd with a real simulated core running fw_echo: boot → name service →
 * a raw TTY per TTY channel echoing 496-byte messages (and a 64 KiB stream) byte-exact; the
 * rpmsg-raw message endpoint with rpmsg_char semantics: one packet = one message, EMSGSIZE,
 * EBUSY for a second client, EAGAIN for a non-blocking client the daemon has stopped reading
 * (no TX buffer) without losing or reordering anything, and EPIPE once the channel is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "proto.h"

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

static void boot_to_tty_echo(void **state)
{
	struct e2e *e = *state;
	char out[4096], path[PATH_MAX], target[PATH_MAX];
	uint8_t msg[65536], back[65536];
	uint64_t seed = 42;
	struct termios t;
	ssize_t n;
	int fd;

	/* before boot: offline, no channels, no TTY */
	assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");
	assert_true(ctl(e, out, sizeof(out), "channels m4_0"));
	assert_string_equal(out, "0");

	boot_echo(e, "m4_0", "fw_echo");
	assert_true(ctl(e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "running");

	/* NXP naming: the TTY is named after the remote address (30) */
	channel_dev(e, "m4_0", TTY_CHANNEL, path, sizeof(path));
	n = (ssize_t)strlen(path);
	assert_true(n > 11 && !strcmp(path + n - 11, "/ttyRPMSG30"));
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_memory_equal(target, "/dev/pts/", 9);

	fd = tty_open(path);
	assert_true(fd >= 0);
	assert_true(isatty(fd));
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_int_equal(t.c_lflag & (ECHO | ICANON | ISIG | IEXTEN), 0); /* raw */
	assert_int_equal(t.c_oflag & OPOST, 0);
	assert_int_equal(t.c_iflag & (ICRNL | IXON | ISTRIP), 0);

	/* 1000 messages of one full RPMsg payload, every byte value, byte-exact */
	for (int i = 0; i < 1000; i++) {
		fill_random(msg, 496, &seed);
		assert_int_equal(tty_echo(fd, msg, 496, back), 0);
		assert_memory_equal(msg, back, 496);
	}
	/* odd sizes, and a 64 KiB stream split into RPMsg messages and flow-controlled */
	for (size_t len = 1; len <= sizeof(msg); len = len * 3 + 1) {
		fill_random(msg, len, &seed);
		assert_int_equal(tty_echo(fd, msg, len, back), 0);
		assert_memory_equal(msg, back, len);
	}
	fill_random(msg, sizeof(msg), &seed);
	assert_int_equal(tty_echo(fd, msg, sizeof(msg), back), 0);
	assert_memory_equal(msg, back, sizeof(msg));
	close(fd);

	/* 1000 + the 64 KiB stream at <= 496 bytes per message */
	assert_true(channel_field(e, "m4_0", TTY_CHANNEL, "tx") >= 1000 + 65536 / 496);
	assert_int_equal(channel_field(e, "m4_0", TTY_CHANNEL, "tx_errors"), 0);
	assert_int_equal(channel_field(e, "m4_0", TTY_CHANNEL, "rx_dropped"), 0);
	e->passed = true;
}

static void expect_status(int fd, int err)
{
	char pkt[MMAMP_EPT_STATUS_LEN], text[MMAMP_EPT_STATUS_LEN];
	ssize_t n = seq_recv(fd, pkt, sizeof(pkt), E2E_WAIT_MS);
	int got;

	assert_int_equal(n, MMAMP_EPT_STATUS_LEN);
	assert_true(mmamp_ept_status_parse(pkt, (size_t)n, &got, text, sizeof(text)));
	if (got != err)
		fail_msg("status %s (%s), expected %s", mmamp_errno_name(got), text,
			 mmamp_errno_name(err));
}

static void endpoint_semantics(void **state)
{
	struct e2e *e = *state;
	char path[PATH_MAX], out[4096], err[4096];
	uint8_t msg[600], back[600];
	uint64_t seed = 7;
	struct stat st;
	ssize_t n;
	int fd, fd2;

	boot_echo(e, "m4_0", "fw_echo");
	channel_dev(e, "m4_0", RAW_CHANNEL, path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	fd = tool_seqpacket_connect(path);
	assert_true(fd >= 0);

	/* one packet = one message, 1..496 bytes, byte-exact */
	for (int i = 0; i < 600; i++) {
		size_t len = 1 + (size_t)i % 496;

		fill_random(msg, len, &seed);
		assert_int_equal(send(fd, msg, len, MSG_NOSIGNAL), (ssize_t)len);
		n = seq_recv(fd, back, sizeof(back), E2E_WAIT_MS);
		assert_int_equal(n, (ssize_t)len);
		assert_memory_equal(msg, back, len);
	}
	/* boundaries are kept: three messages out, three separate messages back */
	assert_int_equal(send(fd, "one", 3, 0), 3);
	assert_int_equal(send(fd, "two!", 4, 0), 4);
	assert_int_equal(send(fd, "three", 5, 0), 5);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 3);
	assert_memory_equal(back, "one", 3);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 4);
	assert_memory_equal(back, "two!", 4);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 5);
	assert_memory_equal(back, "three", 5);

	/* nothing to read: a non-blocking read says EAGAIN */
	assert_int_equal(recv(fd, back, sizeof(back), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	/* EMSGSIZE: 497 bytes are refused by the daemon and not sent; the next message is */
	memset(msg, 'x', 497);
	assert_int_equal(send(fd, msg, 497, 0), 497);
	expect_status(fd, EMSGSIZE);
	assert_int_equal(send(fd, "after", 5, 0), 5);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 5);
	assert_memory_equal(back, "after", 5);
	assert_int_equal(channel_field(e, "m4_0", RAW_CHANNEL, "rejected"), 1);
	/* ... and the CLI refuses it before sending */
	{
		char big[498];
		const char *argv[] = { "send", path, big, NULL };

		memset(big, 'y', 497);
		big[497] = '\0';
		assert_int_equal(cli(e, out, sizeof(out), err, sizeof(err), argv), 1);
		assert_non_null(strstr(err, "(EMSGSIZE)"));
	}

	/* EBUSY: one client at a time */
	fd2 = tool_seqpacket_connect(path);
	assert_true(fd2 >= 0);
	expect_status(fd2, EBUSY);
	assert_int_equal(seq_recv(fd2, back, sizeof(back), E2E_WAIT_MS), 0);
	close(fd2);
	{
		const char *argv[] = { "send", path, "hello", NULL };

		assert_int_equal(cli(e, out, sizeof(out), err, sizeof(err), argv), 1);
		assert_non_null(strstr(err, "(EBUSY)"));
		assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err)); /* one line */
	}
	/* the first client was not disturbed */
	assert_int_equal(send(fd, "still", 5, 0), 5);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 5);

	/*
	 * EAGAIN: a non-blocking client that writes faster than the core echoes. When a send
	 * finds no TX buffer the daemon holds that message and stops reading the client, whose
	 * socket then fills: send() says EAGAIN. Nothing is lost or reordered.
	 */
	{
		const int total = 5000;
		int sent = 0, got = 0, eagain = 0;

		assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
		while (got < total) {
			struct pollfd p = { .fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0) };

			while (sent < total) {
				memset(msg, (int)(sent & 0xff), 496);
				memcpy(msg, &sent, sizeof(sent));
				if (send(fd, msg, 496, MSG_DONTWAIT | MSG_NOSIGNAL) == 496) {
					sent++;
					continue;
				}
				assert_int_equal(errno, EAGAIN);
				eagain++;
				break;
			}
			while ((n = recv(fd, back, sizeof(back), MSG_DONTWAIT)) > 0) {
				int seq;

				assert_int_equal(n, 496);
				memcpy(&seq, back, sizeof(seq));
				assert_int_equal(seq, got);
				assert_int_equal(back[495], (uint8_t)(got & 0xff));
				got++;
			}
			if (got < total)
				assert_int_equal(poll(&p, 1, E2E_WAIT_MS), 1);
		}
		print_message("EAGAIN seen %d times while %d messages went through; the daemon "
			      "found no TX buffer %llu times\n", eagain, total,
			      channel_field(e, "m4_0", RAW_CHANNEL, "stalls"));
		assert_true(eagain > 0);
		assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
	}
	assert_int_equal(channel_field(e, "m4_0", RAW_CHANNEL, "tx_errors"), 0);

	/* EPIPE: the channel goes away (core stopped) */
	ctl_ok(e, "set m4_0 state stop");
	expect_status(fd, EPIPE);
	assert_int_equal(seq_recv(fd, back, sizeof(back), E2E_WAIT_MS), 0);
	assert_int_equal(send(fd, "gone?", 5, MSG_NOSIGNAL), -1);
	assert_int_equal(errno, EPIPE);
	close(fd);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	e->passed = true;
}

/* A TTY whose channel goes away hangs up; the symlink disappears. */
static void tty_hangup_on_stop(void **state)
{
	struct e2e *e = *state;
	char path[PATH_MAX];
	uint8_t b[16];
	struct stat st;
	struct pollfd p;
	int fd;

	boot_echo(e, "m4_0", "fw_echo");
	channel_dev(e, "m4_0", TTY_CHANNEL, path, sizeof(path));
	fd = tty_open(path);
	assert_true(fd >= 0);
	assert_int_equal(tty_echo(fd, (const uint8_t *)"ping", 4, b), 0);
	ctl_ok(e, "set m4_0 state stop");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, E2E_WAIT_MS), 1);
	assert_true(p.revents & POLLHUP);
	assert_true(read(fd, b, sizeof(b)) <= 0);
	close(fd);
	assert_int_equal(lstat(path, &st), -1);
	e->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(boot_to_tty_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(endpoint_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(tty_hangup_on_stop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
