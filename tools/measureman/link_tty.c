/* SPDX-License-Identifier: BSD-3-Clause */
/* link_tty.c — the TTY / endpoint link: write the message, read its echo (see link_tty.h). */
#define _GNU_SOURCE
#include "link_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "tool_dev.h"
#include "tool_sock.h"

#define REPLY_TIMEOUT_MS 2000

struct tty {
	int fd;
	char name[300];
};

static int write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly @n bytes (a TTY may hand the echo back in pieces). */
static int read_all(int fd, uint8_t *b, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (n) {
		ssize_t r;
		int pr = poll(&p, 1, REPLY_TIMEOUT_MS);

		if (pr == 0)
			return -ETIMEDOUT;
		if (pr < 0 && errno != EINTR)
			return -errno;
		r = read(fd, b, n);
		if (r == 0)
			return -EPIPE;
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (r > 0) {
			b += r;
			n -= (size_t)r;
		}
	}
	return 0;
}

static int tty_roundtrip(struct mm_link *l, const uint8_t *tx, uint8_t *rx, size_t len,
			 struct mm_sample *m, char *err, size_t errlen)
{
	struct tty *t = l->priv;
	int ret;

	m->t_send = tool_now_ns();
	ret = write_all(t->fd, tx, len);
	if (ret) {
		snprintf(err, errlen, "write to %s: %s", t->name, strerror(-ret));
		return ret;
	}
	ret = read_all(t->fd, rx, len);
	m->t_recv = tool_now_ns();
	if (ret)
		snprintf(err, errlen, "reading the echo from %s: %s", t->name,
			 ret == -ETIMEDOUT ? "no reply within 2 s" : strerror(-ret));
	return ret;
}

static int open_tty(const char *path)
{
	struct termios tio;
	/* the channel was announced a moment ago: its node may not be openable yet (tool_dev.h) */
	int fd = tool_open_new_node(path, O_RDWR | O_NOCTTY | O_CLOEXEC, 2000);

	if (fd < 0)
		return fd;
	if (isatty(fd) && tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
		tcflush(fd, TCIOFLUSH);
	}
	return fd;
}

int mm_tty_open(struct mm_link *l, const char *path, char *err, size_t errlen)
{
	struct tty *t = calloc(1, sizeof(*t));
	struct stat st;

	if (!t)
		return -ENOMEM;
	t->fd = stat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? tool_seqpacket_connect(path) : open_tty(path);
	if (t->fd < 0) {
		int ret = t->fd;

		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		free(t);
		return ret;
	}
	snprintf(t->name, sizeof(t->name), "%s", path);
	l->priv = t;
	l->name = t->name;
	l->roundtrip = tty_roundtrip;
	return 0;
}

void mm_tty_close(struct mm_link *l)
{
	struct tty *t = l->priv;

	if (!t)
		return;
	close(t->fd);
	free(t);
	l->priv = NULL;
}
