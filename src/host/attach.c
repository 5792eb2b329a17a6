/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attach.c — cores that run without this host: the record that lets a restarted host find the
 * core an earlier one started (<runtime>/<core>.core), and the attach and detach flows of
 * docs/protocol.md §1.3 (states DETACHED ↔ ATTACHED).
 *
 * Attach, on a core found running:
 *   1. snapshot the live table from the rsc-table region and validate it like a firmware's
 *      (it is the remote's memory: hostile), place its vrings in the platform's regions;
 *   2. reset the vdev (status 0) and, if the remote still considers the link up (its link
 *      epoch, MMAMP_LINK_EPOCH_OFFSET, is odd), ring it and wait until it took the link down
 *      (epoch even: it dropped its ring state) — without this a fast 7 → 0 → 7 could pass
 *      between two of its looks and both sides would use rings neither set up;
 *   3. write the processed table back, zero the rings, bring the vdev up as at boot (1, 3, 7);
 *      the remote announces its endpoints again and the channels come up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/rsc_table.h"
#include "rproc_internal.h"

#define ACK_TIMEOUT_MS 1000
#define RECLAIM_TIMEOUT_MS 5000 /* a SIGKILLed process is gone long before */

/*
 * MMAMP_TEST_EXIT_AT=<point>: the host process ends at once (_exit, as SIGKILL would leave it)
 * when it reaches <point> of a boot — what a test of a host killed at that moment needs,
 * deterministically. The points: "spawned" (the core process exists, its record not yet
 * written), "booting" (the core powered on, before its bring-up). Says where on stderr.
 */
void rproc_test_exit_at(const struct mmamp_rproc *r, const char *point, int pid)
{
	const char *want = getenv("MMAMP_TEST_EXIT_AT");

	if (!want || strcmp(want, point))
		return;
	dprintf(STDERR_FILENO, "MMAMP_TEST_EXIT_AT=%s: the host exits (core %s, pid %d)\n", point,
		r->core->name, pid);
	_exit(RPROC_TEST_EXIT_STATUS);
}

static void record_path(const struct mmamp_rproc *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.core", r->h->runtime_dir, r->core->name);
}

/*
 * The record: "<backend id>\nfirmware <name>\n" and, unless the core runs booted and up,
 * "phase booting|idle\n". Written to a temporary name and renamed, so a host killed in the
 * middle leaves the old record or the new one, never half of one. Lock held.
 */
int rproc_record_write(struct mmamp_rproc *r, const char *id, const char *phase, char *err,
		       size_t errlen)
{
	char path[4096], tmp[4200], text[512];
	int fd, n, ret = 0;

	record_path(r, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	n = snprintf(text, sizeof(text), "%s\nfirmware %s\n%s%s%s", id, r->firmware,
		     phase ? "phase " : "", phase ? phase : "", phase ? "\n" : "");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n || rename(tmp, path))
		ret = rproc_fail(err, errlen, errno ? -errno : -EIO,
				 "core %s: cannot write its record %s: %s", r->core->name, path,
				 strerror(errno ? errno : EIO));
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	return ret;
}

/* After a successful boot: the record without a phase, which a restarted host attaches to. */
void rproc_record_save(struct mmamp_rproc *r)
{
	char id[128], err[256];

	if (r->bk->identify && !r->bk->identify(r, id, sizeof(id)))
		rproc_record_write(r, id, NULL, err, sizeof(err));
	/* without it a restarted host kills the core (phase booting) instead of attaching */
}

/* The core stopped: a process that stays (QEMU in its boot ROM) is recorded "idle", so a
 * restarted host finds and ends it; with no process left the record goes. Lock held. */
void rproc_record_stopped(struct mmamp_rproc *r)
{
	char path[4096], id[128], err[256];

	if (r->bk->identify && !r->bk->identify(r, id, sizeof(id)) &&
	    !rproc_record_write(r, id, "idle", err, sizeof(err)))
		return;
	record_path(r, path, sizeof(path));
	unlink(path);
}

void rproc_record_clear(struct mmamp_rproc *r)
{
	char path[4096];

	record_path(r, path, sizeof(path));
	unlink(path);
}

/* End the process a record names (pid and start time: that process, not a reused pid) and
 * wait until it is gone, so its memory is free of it when the host goes on. */
static int kill_recorded(pid_t pid, unsigned long long start)
{
	struct pollfd p;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), ret;

	if (fd < 0)
		return -errno;
	if (rproc_proc_start_time(pid) != start) {
		close(fd);
		return -ESRCH;
	}
	ret = syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) ? -errno : 0;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (!ret && (ret = poll(&p, 1, RECLAIM_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	ret = ret < 0 ? -errno : ret == 0 ? -ETIMEDOUT : 0;
	close(fd);
	return ret;
}

/*
 * At host start, before the core can be powered: what an earlier host left of this core, and
 * what this one does about it — said in r->found (mmamp_rproc_found). A record of a core that
 * was up makes the rproc DETACHED (attach takes it over); one of a core that was still
 * booting or idle (its host died before the core was up, or QEMU waited in its boot ROM) is
 * ended, so no second core ever runs on the partition; a record whose process is gone is
 * removed. A core process cannot run without a record: the backends write the "booting"
 * record before they let the process run (backend.h, @power_on). Lock held.
 */
void rproc_reclaim(struct mmamp_rproc *r)
{
	char path[4096], text[512], fw[256] = "-", phase[16] = "", *at;
	unsigned long long start = 0;
	int pid = 0, ret;
	ssize_t n;
	int fd;

	record_path(r, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	at = strstr(text, "pid ");
	if (!at || sscanf(at, "pid %d start %llu", &pid, &start) != 2 || pid <= 1) {
		unlink(path);
		snprintf(r->found, sizeof(r->found), "an unreadable record %s.core: removed it",
			 r->core->name);
		return;
	}
	if ((at = strstr(text, "\nfirmware ")))
		sscanf(at, "\nfirmware %255[^\n]", fw);
	if ((at = strstr(text, "\nphase ")))
		sscanf(at, "\nphase %15[a-z]", phase);
	if (rproc_proc_start_time(pid) != start) {
		unlink(path);
		snprintf(r->found, sizeof(r->found),
			 "the record of a core (pid %d, firmware %s) that no longer runs: removed it",
			 pid, fw);
		return;
	}
	if (phase[0]) {
		ret = kill_recorded(pid, start);
		unlink(path);
		snprintf(r->found, sizeof(r->found),
			 "a core process (pid %d, firmware %s) its host left %s: %s", pid, fw,
			 strcmp(phase, "idle") ? "before it was up" : "idle",
			 ret == 0 || ret == -ESRCH ? "ended it" : strerror(-ret));
		return;
	}
	if (!r->bk->adopt || r->bk->adopt(r, text)) {
		/* adopt kills what it cannot drive; make sure nothing of it is left */
		ret = kill_recorded(pid, start);
		unlink(path);
		snprintf(r->found, sizeof(r->found),
			 "a running core (pid %d, firmware %s) that cannot be taken over: %s", pid, fw,
			 ret == 0 || ret == -ESRCH ? "ended it" : strerror(-ret));
		return;
	}
	/* the record is a file anyone with the directory could have written: a name the rule
	 * refuses is not taken (the core shows firmware "", it runs an image of unknown name) */
	snprintf(r->firmware, sizeof(r->firmware), "%s",
		 mmamp_firmware_name_check(fw, NULL, 0) ? "" : fw);
	r->powered = true;
	rproc_monitor_watch(r);
	rproc_set_state(r, MMAMP_RPROC_DETACHED);
	snprintf(r->found, sizeof(r->found),
		 "a running core (pid %d, firmware %s) an earlier host started: detached "
		 "(attach takes it over, stop ends it)", pid, fw);
}

/* Step 2: make sure the remote holds no ring state: status 0, and its link epoch even. */
static int reset_live_vdev(struct mmamp_rproc *r, struct mmamp_fw_rsc_vdev *live,
			   uint32_t *epoch, char *err, size_t errlen)
{
	const struct timespec ms = { 0, 1000000 };
	uint64_t end = rproc_now_ms() + ACK_TIMEOUT_MS;

	__atomic_store_n(&live->status, (uint8_t)0, __ATOMIC_RELEASE);
	if (!(__atomic_load_n(epoch, __ATOMIC_ACQUIRE) & 1u))
		return 0; /* link down on its side already */
	r->bk->kick(r, 0); /* wake it: it re-reads the status on any doorbell */
	/*
	 * Bounded polling: the epoch is a plain word in shared memory, nobody wakes us on it.
	 * Meanwhile doorbells are taken and dropped: the remote may be blocked in a send until
	 * the doorbell an earlier host never read is taken (TE), and only then sees the reset.
	 */
	while (__atomic_load_n(epoch, __ATOMIC_ACQUIRE) & 1u) {
		char why[64];

		while (r->bk->take_doorbell(r, why, sizeof(why)) == 0)
			;
		if (rproc_now_ms() >= end)
			return rproc_fail(err, errlen, -ETIMEDOUT,
					  "core %s: the remote did not take the vdev down within "
					  "%d ms (link epoch %u stays odd: is it stuck?)",
					  r->core->name, ACK_TIMEOUT_MS,
					  __atomic_load_n(epoch, __ATOMIC_RELAXED));
		nanosleep(&ms, NULL);
	}
	return 0;
}

int rproc_attach_locked(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct host_region *rt = host_region_of(r->h, r->core->rsc_table);
	size_t size = MMAMP_HEARTBEAT_OFFSET; /* the table ends where mmamp's words begin */
	struct mmamp_fw_rsc_vdev *live;
	struct mmamp_diag d;
	char text[200];
	void *copy;
	int ret;

	if (!rt->host || rt->r->size < MMAMP_LINK_EPOCH_OFFSET + 4)
		return rproc_fail(err, errlen, -EINVAL, "core %s: rsc-table region unusable",
				  r->core->name);
	copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rt->host, size); /* one snapshot: the remote cannot change it under us */
	ret = mmamp_rsc_table_validate(copy, size, &d);
	if (ret) {
		free(copy);
		mmamp_diag_format(&d, text, sizeof(text));
		return rproc_fail(err, errlen, -ENOEXEC, "core %s: live resource table: %s",
				  r->core->name, text);
	}
	free(r->cached_table);
	r->cached_table = copy;
	r->table_size = size;
	r->vdev_offset = 0;
	ret = rproc_handle_resources(r, err, errlen);
	if (!ret && !r->vdev_offset)
		ret = rproc_fail(err, errlen, -ENOEXEC, "core %s: live resource table has no vdev",
				 r->core->name);
	if (ret)
		return ret;

	r->fault_pending = false;
	r->heartbeat = (uint32_t *)(void *)((uint8_t *)rt->host + MMAMP_HEARTBEAT_OFFSET);
	rproc_watchdog_disarm(r);
	live = (void *)((uint8_t *)rt->host + r->vdev_offset);
	ret = reset_live_vdev(r, live, (uint32_t *)(void *)((uint8_t *)rt->host +
							     MMAMP_LINK_EPOCH_OFFSET), err, errlen);
	if (ret)
		return ret;
	((struct mmamp_fw_rsc_vdev *)(void *)((uint8_t *)copy + r->vdev_offset))->status = 0;
	memcpy(rt->host, copy, size);
	r->live_table = mmamp_shm_translate(&r->shm, r->core->rsc_table->da, size);
	for (unsigned j = 0; j < 2; j++)
		memset(host_region_of(r->h, r->vring_region[j])->host, 0, r->vring_region[j]->size);
	ret = rproc_bring_up(r, err, errlen);
	if (ret) {
		rproc_set_state(r, MMAMP_RPROC_OFFLINE); /* bring-up failure powered it off */
		return ret;
	}
	rproc_set_state(r, MMAMP_RPROC_ATTACHED);
	return 0;
}

/* Host closing while the core is detached: it keeps running, the record stays. Lock held. */
void rproc_forget(struct mmamp_rproc *r)
{
	if (r->bk->forget)
		r->bk->forget(r);
	r->powered = false;
}
