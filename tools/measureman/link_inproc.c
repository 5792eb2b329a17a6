/* SPDX-License-Identifier: BSD-3-Clause */
/* link_inproc.c — the in-process link: host library with caller_polls (see link_inproc.h). */
#define _GNU_SOURCE
#include "link_inproc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmamp/host/rproc.h"
#include "mmamp/wire/measureman.h"
#include "mmamp/wire/qemu_mailbox.h"
#include "tool_cpu.h"

#define CHANNEL_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_US   2000000u
#define CLOCK_ROUNDS       256u          /* at least; more while the best is worse than: */
#define CLOCK_GOOD_NS      20000u
#define CLOCK_MAX_ROUNDS   8192u
#define CLOCK_BUDGET_NS    2000000000ull /* and within this much time */
#define CLOCK_ROUND_NS     2000000000ull /* the first round waits for the firmware to get there */
#define CLOCK_SPINS        256u          /* looks at the answer before yielding the CPU */

/* One calibration of the guest's clock: host = guest + offset, ± err. */
struct clock_est {
	int64_t offset;
	uint64_t err;
	uint64_t at; /* host time of the best round */
	unsigned rounds;
};

struct inproc {
	struct mmamp_host *host;
	struct mmamp_rproc *r;
	struct mmamp_channel *ch;
	bool polled;
	char runtime[64];
	uint8_t *rx;          /* where the receive callback copies the reply */
	size_t rx_len;
	volatile bool got;
	void *mailbox;        /* QEMU: the boot mailbox page (clock ping-pong), or NULL */
	bool check_isr;       /* QEMU: drop ISR points that belong to an earlier doorbell */
	bool have_base;
	int32_t base;         /* kicks - the firmware's doorbells when it has taken them all */
	unsigned above;       /* messages in a row above that */
	struct clock_est clock0;
	struct mm_link *link;
	char name[320];
};

static void on_rx(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	struct inproc *ip = ctx;

	(void)ch;
	if (ip->rx && !ip->got) {
		memcpy(ip->rx, data, len < ip->rx_len ? len : ip->rx_len);
		ip->rx_len = len;
		ip->got = true;
	}
}

/* Take doorbells (this thread is the host's ISR) until the reply is in; -ETIMEDOUT. */
static int wait_reply(struct inproc *ip)
{
	uint64_t deadline = tool_now_ns() + (uint64_t)REPLY_TIMEOUT_US * 1000u;

	for (;;) {
		int ret = mmamp_rproc_poll(ip->r);

		if (ip->got)
			return 0;
		if (ret)
			return ret;
		if (tool_now_ns() > deadline)
			return -ETIMEDOUT;
		if (!ip->polled)
			mmamp_rproc_wait_doorbell(ip->r, 100000);
	}
}

/*
 * QEMU: the M4 may find a message in the ring before its doorbell's ISR has run; the reply then
 * carries an earlier doorbell's ISR time, which no section may use. The firmware stamps how many
 * doorbells it has taken: while it has taken every kick of ours, kicks − doorbells is constant
 * (the base); above it, this message's doorbell was still on its way. Such a point, or one of a
 * message we did not ring for, is removed from the reply (0: unknown) before the loop reads it.
 * The base follows a lasting shift (a doorbell byte QEMU dropped).
 */
static void drop_stale_isr(struct inproc *ip, uint8_t *rx, size_t len, bool kicked,
			   uint64_t kicks)
{
	struct mm_wire_hdr h;
	int32_t d;

	if (len < MM_WIRE_HDR)
		return;
	memcpy(&h, rx, sizeof(h));
	if (h.magic != MM_WIRE_MAGIC || !(h.flags & MM_WIRE_STAMPED))
		return;
	d = (int32_t)((uint32_t)kicks - h.doorbells);
	if (!ip->have_base || d < ip->base || (d > ip->base && ++ip->above > 64)) {
		ip->base = d;
		ip->have_base = true;
	}
	if (d == ip->base)
		ip->above = 0;
	if (kicked && d == ip->base)
		return;
	h.isr_ns = 0;
	memcpy(rx, &h, sizeof(h));
}

static int inproc_roundtrip(struct mm_link *l, const uint8_t *tx, uint8_t *rx, size_t len,
			    struct mm_sample *m, char *err, size_t errlen)
{
	struct inproc *ip = l->priv;
	struct mmamp_rproc_times before, after;
	size_t want = len;
	int ret;

	ip->rx = rx;
	ip->rx_len = len;
	ip->got = false;
	mmamp_rproc_times(ip->r, &before);
	m->t_send = tool_now_ns();
	ret = mmamp_channel_send(ip->ch, tx, len, 1000);
	mmamp_rproc_times(ip->r, &after);
	if (ret) {
		snprintf(err, errlen, "send on %s: %s", mmamp_channel_name(ip->ch), strerror(-ret));
		return ret;
	}
	m->t_kick = after.kicks != before.kicks ? after.kick_ns : 0; /* coalesced: no ring */
	ret = wait_reply(ip);
	m->t_recv = tool_now_ns();
	if (ret) {
		snprintf(err, errlen, "no reply on %s within %u ms: %s", mmamp_channel_name(ip->ch),
			 REPLY_TIMEOUT_US / 1000u, strerror(-ret));
		return ret;
	}
	mmamp_rproc_times(ip->r, &before);
	m->t_db = before.doorbells != after.doorbells ? before.doorbell_ns : 0;
	if (ip->rx_len != want) {
		snprintf(err, errlen, "reply of %zu bytes to a %zu-byte message", ip->rx_len, want);
		return -EBADMSG;
	}
	if (ip->check_isr)
		drop_stale_isr(ip, rx, len, m->t_kick != 0, after.kicks);
	return 0;
}

/* ---- QEMU: the guest's clock against CLOCK_MONOTONIC (struct qmb_clock) ---- */

static int map_mailbox(struct inproc *ip, const char *file, char *err, size_t errlen)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ip->runtime, file);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		ip->mailbox = mmap(NULL, QMB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (ip->mailbox != MAP_FAILED)
			return 0;
	}
	ip->mailbox = NULL;
	snprintf(err, errlen, "guest clock: cannot map the boot mailbox in %s: %s", path,
		 strerror(errno));
	return -errno;
}

/*
 * Ask fw_measure to serve the ping-pong (a clock request on the channel), run CLOCK_ROUNDS
 * rounds, end it and take the firmware's echo of the request. The estimate comes from the round
 * with the shortest host round trip.
 */
static int clock_calibrate(struct inproc *ip, struct clock_est *e, char *err, size_t errlen)
{
	struct qmb_clock *c = (struct qmb_clock *)(void *)((uint8_t *)ip->mailbox +
							    QMB_CLOCK_OFFSET);
	struct mm_wire_hdr h = { .magic = MM_WIRE_CLOCK_MAGIC };
	uint8_t req[MM_WIRE_HDR], back[MM_WIRE_HDR];
	uint32_t n = __atomic_load_n(&c->ack, __ATOMIC_ACQUIRE);
	uint64_t best = UINT64_MAX, start = tool_now_ns();
	unsigned i, crashes = mmamp_rproc_crash_count(ip->r);
	char reason[300];
	int ret;

	/* Not QMB_CLOCK_END from last time: the firmware must wait for our first round. */
	__atomic_store_n(&c->req, n, __ATOMIC_RELEASE);
	memcpy(req, &h, sizeof(h));
	ip->rx = back;
	ip->rx_len = sizeof(back);
	ip->got = false;
	ret = mmamp_channel_send(ip->ch, req, sizeof(req), 1000);
	/*
	 * QEMU's vCPU thread shares the CPUs with us (and with whatever else runs): after a short
	 * spin we yield, and we go on past CLOCK_ROUNDS until a round was quick enough.
	 */
	for (i = 0; !ret && i < CLOCK_MAX_ROUNDS; i++) {
		uint64_t t1, t4, g, deadline;
		unsigned spins = 0;

		if (i >= CLOCK_ROUNDS && (best <= CLOCK_GOOD_NS || tool_now_ns() - start > CLOCK_BUDGET_NS))
			break;
		if (++n == QMB_CLOCK_END)
			n = 1;
		t1 = tool_now_ns();
		__atomic_store_n(&c->req, n, __ATOMIC_RELEASE);
		deadline = t1 + CLOCK_ROUND_NS;
		while (__atomic_load_n(&c->ack, __ATOMIC_ACQUIRE) != n) {
			if (++spins < CLOCK_SPINS)
				continue;
			if (tool_now_ns() > deadline) {
				ret = -ETIMEDOUT;
				break;
			}
			sched_yield();
		}
		t4 = tool_now_ns();
		if (ret)
			break;
		g = __atomic_load_n(&c->guest_lo, __ATOMIC_RELAXED) |
		    (uint64_t)__atomic_load_n(&c->guest_hi, __ATOMIC_RELAXED) << 32;
		if (i && t4 - t1 < best) { /* round 0 includes the firmware's way there */
			best = t4 - t1;
			e->offset = (int64_t)(t1 + (t4 - t1) / 2) - (int64_t)g;
			e->err = (t4 - t1) / 2 + 40u;
			e->at = t1;
		}
	}
	__atomic_store_n(&c->req, QMB_CLOCK_END, __ATOMIC_RELEASE);
	e->rounds = i - 1;
	if (!ret)
		ret = wait_reply(ip);
	ip->rx = NULL;
	if (ret && mmamp_rproc_crash_count(ip->r) != crashes) {
		/* not the firmware's fault in general: say what the host saw */
		mmamp_rproc_crash_reason(ip->r, reason, sizeof(reason));
		snprintf(err, errlen, "guest clock: the core crashed during the ping-pong (round "
			 "%u): %s", i, reason);
	} else if (ret) {
		snprintf(err, errlen, "guest clock: the ping-pong through the boot mailbox failed "
			 "(%s): is the firmware fw_measure built for QEMU?", strerror(-ret));
	}
	return ret;
}

int mm_inproc_clock_recheck(struct mm_link *l)
{
	struct inproc *ip = l->priv;
	struct clock_est e = { 0 };
	char err[256];
	size_t n;
	int ret;

	if (!ip || !ip->mailbox || ip->link->remote_own_clock)
		return 0;
	ret = clock_calibrate(ip, &e, err, sizeof(err));
	if (ret)
		return ret;
	n = strlen(ip->name);
	snprintf(ip->name + n, sizeof(ip->name) - n, "; offset again after %.1f s: drift %+lld ns "
		 "(±%llu)", (double)(e.at - ip->clock0.at) / 1e9,
		 (long long)(e.offset - ip->clock0.offset), (unsigned long long)e.err);
	return 0;
}

/* A wrapper that runs the emulator with -icount (the host library has no such option). */
static const char *icount_wrapper(struct inproc *ip, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/qemu-icount.sh", ip->runtime);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "#!/bin/sh\n# measureman --icount: QEMU counting instructions, 1 ns each\n"
		"exec qemu-system-arm \"$@\" -icount shift=0,sleep=off\n");
	if (fclose(f) || chmod(path, 0700))
		return NULL;
	return path;
}

static int boot(struct inproc *ip, const struct mm_inproc_config *cfg, char *err, size_t errlen)
{
	int ret = mmamp_rproc_set_firmware(ip->r, cfg->firmware);

	if (ret) {
		snprintf(err, errlen, "firmware %s on %s: %s", cfg->firmware, cfg->core,
			 strerror(-ret));
		return ret;
	}
	ret = mmamp_rproc_start(ip->r, err, errlen);
	if (ret)
		return ret;
	/* With caller_polls the name-service announcements arrive through our polls. */
	for (int ms = 0; ms < CHANNEL_TIMEOUT_MS; ms++) {
		mmamp_rproc_poll(ip->r);
		if (!mmamp_rproc_wait(ip->r, MMAMP_RPROC_RUNNING, cfg->channel, 1))
			break;
	}
	ip->ch = mmamp_rproc_find_channel(ip->r, cfg->channel);
	if (!ip->ch) {
		snprintf(err, errlen, "%s: channel %s did not come up within %d ms (firmware %s)",
			 cfg->core, cfg->channel, CHANNEL_TIMEOUT_MS, cfg->firmware);
		return -ETIMEDOUT;
	}
	return 0;
}

static void pin_remote(struct inproc *ip, int cpu)
{
	tool_pin(mmamp_rproc_pid(ip->r), cpu);
}

/* Remove the runtime directory the host library filled (shm/ and per-core files). */
static void remove_tree(const char *dir);

/*
 * A measureman that was killed (SIGKILL, a crash) left its runtime directory: its core died
 * with it (a private host: cores_outlive_host off), the directory and its 16 MiB region files
 * did not. Each directory names its owner in RUNTIME_OWNER; those of ours whose owner is gone
 * are removed before a new one is made. (A reused pid only keeps a stale directory longer.)
 * They live in $TMPDIR (an absolute path of at most RUNTIME_BASE_MAX characters), else /tmp:
 * a test that leaves one on purpose keeps the measuremen of other runs away from it.
 */
#define RUNTIME_PREFIX "measureman-"
#define RUNTIME_OWNER  "owner.pid"
#define RUNTIME_BASE_MAX 40

static const char *runtime_base(void)
{
	const char *t = getenv("TMPDIR");

	return t && t[0] == '/' && strlen(t) <= RUNTIME_BASE_MAX ? t : "/tmp";
}

static void reclaim_stale_runtimes(void)
{
	const char *base = runtime_base();
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[160], text[32];
		struct stat st;
		ssize_t n;
		long pid;
		int fd;

		if (strncmp(e->d_name, RUNTIME_PREFIX, strlen(RUNTIME_PREFIX)) ||
		    strlen(e->d_name) > 40)
			continue;
		snprintf(path, sizeof(path), "%s/%s/" RUNTIME_OWNER, base, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		n = fstat(fd, &st) ? -1 : read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n <= 0 || st.st_uid != getuid())
			continue;
		text[n] = '\0';
		pid = strtol(text, NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		fprintf(stderr, "measureman: removing %s, left by measureman %ld that was killed\n",
			path, pid);
		remove_tree(path);
	}
	closedir(d);
}

static int write_owner(const char *dir)
{
	char path[160], text[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), "%s/" RUNTIME_OWNER, dir);
	n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

int mm_inproc_open(struct mm_link *l, const struct mm_inproc_config *cfg, char *err,
		   size_t errlen)
{
	struct mmamp_host_config hc = {
		.platform = cfg->platform,
		.firmware_path = cfg->firmware_dir,
		.simcore = cfg->simcore,
		.qemu_bootrom = cfg->qemu_bootrom,
		.polling = cfg->polled,
		.caller_polls = true,
	};
	struct inproc *ip = calloc(1, sizeof(*ip));
	char wrapper[128];
	int ret;

	if (!ip)
		return -ENOMEM;
	reclaim_stale_runtimes();
	snprintf(ip->runtime, sizeof(ip->runtime), "%s/" RUNTIME_PREFIX "XXXXXX", runtime_base());
	ret = mkdtemp(ip->runtime) ? write_owner(ip->runtime) : -errno;
	if (ret) {
		snprintf(err, errlen, "runtime directory %s: %s", ip->runtime, strerror(-ret));
		if (strstr(ip->runtime, "XXXXXX") == NULL)
			remove_tree(ip->runtime);
		free(ip);
		return ret;
	}
	hc.runtime_dir = ip->runtime;
	ip->polled = cfg->polled;
	ip->link = l;
	l->priv = ip;
	l->remote_offset_ns = 0;
	l->remote_own_clock = cfg->icount;
	ip->check_isr = cfg->icount || cfg->clock_file;
	if (cfg->icount && !(hc.qemu = icount_wrapper(ip, wrapper, sizeof(wrapper)))) {
		snprintf(err, errlen, "cannot write %s: %s", wrapper, strerror(errno));
		rmdir(ip->runtime);
		free(ip);
		l->priv = NULL;
		return -EIO;
	}
	ret = mmamp_host_open(&ip->host, &hc, err, errlen);
	if (ret) {
		rmdir(ip->runtime);
		free(ip);
		l->priv = NULL;
		return ret;
	}
	ip->r = mmamp_host_rproc_by_name(ip->host, cfg->core);
	if (!ip->r) {
		snprintf(err, errlen, "platform %s has no core %s", cfg->platform, cfg->core);
		mm_inproc_close(l);
		return -ENOENT;
	}
	ret = boot(ip, cfg, err, errlen);
	if (ret) {
		mm_inproc_close(l);
		return ret;
	}
	pin_remote(ip, cfg->remote_cpu);
	mmamp_channel_set_rx(ip->ch, on_rx, ip);
	snprintf(ip->name, sizeof(ip->name), "in-process host library, %s %s on %s (%s)",
		 cfg->firmware, cfg->polled ? "polled" : "interrupt", cfg->core, cfg->channel);
	if (cfg->icount) {
		size_t n = strlen(ip->name);

		snprintf(ip->name + n, sizeof(ip->name) - n, "; QEMU -icount shift=0: remote times "
			 "are guest instructions (1 ns each), IPI sections not comparable");
	} else if (cfg->clock_file) {
		size_t n = strlen(ip->name);

		ret = map_mailbox(ip, cfg->clock_file, err, errlen);
		if (!ret)
			ret = clock_calibrate(ip, &ip->clock0, err, errlen);
		if (ret) {
			mm_inproc_close(l);
			return ret;
		}
		l->remote_offset_ns = ip->clock0.offset;
		l->remote_offset_err_ns = ip->clock0.err;
		snprintf(ip->name + n, sizeof(ip->name) - n, "; guest clock (timer0, 40 ns) put on "
			 "CLOCK_MONOTONIC by %u ping-pongs: ±%llu ns", ip->clock0.rounds,
			 (unsigned long long)ip->clock0.err);
	}
	l->name = ip->name;
	l->roundtrip = inproc_roundtrip;
	return 0;
}

int mm_inproc_remote_pid(struct mm_link *l)
{
	struct inproc *ip = l->priv;

	return ip && ip->r ? mmamp_rproc_pid(ip->r) : 0;
}

static void remove_tree(const char *dir)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "measureman: cannot remove %s\n", dir);
}

void mm_inproc_close(struct mm_link *l)
{
	struct inproc *ip = l->priv;

	if (!ip)
		return;
	if (ip->ch) {
		mmamp_channel_set_rx(ip->ch, NULL, NULL);
		mmamp_channel_put(ip->ch);
	}
	mmamp_host_close(ip->host);
	if (ip->mailbox)
		munmap(ip->mailbox, QMB_SIZE);
	remove_tree(ip->runtime);
	free(ip);
	l->priv = NULL;
}
