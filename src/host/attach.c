/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attach.c — cores that run without this host: the record that lets a restarted host find the
 * core an earlier one started (<runtime>/<core>.core), and the attach and detach flows of
 * reference §1.7 (states DETACHED ↔ ATTACHED).
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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/rsc_table.h"
#include "rproc_internal.h"

#define ACK_TIMEOUT_MS 1000

static void record_path(const struct mmamp_rproc *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.core", r->h->runtime_dir, r->core->name);
}

/* After a successful boot: "<backend record>\nfirmware <name>\n". Lock held. */
void rproc_record_save(struct mmamp_rproc *r)
{
	char path[4096], id[128], text[512];
	int fd, n;

	if (!r->bk->identify || r->bk->identify(r, id, sizeof(id)))
		return;
	record_path(r, path, sizeof(path));
	n = snprintf(text, sizeof(text), "%s\nfirmware %s\n", id, r->firmware);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return; /* without it a restarted host reboots the core instead of attaching */
	if (write(fd, text, (size_t)n) != n)
		unlink(path);
	close(fd);
}

void rproc_record_clear(struct mmamp_rproc *r)
{
	char path[4096];

	record_path(r, path, sizeof(path));
	unlink(path);
}

/* At host start: a record whose core still runs makes the rproc DETACHED. Lock held. */
void rproc_find_detached(struct mmamp_rproc *r)
{
	char path[4096], text[512], *fw;
	ssize_t n;
	int fd;

	record_path(r, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	if (n <= 0 || !r->bk->adopt || r->bk->adopt(r, text)) {
		unlink(path); /* the core it describes is gone */
		return;
	}
	fw = strstr(text, "\nfirmware ");
	if (fw) {
		fw += strlen("\nfirmware ");
		fw[strcspn(fw, "\n")] = '\0';
		snprintf(r->firmware, sizeof(r->firmware), "%s", fw);
	}
	r->powered = true;
	rproc_monitor_watch(r);
	rproc_set_state(r, MMAMP_RPROC_DETACHED);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Step 2: make sure the remote holds no ring state: status 0, and its link epoch even. */
static int reset_live_vdev(struct mmamp_rproc *r, struct mmamp_fw_rsc_vdev *live,
			   uint32_t *epoch, char *err, size_t errlen)
{
	const struct timespec ms = { 0, 1000000 };
	uint64_t end = now_ms() + ACK_TIMEOUT_MS;

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
		if (now_ms() >= end)
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
	r->hb_last = __atomic_load_n(r->heartbeat, __ATOMIC_RELAXED);
	r->hb_when_ms = now_ms();
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
