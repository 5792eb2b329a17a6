/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc.c — remoteproc: the lifecycle state machine (load, start, stop, crash, recovery), the
 * boot sequence of docs/protocol.md §1.2, and the per-core host thread that takes doorbells
 * and runs the RPMsg master (channels.c). What plays the core — a process, a QEMU — is a backend
 * (backend.h).
 */
#include "host_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"
#include "rproc_internal.h"
#include "backend.h"

#define RPMSG_FEATURES (1u << MMAMP_VIRTIO_RPMSG_F_NS)
#define IRQ_POLL_NS 50000000ull /* the host thread re-checks its stop flag at least this often */
/* A running core whose heartbeat has not moved for this long is declared crashed ("watchdog").
 * The remote beats every main-loop turn (at least every 10 ms when idle) and on every wake-up
 * of a blocking send (at least every second), so this leaves a wide margin. */
#define WATCHDOG_MS 3000u
/* Automatic recovery pauses after this many crashes within this long (crash_loop()). */
#define CRASH_LOOP_MS 10000u

const char *mmamp_rproc_state_str(enum mmamp_rproc_state s)
{
	static const char *const names[] = { "offline", "suspended", "running", "crashed",
					     "deleted", "attached", "detached" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "invalid";
}

int rproc_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Called with r->lock held. */
void rproc_set_state(struct mmamp_rproc *r, enum mmamp_rproc_state s)
{
	if (r->state == s)
		return;
	r->state = s;
	pthread_cond_broadcast(&r->changed);
	if (r->h->events.state)
		r->h->events.state(r->h->ctx, r, s);
}

void rproc_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- loading ---- */

#define FIRMWARE_MAX_BYTES (64 << 20) /* an image is read whole into memory */

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	/* O_NONBLOCK: a FIFO in the firmware directory must not block the open (and us) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -ENOEXEC;
	}
	if (st.st_size > FIRMWARE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	*data = malloc((size_t)st.st_size);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*size = got;
	return 0;
}

struct load_ctx {
	struct mmamp_rproc *r;
	struct mmamp_scu_denial why;
	bool denied;
};

/* The ELF loader's memory map: the APU may write only where the SCU lets it. */
static int load_map(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct load_ctx *lc = ctx;
	struct mmamp_rproc *r = lc->r;
	const struct mmamp_region *reg;
	struct host_region *hr;
	uint64_t off;
	int ret;

	ret = mmamp_scu_check_mem(&r->h->scu, r->h->apu, r->core, da, memsz, MMAMP_PERM_W,
				  &lc->why);
	if (ret) {
		lc->denied = true;
		return ret;
	}
	reg = mmamp_platform_region_at(&r->h->plat, r->core, da, memsz, &off);
	hr = host_region_of(r->h, reg);
	if (!hr || !hr->host)
		return -MMAMP_EACCES;
	*local = (uint8_t *)hr->host + off;
	return 0;
}

static void diag_text(const struct mmamp_diag *d, char *buf, size_t len)
{
	mmamp_diag_format(d, buf, len);
}

/* Place the vdev's vrings in the platform's vdev<i>vring<j> regions and number them. */
static int handle_vdev(struct mmamp_rproc *r, struct mmamp_fw_rsc_vdev *v, unsigned idx,
		       char *err, size_t errlen)
{
	char name[32];

	if (idx > 0)
		return rproc_fail(err, errlen, -EOPNOTSUPP,
			    "resource table: vdev %u: only one vdev per core is supported", idx);
	if (v->id != MMAMP_VIRTIO_ID_RPMSG)
		return rproc_fail(err, errlen, -EOPNOTSUPP,
			    "resource table: vdev %u: virtio id %u is not RPMsg (7)", idx, v->id);
	if (v->num_of_vrings != 2)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "resource table: vdev %u: num_of_vrings %u, RPMsg needs 2", idx,
			    v->num_of_vrings);
	/* One geometry for both rings: the host sets them up alike (Linux only warns, then
	 * misbehaves), so a table that disagrees with itself is refused here. */
	if (v->vring[1].num != v->vring[0].num || v->vring[1].align != v->vring[0].align)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "resource table: vdev %u: vring 1 (num %u, align %#x) differs from "
			    "vring 0 (num %u, align %#x)", idx, v->vring[1].num, v->vring[1].align,
			    v->vring[0].num, v->vring[0].align);
	for (unsigned j = 0; j < 2; j++) {
		const struct mmamp_region *reg = NULL;
		uint32_t size = mmamp_vring_size(v->vring[j].num, v->vring[j].align);

		snprintf(name, sizeof(name), "vdev%uvring%u", idx, j);
		for (size_t k = 0; k < r->core->nrpmsg; k++)
			if (!strcmp(r->core->rpmsg_names[k], name))
				reg = r->core->rpmsg_regions[k];
		if (!reg)
			return rproc_fail(err, errlen, -ENOMEM,
				    "core %s: no carveout named %s for vdev %u vring %u",
				    r->core->name, name, idx, j);
		if (size > reg->size)
			return rproc_fail(err, errlen, -ENOMEM,
				    "vdev %u vring %u: num %u align %#x needs %#x bytes, region %s "
				    "has %#llx", idx, j, v->vring[j].num, v->vring[j].align, size,
				    reg->name, (unsigned long long)reg->size);
		if (v->vring[j].da != MMAMP_FW_RSC_ADDR_ANY && v->vring[j].da != reg->da)
			return rproc_fail(err, errlen, -ENOMEM,
				    "vdev %u vring %u: firmware wants da %#x, region %s is at %#llx",
				    idx, j, v->vring[j].da, reg->name,
				    (unsigned long long)reg->da);
		r->vring_region[j] = reg;
		v->vring[j].notifyid = j; /* the rproc-wide IDR: vdev0 gets 0 and 1 */
	}
	r->vdev_offset = (uint32_t)((uint8_t *)v - (uint8_t *)r->cached_table);
	return 0;
}

int rproc_handle_resources(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	unsigned vdevs = 0;
	char text[160];
	int ret;

	for (unsigned i = 0;; i++) {
		ret = mmamp_rsc_table_entry(r->cached_table, r->table_size, i, &e, &d);
		if (ret == -MMAMP_ENOENT)
			return 0;
		if (ret) {
			diag_text(&d, text, sizeof(text));
			return rproc_fail(err, errlen, ret, "resource table: %s", text);
		}
		switch (e.type) {
		case MMAMP_RSC_VDEV:
			ret = handle_vdev(r, e.body, vdevs++, err, errlen);
			break;
		case MMAMP_RSC_DEVMEM:
			ret = rproc_fail(err, errlen, -EINVAL,
				   "resource entry %u: RSC_DEVMEM needs an IOMMU, which this core has "
				   "not (as i.MX)", i);
			break;
		case MMAMP_RSC_CARVEOUT: {
			struct mmamp_fw_rsc_carveout *c = e.body;
			const struct mmamp_region *reg = NULL;

			/* a pre-registered carveout: a region of the core's map with that name */
			for (size_t k = 0; k < r->core->natt; k++)
				if (!strncmp(r->core->att[k]->name, c->name, sizeof(c->name)))
					reg = r->core->att[k];
			if (!reg || c->len > reg->size ||
			    (c->da != MMAMP_FW_RSC_ADDR_ANY &&
			     (c->da < reg->da || c->da - reg->da > reg->size - c->len))) {
				ret = rproc_fail(err, errlen, -ENOMEM,
					   "resource entry %u: carveout \"%.32s\" (da %#x len %#x) "
					   "does not fit a region of core %s", i, c->name, c->da,
					   c->len, r->core->name);
				break;
			}
			c->da = (uint32_t)reg->da;
			c->pa = (uint32_t)reg->sys;
			break;
		}
		default: /* trace, vendor and unknown entries: accepted, nothing to do here */
			break;
		}
		if (ret)
			return ret;
	}
}

/* The first directory of the ':'-separated @search that has @name (else the first one's path,
 * for the error message). */
static void find_firmware(const char *search, const char *name, char *path, size_t len)
{
	const char *dir = search;

	for (;;) {
		size_t n = strcspn(dir, ":");

		snprintf(path, len, "%.*s/%s", (int)n, dir, name);
		if (access(path, F_OK) == 0 || !dir[n])
			break;
		dir += n + 1;
	}
	if (access(path, F_OK))
		snprintf(path, len, "%.*s/%s", (int)strcspn(search, ":"), search, name);
}

static int load_firmware(struct mmamp_rproc *r, char *err, size_t errlen)
{
	char path[4096], text[200];
	struct mmamp_elf_image img;
	struct load_ctx lc = { .r = r };
	struct mmamp_diag d;
	const void *table;
	size_t tsize;
	int ret;

	/* set_firmware checked it; a name from an earlier host's record was not */
	if (mmamp_firmware_name_check(r->firmware, text, sizeof(text)))
		return rproc_fail(err, errlen, -EINVAL, "firmware name: %s", text);
	find_firmware(r->h->firmware_path, r->firmware, path, sizeof(path));
	free(r->image);
	r->image = NULL;
	ret = read_file(path, &r->image, &r->image_size);
	if (ret == -EFBIG)
		return rproc_fail(err, errlen, ret, "firmware %s: larger than the %d MiB a firmware "
				  "may have", path, FIRMWARE_MAX_BYTES >> 20);
	if (ret)
		return rproc_fail(err, errlen, ret, "firmware %s: %s", path,
			    ret == -ENOEXEC ? "not a regular, non-empty file" : strerror(-ret));
	ret = mmamp_elf_parse(&img, r->image, r->image_size, &d);
	if (!ret)
		ret = mmamp_elf_check_segments(&img, &d);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	if (img.machine != r->bk->elf_machine)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: ELF e_machine %u, but core %s (backend %s) runs "
			    "e_machine %u", r->firmware, img.machine, r->core->name, r->bk->name,
			    r->bk->elf_machine);

	ret = mmamp_elf_find_rsc_table(&img, &table, &tsize, NULL, &d);
	if (ret == -MMAMP_ENOENT)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: no .resource_table section: nothing to talk to",
			    r->firmware);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	if (!r->core->rsc_table || tsize > r->core->rsc_table->size)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: resource table of %zu bytes does not fit core %s's "
			    "rsc-table region", r->firmware, tsize, r->core->name);
	free(r->cached_table);
	r->cached_table = malloc(tsize);
	if (!r->cached_table)
		return -ENOMEM;
	memcpy(r->cached_table, table, tsize);
	r->table_size = tsize;
	r->vdev_offset = 0;
	ret = mmamp_rsc_table_validate(r->cached_table, tsize, &d);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: resource table: %s", r->firmware,
			    text);
	}
	ret = rproc_handle_resources(r, err, errlen);
	if (ret)
		return ret;
	if (!r->vdev_offset)
		return rproc_fail(err, errlen, -ENOEXEC,
			    "firmware %s: the resource table has no RPMsg vdev", r->firmware);

	ret = mmamp_elf_load(&img, load_map, &lc, &d);
	if (ret && lc.denied)
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, lc.why.msg);
	if (ret) {
		diag_text(&d, text, sizeof(text));
		return rproc_fail(err, errlen, ret, "firmware %s: %s", r->firmware, text);
	}
	r->boot_addr = r->core->boot_addr;
	return 0;
}

/* ---- the host thread: doorbells in, messages delivered ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void note_doorbell(struct mmamp_rproc *r)
{
	__atomic_store_n(&r->t_doorbell_ns, now_ns(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->n_doorbells, 1, __ATOMIC_RELAXED);
}

/*
 * Take one doorbell if there is one (0) and deliver what arrived. A fault the core reported
 * through its doorbell path (qemu: HardFault) is a crash (-EFAULT). Lock held.
 */
static int take_and_deliver(struct mmamp_rproc *r)
{
	char why[256];
	int ret = r->bk->take_doorbell(r, why, sizeof(why));

	if (ret == -EFAULT) {
		rproc_report_crash(r, "%s", why);
		return ret;
	}
	if (ret == 0)
		note_doorbell(r);
	/* What the ring holds is delivered first (validated as always); then a doorbell is also
	 * where a remote that reset the device under us is noticed */
	if (rproc_is_up(r))
		rproc_rpmsg_poll(r);
	rproc_link_check(r);
	pthread_cond_broadcast(&r->tx_space);
	return ret;
}

static void *irq_thread(void *arg)
{
	struct mmamp_rproc *r = arg;
	bool took = false;

	while (!__atomic_load_n(&r->irq_stop, __ATOMIC_ACQUIRE)) {
		/*
		 * After a doorbell, take the next one without asking pending() first: a backend
		 * may have read several at once (qemu: a burst of UART bytes), and pending() sees
		 * only what is still unread — a fault byte behind them would wait for a doorbell
		 * that a faulted core never rings. The lock is dropped between two.
		 */
		if (took || r->bk->pending(r)) {
			pthread_mutex_lock(&r->lock);
			took = take_and_deliver(r) == 0;
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		if (!r->h->polling) {
			r->bk->wait(r, IRQ_POLL_NS);
			continue;
		}
		/* polled: the core does not ring per message (we asked it not to): look */
		pthread_mutex_lock(&r->lock);
		if (rproc_is_up(r) && mmamp_rpmsg_work_pending(&r->rdev))
			take_and_deliver(r);
		pthread_mutex_unlock(&r->lock);
		sched_yield();
	}
	return NULL;
}

/* Ring the core (RPMsg's notify op; callers hold r->lock, so there is one sender). The
 * timestamp is taken just before the doorbell register write, so it must be taken before we
 * know whether the backend coalesced; a coalesced kick does not move it back. */
static int host_notify(void *ctx, uint32_t notifyid)
{
	struct mmamp_rproc *r = ctx;
	uint64_t t = now_ns();
	int ret = r->bk->kick(r, notifyid);

	if (ret <= 0)
		return ret;
	__atomic_store_n(&r->t_kick_ns, t, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->n_kicks, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- virtio bring-up (the vdev subdevice's start: docs/protocol.md §1.2 step 9) ---- */

/*
 * Just before DRIVER_OK: note what the link must look like from now on (rproc_link_check).
 * The epoch is even here — a boot zeroed it with the region, an attach waited for it — and the
 * remote's link-up makes it base + 1. Lock held.
 */
static void link_watch_arm(struct mmamp_rproc *r)
{
	struct host_region *rt = host_region_of(r->h, r->core->rsc_table);

	r->link_epoch = NULL;
	if (rt && rt->host && rt->r->size >= MMAMP_LINK_EPOCH_OFFSET + sizeof(uint32_t))
		r->link_epoch = (uint32_t *)(void *)((uint8_t *)rt->host +
						     MMAMP_LINK_EPOCH_OFFSET);
	r->epoch_base = r->link_epoch ? __atomic_load_n(r->link_epoch, __ATOMIC_ACQUIRE) : 0;
	r->epoch_seen = r->epoch_base;
	r->status_set = (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER |
				  MMAMP_VIRTIO_STATUS_DRIVER_OK);
}

/*
 * rproc_link_check() - whether the remote reset the vdev under us (lock held). The status byte
 * is the host's alone (§1.3 of docs/protocol.md): it must still be what we wrote. The link epoch
 * may move once after our DRIVER_OK — the remote's link-up, base → base + 1 — and any further
 * move means the remote dropped its ring state (and may have set up rings of its own since).
 * Either way the two sides no longer share the rings: the channels would accept sends nobody
 * takes and time out. It is reported like any other broken vdev: crashed, senders get -EPIPE,
 * recovery. A remote without the epoch (not mmamp's) leaves the word alone and is judged by
 * the status byte only. Only while up with the vdev ours: the host's own status writes (start,
 * stop, detach, attach) happen with r->vdev NULL or under the lock before the state is up.
 */
void rproc_link_check(struct mmamp_rproc *r)
{
	uint8_t status;
	uint32_t epoch;

	if (!r->vdev || !r->powered || r->fault_pending || !rproc_is_up(r))
		return;
	status = __atomic_load_n(&r->vdev->status, __ATOMIC_ACQUIRE);
	epoch = r->link_epoch ? __atomic_load_n(r->link_epoch, __ATOMIC_ACQUIRE) : r->epoch_base;
	if (status == r->status_set && epoch - r->epoch_base <= 1u) {
		r->epoch_seen = epoch;
		return;
	}
	rproc_report_crash(r, "fatal error: vdev broken: the remote reset the device (status "
			   "0x%02x -> 0x%02x, link epoch %u -> %u)", r->status_set, status,
			   r->epoch_seen, epoch);
}

static int virtio_start(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_fw_rsc_vdev *v = (void *)((uint8_t *)r->live_table + r->vdev_offset);
	/* The geometry comes from our validated copy: the live table is the remote's memory, and
	 * it runs already — a num it rewrote now would size our rings past their regions. */
	const struct mmamp_fw_rsc_vdev *cv = (const void *)((const uint8_t *)r->cached_table +
							     r->vdev_offset);
	static const struct mmamp_rpmsg_ops ops = { .notify = host_notify,
						    .ns_bind = rproc_ns_bind };
	struct mmamp_rpmsg_host_config cfg;
	uint32_t num = cv->vring[0].num;
	int ret;

	__atomic_store_n(&v->status, (uint8_t)MMAMP_VIRTIO_STATUS_ACKNOWLEDGE, __ATOMIC_RELEASE);
	__atomic_store_n(&v->status,
			 (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER),
			 __ATOMIC_RELEASE);
	v->gfeatures = cv->dfeatures & RPMSG_FEATURES;
	for (unsigned j = 0; j < 2; j++)
		v->vring[j].da = (uint32_t)r->vring_region[j]->da;

	free(r->desc_state);
	r->desc_state = calloc(2u * num, sizeof(*r->desc_state));
	free(r->tx_free);
	r->tx_free = calloc(num, sizeof(*r->tx_free));
	if (!r->desc_state || !r->tx_free)
		return -ENOMEM;
	cfg = (struct mmamp_rpmsg_host_config){
		.shm = &r->shm,
		.vring = { mmamp_shm_translate(&r->shm, r->vring_region[0]->da, 1),
			   mmamp_shm_translate(&r->shm, r->vring_region[1]->da, 1) },
		.num = num,
		.align = cv->vring[0].align,
		.notifyid = { cv->vring[0].notifyid, cv->vring[1].notifyid },
		.buffers = mmamp_shm_translate(&r->shm, r->buffer_region->da, 1),
		.rx_state = r->desc_state,
		.tx_state = r->desc_state + num,
		.tx_free = r->tx_free,
		.features = cv->dfeatures & RPMSG_FEATURES,
		.ops = &ops,
		.ctx = r,
	};
	ret = mmamp_rpmsg_init_host(&r->rdev, &cfg);
	if (!ret && r->h->polling)
		mmamp_rpmsg_rx_notify(&r->rdev, false); /* we poll: no doorbell per message */
	if (ret)
		return rproc_fail(err, errlen, ret, "core %s: RPMsg probe failed (%s): vrings/buffers do "
			    "not fit the RPMsg regions", r->core->name, strerror(-ret));
	link_watch_arm(r);
	__atomic_store_n(&v->status, r->status_set, __ATOMIC_RELEASE);
	r->vdev = v;
	return mmamp_rpmsg_host_kick(&r->rdev);
}

static void virtio_reset(struct mmamp_rproc *r)
{
	if (r->vdev)
		__atomic_store_n(&r->vdev->status, (uint8_t)0, __ATOMIC_RELEASE);
	r->vdev = NULL;
	rproc_channels_down(r);
}

/* ---- start / stop ---- */

/* Lock and op_lock held; the lock is dropped while joining (op_lock keeps the window safe). */
static void stop_irq_thread(struct mmamp_rproc *r)
{
	pthread_t t = r->irq;

	if (!r->irq_running)
		return;
	r->irq_running = false;
	__atomic_store_n(&r->irq_stop, true, __ATOMIC_RELEASE);
	r->bk->wake(r);
	pthread_mutex_unlock(&r->lock);
	pthread_join(t, NULL);
	pthread_mutex_lock(&r->lock);
}

/* Power the core off and forget its runtime state. Lock held. */
void rproc_shutdown_core(struct mmamp_rproc *r, bool crashed)
{
	virtio_reset(r);
	stop_irq_thread(r);
	if (!crashed && r->powered) {
		r->bk->power_off(r, true);
		r->powered = false;
	}
	rproc_record_stopped(r);
	mmamp_scu_cpu_stop(&r->h->scu, r->h->apu, r->core, NULL);
}

static int boot(struct mmamp_rproc *r, char *err, size_t errlen)
{
	struct mmamp_scu_denial why;
	struct host_region *rt = host_region_of(r->h, r->core->rsc_table);
	int ret;

	r->fault_pending = false;
	ret = load_firmware(r, err, errlen);
	if (ret)
		return ret;
	/* the live table: the cached copy goes to the rsc-table region (docs/imx8x-board.md) */
	memset(rt->host, 0, rt->r->size);
	memcpy(rt->host, r->cached_table, r->table_size);
	r->live_table = mmamp_shm_translate(&r->shm, r->core->rsc_table->da, r->table_size);
	r->heartbeat = (uint32_t *)(void *)((uint8_t *)rt->host + MMAMP_HEARTBEAT_OFFSET);
	r->hb_last = 0;
	r->hb_when_ms = now_ms();
	for (unsigned j = 0; j < 2; j++)
		memset(host_region_of(r->h, r->vring_region[j])->host, 0, r->vring_region[j]->size);

	ret = mmamp_scu_cpu_start(&r->h->scu, r->h->apu, r->core, r->boot_addr, &why);
	if (ret)
		return rproc_fail(err, errlen, ret, "%s", why.msg);
	ret = r->bk->power_on(r, err, errlen);
	if (ret) {
		mmamp_scu_cpu_stop(&r->h->scu, r->h->apu, r->core, NULL);
		return ret;
	}
	r->powered = true;
	rproc_test_exit_at(r, "booting", r->bk->pid(r));
	rproc_monitor_watch(r);
	ret = rproc_bring_up(r, err, errlen);
	if (ret)
		return ret;
	rproc_record_save(r);
	/* the watchdog's time starts now that the core is up: starting a process (or a QEMU)
	 * on a loaded machine must not use up the time its first heartbeat has */
	r->hb_when_ms = now_ms();
	rproc_set_state(r, MMAMP_RPROC_RUNNING);
	return 0;
}

/*
 * The powered core's host side: its doorbell interrupt and host thread, then the vdev
 * (virtio_start). On failure the core is shut down. Lock held.
 */
int rproc_bring_up(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	__atomic_store_n(&r->irq_stop, false, __ATOMIC_RELEASE);
	/* the host's doorbell interrupt (polled modes leave it off) */
	r->bk->irq_enable(r, !r->h->polling);
	if (!r->h->caller_polls) {
		ret = pthread_create(&r->irq, NULL, irq_thread, r);
		if (ret) {
			rproc_shutdown_core(r, false);
			return rproc_fail(err, errlen, -ret, "core %s: no host thread", r->core->name);
		}
		r->irq_running = true;
	}
	ret = virtio_start(r, err, errlen);
	if (ret)
		rproc_shutdown_core(r, false);
	return ret;
}

int mmamp_rproc_start(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_DETACHED)
		ret = rproc_attach_locked(r, err, errlen); /* "echo start" attaches, like Linux */
	else if (r->state != MMAMP_RPROC_OFFLINE)
		ret = rproc_fail(err, errlen, -EBUSY, "core %s is %s, not offline", r->core->name,
			   mmamp_rproc_state_str(r->state));
	else if (!r->firmware[0])
		ret = rproc_fail(err, errlen, -ENOENT, "core %s: no firmware set", r->core->name);
	else
		ret = boot(r, err, errlen);
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

int mmamp_rproc_stop(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_RUNNING || r->state == MMAMP_RPROC_ATTACHED) {
		rproc_shutdown_core(r, false);
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	} else if (r->state == MMAMP_RPROC_CRASHED) {
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

/*
 * Detach (docs/protocol.md §1.3): the vdev is reset and the channels go, the core keeps running.
 * Only from ATTACHED, as in Linux. A later start attaches again.
 */
int mmamp_rproc_detach(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (r->state == MMAMP_RPROC_ATTACHED) {
		virtio_reset(r);
		stop_irq_thread(r);
		rproc_set_state(r, MMAMP_RPROC_DETACHED);
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

/* ---- crash handling (from the monitor thread) ---- */

/*
 * rproc_report_crash() - the host (vdev broken, watchdog) or the core's own fault report
 * declares the running core crashed: note the reason and let the monitor thread handle it
 * (rproc_core_exited), like the kernel's rproc_report_crash() queues its crash work. The first
 * report wins. Lock held.
 */
void rproc_report_crash(struct mmamp_rproc *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->powered || r->fault_pending)
		return;
	va_start(ap, fmt);
	vsnprintf(r->crash_reason, sizeof(r->crash_reason), fmt, ap);
	va_end(ap);
	r->fault_pending = true;
	rproc_monitor_crash(r);
}

/* Whether the powered core's death fd says it has ended. Lock held. */
static bool death_now(struct mmamp_rproc *r)
{
	struct pollfd p = { .fd = r->powered ? r->bk->death_fd(r) : -1, .events = POLLIN };

	return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

/*
 * Whether this crash makes CRASH_LOOP_COUNT within CRASH_LOOP_MS: a firmware that dies as soon
 * as it starts (wrong addresses for this core, say) would otherwise be recovered hundreds of
 * times a second. Linux recovers forever; we stop, say why, and leave "recover" to the user.
 */
static bool crash_loop(struct mmamp_rproc *r)
{
	uint64_t now = now_ms();
	size_t n = sizeof(r->crash_ms) / sizeof(r->crash_ms[0]);

	r->crash_ms[r->crash_next++ % n] = now;
	/* the oldest of the last n crashes sits where the next one will go */
	if (r->crash_next < n || now - r->crash_ms[r->crash_next % n] > CRASH_LOOP_MS)
		return false;
	snprintf(r->crash_reason + strlen(r->crash_reason),
		 sizeof(r->crash_reason) - strlen(r->crash_reason),
		 "; automatic recovery paused: %zu crashes within %u ms (write \"recover\" to retry)",
		 n, CRASH_LOOP_MS);
	r->crash_next = 0; /* a "recover" by hand starts a fresh window */
	memset(r->crash_ms, 0, sizeof(r->crash_ms));
	return true;
}

/*
 * The core ended on its own (@reported false: the backend's death fd) or a crash was reported
 * (@reported true; ignored unless one is still pending — the core may have been recovered by
 * the other event already).
 */
void rproc_core_exited(struct mmamp_rproc *r, bool reported)
{
	char err[256];

	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	/* A death event may be a stale one: dequeued for a process that a stop has killed and
	 * reaped meanwhile, while we waited for op_lock — the core running now is another one.
	 * Only the current death fd, readable now, means this core ended. */
	if (!reported && !death_now(r)) {
		pthread_mutex_unlock(&r->lock);
		pthread_mutex_unlock(&r->op_lock);
		return;
	}
	if (r->state == MMAMP_RPROC_DETACHED && r->powered && !reported) {
		/* it ran without us and ended: nothing to recover, it is just off now */
		r->bk->power_off(r, true);
		r->powered = false;
		rproc_record_stopped(r);
		rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	}
	if (!rproc_is_up(r) || !r->powered || (reported && !r->fault_pending)) {
		pthread_mutex_unlock(&r->lock);
		pthread_mutex_unlock(&r->op_lock);
		return;
	}
	/*
	 * The host thread goes first: it reaches the backend without the lock (pending, wait),
	 * and powering off may free what it uses there (qemu: a QEMU that ended is dropped —
	 * a use-after-free TSan found with QEMU killed in a stream). A crash it reports while
	 * it stops only fills in the reason.
	 */
	stop_irq_thread(r);
	r->bk->power_off(r, false);
	r->powered = false;
	r->fault_pending = false;
	rproc_record_stopped(r);
	r->crash_count++;
	rproc_shutdown_core(r, true);
	rproc_set_state(r, MMAMP_RPROC_CRASHED);
	/* A core that cannot even be set up would crash again at once: no recovery loop. */
	if (r->recovery && !strstr(r->crash_reason, "could not be set up") && !crash_loop(r))
		rproc_recover_locked(r, err, sizeof(err));
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
}

/*
 * The watchdog (from the monitor thread, a few times a second): a running core whose heartbeat
 * stopped moving — frozen, stuck with interrupts off, stopped by a debugger or SIGSTOP — is
 * stopped by the host and then handled like any other crash (reason "watchdog: …"). The same
 * tick looks at the vdev link (rproc_link_check), so a reset is noticed without a doorbell.
 */
void rproc_watchdog_check(struct mmamp_rproc *r)
{
	uint64_t now;
	uint32_t beat;

	pthread_mutex_lock(&r->lock);
	/*
	 * The time is taken with the lock held: a boot (or attach) that held the lock meanwhile
	 * has set hb_when_ms to its own, later, now — a time taken before the wait for the lock
	 * would lie before it, and now - hb_when_ms would wrap to a huge "no heartbeat" and kill
	 * the core just started (seen in stop/start cycles on a loaded machine).
	 */
	now = now_ms();
	/* a remote that reset the device and then went quiet rings no doorbell: look here too */
	rproc_link_check(r);
	if (rproc_is_up(r) && r->powered && r->heartbeat && !r->fault_pending) {
		beat = __atomic_load_n(r->heartbeat, __ATOMIC_RELAXED);
		if (beat != r->hb_last) {
			r->hb_last = beat;
			r->hb_when_ms = now;
		} else if (now > r->hb_when_ms && now - r->hb_when_ms >= WATCHDOG_MS) {
			rproc_report_crash(r, "watchdog: no heartbeat for %llu ms",
					   (unsigned long long)(now - r->hb_when_ms));
		}
	}
	pthread_mutex_unlock(&r->lock);
}

int rproc_recover_locked(struct mmamp_rproc *r, char *err, size_t errlen)
{
	int ret;

	if (r->state != MMAMP_RPROC_CRASHED)
		return -EINVAL;
	rproc_set_state(r, MMAMP_RPROC_OFFLINE);
	ret = boot(r, err, errlen);
	if (ret) {
		snprintf(r->crash_reason + strlen(r->crash_reason),
			 sizeof(r->crash_reason) - strlen(r->crash_reason),
			 "; recovery failed: %s", err);
		rproc_set_state(r, MMAMP_RPROC_CRASHED);
	}
	return ret;
}

/* ---- attributes ---- */

const char *mmamp_rproc_name(const struct mmamp_rproc *r)
{
	return r->core->name;
}

enum mmamp_rproc_state mmamp_rproc_state(struct mmamp_rproc *r)
{
	enum mmamp_rproc_state s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* A copy of one of @r's strings, taken under its lock; returns the string's length. */
static size_t copy_locked(struct mmamp_rproc *r, const char *s, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = (size_t)snprintf(buf, len, "%s", s);
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t mmamp_rproc_firmware(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->firmware, buf, len);
}

int mmamp_firmware_name_check(const char *name, char *why, size_t whylen)
{
	size_t n = name ? strlen(name) : 0;
	char tmp[1];

	if (!why) {
		why = tmp;
		whylen = sizeof(tmp);
	}
	if (n && name[n - 1] == '\n')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		const char *what = c == ' ' ? "a blank" : c < ' ' || c == 0x7f ? "a control character"
			: c > '~' ? "not ASCII" : c == '/' ? "a '/' (a name, not a path)" : NULL;

		if (what) {
			snprintf(why, whylen, "byte %zu (0x%02x) is %s", i, c, what);
			return -EINVAL;
		}
	}
	if (!n)
		snprintf(why, whylen, "it is empty");
	else if (n > MMAMP_FIRMWARE_NAME_MAX)
		snprintf(why, whylen, "it is %zu bytes long, more than %d", n,
			 MMAMP_FIRMWARE_NAME_MAX);
	else if ((n == 1 && name[0] == '.') || (n == 2 && !strncmp(name, "..", 2)))
		snprintf(why, whylen, "\".\" and \"..\" are directories");
	else
		return 0;
	return -EINVAL;
}

int mmamp_rproc_set_firmware(struct mmamp_rproc *r, const char *name)
{
	size_t n;
	int ret = 0;

	if (mmamp_firmware_name_check(name, NULL, 0))
		return -EINVAL;
	n = strcspn(name, "\n");
	pthread_mutex_lock(&r->lock);
	if (r->state != MMAMP_RPROC_OFFLINE) {
		ret = -EBUSY;
	} else {
		memcpy(r->firmware, name, n);
		r->firmware[n] = '\0';
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int mmamp_rproc_set_recovery(struct mmamp_rproc *r, const char *word)
{
	char err[256];
	int ret = 0;

	if (!word)
		return -EINVAL;
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (!strcmp(word, "enabled") || !strcmp(word, "enabled\n")) {
		r->recovery = true;
		if (r->state == MMAMP_RPROC_CRASHED)
			ret = rproc_recover_locked(r, err, sizeof(err));
	} else if (!strcmp(word, "disabled") || !strcmp(word, "disabled\n")) {
		r->recovery = false;
	} else if (!strcmp(word, "recover") || !strcmp(word, "recover\n")) {
		ret = r->state == MMAMP_RPROC_CRASHED ? rproc_recover_locked(r, err, sizeof(err))
							: 0;
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

bool mmamp_rproc_recovery_enabled(struct mmamp_rproc *r)
{
	return __atomic_load_n(&r->recovery, __ATOMIC_RELAXED);
}

unsigned long mmamp_rproc_ns_refused(struct mmamp_rproc *r)
{
	unsigned long n;

	pthread_mutex_lock(&r->lock);
	n = r->ns_refused;
	pthread_mutex_unlock(&r->lock);
	return n;
}

unsigned int mmamp_rproc_crash_count(struct mmamp_rproc *r)
{
	unsigned int n;

	pthread_mutex_lock(&r->lock);
	n = r->crash_count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t mmamp_rproc_found(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->found, buf, len);
}

size_t mmamp_rproc_crash_reason(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->crash_reason, buf, len);
}

int mmamp_rproc_poll(struct mmamp_rproc *r)
{
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (!rproc_is_up(r))
		ret = -EINVAL;
	else
		take_and_deliver(r);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int mmamp_rproc_wait_doorbell(struct mmamp_rproc *r, unsigned int timeout_us)
{
	if (r->bk->pending(r))
		return 0;
	if (r->h->polling)
		return -EINVAL; /* no interrupt to sleep on: poll */
	return r->bk->wait(r, (uint64_t)timeout_us * 1000u);
}

void mmamp_rproc_times(struct mmamp_rproc *r, struct mmamp_rproc_times *t)
{
	t->kick_ns = __atomic_load_n(&r->t_kick_ns, __ATOMIC_RELAXED);
	t->doorbell_ns = __atomic_load_n(&r->t_doorbell_ns, __ATOMIC_RELAXED);
	t->kicks = __atomic_load_n(&r->n_kicks, __ATOMIC_RELAXED);
	t->doorbells = __atomic_load_n(&r->n_doorbells, __ATOMIC_RELAXED);
}

int mmamp_rproc_pid(struct mmamp_rproc *r)
{
	int pid;

	pthread_mutex_lock(&r->lock);
	pid = r->powered ? r->bk->pid(r) : 0;
	pthread_mutex_unlock(&r->lock);
	return pid;
}

int mmamp_rproc_wait(struct mmamp_rproc *r, enum mmamp_rproc_state state, const char *channel,
		     int timeout_ms)
{
	struct timespec end;
	int ret = 0;

	rproc_deadline(&end, timeout_ms);
	pthread_mutex_lock(&r->lock);
	while (r->state != state || (channel && !rproc_channel_find_locked(r, channel))) {
		if (pthread_cond_timedwait(&r->changed, &r->lock, &end) == ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

/* ---- creation ---- */

int rproc_create(struct mmamp_host *h, const struct mmamp_core *c, struct mmamp_rproc **out,
		 char *err, size_t errlen)
{
	struct mmamp_rproc *r = calloc(1, sizeof(*r));
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int ret;

	if (!r)
		return -ENOMEM;
	r->h = h;
	r->core = c;
	r->pidfd = r->report_fd = -1;
	r->bk = rproc_backend_find(c->backend);
	if (!r->bk) {
		free(r);
		return rproc_fail(err, errlen, -EINVAL, "core %s: backend \"%s\" is not built in",
			    c->name, c->backend);
	}
	r->recovery = true; /* Linux's default */
	if (c->firmware)
		snprintf(r->firmware, sizeof(r->firmware), "%s", c->firmware);
	for (size_t k = 0; k < c->nrpmsg; k++)
		if (!strcmp(c->rpmsg_names[k], "vdevbuffer") ||
		    !strcmp(c->rpmsg_names[k], "vdev0buffer"))
			r->buffer_region = c->rpmsg_regions[k];
	if (!r->buffer_region || !c->rsc_table) {
		free(r);
		return rproc_fail(err, errlen, -EINVAL,
			    "core %s: the platform names no vdevbuffer or rsc-table region",
			    c->name);
	}
	ret = r->bk->create ? r->bk->create(r, err, errlen) : 0;
	if (!ret)
		ret = host_rpmsg_window_map(h, c, &r->shm, err, errlen);
	if (ret) {
		if (r->bk->destroy)
			r->bk->destroy(r);
		free(r);
		return ret;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_mutex_init(&r->op_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->changed, &ca);
	pthread_cond_init(&r->tx_space, &ca);
	pthread_condattr_destroy(&ca);
	ret = rproc_monitor_start(r);
	if (ret) {
		host_rpmsg_window_unmap(&r->shm);
		free(r);
		return rproc_fail(err, errlen, ret, "core %s: no monitor thread", c->name);
	}
	pthread_mutex_lock(&r->lock);
	rproc_reclaim(r); /* what an earlier host left: a running core is DETACHED */
	pthread_mutex_unlock(&r->lock);
	*out = r;
	return 0;
}

void rproc_destroy(struct mmamp_rproc *r)
{
	bool goes_on = false;

	if (!r)
		return;
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (rproc_is_up(r)) {
		rproc_shutdown_core(r, false);
	} else if (r->state == MMAMP_RPROC_DETACHED && r->powered) {
		rproc_forget(r); /* it ran without us before: it goes on without us */
		goes_on = true;
	}
	r->state = MMAMP_RPROC_DELETED;
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	rproc_monitor_stop(r);
	rproc_channels_free(r);
	if (r->bk->destroy)
		r->bk->destroy(r);
	if (!goes_on)
		rproc_record_clear(r); /* the backend ended what it kept (an idle QEMU) */
	host_rpmsg_window_unmap(&r->shm);
	pthread_cond_destroy(&r->changed);
	pthread_cond_destroy(&r->tx_space);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->op_lock);
	free(r->image);
	free(r->cached_table);
	free(r->desc_state);
	free(r->tx_free);
	free(r);
}
