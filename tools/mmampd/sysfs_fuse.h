/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sysfs_fuse.h — the kernel's sysfs face of remoteproc (tools/mmampd/README.md), served by
 * mmampd through FUSE: <runtime>/sys/class/remoteproc/remoteproc<N>/{name,firmware,state,recovery,coredump}
 * with the kernel's strings, modes and errors, so that a script written for
 * /sys/class/remoteproc drives the cores unchanged given <runtime> as its root.
 *
 * Threads. The FUSE requests are received on a thread of their own. Reads are answered there
 * (the library's getters may be called from any thread). A write that changes the lifecycle
 * (state, firmware, recovery) is queued for the event loop, which carries it out with the same
 * helpers as the control socket (control.c: lcm_*) and then answers the FUSE request: the
 * writer's write(2) returns once the change is done (after "stop", the core's TTYs are gone),
 * and the daemon's own code stays on the loop thread.
 *
 * Built only when libfuse3 was found (MMAMP_HAVE_FUSE); otherwise the functions below are
 * stubs and sysfs_start() logs that the face is not built in.
 */
#ifndef MMAMPD_SYSFS_FUSE_H
#define MMAMPD_SYSFS_FUSE_H

struct daemon;
struct sysfs;

#define SYSFS_DIR "sys" /* the mount point, in the runtime directory */

#ifdef MMAMP_HAVE_FUSE
/**
 * sysfs_start() - mount <runtime>/sys (clearing a dead mount a killed daemon left there) and
 * start serving it. Call on the loop thread once the host is open. Returns NULL when FUSE is not
 * usable here (no /dev/fuse, mounting not permitted...), after logging one line saying so.
 */
struct sysfs *sysfs_start(struct daemon *d);
/** sysfs_wake_fd() - readable when writes wait for the loop: then call sysfs_process(). */
int sysfs_wake_fd(const struct sysfs *s);
/** sysfs_process() - loop thread: carry out the queued writes and answer them. */
void sysfs_process(struct sysfs *s);
/**
 * sysfs_stop() - loop thread: stop the FUSE thread, answer what is still queued (ENODEV),
 * unmount and free. NULL is a no-op. No mount is left behind.
 */
void sysfs_stop(struct sysfs *s);
#else
#include "mmampd.h"

static inline struct sysfs *sysfs_start(struct daemon *d)
{
	(void)d;
	logmsg("sysfs: not built in (libfuse3 was not found at build time); the control socket "
	       "still works");
	return NULL;
}
static inline int sysfs_wake_fd(const struct sysfs *s)
{
	(void)s;
	return -1;
}
static inline void sysfs_process(struct sysfs *s)
{
	(void)s;
}
static inline void sysfs_stop(struct sysfs *s)
{
	(void)s;
}
#endif

#endif /* MMAMPD_SYSFS_FUSE_H */
