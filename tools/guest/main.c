/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c — mmamp-guest: the user-space tool that runs inside a Linux guest (the User-Mode Linux
 * of docs/linux-host.md; built static, the guest's root has busybox and nothing else), for what
 * busybox cannot do. Commands:
 *
 *   mmamp-guest ept-echo [--ctrl DEV] [--name NAME] [--src ADDR] --dst ADDR FILE...
 *       make an endpoint with rpmsg_ctrl (default /dev/rpmsg_ctrl0) from --src (default: any,
 *       the kernel picks) to --dst, send each FILE as one message, and check that the reply
 *       is the same bytes; then destroy the endpoint. Exit 0 when every echo matched.
 *   mmamp-guest rtt DEV [-n N] [-s BYTES] [--warmup N] [--times DIR] [--out FILE]
 *       round trips through /dev/ttyRPMSGn or /dev/rpmsgN, each echo checked; with --times,
 *       the driver's per-message timestamps checked and split out (rtt.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "rpmsg_ept.h"
#include "rtt.h"

#define MSG_MAX 496           /* virtio_rpmsg_bus: 512-byte buffers less the 16-byte header */
#define REPLY_TIMEOUT_MS 5000

static int usage(void)
{
	fprintf(stderr,
		"usage: mmamp-guest ept-echo [--ctrl DEV] [--name NAME] [--src ADDR] --dst ADDR "
		"FILE...\n"
		"       mmamp-guest rtt DEV [-n N] [-s BYTES] [--warmup N] [--times DIR] "
		"[--out FILE]\n");
	return 2;
}

/* The whole of @path (at most @cap bytes) into @buf; its length, or a negative errno. */
static ssize_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, cap + 1 - (size_t)got)) > 0 && (size_t)(got += n) <= cap)
		;
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)got > cap ? -EMSGSIZE : got;
}

/* One message from @fd within the reply time; its length, or a negative errno. */
static ssize_t recv_msg(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, REPLY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(fd, buf, cap);
	return n < 0 ? -errno : n;
}

struct msg_file {
	const char *path;
	uint8_t data[MSG_MAX];
	size_t len;
};

/* Every FILE read before the endpoint exists: a file that cannot be one message is refused. */
static struct msg_file *load_files(char **paths, int n)
{
	struct msg_file *f = calloc((size_t)n, sizeof(*f));
	static uint8_t buf[MSG_MAX + 1];
	ssize_t len;

	for (int i = 0; f && i < n; i++) {
		len = read_file(paths[i], buf, MSG_MAX);
		if (len < 0) {
			fprintf(stderr, "mmamp-guest: %s: %s%s\n", paths[i], strerror((int)-len),
				len == -EMSGSIZE ? " (an RPMsg message holds at most 496 bytes)"
						 : "");
			free(f);
			return NULL;
		}
		f[i].path = paths[i];
		memcpy(f[i].data, buf, (size_t)len);
		f[i].len = (size_t)len;
	}
	return f;
}

/* Send @f as one message on @e and compare the reply. 0 when it matched. */
static int echo_file(const struct guest_ept *e, const struct msg_file *f)
{
	static uint8_t reply[MSG_MAX + 1];
	ssize_t got;
	size_t i;

	if (write(e->fd, f->data, f->len) != (ssize_t)f->len) {
		fprintf(stderr, "mmamp-guest: %s: sending %zu bytes of %s: %s\n", e->dev, f->len,
			f->path, strerror(errno));
		return -1;
	}
	got = recv_msg(e->fd, reply, sizeof(reply));
	if (got < 0) {
		fprintf(stderr, "mmamp-guest: %s: the echo of %s: %s\n", e->dev, f->path,
			strerror((int)-got));
		return -1;
	}
	for (i = 0; i < f->len && i < (size_t)got && f->data[i] == reply[i]; i++)
		;
	if ((size_t)got != f->len || i < f->len) {
		fprintf(stderr, "mmamp-guest: %s: the echo of %s differs: %zd bytes back for %zu "
			"sent, first difference at byte %zu\n", e->dev, f->path, got, f->len, i);
		return -1;
	}
	printf("mmamp-guest: %s: %s, %zu bytes echoed byte-exact\n", e->dev, f->path, f->len);
	return 0;
}

static int cmd_ept_echo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctrl", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ctrl = "/dev/rpmsg_ctrl0";
	char name[32], err[512] = "";
	uint32_t src = RPMSG_ADDR_ANY, dst = RPMSG_ADDR_ANY;
	unsigned long long addr;
	struct msg_file *files;
	struct guest_ept e;
	int c, failed = 0;

	snprintf(name, sizeof(name), "mmamp-guest-%d", (int)getpid());
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': ctrl = optarg; break;
		case 'n': snprintf(name, sizeof(name), "%s", optarg); break;
		case 's':
		case 'd':
			if (guest_parse_num(optarg, 0xffffffffull, &addr)) {
				fprintf(stderr, "mmamp-guest: bad address \"%s\" for --%s\n", optarg,
					c == 's' ? "src" : "dst");
				return 2;
			}
			*(c == 's' ? &src : &dst) = (uint32_t)addr;
			break;
		default: return usage();
		}
	}
	if (dst == RPMSG_ADDR_ANY || optind == argc) {
		fprintf(stderr, "mmamp-guest: ept-echo needs --dst and at least one FILE\n");
		return usage();
	}
	files = load_files(argv + optind, argc - optind);
	if (!files)
		return 1;
	if (guest_ept_create(&e, ctrl, name, src, dst, err, sizeof(err))) {
		fprintf(stderr, "mmamp-guest: %s\n", err);
		free(files);
		return 1;
	}
	if (src == RPMSG_ADDR_ANY)
		printf("mmamp-guest: %s: endpoint %s, src any, dst %u (through %s)\n", e.dev, name,
		       dst, ctrl);
	else
		printf("mmamp-guest: %s: endpoint %s, src %u, dst %u (through %s)\n", e.dev, name,
		       src, dst, ctrl);
	for (int i = 0; i < argc - optind; i++)
		failed |= echo_file(&e, &files[i]);
	free(files);
	if (guest_ept_destroy(&e, err, sizeof(err))) {
		fprintf(stderr, "mmamp-guest: %s\n", err);
		return 1;
	}
	printf("mmamp-guest: %s: endpoint destroyed\n", e.dev);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "ept-echo"))
		return cmd_ept_echo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rtt"))
		return guest_cmd_rtt(argc - 1, argv + 1);
	fprintf(stderr, "mmamp-guest: unknown command \"%s\"\n", argv[1]);
	return usage();
}
