/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * channels.c — the RPMsg master's channels: one per service the remote announces (our endpoint
 * takes a dynamic address ≥ 1024, the remote's comes from the announcement: docs/protocol.md
 * §3.6), message delivery to a reader, and sending with -EAGAIN/-ETIMEDOUT/-EPIPE (§4.1).
 */
#include "rproc_internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mmamp/errno.h"

void mmamp_channel_get(struct mmamp_channel *ch)
{
	__atomic_add_fetch(&ch->refs, 1, __ATOMIC_RELAXED);
}

void mmamp_channel_put(struct mmamp_channel *ch)
{
	if (ch && __atomic_sub_fetch(&ch->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(ch);
}

const char *mmamp_channel_name(const struct mmamp_channel *ch)
{
	return ch->name;
}

uint32_t mmamp_channel_src(const struct mmamp_channel *ch)
{
	return ch->ept.addr;
}

uint32_t mmamp_channel_dst(const struct mmamp_channel *ch)
{
	return ch->dst;
}

struct mmamp_rproc *mmamp_channel_rproc(const struct mmamp_channel *ch)
{
	return ch->r;
}

bool mmamp_channel_is_up(const struct mmamp_channel *ch)
{
	return __atomic_load_n(&ch->up, __ATOMIC_ACQUIRE);
}

void mmamp_channel_stats(const struct mmamp_channel *ch, struct mmamp_channel_stats *st)
{
	pthread_mutex_lock(&ch->r->lock);
	*st = ch->stats;
	pthread_mutex_unlock(&ch->r->lock);
}

void mmamp_channel_set_rx(struct mmamp_channel *ch, mmamp_channel_rx_fn fn, void *ctx)
{
	pthread_mutex_lock(&ch->r->lock);
	ch->rx = fn;
	ch->rx_ctx = ctx;
	pthread_mutex_unlock(&ch->r->lock);
}

/* Runs on the core's host thread, lock held. */
static int channel_rx(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	struct mmamp_channel *ch = priv;

	(void)ept;
	(void)src;
	if (!ch->rx) {
		ch->stats.rx_dropped++;
		return 0;
	}
	ch->stats.rx++;
	ch->rx(ch->rx_ctx, ch, data, len);
	return 0;
}

struct mmamp_channel *rproc_channel_find_locked(struct mmamp_rproc *r, const char *name)
{
	for (struct mmamp_channel *ch = r->channels; ch; ch = ch->next)
		if (ch->up && !strcmp(ch->name, name))
			return ch;
	return NULL;
}

static void channel_down(struct mmamp_rproc *r, struct mmamp_channel *ch)
{
	struct mmamp_channel **pp;

	for (pp = &r->channels; *pp; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	}
	/* what the remote still held of ours: the rings are not reset yet */
	ch->stats.tx_in_flight = mmamp_rpmsg_tx_in_flight(&r->rdev, ch->ept.addr);
	__atomic_store_n(&ch->up, false, __ATOMIC_RELEASE);
	mmamp_rpmsg_ept_destroy(&ch->ept);
	pthread_cond_broadcast(&r->changed);
	pthread_cond_broadcast(&r->tx_space); /* blocked senders learn -EPIPE */
	if (r->h->events.channel)
		r->h->events.channel(r->h->ctx, ch, false);
	mmamp_channel_put(ch);
}

/*
 * At most this many channels per core: each announcement from the remote costs the host
 * memory (and mmampd a TTY or a socket), so a remote flooding the name service must not be
 * able to grow the host without bound. Linux has no limit; a real firmware has a handful.
 */
#define MAX_CHANNELS_PER_CORE 64u

static void channel_up(struct mmamp_rproc *r, const char *name, uint32_t addr)
{
	struct mmamp_channel *ch;
	unsigned n = 0;

	for (ch = r->channels; ch; ch = ch->next, n++)
		if (!strcmp(ch->name, name) && ch->dst == addr)
			return; /* Linux: "channel %s:%x:%x already exist" */
	if (n >= MAX_CHANNELS_PER_CORE) {
		r->ns_refused++; /* a name-service flood: refused, counted */
		return;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return;
	ch->refs = 1;
	ch->r = r;
	ch->dst = addr;
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	if (mmamp_rpmsg_ept_init(&ch->ept, &r->rdev, NULL, MMAMP_RPMSG_ADDR_ANY, addr, channel_rx,
				 ch)) {
		free(ch);
		return;
	}
	ch->up = true;
	ch->next = r->channels;
	r->channels = ch;
	pthread_cond_broadcast(&r->changed);
	if (r->h->events.channel)
		r->h->events.channel(r->h->ctx, ch, true);
}

void rproc_ns_bind(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
		   uint32_t flags, void *ctx)
{
	struct mmamp_rproc *r = ctx;
	struct mmamp_channel *ch;

	(void)rdev;
	if (flags != MMAMP_RPMSG_NS_DESTROY) {
		channel_up(r, name, addr);
		return;
	}
	for (ch = r->channels; ch; ch = ch->next) {
		if (!strcmp(ch->name, name) && ch->dst == addr) {
			channel_down(r, ch);
			return;
		}
	}
}

void rproc_channels_down(struct mmamp_rproc *r)
{
	while (r->channels)
		channel_down(r, r->channels);
}

void rproc_channels_free(struct mmamp_rproc *r)
{
	pthread_mutex_lock(&r->lock);
	rproc_channels_down(r);
	pthread_mutex_unlock(&r->lock);
}

/* The host thread's work after a doorbell. A broken vdev is a crash: the core is stopped and
 * remoteproc recovers it (rproc_report_crash). Lock held. */
void rproc_rpmsg_poll(struct mmamp_rproc *r)
{
	int ret = mmamp_rpmsg_poll(&r->rdev);

	if (ret == -MMAMP_EIO)
		rproc_vdev_broken(r);
}

/* The remote made a mess of a ring: report the crash with what it did. Lock held. */
void rproc_vdev_broken(struct mmamp_rproc *r)
{
	struct mmamp_diag d;
	char text[200];

	if (r->fault_pending || !r->powered)
		return;
	mmamp_rpmsg_fault(&r->rdev, &d);
	mmamp_diag_format(&d, text, sizeof(text));
	rproc_report_crash(r, "fatal error: vdev broken: %s", text);
}

size_t mmamp_rproc_channels(struct mmamp_rproc *r, struct mmamp_channel **out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	for (struct mmamp_channel *ch = r->channels; ch; ch = ch->next) {
		if (n < max) {
			mmamp_channel_get(ch);
			out[n] = ch;
		}
		n++;
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

struct mmamp_channel *mmamp_rproc_find_channel(struct mmamp_rproc *r, const char *name)
{
	struct mmamp_channel *ch;

	pthread_mutex_lock(&r->lock);
	ch = rproc_channel_find_locked(r, name);
	if (ch)
		mmamp_channel_get(ch);
	pthread_mutex_unlock(&r->lock);
	return ch;
}

/*
 * mmamp_channel_send() found no TX buffer: wait for one as @timeout_ms says, then send. Apart
 * from the send itself so that a send which finds a buffer (every polled round trip) pays
 * neither for the clock nor for this frame. Lock held (dropped while asleep).
 */
static __attribute__((noinline)) int channel_send_wait(struct mmamp_channel *ch,
							const void *data, size_t len,
							int timeout_ms)
{
	struct mmamp_rproc *r = ch->r;
	struct timespec end;
	int ret;

	/* From a receive callback (the host thread) we cannot wait for the host thread. */
	if (timeout_ms == 0 || (r->irq_running && pthread_equal(pthread_self(), r->irq)))
		return -EAGAIN;
	if (timeout_ms > 0)
		rproc_deadline(&end, timeout_ms);
	for (;;) {
		if (r->h->caller_polls) {
			/* nobody else will run: TX buffers come back on the used ring we reap in
			 * sendto itself; spin until then or the deadline */
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (timeout_ms > 0 && (now.tv_sec > end.tv_sec ||
					       (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)))
				return -ETIMEDOUT;
			sched_yield();
		} else if (mmamp_vq_enable_cb(&r->rdev.svq)) {
			/* Asked the remote to ring us when it returns TX buffers, and some came
			 * back meanwhile: try them. */
			mmamp_vq_disable_cb(&r->rdev.svq);
		} else {
			/* Sleep until the host thread has run (no lost wake-up: it takes the lock
			 * before it signals, and signals only while tx_waiters says we sleep). */
			r->tx_waiters++;
			if (timeout_ms < 0)
				ret = pthread_cond_wait(&r->tx_space, &r->lock);
			else
				ret = pthread_cond_timedwait(&r->tx_space, &r->lock, &end);
			r->tx_waiters--;
			mmamp_vq_disable_cb(&r->rdev.svq);
			if (ret == ETIMEDOUT) {
				/* The channel may have gone down while we slept (its endpoint
				 * destroyed): that is the sender's EPIPE, not a last try on a dead
				 * endpoint. */
				if (!ch->up)
					return -EPIPE;
				ret = mmamp_rpmsg_sendto(&ch->ept, ch->dst, data, len);
				return ret == -MMAMP_ENOBUFS ? -ETIMEDOUT : ret;
			}
		}
		if (!ch->up)
			return -EPIPE;
		ret = mmamp_rpmsg_sendto(&ch->ept, ch->dst, data, len);
		if (ret != -MMAMP_ENOBUFS)
			return ret;
	}
}

int mmamp_channel_send(struct mmamp_channel *ch, const void *data, size_t len, int timeout_ms)
{
	struct mmamp_rproc *r = ch->r;
	int ret;

	if (len > MMAMP_RPMSG_MTU)
		return -EMSGSIZE;
	pthread_mutex_lock(&r->lock);
	ret = ch->up ? mmamp_rpmsg_sendto(&ch->ept, ch->dst, data, len) : -EPIPE;
	if (ret == -MMAMP_ENOBUFS)
		ret = channel_send_wait(ch, data, len, timeout_ms);
	if (ret == 0)
		ch->stats.tx++;
	else if (ret == -MMAMP_ENOTCONN)
		ret = -EPIPE;
	else if (ret == -MMAMP_EIO) {
		/* the remote broke the TX ring (found while reaping it): a crash, as in
		 * rproc_rpmsg_poll(); the channel is going away */
		rproc_vdev_broken(r);
		ret = -EPIPE;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}
