/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handoff.c — the hand-off from the host library's threads to the event loop (mmampd.h,
 * "Threads"): the library's event callbacks queue what happened and ring the loop's eventfd;
 * the loop takes the queue and acts on it (state changes, channels up and down, flushes).
 */
#include <stdlib.h>
#include <unistd.h>

#include "mmampd.h"

enum hev_kind { HEV_STATE, HEV_CHANNEL, HEV_FLUSH };

struct hev {
	struct hev *next;
	enum hev_kind kind;
	struct mmamp_rproc *r;
	enum mmamp_rproc_state state;
	struct mmamp_channel *ch; /* referenced */
	bool up;
	uint64_t dev_id;
};

static struct {
	pthread_mutex_t lock;
	struct hev *head, *tail;
	int fd;
	unsigned long lost;
} handoff = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, -1, 0 };

/* The eventfd that wakes the loop (its W_WAKE watch); set once, before the host opens. */
void handoff_init(int wake_fd)
{
	handoff.fd = wake_fd;
}

static void handoff_post(struct hev *e)
{
	uint64_t one = 1;

	pthread_mutex_lock(&handoff.lock);
	e->next = NULL;
	if (handoff.tail)
		handoff.tail->next = e;
	else
		handoff.head = e;
	handoff.tail = e;
	pthread_mutex_unlock(&handoff.lock);
	/* non-blocking eventfd: a write only fails when the counter is about to overflow, and
	 * then the loop has a wake-up pending anyway */
	if (write(handoff.fd, &one, sizeof(one)) < 0)
		(void)0;
}

static struct hev *handoff_take_all(void)
{
	struct hev *list;
	uint64_t v;

	if (read(handoff.fd, &v, sizeof(v)) < 0)
		(void)0;
	pthread_mutex_lock(&handoff.lock);
	list = handoff.head;
	handoff.head = handoff.tail = NULL;
	pthread_mutex_unlock(&handoff.lock);
	return list;
}

/* Library callbacks: a core's host or monitor thread (or the loop itself, inside a start or a
 * stop it called), the core's lock held. Allocate, append, ring; nothing else. */
static void on_state(void *ctx, struct mmamp_rproc *r, enum mmamp_rproc_state s)
{
	struct hev *e = calloc(1, sizeof(*e));

	(void)ctx;
	if (!e) {
		__atomic_add_fetch(&handoff.lost, 1, __ATOMIC_RELAXED);
		return;
	}
	e->kind = HEV_STATE;
	e->r = r;
	e->state = s;
	handoff_post(e);
}

static void on_channel(void *ctx, struct mmamp_channel *ch, bool up)
{
	struct hev *e = calloc(1, sizeof(*e));

	(void)ctx;
	if (!e) {
		__atomic_add_fetch(&handoff.lost, 1, __ATOMIC_RELAXED);
		return;
	}
	mmamp_channel_get(ch);
	e->kind = HEV_CHANNEL;
	e->r = mmamp_channel_rproc(ch);
	e->ch = ch;
	e->up = up;
	handoff_post(e);
}

/* A device's receive path queued bytes it could not write: ask the loop to flush (dev->lock
 * held by the caller, which also set dev->flush_posted). */
void handoff_flush(struct dev *dev)
{
	struct hev *e = calloc(1, sizeof(*e));

	if (!e) {
		dev->flush_posted = false; /* retried at the next message */
		__atomic_add_fetch(&handoff.lost, 1, __ATOMIC_RELAXED);
		return;
	}
	e->kind = HEV_FLUSH;
	e->dev_id = dev->id;
	handoff_post(e);
}

static void state_changed(struct daemon *d, struct core *c, enum mmamp_rproc_state s)
{
	char reason[512];

	if (s == MMAMP_RPROC_CRASHED) {
		mmamp_rproc_crash_reason(c->r, reason, sizeof(reason));
		logmsg("%s: %s -> crashed (crash %u: %s)", c->name, mmamp_rproc_state_str(c->last),
		       mmamp_rproc_crash_count(c->r), reason[0] ? reason : "no reason given");
	} else {
		logmsg("%s: %s -> %s", c->name, mmamp_rproc_state_str(c->last),
		       mmamp_rproc_state_str(s));
	}
	if (s == MMAMP_RPROC_CRASHED &&
	    (c->last == MMAMP_RPROC_RUNNING || c->last == MMAMP_RPROC_ATTACHED))
		c->crashes++; /* what the library counts in crash_count */
	c->last = s;
	ctl_waiters_check(d, c);
}

void handoff_process(struct daemon *d)
{
	struct hev *e = handoff_take_all();
	unsigned long lost = __atomic_exchange_n(&handoff.lost, 0, __ATOMIC_RELAXED);

	if (lost)
		logmsg("out of memory: %lu library events lost", lost);
	while (e) {
		struct hev *next = e->next;
		struct core *c = e->r ? core_of(d, e->r) : NULL;
		struct dev *dev;

		switch (e->kind) {
		case HEV_STATE:
			if (c)
				state_changed(d, c, e->state);
			break;
		case HEV_CHANNEL:
			if (e->up && c && mmamp_channel_is_up(e->ch)) {
				dev_channel_up(d, c, e->ch);
				ctl_waiters_check(d, c);
			} else if (!e->up) {
				dev_channel_down(d, e->ch);
			}
			mmamp_channel_put(e->ch);
			break;
		case HEV_FLUSH:
			dev = dev_by_id(d, e->dev_id);
			if (dev)
				dev_flush_posted(dev);
			break;
		}
		free(e);
		e = next;
	}
}

/* After the library is closed: drop what is left (channel references only). */
void handoff_drain(void)
{
	struct hev *e = handoff_take_all();

	while (e) {
		struct hev *next = e->next;

		if (e->ch)
			mmamp_channel_put(e->ch);
		free(e);
		e = next;
	}
}

const struct mmamp_host_events handoff_events = { .state = on_state, .channel = on_channel };
