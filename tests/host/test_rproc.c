/*
 * test_rproc.c — the host library end to end against real simulated cores (mmamp-simcore
 * processes running fw_echo): boot → name service → echo, lifecycle errors, an SCU denial of a
 * firmware segment, crash (kill -9 and an MMU fault in the firmware) → recovery, a firmware
 * swap, a remote that resets the vdev under the host (crashed, recovered), a remote without
 * heartbeat (not watched: still running), and attaching to a core that a host which died left
 * running. Waits are on library conditions with timeouts, never sleeps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mmamp/elf_loader.h"
#include "mmamp/host/rproc.h"
#include "mmamp/rsc_table.h"
#include "channel_inbox.h"
#include "rproc_internal.h" /* a_blocked_sender_is_woken: whether the sender sleeps yet */

#define TTY "rpmsg-virtual-tty-channel-1"
#define INFO "mmamp-info"
#define WAIT_MS 10000

static struct inbox inbox = INBOX_INIT;

/* Every state change, in order (the library's state event). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum mmamp_rproc_state seen[64];
	unsigned int n;
} states = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, 0 };

static void on_state(void *ctx, struct mmamp_rproc *r, enum mmamp_rproc_state s)
{
	(void)ctx;
	(void)r;
	pthread_mutex_lock(&states.lock);
	if (states.n < 64)
		states.seen[states.n++] = s;
	pthread_cond_broadcast(&states.cond);
	pthread_mutex_unlock(&states.lock);
}

static const struct mmamp_host_events events = { .state = on_state };

/* Wait until the state log, from index @from, contains @a and later @b. */
static int states_wait(unsigned int from, enum mmamp_rproc_state a, enum mmamp_rproc_state b)
{
	struct timespec end;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&states.lock);
	for (;;) {
		unsigned int i = from;

		while (i < states.n && states.seen[i] != a)
			i++;
		while (i < states.n && states.seen[i] != b)
			i++;
		if (i < states.n || ret)
			break;
		ret = pthread_cond_timedwait(&states.cond, &states.lock, &end);
	}
	pthread_mutex_unlock(&states.lock);
	return ret;
}

struct world {
	char runtime[64];
	char fwdir[4096];
	struct mmamp_host *h;
	struct mmamp_rproc *m4;
};

static void rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mmamp_host_config cfg = { 0 };
	char err[256];
	int ret;

	snprintf(w->runtime, sizeof(w->runtime), "/tmp/mmamp-test-XXXXXX");
	assert_non_null(mkdtemp(w->runtime));
	snprintf(w->fwdir, sizeof(w->fwdir), "%s", MMAMP_FIRMWARE_DIR);
	cfg.platform = MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb";
	cfg.runtime_dir = w->runtime;
	cfg.firmware_path = w->fwdir;
	cfg.simcore = MMAMP_SIMCORE;
	cfg.events = &events;
	ret = mmamp_host_open(&w->h, &cfg, err, sizeof(err));
	if (ret)
		fail_msg("mmamp_host_open: %s", err);
	w->m4 = mmamp_host_rproc_by_name(w->h, "m4_0");
	assert_non_null(w->m4);
	inbox.count = 0;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	mmamp_host_close(w->h);
	rm_rf(w->runtime);
	free(w);
	return 0;
}

static void start_fw(struct world *w, const char *fw)
{
	char err[512];

	assert_int_equal(mmamp_rproc_set_firmware(w->m4, fw), 0);
	if (mmamp_rproc_start(w->m4, err, sizeof(err)))
		fail_msg("start %s: %s", fw, err);
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, TTY, WAIT_MS), 0);
}

static struct mmamp_channel *channel_in(struct world *w, const char *name,
				       enum mmamp_rproc_state state)
{
	struct mmamp_channel *ch;

	assert_int_equal(mmamp_rproc_wait(w->m4, state, name, WAIT_MS), 0);
	ch = mmamp_rproc_find_channel(w->m4, name);
	assert_non_null(ch);
	mmamp_channel_set_rx(ch, inbox_on_rx, &inbox);
	return ch;
}

static struct mmamp_channel *channel(struct world *w, const char *name)
{
	return channel_in(w, name, MMAMP_RPROC_RUNNING);
}

static void echo_n(struct mmamp_channel *ch, unsigned int n)
{
	inbox_echo_n(&inbox, ch, n, WAIT_MS);
}

static void ask_info(struct mmamp_channel *ch, char *out, size_t len)
{
	inbox_ask(&inbox, ch, out, len, WAIT_MS);
}

/* ---- tests ---- */

static void boots_announces_and_echoes(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *chs[8], *tty;
	size_t n;

	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	start_fw(w, "fw_echo");
	assert_true(mmamp_rproc_pid(w->m4) > 0);
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, INFO, WAIT_MS), 0);
	n = mmamp_rproc_channels(w->m4, chs, 8);
	assert_true(n >= 3);
	for (size_t i = 0; i < n && i < 8; i++) {
		assert_true(mmamp_channel_src(chs[i]) >= 1024);
		if (!strcmp(mmamp_channel_name(chs[i]), TTY))
			assert_int_equal(mmamp_channel_dst(chs[i]), 30);
		mmamp_channel_put(chs[i]);
	}
	tty = channel(w, TTY);
	echo_n(tty, 2000);
	assert_int_equal(mmamp_channel_send(tty, inbox.data, 497, 0), -EMSGSIZE);
	mmamp_channel_put(tty);
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	assert_int_equal(mmamp_rproc_pid(w->m4), 0);
}

static void lifecycle_errors_are_the_kernels(void **state)
{
	struct world *w = *state;
	char err[512];

	assert_int_equal(mmamp_rproc_stop(w->m4), -EINVAL); /* offline */
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, ""), -EINVAL);
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, "../etc/passwd"), -EINVAL);
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, "no-such-firmware"), 0);
	assert_int_equal(mmamp_rproc_start(w->m4, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no-such-firmware"));
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, "fw_hello"), 0); /* no vdev in it */
	assert_int_equal(mmamp_rproc_start(w->m4, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "no RPMsg vdev"));
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	start_fw(w, "fw_echo");
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, "fw_echo_b"), -EBUSY);
	assert_int_equal(mmamp_rproc_start(w->m4, err, sizeof(err)), -EBUSY);
	assert_int_equal(mmamp_rproc_set_recovery(w->m4, "maybe"), -EINVAL);
	assert_string_equal(mmamp_rproc_state_str(MMAMP_RPROC_CRASHED), "crashed");
	assert_string_equal(mmamp_rproc_state_str((enum mmamp_rproc_state)42), "invalid");
	assert_int_equal(mmamp_rproc_set_recovery(w->m4, NULL), -EINVAL);
}

/* fw_echo's bytes, to be damaged by a test. */
static uint8_t *read_fw_echo(size_t *size)
{
	char path[4200];
	uint8_t *img;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/fw_echo", MMAMP_FIRMWARE_DIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	img = malloc((size_t)n);
	assert_int_equal(fread(img, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return img;
}

/*
 * Put @img (@size bytes) as firmware @name into a private firmware directory and reopen the host
 * on it; the core is left offline with that firmware set.
 */
static void install_firmware(struct world *w, const char *name, const uint8_t *img, size_t size)
{
	struct mmamp_host_config cfg = { 0 };
	char path[4200], err[512];
	FILE *f;

	snprintf(w->fwdir, sizeof(w->fwdir), "%s/fw", w->runtime);
	mkdir(w->fwdir, 0755);
	snprintf(path, sizeof(path), "%s/%s", w->fwdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, size, f), size);
	fclose(f);
	mmamp_host_close(w->h);
	cfg.platform = MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb";
	cfg.runtime_dir = w->runtime;
	cfg.firmware_path = w->fwdir;
	cfg.simcore = MMAMP_SIMCORE;
	cfg.events = &events;
	assert_int_equal(mmamp_host_open(&w->h, &cfg, err, sizeof(err)), 0);
	w->m4 = mmamp_host_rproc_by_name(w->h, "m4_0");
	assert_int_equal(mmamp_rproc_set_firmware(w->m4, name), 0);
}

/* Start must fail with @ret and an error containing @text, leaving the core untouched. */
static void start_fails(struct world *w, int ret, const char *text)
{
	char err[512];

	assert_int_equal(mmamp_rproc_start(w->m4, err, sizeof(err)), ret);
	if (!strstr(err, text))
		fail_msg("error \"%s\" does not say \"%s\"", err, text);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	assert_int_equal(mmamp_rproc_pid(w->m4), 0);
}

/* Offset of fw_echo's .resource_table in the file. */
static size_t rsc_table_offset(const uint8_t *img, size_t size)
{
	struct mmamp_elf_image elf;
	const void *table;
	size_t tsize;

	assert_int_equal(mmamp_elf_parse(&elf, img, size, NULL), 0);
	assert_int_equal(mmamp_elf_find_rsc_table(&elf, &table, &tsize, NULL, NULL), 0);
	return (size_t)((const uint8_t *)table - img);
}

static void scu_denies_a_segment_outside_the_partition(void **state)
{
	struct world *w = *state;
	uint64_t phoff, paddr = 0x1FF00000; /* just below the code TCM: nobody's memory */
	size_t size;
	uint8_t *img = read_fw_echo(&size);

	memcpy(&phoff, img + 0x20, 8);                    /* e_phoff (ELF64) */
	for (unsigned int i = 0;; i++) {
		uint32_t type;

		memcpy(&type, img + phoff + 56u * i, 4);
		if (type == 1) {                          /* PT_LOAD */
			memcpy(img + phoff + 56u * i + 24, &paddr, 8); /* p_paddr */
			break;
		}
	}
	install_firmware(w, "fw_moved", img, size);
	start_fails(w, -EACCES, "scu: partition \"apu\" may not write 0x1ff00000");
	free(img);
}

static void malformed_firmware_is_refused_with_its_reason(void **state)
{
	struct world *w = *state;
	size_t size, off;
	uint8_t *img = read_fw_echo(&size);
	uint32_t v;

	off = rsc_table_offset(img, size);
	/* a resource table of version 2 */
	v = 2;
	memcpy(img + off, &v, 4);
	install_firmware(w, "fw_ver2", img, size);
	start_fails(w, -ENOEXEC, "ver 2");
	v = 1;
	memcpy(img + off, &v, 4);
	/* vring 1 with another size than vring 0 (table: vdev body at 0x18, vrings 0x30/0x44) */
	v = 128;
	memcpy(img + off + 0x44 + 8, &v, 4);
	install_firmware(w, "fw_vrings", img, size);
	start_fails(w, -ENOEXEC, "vring 1 (num 128, align 0x1000) differs from vring 0");
	/* not an ELF at all: the first 100 bytes with a bad magic */
	img[1] = 'X';
	install_firmware(w, "fw_junk", img, 100);
	start_fails(w, -ENOEXEC, "fw_junk");
	free(img);
}

static void kill_9_crashes_and_recovers(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	char reason[256];
	int pid;

	unsigned int mark;

	start_fw(w, "fw_echo");
	pid = mmamp_rproc_pid(w->m4);
	mark = states.n;
	assert_int_equal(kill(pid, SIGKILL), 0);
	/* crashed → recovered: a new core process, the channel back */
	assert_int_equal(states_wait(mark, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING), 0);
	assert_int_equal(mmamp_rproc_crash_count(w->m4), 1);
	assert_int_not_equal(mmamp_rproc_pid(w->m4), pid);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "killed"));
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, TTY, WAIT_MS), 0);
	tty = channel(w, TTY);
	echo_n(tty, 100);
	mmamp_channel_put(tty);
}

static void frozen_core_misses_its_heartbeat_and_recovers(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	char reason[256];
	unsigned int mark;
	int pid;

	start_fw(w, "fw_echo");
	pid = mmamp_rproc_pid(w->m4);
	mark = states.n;
	assert_int_equal(kill(pid, SIGSTOP), 0); /* alive, but frozen */
	assert_int_equal(states_wait(mark, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING), 0);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "watchdog: no heartbeat for"));
	assert_int_not_equal(mmamp_rproc_pid(w->m4), pid);
	tty = channel(w, TTY);
	echo_n(tty, 10);
	mmamp_channel_put(tty);
}

/* The live table's region as the host and the remote share it (<runtime>/shm/rsc-table). */
static uint8_t *map_live_table(struct world *w)
{
	char path[4096];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/shm/rsc-table", w->runtime);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(p != MAP_FAILED);
	return p;
}

/* fw_echo's table is the standard one: the vdev's status byte at 0x2C (docs/protocol.md §1.1) */
#define LIVE_STATUS 0x2Cu

static void reset_recovers(struct world *w, unsigned int mark, unsigned int crashes,
			   const char *reason_part)
{
	struct mmamp_channel *tty;
	char reason[256];

	assert_int_equal(states_wait(mark, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING), 0);
	assert_int_equal(mmamp_rproc_crash_count(w->m4), crashes);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	if (!strstr(reason, reason_part))
		fail_msg("crash reason \"%s\" does not name \"%s\"", reason, reason_part);
	tty = channel(w, TTY);
	echo_n(tty, 10);
	mmamp_channel_put(tty);
}

/*
 * A remote that resets the vdev under the host (docs/protocol.md, "vdev broken") is crashed and
 * recovered — also when it then goes silent (frozen here: no doorbell, and the heartbeat has
 * 3 s before the watchdog would speak, so the reason proves the link tick saw it), and when
 * only its link epoch says so (it dropped and re-made its link: status left at 0x07).
 */
static void a_remote_that_resets_the_vdev_is_crashed_and_recovered(void **state)
{
	struct world *w = *state;
	uint32_t *epoch;
	uint8_t *rt;
	unsigned int mark;
	int pid;

	start_fw(w, "fw_echo");
	rt = map_live_table(w);
	epoch = (uint32_t *)(void *)(rt + MMAMP_LINK_EPOCH_OFFSET);
	assert_int_equal(__atomic_load_n(rt + LIVE_STATUS, __ATOMIC_ACQUIRE), 0x07);
	assert_int_equal(__atomic_load_n(epoch, __ATOMIC_ACQUIRE), 1); /* up once since boot */

	pid = mmamp_rproc_pid(w->m4);
	mark = states.n;
	assert_int_equal(kill(pid, SIGSTOP), 0);
	__atomic_store_n(rt + LIVE_STATUS, (uint8_t)0, __ATOMIC_RELEASE);
	reset_recovers(w, mark, 1, "vdev broken: the remote reset the device (status 0x07 -> "
		       "0x00, link epoch 1 -> 1)");
	assert_int_not_equal(mmamp_rproc_pid(w->m4), pid);

	mark = states.n;
	__atomic_store_n(epoch, __atomic_load_n(epoch, __ATOMIC_ACQUIRE) + 2u, __ATOMIC_RELEASE);
	reset_recovers(w, mark, 2, "vdev broken: the remote reset the device (status 0x07 -> "
		       "0x07, link epoch 1 -> 3)");
	munmap(rt, 0x1000);
}

/* Whether a state change after index @from is logged within @ms (the wait ends at the first). */
static bool states_change_within(unsigned int from, unsigned int ms)
{
	struct timespec end;
	bool changed;

	deadline_in_ms(&end, (int)ms);
	pthread_mutex_lock(&states.lock);
	while (states.n <= from &&
	       pthread_cond_timedwait(&states.cond, &states.lock, &end) != ETIMEDOUT)
		;
	changed = states.n > from;
	pthread_mutex_unlock(&states.lock);
	return changed;
}

/* The watchdog's limit for this core (rproc_crash.c): shorter than its 3 s, for a test. */
static void set_watchdog_ms(struct world *w, uint32_t ms)
{
	pthread_mutex_lock(&w->m4->lock);
	w->m4->watchdog_ms = ms;
	pthread_mutex_unlock(&w->m4->lock);
}

#define SHORT_WATCHDOG_MS 500u

/*
 * A remote that never writes the heartbeat (an RPMsg-Lite or OpenAMP one: fw_echo_nobeat) is
 * not watched: it is still running, not crashed, after four watchdog limits — the time that
 * passes is what is tested, so the wait is for a state change that must not come — and it
 * still answers. The same short limit does catch fw_echo frozen after it started beating, so
 * the limit is in force.
 */
static void a_remote_without_heartbeat_is_not_watched(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	char reason[256];
	unsigned int mark;
	uint8_t *rt;
	int pid;

	set_watchdog_ms(w, SHORT_WATCHDOG_MS);
	start_fw(w, "fw_echo_nobeat");
	tty = channel(w, TTY);
	echo_n(tty, 10);
	pthread_mutex_lock(&states.lock);
	mark = states.n;
	pthread_mutex_unlock(&states.lock);
	if (states_change_within(mark, 4 * SHORT_WATCHDOG_MS)) {
		mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
		fail_msg("a core without heartbeat did not stay running (now %s, crash reason \"%s\")",
			 mmamp_rproc_state_str(mmamp_rproc_state(w->m4)), reason);
	}
	rt = map_live_table(w);
	assert_int_equal(__atomic_load_n((uint32_t *)(void *)(rt + MMAMP_HEARTBEAT_OFFSET),
					 __ATOMIC_RELAXED), 0); /* it really never beat */
	munmap(rt, 0x1000);
	assert_int_equal(mmamp_rproc_crash_count(w->m4), 0);
	echo_n(tty, 10);
	mmamp_channel_put(tty);

	/* the control: a beating core frozen under the same limit is caught */
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	start_fw(w, "fw_echo");
	pid = mmamp_rproc_pid(w->m4);
	pthread_mutex_lock(&states.lock);
	mark = states.n;
	pthread_mutex_unlock(&states.lock);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(states_wait(mark, MMAMP_RPROC_CRASHED, MMAMP_RPROC_RUNNING), 0);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "watchdog: no heartbeat for"));
}

static void mmu_fault_without_recovery_stays_crashed(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *info, *tty;
	char reason[256];

	assert_int_equal(mmamp_rproc_set_recovery(w->m4, "disabled"), 0);
	start_fw(w, "fw_echo_fault");
	info = channel(w, INFO);
	assert_int_equal(mmamp_channel_send(info, "crash", 5, 1000), 0);
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_CRASHED, NULL, WAIT_MS), 0);
	assert_false(mmamp_channel_is_up(info));
	assert_int_equal(mmamp_channel_send(info, "x", 1, 0), -EPIPE);
	mmamp_channel_put(info);
	mmamp_rproc_crash_reason(w->m4, reason, sizeof(reason));
	assert_non_null(strstr(reason, "mmufault"));
	/* "recover" brings it back by hand */
	assert_int_equal(mmamp_rproc_set_recovery(w->m4, "recover"), 0);
	assert_int_equal(mmamp_rproc_wait(w->m4, MMAMP_RPROC_RUNNING, TTY, WAIT_MS), 0);
	tty = channel(w, TTY);
	echo_n(tty, 10);
	mmamp_channel_put(tty);
}

static void firmware_swap_runs_the_new_build(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *info;
	char text[128];

	start_fw(w, "fw_echo");
	info = channel(w, INFO);
	ask_info(info, text, sizeof(text));
	assert_non_null(strstr(text, "fw=fw_echo "));
	mmamp_channel_put(info);
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	start_fw(w, "fw_echo_b");
	info = channel(w, INFO);
	ask_info(info, text, sizeof(text));
	assert_non_null(strstr(text, "fw=fw_echo_b "));
	mmamp_channel_put(info);
}

/* In a child process: another host boots the core and dies without stopping it; with
 * @outlive its core is meant to run on (cores_outlive_host), without it to die too. */
static pid_t boot_in_a_host_that_dies(struct world *w, bool outlive)
{
	int fds[2];
	pid_t child, core = 0;
	int status;

	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct mmamp_host_config cfg = { 0 };
		struct mmamp_host *h;
		struct mmamp_rproc *r;
		char err[256];

		cfg.platform = MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb";
		cfg.runtime_dir = w->runtime;
		cfg.firmware_path = w->fwdir;
		cfg.simcore = MMAMP_SIMCORE;
		cfg.cores_outlive_host = outlive;
		if (mmamp_host_open(&h, &cfg, err, sizeof(err)))
			_exit(2);
		r = mmamp_host_rproc_by_name(h, "m4_0");
		if (mmamp_rproc_set_firmware(r, "fw_echo") || mmamp_rproc_start(r, err, sizeof(err)) ||
		    mmamp_rproc_wait(r, MMAMP_RPROC_RUNNING, TTY, WAIT_MS))
			_exit(3);
		core = mmamp_rproc_pid(r);
		if (write(fds[1], &core, sizeof(core)) != sizeof(core))
			_exit(4);
		_exit(0); /* no mmamp_host_close(): the host "crashes", the core runs on */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &core, sizeof(core)), sizeof(core));
	close(fds[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return core;
}

static void reopen_on(struct world *w, const char *platform, bool polling)
{
	struct mmamp_host_config cfg = { .polling = polling };
	char err[256];

	cfg.platform = platform;
	cfg.runtime_dir = w->runtime;
	cfg.firmware_path = w->fwdir;
	cfg.simcore = MMAMP_SIMCORE;
	cfg.cores_outlive_host = true; /* what the attach tests reopen on */
	cfg.events = &events;
	if (mmamp_host_open(&w->h, &cfg, err, sizeof(err)))
		fail_msg("mmamp_host_open: %s", err);
	w->m4 = mmamp_host_rproc_by_name(w->h, "m4_0");
	assert_non_null(w->m4);
}

static void reopen_polling(struct world *w, bool polling)
{
	reopen_on(w, MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb", polling);
}

static void reopen(struct world *w)
{
	reopen_polling(w, false);
}

static void attach(struct world *w)
{
	char err[512];

	if (mmamp_rproc_start(w->m4, err, sizeof(err)))
		fail_msg("attach: %s", err);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_ATTACHED);
	if (mmamp_rproc_wait(w->m4, MMAMP_RPROC_ATTACHED, TTY, WAIT_MS)) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cat %s/m4_0.console >&2", w->runtime);
		if (system(cmd))
			(void)0;
		fail_msg("attached, but no %s channel", TTY);
	}
}

/*
 * A host that owns its core privately (cores_outlive_host off: a tool, a test) and dies
 * without closing — SIGKILL, a failed assertion's exit — takes its core process with it, and
 * the next host on the directory finds nothing running and says nothing was found.
 */
static void a_private_core_dies_with_its_host(void **state)
{
	struct world *w = *state;
	struct pollfd p;
	char found[256];
	pid_t core;
	int pidfd;

	mmamp_host_close(w->h);
	w->h = NULL;
	core = boot_in_a_host_that_dies(w, false);
	assert_true(core > 0);
	pidfd = (int)syscall(SYS_pidfd_open, core, 0);
	if (pidfd >= 0) {
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(&p, 1, WAIT_MS) != 1) {
			kill(core, SIGKILL);
			fail_msg("the core (pid %d) of a private host runs on after its host died",
				 (int)core);
		}
		close(pidfd);
	}
	reopen(w);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_OFFLINE);
	mmamp_rproc_found(w->m4, found, sizeof(found));
	print_message("found: %s\n", found[0] ? found : "(nothing)");
	assert_true(!found[0] || strstr(found, "no longer runs"));
}

static void a_running_core_is_attached_not_rebooted(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;
	char fw[64];
	pid_t core;

	mmamp_host_close(w->h); /* the test's host goes; another one boots the core and dies */
	core = boot_in_a_host_that_dies(w, true);
	assert_true(core > 0);
	reopen(w);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_DETACHED);
	assert_int_equal(mmamp_rproc_pid(w->m4), core);
	mmamp_rproc_firmware(w->m4, fw, sizeof(fw));
	assert_string_equal(fw, "fw_echo");
	assert_int_equal(mmamp_rproc_stop(w->m4), -EINVAL); /* as Linux: attach first */

	attach(w); /* the same process, its rings reset with its acknowledgment */
	assert_int_equal(mmamp_rproc_pid(w->m4), core);
	tty = channel_in(w, TTY, MMAMP_RPROC_ATTACHED);
	echo_n(tty, 100);
	mmamp_channel_put(tty);

	/* detach: the channels go, the core stays; attach again */
	assert_int_equal(mmamp_rproc_detach(w->m4), 0);
	assert_int_equal(mmamp_rproc_state(w->m4), MMAMP_RPROC_DETACHED);
	assert_int_equal(kill(core, 0), 0);
	assert_int_equal(mmamp_rproc_detach(w->m4), -EINVAL);
	attach(w);
	tty = channel_in(w, TTY, MMAMP_RPROC_ATTACHED);
	echo_n(tty, 100);
	mmamp_channel_put(tty);

	/* stop from attached powers it off; the next start boots */
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	assert_int_equal(mmamp_rproc_pid(w->m4), 0);
	start_fw(w, "fw_echo");
	assert_int_not_equal(mmamp_rproc_pid(w->m4), core);
	assert_int_equal(mmamp_rproc_detach(w->m4), -EINVAL); /* only from attached */
}

/* A sender on its own thread, blocked without a deadline until a TX buffer comes back. */
struct blocked_send {
	struct mmamp_channel *ch;
	int ret;
	bool done;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *send_forever(void *arg)
{
	struct blocked_send *b = arg;
	int ret = mmamp_channel_send(b->ch, "x", 1, -1);

	pthread_mutex_lock(&b->lock);
	b->ret = ret;
	b->done = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* How many senders sleep on the core's TX ring (the host thread wakes them). */
static unsigned int tx_sleepers(struct mmamp_rproc *r)
{
	unsigned int n;

	pthread_mutex_lock(&r->lock);
	n = r->tx_waiters;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/*
 * The host thread wakes a sender asleep on a full TX ring once the core hands buffers back:
 * the core is stopped (SIGSTOP, well inside the watchdog's 3 s) while the ring is filled, a
 * sender without a deadline goes to sleep, the core resumes — the sender must return 0. Without
 * the wake-up it would sleep forever; it is given WAIT_MS.
 */
static void a_blocked_sender_is_woken_when_buffers_come_back(void **state)
{
	struct world *w = *state;
	struct blocked_send b = { .lock = PTHREAD_MUTEX_INITIALIZER,
				  .cond = PTHREAD_COND_INITIALIZER };
	struct timespec end;
	unsigned int filled = 0;
	pthread_t th;
	int pid, ret;

	start_fw(w, "fw_echo");
	b.ch = channel(w, TTY);
	pid = mmamp_rproc_pid(w->m4);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	while ((ret = mmamp_channel_send(b.ch, "x", 1, 0)) == 0)
		filled++;
	assert_int_equal(ret, -EAGAIN);
	assert_true(filled > 0);
	assert_int_equal(pthread_create(&th, NULL, send_forever, &b), 0);
	for (int i = 0; i < WAIT_MS && !tx_sleepers(w->m4); i++)
		mmamp_rproc_wait(w->m4, MMAMP_RPROC_OFFLINE, NULL, 1); /* a 1 ms tick */
	assert_int_equal(tx_sleepers(w->m4), 1);
	assert_int_equal(kill(pid, SIGCONT), 0);

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&b.lock);
	while (!b.done && pthread_cond_timedwait(&b.cond, &b.lock, &end) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&b.lock);
	if (!b.done) {
		/* stopping the core takes the channel down: the sender learns -EPIPE and ends */
		mmamp_rproc_stop(w->m4);
		pthread_join(th, NULL);
		fail_msg("a sender asleep on a full TX ring was not woken when the core handed "
			 "%u buffers back", filled);
	}
	pthread_join(th, NULL);
	assert_int_equal(b.ret, 0);
	assert_int_equal(inbox_wait(&inbox, filled + 1, WAIT_MS), 0); /* every echo came back */
	mmamp_channel_put(b.ch);
}

/* Both sides polled: no doorbell per message either way (ring notification suppression). */
static void polled_host_and_core_echo(void **state)
{
	struct world *w = *state;
	struct mmamp_channel *tty;

	mmamp_host_close(w->h);
	reopen_polling(w, true);
	start_fw(w, "fw_echo_polled");
	tty = channel(w, TTY);
	echo_n(tty, 500);
	mmamp_channel_put(tty);
	assert_int_equal(mmamp_rproc_stop(w->m4), 0);
	/* a polled host drives an interrupt-driven core as well */
	start_fw(w, "fw_echo");
	tty = channel(w, TTY);
	echo_n(tty, 100);
	mmamp_channel_put(tty);
}

/*
 * The i.MX8QM's second M4 has its own RPMsg window and MU: the i.MX8QXP build of fw_echo faults
 * there at once. Recovery must not loop on it; the right build runs.
 */
static void crash_loop_pauses_recovery(void **state)
{
	struct world *w = *state;
	struct mmamp_rproc *m4_1;
	struct mmamp_channel *tty;
	char err[512], reason[512] = "";

	mmamp_host_close(w->h);
	reopen_on(w, MMAMP_PLATFORM_DIR "/imx8qm-sim.dtb", false);
	m4_1 = mmamp_host_rproc_by_name(w->h, "m4_1");
	assert_non_null(m4_1);
	assert_int_equal(mmamp_rproc_set_firmware(m4_1, "fw_echo"), 0);
	assert_int_equal(mmamp_rproc_start(m4_1, err, sizeof(err)), 0);
	for (int i = 0; i < WAIT_MS / 10 && !strstr(reason, "paused"); i++) {
		mmamp_rproc_wait(m4_1, MMAMP_RPROC_OFFLINE, NULL, 10); /* a 10 ms tick */
		mmamp_rproc_crash_reason(m4_1, reason, sizeof(reason));
	}
	assert_non_null(strstr(reason, "automatic recovery paused: 5 crashes"));
	assert_int_equal(mmamp_rproc_state(m4_1), MMAMP_RPROC_CRASHED);
	assert_int_equal(mmamp_rproc_crash_count(m4_1), 5);

	assert_int_equal(mmamp_rproc_stop(m4_1), 0);
	w->m4 = m4_1;
	start_fw(w, "fw_echo_m4_1");
	tty = channel(w, TTY);
	echo_n(tty, 50);
	mmamp_channel_put(tty);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(boots_announces_and_echoes),
		T(lifecycle_errors_are_the_kernels),
		T(scu_denies_a_segment_outside_the_partition),
		T(malformed_firmware_is_refused_with_its_reason),
		T(kill_9_crashes_and_recovers),
		T(frozen_core_misses_its_heartbeat_and_recovers),
		T(a_remote_that_resets_the_vdev_is_crashed_and_recovered),
		T(a_remote_without_heartbeat_is_not_watched),
		T(mmu_fault_without_recovery_stays_crashed),
		T(firmware_swap_runs_the_new_build),
		T(a_running_core_is_attached_not_rebooted),
		T(a_private_core_dies_with_its_host),
		T(polled_host_and_core_echo),
		T(a_blocked_sender_is_woken_when_buffers_come_back),
		T(crash_loop_pauses_recovery),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("rproc", tests, NULL, NULL);
}
