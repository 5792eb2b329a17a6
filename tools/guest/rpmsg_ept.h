/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_ept.h — an RPMsg endpoint made from Linux user space with rpmsg_ctrl: the
 * RPMSG_CREATE_EPT_IOCTL on /dev/rpmsg_ctrlN makes rpmsg_char add a /dev/rpmsgM for the
 * (name, src, dst) given; opening that node creates the endpoint on the rpmsg bus, writes are
 * one message each to dst, reads one message each. RPMSG_DESTROY_EPT_IOCTL on the node removes
 * it again. The uapi (linux/rpmsg.h, Linux 6.1): struct rpmsg_endpoint_info { char name[32];
 * __u32 src; __u32 dst; }, RPMSG_CREATE_EPT_IOCTL = _IOW(0xb5, 1, that struct),
 * RPMSG_DESTROY_EPT_IOCTL = _IO(0xb5, 2) — docs/linux-host.md, "The guest tools".
 */
#ifndef MMAMP_GUEST_RPMSG_EPT_H
#define MMAMP_GUEST_RPMSG_EPT_H

#include <stddef.h>
#include <stdint.h>

struct guest_ept {
	int fd;           /* the open /dev/rpmsgM: the endpoint exists while it is open */
	char dev[272];    /* "/dev/rpmsgM" */
	char sysfs[288];  /* "/sys/class/rpmsg/rpmsgM" */
};

/**
 * guest_ept_create() - ask @ctrl (/dev/rpmsg_ctrl0) for an endpoint device named @name from
 * @src (RPMSG_ADDR_ANY: the kernel picks one) to @dst, find its node by name and dst in
 * /sys/class/rpmsg, wait (with a deadline) for devtmpfs to show it, and open it.
 * Return 0 with @e ready, or a negative errno with @err saying what failed where.
 */
int guest_ept_create(struct guest_ept *e, const char *ctrl, const char *name, uint32_t src,
		     uint32_t dst, char *err, size_t errlen);

/**
 * guest_ept_destroy() - RPMSG_DESTROY_EPT_IOCTL, close, and check that the device is gone
 * from sysfs. 0, or a negative errno with @err.
 */
int guest_ept_destroy(struct guest_ept *e, char *err, size_t errlen);

#endif /* MMAMP_GUEST_RPMSG_EPT_H */
