/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control.c — the control socket <runtime>/mmampd.sock: AF_UNIX SOCK_SEQPACKET, one request per
 * packet, one reply per packet. Requests are words separated by blanks; replies are
 * "ok[ VALUE]", a table "ok N\n" + N lines, or "err <ERRNO-NAME> <message>". The words and
 * errors are those of the kernel's remoteproc sysfs (tools/mmampd/README.md) wherever there is one.
 *
 *   ping                               ok mmampd <version> pid=<pid> cores=<n>
 *   list                               ok N, then "<core> <state> <firmware|-> <recovery>
 *                                      <crash_count> <pid>" per core
 *   get <core> name|state|firmware|recovery|crash_count|crash_reason|pid
 *                                      ok <value> (firmware, crash_reason may be empty)
 *   set <core> state start|stop|detach EBUSY start while not offline; EINVAL stop while not
 *                                      running/attached/crashed, detach while not attached;
 *                                      start: ENOENT/ENOEXEC/EACCES… with the loader's reason
 *   set <core> firmware <name>         EBUSY unless offline; EINVAL empty or not a file name
 *   set <core> recovery enabled|disabled|recover
 *   channels <core>                    ok N, then per channel "<name> src=<a> dst=<a>
 *                                      dev=<path|-> pts=</dev/pts/N|-> tx= rx= rx_dropped=
 *                                      tx_errors= rejected= stalls=
 *                                      client=yes|no|-"
 *   wait <core> <state> [<channel>|channel=<name>]... [crashes=<n>] <timeout_ms>
 *                                      ok once the core is in <state> — or passes through it
 *                                      (a state event while the request is pending counts,
 *                                      so "wait m4_0 crashed" sees a crash even if recovery
 *                                      follows at once) — with each named channel's TTY or
 *                                      endpoint in place and at least <n> crashes so far;
 *                                      err ETIMEDOUT otherwise
 *   shutdown                           stop every core, remove the devices and the socket,
 *                                      then "ok"; the daemon exits
 * Unknown core: err ENOENT. Bad word or missing argument: err EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmampd.h"

#define MAX_WORDS 16

static char reply_buf[MMAMP_CTL_MAX];

static const char *const state_words[] = { "offline", "suspended", "running", "crashed",
					   "deleted", "attached", "detached" };

static int state_from_word(const char *w, enum mmamp_rproc_state *s)
{
	for (size_t i = 0; i < sizeof(state_words) / sizeof(state_words[0]); i++) {
		if (!strcmp(w, state_words[i])) {
			*s = (enum mmamp_rproc_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- replies ---- */

static void conn_send(struct daemon *d, struct conn *c, const char *buf, size_t len)
{
	(void)d;
	if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		logmsg("control: a reply was lost: %s", strerror(errno));
}

static void reply_ok(struct daemon *d, struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_ok(struct daemon *d, struct conn *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(reply_buf, sizeof(reply_buf), "ok");

	if (fmt && fmt[0]) {
		reply_buf[n++] = ' ';
		va_start(ap, fmt);
		vsnprintf(reply_buf + n, sizeof(reply_buf) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	conn_send(d, c, reply_buf, strlen(reply_buf));
}

static void reply_err(struct daemon *d, struct conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reply_err(struct daemon *d, struct conn *c, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(reply_buf, sizeof(reply_buf), "err %s ", mmamp_errno_name(err));

	va_start(ap, fmt);
	vsnprintf(reply_buf + n, sizeof(reply_buf) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one line */
	for (char *p = reply_buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	conn_send(d, c, reply_buf, strlen(reply_buf));
}

/* Append to a table reply. */
struct table {
	size_t len;
	unsigned rows;
};

static void table_add(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void table_add(struct table *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(reply_buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(reply_buf + t->len, sizeof(reply_buf) - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(reply_buf) - t->len) {
		t->len = sizeof(reply_buf) - 1;
		return;
	}
	t->len += (size_t)n;
	t->rows++;
}

/* Names the remote chose go out as one word: blanks and control bytes as \xNN. */
static const char *word(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch >= 0x7f || ch == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return o ? buf : "-";
}

/* ---- the requests ---- */

static struct core *need_core(struct daemon *d, struct conn *c, const char *name)
{
	struct core *core = core_by_name(d, name);
	char names[256] = "";
	size_t n = 0;

	if (core)
		return core;
	for (size_t i = 0; i < d->ncores && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      d->cores[i].name);
	reply_err(d, c, ENOENT, "no remote processor \"%s\" (this platform has: %s)", name, names);
	return NULL;
}

static void do_list(struct daemon *d, struct conn *c)
{
	struct table t = { 0, 0 };
	char hdr[32], fw[256], w[600];
	size_t hl;

	for (size_t i = 0; i < d->ncores; i++) {
		struct mmamp_rproc *r = d->cores[i].r;
		int pid = mmamp_rproc_pid(r);

		mmamp_rproc_firmware(r, fw, sizeof(fw));
		table_add(&t, "\n%s %s %s %s %u %d", d->cores[i].name,
			  mmamp_rproc_state_str(mmamp_rproc_state(r)), word(fw, w, sizeof(w)),
			  mmamp_rproc_recovery_enabled(r) ? "enabled" : "disabled",
			  mmamp_rproc_crash_count(r), pid);
	}
	/* the header goes in front */
	hl = (size_t)snprintf(hdr, sizeof(hdr), "ok %u", t.rows);
	memmove(reply_buf + hl, reply_buf, t.len);
	memcpy(reply_buf, hdr, hl);
	conn_send(d, c, reply_buf, hl + t.len);
}

/* ---- the remoteproc attributes: shared with the sysfs face (sysfs_fuse.c) ---- */

int lcm_get(struct core *core, const char *attr, char *buf, size_t len)
{
	if (!strcmp(attr, "name"))
		snprintf(buf, len, "%s", core->name);
	else if (!strcmp(attr, "state"))
		snprintf(buf, len, "%s", mmamp_rproc_state_str(mmamp_rproc_state(core->r)));
	else if (!strcmp(attr, "firmware"))
		mmamp_rproc_firmware(core->r, buf, len);
	else if (!strcmp(attr, "recovery"))
		snprintf(buf, len, "%s", mmamp_rproc_recovery_enabled(core->r) ? "enabled" : "disabled");
	else if (!strcmp(attr, "crash_count"))
		snprintf(buf, len, "%u", mmamp_rproc_crash_count(core->r));
	else if (!strcmp(attr, "crash_reason"))
		mmamp_rproc_crash_reason(core->r, buf, len);
	else if (!strcmp(attr, "pid"))
		snprintf(buf, len, "%d", mmamp_rproc_pid(core->r));
	else
		return -EINVAL;
	return 0;
}

/*
 * Before a boot: the firmware the library will open (the first directory of the search list
 * that has the name) must be a regular file. A FIFO there would block the open — and with it
 * this event loop — forever; a device or directory is refused the same way, with one line.
 */
static int firmware_is_a_file(struct daemon *d, struct core *core, char *msg, size_t len)
{
	char name[256], path[PATH_MAX];
	const char *dir = d->firmware_dir;
	struct stat st;

	if (mmamp_rproc_state(core->r) != MMAMP_RPROC_OFFLINE ||
	    mmamp_rproc_firmware(core->r, name, sizeof(name)) == 0)
		return 0; /* attach, or no firmware: the library's own error */
	for (;;) {
		size_t n = strcspn(dir, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)n, dir, name);
		if (stat(path, &st) == 0) {
			if (S_ISREG(st.st_mode))
				return 0;
			snprintf(msg, len, "firmware %s: not a regular file", path);
			return -ENOEXEC;
		}
		if (!dir[n])
			return 0; /* nowhere: the library says ENOENT */
		dir += n + 1;
	}
}

int lcm_set_state(struct daemon *d, struct core *core, const char *v, char *msg, size_t len)
{
	enum mmamp_rproc_state s = mmamp_rproc_state(core->r);
	int ret;

	msg[0] = '\0';
	/* Start and stop report state and channel events from inside the call (this thread):
	 * they are handled before returning, so after a stop the channels' TTYs and endpoints
	 * are gone. */
	if (!strcmp(v, "start")) {
		ret = firmware_is_a_file(d, core, msg, len);
		if (ret)
			return ret;
		ret = mmamp_rproc_start(core->r, msg, len);
		handoff_process(d);
		if (ret && !msg[0])
			snprintf(msg, len, "%s", strerror(-ret));
		return ret;
	}
	if (!strcmp(v, "stop")) {
		ret = mmamp_rproc_stop(core->r);
		handoff_process(d);
		if (ret == -EINVAL)
			snprintf(msg, len, "%s is %s: only a running, attached or crashed core can be "
				 "stopped", core->name, mmamp_rproc_state_str(s));
		else if (ret)
			snprintf(msg, len, "stopping %s: %s", core->name, strerror(-ret));
		return ret;
	}
	if (!strcmp(v, "detach")) {
		ret = mmamp_rproc_detach(core->r); /* the core runs on; start attaches again */
		handoff_process(d);
		if (ret)
			snprintf(msg, len, "%s is %s: only an attached core can be detached",
				 core->name, mmamp_rproc_state_str(s));
		return ret;
	}
	snprintf(msg, len, "state: \"%s\" is not start, stop or detach", v);
	return -EINVAL;
}

int lcm_set_firmware(struct core *core, const char *name, char *msg, size_t len)
{
	int ret = mmamp_rproc_set_firmware(core->r, name);
	char why[120], shown[4 * 60 + 1];

	msg[0] = '\0';
	if (ret == -EINVAL) {
		mmamp_firmware_name_check(name, why, sizeof(why));
		snprintf(msg, len, "firmware \"%s%s\" refused: %s", mmamp_escape(name,
			 strnlen(name, 60), false, shown, sizeof(shown)),
			 strlen(name) > 60 ? "..." : "", why);
	} else if (ret == -EBUSY)
		snprintf(msg, len, "%s is %s: the firmware can be changed only while offline",
			 core->name, mmamp_rproc_state_str(mmamp_rproc_state(core->r)));
	else if (ret)
		snprintf(msg, len, "firmware: %s", strerror(-ret));
	return ret;
}

int lcm_set_recovery(struct core *core, const char *word, char *msg, size_t len)
{
	char reason[400];
	int ret;

	msg[0] = '\0';
	if (strcmp(word, "enabled") && strcmp(word, "disabled") && strcmp(word, "recover")) {
		snprintf(msg, len, "recovery: \"%s\" is not enabled, disabled or recover", word);
		return -EINVAL;
	}
	ret = mmamp_rproc_set_recovery(core->r, word);
	if (ret) {
		mmamp_rproc_crash_reason(core->r, reason, sizeof(reason));
		snprintf(msg, len, "recovery of %s failed: %s", core->name, reason);
	}
	return ret;
}

static void do_get(struct daemon *d, struct conn *c, char **w, int n)
{
	struct core *core;
	char buf[600];

	if (n != 3) {
		reply_err(d, c, EINVAL, "usage: get <core> name|state|firmware|recovery|"
			  "crash_count|crash_reason|pid");
		return;
	}
	if (!(core = need_core(d, c, w[1])))
		return;
	if (lcm_get(core, w[2], buf, sizeof(buf)))
		reply_err(d, c, EINVAL, "get: no attribute \"%s\" (name, state, firmware, recovery, "
			  "crash_count, crash_reason, pid)", w[2]);
	else
		reply_ok(d, c, "%s", buf);
}

static void do_set(struct daemon *d, struct conn *c, char **w, int n)
{
	struct core *core;
	char msg[512];
	int ret;

	if (n != 4) {
		reply_err(d, c, EINVAL, "usage: set <core> state|firmware|recovery <value>");
		return;
	}
	if (!(core = need_core(d, c, w[1])))
		return;
	if (!strcmp(w[2], "state")) {
		ret = lcm_set_state(d, core, w[3], msg, sizeof(msg));
	} else if (!strcmp(w[2], "firmware")) {
		ret = lcm_set_firmware(core, w[3], msg, sizeof(msg));
	} else if (!strcmp(w[2], "recovery")) {
		ret = lcm_set_recovery(core, w[3], msg, sizeof(msg));
	} else {
		reply_err(d, c, EINVAL, "set: no attribute \"%s\" (state, firmware, recovery)", w[2]);
		return;
	}
	if (ret)
		reply_err(d, c, -ret, "%s", msg);
	else
		reply_ok(d, c, NULL);
}

static void do_channels(struct daemon *d, struct conn *c, char **w, int n)
{
	struct mmamp_channel *chs[64];
	struct table t = { 0, 0 };
	struct core *core;
	char hdr[32], nb[200], pb[PATH_MAX * 4];
	size_t count, hl;

	if (n != 2) {
		reply_err(d, c, EINVAL, "usage: channels <core>");
		return;
	}
	if (!(core = need_core(d, c, w[1])))
		return;
	count = mmamp_rproc_channels(core->r, chs, 64);
	if (count > 64)
		count = 64;
	/* oldest first: the library lists the newest first */
	for (size_t i = count; i-- > 0;) {
		struct mmamp_channel_stats st;
		struct dev *dev = dev_by_channel(d, chs[i]);
		uint64_t dropped, overflow = 0, noreader = 0;

		mmamp_channel_stats(chs[i], &st);
		if (dev) {
			pthread_mutex_lock(&dev->lock);
			overflow = dev->rx_overflow;
			noreader = dev->rx_noreader;
			pthread_mutex_unlock(&dev->lock);
		}
		dropped = st.rx_dropped + overflow + noreader;
		table_add(&t, "\n%s src=%u dst=%u dev=%s pts=%s tx=%llu rx=%llu rx_dropped=%llu "
			  "tx_errors=%llu rejected=%llu stalls=%llu client=%s",
			  word(mmamp_channel_name(chs[i]), nb, sizeof(nb)), mmamp_channel_src(chs[i]),
			  mmamp_channel_dst(chs[i]), dev ? word(dev->path, pb, sizeof(pb)) : "-",
			  dev && dev->is_tty ? dev->pts : "-", (unsigned long long)st.tx,
			  (unsigned long long)st.rx, (unsigned long long)dropped,
			  (unsigned long long)(dev ? dev->tx_errors : 0),
			  (unsigned long long)(dev ? dev->rejected : 0),
			  (unsigned long long)(dev ? dev->tx_stalls : 0),
			  !dev || dev->is_tty ? "-" : (dev->client >= 0 ? "yes" : "no"));
		mmamp_channel_put(chs[i]);
	}
	hl = (size_t)snprintf(hdr, sizeof(hdr), "ok %u", t.rows);
	memmove(reply_buf + hl, reply_buf, t.len);
	memcpy(reply_buf, hdr, hl);
	conn_send(d, c, reply_buf, hl + t.len);
}

/* ---- wait ---- */

static bool has_device(struct daemon *d, struct core *core, const char *name)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (dev->core == core && !strcmp(dev->chname, name))
			return true;
	return false;
}

/*
 * Whether @w holds. Everything is judged on the loop's own view — the state of the last state
 * event it handled, the crashes it saw, the devices it has — never on the library's current
 * state, which may be ahead of the events still queued (a crash and its recovery done in the
 * library while the old channels' TTYs are still here would otherwise look like success).
 */
static bool satisfied(struct daemon *d, const struct waiter *w)
{
	if (w->core->last != w->state)
		return false;
	for (int i = 0; i < w->nchannels; i++)
		if (!has_device(d, w->core, w->channels[i]))
			return false;
	return w->core->crashes >= w->crashes;
}

static void conn_resume(struct daemon *d, struct conn *c)
{
	free(c->wait);
	c->wait = NULL;
	epoll_set(d, c->fd, &c->w, &c->ev, EPOLLIN);
}

/* After the loop handled a state event (core->last is that state) or a new channel. */
void ctl_waiters_check(struct daemon *d, struct core *core)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		if (!c->wait || c->wait->core != core || !satisfied(d, c->wait))
			continue;
		reply_ok(d, c, NULL);
		conn_resume(d, c);
	}
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s[0] || s[0] == '-' || s[0] == '+')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static void do_wait(struct daemon *d, struct conn *c, char **w, int n)
{
	struct waiter *wt;
	unsigned long v;

	if (n < 4) {
		reply_err(d, c, EINVAL, "usage: wait <core> <state> [<channel>|channel=<name>]... "
			  "[crashes=<n>] <timeout_ms>");
		return;
	}
	wt = calloc(1, sizeof(*wt));
	if (!wt) {
		reply_err(d, c, ENOMEM, "out of memory");
		return;
	}
	if (!(wt->core = need_core(d, c, w[1])))
		goto out;
	if (state_from_word(w[2], &wt->state)) {
		reply_err(d, c, EINVAL, "wait: \"%s\" is not a state (offline, suspended, running, "
			  "crashed, deleted, attached, detached)", w[2]);
		goto out;
	}
	if (!parse_uint(w[n - 1], 86400000ul, &v)) {
		reply_err(d, c, EINVAL, "wait: the last word must be the timeout in ms (0..86400000), "
			  "not \"%s\"", w[n - 1]);
		goto out;
	}
	wt->timeout_ms = (int)v;
	for (int i = 3; i < n - 1; i++) {
		const char *name = w[i];

		if (!strncmp(w[i], "crashes=", 8)) {
			if (!parse_uint(w[i] + 8, 1000000ul, &v)) {
				reply_err(d, c, EINVAL, "wait: bad crash count \"%s\"", w[i] + 8);
				goto out;
			}
			wt->crashes = (unsigned)v;
			continue;
		}
		if (!strncmp(w[i], "channel=", 8))
			name = w[i] + 8;
		if (!name[0] || strlen(name) >= sizeof(wt->channels[0]) ||
		    wt->nchannels >= MMAMPD_MAX_CHANNEL_WAIT) {
			reply_err(d, c, EINVAL, "wait: bad channel name \"%s\" (at most %d names of "
				  "1..31 bytes)", name, MMAMPD_MAX_CHANNEL_WAIT);
			goto out;
		}
		snprintf(wt->channels[wt->nchannels++], sizeof(wt->channels[0]), "%s", name);
	}
	handoff_process(d); /* catch up with the library first */
	if (satisfied(d, wt)) {
		reply_ok(d, c, NULL);
		goto out;
	}
	deadline_after(&wt->deadline, wt->timeout_ms);
	c->wait = wt;
	/* no further requests from this connection until the wait ends; a hang-up still shows */
	epoll_set(d, c->fd, &c->w, &c->ev, 0);
	return;
out:
	free(wt);
}

int ctl_next_timeout(struct daemon *d)
{
	int64_t best = -1;

	for (struct conn *c = d->conns; c; c = c->next) {
		int64_t ms;

		if (!c->wait)
			continue;
		ms = ms_until(&c->wait->deadline);
		if (best < 0 || ms < best)
			best = ms;
	}
	return best > 1000000 ? 1000000 : (int)best;
}

void ctl_expire(struct daemon *d)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		struct waiter *w = c->wait;
		char what[400] = "";
		size_t n = 0;

		if (!w || ms_until(&w->deadline) > 0)
			continue;
		for (int i = 0; i < w->nchannels && n < sizeof(what); i++)
			n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s", i ? ", " : " with ",
					      w->channels[i]);
		if (w->crashes && n < sizeof(what))
			snprintf(what + n, sizeof(what) - n, " after %u crash%s", w->crashes,
				 w->crashes == 1 ? "" : "es");
		reply_err(d, c, ETIMEDOUT, "%s not %s%s within %d ms (it is %s, %u crash%s so far)",
			  w->core->name, state_words[w->state], what, w->timeout_ms,
			  mmamp_rproc_state_str(mmamp_rproc_state(w->core->r)),
			  mmamp_rproc_crash_count(w->core->r),
			  mmamp_rproc_crash_count(w->core->r) == 1 ? "" : "es");
		conn_resume(d, c);
	}
}

void ctl_cancel_all(struct daemon *d, int err, const char *why)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		if (!c->wait)
			continue;
		reply_err(d, c, err, "%s", why);
		conn_resume(d, c);
	}
}

/* ---- connections ---- */

void ctl_accept(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct conn *c;

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->w = (struct watch){ W_CTL_CONN, c };
		c->ev = UINT32_MAX;
		if (epoll_set(d, fd, &c->w, &c->ev, EPOLLIN)) {
			close(fd);
			free(c);
			return;
		}
		c->next = d->conns;
		d->conns = c;
	}
}

void ctl_close(struct daemon *d, struct conn *c)
{
	for (struct conn **pp = &d->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	epoll_forget(d, c->fd, &c->ev);
	close(c->fd);
	free(c->wait);
	free(c);
}

static void handle(struct daemon *d, struct conn *c, char *req)
{
	char *w[MAX_WORDS + 1], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(req, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS) {
			reply_err(d, c, E2BIG, "too many words in the request");
			return;
		}
		w[n++] = t;
	}
	w[n] = NULL;
	if (n == 0) {
		reply_err(d, c, EINVAL, "empty request");
	} else if (n > 1 && (!strcmp(w[0], "ping") || !strcmp(w[0], "list") ||
			     !strcmp(w[0], "shutdown"))) {
		/* every request refuses words it does not take alike: "usage: …" */
		reply_err(d, c, EINVAL, "usage: %s (no arguments)", w[0]);
	} else if (!strcmp(w[0], "ping")) {
		reply_ok(d, c, "mmampd %s pid=%d cores=%zu", MMAMPD_VERSION, (int)getpid(),
			 d->ncores);
	} else if (!strcmp(w[0], "list")) {
		do_list(d, c);
	} else if (!strcmp(w[0], "get")) {
		do_get(d, c, w, n);
	} else if (!strcmp(w[0], "set")) {
		do_set(d, c, w, n);
	} else if (!strcmp(w[0], "channels")) {
		do_channels(d, c, w, n);
	} else if (!strcmp(w[0], "wait")) {
		do_wait(d, c, w, n);
	} else if (!strcmp(w[0], "shutdown")) {
		logmsg("shutdown requested");
		c->shutdown_reply = true;
		d->stopping = true;
	} else {
		reply_err(d, c, EINVAL, "unknown request \"%s\" (ping, list, get, set, channels, "
			  "wait, shutdown)", w[0]);
	}
}

void ctl_event(struct daemon *d, struct conn *c, uint32_t events)
{
	static char req[MMAMP_CTL_MAX + 1];
	ssize_t n;

	if ((events & EPOLLIN) && !c->wait) {
		n = recv(c->fd, req, MMAMP_CTL_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			ctl_close(d, c);
			return;
		}
		if (n > MMAMP_CTL_MAX) {
			reply_err(d, c, E2BIG, "request longer than %d bytes", MMAMP_CTL_MAX);
			return;
		}
		req[n] = '\0';
		if (strlen(req) != (size_t)n) {
			reply_err(d, c, EINVAL, "request contains a NUL byte");
			return;
		}
		handle(d, c, req);
		return;
	}
	if (events & (EPOLLHUP | EPOLLERR))
		ctl_close(d, c);
}
