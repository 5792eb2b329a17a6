/* SPDX-License-Identifier: BSD-3-Clause */
/* rtt.c — `mmamp-guest rtt`: round trips through a kernel RPMsg device (see rtt.h). */
#define _GNU_SOURCE
#include "rtt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"

#define MSG_MAX 496
#define REPLY_TIMEOUT_MS 5000

struct rtt_opts {
	const char *dev, *times, *out;
	size_t n, warmup, size;
};

/* The driver's timestamp attributes (kernel/mmamp_rproc.c), kept open and re-read with pread. */
struct stamps {
	int kick, doorbell;
};

static int usage(void)
{
	fprintf(stderr, "usage: mmamp-guest rtt DEV [-n ROUND_TRIPS] [-s BYTES] [--warmup N] "
		"[--times DIR] [--out FILE]\n"
		"  DEV    /dev/ttyRPMSGn or /dev/rpmsgN (an echo service)\n"
		"  --times DIR  the driver's timestamps (DIR/last_kick_ns, DIR/last_doorbell_ns):\n"
		"               check send <= kick <= doorbell <= receive for every message\n"
		"  --out FILE   the round trips in ns, one per line (with --times: and its three\n"
		"               parts, send->kick kick->doorbell doorbell->receive, - when unordered)\n");
	return 2;
}

static int parse_size(const char *s, size_t *v)
{
	char *end;

	errno = 0;
	*v = (size_t)strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse(struct rtt_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "warmup", required_argument, NULL, 'w' },
		{ "times", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	*o = (struct rtt_opts){ .n = 1000, .warmup = 20, .size = MSG_MAX };
	while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': bad |= parse_size(optarg, &o->n) || !o->n; break;
		case 's': bad |= parse_size(optarg, &o->size) || !o->size || o->size > MSG_MAX;
			break;
		case 'w': bad |= parse_size(optarg, &o->warmup); break;
		case 't': o->times = optarg; break;
		case 'o': o->out = optarg; break;
		default: return -EINVAL;
		}
	}
	if (bad) {
		fprintf(stderr, "mmamp-guest: rtt: -n must be > 0, -s 1..%d\n", MSG_MAX);
		return -EINVAL;
	}
	if (optind + 1 != argc)
		return -EINVAL;
	o->dev = argv[optind];
	return 0;
}

/* A TTY in raw mode (no echo, no line discipline), so bytes go both ways unchanged. */
static int open_dev(const char *dev, int *is_tty)
{
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*is_tty = isatty(fd);
	if (*is_tty) {
		if (tcgetattr(fd, &t) == 0) {
			cfmakeraw(&t);
			if (tcsetattr(fd, TCSANOW, &t) == 0)
				return fd;
		}
		close(fd);
		return -errno;
	}
	return fd;
}

/* The echo: one read on an rpmsg node; on a TTY as many as it takes for @n bytes. */
static int recv_echo(int fd, int is_tty, uint8_t *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		int pr = poll(&p, 1, REPLY_TIMEOUT_MS);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return pr ? -errno : -ETIMEDOUT;
		r = read(fd, buf + got, is_tty ? n - got : MSG_MAX);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -EPIPE;
		got += (size_t)r;
		if (!is_tty && got != n)
			return -EMSGSIZE;
	}
	return 0;
}

static int open_stamp(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A sysfs attribute read again from its start (sysfs calls show() anew at offset 0). */
static int64_t read_stamp(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * Send→kick, kick→doorbell, doorbell→receive per message (index = message), NO_SPLIT for a
 * message whose stamps are out of order (the summary leaves those out).
 */
#define NO_SPLIT UINT64_MAX

struct split {
	uint64_t *to_kick, *to_doorbell, *to_recv;
	size_t ordered, disordered;
};

static void stamp_message(const struct stamps *s, struct split *sp, size_t i, uint64_t t0,
			  uint64_t t1)
{
	int64_t k = read_stamp(s->kick), d = read_stamp(s->doorbell);

	if (k < (int64_t)t0 || d < k || (uint64_t)d > t1) {
		if (!sp->disordered++)
			fprintf(stderr, "mmamp-guest: rtt: stamps out of order: send %llu kick %lld "
				"doorbell %lld receive %llu\n", (unsigned long long)t0,
				(long long)k, (long long)d, (unsigned long long)t1);
		sp->to_kick[i] = sp->to_doorbell[i] = sp->to_recv[i] = NO_SPLIT;
		return;
	}
	sp->to_kick[i] = (uint64_t)k - t0;
	sp->to_doorbell[i] = (uint64_t)(d - k);
	sp->to_recv[i] = t1 - (uint64_t)d;
	sp->ordered++;
}

static void fill(uint8_t *b, size_t n, size_t seq)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seq * 31u + i * 7u + 3u);
}

/* One line per message: the round trip, and with --times its three parts ("-" unordered). */
static int write_samples(const char *path, const uint64_t *t, const struct split *sp, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%llu", (unsigned long long)t[i]);
		if (sp && sp->to_kick[i] != NO_SPLIT)
			fprintf(f, " %llu %llu %llu", (unsigned long long)sp->to_kick[i],
				(unsigned long long)sp->to_doorbell[i],
				(unsigned long long)sp->to_recv[i]);
		else if (sp)
			fputs(" - - -", f);
		fputc('\n', f);
	}
	return fclose(f) ? -errno : 0;
}

/* The ordered messages' parts to the front of each array (bench_summarize sorts them). */
static void compact(uint64_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] != NO_SPLIT)
			v[k++] = v[i];
}

static void print_split(const char *dev, struct split *sp, size_t n)
{
	struct bench_result a, b, c;

	compact(sp->to_kick, n);
	compact(sp->to_doorbell, n);
	compact(sp->to_recv, n);
	a = bench_summarize("", sp->to_kick, sp->ordered);
	b = bench_summarize("", sp->to_doorbell, sp->ordered);
	c = bench_summarize("", sp->to_recv, sp->ordered);

	printf("mmamp-guest: %s: stamps in order for %zu of %zu messages; median send->kick "
	       "%.1f us, kick->doorbell %.1f us, doorbell->receive %.1f us\n", dev, sp->ordered, n,
	       a.p50, b.p50, c.p50);
}

/* The round trips: @o->warmup first (not kept), then @o->n into @t. */
static int run(const struct rtt_opts *o, int fd, int is_tty, const struct stamps *s,
	       struct split *sp, uint64_t *t)
{
	static uint8_t msg[MSG_MAX], echo[MSG_MAX];
	int ret;

	for (size_t i = 0; i < o->warmup + o->n; i++) {
		uint64_t t0, t1;

		fill(msg, o->size, i);
		t0 = bench_now_ns();
		if (write(fd, msg, o->size) != (ssize_t)o->size) {
			fprintf(stderr, "mmamp-guest: %s: write of message %zu: %s\n", o->dev, i,
				strerror(errno));
			return -1;
		}
		ret = recv_echo(fd, is_tty, echo, o->size);
		t1 = bench_now_ns();
		if (ret) {
			fprintf(stderr, "mmamp-guest: %s: the echo of message %zu: %s\n", o->dev, i,
				strerror(-ret));
			return -1;
		}
		if (memcmp(msg, echo, o->size)) {
			fprintf(stderr, "mmamp-guest: %s: the echo of message %zu differs\n", o->dev, i);
			return -1;
		}
		if (i < o->warmup)
			continue;
		t[i - o->warmup] = t1 - t0;
		if (s)
			stamp_message(s, sp, i - o->warmup, t0, t1);
	}
	return 0;
}

int guest_cmd_rtt(int argc, char **argv)
{
	struct stamps st = { -1, -1 };
	struct split sp = { 0 };
	struct rtt_opts o;
	struct bench_result r;
	uint64_t *t;
	int fd, is_tty = 0, ret = 1;

	if (parse(&o, argc, argv))
		return usage();
	fd = open_dev(o.dev, &is_tty);
	if (fd < 0) {
		fprintf(stderr, "mmamp-guest: %s: %s\n", o.dev, strerror(-fd));
		return 1;
	}
	t = calloc(o.n, sizeof(*t));
	sp.to_kick = calloc(o.n, sizeof(uint64_t));
	sp.to_doorbell = calloc(o.n, sizeof(uint64_t));
	sp.to_recv = calloc(o.n, sizeof(uint64_t));
	if (!t || !sp.to_kick || !sp.to_doorbell || !sp.to_recv) {
		fprintf(stderr, "mmamp-guest: rtt: no memory for %zu samples\n", o.n);
		goto out;
	}
	if (o.times) {
		st.kick = open_stamp(o.times, "last_kick_ns");
		st.doorbell = open_stamp(o.times, "last_doorbell_ns");
		if (st.kick < 0 || st.doorbell < 0) {
			fprintf(stderr, "mmamp-guest: %s/last_kick_ns, last_doorbell_ns: %s (the "
				"driver's timestamps)\n", o.times, strerror(errno));
			goto out;
		}
	}
	if (run(&o, fd, is_tty, o.times ? &st : NULL, &sp, t))
		goto out;
	if (o.out && (ret = write_samples(o.out, t, o.times ? &sp : NULL, o.n))) {
		fprintf(stderr, "mmamp-guest: %s: %s\n", o.out, strerror(-ret));
		ret = 1;
		goto out;
	}
	r = bench_summarize(o.dev, t, o.n);
	printf("mmamp-guest: %s: %zu round trips of %zu bytes, every echo byte-exact; median "
	       "%.1f us, p99 %.1f us, max %.1f us\n", o.dev, o.n, o.size, r.p50, r.p99, r.max);
	if (o.times)
		print_split(o.dev, &sp, o.n);
	ret = o.times && sp.disordered ? 1 : 0;
out:
	if (st.kick >= 0)
		close(st.kick);
	if (st.doorbell >= 0)
		close(st.doorbell);
	free(t);
	free(sp.to_kick);
	free(sp.to_doorbell);
	free(sp.to_recv);
	close(fd);
	return ret;
}
