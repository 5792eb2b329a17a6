/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c — mmampd's entry point. mmampd is the host side's "kernel" as a daemon: it owns the
 * platform (remoteproc lifecycle and the RPMsg master, through mmamp/host/rproc.h) and gives
 * user space what Linux would:
 *   <runtime>/mmampd.sock   control socket (the CLI's and scripts' remoteproc sysfs)
 *   <runtime>/ttyRPMSG<n>   a raw PTY per TTY channel (symlink to /dev/pts/N)
 *   <runtime>/rpmsg<N>      a message endpoint per other channel (rpmsg_char semantics)
 *   <runtime>/mmampd.log    the daemon's log when it runs in the background
 *   <runtime>/sys/class/remoteproc/remoteproc<N>/  the kernel's sysfs face (FUSE, sysfs_fuse.c)
 *
 * This file only drives the others: options.c (command line), setup.c (instance lock, going to
 * the background), daemon.c (start-up, the event loop over handoff.c, control.c, devices.c and
 * sysfs_fuse.c, shutdown); util.c serves them all. Their includes form a DAG: each .c includes
 * mmampd.h (and sysfs_fuse.h, proto.h), none of which includes another back. See mmampd.h for
 * the threading rules.
 */
#include "mmampd.h"

int main(int argc, char **argv)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	char err[1024] = "";
	int ready_fd, ready_wr, ret;

	d->ctl_fd = d->lock_fd = d->sig_rd = d->sig_wr = d->epfd = d->wake_fd = -1;
	ret = options_parse(d, argc, argv, &ready_fd);
	if (ret != MMAMPD_CONTINUE)
		return ret;
	ret = daemonize(d, ready_fd, &ready_wr);
	if (ret != MMAMPD_CONTINUE)
		return ret; /* the parent, with what the daemon said, or a failure to fork */
	ret = daemon_start(d, err, sizeof(err));
	if (ret) {
		logmsg("start-up failed: %s", err);
		/* said once: the log line above is on stderr in the foreground, and in the
		 * background the parent prints what the ready pipe says */
		ready_report(ready_wr, err);
		daemon_shutdown(d);
		return 1;
	}
	daemon_serve(d);
	ready_report(ready_wr, NULL);
	daemon_loop(d);
	daemon_shutdown(d);
	daemon_close(d);
	return 0;
}
