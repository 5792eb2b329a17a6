/* SPDX-License-Identifier: BSD-3-Clause */
/* lcm.c — install the measurement firmware and put the old one back (mmampd or sysfs). */
#define _GNU_SOURCE
#include "lcm.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tool_sock.h"

#define CTL_MAX 65536

/* ---- mmampd: the control socket ---- */

static int ctl_connect(struct mm_lcm *c, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/mmampd.sock", c->runtime);
	fd = tool_seqpacket_connect(path);
	if (fd == -ENAMETOOLONG) {
		snprintf(err, errlen, "runtime directory %s: too long for a socket path", c->runtime);
		return fd;
	}
	if (fd < 0) {
		snprintf(err, errlen, "mmampd at %s: %s (is mmampd running? start it with "
			 "mmampd -r %s)", path, strerror(-fd), c->runtime);
		c->ctl = -1;
		return fd;
	}
	c->ctl = fd;
	return 0;
}

int mm_lcm_ctl(struct mm_lcm *c, const char *req, char *reply, size_t len, char *err,
	       size_t errlen)
{
	char *buf;
	ssize_t n;
	int ret = 0;

	if (c->ctl <= 0 && (ret = ctl_connect(c, err, errlen)))
		return ret;
	buf = malloc(CTL_MAX + 1);
	if (!buf)
		return -ENOMEM;
	if (send(c->ctl, req, strlen(req), 0) < 0 || (n = recv(c->ctl, buf, CTL_MAX, 0)) <= 0) {
		ret = -EPIPE;
		snprintf(err, errlen, "mmampd: request \"%s\": connection lost", req);
	} else {
		buf[n] = 0;
		if (!strncmp(buf, "ok", 2)) {
			snprintf(reply, len, "%s", buf[2] == ' ' ? buf + 3 : "");
		} else {
			ret = -EIO;
			snprintf(err, errlen, "mmampd: \"%s\": %s", req, buf);
		}
	}
	free(buf);
	return ret;
}

/* The dev= of channel @name in a "channels" table. */
static int channel_dev(const char *table, const char *name, char *dev, size_t len)
{
	size_t nl = strlen(name);

	for (const char *line = table; line && *line; line = strchr(line, '\n')) {
		const char *d;

		if (*line == '\n')
			line++;
		if (strncmp(line, name, nl) || line[nl] != ' ')
			continue;
		d = strstr(line, " dev=");
		if (!d)
			return -ENOENT;
		d += 5;
		snprintf(dev, len, "%.*s", (int)strcspn(d, " \n"), d);
		return strcmp(dev, "-") ? 0 : -ENOENT;
	}
	return -ENOENT;
}

static int mmampd_start(struct mm_lcm *c, const char *fw, char *dev, size_t devlen, char *err,
			size_t errlen)
{
	char req[512], *reply = malloc(CTL_MAX);
	int ret;

	if (!reply)
		return -ENOMEM;
	snprintf(req, sizeof(req), "set %s firmware %s", c->core, fw);
	ret = mm_lcm_ctl(c, req, reply, CTL_MAX, err, errlen);
	snprintf(req, sizeof(req), "set %s state start", c->core);
	if (!ret)
		ret = mm_lcm_ctl(c, req, reply, CTL_MAX, err, errlen);
	snprintf(req, sizeof(req), "wait %s running channel=%s %d", c->core, c->channel,
		 c->timeout_ms);
	if (!ret)
		ret = mm_lcm_ctl(c, req, reply, CTL_MAX, err, errlen);
	snprintf(req, sizeof(req), "channels %s", c->core);
	if (!ret && dev)
		ret = mm_lcm_ctl(c, req, reply, CTL_MAX, err, errlen);
	if (!ret && dev && channel_dev(reply, c->channel, dev, devlen)) {
		snprintf(err, errlen, "mmampd: channel %s of %s has no device", c->channel, c->core);
		ret = -ENOENT;
	}
	free(reply);
	return ret;
}

static int mmampd_install(struct mm_lcm *c, char *dev, size_t devlen, char *err, size_t errlen)
{
	char req[256], state[64];
	int ret;

	snprintf(req, sizeof(req), "get %s firmware", c->core);
	ret = mm_lcm_ctl(c, req, c->old_firmware, sizeof(c->old_firmware), err, errlen);
	snprintf(req, sizeof(req), "get %s state", c->core);
	if (!ret)
		ret = mm_lcm_ctl(c, req, state, sizeof(state), err, errlen);
	if (ret)
		return ret;
	c->was_running = !strcmp(state, "running");
	if (strcmp(state, "offline")) {
		snprintf(req, sizeof(req), "set %s state stop", c->core);
		ret = mm_lcm_ctl(c, req, state, sizeof(state), err, errlen);
		if (ret)
			return ret;
	}
	c->installed = true;
	return mmampd_start(c, c->firmware, dev, devlen, err, errlen);
}

static int mmampd_restore(struct mm_lcm *c, char *err, size_t errlen)
{
	char req[512], reply[256];
	int ret;

	snprintf(req, sizeof(req), "set %s state stop", c->core);
	mm_lcm_ctl(c, req, reply, sizeof(reply), err, errlen); /* it may have crashed: offline */
	if (!c->old_firmware[0] || !strcmp(c->old_firmware, "-"))
		return 0;
	if (!c->was_running) {
		snprintf(req, sizeof(req), "set %s firmware %s", c->core, c->old_firmware);
		return mm_lcm_ctl(c, req, reply, sizeof(reply), err, errlen);
	}
	ret = mmampd_start(c, c->old_firmware, NULL, 0, err, errlen);
	return ret;
}

/* ---- sysfs: Linux remoteproc ---- */

static int sysfs_read(const struct mm_lcm *c, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->rproc_dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int sysfs_write(const struct mm_lcm *c, const char *attr, const char *value, char *err,
		       size_t errlen)
{
	char path[512];
	size_t n = strlen(value);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", c->rproc_dir, attr);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, value, n) != (ssize_t)n) {
		ret = -errno;
		snprintf(err, errlen, "remoteproc: writing \"%s\" to %s: %s", value, path,
			 strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, ret = 0;
	ssize_t n;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in < 0 || out < 0 || n != 0)
		ret = -(errno ? errno : EIO);
	if (ret)
		snprintf(err, errlen, "installing firmware %s as %s: %s", from, to, strerror(-ret));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The kernel announces the channel by creating its device node: wait for it to appear. */
static int wait_device(const struct mm_lcm *c, char *dev, size_t devlen, char *err, size_t errlen)
{
	for (int waited = 0; waited <= c->timeout_ms; waited += 10) {
		glob_t g;

		if (c->tty) {
			if (access(c->tty, R_OK | W_OK) == 0) {
				snprintf(dev, devlen, "%s", c->tty);
				return 0;
			}
		} else if (glob("/dev/ttyRPMSG*", 0, NULL, &g) == 0) {
			snprintf(dev, devlen, "%s", g.gl_pathv[0]);
			globfree(&g);
			return 0;
		}
		sleep_ms(10);
	}
	snprintf(err, errlen, "remoteproc %s: no channel device %s after %d ms", c->rproc_dir,
		 c->tty ? c->tty : "/dev/ttyRPMSG*", c->timeout_ms);
	return -ETIMEDOUT;
}

static int sysfs_install(struct mm_lcm *c, char *dev, size_t devlen, char *err, size_t errlen)
{
	char state[64], to[512];
	int ret = sysfs_read(c, "firmware", c->old_firmware, sizeof(c->old_firmware));

	if (!ret)
		ret = sysfs_read(c, "state", state, sizeof(state));
	if (ret) {
		snprintf(err, errlen, "remoteproc %s: cannot read firmware/state: %s", c->rproc_dir,
			 strerror(-ret));
		return ret;
	}
	c->was_running = !strcmp(state, "running");
	if (c->fw_file) {
		snprintf(to, sizeof(to), "%s/%s", c->fw_dir, c->firmware);
		if ((ret = copy_file(c->fw_file, to, err, errlen)))
			return ret;
	}
	if (c->was_running && (ret = sysfs_write(c, "state", "stop", err, errlen)))
		return ret;
	c->installed = true;
	ret = sysfs_write(c, "firmware", c->firmware, err, errlen);
	if (!ret)
		ret = sysfs_write(c, "state", "start", err, errlen);
	return ret ? ret : wait_device(c, dev, devlen, err, errlen);
}

static int sysfs_restore(struct mm_lcm *c, char *err, size_t errlen)
{
	int ret = sysfs_write(c, "state", "stop", err, errlen);

	if (!ret && c->old_firmware[0])
		ret = sysfs_write(c, "firmware", c->old_firmware, err, errlen);
	if (!ret && c->was_running)
		ret = sysfs_write(c, "state", "start", err, errlen);
	return ret;
}

int mm_lcm_install(struct mm_lcm *c, char *dev, size_t devlen, char *err, size_t errlen)
{
	if (!c->timeout_ms)
		c->timeout_ms = 10000;
	return c->kind == MM_LCM_MMAMPD ? mmampd_install(c, dev, devlen, err, errlen)
					: sysfs_install(c, dev, devlen, err, errlen);
}

int mm_lcm_restore(struct mm_lcm *c, char *err, size_t errlen)
{
	int ret;

	if (!c->installed)
		return 0;
	ret = c->kind == MM_LCM_MMAMPD ? mmampd_restore(c, err, errlen)
				       : sysfs_restore(c, err, errlen);
	if (c->ctl > 0)
		close(c->ctl);
	c->ctl = -1;
	c->installed = false;
	return ret;
}
