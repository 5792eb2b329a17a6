/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * monitor.c — one thread per remote core that watches its simulated core process (pidfd) and
 * its heartbeat, and turns an unexpected end or a stopped heartbeat into remoteproc's crash
 * handling (rproc_core_exited, rproc_watchdog_check), the way a watchdog or MMU-fault
 * interrupt reaches rproc_report_crash() on the real chip.
 */
#include "rproc_internal.h"

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EV_STOP 0u
#define WATCHDOG_TICK_MS 250 /* how often the heartbeat is looked at */
#define EV_CORE 1u

static void *monitor_thread(void *arg)
{
	struct mmamp_rproc *r = arg;
	struct epoll_event ev;
	uint64_t v;

	for (;;) {
		int n = epoll_wait(r->epfd, &ev, 1, WATCHDOG_TICK_MS);

		if (n == 0 || (n < 0 && errno == EINTR)) {
			rproc_watchdog_check(r);
			continue;
		}
		if (n < 0 || ev.data.u32 == EV_STOP) {
			if (read(r->evfd, &v, sizeof(v)) < 0)
				v = 0;
			return NULL;
		}
		rproc_core_exited(r);
	}
}

int rproc_monitor_start(struct mmamp_rproc *r)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EV_STOP };

	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->evfd = eventfd(0, EFD_CLOEXEC);
	if (r->epfd < 0 || r->evfd < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev))
		return -errno;
	return -pthread_create(&r->monitor, NULL, monitor_thread, r);
}

/* Watch the core that boot() just started (lock held). One shot: an exit is handled once. */
void rproc_monitor_watch(struct mmamp_rproc *r)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = EV_CORE };

	if (r->pidfd >= 0)
		epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->pidfd, &ev);
}

void rproc_monitor_stop(struct mmamp_rproc *r)
{
	uint64_t one = 1;

	if (write(r->evfd, &one, sizeof(one)) == sizeof(one))
		pthread_join(r->monitor, NULL);
	close(r->epfd);
	close(r->evfd);
}
