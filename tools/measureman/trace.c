/* SPDX-License-Identifier: BSD-3-Clause */
/* trace.c — Chrome/Perfetto trace-event JSON of the slowest messages (see trace.h). */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#define HOST 1
#define REMOTE 2

static int slower_first(const void *a, const void *b)
{
	const struct mm_sample *x = a, *y = b;
	uint64_t rx = x->t_recv - x->t_send, ry = y->t_recv - y->t_send;

	return rx < ry ? 1 : rx > ry ? -1 : 0;
}

static double us(uint64_t ns, uint64_t base)
{
	return (double)(ns - base) / 1e3;
}

static void slice(FILE *f, bool *first, int pid, const char *name, uint64_t seq, uint64_t from,
		  uint64_t to, uint64_t base)
{
	if (!from || !to || to < from)
		return;
	fprintf(f, "%s\n  {\"name\": \"%s\", \"cat\": \"msg\", \"ph\": \"X\", \"pid\": %d, "
		"\"tid\": %d, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"seq\": %llu}}",
		*first ? "" : ",", name, pid, pid, us(from, base), us(to, base) - us(from, base),
		(unsigned long long)seq);
	*first = false;
}

static void flow(FILE *f, bool *first, const char *ph, int pid, uint64_t seq, uint64_t at,
		 uint64_t base)
{
	if (!at)
		return;
	fprintf(f, "%s\n  {\"name\": \"message %llu\", \"cat\": \"flow\", \"ph\": \"%s\", "
		"\"bp\": \"e\", \"id\": %llu, \"pid\": %d, \"tid\": %d, \"ts\": %.3f}",
		*first ? "" : ",", (unsigned long long)seq, ph, (unsigned long long)seq, pid, pid,
		us(at, base));
	*first = false;
}

static void one(FILE *f, bool *first, const struct mm_sample *m, uint64_t base)
{
	slice(f, first, HOST, "round trip", m->seq, m->t_send, m->t_recv, base);
	slice(f, first, HOST, "TTY-write", m->seq, m->t_send, m->t_kick, base);
	slice(f, first, HOST, "TTY-read", m->seq, m->t_db, m->t_recv, base);
	if (!m->own_clock) /* otherwise the remote's points are not on this timeline */
		slice(f, first, REMOTE, "remote processing", m->seq, m->t_isr, m->t_sent, base);
	flow(f, first, "s", HOST, m->seq, m->t_send, base);
	if (!m->own_clock)
		flow(f, first, "t", REMOTE, m->seq, m->t_isr, base);
	flow(f, first, "f", HOST, m->seq, m->t_recv > m->t_db && m->t_db ? m->t_db : m->t_recv,
	     base);
}

void mm_trace_write(FILE *f, const struct mm_run *run)
{
	struct mm_sample *s = malloc(run->nslowest * sizeof(*s) + 1);
	uint64_t base = UINT64_MAX;
	bool first = true;

	if (!s)
		return;
	memcpy(s, run->slowest, run->nslowest * sizeof(*s));
	qsort(s, run->nslowest, sizeof(*s), slower_first);
	for (size_t i = 0; i < run->nslowest; i++)
		if (s[i].t_send < base)
			base = s[i].t_send;
	fprintf(f, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [");
	fprintf(f, "\n  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"args\": "
		"{\"name\": \"A35 host (MeasureMan)\"}},", HOST);
	fprintf(f, "\n  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"args\": "
		"{\"name\": \"M4 remote (fw_measure)\"}}", REMOTE);
	first = false;
	for (size_t i = 0; i < run->nslowest; i++)
		one(f, &first, &s[i], base);
	fprintf(f, "\n]}\n");
	free(s);
}
