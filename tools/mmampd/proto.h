/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto.h — what mmampd and its clients (the mmamp CLI, the end-to-end tests) share: the runtime
 * directory, the control socket's text protocol, and the status packets of message endpoints.
 * Not an installed API.
 *
 * Control socket <runtime>/mmampd.sock (AF_UNIX, SOCK_SEQPACKET): one request per packet, one
 * reply per packet. A request is words separated by blanks (a trailing newline is ignored); a
 * reply is "ok[ VALUE]" (a table: "ok N" and N lines after it) or "err <ERRNO-NAME> <message>".
 * The requests are listed in tools/mmampd/control.c and tools/mmampd/README.md.
 *
 * Message endpoint <runtime>/rpmsgN (AF_UNIX, SOCK_SEQPACKET): one packet = one RPMsg message of
 * 0..496 bytes, both ways. mmampd's replies to a client's mistake (a packet over 496 bytes, a
 * second client, the channel gone, a send that failed) are *status packets*: exactly
 * MMAMP_EPT_STATUS_LEN (512) bytes, longer than any message can be, holding
 * "mmampd-status <ERRNO-NAME> <message>" and NUL padding. A packet longer than 496 bytes is
 * therefore never a message.
 */
#ifndef MMAMP_TOOLS_PROTO_H
#define MMAMP_TOOLS_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "mmamp/rpmsg.h"

#define MMAMP_CTL_SOCKET      "mmampd.sock"
#define MMAMP_CTL_MAX         65536 /* largest request or reply packet */
#define MMAMP_EPT_MTU         ((int)MMAMP_RPMSG_MTU) /* an endpoint message: one RPMsg payload */
#define MMAMP_EPT_STATUS_LEN  512
#define MMAMP_EPT_STATUS_TAG  "mmampd-status "
#define MMAMP_RUNTIME_ENV     "MMAMP_RUNTIME_DIR"
/* The runtime directory holds sockets, whose paths must fit sun_path (108 bytes). */
#define MMAMP_RUNTIME_MAX     96

/** mmamp_errno_name() - "EBUSY" for EBUSY (any errno of the C library's table); "EUNKNOWN" for
 * a number that is none. */
const char *mmamp_errno_name(int err);
/** mmamp_errno_from_name() - the number for "EBUSY" etc.; 0 if unknown. */
int mmamp_errno_from_name(const char *name);

/**
 * mmamp_escape() - @len bytes of untrusted @text (a firmware name, a channel name a remote
 * announced, a crash reason) made safe to print on a terminal: every byte outside printable
 * ASCII, and the backslash, as \xNN (newlines kept with @keep_newlines). Into @buf (4 * @len + 1
 * bytes hold any text; a shorter @buf cuts it). Returns @buf.
 */
const char *mmamp_escape(const char *text, size_t len, bool keep_newlines, char *buf,
			 size_t buflen);

/**
 * mmamp_default_runtime_dir() - $MMAMP_RUNTIME_DIR if set, else /run/mmamp as root, else
 * $XDG_RUNTIME_DIR/mmamp. Returns 0, or -ENOENT (with @buf naming what is missing).
 */
int mmamp_default_runtime_dir(char *buf, size_t len);

/** mmamp_sockaddr() - fill @sa for @path; -ENAMETOOLONG if it does not fit sun_path. */
int mmamp_sockaddr(struct sockaddr_un *sa, const char *path);

/** mmamp_ept_status_make() - a status packet (MMAMP_EPT_STATUS_LEN bytes) into @pkt. */
void mmamp_ept_status_make(char pkt[MMAMP_EPT_STATUS_LEN], int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * mmamp_ept_status_parse() - whether a packet of @len bytes is a status packet; if so, its
 * errno in *@err and its text in @msg.
 */
bool mmamp_ept_status_parse(const void *pkt, size_t len, int *err, char *msg, size_t msglen);

#endif /* MMAMP_TOOLS_PROTO_H */
