/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.c — what every file of the daemon uses: the log line, paths in the runtime directory,
 * deadlines on CLOCK_MONOTONIC, epoll interest, and finding a core.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "mmampd.h"

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
