/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devices.c — the user-space face of each RPMsg channel, as Linux's drivers would give it:
 *
 * TTY (imx_rpmsg_tty / rpmsg_tty, docs/linux-host.md). Channels "rpmsg-virtual-tty-channel-1",
 * "rpmsg-virtual-tty-channel" and "rpmsg-openamp-demo-channel" get <runtime>/ttyRPMSG<remote
 * address> (NXP's naming; on the platform's second and later cores ttyRPMSG<addr>.<core>),
 * "rpmsg-tty" gets <runtime>/ttyRPMSG<n>, n = 0..31 in probe order over all cores (mainline). Each is a symlink to the slave of a raw PTY (cfmakeraw). Bytes written to the TTY
 * become RPMsg messages of at most 496 bytes; a message that finds no TX buffer waits (the TTY
 * stops being read, so the writer is flow-controlled by the PTY) and after 15 s is dropped,
 * logged and counted (tx_errors). Received messages are written to the PTY; what the reader does
 * not take is queued up to 1 MiB, beyond that dropped and counted (rx_overflow). The daemon keeps
 * the slave open itself, so the TTY stays valid while nobody has it open. Channel gone: the
 * symlink is removed and the master closed — whoever has the TTY open sees a hang-up.
 *
 * Message endpoint (rpmsg_char, tools/mmampd/README.md) for every other channel ("rpmsg-raw" as in
 * Linux, and also channels no Linux driver would bind, such as "mmamp-info"):
 * <runtime>/rpmsg<N>, N the lowest free number (an IDA, like /dev/rpmsgN), a listening
 * SOCK_SEQPACKET socket. One packet = one message, both ways:
 *   - one client at a time: a second one is accepted, sent a status packet EBUSY and closed;
 *   - a packet over 496 bytes is not sent: the client gets a status packet EMSGSIZE;
 *   - no TX buffer: the packet is held and retried; meanwhile the daemon reads no further packets
 *     from that client, so its socket fills and a non-blocking writer gets EAGAIN from its own
 *     send() (a blocking writer blocks) — after the packets the socket itself can queue (its
 *     send buffer, SO_SNDBUF); a held packet still without a buffer after 15 s is dropped with a
 *     status packet ETIMEDOUT;
 *   - messages that arrive while no client is connected are dropped (counted: rx_noreader), as
 *     Linux drops messages for an endpoint nobody has open;
 *   - the channel gone: the client gets a status packet EPIPE and the connection is closed (its
 *     reads return 0, its writes fail with EPIPE), and the socket file is removed.
 * Status packets are 512 bytes, longer than any message (proto.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "mmampd.h"

#define TTY_MAX_RPMSG_TTY 32

static const char *const nxp_tty_names[] = { "rpmsg-virtual-tty-channel-1",
					     "rpmsg-virtual-tty-channel",
					     "rpmsg-openamp-demo-channel" };

/* ---- lookups ---- */

struct dev *dev_by_channel(struct daemon *d, const struct mmamp_channel *ch)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (dev->ch == ch)
			return dev;
	return NULL;
}

struct dev *dev_by_id(struct daemon *d, uint64_t id)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (dev->id == id)
			return dev;
	return NULL;
}

static bool path_in_use(struct daemon *d, const char *path)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (!strcmp(dev->path, path))
			return true;
	return false;
}

static bool index_in_use(struct daemon *d, bool tty, int index)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (dev->is_tty == tty && dev->index == index)
			return true;
	return false;
}

/* ---- the queue towards the user (dev->lock held) ---- */

static void oq_free(struct dev *dev)
{
	while (dev->oq_head) {
		struct omsg *m = dev->oq_head;

		dev->oq_head = m->next;
		free(m);
	}
	dev->oq_tail = NULL;
	dev->oq_bytes = 0;
}

static bool oq_push(struct dev *dev, const void *data, size_t len)
{
	struct omsg *m;

	if (dev->oq_bytes + len > MMAMPD_OUTQ_MAX_BYTES || !(m = malloc(sizeof(*m) + len))) {
		dev->rx_overflow++;
		return false;
	}
	m->next = NULL;
	m->len = len;
	m->off = 0;
	memcpy(m->data, data, len);
	if (dev->oq_tail)
		dev->oq_tail->next = m;
	else
		dev->oq_head = m;
	dev->oq_tail = m;
	dev->oq_bytes += len;
	return true;
}

static ssize_t out_write(struct dev *dev, const void *data, size_t len)
{
	if (dev->is_tty)
		return write(dev->out_fd, data, len);
	return send(dev->out_fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Write what is queued. Returns true if something is left (wait for POLLOUT). */
static bool oq_flush(struct dev *dev)
{
	while (dev->oq_head) {
		struct omsg *m = dev->oq_head;
		ssize_t n;

		if (dev->out_fd < 0) {
			oq_free(dev);
			return false;
		}
		n = out_write(dev, m->data + m->off, m->len - m->off);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return true;
			dev->rx_noreader++; /* the reader went away */
			oq_free(dev);
			return false;
		}
		m->off += (size_t)n;
		if (dev->is_tty && m->off < m->len)
			continue;
		dev->oq_head = m->next;
		if (!dev->oq_head)
			dev->oq_tail = NULL;
		dev->oq_bytes -= m->len;
		free(m);
	}
	return false;
}

/*
 * The receive callback: the core's host thread, its lock held. Write straight to the reader
 * when nothing is queued before this message; otherwise (or for what does not fit) queue and
 * let the loop flush. Never blocks.
 */
static void dev_rx(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	struct dev *dev = ctx;
	size_t off = 0;
	ssize_t n;

	(void)ch;
	pthread_mutex_lock(&dev->lock);
	if (dev->out_fd < 0) {
		dev->rx_noreader++;
		goto out;
	}
	if (dev->is_tty && len == 0)
		goto out;
	if (!dev->oq_head) {
		n = out_write(dev, data, len);
		if (n >= 0 && (size_t)n == len)
			goto out;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			dev->rx_noreader++;
			goto out;
		}
		if (n > 0)
			off = (size_t)n; /* a TTY took part of it */
	}
	if (oq_push(dev, (const uint8_t *)data + off, len - off)) {
		dev->overflow_logged = false;
	} else if (!dev->overflow_logged) {
		dev->overflow_logged = true;
		logmsg("%s: %s: the reader is not keeping up: dropping received data (counted as "
		       "rx_overflow)", dev->core->name, dev->chname);
	}
	if (!dev->flush_posted && dev->oq_head) {
		dev->flush_posted = true;
		handoff_flush(dev);
	}
out:
	pthread_mutex_unlock(&dev->lock);
}

static void dev_update(struct daemon *d, struct dev *dev)
{
	uint32_t want;

	if (dev->is_tty) {
		if (dev->master < 0)
			return;
		want = (dev->stalled ? 0 : EPOLLIN) | (dev->want_out ? EPOLLOUT : 0);
		epoll_set(d, dev->master, &dev->w_main, &dev->ev_main, want);
	} else if (dev->client >= 0 && !dev->client_eof) {
		want = (dev->holding ? 0 : EPOLLIN) | (dev->want_out ? EPOLLOUT : 0);
		epoll_set(d, dev->client, &dev->w_client, &dev->ev_client, want);
	}
}

static void dev_flush_now(struct daemon *d, struct dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->want_out = oq_flush(dev);
	pthread_mutex_unlock(&dev->lock);
	dev_update(d, dev);
}

void dev_flush_posted(struct dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->flush_posted = false;
	pthread_mutex_unlock(&dev->lock);
	dev_flush_now(dev->d, dev);
}

/* ---- sending to the remote (loop thread) ---- */

static void tx_error(struct dev *dev, int ret, const char *what)
{
	dev->tx_errors++;
	if (ret != dev->last_tx_error || dev->tx_errors % 1000 == 0)
		logmsg("%s: %s: %s: %s (%s; %llu so far)", dev->core->name, dev->chname, what,
		       strerror(-ret), mmamp_errno_name(ret), (unsigned long long)dev->tx_errors);
	dev->last_tx_error = ret;
}

static void stall(struct daemon *d, struct dev *dev)
{
	if (dev->stalled)
		return;
	dev->stalled = true;
	dev->tx_stalls++;
	clock_gettime(CLOCK_MONOTONIC, &dev->stall_since);
	dev_update(d, dev);
}

static void unstall(struct daemon *d, struct dev *dev)
{
	if (!dev->stalled)
		return;
	dev->stalled = false;
	dev_update(d, dev);
}

static int64_t stalled_ms(const struct dev *dev)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - dev->stall_since.tv_sec) * 1000 +
	       (now.tv_nsec - dev->stall_since.tv_nsec) / 1000000;
}

/* One non-blocking send (-EAGAIN: no TX buffer now; the caller holds the data and retries). */
static int chan_send(struct dev *dev, const void *data, size_t len)
{
	return mmamp_channel_send(dev->ch, data, len, 0);
}

/* TTY: send what was read from the master, 496 bytes at a time. False: stalled. */
static bool tty_send_pending(struct daemon *d, struct dev *dev)
{
	while (dev->txoff < dev->txlen) {
		size_t chunk = dev->txlen - dev->txoff;
		int ret;

		if (chunk > MMAMP_EPT_MTU)
			chunk = MMAMP_EPT_MTU;
		ret = chan_send(dev, dev->txbuf + dev->txoff, chunk);
		if (ret == -EAGAIN) {
			stall(d, dev);
			return false;
		}
		if (ret == -EPIPE) {
			tx_error(dev, ret, "channel gone, written data dropped");
			dev->txoff = dev->txlen;
			break;
		}
		if (ret)
			tx_error(dev, ret, "send failed, written data dropped");
		dev->txoff += chunk;
	}
	unstall(d, dev);
	return true;
}

static void tty_pump(struct daemon *d, struct dev *dev)
{
	for (int rounds = 0; rounds < 16 && !dev->stalled; rounds++) {
		if (dev->txoff >= dev->txlen) {
			ssize_t n = read(dev->master, dev->txbuf, sizeof(dev->txbuf));

			if (n <= 0) {
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					logmsg("%s: %s: read from the PTY: %s", dev->core->name,
					       dev->chname, strerror(errno));
				return;
			}
			dev->txlen = (size_t)n;
			dev->txoff = 0;
		}
		if (!tty_send_pending(d, dev))
			return;
	}
}

static void ept_status(struct daemon *d, struct dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void ept_status(struct daemon *d, struct dev *dev, int err, const char *fmt, ...)
{
	char pkt[MMAMP_EPT_STATUS_LEN], text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	mmamp_ept_status_make(pkt, err, "%s", text);
	pthread_mutex_lock(&dev->lock);
	if (dev->out_fd >= 0) {
		if (dev->oq_head || send(dev->out_fd, pkt, sizeof(pkt), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (!dev->oq_head && errno != EAGAIN)
				goto out; /* the client is gone */
			if (oq_push(dev, pkt, sizeof(pkt)))
				dev->want_out = true;
		}
	}
out:
	pthread_mutex_unlock(&dev->lock);
	dev_update(d, dev);
}

static void client_close(struct daemon *d, struct dev *dev)
{
	if (dev->client < 0)
		return;
	pthread_mutex_lock(&dev->lock);
	dev->out_fd = -1;
	oq_free(dev);
	pthread_mutex_unlock(&dev->lock);
	epoll_forget(d, dev->client, &dev->ev_client);
	close(dev->client);
	dev->client = -1;
	dev->holding = dev->client_eof = dev->want_out = false;
	dev->stalled = false;
	dev->held_len = 0;
}

/* Endpoint: send one message from the client. False: held (no TX buffer). */
static bool ept_send(struct daemon *d, struct dev *dev, const void *data, size_t len)
{
	int ret = chan_send(dev, data, len);

	if (ret == -EAGAIN) {
		if (data != dev->held)
			memcpy(dev->held, data, len);
		dev->held_len = len;
		dev->holding = true;
		stall(d, dev);
		return false;
	}
	dev->holding = false;
	dev->stalled = false;
	if (ret == -EPIPE) {
		ept_status(d, dev, EPIPE, "channel %s of %s is gone: message not sent", dev->chname,
			   dev->core->name);
	} else if (ret) {
		tx_error(dev, ret, "send failed");
		ept_status(d, dev, -ret, "send on %s failed: %s", dev->chname, strerror(-ret));
	} else {
		dev->last_tx_error = 0;
	}
	return true;
}

static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Read and send the client's packets until its socket is empty or a send is held. */
static void ept_pump(struct daemon *d, struct dev *dev)
{
	uint8_t buf[MMAMP_EPT_STATUS_LEN];

	for (int rounds = 0; rounds < 64 && dev->client >= 0 && !dev->holding; rounds++) {
		ssize_t n = recv(dev->client, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if ((errno == EAGAIN || errno == EINTR) && !dev->client_eof)
				break;
			client_close(d, dev);
			return;
		}
		if (n == 0 && peer_gone(dev->client)) {
			client_close(d, dev);
			return;
		}
		if (n > MMAMP_EPT_MTU) {
			dev->rejected++;
			ept_status(d, dev, EMSGSIZE,
				   "a message of %zd bytes exceeds the %d-byte RPMsg payload: not sent",
				   n, MMAMP_EPT_MTU);
			continue;
		}
		if (!ept_send(d, dev, buf, (size_t)n))
			break;
	}
	dev_update(d, dev);
}

/* ---- creating and removing devices ---- */

static int tty_create(struct daemon *d, struct dev *dev, const char *leaf)
{
	struct termios t;
	char tmp[MMAMPD_FILE_MAX + 8];
	int ret;

	runtime_file(d, leaf, dev->path);
	dev->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (dev->master < 0 || grantpt(dev->master) || unlockpt(dev->master) ||
	    ptsname_r(dev->master, dev->pts, sizeof(dev->pts)))
		return -errno;
	dev->slave = open(dev->pts, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (dev->slave < 0 || tcgetattr(dev->slave, &t))
		return -errno;
	cfmakeraw(&t);
	if (tcsetattr(dev->slave, TCSANOW, &t))
		return -errno;
	/* publish atomically: a new symlink renamed over any stale one */
	snprintf(tmp, sizeof(tmp), "%s.new", dev->path);
	unlink(tmp);
	if (symlink(dev->pts, tmp))
		return -errno;
	if (rename(tmp, dev->path)) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	dev->w_main = (struct watch){ W_TTY, dev };
	dev->out_fd = dev->master;
	dev_update(d, dev);
	return 0;
}

static int ept_create(struct daemon *d, struct dev *dev)
{
	struct sockaddr_un sa;
	char leaf[32];
	int fd;


	snprintf(leaf, sizeof(leaf), "rpmsg%d", dev->index);
	runtime_file(d, leaf, dev->path);
	if (mmamp_sockaddr(&sa, dev->path))
		return -ENAMETOOLONG;
	unlink(dev->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		int e = errno;

		close(fd);
		return -e;
	}
	dev->listen_fd = fd;
	dev->w_main = (struct watch){ W_EPT_LISTEN, dev };
	dev->w_client = (struct watch){ W_EPT_CLIENT, dev };
	return epoll_set(d, fd, &dev->w_main, &dev->ev_main, EPOLLIN);
}

static void dev_free(struct daemon *d, struct dev *dev, bool library_alive)
{
	char target[64];
	ssize_t n;

	if (library_alive)
		mmamp_channel_set_rx(dev->ch, NULL, NULL); /* no callback runs after this */
	if (dev->is_tty) {
		n = readlink(dev->path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (!strcmp(target, dev->pts))
				unlink(dev->path);
		}
		epoll_forget(d, dev->master, &dev->ev_main);
		if (dev->master >= 0)
			close(dev->master); /* the hang-up */
		if (dev->slave >= 0)
			close(dev->slave);
	} else {
		/* the file first: once the client hears of it, the endpoint is gone for all */
		epoll_forget(d, dev->listen_fd, &dev->ev_main);
		if (dev->listen_fd >= 0) {
			unlink(dev->path);
			close(dev->listen_fd);
		}
		if (dev->client >= 0) {
			ept_status(d, dev, EPIPE, "channel %s of %s is gone", dev->chname,
				   dev->core->name);
			client_close(d, dev);
		}
	}
	pthread_mutex_lock(&dev->lock);
	oq_free(dev);
	pthread_mutex_unlock(&dev->lock);
	pthread_mutex_destroy(&dev->lock);
	mmamp_channel_put(dev->ch);
	free(dev);
}

static bool is_nxp_tty(const char *name)
{
	for (size_t i = 0; i < sizeof(nxp_tty_names) / sizeof(nxp_tty_names[0]); i++)
		if (!strcmp(name, nxp_tty_names[i]))
			return true;
	return false;
}

void dev_channel_up(struct daemon *d, struct core *c, struct mmamp_channel *ch)
{
	const char *name = mmamp_channel_name(ch);
	struct dev *dev;
	char leaf[96], p[MMAMPD_FILE_MAX];
	int ret;

	if (dev_by_channel(d, ch))
		return;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		logmsg("%s: %s: out of memory: no device", c->name, name);
		return;
	}
	dev->d = d;
	dev->id = ++d->next_dev_id;
	dev->core = c;
	dev->ch = ch;
	mmamp_channel_get(ch);
	snprintf(dev->chname, sizeof(dev->chname), "%s", name);
	dev->master = dev->slave = dev->listen_fd = dev->client = dev->out_fd = -1;
	dev->ev_main = dev->ev_client = UINT32_MAX;
	dev->index = -1;
	pthread_mutex_init(&dev->lock, NULL);

	dev->is_tty = is_nxp_tty(name) || !strcmp(name, "rpmsg-tty");
	if (dev->is_tty) {
		if (is_nxp_tty(name)) {
			snprintf(leaf, sizeof(leaf), "ttyRPMSG%u", mmamp_channel_dst(ch));
		} else {
			for (dev->index = 0; dev->index < TTY_MAX_RPMSG_TTY; dev->index++)
				if (!index_in_use(d, true, dev->index))
					break;
			snprintf(leaf, sizeof(leaf), "ttyRPMSG%d", dev->index);
		}
		/* NXP's names are per remote address, and every core of a multi-core platform
		 * announces the same ones: the platform's first core gets the plain name, the
		 * others' names say whose they are (ttyRPMSG30.m4_1) — the same names whatever
		 * order the cores come up in */
		if (c != &d->cores[0]) {
			size_t n = strlen(leaf);

			snprintf(leaf + n, sizeof(leaf) - n, ".%s", c->name);
		}
		runtime_file(d, leaf, p);
		if (path_in_use(d, p)) {
			size_t n = strlen(leaf);

			snprintf(leaf + n, sizeof(leaf) - n, "-%u", mmamp_channel_src(ch));
		}
		ret = dev->index >= TTY_MAX_RPMSG_TTY ? -ENOSPC : tty_create(d, dev, leaf);
	} else {
		for (dev->index = 0; index_in_use(d, false, dev->index); dev->index++)
			;
		ret = ept_create(d, dev);
	}
	if (ret) {
		logmsg("%s: channel %s (addr %u -> %u): cannot create its device: %s", c->name,
		       name, mmamp_channel_src(ch), mmamp_channel_dst(ch), strerror(-ret));
		dev_free(d, dev, false);
		return;
	}
	dev->next = d->devs;
	d->devs = dev;
	mmamp_channel_set_rx(ch, dev_rx, dev);
	if (dev->is_tty)
		logmsg("%s: channel %s (addr %u -> %u): TTY %s -> %s", c->name, name,
		       mmamp_channel_src(ch), mmamp_channel_dst(ch), dev->path, dev->pts);
	else
		logmsg("%s: channel %s (addr %u -> %u): endpoint %s", c->name, name,
		       mmamp_channel_src(ch), mmamp_channel_dst(ch), dev->path);
}

static void dev_remove(struct daemon *d, struct dev *dev, bool library_alive)
{
	d->dev_gen++;
	for (struct dev **pp = &d->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	dev_free(d, dev, library_alive);
}

void dev_channel_down(struct daemon *d, struct mmamp_channel *ch)
{
	struct dev *dev = dev_by_channel(d, ch);
	struct mmamp_channel_stats st;

	if (!dev)
		return;
	mmamp_channel_stats(ch, &st);
	logmsg("%s: channel %s gone (%s removed; tx %llu, rx %llu, tx_errors %llu, dropped %llu)",
	       dev->core->name, dev->chname, dev->path, (unsigned long long)st.tx,
	       (unsigned long long)st.rx, (unsigned long long)dev->tx_errors,
	       (unsigned long long)(st.rx_dropped + dev->rx_overflow + dev->rx_noreader));
	dev_remove(d, dev, true);
}

void dev_destroy_all(struct daemon *d, bool library_alive)
{
	while (d->devs)
		dev_remove(d, d->devs, library_alive);
}

/* Remove what a previous mmampd left behind (it held the same lock, so it is gone). */
void dev_clean_runtime(struct daemon *d)
{
	DIR *dir = opendir(d->runtime);
	struct dirent *e;
	char p[MMAMPD_FILE_MAX];
	struct stat st;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		bool tty = !strncmp(e->d_name, "ttyRPMSG", 8);
		bool ept = !strncmp(e->d_name, "rpmsg", 5) && e->d_name[5] >= '0' &&
			   e->d_name[5] <= '9';

		if (!tty && !ept)
			continue;
		runtime_file(d, e->d_name, p);
		if (lstat(p, &st))
			continue;
		if ((tty && S_ISLNK(st.st_mode)) || (ept && S_ISSOCK(st.st_mode)))
			unlink(p);
	}
	closedir(dir);
}

/* ---- events ---- */

static void ept_accept(struct daemon *d, struct dev *dev)
{
	char pkt[MMAMP_EPT_STATUS_LEN];
	int fd = accept4(dev->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (dev->client >= 0) {
		/* rpmsg_char: a second open is -EBUSY */
		mmamp_ept_status_make(pkt, EBUSY, "%s is in use by another client", dev->path);
		if (send(fd, pkt, sizeof(pkt), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			(void)0;
		close(fd);
		return;
	}
	dev->client = fd;
	dev->client_eof = dev->holding = dev->want_out = false;
	pthread_mutex_lock(&dev->lock);
	dev->out_fd = fd;
	pthread_mutex_unlock(&dev->lock);
	dev_update(d, dev);
}

void dev_event(struct daemon *d, struct watch *w, uint32_t events)
{
	struct dev *dev = w->obj;

	switch (w->kind) {
	case W_TTY:
		if (events & EPOLLOUT)
			dev_flush_now(d, dev);
		if (events & EPOLLIN)
			tty_pump(d, dev);
		if ((events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) {
			/* cannot happen while we hold the slave; never spin on it */
			logmsg("%s: %s: PTY hung up", dev->core->name, dev->chname);
			epoll_forget(d, dev->master, &dev->ev_main);
		}
		break;
	case W_EPT_LISTEN:
		ept_accept(d, dev);
		break;
	case W_EPT_CLIENT:
		if (dev->client < 0)
			break;
		if (events & EPOLLOUT)
			dev_flush_now(d, dev);
		if (events & EPOLLIN)
			ept_pump(d, dev);
		if (dev->client >= 0 && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) {
			if (dev->holding) {
				/* deliver what the client wrote before it left, then close */
				dev->client_eof = true;
				epoll_forget(d, dev->client, &dev->ev_client);
			} else {
				client_close(d, dev);
			}
		}
		break;
	default:
		break;
	}
}

void dev_retry_stalled(struct daemon *d)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next) {
		if (!dev->stalled)
			continue;
		if (dev->is_tty) {
			if (tty_send_pending(d, dev)) {
				tty_pump(d, dev);
			} else if (stalled_ms(dev) >= MMAMPD_TX_TIMEOUT_MS) {
				tx_error(dev, -ETIMEDOUT, "no TX buffer for 15 s, written data dropped");
				dev->txoff = dev->txlen;
				unstall(d, dev);
			}
			continue;
		}
		if (!dev->holding) {
			unstall(d, dev);
			continue;
		}
		if (ept_send(d, dev, dev->held, dev->held_len)) {
			dev_update(d, dev);
			if (dev->client_eof)
				ept_pump(d, dev); /* the rest it wrote, up to its end */
		} else if (stalled_ms(dev) >= MMAMPD_TX_TIMEOUT_MS) {
			tx_error(dev, -ETIMEDOUT, "no TX buffer for 15 s, message dropped");
			dev->holding = dev->stalled = false;
			ept_status(d, dev, ETIMEDOUT,
				   "no TX buffer on %s for %d s: message dropped", dev->chname,
				   MMAMPD_TX_TIMEOUT_MS / 1000);
			if (dev->client_eof)
				ept_pump(d, dev);
			else
				dev_update(d, dev);
		}
	}
}

int dev_next_timeout(struct daemon *d)
{
	for (struct dev *dev = d->devs; dev; dev = dev->next)
		if (dev->stalled)
			return MMAMPD_RETRY_MS;
	return -1;
}
