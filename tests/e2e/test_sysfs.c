/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sysfs.c — mmampd's remoteproc sysfs face (FUSE, <runtime>/sys/class/remoteproc) with
 * plain open/read/write, as a script or tool written for /sys would use it: the tree, modes and
 * sizes; reads ending in "\n"; the kernel's write semantics (sysfs_streq, EBUSY/EINVAL/EACCES);
 * start → running with the TTY channel up and echoing, stop → offline with the TTY gone; a crash
 * with recovery disabled, coredump refused while crashed, "recover"; two cores; a /bin/sh script
 * written for /sys/class/remoteproc run unchanged against <runtime>/sys; and that no mount is
 * ever left behind: not after a shutdown, not after SIGTERM, and a dead one left by a SIGKILLed
 * daemon is cleared by the next daemon; a mount taken away from under the daemon leaves it
 * running.
 *
 * The test runs in a private mount namespace when it can (as root; MMAMP_TEST_SHARED_NS=1:
 * not), so even a crash of the test
 * cannot leave a mount in the machine's namespace; on top of that every mount point it caused is
 * checked and, if still there, detached in teardown and at exit (umount2, fusermount3 -u -z).
 * Exit 77 (ctest SKIP) when mmampd was built without libfuse3, /dev/fuse is not usable or the
 * daemon reports that it could not mount.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "../missing.h"

#define MAX_MOUNTS 16

static bool fuse_unavailable; /* a daemon said it could not mount: the run is a SKIP */

/* ---- mounts: where they are, and making sure none is left ---- */

static char mounts[MAX_MOUNTS][160];

static void track(const char *mnt)
{
	for (int i = 0; i < MAX_MOUNTS; i++) {
		if (!strcmp(mounts[i], mnt))
			return;
		if (!mounts[i][0]) {
			snprintf(mounts[i], sizeof(mounts[i]), "%s", mnt);
			return;
		}
	}
}

static bool is_mounted(const char *path)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok = strtok_r(line, " ", &save);

		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		found = tok && !strcmp(tok, path); /* our paths have nothing to escape */
	}
	fclose(f);
	return found;
}

/* Detach @mnt however it can be; true if something had to be detached. */
static bool force_unmount(const char *mnt)
{
	bool any = false;

	for (int i = 0; i < 8 && is_mounted(mnt); i++) {
		any = true;
		if (umount2(mnt, MNT_DETACH)) {
			const char *const argv[] = { "-u", "-z", mnt, NULL };
			char o[256], e[256];

			run("/usr/bin/fusermount3", o, sizeof(o), e, sizeof(e), argv);
		}
	}
	return any;
}

static void unmount_leftovers(void)
{
	for (int i = 0; i < MAX_MOUNTS; i++) {
		if (mounts[i][0] && force_unmount(mounts[i]))
			fprintf(stderr, "test_sysfs: detached a mount left at %s\n", mounts[i]);
		mounts[i][0] = '\0';
	}
}

/* A mount namespace of our own (and the daemons'): whatever happens, nothing outlives it.
 * MMAMP_TEST_SHARED_NS=1 runs in the machine's namespace instead, to see by hand that the
 * daemons' own clean-up leaves nothing there either. */
static void private_namespace(void)
{
	const char *shared = getenv("MMAMP_TEST_SHARED_NS");

	if (shared && !strcmp(shared, "1"))
		return;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		fprintf(stderr, "test_sysfs: no private mount namespace (%s); cleaning up by hand\n",
			strerror(errno));
}

/* ---- the daemon ---- */

struct fx {
	struct e2e *e;
	char mnt[160];  /* <runtime>/sys */
	char rp[200];   /* <runtime>/sys/class/remoteproc */
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static bool log_says(const struct e2e *e, const char *what)
{
	char path[160], buf[65536];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/mmampd.log", e->rt);
	if (!(f = fopen(path, "re")))
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, what) != NULL;
}

/* Whether <runtime>/sys is a mount of its own: its st_dev differs from the runtime
 * directory's. The daemon mounts before it says it is ready, so this holds at once; the bound
 * is for a slow machine, and a daemon that logged "unavailable" is not waited for. */
static bool wait_mounted(struct fx *f)
{
	uint64_t deadline = now_ms() + E2E_WAIT_MS;

	for (;;) {
		struct stat a, b;

		if (!stat(f->e->rt, &a) && !stat(f->mnt, &b) && a.st_dev != b.st_dev)
			return true;
		if (log_says(f->e, "sysfs: unavailable") || log_says(f->e, "sysfs: not built in") ||
		    now_ms() >= deadline)
			return false;
		poll(NULL, 0, 10); /* the next look at the condition */
	}
}

static struct fx *begin(void **state, const char *platform, const char *const *args)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	f->e = e2e_start(platform, args);
	snprintf(f->mnt, sizeof(f->mnt), "%s/sys", f->e->rt);
	snprintf(f->rp, sizeof(f->rp), "%s/class/remoteproc", f->mnt);
	track(f->mnt);
	if (!wait_mounted(f)) {
		if (log_says(f->e, "sysfs: unavailable")) {
			fuse_unavailable = true;
			f->e->passed = true;
			fprintf(stderr, "test_sysfs: mmampd could not mount its sysfs face here: "
				"skipped\n");
			skip();
		}
		fail_msg("%s is not a mount within %d ms", f->mnt, E2E_WAIT_MS);
	}
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct e2e *e;
	char mnt[160], rt[80];

	if (!f)
		return 0;
	snprintf(mnt, sizeof(mnt), "%s", f->mnt);
	e = f->e;
	snprintf(rt, sizeof(rt), "%s", e ? e->rt : "");
	*state = NULL;
	free(f); /* before e2e_stop(), which may fail the test (longjmp) */
	e2e_stop(e);
	if (mnt[0] && force_unmount(mnt)) {
		/* e2e_stop() could not remove what was under the mount */
		nftw(rt, e2e_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		fail_msg("mmampd left %s mounted", mnt);
	}
	return 0;
}

/* ---- plain file I/O on the mount ---- */

static void attr_path(struct fx *f, int core, const char *attr, char *out, size_t len)
{
	snprintf(out, len, "%s/remoteproc%d/%s", f->rp, core, attr);
}

/* Read the whole attribute; 0 or -errno. */
static int read_attr(struct fx *f, int core, const char *attr, char *buf, size_t len)
{
	char path[300];
	size_t got = 0;
	ssize_t n;
	int fd;

	attr_path(f, core, attr, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return 0;
}

/* As "echo -n TEXT > attr" does: open O_WRONLY|O_TRUNC, one write; its result or -errno. */
static ssize_t write_attr(struct fx *f, int core, const char *attr, const char *text)
{
	char path[300];
	ssize_t n;
	int fd;

	attr_path(f, core, attr, path, sizeof(path));
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static void expect_attr(struct fx *f, int core, const char *attr, const char *want)
{
	char buf[4096];
	int ret = read_attr(f, core, attr, buf, sizeof(buf));

	if (ret)
		fail_msg("remoteproc%d/%s: read: %s", core, attr, strerror(-ret));
	if (strcmp(buf, want))
		fail_msg("remoteproc%d/%s reads \"%s\", expected \"%s\"", core, attr, buf, want);
}

/* As busybox's cat reads: sendfile(), which goes through the page cache up to the size the
 * kernel believes the file has (after a write of "start\n" it believed 6: "runnin"). */
static void expect_attr_sendfile(struct fx *f, int core, const char *attr, const char *want)
{
	char path[300], buf[4096];
	int fd, p[2];
	ssize_t n;

	attr_path(f, core, attr, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	n = sendfile(p[1], fd, NULL, sizeof(buf) - 1);
	close(p[1]);
	close(fd);
	if (n < 0)
		fail_msg("remoteproc%d/%s: sendfile: %s", core, attr, strerror(errno));
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n >= 0);
	buf[n] = '\0';
	if (strcmp(buf, want))
		fail_msg("remoteproc%d/%s reads \"%s\" by sendfile, expected \"%s\"", core, attr, buf,
			 want);
}

static void expect_write(struct fx *f, int core, const char *attr, const char *text, int err)
{
	ssize_t n = write_attr(f, core, attr, text);

	if (err == 0 && n != (ssize_t)strlen(text))
		fail_msg("remoteproc%d/%s < \"%s\": %s", core, attr, text,
			 n < 0 ? strerror((int)-n) : "short write");
	if (err && n != -err)
		fail_msg("remoteproc%d/%s < \"%s\": %s, expected %s", core, attr, text,
			 n < 0 ? strerror((int)-n) : "accepted", strerror(err));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int list_dir(const char *path, char names[][32], int max)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_true(n < max);
		assert_true(strlen(de->d_name) < 32);
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	qsort(names, (size_t)n, 32, by_name);
	return n;
}

static int core_pid(struct fx *f, const char *core)
{
	char out[64];

	assert_true(ctl(f->e, out, sizeof(out), "get %s pid", core));
	return atoi(out);
}

static void tty_works(struct fx *f)
{
	char path[PATH_MAX];
	uint8_t out[496], in[496];
	uint64_t seed = 11;
	int fd;

	channel_dev(f->e, "m4_0", TTY_CHANNEL, path, sizeof(path));
	fd = tty_open(path);
	assert_true(fd >= 0);
	fill_random(out, sizeof(out), &seed);
	assert_int_equal(tty_echo(fd, out, sizeof(out), in), 0);
	assert_memory_equal(out, in, sizeof(out));
	close(fd);
}

/* ---- the tests ---- */

static void tree_and_reads(void **state)
{
	static const char *const files[] = { "coredump", "firmware", "name", "recovery", "state" };
	struct fx *f = begin(state, NULL, NULL);
	char names[16][32], path[300], buf[64];
	struct stat st;
	int n, fd;

	n = list_dir(f->rp, names, 16);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "remoteproc0");
	snprintf(path, sizeof(path), "%s/remoteproc0", f->rp);
	n = list_dir(path, names, 16);
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(names[i], files[i]);
		attr_path(f, 0, files[i], path, sizeof(path));
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, strcmp(files[i], "name") ? 0644 : 0444);
		assert_int_equal(st.st_size, 4096);
		assert_int_equal(st.st_uid, geteuid());
	}
	assert_int_equal(stat(f->rp, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);

	/* fresh daemon: the kernel's strings, each ending in a newline */
	expect_attr(f, 0, "name", "m4_0\n");
	expect_attr(f, 0, "state", "offline\n");
	expect_attr(f, 0, "firmware", "\n");
	expect_attr(f, 0, "recovery", "enabled\n");
	expect_attr(f, 0, "coredump", "disabled\n");

	/* reads at an offset read the same text (seq_file) */
	attr_path(f, 0, "state", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, 3, 2), 3);
	assert_memory_equal(buf, "fli", 3);
	assert_int_equal(pread(fd, buf, sizeof(buf), 8), 0);
	close(fd);

	/* name is 0444: even root may not open it for writing (kernfs) */
	expect_write(f, 0, "name", "x", EACCES);
	attr_path(f, 0, "name", path, sizeof(path));
	assert_int_equal(open(path, O_RDWR | O_CLOEXEC), -1);
	assert_int_equal(errno, EACCES);
	/* nothing comes or goes */
	snprintf(path, sizeof(path), "%s/remoteproc0/bogus", f->rp);
	assert_int_equal(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(mkdir(path, 0755), -1);
	assert_int_equal(errno, EPERM);
	attr_path(f, 0, "state", path, sizeof(path));
	assert_int_equal(unlink(path), -1);
	assert_int_equal(errno, EPERM);
	snprintf(path, sizeof(path), "%s/remoteproc1", f->rp);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	f->e->passed = true;
}

/*
 * One rule for firmware names (mmamp_firmware_name_check) on every face: what sysfs refuses,
 * the control socket and the CLI refuse too, and what one takes all take. Blanks, tabs,
 * escape sequences, bytes above 0x7e, a newline inside, '/', "..", 256 bytes, 4 KiB of random
 * bytes: refused with EINVAL, the name stays; 255 bytes of the allowed set and "fw-1.2_+x":
 * taken everywhere.
 */
static void firmware_names_follow_the_one_rule(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	static char random_name[4097], n255[256], n256[257];
	const char *bad[] = { "a b", "a\tb", "\x1b[31mred", "fw\x80", "a\nb", "a/b", "..", ".",
			      n256, random_name };
	const char *good[] = { "fw-1.2_+x", n255 };
	char out[600], err[600], want[300];
	uint64_t seed = 12;

	fill_random((uint8_t *)random_name, sizeof(random_name) - 1, &seed);
	for (size_t i = 0; i < sizeof(random_name) - 1; i++)
		random_name[i] = random_name[i] ? random_name[i] : '\x1b'; /* one write, no NUL */
	random_name[0] = 'x';
	memset(n255, 'n', 255);
	memset(n256, 'n', 256);
	expect_write(f, 0, "firmware", "fw_echo\n", 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *argv[] = { "firmware", "m4_0", bad[k], NULL };

		expect_write(f, 0, "firmware", bad[k], EINVAL);
		if (!strpbrk(bad[k], " \t\n")) { /* a control request is blank-separated words */
			assert_false(ctl(f->e, out, sizeof(out), "set m4_0 firmware %s", bad[k]));
			if (strncmp(out, "EINVAL firmware \"", 17) || !strstr(out, "refused: "))
				fail_msg("set m4_0 firmware <bad %zu>: \"%s\"", k, out);
		}
		if (strlen(bad[k]) < 300 && !cli(f->e, out, sizeof(out), err, sizeof(err), argv))
			fail_msg("mmamp firmware m4_0 <bad %zu> was taken", k);
		expect_attr(f, 0, "firmware", "fw_echo\n");
	}
	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		const char *argv[] = { "firmware", "m4_0", good[k], NULL };

		snprintf(want, sizeof(want), "%s\n", good[k]);
		expect_write(f, 0, "firmware", want, 0);
		expect_attr(f, 0, "firmware", want);
		ctl_ok(f->e, "set m4_0 firmware fw_echo");
		ctl_ok(f->e, "set m4_0 firmware %s", good[k]);
		expect_attr(f, 0, "firmware", want);
		ctl_ok(f->e, "set m4_0 firmware fw_echo");
		if (cli(f->e, out, sizeof(out), err, sizeof(err), argv))
			fail_msg("mmamp firmware m4_0 %s: %s", good[k], err);
		expect_attr(f, 0, "firmware", want);
	}
	f->e->passed = true;
}

static void lifecycle(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	char out[600], tty[PATH_MAX];
	struct stat st;

	/* firmware: any time while offline; one trailing newline is not part of the name; empty:
	 * EINVAL */
	expect_write(f, 0, "firmware", "no_such_firmware", 0);
	expect_attr(f, 0, "firmware", "no_such_firmware\n");
	expect_write(f, 0, "firmware", "\n", EINVAL);
	expect_write(f, 0, "firmware", "../fw_echo", EINVAL);
	expect_attr(f, 0, "firmware", "no_such_firmware\n");
	assert_int_equal(write_attr(f, 0, "firmware", ""), 0); /* a write of nothing stores nothing */

	/* state words: sysfs_streq, so one trailing newline and no more */
	expect_write(f, 0, "state", "stop", EINVAL);        /* offline */
	expect_write(f, 0, "state", "detach", EINVAL);      /* not attached */
	expect_write(f, 0, "state", "bogus", EINVAL);
	expect_write(f, 0, "state", "start\n\n", EINVAL);
	expect_write(f, 0, "state", "start ", EINVAL);
	expect_write(f, 0, "state", "", 0);
	expect_write(f, 0, "state", "start", ENOENT);       /* no such firmware file */
	expect_attr(f, 0, "state", "offline\n");

	/* boot; the write returns once the core runs; its TTY comes up and echoes */
	expect_write(f, 0, "firmware", "fw_echo\n", 0);
	expect_attr(f, 0, "firmware", "fw_echo\n");
	expect_write(f, 0, "state", "start\n", 0);
	expect_attr_sendfile(f, 0, "state", "running\n");
	expect_attr(f, 0, "state", "running\n");
	ctl_ok(f->e, "wait m4_0 running %s %d", TTY_CHANNEL, E2E_WAIT_MS);
	tty_works(f);
	/* the control socket sees the same core */
	assert_true(ctl(f->e, out, sizeof(out), "get m4_0 firmware"));
	assert_string_equal(out, "fw_echo");

	/* while running: start EBUSY, firmware EBUSY (even an empty name: the state is checked
	 * first, as rproc_set_firmware does), coredump may change */
	expect_write(f, 0, "state", "start", EBUSY);
	expect_write(f, 0, "firmware", "fw_echo_b", EBUSY);
	expect_write(f, 0, "firmware", "\n", EBUSY);
	expect_write(f, 0, "state", "detach", EINVAL);
	expect_attr(f, 0, "firmware", "fw_echo\n");
	expect_write(f, 0, "coredump", "inline\n", 0);
	expect_attr(f, 0, "coredump", "inline\n");

	/* stop: the write returns once the core is offline and its TTY is gone */
	channel_dev(f->e, "m4_0", TTY_CHANNEL, tty, sizeof(tty));
	expect_write(f, 0, "state", "stop\n", 0);
	expect_attr_sendfile(f, 0, "state", "offline\n");
	expect_attr(f, 0, "state", "offline\n");
	assert_int_equal(lstat(tty, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(ctl(f->e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");

	/* offline again: the firmware can change */
	expect_write(f, 0, "firmware", "fw_echo_b", 0);
	expect_attr(f, 0, "firmware", "fw_echo_b\n");
	f->e->passed = true;
}

static void recovery_and_coredump(void **state)
{
	struct fx *f = begin(state, NULL, NULL);

	expect_write(f, 0, "recovery", "disabled", 0);
	expect_attr(f, 0, "recovery", "disabled\n");
	expect_write(f, 0, "recovery", "enabled\n", 0);
	expect_attr(f, 0, "recovery", "enabled\n");
	expect_write(f, 0, "recovery", "recover", 0); /* nothing to recover: accepted */
	expect_write(f, 0, "recovery", "maybe", EINVAL);
	expect_write(f, 0, "recovery", "Enabled", EINVAL);
	expect_attr(f, 0, "recovery", "enabled\n");

	expect_write(f, 0, "coredump", "enabled", 0);
	expect_attr(f, 0, "coredump", "enabled\n");
	expect_write(f, 0, "coredump", "inline", 0);
	expect_attr(f, 0, "coredump", "inline\n");
	expect_write(f, 0, "coredump", "always", EINVAL);
	expect_write(f, 0, "coredump", "disabled\n", 0);
	expect_attr(f, 0, "coredump", "disabled\n");

	/* a crash with recovery disabled stays crashed (§1.8) */
	expect_write(f, 0, "firmware", "fw_echo", 0);
	expect_write(f, 0, "state", "start", 0);
	ctl_ok(f->e, "wait m4_0 running %s %d", TTY_CHANNEL, E2E_WAIT_MS);
	expect_write(f, 0, "recovery", "disabled", 0);
	assert_int_equal(kill(core_pid(f, "m4_0"), SIGKILL), 0);
	ctl_ok(f->e, "wait m4_0 crashed %d", E2E_WAIT_MS);
	expect_attr(f, 0, "state", "crashed\n");
	expect_write(f, 0, "coredump", "enabled", EBUSY); /* not while crashed (§1.9) */
	expect_attr(f, 0, "coredump", "disabled\n");
	expect_write(f, 0, "state", "start", EBUSY);
	expect_write(f, 0, "firmware", "fw_echo_b", EBUSY);
	/* one-shot recovery: running again, the flag unchanged */
	expect_write(f, 0, "recovery", "recover\n", 0);
	expect_attr(f, 0, "state", "running\n");
	expect_attr(f, 0, "recovery", "disabled\n");
	ctl_ok(f->e, "wait m4_0 running %s %d", TTY_CHANNEL, E2E_WAIT_MS);
	tty_works(f);

	/* crashed again; "enabled" turns recovery on and recovers at once */
	assert_int_equal(kill(core_pid(f, "m4_0"), SIGKILL), 0);
	ctl_ok(f->e, "wait m4_0 crashed crashes=2 %d", E2E_WAIT_MS);
	expect_write(f, 0, "recovery", "enabled", 0);
	expect_attr(f, 0, "state", "running\n");
	expect_attr(f, 0, "recovery", "enabled\n");
	expect_write(f, 0, "state", "stop", 0);
	expect_attr(f, 0, "state", "offline\n");
	f->e->passed = true;
}

static void two_cores(void **state)
{
	const char *const args[] = { "--no-auto-boot", NULL };
	struct fx *f = begin(state, E2E_DUAL_DTB, args);
	char names[16][32];

	assert_int_equal(list_dir(f->rp, names, 16), 2);
	assert_string_equal(names[0], "remoteproc0");
	assert_string_equal(names[1], "remoteproc1");
	expect_attr(f, 0, "name", "m4_0\n");
	expect_attr(f, 1, "name", "m4_1\n");
	/* the platform's default firmware names */
	expect_attr(f, 0, "firmware", "fw_echo\n");
	expect_attr(f, 1, "firmware", "fw_echo_b\n");
	expect_write(f, 1, "state", "start", 0);
	expect_attr(f, 1, "state", "running\n");
	expect_attr(f, 0, "state", "offline\n");
	expect_write(f, 0, "firmware", "fw_echo_b", 0);  /* m4_0 is offline: fine */
	expect_write(f, 1, "firmware", "fw_echo", EBUSY);
	ctl_ok(f->e, "wait m4_1 running %s %d", TTY_CHANNEL, E2E_WAIT_MS);
	expect_write(f, 1, "state", "stop", 0);
	expect_attr(f, 1, "state", "offline\n");
	f->e->passed = true;
}

/* A script written for /sys/class/remoteproc, run by /bin/sh with <runtime>/sys as its root. */
static void shell_script(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	const char *const argv[] = { E2E_SYSFS_SCRIPT, f->mnt, "m4_0", "fw_echo", NULL };
	static char out[8192], err[8192];
	int status = run("/bin/sh", out, sizeof(out), err, sizeof(err), argv);

	if (status != 0)
		fail_msg("remoteproc-cycle.sh exited %d\nstdout: %s\nstderr: %s", status, out, err);
	assert_non_null(strstr(out, "ran fw_echo and stopped"));
	expect_attr(f, 0, "state", "offline\n");
	/* the daemon saw what the script did */
	assert_true(log_says(f->e, "sysfs: remoteproc0/state: start"));
	assert_true(log_says(f->e, "sysfs: remoteproc0/state: stop"));
	f->e->passed = true;
}

static int wait_exit(pid_t pid)
{
	struct pollfd p = { .fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN };
	int status = -1;

	assert_true(p.fd >= 0);
	if (poll(&p, 1, E2E_WAIT_MS) != 1) {
		close(p.fd);
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("mmampd did not exit within %d ms", E2E_WAIT_MS);
	}
	close(p.fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* SIGTERM (as from systemd or kill): the daemon exits 0 and its mount is gone, even with a
 * file in it held open (the unmount is lazy; the holder's next read fails). */
static void sigterm_unmounts(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	pid_t pid = f->e->daemon;
	char path[300], b[16];
	int status, held;

	expect_write(f, 0, "firmware", "fw_echo", 0);
	expect_write(f, 0, "state", "start", 0);
	assert_true(is_mounted(f->mnt));
	attr_path(f, 0, "state", path, sizeof(path));
	held = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(held >= 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	status = wait_exit(pid);
	f->e->daemon = 0; /* e2e_stop(): nothing left to shut down */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(is_mounted(f->mnt));
	assert_int_equal(read(held, b, sizeof(b)), -1);
	close(held);
	assert_int_equal(kill(-pid, 0), -1); /* the simulated core went with it */
	assert_true(log_says(f->e, "sysfs: "));
	assert_true(log_says(f->e, "/sys unmounted"));
	f->e->passed = true;
}

/* A SIGKILLed daemon cannot unmount: its mount is dead (ENOTCONN). The next daemon on that
 * runtime directory detaches it and mounts afresh. */
static void stale_mount_cleared(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	struct e2e *old = f->e;
	const char *args[] = { "-r", old->rt, NULL };
	char log_old[160], log_new[160], tmp[80], path[300];

	kill(-old->daemon, SIGKILL);
	waitpid(old->daemon, NULL, 0);
	old->daemon = 0;
	assert_true(is_mounted(f->mnt));
	/* (a stat may still come from the kernel's attribute cache; an open must ask the server) */
	attr_path(f, 0, "state", path, sizeof(path));
	assert_int_equal(open(path, O_RDONLY | O_CLOEXEC), -1);
	assert_int_equal(errno, ENOTCONN);

	/* a new daemon on the same directory (the last -r wins); the harness's own temporary
	 * directory only holds its log, which moves over to the old one */
	f->e = e2e_start(NULL, args);
	snprintf(tmp, sizeof(tmp), "%s", f->e->rt);
	snprintf(log_new, sizeof(log_new), "%s/mmampd.log", tmp);
	snprintf(log_old, sizeof(log_old), "%s/mmampd.log", old->rt);
	assert_int_equal(rename(log_new, log_old), 0);
	assert_int_equal(rmdir(tmp), 0);
	snprintf(f->e->rt, sizeof(f->e->rt), "%s", old->rt);
	e2e_free(old);

	assert_true(wait_mounted(f));
	assert_true(log_says(f->e, "detached a stale mount"));
	expect_attr(f, 0, "state", "offline\n");
	expect_write(f, 0, "firmware", "fw_echo", 0);
	expect_attr(f, 0, "firmware", "fw_echo\n");
	f->e->passed = true;
}

/* Someone unmounts the face under the daemon: it logs that, goes on serving the control
 * socket, and shuts down cleanly. */
static void unmounted_from_outside(void **state)
{
	struct fx *f = begin(state, NULL, NULL);
	uint64_t deadline = now_ms() + E2E_WAIT_MS;
	char out[256];

	expect_attr(f, 0, "state", "offline\n");
	assert_true(force_unmount(f->mnt));
	while (!log_says(f->e, "unmounted from outside mmampd") && now_ms() < deadline)
		poll(NULL, 0, 10); /* the next look at the condition */
	assert_true(log_says(f->e, "unmounted from outside mmampd"));
	assert_true(ctl(f->e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");
	ctl_ok(f->e, "set m4_0 firmware fw_echo");
	f->e->passed = true;
}

/* --no-sysfs: no mount, the control socket as usual. */
static void no_sysfs_flag(void **state)
{
	const char *const args[] = { "--no-sysfs", NULL };
	struct fx *f = calloc(1, sizeof(*f));
	char out[256];

	assert_non_null(f);
	*state = f;
	f->e = e2e_start(NULL, args);
	snprintf(f->mnt, sizeof(f->mnt), "%s/sys", f->e->rt);
	track(f->mnt);
	assert_false(is_mounted(f->mnt));
	assert_true(ctl(f->e, out, sizeof(out), "get m4_0 state"));
	assert_string_equal(out, "offline");
	f->e->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(tree_and_reads, teardown),
		cmocka_unit_test_teardown(lifecycle, teardown),
		cmocka_unit_test_teardown(firmware_names_follow_the_one_rule, teardown),
		cmocka_unit_test_teardown(recovery_and_coredump, teardown),
		cmocka_unit_test_teardown(two_cores, teardown),
		cmocka_unit_test_teardown(shell_script, teardown),
		cmocka_unit_test_teardown(sigterm_unmounts, teardown),
		cmocka_unit_test_teardown(stale_mount_cleared, teardown),
		cmocka_unit_test_teardown(unmounted_from_outside, teardown),
		cmocka_unit_test_teardown(no_sysfs_flag, teardown),
	};
	int failed;

#ifndef MMAMP_HAVE_FUSE
	return mmamp_test_missing("test_sysfs", "fuse", "mmampd was built without libfuse3 "
				  "(Debian packages libfuse3-dev, fuse3)");
#endif
	if (access("/dev/fuse", R_OK | W_OK)) {
		fprintf(stderr, "test_sysfs: /dev/fuse: %s\n", strerror(errno));
		return mmamp_test_missing("test_sysfs", "fuse", "/dev/fuse is not usable");
	}
	private_namespace();
	atexit(unmount_leftovers);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	unmount_leftovers();
	if (failed)
		return failed;
	return fuse_unavailable ? mmamp_test_missing("test_sysfs", "fuse", "mmampd could not "
						     "mount its sysfs face (FUSE) here") : 0;
}
