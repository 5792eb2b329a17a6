/* SPDX-License-Identifier: BSD-3-Clause */
/* link_inproc.c — the in-process link: host library with caller_polls (see link_inproc.h). */
#define _GNU_SOURCE
#include "link_inproc.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmamp/host/rproc.h"

#define CHANNEL_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_US   2000000u

struct inproc {
	struct mmamp_host *host;
	struct mmamp_rproc *r;
	struct mmamp_channel *ch;
	bool polled;
	char runtime[64];
	uint8_t *rx;          /* where the receive callback copies the reply */
	size_t rx_len;
	volatile bool got;
	char name[160];
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
	uint64_t deadline = mm_now_ns() + (uint64_t)REPLY_TIMEOUT_US * 1000u;

	for (;;) {
		int ret = mmamp_rproc_poll(ip->r);

		if (ip->got)
			return 0;
		if (ret)
			return ret;
		if (mm_now_ns() > deadline)
			return -ETIMEDOUT;
		if (!ip->polled)
			mmamp_rproc_wait_doorbell(ip->r, 100000);
	}
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
	m->t_send = mm_now_ns();
	ret = mmamp_channel_send(ip->ch, tx, len, 1000);
	mmamp_rproc_times(ip->r, &after);
	if (ret) {
		snprintf(err, errlen, "send on %s: %s", mmamp_channel_name(ip->ch), strerror(-ret));
		return ret;
	}
	m->t_kick = after.kicks != before.kicks ? after.kick_ns : 0; /* coalesced: no ring */
	ret = wait_reply(ip);
	m->t_recv = mm_now_ns();
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
	return 0;
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
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(mmamp_rproc_pid(ip->r), sizeof(set), &set);
}

int mm_inproc_open(struct mm_link *l, const struct mm_inproc_config *cfg, char *err,
		   size_t errlen)
{
	struct mmamp_host_config hc = {
		.platform = cfg->platform,
		.firmware_path = cfg->firmware_dir,
		.simcore = cfg->simcore,
		.polling = cfg->polled,
		.caller_polls = true,
	};
	struct inproc *ip = calloc(1, sizeof(*ip));
	int ret;

	if (!ip)
		return -ENOMEM;
	snprintf(ip->runtime, sizeof(ip->runtime), "/tmp/measureman-XXXXXX");
	if (!mkdtemp(ip->runtime)) {
		ret = -errno;
		snprintf(err, errlen, "runtime directory %s: %s", ip->runtime, strerror(errno));
		free(ip);
		return ret;
	}
	hc.runtime_dir = ip->runtime;
	ip->polled = cfg->polled;
	l->priv = ip;
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
	l->name = ip->name;
	l->roundtrip = inproc_roundtrip;
	return 0;
}

int mm_inproc_remote_pid(struct mm_link *l)
{
	struct inproc *ip = l->priv;

	return ip && ip->r ? mmamp_rproc_pid(ip->r) : 0;
}

/* Remove the runtime directory the host library filled (shm/ and per-core files). */
static void remove_tree(const char *dir)
{
	char cmd[128];

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
	remove_tree(ip->runtime);
	free(ip);
	l->priv = NULL;
}
