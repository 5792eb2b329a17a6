/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc.c — remoteproc's core: the lifecycle state machine of one remote core (boot, start,
 * stop, detach, shutdown; creation and destruction with the host). The pieces it drives live
 * beside it (rproc_internal.h): the loader, the host thread, the RPMsg vdev hung off the
 * lifecycle as a subdevice, crash handling, attach; what plays the core — a process, a QEMU —
 * is a backend (backend.h).
 */
#include "rproc_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mmamp/rsc_table.h"

int rproc_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Called with r->lock held. */
void rproc_set_state(struct mmamp_rproc *r, enum mmamp_rproc_state s)
{
	if (r->state == s)
		return;
	r->state = s;
	pthread_cond_broadcast(&r->changed);
	if (r->h->events.state)
		r->h->events.state(r->h->ctx, r, s);
}

void rproc_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

uint64_t rproc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t rproc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- start / stop ---- */

/* Power the core off and forget its runtime state. Lock held. */
void rproc_shutdown_core(struct mmamp_rproc *r, bool crashed)
{
	r->subdev->stop(r);
	rproc_irq_stop(r);
	if (!crashed && r->powered) {
		r->bk->power_off(r, true);
		r->powered = false;
	}
	rproc_record_stopped(r);
	mmamp_scu_cpu_stop(&r->h->scu, r->h->apu, r->core, NULL);
}

/*
 * Boot the offline core (docs/protocol.md §1.2): load the firmware, write the live table, zero
 * the rings, start the core through the SCU and the backend, then its host side. Lock held.
 */
int rproc_boot(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_scu_denial why;
	struct host_region *rt = host_region_of(r->h, r->core->rsc_table);
	int ret;

	r->fault_pending = false;
	ret = rproc_load_firmware(r, err, errlen);
	if (ret)
		return ret;
	/* the live table: the cached copy goes to the rsc-table region (docs/imx8x-board.md) */
	memset(rt->host, 0, rt->r->size);
	memcpy(rt->host, r->cached_table, r->table_size);
	r->live_table = mmamp_shm_translate(&r->shm, r->core->rsc_table->da, r->table_size);
	r->heartbeat = (uint32_t *)(void *)((uint8_t *)rt->host + MMAMP_HEARTBEAT_OFFSET);
	rproc_watchdog_disarm(r);
	for (unsigned j = 0; j < 2; j++)
		memset(host_region_of(r->h, r->vring_region[j])->host, 0, r->vring_region[j]->size);

	ret = mmamp_scu_cpu_start(&r->h->scu, r->h->apu, r->core, r->boot_addr, &why);
	if (ret)
		return rproc_fail(err, errlen, ret, "%s", why.msg);
	ret = r->bk->power_on(r, err, errlen);
	if (ret) {
		mmamp_scu_cpu_stop(&r->h->scu, r->h->apu, r->core, NULL);
		return ret;
	}
	r->powered = true;
	rproc_test_exit_at(r, "booting", r->bk->pid(r));
	rproc_monitor_watch(r);
	ret = rproc_bring_up(r, err, errlen);
	if (ret)
		return ret;
	rproc_record_save(r);
	/* the watchdog's time starts now that the core is up: starting a process (or a QEMU)
	 * on a loaded machine must not count against a heartbeat seen moving meanwhile */
	r->hb_when_ms = rproc_now_ms();
	rproc_set_state(r, MMAMP_RPROC_RUNNING);
	return 0;
}

/*
 * The powered core's host side: its doorbell interrupt and host thread (rproc_irq.c), then the
 * subdevice (the RPMsg vdev, rproc_virtio.c). On failure the core is shut down. Lock held.
 */
int rproc_bring_up(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	ret = rproc_irq_start(r);
	if (ret) {
		rproc_shutdown_core(r, false);
		return rproc_fail(err, errlen, ret, "core %s: no host thread", r->core->name);
	}
	ret = r->subdev->start(r, err, errlen);
	if (ret)
		rproc_shutdown_core(r, false);
	return ret;
}

int mmamp_rproc_start(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_DETACHED)
		ret = rproc_attach_locked(r, err, errlen); /* "echo start" attaches, like Linux */
	else if (r->state != MMAMP_RPROC_OFFLINE)
		ret = rproc_fail(err, errlen, -EBUSY, "core %s is %s, not offline", r->core->name,
			   mmamp_rproc_state_str(r->state));
	else if (!r->firmware[0])
		ret = rproc_fail(err, errlen, -ENOENT, "core %s: no firmware set", r->core->name);
	else
		ret = rproc_boot(r, err, errlen);
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

int mmamp_rproc_stop(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_RUNNING || r->state == MMAMP_RPROC_ATTACHED) {
		rproc_shutdown_core(r, false);
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	} else if (r->state == MMAMP_RPROC_CRASHED) {
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

/*
 * Detach (docs/protocol.md §1.3): the vdev is reset and the channels go, the core keeps running.
 * Only from ATTACHED, as in Linux. A later start attaches again.
 */
int mmamp_rproc_detach(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_ATTACHED) {
		r->subdev->stop(r);
		rproc_irq_stop(r);
		rproc_set_state(r, MMAMP_RPROC_DETACHED);
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

/* ---- creation ---- */

/* The locks and condition variables (CLOCK_MONOTONIC: rproc_deadline). 0 or -errno. */
static int locks_init(struct mmamp_rproc *r)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int ret;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	ret = pthread_mutex_init(&r->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (ret)
		return -ret;
	ret = pthread_mutex_init(&r->op_lock, NULL);
	if (ret)
		goto destroy_lock;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&r->changed, &ca);
	if (ret)
		goto destroy_op_lock;
	ret = pthread_cond_init(&r->tx_space, &ca);
	if (ret)
		goto destroy_changed;
	pthread_condattr_destroy(&ca);
	return 0;

destroy_changed:
	pthread_cond_destroy(&r->changed);
destroy_op_lock:
	pthread_condattr_destroy(&ca);
	pthread_mutex_destroy(&r->op_lock);
destroy_lock:
	pthread_mutex_destroy(&r->lock);
	return -ret;
}

static void locks_destroy(struct mmamp_rproc *r)
{
	pthread_cond_destroy(&r->changed);
	pthread_cond_destroy(&r->tx_space);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->op_lock);
}

int rproc_create(struct mmamp_host *h, const struct mmamp_core *c, struct mmamp_rproc **out,
		 char *err, size_t errlen)
{
	struct mmamp_rproc *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return rproc_fail(err, errlen, -ENOMEM, "core %s: no memory", c->name);
	r->h = h;
	r->core = c;
	r->subdev = &rproc_rpmsg_vdev;
	r->bk = rproc_backend_find(c->backend);
	if (!r->bk) {
		ret = rproc_fail(err, errlen, -EINVAL, "core %s: backend \"%s\" is not built in",
				 c->name, c->backend);
		goto free_rproc;
	}
	r->recovery = true; /* Linux's default */
	if (c->firmware)
		snprintf(r->firmware, sizeof(r->firmware), "%s", c->firmware);
	for (size_t k = 0; k < c->nrpmsg; k++)
		if (!strcmp(c->rpmsg_names[k], "vdevbuffer") ||
		    !strcmp(c->rpmsg_names[k], "vdev0buffer"))
			r->buffer_region = c->rpmsg_regions[k];
	if (!r->buffer_region || !c->rsc_table) {
		ret = rproc_fail(err, errlen, -EINVAL,
				 "core %s: the platform names no vdevbuffer or rsc-table region",
				 c->name);
		goto free_rproc;
	}
	/* a backend's create undoes itself when it fails */
	ret = r->bk->create ? r->bk->create(r, err, errlen) : 0;
	if (ret)
		goto free_rproc;
	ret = host_rpmsg_window_map(h, c, &r->shm, err, errlen);
	if (ret)
		goto destroy_backend;
	ret = locks_init(r);
	if (ret) {
		rproc_fail(err, errlen, ret, "core %s: no locks: %s", c->name, strerror(-ret));
		goto unmap_window;
	}
	ret = rproc_monitor_start(r);
	if (ret) {
		rproc_fail(err, errlen, ret, "core %s: no monitor thread: %s", c->name,
			   strerror(-ret));
		goto destroy_locks;
	}
	pthread_mutex_lock(&r->lock);
	rproc_reclaim(r); /* what an earlier host left: a running core is DETACHED */
	pthread_mutex_unlock(&r->lock);
	*out = r;
	return 0;

destroy_locks:
	locks_destroy(r);
unmap_window:
	host_rpmsg_window_unmap(&r->shm);
destroy_backend:
	if (r->bk->destroy)
		r->bk->destroy(r);
free_rproc:
	free(r);
	return ret;
}

void rproc_destroy(struct mmamp_rproc *r)
{
	bool goes_on = false;

	if (!r)
		return;
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (rproc_is_up(r)) {
		rproc_shutdown_core(r, false);
	} else if (r->state == MMAMP_RPROC_DETACHED && r->powered) {
		rproc_forget(r); /* it ran without us before: it goes on without us */
		goes_on = true;
	}
	r->state = MMAMP_RPROC_DELETED;
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	rproc_monitor_stop(r);
	r->subdev->release(r);
	if (r->bk->destroy)
		r->bk->destroy(r);
	if (!goes_on)
		rproc_record_clear(r); /* the backend ended what it kept (an idle QEMU) */
	host_rpmsg_window_unmap(&r->shm);
	locks_destroy(r);
	free(r->image);
	free(r->cached_table);
	free(r);
}
