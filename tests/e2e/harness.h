/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h — end-to-end tests of mmampd and the mmamp CLI with real processes: a daemon per
 * test (mmampd -F in its own process group and runtime directory, ready when it says so on a
 * pipe), requests on its control socket, the TTYs and endpoints it publishes, and the CLI run
 * as a child. Every wait is a poll() on a descriptor or a daemon "wait" with a timeout — never a
 * sleep. Teardown asks the daemon to shut down and checks it exited 0 (so ASan/LSan findings in
 * the daemon fail the test); if it does not, the whole process group (daemon and simulated
 * cores) is killed.
 */
#ifndef MMAMP_E2E_HARNESS_H
#define MMAMP_E2E_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tool_sock.h" /* tool_seqpacket_connect(): the control socket, an endpoint */

#define E2E_WAIT_MS 20000  /* generous: sanitizer builds on a busy 2-core machine */
#define TTY_CHANNEL "rpmsg-virtual-tty-channel-1"
#define RAW_CHANNEL "rpmsg-raw"
#define INFO_CHANNEL "mmamp-info"

struct e2e {
	char rt[80];      /* runtime directory */
	pid_t daemon;     /* mmampd, leader of its process group */
	bool passed;      /* set by a test that got to its end: keep quiet in teardown */
};

/* Start mmampd -F on @platform (a .dtb path, a base name in the build's platforms, or NULL:
 * the default) with extra @args. */
struct e2e *e2e_start(const char *platform, const char *const *args);
/* Shut it down (checking its exit status), clean up; prints the log if the test failed. */
void e2e_stop(struct e2e *e);
/* An nftw() callback that removes each entry (FTW_DEPTH: a tree, deepest first). */
struct stat;
struct FTW;
int e2e_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw);
/* Free an e2e whose daemon the test ended itself (nothing is stopped or removed). */
void e2e_free(struct e2e *e);

/* A control request; returns true for "ok" and copies the text after "ok "/"err " to @out. */
bool ctl(struct e2e *e, char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A control request that must succeed (fails the test otherwise). */
void ctl_ok(struct e2e *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Boot @core with @firmware and wait for its three channels. */
void boot_echo(struct e2e *e, const char *core, const char *firmware);
/* The device path of @core's channel @name (from "channels"). */
void channel_dev(struct e2e *e, const char *core, const char *name, char *out, size_t len);
/* A numeric field (tx=, rx=, tx_errors=...) of a channel line. */
unsigned long long channel_field(struct e2e *e, const char *core, const char *name,
				 const char *key);

/* Run the CLI with -r <runtime> (if @e) and @argv; capture stdout/stderr; return the status. */
int cli(struct e2e *e, char *out, size_t outlen, char *err, size_t errlen, const char *const *argv);
/* Run @exe with @argv (without argv[0]) the same way. */
int run(const char *exe, char *out, size_t outlen, char *err, size_t errlen,
	const char *const *argv);

/* I/O with deadlines */
int tty_open(const char *path);
/* write @len bytes and read exactly @len back; returns 0 or -errno (-ETIMEDOUT). */
int tty_echo(int fd, const uint8_t *out, size_t len, uint8_t *in);
/* Receive one packet within the wait limit; returns its length or -errno. */
ssize_t seq_recv(int fd, void *buf, size_t len, int timeout_ms);
void fill_random(uint8_t *buf, size_t len, uint64_t *seed);

#endif /* MMAMP_E2E_HARNESS_H */
