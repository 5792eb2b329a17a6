/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_crash.c — crash handling and recovery, run by the monitor thread (monitor.c) like the
 * kernel's crash work: a crash reported (vdev broken, watchdog, the core's own fault report) or
 * the core's process ending is turned into "crashed" with its reason, and the core is booted
 * again when recovery is enabled — unless it crashes in a loop. The watchdog (a heartbeat that
 * stopped moving) is here too.
 */
#include "rproc_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A running core whose heartbeat has not moved for this long is declared crashed ("watchdog").
 * The remote beats every main-loop turn (at least every 10 ms when idle) and on every wake-up
 * of a blocking send (at least every second), so this leaves a wide margin. Only a heartbeat
 * seen moving since the boot/attach is watched (rproc_watchdog_disarm). */
#define WATCHDOG_MS 3000u
/* Automatic recovery pauses after as many crashes as r->crash_ms holds within this long
 * (crash_loop()). */
#define CRASH_LOOP_MS 10000u

/*
 * rproc_report_crash() - the host (vdev broken, watchdog) or the core's own fault report
 * declares the running core crashed: note the reason and let the monitor thread handle it
 * (rproc_core_exited), like the kernel's rproc_report_crash() queues its crash work. The first
 * report wins. Lock held.
 */
void rproc_report_crash(struct mmamp_rproc *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->powered || r->fault_pending)
		return;
	va_start(ap, fmt);
	vsnprintf(r->crash_reason, sizeof(r->crash_reason), fmt, ap);
	va_end(ap);
	r->fault_pending = true;
	rproc_monitor_crash(r);
}

/* Whether the powered core's death fd says it has ended. Lock held. */
static bool death_now(struct mmamp_rproc *r)
{
	struct pollfd p = { .fd = r->powered ? r->bk->death_fd(r) : -1, .events = POLLIN };

	return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

/*
 * Whether this crash makes as many as r->crash_ms holds (5) within CRASH_LOOP_MS: a firmware that dies as soon
 * as it starts (wrong addresses for this core, say) would otherwise be recovered hundreds of
 * times a second. Linux recovers forever; we stop, say why, and leave "recover" to the user.
 */
static bool crash_loop(struct mmamp_rproc *r)
{
	uint64_t now = rproc_now_ms();
	size_t n = sizeof(r->crash_ms) / sizeof(r->crash_ms[0]);

	r->crash_ms[r->crash_next++ % n] = now;
	/* the oldest of the last n crashes sits where the next one will go */
	if (r->crash_next < n || now - r->crash_ms[r->crash_next % n] > CRASH_LOOP_MS)
		return false;
	snprintf(r->crash_reason + strlen(r->crash_reason),
		 sizeof(r->crash_reason) - strlen(r->crash_reason),
		 "; automatic recovery paused: %zu crashes within %u ms (write \"recover\" to retry)",
		 n, CRASH_LOOP_MS);
	r->crash_next = 0; /* a "recover" by hand starts a fresh window */
	memset(r->crash_ms, 0, sizeof(r->crash_ms));
	return true;
}

/*
 * The core ended on its own (@reported false: the backend's death fd) or a crash was reported
 * (@reported true; ignored unless one is still pending — the core may have been recovered by
 * the other event already).
 */
void rproc_core_exited(struct mmamp_rproc *r, bool reported)
{
	char err[256];

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	/* A death event may be a stale one: dequeued for a process that a stop has killed and
	 * reaped meanwhile, while we waited for op_lock — the core running now is another one.
	 * Only the current death fd, readable now, means this core ended. */
	if (!reported && !death_now(r)) {
		pthread_mutex_unlock(&r->lock);
		pthread_mutex_unlock(&r->op_lock);
		return;
	}
	if (r->state == MMAMP_RPROC_DETACHED && r->powered && !reported) {
		/* it ran without us and ended: nothing to recover, it is just off now */
		r->bk->power_off(r, true);
		r->powered = false;
		rproc_record_stopped(r);
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	}
	if (!rproc_is_up(r) || !r->powered || (reported && !r->fault_pending)) {
		pthread_mutex_unlock(&r->lock);
		pthread_mutex_unlock(&r->op_lock);
		return;
	}
	/*
	 * The host thread goes first: it reaches the backend without the lock (pending, wait),
	 * and powering off may free what it uses there (qemu: a QEMU that ended is dropped —
	 * a use-after-free TSan found with QEMU killed in a stream). A crash it reports while
	 * it stops only fills in the reason.
	 */
	rproc_irq_stop(r);
	r->bk->power_off(r, false);
	r->powered = false;
	r->fault_pending = false;
	rproc_record_stopped(r);
	r->crash_count++;
	rproc_shutdown_core(r, true);
	rproc_set_state(r, MMAMP_RPROC_CRASHED);
	/* A core that cannot even be set up would crash again at once: no recovery loop. */
	if (r->recovery && !strstr(r->crash_reason, "could not be set up") && !crash_loop(r))
		rproc_recover_locked(r, err, sizeof(err));
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
}

/*
 * rproc_watchdog_disarm() - at a boot (the region just written) or an attach: the heartbeat is
 * not watched until it moves from what is there now. Only mmamp's runtime beats; an RPMsg-Lite
 * or OpenAMP remote never writes the word, and Linux's remoteproc, which has no heartbeat, runs
 * it — so a word that never moved means "no heartbeat here", not "frozen" (docs/interop.md).
 * The value is taken, not assumed 0: what an earlier firmware left there (an attach) is not a
 * beat. Lock held.
 */
void rproc_watchdog_disarm(struct mmamp_rproc *r)
{
	r->hb_last = __atomic_load_n(r->heartbeat, __ATOMIC_RELAXED);
	r->hb_when_ms = rproc_now_ms();
	r->hb_armed = false;
}

/*
 * The watchdog (from the monitor thread, a few times a second): a running core whose heartbeat
 * moved and then stopped moving — frozen, stuck with interrupts off, stopped by a debugger or
 * SIGSTOP — is stopped by the host and then handled like any other crash (reason
 * "watchdog: …"). A core whose heartbeat never moved is not watched (rproc_watchdog_disarm).
 * The same tick looks at the subdevice (the vdev link: rproc_virtio.c), so a reset is noticed
 * without a doorbell.
 */
void rproc_watchdog_check(struct mmamp_rproc *r)
{
	uint64_t now;
	uint32_t beat, limit_ms;

	pthread_mutex_lock(&r->lock);
	/*
	 * The time is taken with the lock held: a boot (or attach) that held the lock meanwhile
	 * has set hb_when_ms to its own, later, now — a time taken before the wait for the lock
	 * would lie before it, and now - hb_when_ms would wrap to a huge "no heartbeat" and kill
	 * the core just started (seen in stop/start cycles on a loaded machine).
	 */
	now = rproc_now_ms();
	limit_ms = r->watchdog_ms ? r->watchdog_ms : WATCHDOG_MS;
	/* a remote that reset the device and then went quiet rings no doorbell: look here too */
	r->subdev->check(r);
	if (rproc_is_up(r) && r->powered && r->heartbeat && !r->fault_pending) {
		beat = __atomic_load_n(r->heartbeat, __ATOMIC_RELAXED);
		if (beat != r->hb_last) {
			r->hb_last = beat;
			r->hb_when_ms = now;
			r->hb_armed = true;
		} else if (r->hb_armed && now > r->hb_when_ms && now - r->hb_when_ms >= limit_ms) {
			rproc_report_crash(r, "watchdog: no heartbeat for %llu ms",
					   (unsigned long long)(now - r->hb_when_ms));
		}
	}
	pthread_mutex_unlock(&r->lock);
}

int rproc_recover_locked(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	if (r->state != MMAMP_RPROC_CRASHED)
		return -EINVAL;
	rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	ret = rproc_boot(r, err, errlen);
	if (ret) {
		snprintf(r->crash_reason + strlen(r->crash_reason),
			 sizeof(r->crash_reason) - strlen(r->crash_reason),
			 "; recovery failed: %s", err);
		rproc_set_state(r, MMAMP_RPROC_CRASHED);
	}
	return ret;
}
