/* SPDX-License-Identifier: BSD-3-Clause */
/* tool_sock.h — connecting to mmampd's sockets (tool_sock.c). */
#ifndef MMAMP_TOOL_SOCK_H
#define MMAMP_TOOL_SOCK_H

/**
 * tool_seqpacket_connect() - connect to the SEQPACKET UNIX socket at @path (mmampd's control
 * socket, a message endpoint). Returns the fd (close-on-exec), or a negative errno:
 * -ENAMETOOLONG when @path does not fit a socket address, else socket()'s or connect()'s
 * (-ENOENT, -ECONNREFUSED: nobody serves it). Nothing is left open on failure.
 */
int tool_seqpacket_connect(const char *path);

#endif /* MMAMP_TOOL_SOCK_H */
