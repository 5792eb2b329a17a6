/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp — the command line of the mmamp host side. Lifecycle requests go to mmampd's control
 * socket (<runtime>/mmampd.sock, tools/mmampd/control.c); messages go straight to the message
 * endpoints (<runtime>/rpmsgN) and TTYs (<runtime>/ttyRPMSGn) mmampd publishes.
 *
 * Strings are the kernel's (offline, running, crashed…; enabled/disabled/recover). Exit status:
 * 0 success; 1 an error, printed as one line "mmamp: <what> (<ERRNO-NAME>)"; 2 a usage error.
 *
 * Endpoint client semantics (what `send`, `recv` and `rtt` implement, and any client should):
 * one packet is one message of at most 496 bytes. mmamp refuses a longer DATA itself with
 * EMSGSIZE before it connects (mmampd would refuse it too, with a status packet). Packets longer
 * than 496 bytes that mmampd sends are status packets (proto.h): EBUSY (another client has the
 * endpoint), EMSGSIZE, EPIPE (the channel went away), ETIMEDOUT (no TX buffer for 15 s). A
 * client learns that its messages were handed to RPMsg when mmampd, having read its end of
 * stream (shutdown(SHUT_WR)), closes the connection without a status packet.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "tool_rtt.h"
#include "tool_sock.h"
#include "tool_time.h"

#define DEFAULT_WAIT_MS 10000
#define DEFAULT_IO_MS 5000

static char runtime[MMAMP_RUNTIME_MAX];

/* ---- errors ---- */

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

/* One line on stderr, exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3))) die(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("mmamp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s)\n", mmamp_errno_name(err));
	exit(1);
}

static const struct cmd *current;

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmamp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'mmamp %s%s--help'\n", current ? current->name : "",
		current ? " " : "");
	exit(2);
}

/* A value that goes into a control request: one non-empty word. */
static const char *value(const char *what, const char *v)
{
	if (!v[0])
		die(EINVAL, "%s must not be empty", what);
	if (strlen(v) > 255) /* no core, attribute or name is this long: not a request */
		die(EINVAL, "%s \"%.40s...\" is longer than 255 bytes", what, v);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			die(EINVAL, "%s \"%s\" contains a blank or a control character", what, v);
	return v;
}

static int parse_int(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!s[0] || *end || errno || v < min || v > max)
		usage_error("%s must be a number from %ld to %ld, not \"%s\"", what, min, max, s);
	return (int)v;
}

/* ---- the control socket ---- */

struct reply {
	bool ok;
	int err;
	char *text; /* after "ok " or after "err NAME ", escaped (mmamp_escape): printable */
	char buf[MMAMP_CTL_MAX + 1];
	char shown[4 * MMAMP_CTL_MAX + 1];
};

/* What the daemon says holds names nobody here chose (firmware names, channel names a remote
 * announced, crash reasons): never raw to the terminal. */
static struct reply *escaped(struct reply *r, char *text)
{
	mmamp_escape(text, strlen(text), true, r->shown, sizeof(r->shown));
	r->text = r->shown;
	return r;
}

static int ctl_connect(void)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/" MMAMP_CTL_SOCKET, runtime);
	fd = tool_seqpacket_connect(path);
	if (fd == -ENAMETOOLONG)
		die(ENAMETOOLONG, "%s: path too long for a UNIX socket", path);
	if (fd < 0)
		die(-fd, "cannot reach mmampd at %s: %s%s", path, strerror(-fd),
		    fd == -ENOENT || fd == -ECONNREFUSED ? " (is mmampd running? see -r)" : "");
	return fd;
}

static void set_timeout(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* Send one request, read its reply (within @timeout_ms). */
static struct reply *request(int timeout_ms, const char *fmt, ...)
{
	static struct reply r;
	char req[4096];
	va_list ap;
	ssize_t n;
	int fd = ctl_connect();

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	set_timeout(fd, SO_RCVTIMEO, timeout_ms);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		die(errno, "mmampd: %s", strerror(errno));
	n = recv(fd, r.buf, MMAMP_CTL_MAX, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		die(ETIMEDOUT, "mmampd did not answer \"%s\" within %d ms", req, timeout_ms);
	if (n < 0)
		die(errno, "mmampd: %s", strerror(errno));
	if (n == 0)
		die(ECONNRESET, "mmampd closed the connection without answering \"%s\"", req);
	close(fd);
	r.buf[n] = '\0';
	if (!strncmp(r.buf, "ok", 2) && (r.buf[2] == '\0' || r.buf[2] == ' ' || r.buf[2] == '\n')) {
		r.ok = true;
		r.err = 0;
		return escaped(&r, r.buf + 2 + (r.buf[2] == ' '));
	}
	if (!strncmp(r.buf, "err ", 4)) {
		char *sp = strchr(r.buf + 4, ' ');

		r.ok = false;
		if (sp)
			*sp = '\0';
		r.err = mmamp_errno_from_name(r.buf + 4);
		if (!r.err)
			r.err = EPROTO;
		return escaped(&r, sp ? sp + 1 : (char *)"");
	}
	die(EPROTO, "mmampd answered something unexpected: %.80s",
	    mmamp_escape(r.buf, strnlen(r.buf, 80), false, r.shown, sizeof(r.shown)));
}

/* A request whose reply must be "ok"; errors end the program. */
static struct reply *must(int timeout_ms, const char *fmt, ...)
{
	struct reply *r;
	char req[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	r = request(timeout_ms, "%s", req);
	if (!r->ok)
		die(r->err, "%s", r->text);
	return r;
}

/* Split a table reply "N\nline\nline" into lines (in place). Returns the count. */
static int table_lines(char *text, char **lines, int max)
{
	char *save = NULL, *t = strtok_r(text, "\n", &save);
	int n = 0;

	if (!t)
		return 0;
	while ((t = strtok_r(NULL, "\n", &save)) && n < max)
		lines[n++] = t;
	return n;
}

/* key=value lookup in a channel line */
static const char *field(const char *line, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " ");

			snprintf(buf, len, "%.*s", (int)n, p + kl + 1);
			return buf;
		}
		p += kl;
	}
	snprintf(buf, len, "-");
	return buf;
}

/* ---- commands: lifecycle ---- */

static int cmd_list(int argc, char **argv)
{
	struct reply *r;
	char *lines[256];
	int n;

	(void)argv;
	if (argc != 1)
		usage_error("list takes no arguments");
	r = must(DEFAULT_IO_MS, "list");
	n = table_lines(r->text, lines, 256);
	printf("%-8s %-10s %-24s %-9s %7s  %s\n", "CORE", "STATE", "FIRMWARE", "RECOVERY",
	       "CRASHES", "PID");
	for (int i = 0; i < n; i++) {
		char core[64], state[32], fw[600], rec[16], pids[16];
		unsigned crashes;
		int pid;

		if (sscanf(lines[i], "%63s %31s %599s %15s %u %d", core, state, fw, rec, &crashes,
			   &pid) != 6)
			continue;
		printf("%-8s %-10s %-24s %-9s %7u  %s\n", core, state, fw, rec, crashes,
		       pid > 0 ? (snprintf(pids, sizeof(pids), "%d", pid), pids) : "-");
	}
	return 0;
}

static int cmd_attr(const char *attr, int argc, char **argv)
{
	struct reply *r;

	if (argc < 2)
		usage_error("%s: CORE is missing", argv[0]);
	if (argc > 3)
		usage_error("%s: too many arguments", argv[0]);
	value("CORE", argv[1]);
	if (argc == 2) {
		r = must(DEFAULT_IO_MS, "get %s %s", argv[1], attr);
		printf("%s\n", r->text);
		return 0;
	}
	value(attr, argv[2]);
	/* starting a core loads and boots it: give it time */
	must(60000, "set %s %s %s", argv[1], attr, argv[2]);
	return 0;
}

static int cmd_state(int argc, char **argv)
{
	return cmd_attr("state", argc, argv);
}

static int cmd_firmware(int argc, char **argv)
{
	return cmd_attr("firmware", argc, argv);
}

static int cmd_recovery(int argc, char **argv)
{
	return cmd_attr("recovery", argc, argv);
}

static int cmd_get(int argc, char **argv)
{
	struct reply *r;

	if (argc != 3)
		usage_error("get needs CORE and ATTRIBUTE");
	r = must(DEFAULT_IO_MS, "get %s %s", value("CORE", argv[1]), value("ATTRIBUTE", argv[2]));
	printf("%s\n", r->text);
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	static const char *const attrs[] = { "name", "state", "firmware", "recovery",
					     "crash_count", "crash_reason", "pid" };

	if (argc != 2)
		usage_error("info needs exactly one CORE");
	value("CORE", argv[1]);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		struct reply *r = must(DEFAULT_IO_MS, "get %s %s", argv[1], attrs[i]);

		printf("%-13s %s\n", attrs[i], r->text[0] ? r->text : "-");
	}
	return 0;
}

static int cmd_channels(int argc, char **argv)
{
	struct reply *r;
	char *lines[64];
	int n;

	if (argc != 2)
		usage_error("channels needs exactly one CORE");
	r = must(DEFAULT_IO_MS, "channels %s", value("CORE", argv[1]));
	n = table_lines(r->text, lines, 64);
	if (n == 0) {
		printf("no channels on %s\n", argv[1]);
		return 0;
	}
	printf("%-28s %5s %4s  %-40s %8s %8s %7s %6s\n", "CHANNEL", "SRC", "DST", "DEVICE", "TX",
	       "RX", "DROPPED", "ERRORS");
	for (int i = 0; i < n; i++) {
		char name[128], src[16], dst[16], dev[PATH_MAX], pts[64], tx[24], rx[24], drop[24],
			err[24], rej[24], shown[PATH_MAX + 80];
		unsigned long long errors;

		sscanf(lines[i], "%127s", name);
		field(lines[i], "dev", dev, sizeof(dev));
		field(lines[i], "pts", pts, sizeof(pts));
		if (strcmp(pts, "-"))
			snprintf(shown, sizeof(shown), "%s -> %s", dev, pts);
		else
			snprintf(shown, sizeof(shown), "%s", dev);
		errors = strtoull(field(lines[i], "tx_errors", err, sizeof(err)), NULL, 10) +
			 strtoull(field(lines[i], "rejected", rej, sizeof(rej)), NULL, 10);
		printf("%-28s %5s %4s  %-40s %8s %8s %7s %6llu\n", name,
		       field(lines[i], "src", src, sizeof(src)),
		       field(lines[i], "dst", dst, sizeof(dst)), shown,
		       field(lines[i], "tx", tx, sizeof(tx)), field(lines[i], "rx", rx, sizeof(rx)),
		       field(lines[i], "rx_dropped", drop, sizeof(drop)), errors);
	}
	return 0;
}

/* The device path of a channel, or exit. */
static void channel_device(const char *core, const char *chan, char *out, size_t len)
{
	struct reply *r = must(DEFAULT_IO_MS, "channels %s", core);
	char *lines[64], names[512] = "";
	size_t o = 0;
	int n = table_lines(r->text, lines, 64);

	for (int i = 0; i < n; i++) {
		char name[128];

		sscanf(lines[i], "%127s", name);
		if (!strcmp(name, chan)) {
			field(lines[i], "dev", out, len);
			if (!strcmp(out, "-"))
				die(ENODEV, "channel %s of %s has no device (yet)", chan, core);
			return;
		}
		if (o < sizeof(names))
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "",
					      name);
	}
	die(ENOENT, "%s has no channel \"%s\" (it has: %s)", core, chan, o ? names : "none");
}

static int cmd_device(int argc, char **argv)
{
	char dev[PATH_MAX];

	if (argc != 3)
		usage_error("device needs CORE and CHANNEL");
	channel_device(value("CORE", argv[1]), value("CHANNEL", argv[2]), dev, sizeof(dev));
	printf("%s\n", dev);
	return 0;
}

static int cmd_wait(int argc, char **argv)
{
	char req[2048];
	int timeout = DEFAULT_WAIT_MS, o;
	const char *core = NULL, *state = NULL;

	o = snprintf(req, sizeof(req), "wait");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--channel") || !strcmp(argv[i], "-c")) {
			if (++i == argc)
				usage_error("--channel needs a NAME");
			o += snprintf(req + o, sizeof(req) - (size_t)o, " channel=%s",
				      value("channel name", argv[i]));
		} else if (!strcmp(argv[i], "--crashes")) {
			if (++i == argc)
				usage_error("--crashes needs a number");
			o += snprintf(req + o, sizeof(req) - (size_t)o, " crashes=%d",
				      parse_int("--crashes", argv[i], 0, 1000000));
		} else if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "-t")) {
			if (++i == argc)
				usage_error("--timeout needs a number of ms");
			timeout = parse_int("--timeout", argv[i], 0, 86400000);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("wait: unknown option %s", argv[i]);
		} else if (!core) {
			core = value("CORE", argv[i]);
		} else if (!state) {
			state = value("STATE", argv[i]);
		} else {
			usage_error("wait: unexpected argument \"%s\"", argv[i]);
		}
		if (o >= (int)sizeof(req) - 64)
			usage_error("wait: too many conditions");
	}
	if (!core || !state)
		usage_error("wait needs CORE and STATE");
	/* the request, with core and state in front of the conditions */
	{
		char full[2300];

		snprintf(full, sizeof(full), "wait %s %s%s %d", core, state, req + 4, timeout);
		must(timeout + 5000, "%s", full);
	}
	return 0;
}

static int cmd_ping(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		usage_error("ping takes no arguments");
	printf("%s\n", must(DEFAULT_IO_MS, "ping")->text);
	return 0;
}

static int cmd_shutdown(int argc, char **argv)
{
	char buf[256];
	int fd;
	ssize_t n;

	(void)argv;
	if (argc != 1)
		usage_error("shutdown takes no arguments");
	fd = ctl_connect();
	set_timeout(fd, SO_RCVTIMEO, 30000);
	if (send(fd, "shutdown", 8, MSG_NOSIGNAL) < 0)
		die(errno, "mmampd: %s", strerror(errno));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		die(n < 0 ? errno : ECONNRESET, "mmampd did not confirm the shutdown");
	buf[n] = '\0';
	if (strncmp(buf, "ok", 2))
		die(EPROTO, "mmampd: %s", buf);
	/* the daemon closes the connection when it exits */
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	return 0;
}

/* ---- commands: messages ---- */

static void endpoint_path(const char *arg, char *out, size_t len)
{
	const char *base;
	struct stat st;

	value("ENDPOINT", arg);
	if (strchr(arg, '/'))
		snprintf(out, len, "%s", arg);
	else
		snprintf(out, len, "%s/%s", runtime, arg);
	if (stat(out, &st))
		die(errno, "%s: %s", out, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		die(ENOTSOCK, "%s is not a message endpoint (a socket)", out);
	/* mmampd's control socket is a SEQPACKET socket too, but it answers requests */
	base = strrchr(out, '/');
	if (!strcmp(base ? base + 1 : out, MMAMP_CTL_SOCKET))
		die(ENOTSOCK, "%s is mmampd's control socket, not a message endpoint", out);
}

static int ept_connect(const char *path)
{
	int fd = tool_seqpacket_connect(path);

	if (fd == -ENAMETOOLONG)
		die(ENAMETOOLONG, "%s: path too long for a UNIX socket", path);
	if (fd < 0)
		die(-fd, "%s: %s", path, strerror(-fd));
	return fd;
}

/*
 * Receive one packet within @timeout_ms. Returns its length (a message), -1 at the end of the
 * connection; a status packet ends the program with its error.
 */
static ssize_t ept_recv(int fd, const char *path, uint8_t *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char msg[MMAMP_EPT_STATUS_LEN];
	ssize_t n;
	int err, pr;

	pr = poll(&p, 1, timeout_ms);
	if (pr == 0)
		die(ETIMEDOUT, "%s: nothing received within %d ms", path, timeout_ms);
	n = recv(fd, buf, len, MSG_TRUNC);
	/* mmampd closed the connection before it read what we sent (a refused second client):
	 * the socket reports ECONNRESET once, ahead of the status packet still queued for us */
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, buf, len, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		die(ECONNRESET, "%s: mmampd closed the connection", path);
	if (n < 0)
		die(errno, "%s: %s", path, strerror(errno));
	if (n == 0)
		return -1;
	if (mmamp_ept_status_parse(buf, (size_t)n, &err, msg, sizeof(msg)))
		die(err, "%s: %s", path, msg);
	return n;
}

static void print_message(const uint8_t *data, size_t len)
{
	fwrite(data, 1, len, stdout);
	if (!len || data[len - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}

static int cmd_send(int argc, char **argv)
{
	char path[PATH_MAX];
	uint8_t data[4096], buf[MMAMP_EPT_STATUS_LEN];
	const char *ep = NULL, *text = NULL;
	int timeout = DEFAULT_IO_MS, fd;
	bool want_reply = false;
	size_t len;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reply"))
			want_reply = true;
		else if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "-t")) {
			if (++i == argc)
				usage_error("--timeout needs a number of ms");
			timeout = parse_int("--timeout", argv[i], 0, 86400000);
		} else if (argv[i][0] == '-' && argv[i][1])
			usage_error("send: unknown option %s", argv[i]);
		else if (!ep)
			ep = argv[i];
		else if (!text)
			text = argv[i];
		else
			usage_error("send: unexpected argument \"%s\"", argv[i]);
	}
	if (!ep || !text)
		usage_error("send needs ENDPOINT and DATA");
	if (!strcmp(text, "-")) {
		len = 0;
		while (len < sizeof(data) && (n = read(STDIN_FILENO, data + len,
						       sizeof(data) - len)) > 0)
			len += (size_t)n;
	} else {
		len = strlen(text);
		if (len > sizeof(data))
			len = sizeof(data);
		memcpy(data, text, len);
	}
	if (len == 0)
		die(EINVAL, "send: DATA is empty");
	if (len > MMAMP_EPT_MTU)
		die(EMSGSIZE, "send: a message of %zu%s bytes exceeds the %d-byte RPMsg payload",
		    len, len == sizeof(data) ? "+" : "", MMAMP_EPT_MTU);
	endpoint_path(ep, path, sizeof(path));
	fd = ept_connect(path);
	if (send(fd, data, len, MSG_NOSIGNAL) < 0 && errno != EPIPE)
		die(errno, "%s: %s", path, strerror(errno));
	/* EPIPE: mmampd refused the connection; its reason is in the status packet */
	if (want_reply) {
		n = ept_recv(fd, path, buf, sizeof(buf), timeout);
		if (n < 0)
			die(EPIPE, "%s: mmampd closed the endpoint before a reply came", path);
		print_message(buf, (size_t)n);
	} else {
		/* end of stream: mmampd sends what it read, then closes (or reports an error) */
		shutdown(fd, SHUT_WR);
		while ((n = ept_recv(fd, path, buf, sizeof(buf), timeout)) >= 0)
			; /* messages from the remote meanwhile: not ours to show */
	}
	close(fd);
	return 0;
}

static int cmd_recv(int argc, char **argv)
{
	char path[PATH_MAX];
	uint8_t buf[MMAMP_EPT_STATUS_LEN];
	const char *ep = NULL;
	int timeout = DEFAULT_IO_MS, count = 1, fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "-t")) {
			if (++i == argc)
				usage_error("--timeout needs a number of ms");
			timeout = parse_int("--timeout", argv[i], 0, 86400000);
		} else if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "-n")) {
			if (++i == argc)
				usage_error("--count needs a number");
			count = parse_int("--count", argv[i], 1, 1000000000);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("recv: unknown option %s", argv[i]);
		} else if (!ep) {
			ep = argv[i];
		} else {
			usage_error("recv: unexpected argument \"%s\"", argv[i]);
		}
	}
	if (!ep)
		usage_error("recv needs ENDPOINT");
	endpoint_path(ep, path, sizeof(path));
	fd = ept_connect(path);
	for (int i = 0; i < count; i++) {
		ssize_t n = ept_recv(fd, path, buf, sizeof(buf), timeout);

		if (n < 0)
			die(EPIPE, "%s: the endpoint was closed", path);
		print_message(buf, (size_t)n);
	}
	close(fd);
	return 0;
}

/* ---- rtt: round trips through an echo TTY or endpoint ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool wait_fd(int fd, short ev, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	uint64_t now = tool_now_ns();
	int ms = deadline > now ? (int)((deadline - now + 999999) / 1000000) : 0;

	return poll(&p, 1, ms) == 1;
}

/* struct rtt - one `mmamp rtt` run: the device, the message and its echo, the times kept. */
struct rtt {
	int fd;
	bool sock; /* an endpoint (one message a packet), else a TTY (a byte stream) */
	const char *path;
	int size;
	uint8_t out[4096], in[4096];
	uint64_t seed;
	uint64_t *t;
	size_t kept;
};

/* A fresh pseudo-random payload for each trip (xorshift64). */
static int rtt_prepare(void *ctx, long i)
{
	struct rtt *c = ctx;

	(void)i;
	for (int k = 0; k < c->size; k++) {
		c->seed ^= c->seed << 13;
		c->seed ^= c->seed >> 7;
		c->seed ^= c->seed << 17;
		c->out[k] = (uint8_t)c->seed;
	}
	return 0;
}

/* Send the payload, take its echo whole and check it byte for byte (or end the program). */
static int rtt_trip(void *ctx, long i)
{
	struct rtt *c = ctx;
	uint64_t deadline = tool_now_ns() + (uint64_t)DEFAULT_IO_MS * 1000000ull;
	size_t got = 0, put = 0;

	if (c->sock) {
		ssize_t n;

		if (send(c->fd, c->out, (size_t)c->size, MSG_NOSIGNAL) != c->size)
			die(errno, "%s: %s", c->path, strerror(errno));
		do {
			if (!wait_fd(c->fd, POLLIN, deadline))
				die(ETIMEDOUT, "%s: no echo within %d ms (round trip %ld)",
				    c->path, DEFAULT_IO_MS, i);
			n = ept_recv(c->fd, c->path, c->in, sizeof(c->in), 0);
			if (n < 0)
				die(EPIPE, "%s: the endpoint was closed", c->path);
			got = (size_t)n;
			/* warming up: skip what an earlier client's messages brought back */
		} while (i < 0 && (got != (size_t)c->size || memcmp(c->in, c->out, got)));
	} else {
		while (got < (size_t)c->size) {
			ssize_t n;

			if (put < (size_t)c->size) {
				n = write(c->fd, c->out + put, (size_t)c->size - put);
				if (n > 0)
					put += (size_t)n;
				else if (n < 0 && errno != EAGAIN)
					die(errno, "%s: %s", c->path, strerror(errno));
			}
			n = read(c->fd, c->in + got, sizeof(c->in) - got);
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			if (n == 0 || (n < 0 && errno != EAGAIN))
				die(n == 0 ? EPIPE : errno, "%s: %s", c->path,
				    n == 0 ? "hung up" : strerror(errno));
			if (!wait_fd(c->fd, put < (size_t)c->size ? POLLIN | POLLOUT : POLLIN,
				     deadline))
				die(ETIMEDOUT, "%s: %zu of %d bytes echoed within %d ms "
				    "(round trip %ld)", c->path, got, c->size, DEFAULT_IO_MS, i);
		}
	}
	if (got != (size_t)c->size || memcmp(c->in, c->out, (size_t)c->size)) {
		size_t k = 0;

		while (k < got && k < (size_t)c->size && c->in[k] == c->out[k])
			k++;
		die(EIO, "%s: round trip %ld: the echo differs at byte %zu (%zu bytes back, "
		    "%d sent)", c->path, i, k, got, c->size);
	}
	return 0;
}

static void rtt_sample(void *ctx, uint64_t ns)
{
	struct rtt *c = ctx;

	c->t[c->kept++] = ns;
}

static int cmd_rtt(int argc, char **argv)
{
	struct rtt c = { .seed = 0x9e3779b97f4a7c15ull };
	const char *devarg = NULL;
	char path[PATH_MAX];
	int count = 1000, size = MMAMP_EPT_MTU, fd;
	struct tool_rtt rt = { .warmup = 10, .prepare = rtt_prepare, .trip = rtt_trip,
			       .sample = rtt_sample, .ctx = &c, .sample_ctx = &c };
	struct stat st;
	bool sock;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "-n")) {
			if (++i == argc)
				usage_error("--count needs a number");
			count = parse_int("--count", argv[i], 1, 10000000);
		} else if (!strcmp(argv[i], "--size") || !strcmp(argv[i], "-s")) {
			if (++i == argc)
				usage_error("--size needs a number of bytes");
			size = parse_int("--size", argv[i], 1, 4096);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("rtt: unknown option %s", argv[i]);
		} else if (!devarg) {
			devarg = argv[i];
		} else {
			usage_error("rtt: unexpected argument \"%s\"", argv[i]);
		}
	}
	if (!devarg)
		usage_error("rtt needs a DEVICE (a ttyRPMSG or rpmsg endpoint of an echo channel)");
	value("DEVICE", devarg);
	if (strchr(devarg, '/'))
		snprintf(path, sizeof(path), "%s", devarg);
	else
		snprintf(path, sizeof(path), "%s/%s", runtime, devarg);
	if (stat(path, &st))
		die(errno, "%s: %s", path, strerror(errno));
	sock = S_ISSOCK(st.st_mode);
	if (sock && size > MMAMP_EPT_MTU)
		die(EMSGSIZE, "rtt: an endpoint message is at most %d bytes", MMAMP_EPT_MTU);
	if (sock) {
		fd = ept_connect(path);
	} else {
		fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			die(errno, "%s: %s", path, strerror(errno));
		if (!isatty(fd))
			die(ENOTTY, "%s is neither a TTY nor a message endpoint", path);
		tcflush(fd, TCIFLUSH);
	}
	c.t = calloc((size_t)count, sizeof(*c.t));
	if (!c.t)
		die(ENOMEM, "rtt: out of memory");
	c.fd = fd;
	c.sock = sock;
	c.path = path;
	c.size = size;
	rt.n = (size_t)count;
	tool_rtt_run(&rt); /* a trip that fails ends the program with its error */
	qsort(c.t, (size_t)count, sizeof(*c.t), cmp_u64);
	printf("%d round trips of %d bytes through %s, every echo byte-exact:\n"
	       "  min %.1f us   median %.1f us   p99 %.1f us   max %.1f us\n",
	       count, size, path, (double)c.t[0] / 1e3, (double)c.t[count / 2] / 1e3,
	       (double)c.t[(size_t)count * 99 / 100 < (size_t)count ? (size_t)count * 99 / 100
								: (size_t)count - 1] / 1e3,
	       (double)c.t[count - 1] / 1e3);
	free(c.t);
	close(fd);
	return 0;
}

/* ---- dispatch ---- */

static const struct cmd cmds[] = {
	{ "list", cmd_list, "", "list the remote processors: state, firmware, recovery, crashes, "
	  "pid" },
	{ "state", cmd_state, "CORE [start|stop]",
	  "show the state (offline, running, crashed, ...) or start/stop the core\n"
	  "  start: EBUSY unless offline; ENOENT/ENOEXEC/EACCES when the firmware cannot be\n"
	  "  loaded; stop: EINVAL unless running, attached or crashed" },
	{ "firmware", cmd_firmware, "CORE [NAME]",
	  "show or set the firmware file name (looked up in mmampd's firmware directory);\n"
	  "  EBUSY unless the core is offline, EINVAL for an empty or non-file name" },
	{ "recovery", cmd_recovery, "CORE [enabled|disabled|recover]",
	  "show or set crash recovery; 'recover' recovers a crashed core once" },
	{ "info", cmd_info, "CORE", "every attribute of the core, crash count and reason included" },
	{ "get", cmd_get, "CORE ATTRIBUTE",
	  "one attribute: name, state, firmware, recovery, crash_count, crash_reason, pid" },
	{ "channels", cmd_channels, "CORE",
	  "the core's RPMsg channels: addresses, TTY or endpoint, counters" },
	{ "device", cmd_device, "CORE CHANNEL", "the TTY or endpoint path of one channel" },
	{ "wait", cmd_wait, "CORE STATE [--channel NAME]... [--crashes N] [--timeout MS]",
	  "wait until the core is in STATE (or passes through it) with the named channels'\n"
	  "  devices in place and at least N crashes counted; ETIMEDOUT after MS (default 10000)" },
	{ "send", cmd_send, "ENDPOINT DATA [--reply] [--timeout MS]",
	  "send DATA ('-': standard input) as one message to an endpoint (rpmsgN or a path);\n"
	  "  EMSGSIZE over 496 bytes, EBUSY if another client has it; --reply prints the first\n"
	  "  message that comes back" },
	{ "recv", cmd_recv, "ENDPOINT [--count N] [--timeout MS]",
	  "print the next N messages (default 1) received on an endpoint" },
	{ "rtt", cmd_rtt, "DEVICE [--count N] [--size BYTES]",
	  "round trips through an echo TTY or endpoint: each echo checked byte for byte,\n"
	  "  then min/median/p99/max (default 1000 round trips of 496 bytes)" },
	{ "ping", cmd_ping, "", "check that mmampd answers" },
	{ "shutdown", cmd_shutdown, "", "stop every core and mmampd; returns when it is done" },
};

static void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "Usage: mmamp [-r RUNTIME_DIR] %s%s%s\n  %s\n", c->name, c->args[0] ? " " : "",
		c->args, c->help);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: mmamp [-r RUNTIME_DIR] COMMAND [ARGS]   (mmamp COMMAND --help)\n"
		   "Drive the remote cores served by mmampd.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f, "\nOptions:\n"
		   "  -r, --runtime DIR  mmampd's runtime directory (default: $" MMAMP_RUNTIME_ENV
		   ", else /run/mmamp\n"
		   "                     as root, else $XDG_RUNTIME_DIR/mmamp)\n"
		   "  -h, --help         this text\n"
		   "\nExit status: 0 success, 1 error (one line: mmamp: ... (ERRNO)), 2 usage.\n");
}

int main(int argc, char **argv)
{
	const char *rt = NULL;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--runtime")) {
			if (++i == argc)
				usage_error("%s needs a directory", argv[i - 1]);
			rt = argv[i];
			if (!rt[0])
				usage_error("the runtime directory must not be empty");
		} else if (!strncmp(argv[i], "--runtime=", 10)) {
			rt = argv[i] + 10;
			if (!rt[0])
				usage_error("the runtime directory must not be empty");
		} else {
			usage_error("unknown option %s", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 == argc) {
			usage(stdout);
			return 0;
		}
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
			if (!strcmp(argv[i + 1], cmds[k].name)) {
				cmd_usage(&cmds[k], stdout);
				return 0;
			}
		usage_error("no command \"%s\"", argv[i + 1]);
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (strcmp(argv[i], cmds[k].name))
			continue;
		current = &cmds[k];
		for (int a = i + 1; a < argc; a++) {
			if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
				cmd_usage(&cmds[k], stdout);
				return 0;
			}
		}
		if (rt && strlen(rt) >= sizeof(runtime))
			usage_error("the runtime directory path is longer than %zu bytes",
				    sizeof(runtime) - 1);
		if (rt)
			snprintf(runtime, sizeof(runtime), "%s", rt);
		else if (mmamp_default_runtime_dir(runtime, sizeof(runtime)))
			die(ENOENT, "%s", runtime);
		return cmds[k].fn(argc - i, argv + i);
	}
	usage_error("unknown command \"%s\"", argv[i]);
}
