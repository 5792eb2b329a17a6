/* SPDX-License-Identifier: BSD-3-Clause */
/* fault_common.c — see fault_common.h. */
#include "fault_common.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../deadline.h"

void inbox_init(struct inbox *in)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->cond, NULL);
}

void inbox_reset(struct inbox *in, uint32_t next_seq)
{
	pthread_mutex_lock(&in->lock);
	in->count = 0;
	in->last_len = 0;
	in->next_seq = next_seq;
	in->out_of_order = in->corrupt = 0;
	in->acks = 0;
	pthread_mutex_unlock(&in->lock);
}

static void take(struct inbox *in, const void *data, size_t len, bool stream)
{
	pthread_mutex_lock(&in->lock);
	memcpy(in->last, data, len < sizeof(in->last) ? len : sizeof(in->last));
	in->last_len = len;
	in->count++;
	if (!stream && len >= 4 && len < sizeof(in->ack) && !memcmp(data, "ack ", 4)) {
		memcpy(in->ack, data, len);
		in->ack[len] = '\0';
		in->acks++;
	}
	if (stream && len >= 4) {
		uint8_t want[512];
		uint32_t seq;

		memcpy(&seq, data, 4);
		if (seq != in->next_seq)
			in->out_of_order++;
		stream_fill(want, len, seq);
		if (memcmp(want, data, len))
			in->corrupt++;
		in->next_seq = seq + 1;
	} else if (stream) {
		in->corrupt++;
	}
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

void inbox_rx(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	(void)ch;
	take(ctx, data, len, false);
}

void inbox_rx_stream(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	(void)ch;
	take(ctx, data, len, true);
}

int inbox_wait_ack(struct inbox *in, uint64_t acks, int timeout_ms)
{
	struct timespec end;
	int ret = 0;

	deadline_in_ms(&end, timeout_ms);
	pthread_mutex_lock(&in->lock);
	while (in->acks < acks && ret == 0)
		ret = pthread_cond_timedwait(&in->cond, &in->lock, &end);
	ret = in->acks >= acks ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int inbox_wait(struct inbox *in, uint64_t count, int timeout_ms)
{
	struct timespec end;
	int ret = 0;

	deadline_in_ms(&end, timeout_ms);
	pthread_mutex_lock(&in->lock);
	while (in->count < count && ret == 0)
		ret = pthread_cond_timedwait(&in->cond, &in->lock, &end);
	ret = in->count >= count ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

uint64_t inbox_count(struct inbox *in)
{
	uint64_t n;

	pthread_mutex_lock(&in->lock);
	n = in->count;
	pthread_mutex_unlock(&in->lock);
	return n;
}

void stream_fill(uint8_t *buf, size_t len, uint32_t seq)
{
	memcpy(buf, &seq, 4);
	for (size_t k = 4; k < len; k++)
		buf[k] = (uint8_t)(seq * 31u + k * 7u);
}

/* ---- the state log ---- */

#define STATES_MAX 4096

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mmamp_rproc *who[STATES_MAX];
	enum mmamp_rproc_state seen[STATES_MAX];
	unsigned int n;
} states = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, { 0 }, 0 };

static void on_state(void *ctx, struct mmamp_rproc *r, enum mmamp_rproc_state s)
{
	(void)ctx;
	pthread_mutex_lock(&states.lock);
	if (states.n < STATES_MAX) {
		states.who[states.n] = r;
		states.seen[states.n++] = s;
	}
	pthread_cond_broadcast(&states.cond);
	pthread_mutex_unlock(&states.lock);
}

static const struct mmamp_host_events events = { .state = on_state };

void states_reset(void)
{
	pthread_mutex_lock(&states.lock);
	states.n = 0;
	pthread_mutex_unlock(&states.lock);
}

unsigned int states_mark(void)
{
	unsigned int n;

	pthread_mutex_lock(&states.lock);
	n = states.n;
	pthread_mutex_unlock(&states.lock);
	return n;
}

int states_wait(unsigned int from, struct mmamp_rproc *r, enum mmamp_rproc_state a,
		enum mmamp_rproc_state b, int timeout_ms)
{
	struct timespec end;
	int ret = 0;

	deadline_in_ms(&end, timeout_ms);
	pthread_mutex_lock(&states.lock);
	for (;;) {
		unsigned int i = from;

		while (i < states.n && !(states.who[i] == r && states.seen[i] == a))
			i++;
		while (i < states.n && !(states.who[i] == r && states.seen[i] == b))
			i++;
		if (i < states.n) {
			ret = 0;
			break;
		}
		if (ret) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = pthread_cond_timedwait(&states.cond, &states.lock, &end);
	}
	pthread_mutex_unlock(&states.lock);
	return ret;
}

/* ---- the world ---- */

static struct world *last_world; /* for consoles in failure messages */

static void open_with(struct world *w, struct mmamp_host_config *cfg)
{
	char err[512];

	last_world = w;
	snprintf(w->runtime, sizeof(w->runtime), "/tmp/mmamp-fault-XXXXXX");
	assert_non_null(mkdtemp(w->runtime));
	cfg->runtime_dir = w->runtime;
	cfg->events = &events;
	if (mmamp_host_open(&w->h, cfg, err, sizeof(err)))
		fail_msg("mmamp_host_open on %s: %s", cfg->platform, err);
}

void world_open(struct world *w, const char *dtb)
{
	struct mmamp_host_config cfg = { 0 };

	cfg.platform = dtb;
	cfg.firmware_path = MMAMP_FIRMWARE_DIR;
	cfg.simcore = MMAMP_SIMCORE;
	open_with(w, &cfg);
}

void world_open_qemu(struct world *w, const char *dtb, const char *bootrom, const char *fwdir)
{
	struct mmamp_host_config cfg = { 0 };

	cfg.platform = dtb;
	cfg.firmware_path = fwdir;
	cfg.simcore = "/nonexistent"; /* no sim cores on a qemu platform */
	cfg.qemu_bootrom = bootrom;
	open_with(w, &cfg);
}

void world_close(struct world *w)
{
	char cmd[128];

	if (last_world == w)
		last_world = NULL;
	if (w->h)
		mmamp_host_close(w->h);
	w->h = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->runtime);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", w->runtime);
}

void dump_console(struct world *w, const char *core)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "tail -n 40 '%s/%s.console' >&2", w->runtime, core);
	if (system(cmd))
		(void)0;
}

void boot(struct mmamp_rproc *r, const char *fw)
{
	char err[512];

	assert_int_equal(mmamp_rproc_set_firmware(r, fw), 0);
	if (mmamp_rproc_start(r, err, sizeof(err)))
		fail_msg("start %s on %s: %s", fw, mmamp_rproc_name(r), err);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { TTY, RAW, INFO };

		if (mmamp_rproc_wait(r, MMAMP_RPROC_RUNNING, names[i], FAULT_WAIT_MS)) {
			char reason[256];

			if (last_world)
				dump_console(last_world, mmamp_rproc_name(r));
			mmamp_rproc_crash_reason(r, reason, sizeof(reason));
			fail_msg("%s booted %s but is %s without channel %s (%zu channels; %u "
				 "crashes, last: %s)", mmamp_rproc_name(r), fw,
				 mmamp_rproc_state_str(mmamp_rproc_state(r)), names[i],
				 mmamp_rproc_channels(r, NULL, 0), mmamp_rproc_crash_count(r), reason);
		}
	}
}

struct mmamp_channel *chan(struct mmamp_rproc *r, const char *name, mmamp_channel_rx_fn fn,
			   struct inbox *in)
{
	struct mmamp_channel *ch;

	if (mmamp_rproc_wait(r, MMAMP_RPROC_RUNNING, name, FAULT_WAIT_MS))
		fail_msg("%s: no channel %s (state %s)", mmamp_rproc_name(r), name,
			 mmamp_rproc_state_str(mmamp_rproc_state(r)));
	ch = mmamp_rproc_find_channel(r, name);
	assert_non_null(ch);
	mmamp_channel_set_rx(ch, fn, in);
	return ch;
}

int echo_once(struct mmamp_channel *ch, struct inbox *in, const void *msg, size_t len)
{
	uint64_t before = inbox_count(in);
	int ret = mmamp_channel_send(ch, msg, len, FAULT_WAIT_MS);

	if (ret)
		return ret;
	ret = inbox_wait(in, before + 1, FAULT_WAIT_MS);
	if (ret)
		return ret;
	pthread_mutex_lock(&in->lock);
	ret = in->last_len == len && !memcmp(in->last, msg, len) ? 0 : -EBADMSG;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

/* ---- census ---- */

static unsigned int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* opendir's own descriptor (for fd/), or ignored noise for task/ */
}

static unsigned int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned int n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n;
}

/* Processes whose parent is us (from /proc/<pid>/stat: "pid (comm) state ppid ..."). */
static unsigned int count_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned int n = 0;
	pid_t me = getpid();

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		FILE *f;
		char *p;
		int ppid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == me)
			n++;
	}
	closedir(d);
	return n;
}

void census_take(struct census *c)
{
	c->fds = count_dir("/proc/self/fd");
	c->maps = count_lines("/proc/self/maps");
	c->threads = count_dir("/proc/self/task") + 1;
	c->children = count_children();
}

unsigned long env_count(const char *name, unsigned long def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	return *end || !n ? def : n;
}
