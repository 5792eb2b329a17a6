/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_irq.c — the host thread of a remote core, its interrupt handler: it sleeps on the
 * backend's doorbell (or, polled, looks at the rings), takes each doorbell and hands the work
 * to the subdevice (rproc_subdev: the RPMsg vdev); a fault the core reports through its
 * doorbell path becomes a crash. Also the same work for a caller that polls
 * (mmamp_rproc_poll) and the doorbell timestamps (mmamp_rproc_times).
 */
#include "rproc_internal.h"

#include <errno.h>
#include <sched.h>

#define IRQ_POLL_NS 50000000ull /* the host thread re-checks its stop flag at least this often */

static void note_doorbell(struct mmamp_rproc *r)
{
	__atomic_store_n(&r->t_doorbell_ns, rproc_now_ns(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->n_doorbells, 1, __ATOMIC_RELAXED);
}

/*
 * Take one doorbell if there is one (0) and deliver what arrived. A fault the core reported
 * through its doorbell path (qemu: HardFault) is a crash (-EFAULT). Lock held.
 */
int rproc_take_and_deliver(struct mmamp_rproc *r)
{
	char why[256];
	int ret = r->bk->take_doorbell(r, why, sizeof(why));

	if (ret == -EFAULT) {
		rproc_report_crash(r, "%s", why);
		return ret;
	}
	if (ret == 0)
		note_doorbell(r);
	r->subdev->deliver(r);
	if (r->tx_waiters) /* senders out of TX buffers (mmamp_channel_send) */
		pthread_cond_broadcast(&r->tx_space);
	return ret;
}

static void *irq_thread(void *arg)
{
	struct mmamp_rproc *r = arg;
	bool took = false;

	while (!__atomic_load_n(&r->irq_stop, __ATOMIC_ACQUIRE)) {
		/*
		 * After a doorbell, take the next one without asking pending() first: a backend
		 * may have read several at once (qemu: a burst of UART bytes), and pending() sees
		 * only what is still unread — a fault byte behind them would wait for a doorbell
		 * that a faulted core never rings. The lock is dropped between two.
		 */
		if (took || r->bk->pending(r)) {
			pthread_mutex_lock(&r->lock);
			took = rproc_take_and_deliver(r) == 0;
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		if (!r->h->polling) {
			r->bk->wait(r, IRQ_POLL_NS);
			continue;
		}
		/* polled: the core does not ring per message (we asked it not to): look */
		pthread_mutex_lock(&r->lock);
		if (rproc_is_up(r) && r->subdev->pending(r))
			rproc_take_and_deliver(r);
		pthread_mutex_unlock(&r->lock);
		sched_yield();
	}
	return NULL;
}

/*
 * The host's doorbell interrupt (polled modes leave it off) and, unless the caller polls, the
 * thread that takes it. Lock held. Returns 0 or a negative errno (no thread).
 */
int rproc_irq_start(struct mmamp_rproc *r)
{
	int ret;

	__atomic_store_n(&r->irq_stop, false, __ATOMIC_RELEASE);
	r->bk->irq_enable(r, !r->h->polling);
	if (r->h->caller_polls)
		return 0;
	ret = pthread_create(&r->irq, NULL, irq_thread, r);
	if (ret)
		return -ret;
	r->irq_running = true;
	return 0;
}

/* Lock and op_lock held; the lock is dropped while joining (op_lock keeps the window safe). */
void rproc_irq_stop(struct mmamp_rproc *r)
{
	pthread_t t = r->irq;

	if (!r->irq_running)
		return;
	r->irq_running = false;
	__atomic_store_n(&r->irq_stop, true, __ATOMIC_RELEASE);
	r->bk->wake(r);
	pthread_mutex_unlock(&r->lock);
	pthread_join(t, NULL);
	pthread_mutex_lock(&r->lock);
}

int mmamp_rproc_poll(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (!rproc_is_up(r))
		ret = -EINVAL;
	else
		rproc_take_and_deliver(r);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int mmamp_rproc_wait_doorbell(struct mmamp_rproc *r, unsigned int timeout_us)
{
	if (r->bk->pending(r))
		return 0;
	if (r->h->polling)
		return -EINVAL; /* no interrupt to sleep on: poll */
	return r->bk->wait(r, (uint64_t)timeout_us * 1000u);
}

void mmamp_rproc_times(struct mmamp_rproc *r, struct mmamp_rproc_times *t)
{
	t->kick_ns = __atomic_load_n(&r->t_kick_ns, __ATOMIC_RELAXED);
	t->doorbell_ns = __atomic_load_n(&r->t_doorbell_ns, __ATOMIC_RELAXED);
	t->kicks = __atomic_load_n(&r->n_kicks, __ATOMIC_RELAXED);
	t->doorbells = __atomic_load_n(&r->n_doorbells, __ATOMIC_RELAXED);
}
