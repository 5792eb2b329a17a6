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
#include "num.h"
#include "tool_dev.h"
#include "tool_rtt.h"

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

static int parse(struct rtt_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "warmup", required_argument, NULL, 'w' },
		{ "times", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c, bad = 0;

	*o = (struct rtt_opts){ .n = 1000, .warmup = 20, .size = MSG_MAX };
	while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': bad |= guest_parse_num(optarg, SIZE_MAX, &v) || !v; o->n = v; break;
		case 's': bad |= guest_parse_num(optarg, MSG_MAX, &v) || !v; o->size = v; break;
		case 'w': bad |= guest_parse_num(optarg, SIZE_MAX, &v); o->warmup = v; break;
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

/*
 * A TTY in raw mode (no echo, no line discipline), so bytes go both ways unchanged. A channel
 * announced a moment ago may not be openable yet: wait a little (tool_dev.h).
 */
#define DEV_WAIT_MS 2000
static int open_dev(const char *dev, int *is_tty)
{
	struct termios t;
	int fd = tool_open_new_node(dev, O_RDWR | O_NOCTTY | O_CLOEXEC, DEV_WAIT_MS);

	if (fd < 0)
		return fd;
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

/* One run's state for tool_rtt_run()'s callbacks. */
struct run {
	const struct rtt_opts *o;
	int fd, is_tty;
	const struct stamps *s;
	struct split *sp;
	uint64_t *t;
	size_t kept;
	uint8_t msg[MSG_MAX], echo[MSG_MAX];
	long stamped;        /* the trip whose stamps are still to be read (-1: none) */
	uint64_t t0, t1;     /* its send and receive */
};

/* The last trip's stamps, read while no clock runs (sysfs reads are slow under UML). */
static void take_stamps(struct run *r)
{
	if (r->s && r->stamped >= 0)
		stamp_message(r->s, r->sp, (size_t)r->stamped, r->t0, r->t1);
	r->stamped = -1;
}

static int prepare_trip(void *ctx, long i)
{
	struct run *r = ctx;

	take_stamps(r);
	fill(r->msg, r->o->size, (size_t)(i + (long)r->o->warmup));
	return 0;
}

static int trip(void *ctx, long i)
{
	struct run *r = ctx;
	const char *dev = r->o->dev;
	size_t len = r->o->size;
	int ret;

	r->t0 = tool_now_ns();
	if (write(r->fd, r->msg, len) != (ssize_t)len) {
		ret = -errno;
		fprintf(stderr, "mmamp-guest: %s: write of message %ld: %s\n", dev, i, strerror(-ret));
		return ret;
	}
	ret = recv_echo(r->fd, r->is_tty, r->echo, len);
	r->t1 = tool_now_ns();
	if (ret) {
		fprintf(stderr, "mmamp-guest: %s: the echo of message %ld: %s\n", dev, i,
			strerror(-ret));
		return ret;
	}
	if (memcmp(r->msg, r->echo, len)) {
		fprintf(stderr, "mmamp-guest: %s: the echo of message %ld differs\n", dev, i);
		return -EBADMSG;
	}
	if (i >= 0)
		r->stamped = i;
	return 0;
}

static void keep(void *ctx, uint64_t ns)
{
	struct run *r = ctx;

	r->t[r->kept++] = ns;
}

/* The round trips: @o->warmup first (not kept), then @o->n into @t. */
static int run(const struct rtt_opts *o, int fd, int is_tty, const struct stamps *s,
	       struct split *sp, uint64_t *t)
{
	static struct run r;
	struct tool_rtt rt = { .n = o->n, .warmup = o->warmup, .prepare = prepare_trip,
			       .trip = trip, .sample = keep, .ctx = &r, .sample_ctx = &r };
	int ret;

	r = (struct run){ .o = o, .fd = fd, .is_tty = is_tty, .s = s, .sp = sp, .t = t,
			  .stamped = -1 };
	ret = tool_rtt_run(&rt);
	take_stamps(&r);
	return ret;
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
