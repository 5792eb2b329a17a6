/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * setup.c — becoming the daemon: the single-instance lock on the runtime directory, and going
 * to the background with a readiness pipe, so that "mmampd" returns only once the control
 * socket accepts (or says why start-up failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "mmampd.h"

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

int take_lock(struct daemon *d, char *err, size_t errlen)
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

/* The parent of a daemon going to the background: wait for its word on the readiness pipe. */
static int wait_for_child(const struct daemon *d, int rd)
{
	char msg[1100];
	ssize_t n;

	n = read(rd, msg, sizeof(msg) - 1);
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

/* The child: a session of its own, stdin from /dev/null, stdout and stderr to the log. */
static void detach_from_terminal(const struct daemon *d)
{
	char logpath[MMAMPD_FILE_MAX];
	int fd;

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

int daemonize(struct daemon *d, int ready_fd, int *ready_wr)
{
	int ready[2];
	pid_t pid;

	*ready_wr = -1;
	if (d->foreground) {
		if (ready_fd >= 0) {
			/* the simulated cores must not inherit it */
			fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
			*ready_wr = ready_fd;
		}
		return MMAMPD_CONTINUE;
	}
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
		close(ready[1]);
		return wait_for_child(d, ready[0]);
	}
	close(ready[0]);
	detach_from_terminal(d);
	*ready_wr = ready[1];
	return MMAMPD_CONTINUE;
}

void ready_report(int ready_wr, const char *err)
{
	char msg[1100];
	int n;

	if (ready_wr < 0)
		return;
	if (err) {
		n = snprintf(msg, sizeof(msg), "E%s", err);
		if (write(ready_wr, msg, (size_t)n) < 0)
			(void)0;
		return; /* the process ends after its shutdown, which closes it */
	}
	if (write(ready_wr, "K", 1) < 0)
		(void)0;
	close(ready_wr);
}
