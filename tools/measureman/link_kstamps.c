/* SPDX-License-Identifier: BSD-3-Clause */
/* link_kstamps.c — the kernel driver's per-message stamps around a link (see link_kstamps.h). */
#define _GNU_SOURCE
#include "link_kstamps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UML_CLOCK_COUNT_NS 256 /* UML's clocksource counts host ns / 256 (kernel/mmamp_rproc.c) */

struct kstamps {
	struct mm_link inner; /* the link as it was: its round trip does the I/O */
	int kick, doorbell, offset;
	char name[600];
};

/* An attribute kept open, read again from its start (sysfs runs show() anew at offset 0). */
static int read_attr(int fd, int64_t *v)
{
	char buf[32], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return n ? -errno : -ENODATA;
	buf[n] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

static int kstamps_roundtrip(struct mm_link *l, const uint8_t *tx, uint8_t *rx, size_t len,
			     struct mm_sample *m, char *err, size_t errlen)
{
	struct kstamps *k = l->priv;
	int64_t kick, db;
	int ret = k->inner.roundtrip(&k->inner, tx, rx, len, m, err, errlen);

	if (ret)
		return ret;
	/* Read after the reply: both stamps of this message are in by then. One of an earlier
	 * message (a kick that rode on a queued one) is older than t_send: mm_record() leaves
	 * such a message's sections out (unattributed). */
	if (read_attr(k->kick, &kick) || read_attr(k->doorbell, &db)) {
		snprintf(err, errlen, "reading the kernel's stamps: %s", strerror(errno));
		return -EIO;
	}
	m->t_kick = kick > 0 ? (uint64_t)kick : 0;
	m->t_db = db > 0 ? (uint64_t)db : 0;
	return 0;
}

/*
 * The M4's clock minus ours. The driver takes it from one clocksource read, to ±128 ns (half of
 * UML's clock count); two reads must agree to that, or the clocks are not what it assumes.
 */
static int read_offset(struct kstamps *k, int64_t *offset, char *err, size_t errlen)
{
	int64_t a, b;
	int ret = read_attr(k->offset, &a);

	if (!ret)
		ret = read_attr(k->offset, &b);
	if (ret) {
		snprintf(err, errlen, "soc_clock_offset_ns: %s", strerror(-ret));
		return ret;
	}
	if (llabs(a - b) > 2 * UML_CLOCK_COUNT_NS) {
		snprintf(err, errlen, "soc_clock_offset_ns: %lld, then %lld: the M4's clock and the "
			 "kernel's do not run together", (long long)a, (long long)b);
		return -ERANGE;
	}
	*offset = b;
	return 0;
}

static int open_attr(const char *dir, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void close_all(struct kstamps *k)
{
	if (k->kick >= 0)
		close(k->kick);
	if (k->doorbell >= 0)
		close(k->doorbell);
	if (k->offset >= 0)
		close(k->offset);
	free(k);
}

int mm_kstamps_attach(struct mm_link *l, const char *dir, char *err, size_t errlen)
{
	struct kstamps *k = calloc(1, sizeof(*k));
	uint64_t error = UML_CLOCK_COUNT_NS / 2;
	int64_t offset = 0;
	int ret;

	if (!k)
		return -ENOMEM;
	k->kick = open_attr(dir, "last_kick_ns");
	k->doorbell = open_attr(dir, "last_doorbell_ns");
	k->offset = open_attr(dir, "soc_clock_offset_ns");
	if (k->kick < 0 && errno == ENOENT) {
		close_all(k);
		return -ENOENT;
	}
	if (k->kick < 0 || k->doorbell < 0 || k->offset < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: the kernel driver's stamps (last_kick_ns, "
			 "last_doorbell_ns, soc_clock_offset_ns): %s", dir, strerror(-ret));
		close_all(k);
		return ret;
	}
	ret = read_offset(k, &offset, err, errlen);
	if (ret) {
		close_all(k);
		return ret;
	}
	k->inner = *l;
	snprintf(k->name, sizeof(k->name), "%s + the kernel's stamps (%s; M4 clock %+lld ns "
		 "from ours, ±%llu ns)", l->name ? l->name : "?", dir, (long long)offset,
		 (unsigned long long)error);
	l->priv = k;
	l->roundtrip = kstamps_roundtrip;
	l->name = k->name;
	l->remote_offset_ns = -offset; /* the M4's points onto our clock */
	l->remote_offset_err_ns = error;
	return 0;
}

void mm_kstamps_detach(struct mm_link *l)
{
	struct kstamps *k = l->priv;

	*l = k->inner;
	close_all(k);
}
