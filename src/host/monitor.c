/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * monitor.c — one thread per remote core that watches the process playing it (the backend's
 * death fd), its heartbeat and vdev link (on a tick), and crash reports (rproc_report_crash),
 * and turns each into remoteproc's crash handling (rproc_core_exited, rproc_watchdog_check) —
 * the kernel's crash work, which a watchdog or MMU-fault interrupt queues on the real chip.
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
#define EV_CRASH 2u

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
		if (ev.data.u32 == EV_CRASH && read(r->crashfd, &v, sizeof(v)) < 0)
			v = 0;
		rproc_core_exited(r, ev.data.u32 == EV_CRASH);
	}
}

/* The monitor's fds and thread; on failure nothing of them is left. 0 or -errno. */
int rproc_monitor_start(struct mmamp_rproc *r)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EV_STOP };
	struct epoll_event crash = { .events = EPOLLIN, .data.u32 = EV_CRASH };
	int ret;

	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return -errno;
	r->evfd = eventfd(0, EFD_CLOEXEC);
	if (r->evfd < 0) {
		ret = -errno;
		goto close_epoll;
	}
	r->crashfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->crashfd < 0) {
		ret = -errno;
		goto close_stop;
	}
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev) ||
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->crashfd, &crash)) {
		ret = -errno;
		goto close_crash;
	}
	ret = -pthread_create(&r->monitor, NULL, monitor_thread, r);
	if (ret)
		goto close_crash;
	return 0;

close_crash:
	close(r->crashfd);
close_stop:
	close(r->evfd);
close_epoll:
	close(r->epfd);
	return ret;
}

/* Watch the core that rproc_boot() just started (lock held). One shot: an exit is handled once. */
void rproc_monitor_watch(struct mmamp_rproc *r)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = EV_CORE };
	int fd = r->bk->death_fd(r);

	/* a backend whose death fd outlives a power cycle (qemu) re-arms it */
	if (fd >= 0 && epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) && errno == EEXIST)
		epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/* A crash was reported (lock held): wake the monitor, which handles it without the lock. */
void rproc_monitor_crash(struct mmamp_rproc *r)
{
	uint64_t one = 1;

	if (write(r->crashfd, &one, sizeof(one)) < 0)
		return; /* already signalled: the counter is non-zero */
}

void rproc_monitor_stop(struct mmamp_rproc *r)
{
	uint64_t one = 1;

	if (write(r->evfd, &one, sizeof(one)) == sizeof(one))
		pthread_join(r->monitor, NULL);
	close(r->epfd);
	close(r->evfd);
	close(r->crashfd);
}
