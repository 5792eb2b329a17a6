/* SPDX-License-Identifier: BSD-3-Clause */
/* measure.c — the measuring loop: requests, verification, sections, the slowest messages. */
#define _GNU_SOURCE
#include "measure.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mmamp/rpmsg.h"
#include "mmamp/wire/measureman.h"

static const char *const names[MM_NSECTIONS] = {
	"TTY-write", "TTY-read", "IPI to remote", "IPI to host", "remote processing", "round trip",
};
static const char *const keys[MM_NSECTIONS] = {
	"tty_write", "tty_read", "ipi_to_remote", "ipi_to_host", "remote_processing", "round_trip",
};

const char *mm_section_name(enum mm_section s)
{
	return (unsigned)s < MM_NSECTIONS ? names[s] : "?";
}

const char *mm_section_key(enum mm_section s)
{
	return (unsigned)s < MM_NSECTIONS ? keys[s] : "?";
}

static int64_t span(uint64_t from, uint64_t to)
{
	if (!from || !to || to < from)
		return -1;
	return (int64_t)(to - from);
}

int64_t mm_sample_section(const struct mm_sample *m, enum mm_section s)
{
	if (m->own_clock && (s == MM_IPI_REMOTE || s == MM_IPI_HOST))
		return -1; /* the two clocks cannot be compared */
	switch (s) {
	case MM_TTY_WRITE:   return span(m->t_send, m->t_kick);
	case MM_IPI_REMOTE:  return span(m->t_kick, m->t_isr);
	case MM_REMOTE_PROC: return span(m->t_isr, m->t_sent);
	case MM_IPI_HOST:    return span(m->t_sent, m->t_db);
	case MM_TTY_READ:    return span(m->t_db, m->t_recv);
	case MM_ROUND_TRIP:  return span(m->t_send, m->t_recv);
	default:             return -1;
	}
}

int mm_run_init(struct mm_run *r, const struct mm_params *p)
{
	memset(r, 0, sizeof(*r));
	for (int s = 0; s < MM_NSECTIONS; s++) {
		int ret = mm_stats_init(&r->sec[s], p->hist_us);

		if (ret) {
			while (s--)
				mm_stats_free(&r->sec[s]);
			return ret;
		}
	}
	r->slowest_cap = p->slowest < MM_SLOWEST_MAX ? p->slowest : MM_SLOWEST_MAX;
	return 0;
}

void mm_run_free(struct mm_run *r)
{
	for (int s = 0; s < MM_NSECTIONS; s++)
		mm_stats_free(&r->sec[s]);
}

/* Both ends known but out of order: a stale point (the doorbell of an earlier message). */
static bool stale(uint64_t from, uint64_t to)
{
	return from && to && to < from;
}

static void keep_slowest(struct mm_run *r, const struct mm_sample *m)
{
	uint64_t rt = m->t_recv - m->t_send, least = UINT64_MAX;
	size_t at = 0;

	if (!r->slowest_cap)
		return;
	if (r->nslowest < r->slowest_cap) {
		r->slowest[r->nslowest++] = *m;
		return;
	}
	for (size_t i = 0; i < r->nslowest; i++) {
		uint64_t v = r->slowest[i].t_recv - r->slowest[i].t_send;

		if (v < least) {
			least = v;
			at = i;
		}
	}
	if (rt > least)
		r->slowest[at] = *m;
}

void mm_record(struct mm_run *r, const struct mm_sample *m)
{
	bool cross = !m->own_clock;
	/* The remote's ISR point belongs to an earlier message: no remote processing either. */
	bool stale_isr = cross && stale(m->t_kick, m->t_isr);

	if (stale(m->t_send, m->t_kick) || stale_isr || stale(m->t_isr, m->t_sent) ||
	    (cross && stale(m->t_sent, m->t_db)) || stale(m->t_db, m->t_recv) ||
	    (m->t_sent && !m->t_isr)) /* stamped, but found before its doorbell's ISR */
		r->unattributed++;
	for (int s = 0; s < MM_NSECTIONS; s++) {
		int64_t v = mm_sample_section(m, (enum mm_section)s);

		if (v >= 0 && !(stale_isr && s == MM_REMOTE_PROC))
			mm_stats_add(&r->sec[s], (uint64_t)v);
	}
	r->messages++;
	keep_slowest(r, m);
}

static void build_request(uint8_t *tx, size_t len, uint32_t seq)
{
	struct mm_wire_hdr h = { .magic = MM_WIRE_MAGIC, .seq = seq };

	memcpy(tx, &h, sizeof(h));
	for (size_t i = MM_WIRE_HDR; i < len; i++)
		tx[i] = (uint8_t)(seq * 131u + i * 7u);
}

/*
 * Whether @rx is @tx's echo; the remote points into @m, on the host's clock through @l's offset
 * (or marked as the remote's own). -EBADMSG with @err otherwise.
 */
static int check_reply(const struct mm_link *l, const uint8_t *tx, const uint8_t *rx,
		       size_t len, struct mm_sample *m, char *err, size_t errlen)
{
	struct mm_wire_hdr sent, got;

	memcpy(&sent, tx, sizeof(sent));
	memcpy(&got, rx, sizeof(got));
	if (got.magic != sent.magic || got.seq != sent.seq) {
		snprintf(err, errlen, "reply to message %u: header magic 0x%08x seq %u, expected "
			 "0x%08x seq %u", sent.seq, got.magic, got.seq, sent.magic, sent.seq);
		return -EBADMSG;
	}
	for (size_t i = MM_WIRE_HDR; i < len; i++)
		if (rx[i] != tx[i]) {
			snprintf(err, errlen, "reply to message %u differs at byte %zu: 0x%02x, "
				 "expected 0x%02x", sent.seq, i, rx[i], tx[i]);
			return -EBADMSG;
		}
	if (got.flags & MM_WIRE_STAMPED) {
		m->t_isr = got.isr_ns;
		m->t_sent = got.sent_ns;
		m->own_clock = l->remote_own_clock;
		if (!l->remote_own_clock && l->remote_offset_ns) { /* 0 stays "unknown" */
			if (m->t_isr)
				m->t_isr = (uint64_t)((int64_t)m->t_isr + l->remote_offset_ns);
			if (m->t_sent)
				m->t_sent = (uint64_t)((int64_t)m->t_sent + l->remote_offset_ns);
		}
	}
	return 0;
}

static void progress(const struct mm_params *p, const struct mm_run *r, uint64_t now)
{
	const struct mm_stats *rt = &r->sec[MM_ROUND_TRIP];
	double elapsed = (double)(now - r->start_ns) / 1e9;

	if (p->loops)
		fprintf(stderr, "\rmeasureman: %llu/%llu (%.0f%%) ", (unsigned long long)r->messages,
			(unsigned long long)p->loops, 100.0 * (double)r->messages / (double)p->loops);
	else
		fprintf(stderr, "\rmeasureman: %llu in %.0f/%.0f s ", (unsigned long long)r->messages,
			elapsed, (double)p->duration_ns / 1e9);
	fprintf(stderr, "round trip min %.1f avg %.1f max %.1f us   ", (double)rt->min / 1e3,
		rt->mean / 1e3, (double)rt->max / 1e3);
}

static bool done(const struct mm_params *p, const struct mm_run *r, uint64_t now)
{
	if (p->loops && r->messages >= p->loops)
		return true;
	return p->duration_ns && now - r->start_ns >= p->duration_ns;
}

int mm_measure(struct mm_link *l, const struct mm_params *p, struct mm_run *r,
	       const volatile int *stop, char *err, size_t errlen)
{
	uint8_t tx[512], rx[512];
	uint64_t last_progress = 0, now;
	int ret = 0;

	if (p->len < MM_WIRE_HDR || p->len > MMAMP_RPMSG_MTU) {
		snprintf(err, errlen, "payload of %zu bytes: must be %u..%u", p->len, MM_WIRE_HDR,
			 (unsigned)MMAMP_RPMSG_MTU);
		return -EINVAL;
	}
	for (uint32_t seq = 0;; seq++) {
		struct mm_sample m = { .seq = seq };

		build_request(tx, p->len, seq);
		ret = l->roundtrip(l, tx, rx, p->len, &m, err, errlen);
		if (!ret)
			ret = check_reply(l, tx, rx, p->len, &m, err, errlen);
		if (ret) {
			r->mismatches += ret == -EBADMSG;
			break;
		}
		if (seq < p->warmup)
			continue;
		if (!r->start_ns)
			r->start_ns = m.t_send;
		mm_record(r, &m);
		now = m.t_recv;
		if (p->break_ns && m.t_recv - m.t_send > p->break_ns) {
			r->broke = true;
			break;
		}
		if (done(p, r, now) || (stop && *stop))
			break;
		if (p->progress && (r->messages & 1023u) == 0 && now - last_progress > 500000000u) {
			progress(p, r, now);
			last_progress = now;
		}
	}
	r->end_ns = tool_now_ns();
	if (p->progress && last_progress)
		fputc('\n', stderr);
	return ret;
}
