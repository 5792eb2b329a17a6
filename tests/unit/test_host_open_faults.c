/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_host_open_faults.c — mmamp_host_open() under fault injection: the Nth strdup, malloc,
 * calloc, eventfd or pthread_create of the host library fails (the test links the library with
 * -Wl,--wrap for each, so only its own calls are hit), and the open must fail cleanly: a
 * negative errno, no crash, and nothing left behind — every file descriptor closed (counted in
 * /proc/self/fd here) and every allocation freed (LeakSanitizer in the ASan build checks that
 * at exit). Each sweep goes on until the open succeeds with nothing left to fail.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmamp/host/rproc.h"

/* ---- the injector: calls of one kind are counted; the one numbered fail_at fails ---- */

enum fault_kind { FAULT_NONE, FAULT_STRDUP, FAULT_ALLOC, FAULT_EVENTFD, FAULT_THREAD };

static enum fault_kind fault_kind;
static unsigned fault_at;   /* 1-based: which call of fault_kind fails */
static unsigned fault_seen; /* calls of fault_kind so far */
static bool fault_hit;      /* the numbered call came (and failed) */

static bool fault_now(enum fault_kind k)
{
	if (fault_kind != k || ++fault_seen != fault_at)
		return false;
	fault_hit = true;
	return true;
}

char *__real_strdup(const char *s);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
int __real_eventfd(unsigned int initval, int flags);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);

char *__wrap_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
int __wrap_eventfd(unsigned int initval, int flags);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);

char *__wrap_strdup(const char *s)
{
	if (fault_now(FAULT_STRDUP)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

void *__wrap_malloc(size_t n)
{
	if (fault_now(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fault_now(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

int __wrap_eventfd(unsigned int initval, int flags)
{
	if (fault_now(FAULT_EVENTFD)) {
		errno = EMFILE;
		return -1;
	}
	return __real_eventfd(initval, flags);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	if (fault_now(FAULT_THREAD))
		return EAGAIN;
	return __real_pthread_create(t, attr, fn, arg);
}

/* ---- the host under test ---- */

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void rm_runtime(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Open @platform with the @at-th call of @kind failing; close it if the open worked. Returns
 * the open's result; fails the test if a descriptor is left open either way.
 */
static int open_with_fault(const char *platform, enum fault_kind kind, unsigned at)
{
	struct mmamp_host_config cfg = { 0 };
	struct mmamp_host *h = NULL;
	char runtime[64], err[512] = "";
	unsigned before;
	int ret;

	snprintf(runtime, sizeof(runtime), "/tmp/mmamp-faults-XXXXXX");
	assert_non_null(mkdtemp(runtime));
	cfg.platform = platform;
	cfg.runtime_dir = runtime;
	cfg.firmware_path = runtime;
	cfg.simcore = "/nonexistent/mmamp-simcore"; /* nothing is started: only opened */
	cfg.qemu_bootrom = "/nonexistent/qemu_bootrom.elf";
	before = open_fds();
	fault_kind = kind;
	fault_at = at;
	fault_seen = 0;
	fault_hit = false;
	ret = mmamp_host_open(&h, &cfg, err, sizeof(err));
	fault_kind = FAULT_NONE;
	if (ret == 0) {
		mmamp_host_close(h);
	} else {
		assert_true(ret < 0);
		assert_true(fault_hit); /* it failed because of the fault, not on its own */
	}
	if (open_fds() != before)
		fail_msg("%s: %s call %u failed (open: %d \"%s\"): %u descriptors left open",
			 platform, kind == FAULT_STRDUP ? "strdup" : kind == FAULT_ALLOC ? "alloc"
			 : kind == FAULT_EVENTFD ? "eventfd" : "pthread_create", at, ret, err,
			 open_fds() - before);
	rm_runtime(runtime);
	return ret;
}

/* Fail each call of @kind in turn until an open succeeds with no call left to fail. */
static void sweep(const char *platform, enum fault_kind kind, unsigned min_calls)
{
	unsigned at;

	for (at = 1; at < 100000; at++) {
		int ret = open_with_fault(platform, kind, at);

		if (ret == 0) {
			assert_false(fault_hit); /* a failure nobody saw must not pass as success */
			break;
		}
	}
	/* the sweep reached the calls it is about (a library that stopped making them would
	 * make this test vacuous) */
	assert_true(at > min_calls);
}

#define SIM MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb"
#define SIM2 MMAMP_PLATFORM_DIR "/imx8qm-sim.dtb" /* two M4s: the second core fails too */
#define QEMU MMAMP_PLATFORM_DIR "/qemu-mps2-an386.dtb"

/* The monitor thread cannot start: the rproc that was half made is undone, backend and all. */
static void monitor_thread_fails(void **state)
{
	(void)state;
	sweep(SIM, FAULT_THREAD, 1);
	sweep(SIM2, FAULT_THREAD, 2);
	sweep(QEMU, FAULT_THREAD, 1);
}

/* The monitor's eventfds (and the QEMU backend's wake fd). */
static void eventfd_fails(void **state)
{
	(void)state;
	sweep(SIM, FAULT_EVENTFD, 2);
	sweep(SIM2, FAULT_EVENTFD, 4);
	sweep(QEMU, FAULT_EVENTFD, 3);
}

/* The host's copies of its configuration strings. */
static void strdup_fails(void **state)
{
	(void)state;
	sweep(SIM, FAULT_STRDUP, 3);
	sweep(QEMU, FAULT_STRDUP, 4);
}

/* Every allocation of the open: platform, SCU, memory, each rproc and its backend. */
static void allocation_fails(void **state)
{
	(void)state;
	sweep(SIM, FAULT_ALLOC, 3);
	sweep(SIM2, FAULT_ALLOC, 6);
	sweep(QEMU, FAULT_ALLOC, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(monitor_thread_fails),
		cmocka_unit_test(eventfd_fails),
		cmocka_unit_test(strdup_fails),
		cmocka_unit_test(allocation_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
