/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmampd — the host side's "kernel" as a daemon: it owns the platform (remoteproc lifecycle and
 * the RPMsg master, through mmamp/host/rproc.h) and gives user space what Linux would:
 *   <runtime>/mmampd.sock   control socket (the CLI's and scripts' remoteproc sysfs)
 *   <runtime>/ttyRPMSG<n>   a raw PTY per TTY channel (symlink to /dev/pts/N)
 *   <runtime>/rpmsg<N>      a message endpoint per other channel (rpmsg_char semantics)
 *   <runtime>/mmampd.log    the daemon's log when it runs in the background
 *   <runtime>/sys/class/remoteproc/remoteproc<N>/  the kernel's sysfs face (FUSE, sysfs_fuse.c)
 *
 * This file: options, start-up (runtime directory, single-instance lock, daemonising with a
 * readiness pipe so that "mmampd" returns only once the control socket accepts), the hand-off
 * from the library's threads, and the event loop. See mmampd.h for the threading rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/host/platform.h"
#include "mmampd.h"
#include "sysfs_fuse.h"

#ifdef MMAMP_PLATFORM_DIR /* the build tree's platforms (mmamp_platform_files) */
#define MMAMPD_DEFAULT_PLATFORM MMAMP_PLATFORM_DIR "/" MMAMP_PLATFORM_DEFAULT ".dtb"
#else
#define MMAMPD_DEFAULT_PLATFORM "/usr/share/mmamp/platforms/" MMAMP_PLATFORM_DEFAULT ".dtb"
#endif
#ifndef MMAMPD_DEFAULT_FIRMWARE_DIR
#define MMAMPD_DEFAULT_FIRMWARE_DIR "/lib/firmware"
#endif
#ifndef MMAMPD_DEFAULT_QEMU_BOOTROM
#define MMAMPD_DEFAULT_QEMU_BOOTROM "/usr/libexec/mmamp/qemu_bootrom.elf"
#endif
#ifndef MMAMPD_DEFAULT_SIMCORE
#define MMAMPD_DEFAULT_SIMCORE "/usr/libexec/mmamp/mmamp-simcore"
#endif

/* ---- logging ---- */

void logmsg(const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld mmampd[%d]: ", tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, (int)getpid());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line: lines of different threads do not interleave */
	n = (int)strlen(line);
	if (n < (int)sizeof(line) - 1)
		line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		(void)0;
}

/* ---- small helpers ---- */

/* <runtime>/<leaf>; the runtime directory is < MMAMPD_RUNTIME_MAX, leaves are short. */
void runtime_file(const struct daemon *d, const char *leaf, char out[MMAMPD_FILE_MAX])
{
	size_t a = strnlen(d->runtime, MMAMPD_RUNTIME_MAX - 1);
	size_t b = strnlen(leaf, MMAMPD_FILE_MAX - MMAMPD_RUNTIME_MAX - 2);

	memcpy(out, d->runtime, a);
	out[a] = '/';
	memcpy(out + a + 1, leaf, b);
	out[a + 1 + b] = '\0';
}

void deadline_after(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

int64_t ms_until(const struct timespec *t)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(t->tv_sec - now.tv_sec) * 1000000000LL + (t->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (ns + 999999) / 1000000;
}

int epoll_set(struct daemon *d, int fd, struct watch *w, uint32_t *cur, uint32_t want)
{
	struct epoll_event ev = { .events = want, .data.ptr = w };
	int op;

	if (*cur == want)
		return 0;
	op = *cur == UINT32_MAX ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(d->epfd, op, fd, &ev)) {
		logmsg("epoll_ctl(%d): %s", fd, strerror(errno));
		return -errno;
	}
	*cur = want;
	return 0;
}

void epoll_forget(struct daemon *d, int fd, uint32_t *cur)
{
	if (*cur != UINT32_MAX && fd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	*cur = UINT32_MAX;
}

struct core *core_by_name(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->ncores; i++)
		if (!strcmp(d->cores[i].name, name))
			return &d->cores[i];
	return NULL;
}

struct core *core_of(struct daemon *d, struct mmamp_rproc *r)
{
	for (size_t i = 0; i < d->ncores; i++)
		if (d->cores[i].r == r)
			return &d->cores[i];
	return NULL;
}

/* ---- hand-off from the library's threads to the loop ---- */

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
static void handoff_drain(void)
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

/* ---- start-up ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mmampd [OPTIONS]\n"
		"The mmamp host daemon: remoteproc lifecycle, RPMsg master, TTYs and endpoints for\n"
		"every remote core of a platform, controlled through <runtime>/mmampd.sock (see mmamp).\n"
		"\n"
		"  -p, --platform FILE.dtb  platform description (default %s)\n"
		"  -r, --runtime DIR        runtime directory (default: $" MMAMP_RUNTIME_ENV ", else\n"
		"                           /run/mmamp as root, else $XDG_RUNTIME_DIR/mmamp)\n"
		"  -f, --firmware DIR[:DIR] where firmware names are looked up, first match wins\n"
		"                           (default %s)\n"
		"      --simcore PATH       the simulated core launcher (default %s)\n"
		"      --qemu-bootrom PATH  the boot ROM of QEMU cores (default %s)\n"
		"      --polling            poll doorbells instead of waiting for MU interrupts\n"
		"      --no-auto-boot       do not boot the cores the platform marks auto-boot\n"
		"      --no-sysfs           do not serve <runtime>/" SYSFS_DIR "/class/remoteproc (FUSE)\n"
		"  -F, --foreground         stay in the foreground, log to stderr\n"
		"      --ready-fd FD        with -F: write \"K\" to FD and close it once the control\n"
		"                           socket accepts (\"E<reason>\" if start-up fails)\n"
		"  -h, --help               this text\n"
		"\n"
		"Without -F, mmampd returns once the control socket accepts requests and logs to\n"
		"<runtime>/mmampd.log.\n",
		MMAMPD_DEFAULT_PLATFORM, MMAMPD_DEFAULT_FIRMWARE_DIR, MMAMPD_DEFAULT_SIMCORE,
		MMAMPD_DEFAULT_QEMU_BOOTROM);
}

static int make_dirs(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Make @path absolute (the daemon changes to / ). */
static int absolute(char *path, size_t len, const char *what, char *err, size_t errlen)
{
	char buf[PATH_MAX];

	if (!realpath(path, buf)) {
		snprintf(err, errlen, "%s %.400s: %s", what, path, strerror(errno));
		return -errno;
	}
	if (snprintf(path, len, "%s", buf) >= (int)len) {
		snprintf(err, errlen, "%s %.200s...: path longer than %zu bytes", what, buf,
			 len - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * That @path (already absolute) is what the option needs — 'f' a regular file, 'x' an
 * executable regular file, 'd' a directory — so that a FIFO, a device or a directory given by
 * mistake is refused at once with one line, not opened (a FIFO would block start-up forever).
 */
static int check_kind(const char *path, char kind, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s %.400s: %s", what, path, strerror(errno));
		return -errno;
	}
	if (kind == 'd' ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %.400s: not a %s", what, path,
			 kind == 'd' ? "directory" : "regular file");
		return kind == 'd' ? -ENOTDIR : -EINVAL;
	}
	if (kind == 'x' && access(path, X_OK)) {
		snprintf(err, errlen, "%s %.400s: not executable", what, path);
		return -EACCES;
	}
	return 0;
}

/* absolute() for each directory of a ':'-separated list. */
static int absolute_list(char *list, size_t len, const char *what, char *err, size_t errlen)
{
	char out[PATH_MAX * 2] = "", one[PATH_MAX], *save = NULL, *tok, copy[PATH_MAX * 2];
	int ret;

	if (strlen(list) >= sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy, list, strlen(list) + 1);
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		snprintf(one, sizeof(one), "%s", tok);
		ret = absolute(one, sizeof(one), what, err, errlen);
		if (!ret)
			ret = check_kind(one, 'd', what, err, errlen);
		if (ret)
			return ret;
		if (snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? ":" : "",
			     one) >= (int)(sizeof(out) - strlen(out)))
			return -ENAMETOOLONG;
	}
	if (!out[0]) {
		snprintf(err, errlen, "%s: empty", what);
		return -EINVAL;
	}
	if (snprintf(list, len, "%s", out) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

#define LOCK_DEAD_WAIT_MS 2000 /* a dead holder's children shed the lock within this */

/*
 * The instance lock is busy; @pid gets the holder's pid from the file. A holder that is gone
 * may still hold it for a moment through a child it forked that has not yet shed its fds (a
 * core process on its way to exec): wait for that, bounded, instead of refusing to start.
 * True once the lock is ours.
 */
static bool lock_of_the_dead(int fd, char *pid, size_t len)
{
	const struct timespec ms = { 0, 1000000 };
	int busy = errno == EWOULDBLOCK, e = errno;
	ssize_t n = pread(fd, pid, len - 1, 0);
	long holder;

	pid[n > 0 ? n : 0] = '\0';
	pid[strcspn(pid, "\n")] = '\0';
	holder = strtol(pid, NULL, 10);
	errno = e;
	if (!busy || holder <= 0 || kill((pid_t)holder, 0) == 0 || errno != ESRCH) {
		errno = e;
		return false;
	}
	for (int i = 0; i < LOCK_DEAD_WAIT_MS; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return true;
		nanosleep(&ms, NULL);
	}
	errno = EWOULDBLOCK;
	return false;
}

static int take_lock(struct daemon *d, char *err, size_t errlen)
{
	char path[MMAMPD_FILE_MAX], pid[32];
	ssize_t n;
	int fd;

	runtime_file(d, "mmampd.pid", path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) && !lock_of_the_dead(fd, pid, sizeof(pid))) {
		int e = errno;

		snprintf(err, errlen, "another mmampd (pid %s) is serving %s", pid[0] ? pid : "?",
			 d->runtime);
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (pwrite(fd, pid, (size_t)n, 0) != n)
			(void)0;
	}
	d->lock_fd = fd;
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
	d->wake_fd = handoff.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
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
	static const struct mmamp_host_events events = { .state = on_state,
							  .channel = on_channel };
	struct mmamp_host_config cfg = {
		.platform = d->platform,
		.runtime_dir = d->runtime,
		.firmware_path = d->firmware_dir,
		.simcore = d->simcore,
		.qemu_bootrom = d->qemu_bootrom[0] ? d->qemu_bootrom : NULL,
		.polling = d->polling,
		.cores_outlive_host = true, /* a restarted mmampd attaches to them */
		.events = &events,
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
 * boot-order; a failed boot is logged and the others still boot. (The library starts a core synchronously up to its first kick; channels
 * come up in the background, so cores of one order do come up in parallel.) */
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

static void loop(struct daemon *d)
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

static void shutdown_all(struct daemon *d)
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "simcore", required_argument, NULL, 'S' },
		{ "qemu-bootrom", required_argument, NULL, 'Q' },
		{ "polling", no_argument, NULL, 'P' },
		{ "no-auto-boot", no_argument, NULL, 'N' },
		{ "no-sysfs", no_argument, NULL, 'Y' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon dd;
	struct daemon *d = &dd;
	char err[1024] = "", logpath[MMAMPD_FILE_MAX];
	const char *runtime = NULL;
	int ready[2] = { -1, -1 };
	int ready_fd = -1;
	int opt, ret;

	d->ctl_fd = d->lock_fd = d->sig_rd = d->sig_wr = d->epfd = d->wake_fd = -1;
	d->auto_boot = true;
	d->sysfs_on = true;
	snprintf(d->platform, sizeof(d->platform), "%s", MMAMPD_DEFAULT_PLATFORM);
	snprintf(d->firmware_dir, sizeof(d->firmware_dir), "%s", MMAMPD_DEFAULT_FIRMWARE_DIR);
	snprintf(d->simcore, sizeof(d->simcore), "%s", MMAMPD_DEFAULT_SIMCORE);
	if (access(MMAMPD_DEFAULT_QEMU_BOOTROM, R_OK) == 0)
		snprintf(d->qemu_bootrom, sizeof(d->qemu_bootrom), "%s",
			 MMAMPD_DEFAULT_QEMU_BOOTROM);
	while ((opt = getopt_long(argc, argv, "p:r:f:Fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			snprintf(d->platform, sizeof(d->platform), "%s", optarg);
			break;
		case 'r':
			runtime = optarg;
			break;
		case 'f':
			snprintf(d->firmware_dir, sizeof(d->firmware_dir), "%s", optarg);
			break;
		case 'S':
			snprintf(d->simcore, sizeof(d->simcore), "%s", optarg);
			break;
		case 'Q':
			snprintf(d->qemu_bootrom, sizeof(d->qemu_bootrom), "%s", optarg);
			break;
		case 'P':
			d->polling = true;
			break;
		case 'N':
			d->auto_boot = false;
			break;
		case 'Y':
			d->sysfs_on = false;
			break;
		case 'F':
			d->foreground = true;
			break;
		case 'R': {
			char *end;
			long fd = strtol(optarg, &end, 10);

			if (!optarg[0] || *end || fd < 3 || fd > 1023 || fcntl((int)fd, F_GETFD) < 0) {
				fprintf(stderr, "mmampd: --ready-fd: \"%s\" is not an open file "
					"descriptor above 2\n", optarg);
				return 2;
			}
			ready_fd = (int)fd;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'mmampd --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mmampd: unexpected argument '%s'\nTry 'mmampd --help'.\n",
			argv[optind]);
		return 2;
	}
	if (runtime) {
		if (!runtime[0]) {
			fprintf(stderr, "mmampd: empty runtime directory\n");
			return 2;
		}
		if (strlen(runtime) >= sizeof(d->runtime)) {
			fprintf(stderr, "mmampd: runtime directory %s: longer than %zu bytes (its "
				"sockets' paths must fit a UNIX socket address)\n", runtime,
				sizeof(d->runtime) - 1);
			return 1;
		}
		snprintf(d->runtime, sizeof(d->runtime), "%s", runtime);
	} else if (mmamp_default_runtime_dir(d->runtime, sizeof(d->runtime))) {
		fprintf(stderr, "mmampd: %s\n", d->runtime);
		return 1;
	}
	ret = make_dirs(d->runtime);
	if (ret) {
		fprintf(stderr, "mmampd: runtime directory %s: %s\n", d->runtime, strerror(-ret));
		return 1;
	}
	if (absolute(d->runtime, sizeof(d->runtime), "runtime directory", err, sizeof(err)) ||
	    check_kind(d->runtime, 'd', "runtime directory", err, sizeof(err)) ||
	    absolute(d->platform, sizeof(d->platform), "platform", err, sizeof(err)) ||
	    check_kind(d->platform, 'f', "platform", err, sizeof(err)) ||
	    absolute_list(d->firmware_dir, sizeof(d->firmware_dir), "firmware directory", err,
			  sizeof(err)) ||
	    absolute(d->simcore, sizeof(d->simcore), "simcore", err, sizeof(err)) ||
	    check_kind(d->simcore, 'x', "simcore", err, sizeof(err)) ||
	    (d->qemu_bootrom[0] &&
	     (absolute(d->qemu_bootrom, sizeof(d->qemu_bootrom), "QEMU boot ROM", err,
		       sizeof(err)) ||
	      check_kind(d->qemu_bootrom, 'f', "QEMU boot ROM", err, sizeof(err))))) {
		fprintf(stderr, "mmampd: %s\n", err);
		return 1;
	}

	if (d->foreground && ready_fd >= 0) {
		fcntl(ready_fd, F_SETFD, FD_CLOEXEC); /* the simulated cores must not inherit it */
		ready[1] = ready_fd;
	}
	if (!d->foreground) {
		pid_t pid;
		int fd;

		if (pipe2(ready, O_CLOEXEC)) {
			perror("mmampd: pipe");
			return 1;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("mmampd: fork");
			return 1;
		}
		if (pid > 0) {
			char msg[1100];
			ssize_t n;

			close(ready[1]);
			n = read(ready[0], msg, sizeof(msg) - 1);
			if (n <= 0) {
				fprintf(stderr, "mmampd: the daemon died during start-up (see %s/mmampd.log)\n",
					d->runtime);
				return 1;
			}
			msg[n] = '\0';
			if (msg[0] == 'K')
				return 0;
			fprintf(stderr, "mmampd: %s\n", msg + 1);
			return 1;
		}
		close(ready[0]);
		setsid();
		runtime_file(d, "mmampd.log", logpath);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (chdir("/"))
			(void)0;
	}

	clock_gettime(CLOCK_MONOTONIC, &d->t0);
	ret = take_lock(d, err, sizeof(err));
	if (!ret) {
		dev_clean_runtime(d);
		ret = loop_init(d, err, sizeof(err));
	}
	if (!ret)
		ret = host_init(d, err, sizeof(err));
	if (!ret)
		ret = ctl_listen(d, err, sizeof(err));
	if (!ret) {
		uint32_t cur = UINT32_MAX;

		ret = epoll_set(d, d->ctl_fd, &d->w_ctl, &cur, EPOLLIN);
	}
	if (ret) {
		logmsg("start-up failed: %s", err);
		if (ready[1] >= 0) {
			char msg[1100];
			int n = snprintf(msg, sizeof(msg), "E%s", err);

			if (write(ready[1], msg, (size_t)n) < 0)
				(void)0;
		}
		/* said once: the log line above is on stderr in the foreground, and in the
		 * background the parent prints what the ready pipe says */
		shutdown_all(d);
		return 1;
	}
	sysfs_init(d);
	logmsg("serving %s: platform %s, %zu core%s, firmware from %s%s", d->ctl_path,
	       d->platform, d->ncores, d->ncores == 1 ? "" : "s", d->firmware_dir,
	       d->polling ? ", polling" : "");
	if (d->auto_boot)
		auto_boot(d);
	if (ready[1] >= 0) {
		if (write(ready[1], "K", 1) < 0)
			(void)0;
		close(ready[1]);
	}
	loop(d);
	shutdown_all(d);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	close(d->epfd);
	close(d->wake_fd);
	close(d->sig_rd);
	close(d->sig_wr);
	return 0;
}
