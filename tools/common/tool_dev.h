/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_dev.h — opening a device node the kernel has just announced (tool_dev.c). */
#ifndef MMAMP_TOOL_DEV_H
#define MMAMP_TOOL_DEV_H

/**
 * tool_open_new_node() - open(@path, @flags) of a node a driver has just created, waiting up to
 * @timeout_ms while it is not usable yet: ENOENT (devtmpfs has not made the node) and ENXIO (the
 * node is there but the driver has not added its character device yet — Linux's
 * tty_register_device registers the device, which makes the node, before it adds the cdev).
 * Return: the fd, or the negative errno of the last try.
 */
int tool_open_new_node(const char *path, int flags, int timeout_ms);

#endif /* MMAMP_TOOL_DEV_H */
