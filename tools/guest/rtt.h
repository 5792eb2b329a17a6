/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtt.h — `mmamp-guest rtt`: round trips of one message through a kernel RPMsg device in the
 * guest — a TTY (/dev/ttyRPMSGn: raw mode, the echo read back in as many pieces as it comes)
 * or an rpmsg_char node (/dev/rpmsgN: one write, one read) — each echo checked byte for byte,
 * with the driver's per-message timestamps (kernel/mmamp_rproc.c) when asked.
 */
#ifndef MMAMP_GUEST_RTT_H
#define MMAMP_GUEST_RTT_H

int guest_cmd_rtt(int argc, char **argv);

#endif /* MMAMP_GUEST_RTT_H */
