/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmampd.h — the daemon's internals, shared by its files: main.c (the entry point), options.c
 * (command line), setup.c (instance lock, background), daemon.c (start-up, event loop,
 * shutdown), handoff.c (from the library's threads to the loop), control.c (the control
 * socket), devices.c (a TTY or a message endpoint per channel), util.c (logging, paths, time,
 * epoll). Every file includes this header (and sysfs_fuse.h where it needs the sysfs face);
 * no header includes one of the daemon's .c-level headers back.
 *
 * Threads. The daemon's own code runs on ONE thread, the event loop (epoll). The host library
 * runs a host thread per running core and a monitor thread per core; its event and receive
 * callbacks run there with the core's lock held, so they never block and never touch the loop's
 * data: they append to a queue (struct handoff, mutex) and ring an eventfd. The one exception is
 * a received message, which the callback writes straight to the device's output fd when nothing
 * is queued before it (non-blocking write, under the device's own mutex), so the common path
 * costs no thread switch; what does not fit is queued under that mutex and the loop flushes it.
 * Lock order: library core lock → device mutex → hand-off mutex; the loop never holds a daemon
 * mutex while it calls into the library.
 */
#ifndef MMAMPD_H
#define MMAMPD_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mmamp/host/rproc.h"
#include "mmamp/version.h"
#include "proto.h"

#define MMAMPD_VERSION MMAMP_VERSION_STRING /* project(), through mmamp/version.h */
#define MMAMPD_TX_TIMEOUT_MS 15000   /* a send waiting for a TX buffer gives up (rpmsg: 15 s) */
#define MMAMPD_RETRY_MS 1            /* how often a stalled send is retried */
#define MMAMPD_OUTQ_MAX_BYTES (1u << 20) /* per device, towards the user, before dropping */
#define MMAMPD_MAX_CHANNEL_WAIT 8    /* channel= conditions of one wait request */
/* Every socket lives in the runtime directory, so its path must fit sun_path (108 bytes). */
#define MMAMPD_RUNTIME_MAX MMAMP_RUNTIME_MAX
#define MMAMPD_FILE_MAX (MMAMPD_RUNTIME_MAX + 64) /* a file in the runtime directory */

enum watch_kind { W_CTL_LISTEN, W_CTL_CONN, W_WAKE, W_SIGNAL, W_TTY, W_EPT_LISTEN, W_EPT_CLIENT,
		  W_SYSFS };

/** struct watch - what an epoll event's data.ptr points at. */
struct watch {
	enum watch_kind kind;
	void *obj;
};

/** struct omsg - bytes (TTY) or one packet (endpoint) waiting to go to the user. */
struct omsg {
	struct omsg *next;
	size_t len, off;
	uint8_t data[];
};

/** struct core - a remote core as the daemon sees it. */
struct core {
	struct mmamp_rproc *r;
	const char *name;
	enum mmamp_rproc_state last; /* the state of the last event the loop processed */
	unsigned crashes;            /* running/attached -> crashed events the loop processed */
};

/**
 * struct dev - the user-space face of one channel: a TTY (PTY + symlink) or a message endpoint
 * (listening socket + at most one client).
 */
struct dev {
	struct dev *next;
	uint64_t id;
	struct daemon *d;
	struct core *core;
	struct mmamp_channel *ch; /* referenced */
	char chname[40];
	bool is_tty;
	int index;            /* rpmsgN / rpmsg-tty index, -1 if none */
	char path[MMAMPD_FILE_MAX]; /* symlink (TTY) or socket (endpoint) */
	char pts[64];         /* TTY: /dev/pts/N */
	int master, slave;    /* TTY */
	int listen_fd;        /* endpoint */
	int client;           /* endpoint: the connected client, -1 */
	struct watch w_main, w_client;
	uint32_t ev_main, ev_client; /* current epoll interest */

	/* towards the user: shared with the library's host thread (lock) */
	pthread_mutex_t lock;
	int out_fd;           /* master or client, -1: no reader */
	struct omsg *oq_head, *oq_tail;
	size_t oq_bytes;
	bool flush_posted;
	uint64_t rx_overflow; /* dropped: the user did not read fast enough */
	uint64_t rx_noreader; /* dropped: no client connected (endpoint) */
	bool overflow_logged;

	/* from the user (loop thread only) */
	uint8_t txbuf[4096];
	size_t txlen, txoff;  /* TTY: bytes read from the master, not yet sent */
	uint8_t held[MMAMP_EPT_MTU];
	size_t held_len;
	bool holding;         /* endpoint: a message waiting for a TX buffer */
	bool client_eof;      /* endpoint: close the client once the held message is out */
	bool stalled;
	bool want_out;        /* the output queue has something: wait for POLLOUT */
	struct timespec stall_since;
	uint64_t tx_errors, rejected;
	uint64_t tx_stalls;   /* sends that found no TX buffer and had to wait */
	int last_tx_error;
};

/** struct waiter - a pending "wait" request. */
struct waiter {
	struct core *core;
	enum mmamp_rproc_state state;
	char channels[MMAMPD_MAX_CHANNEL_WAIT][40];
	int nchannels;
	unsigned crashes;
	struct timespec deadline;
	int timeout_ms;
};

/** struct conn - a control-socket connection. */
struct conn {
	struct conn *next;
	int fd;
	struct watch w;
	uint32_t ev;
	struct waiter *wait;  /* at most one request in flight: a wait */
	bool shutdown_reply;  /* reply "ok" to this one when the daemon has shut down */
};

struct daemon {
	/* configuration */
	char runtime[MMAMPD_RUNTIME_MAX];
	char platform[PATH_MAX];
	char firmware_dir[PATH_MAX * 2]; /* ':'-separated */
	char simcore[PATH_MAX];
	char qemu_bootrom[PATH_MAX]; /* "" when there is none */
	bool polling, foreground, auto_boot;
	bool sysfs_on;          /* serve <runtime>/sys through FUSE (--no-sysfs: off) */

	struct mmamp_host *host;
	struct core *cores;
	size_t ncores;

	int epfd;
	int wake_fd;            /* eventfd: the hand-off queue has items */
	int sig_rd, sig_wr;     /* self-pipe from the signal handler */
	int ctl_fd;
	int lock_fd;
	struct watch w_ctl, w_wake, w_sig, w_sysfs;
	struct sysfs *sysfs;    /* the sysfs face (sysfs_fuse.h), NULL when off */
	char ctl_path[MMAMPD_FILE_MAX];
	struct conn *conns;
	struct dev *devs;
	uint64_t next_dev_id;
	unsigned dev_gen;       /* bumped when a device is freed */
	bool stopping;
	struct timespec t0;
};

#define MMAMPD_CONTINUE (-1) /* options_parse(), daemonize(): go on (else: exit with it) */

/* options.c */
int options_parse(struct daemon *d, int argc, char **argv, int *ready_fd);

/* setup.c */
int take_lock(struct daemon *d, char *err, size_t errlen);
/* Go to the background unless -F; @ready_wr gets the readiness pipe's write end (or -1). */
int daemonize(struct daemon *d, int ready_fd, int *ready_wr);
/* Tell the waiting parent (or --ready-fd) that start-up worked (@err NULL) or why not. */
void ready_report(int ready_wr, const char *err);

/* daemon.c */
int daemon_start(struct daemon *d, char *err, size_t errlen);
void daemon_serve(struct daemon *d);
void daemon_loop(struct daemon *d);
void daemon_shutdown(struct daemon *d);
void daemon_close(struct daemon *d);

/* handoff.c */
extern const struct mmamp_host_events handoff_events;
void handoff_init(int wake_fd);
void handoff_flush(struct dev *dev);
void handoff_process(struct daemon *d);
void handoff_drain(void);

/* util.c */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int epoll_set(struct daemon *d, int fd, struct watch *w, uint32_t *cur, uint32_t want);
void epoll_forget(struct daemon *d, int fd, uint32_t *cur);
struct core *core_by_name(struct daemon *d, const char *name);
struct core *core_of(struct daemon *d, struct mmamp_rproc *r);
int64_t ms_until(const struct timespec *t);
void runtime_file(const struct daemon *d, const char *leaf, char out[MMAMPD_FILE_MAX]);
void deadline_after(struct timespec *t, int ms);

/* devices.c */
void dev_channel_up(struct daemon *d, struct core *c, struct mmamp_channel *ch);
void dev_channel_down(struct daemon *d, struct mmamp_channel *ch);
void dev_destroy_all(struct daemon *d, bool library_alive);
struct dev *dev_by_channel(struct daemon *d, const struct mmamp_channel *ch);
struct dev *dev_by_id(struct daemon *d, uint64_t id);
void dev_event(struct daemon *d, struct watch *w, uint32_t events);
void dev_flush_posted(struct dev *dev);
void dev_retry_stalled(struct daemon *d);
int dev_next_timeout(struct daemon *d);
void dev_clean_runtime(struct daemon *d);

/* control.c */
void ctl_accept(struct daemon *d);
void ctl_event(struct daemon *d, struct conn *c, uint32_t events);
void ctl_close(struct daemon *d, struct conn *c);
void ctl_waiters_check(struct daemon *d, struct core *core);
int ctl_next_timeout(struct daemon *d);
void ctl_expire(struct daemon *d);
void ctl_cancel_all(struct daemon *d, int err, const char *why);
/* The remoteproc attributes, shared by the control socket and the sysfs face: 0 or -errno
 * (the kernel's), @msg saying why. lcm_get() may run on any thread; the setters run on the
 * loop (a start or stop handles its own events before it returns). */
int lcm_get(struct core *core, const char *attr, char *buf, size_t len);
int lcm_set_state(struct daemon *d, struct core *core, const char *word, char *msg, size_t len);
int lcm_set_firmware(struct core *core, const char *name, char *msg, size_t len);
int lcm_set_recovery(struct core *core, const char *word, char *msg, size_t len);

#endif /* MMAMPD_H */
