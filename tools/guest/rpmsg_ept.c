/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmsg_ept.c — an RPMsg endpoint from user space through rpmsg_ctrl (see rpmsg_ept.h). */
#define _GNU_SOURCE
#include "rpmsg_ept.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tool_dev.h"

#define SYSFS_RPMSG "/sys/class/rpmsg"
#define NODE_WAIT_MS 5000

/* The kernel we run under (Linux 6.1) defines the ABI; the header we build with must agree. */
_Static_assert(sizeof(struct rpmsg_endpoint_info) == 40, "rpmsg_endpoint_info: 32 + 4 + 4 bytes");
_Static_assert(RPMSG_CREATE_EPT_IOCTL == 0x4028b501u, "RPMSG_CREATE_EPT_IOCTL: _IOW(0xb5, 1, 40)");
_Static_assert(RPMSG_DESTROY_EPT_IOCTL == 0xb502u, "RPMSG_DESTROY_EPT_IOCTL: _IO(0xb5, 2)");

/* The first line of @path, newline removed; 0 or a negative errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

/* An endpoint device of @name to @dst in /sys/class/rpmsg: its entry name into @out. */
static int find_eptdev(const char *name, uint32_t dst, char *out, size_t outlen)
{
	char path[300], val[64];
	struct dirent *d;
	DIR *dir = opendir(SYSFS_RPMSG);
	int ret = -ENOENT;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "rpmsg", 5) || !strncmp(d->d_name, "rpmsg_ctrl", 10))
			continue;
		snprintf(path, sizeof(path), SYSFS_RPMSG "/%s/name", d->d_name);
		if (read_line(path, val, sizeof(val)) || strcmp(val, name))
			continue;
		/* rpmsg_char prints the addresses with %d: RPMSG_ADDR_ANY reads as -1 */
		snprintf(path, sizeof(path), SYSFS_RPMSG "/%s/dst", d->d_name);
		if (read_line(path, val, sizeof(val)) || (uint32_t)strtoll(val, NULL, 0) != dst)
			continue;
		snprintf(out, outlen, "%s", d->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

int guest_ept_create(struct guest_ept *e, const char *ctrl, const char *name, uint32_t src,
		     uint32_t dst, char *err, size_t errlen)
{
	struct rpmsg_endpoint_info info = { .src = src, .dst = dst };
	char entry[256];
	int cfd, ret;

	e->fd = -1;
	if (strlen(name) >= sizeof(info.name)) {
		snprintf(err, errlen, "endpoint name \"%s\": longer than %zu characters", name,
			 sizeof(info.name) - 1);
		return -EINVAL;
	}
	memcpy(info.name, name, strlen(name));
	cfd = open(ctrl, O_RDWR | O_CLOEXEC);
	if (cfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s (is rpmsg_ctrl loaded and the remote up?)", ctrl,
			 strerror(-ret));
		return ret;
	}
	ret = ioctl(cfd, RPMSG_CREATE_EPT_IOCTL, &info) ? -errno : 0;
	close(cfd);
	if (ret) {
		snprintf(err, errlen, "%s: RPMSG_CREATE_EPT_IOCTL (%s, src 0x%x, dst 0x%x): %s", ctrl,
			 name, src, dst, strerror(-ret));
		return ret;
	}
	ret = find_eptdev(name, dst, entry, sizeof(entry));
	if (ret) {
		snprintf(err, errlen, "%s: no device named %s with dst %u after "
			 "RPMSG_CREATE_EPT_IOCTL: %s", SYSFS_RPMSG, name, dst, strerror(-ret));
		return ret;
	}
	snprintf(e->dev, sizeof(e->dev), "/dev/%s", entry);
	snprintf(e->sysfs, sizeof(e->sysfs), SYSFS_RPMSG "/%s", entry);
	e->fd = tool_open_new_node(e->dev, O_RDWR | O_CLOEXEC, NODE_WAIT_MS);
	if (e->fd < 0) {
		ret = e->fd;
		snprintf(err, errlen, "%s (endpoint device %s): %s", e->dev, e->sysfs, strerror(-ret));
		return ret;
	}
	return 0;
}

int guest_ept_destroy(struct guest_ept *e, char *err, size_t errlen)
{
	int ret = 0;

	if (e->fd < 0)
		return 0;
	if (ioctl(e->fd, RPMSG_DESTROY_EPT_IOCTL)) {
		ret = -errno;
		snprintf(err, errlen, "%s: RPMSG_DESTROY_EPT_IOCTL: %s", e->dev, strerror(-ret));
	}
	close(e->fd);
	e->fd = -1;
	/* The device is unregistered in the ioctl: its sysfs entry is gone when it returns. */
	if (!ret && access(e->sysfs, F_OK) == 0) {
		ret = -EEXIST;
		snprintf(err, errlen, "%s: still there after RPMSG_DESTROY_EPT_IOCTL", e->sysfs);
	}
	return ret;
}
