/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/host/rproc.h — the host's "kernel": remoteproc lifecycle management and the RPMsg master
 * for every remote core of a platform, as a library. mmampd, the CLI's daemon side, MeasureMan
 * and the tests all drive remote cores through this one API.
 *
 * States and strings are exactly Linux remoteproc's (tools/mmampd/README.md): offline,
 * suspended, running, crashed, deleted, attached, detached. The firmware name can be set only while offline;
 * recovery is "enabled"/"disabled" and "recover" triggers one recovery.
 *
 * Boot (docs/protocol.md §1.2): ELF check → resource table validated and cached → vdev
 * vrings/buffers placed in the platform's named regions, notifyids assigned → PT_LOAD segments copied through
 * the SCU check (the APU may only write where it was granted) → cached table copied to the
 * core's `rsc-table` region → SCU cpu_start (the simulated core process starts) → virtio status
 * 1, 3, gfeatures, vring da, RPMsg probe (RX buffers posted), 7, first kick → channels come up
 * from the remote's name-service announcements.
 *
 * Threads: each running core has one host thread (its "interrupt" context) that takes doorbells
 * and delivers messages, and each core a monitor thread that watches the core process, its
 * heartbeat and crash reports; event callbacks run on them. Every function
 * here may be called from any thread, including from inside a callback.
 *
 * Errors: negative Linux errno values (the numbers of mmamp/errno.h), each function saying its
 * own below. Where the host turns the portable core's errors into its own (docs/protocol.md
 * §4.1), it does so in one place each:
 *   - mmamp_channel_send(): the core's -ENOBUFS (no free TX buffer) becomes -EAGAIN (timeout 0,
 *     or called from a receive callback, which cannot wait for its own thread) or -ETIMEDOUT
 *     (the timeout passed); -ENOTCONN (the endpoint is gone) becomes -EPIPE; -EIO (the remote
 *     broke the TX ring) becomes -EPIPE and the core is reported crashed ("vdev broken").
 *   - the host thread: -EIO from receiving (a ring violation) is never returned to anyone: the
 *     core goes to "crashed" with the violation as its reason (mmamp_rproc_crash_reason()).
 *   - mmamp_rproc_start(): the ELF loader's and the resource table's errors (-ENOEXEC,
 *     -EACCES, ...) are passed on as they are, with @err saying what, where and why.
 */
#ifndef MMAMP_HOST_RPROC_H
#define MMAMP_HOST_RPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

struct mmamp_host;
struct mmamp_rproc;
struct mmamp_channel;

/** enum mmamp_rproc_state - Linux's enum rproc_state, same order and strings. */
enum mmamp_rproc_state {
	MMAMP_RPROC_OFFLINE,
	MMAMP_RPROC_SUSPENDED,
	MMAMP_RPROC_RUNNING,
	MMAMP_RPROC_CRASHED,
	MMAMP_RPROC_DELETED,
	MMAMP_RPROC_ATTACHED,
	MMAMP_RPROC_DETACHED,
};

/** mmamp_rproc_state_str() - "offline", "running", …; "invalid" for anything else. */
const char *mmamp_rproc_state_str(enum mmamp_rproc_state s);

/**
 * struct mmamp_host_events - optional notifications (run on a core's host thread).
 * @state:   a core changed state.
 * @channel: a channel came up (@up) or went away; a channel that went away stays valid until
 *           its last mmamp_channel_put().
 */
struct mmamp_host_events {
	void (*state)(void *ctx, struct mmamp_rproc *r, enum mmamp_rproc_state state);
	void (*channel)(void *ctx, struct mmamp_channel *ch, bool up);
};

/**
 * struct mmamp_host_config - how to open a platform.
 * @platform:      path of the compiled platform description (.dtb).
 * @runtime_dir:   where region files (<dir>/shm/<region>) and per-core state live.
 * @firmware_path: directories firmware names are looked up in, ':'-separated, first match wins
 *                 (like /lib/firmware).
 * @simcore:       path of the mmamp-simcore executable (the simulated core's "silicon").
 * @qemu_bootrom:  the QEMU mps2-an386 boot ROM (qemu_bootrom.elf), for cores whose platform
 *                 backend is "qemu" (optional otherwise).
 * @qemu:          the emulator (optional: "qemu-system-arm" from PATH).
 * @polling:       doorbells are polled instead of interrupt-driven (futex): each core's host
 *                 thread spins on the MU status.
 * @caller_polls:  no host thread at all: the application calls mmamp_rproc_poll() itself and,
 *                 unless @polling, sleeps on the doorbell with mmamp_rproc_wait_doorbell() (the
 *                 in-process, lowest-latency mode MeasureMan and benchmarks use: one thread
 *                 wake-up per direction, as with a real interrupt). Crashes are still detected.
 * @cores_outlive_host: the core processes (mmamp-simcore, QEMU) keep running when this host
 *                 process ends, for a later host to attach to (mmampd). Off (tools, tests that
 *                 own their cores privately): they get a parent-death SIGKILL and die with it,
 *                 however it ends. The death signal follows the thread that started the core
 *                 (mmamp_rproc_start's caller, or the core's monitor for a recovery): start
 *                 cores from a thread that lives as long as the host.
 */
struct mmamp_host_config {
	const char *platform;
	const char *runtime_dir;
	const char *firmware_path;
	const char *simcore;
	const char *qemu_bootrom;
	const char *qemu;
	bool polling;
	bool caller_polls;
	bool cores_outlive_host;
	const struct mmamp_host_events *events;
	void *ctx;
};

/**
 * mmamp_host_open() - load the platform, set up the SCU and the shared memory, create one
 * remoteproc per remote core (offline). Returns 0 or a negative errno with @err filled.
 */
int mmamp_host_open(struct mmamp_host **h, const struct mmamp_host_config *cfg, char *err,
		    size_t errlen);

/** mmamp_host_close() - stop every core and free everything. */
void mmamp_host_close(struct mmamp_host *h);

size_t mmamp_host_rproc_count(const struct mmamp_host *h);
struct mmamp_rproc *mmamp_host_rproc(struct mmamp_host *h, size_t index);
struct mmamp_rproc *mmamp_host_rproc_by_name(struct mmamp_host *h, const char *name);

/* ---- one remote core ---- */

/** mmamp_rproc_name() - the core's name from the platform ("m4_0"). */
const char *mmamp_rproc_name(const struct mmamp_rproc *r);
enum mmamp_rproc_state mmamp_rproc_state(struct mmamp_rproc *r);

/** mmamp_rproc_firmware() - copy the firmware name into @buf; returns its length. */
size_t mmamp_rproc_firmware(struct mmamp_rproc *r, char *buf, size_t len);
/**
 * mmamp_firmware_name_check() - the one rule for firmware names, whichever face they come
 * through (library, control socket, CLI, sysfs): 1 to 255 bytes of printable ASCII (0x21 to
 * 0x7e: no blank, control character or byte above 0x7e), no '/', not "." or "..". One trailing
 * newline (what `echo` writes to sysfs) is not part of the name. Returns 0, or -EINVAL with
 * @why (may be NULL) saying what is wrong with it.
 */
int mmamp_firmware_name_check(const char *name, char *why, size_t whylen);
#define MMAMP_FIRMWARE_NAME_MAX 255

/**
 * mmamp_rproc_set_firmware() - -EINVAL for a name mmamp_firmware_name_check() refuses, else
 * -EBUSY unless offline.
 */
int mmamp_rproc_set_firmware(struct mmamp_rproc *r, const char *name);

/* A firmware image is read whole into memory: larger ones are refused (-EFBIG). */
#define MMAMP_FIRMWARE_MAX_BYTES (64u << 20)

/**
 * mmamp_rproc_start() - boot the core with its firmware (or attach to it when detached).
 * -EBUSY if not offline; -ENOENT no firmware set, or no such file; -EFBIG larger than
 * MMAMP_FIRMWARE_MAX_BYTES; -ENOEXEC malformed ELF/resource table, wrong e_machine, no RPMsg
 * vdev; -EACCES SCU denial of a segment; -ENOMEM a vring or carveout that does not fit the
 * platform's regions; -EOPNOTSUPP a second vdev, a non-RPMsg one; -EINVAL a firmware name the
 * rule refuses, an RSC_DEVMEM entry; each with @err saying what, where and why.
 */
int mmamp_rproc_start(struct mmamp_rproc *r, char *err, size_t errlen);

/** mmamp_rproc_stop() - virtio reset, channels torn down, core powered off. -EINVAL unless
 * running, attached or crashed (a detached core: start, i.e. attach, first). */
int mmamp_rproc_stop(struct mmamp_rproc *r);

/**
 * mmamp_rproc_detach() - let go of an attached core: vdev reset, channels torn down, the core
 * keeps running (state detached). -EINVAL unless attached. A later start attaches again.
 *
 * Attach: a core that an earlier host started and that still runs when mmamp_host_open() is
 * called (it finds <runtime_dir>/<core>.core) is "detached"; mmamp_rproc_start() attaches to it
 * without reloading (state "attached"), resetting its vdev with the remote's acknowledgment.
 */
int mmamp_rproc_detach(struct mmamp_rproc *r);

/** mmamp_rproc_set_recovery() - "enabled", "disabled" or "recover" (-EINVAL otherwise). */
int mmamp_rproc_set_recovery(struct mmamp_rproc *r, const char *word);
bool mmamp_rproc_recovery_enabled(struct mmamp_rproc *r);

/** mmamp_rproc_crash_count() / _crash_reason() - crashes so far and the last one's reason. */
unsigned int mmamp_rproc_crash_count(struct mmamp_rproc *r);

/**
 * mmamp_rproc_ns_refused() - name-service announcements refused since the host opened because
 * the core already had its maximum of 64 channels (a flooding remote is capped, not obeyed).
 */
unsigned long mmamp_rproc_ns_refused(struct mmamp_rproc *r);
size_t mmamp_rproc_crash_reason(struct mmamp_rproc *r, char *buf, size_t len);
/**
 * mmamp_rproc_found() - what the host found of this core when it opened (left by an earlier
 * host on the same runtime directory) and what it did about it — "a running core (pid 41,
 * firmware fw_echo) an earlier host started: detached …", "a core process (pid 41, …) its host
 * left before it was up: ended it" — or "" when there was nothing. Returns its length.
 */
size_t mmamp_rproc_found(struct mmamp_rproc *r, char *buf, size_t len);

/**
 * mmamp_rproc_wait() - wait until the core is in @state (and, if @channel is not NULL, a
 * channel of that name is up), or @timeout_ms passes (-ETIMEDOUT). For tools and tests.
 */
int mmamp_rproc_wait(struct mmamp_rproc *r, enum mmamp_rproc_state state, const char *channel,
		     int timeout_ms);

/**
 * mmamp_rproc_poll() - take a pending doorbell and deliver what arrived (receive callbacks run
 * in the caller). Needed with @caller_polls; harmless otherwise. Returns 0, or -EINVAL when
 * the core is not running.
 */
int mmamp_rproc_poll(struct mmamp_rproc *r);

/**
 * mmamp_rproc_wait_doorbell() - with @caller_polls: sleep until the core rings (or one is
 * already pending) or @timeout_us passes. Returns 0 or -ETIMEDOUT; call mmamp_rproc_poll()
 * afterwards.
 */
int mmamp_rproc_wait_doorbell(struct mmamp_rproc *r, unsigned int timeout_us);

/**
 * struct mmamp_rproc_times - when this core's doorbells last moved, for MeasureMan's sections
 * (timestamp point 3 of the paper's Fig. 4), CLOCK_MONOTONIC in ns.
 * @kick_ns:     the host last rang the core (just before the doorbell register write).
 * @doorbell_ns: the host last took a doorbell from the core (the "ISR" entry: host thread, or
 *               mmamp_rproc_poll() with @caller_polls).
 * @kicks, @doorbells: how many of each so far (a coalesced kick is not counted: no ring).
 */
struct mmamp_rproc_times {
	uint64_t kick_ns;
	uint64_t doorbell_ns;
	uint64_t kicks;
	uint64_t doorbells;
};

/** mmamp_rproc_times() - a snapshot of the doorbell timestamps (lock-free, any thread). */
void mmamp_rproc_times(struct mmamp_rproc *r, struct mmamp_rproc_times *t);

/** mmamp_rproc_pid() - the simulated core's process id (0 when not running). */
int mmamp_rproc_pid(struct mmamp_rproc *r);

/**
 * mmamp_rproc_channels() - up to @max channels currently up, each with a reference the caller
 * drops with mmamp_channel_put(). Returns how many there are.
 */
size_t mmamp_rproc_channels(struct mmamp_rproc *r, struct mmamp_channel **out, size_t max);

/** mmamp_rproc_find_channel() - the up channel named @name, referenced, or NULL. */
struct mmamp_channel *mmamp_rproc_find_channel(struct mmamp_rproc *r, const char *name);

/* ---- one RPMsg channel ---- */

/**
 * struct mmamp_channel_stats - per channel counters.
 * @tx, @rx: messages sent / delivered.  @rx_dropped: received while no reader was set.
 * @tx_in_flight: set when the channel goes down: of the @tx accepted, how many the remote had
 *               not handed back — not consumed, or still being worked on; what the peer
 *               really did with each is known end to end only. 0 while the channel is up.
 */
struct mmamp_channel_stats {
	uint64_t tx;
	uint64_t rx;
	uint64_t rx_dropped;
	uint64_t tx_in_flight;
};

void mmamp_channel_get(struct mmamp_channel *ch);
void mmamp_channel_put(struct mmamp_channel *ch);
const char *mmamp_channel_name(const struct mmamp_channel *ch);
uint32_t mmamp_channel_src(const struct mmamp_channel *ch);  /* our address (≥ 1024) */
uint32_t mmamp_channel_dst(const struct mmamp_channel *ch);  /* the remote's, as announced */
struct mmamp_rproc *mmamp_channel_rproc(const struct mmamp_channel *ch);
bool mmamp_channel_is_up(const struct mmamp_channel *ch);
void mmamp_channel_stats(const struct mmamp_channel *ch, struct mmamp_channel_stats *st);

/**
 * mmamp_channel_send() - one message of ≤ 496 bytes. @timeout_ms 0: non-blocking (-EAGAIN when
 * no buffer is free), < 0: wait forever, else up to that long (-ETIMEDOUT). -EMSGSIZE above 496
 * bytes, -EPIPE once the channel is gone.
 */
int mmamp_channel_send(struct mmamp_channel *ch, const void *data, size_t len, int timeout_ms);

/**
 * typedef mmamp_channel_rx_fn - a message arrived (on the core's host thread; @data is valid
 * only during the call).
 */
typedef void (*mmamp_channel_rx_fn)(void *ctx, struct mmamp_channel *ch, const void *data,
				    size_t len);
/** mmamp_channel_set_rx() - install (or with NULL remove) the receiver. */
void mmamp_channel_set_rx(struct mmamp_channel *ch, mmamp_channel_rx_fn fn, void *ctx);

MMAMP_END_DECLS

#endif /* MMAMP_HOST_RPROC_H */
