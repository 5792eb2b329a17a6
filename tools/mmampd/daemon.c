/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.c — the daemon's life once it runs: its pieces started in order (instance lock, event
 * loop and signals, the host library, the control socket), the sysfs face and the auto-boot
 * cores, the event loop itself, and the shutdown that takes it all down again.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/host/platform.h"
#include "mmampd.h"
#include "sysfs_fuse.h"

/* ---- signals: a self-pipe (no signal mask games: the simulated cores inherit it) ---- */

static int sig_pipe_wr = -1;

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (write(sig_pipe_wr, &b, 1) < 0)
		(void)0;
	errno = saved;
}

static int signals_init(struct daemon *d)
{
	struct sigaction sa;
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	d->sig_rd = p[0];
	d->sig_wr = sig_pipe_wr = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}


static int ctl_listen(struct daemon *d, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	runtime_file(d, MMAMP_CTL_SOCKET, d->ctl_path);
	if (mmamp_sockaddr(&sa, d->ctl_path)) {
		snprintf(err, errlen, "%s: path longer than a UNIX socket address allows (%zu)",
			 d->ctl_path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	unlink(d->ctl_path); /* stale: we hold the instance lock */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		snprintf(err, errlen, "%s: %s", d->ctl_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	d->ctl_fd = fd;
	return 0;
}

static int loop_init(struct daemon *d, char *err, size_t errlen)
{
	uint32_t cur = UINT32_MAX;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	handoff_init(d->wake_fd);
	if (d->epfd < 0 || d->wake_fd < 0 || signals_init(d)) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		return -errno;
	}
	d->w_wake = (struct watch){ W_WAKE, d };
	d->w_sig = (struct watch){ W_SIGNAL, d };
	d->w_ctl = (struct watch){ W_CTL_LISTEN, d };
	if (epoll_set(d, d->wake_fd, &d->w_wake, &cur, EPOLLIN))
		return -errno;
	cur = UINT32_MAX;
	if (epoll_set(d, d->sig_rd, &d->w_sig, &cur, EPOLLIN))
		return -errno;
	return 0;
}

static int host_init(struct daemon *d, char *err, size_t errlen)
{
	struct mmamp_host_config cfg = {
		.platform = d->platform,
		.runtime_dir = d->runtime,
		.firmware_path = d->firmware_dir,
		.simcore = d->simcore,
		.qemu_bootrom = d->qemu_bootrom[0] ? d->qemu_bootrom : NULL,
		.polling = d->polling,
		.cores_outlive_host = true, /* a restarted mmampd attaches to them */
		.events = &handoff_events,
		.ctx = d,
	};
	char found[512];
	int ret = mmamp_host_open(&d->host, &cfg, err, errlen);

	if (ret)
		return ret;
	d->ncores = mmamp_host_rproc_count(d->host);
	d->cores = calloc(d->ncores ? d->ncores : 1, sizeof(*d->cores));
	if (!d->cores) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->ncores; i++) {
		d->cores[i].r = mmamp_host_rproc(d->host, i);
		d->cores[i].name = mmamp_rproc_name(d->cores[i].r);
		d->cores[i].last = mmamp_rproc_state(d->cores[i].r);
		d->cores[i].crashes = mmamp_rproc_crash_count(d->cores[i].r);
		if (mmamp_rproc_found(d->cores[i].r, found, sizeof(found)))
			logmsg("%s: found %s", d->cores[i].name, found);
	}
	return 0;
}

/* The platform's auto-boot cores (and cores found running: attached), by increasing
 * boot-order; a failed boot is logged and the others still boot. (The library starts a core
 * synchronously up to its first kick; channels come up in the background, so cores of one
 * order do come up in parallel.) */
static void auto_boot(struct daemon *d)
{
	struct mmamp_platform p;
	char err[512];
	uint32_t order = 0;
	bool more = true;

	if (mmamp_platform_load(&p, d->platform, err, sizeof(err)))
		return;
	while (more) {
		uint32_t next = UINT32_MAX;

		more = false;
		for (size_t i = 0; i < p.ncores; i++) {
			const struct mmamp_core *pc = &p.cores[i];
			struct core *c = core_by_name(d, pc->name);
			int ret;

			if (!c)
				continue;
			/* a core still running from an earlier mmampd is attached to, not rebooted */
			if (!pc->auto_boot && mmamp_rproc_state(c->r) != MMAMP_RPROC_DETACHED)
				continue;
			if (pc->boot_order > order) {
				if (pc->boot_order < next)
					next = pc->boot_order;
				more = true;
				continue;
			}
			if (pc->boot_order < order)
				continue;
			ret = mmamp_rproc_start(c->r, err, sizeof(err));
			if (ret)
				logmsg("%s: auto-boot failed: %s (%s)", c->name, err,
				       mmamp_errno_name(ret));
			else
				logmsg("%s: auto-boot (order %u): %s", c->name, order,
				       mmamp_rproc_state_str(mmamp_rproc_state(c->r)));
		}
		order = next;
	}
	mmamp_platform_free(&p);
}

void daemon_loop(struct daemon *d)
{
	struct epoll_event evs[64];

	while (!d->stopping) {
		int t1 = ctl_next_timeout(d), t2 = dev_next_timeout(d);
		int timeout = t1 < 0 ? t2 : (t2 < 0 ? t1 : (t1 < t2 ? t1 : t2));
		int n = epoll_wait(d->epfd, evs, 64, timeout);

		if (n < 0 && errno != EINTR) {
			logmsg("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !d->stopping; i++) {
			struct watch *w = evs[i].data.ptr;
			unsigned gen = d->dev_gen;
			unsigned char sig;

			switch (w->kind) {
			case W_CTL_LISTEN:
				ctl_accept(d);
				break;
			case W_CTL_CONN:
				ctl_event(d, w->obj, evs[i].events);
				break;
			case W_WAKE:
				break; /* processed after the batch: it may free devices */
			case W_SIGNAL:
				if (read(d->sig_rd, &sig, 1) == 1) {
					logmsg("%s: shutting down", strsignal(sig));
					d->stopping = true;
				}
				break;
			case W_TTY:
			case W_EPT_LISTEN:
			case W_EPT_CLIENT:
				dev_event(d, w, evs[i].events);
				break;
			case W_SYSFS:
				sysfs_process(d->sysfs);
				break;
			}
			/* a request freed devices (a stop): the rest of the batch may point at
			 * them; epoll reports what is still pending again */
			if (gen != d->dev_gen)
				break;
		}
		handoff_process(d);
		dev_retry_stalled(d);
		ctl_expire(d);
	}
}

/* The sysfs face; when FUSE is not usable it says so in one line and the daemon carries on. */
static void sysfs_init(struct daemon *d)
{
	uint32_t cur = UINT32_MAX;

	if (!d->sysfs_on)
		return;
	d->sysfs = sysfs_start(d);
	d->w_sysfs = (struct watch){ W_SYSFS, d };
	if (d->sysfs && epoll_set(d, sysfs_wake_fd(d->sysfs), &d->w_sysfs, &cur, EPOLLIN)) {
		sysfs_stop(d->sysfs);
		d->sysfs = NULL;
	}
}

void daemon_shutdown(struct daemon *d)
{
	char path[MMAMPD_FILE_MAX];

	if (d->ctl_fd >= 0) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->ctl_fd, NULL);
		close(d->ctl_fd);
		d->ctl_fd = -1;
		unlink(d->ctl_path);
	}
	if (d->sysfs) { /* unmounted before the cores go: no stale mount, whatever follows */
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, sysfs_wake_fd(d->sysfs), NULL);
		sysfs_stop(d->sysfs);
		d->sysfs = NULL;
	}
	ctl_cancel_all(d, ESHUTDOWN, "mmampd is shutting down");
	if (d->host) {
		/* stop the cores one by one first, so the log tells what went down */
		for (size_t i = 0; i < d->ncores; i++) {
			enum mmamp_rproc_state s = mmamp_rproc_state(d->cores[i].r);

			if (s == MMAMP_RPROC_RUNNING || s == MMAMP_RPROC_ATTACHED ||
			    s == MMAMP_RPROC_CRASHED)
				mmamp_rproc_stop(d->cores[i].r);
		}
		handoff_process(d);
		dev_destroy_all(d, true);
		mmamp_host_close(d->host); /* stops every core */
		d->host = NULL;
	}
	handoff_drain();
	dev_destroy_all(d, false);
	/* the connections that asked for the shutdown get their "ok" now, the rest just close */
	while (d->conns) {
		struct conn *c = d->conns;

		if (c->shutdown_reply && send(c->fd, "ok", 2, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0;
		ctl_close(d, c);
	}
	free(d->cores);
	d->cores = NULL;
	if (d->lock_fd >= 0) { /* only the instance that owns the directory cleans it */
		runtime_file(d, "mmampd.pid", path);
		unlink(path);
		logmsg("stopped");
	}
}

int daemon_start(struct daemon *d, char *err, size_t errlen)
{
	uint32_t cur = UINT32_MAX;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &d->t0);
	ret = take_lock(d, err, errlen);
	if (ret)
		return ret;
	dev_clean_runtime(d);
	ret = loop_init(d, err, errlen);
	if (!ret)
		ret = host_init(d, err, errlen);
	if (!ret)
		ret = ctl_listen(d, err, errlen);
	if (!ret)
		ret = epoll_set(d, d->ctl_fd, &d->w_ctl, &cur, EPOLLIN);
	return ret;
}

void daemon_serve(struct daemon *d)
{
	sysfs_init(d);
	logmsg("serving %s: platform %s, %zu core%s, firmware from %s%s", d->ctl_path,
	       d->platform, d->ncores, d->ncores == 1 ? "" : "s", d->firmware_dir,
	       d->polling ? ", polling" : "");
	if (d->auto_boot)
		auto_boot(d);
}

void daemon_close(struct daemon *d)
{
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	close(d->epfd);
	close(d->wake_fd);
	close(d->sig_rd);
	close(d->sig_wr);
}
