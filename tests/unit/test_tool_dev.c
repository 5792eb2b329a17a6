/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tool_dev.c — tool_open_new_node() (tools/common/tool_dev.c), the open of a node a driver
 * has just announced: it waits out ENOENT (no node yet) and ENXIO (node, no device behind it
 * yet) up to its deadline and gives every other error at once. ENXIO is made with a FIFO: a
 * non-blocking open for writing fails with ENXIO until a reader has it open.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tool_dev.h"
#include "tool_time.h"

struct later {
	const char *path;
	int reader; /* the FIFO's reader, or -1: the file was created instead */
	bool make_file;
};

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* After a moment, what the driver would do: create the node, or open the device behind it. */
static void *arrive_later(void *arg)
{
	struct later *l = arg;

	sleep_ms(100);
	if (l->make_file)
		close(open(l->path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	else
		l->reader = open(l->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return NULL;
}

static void temp_path(char *buf, size_t len, const char *leaf)
{
	snprintf(buf, len, "%s/tool_dev.%d.%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid(), leaf);
}

static void a_node_that_is_not_openable_yet_is_waited_for(void **state)
{
	char path[256];
	struct later l = { path, -1, false };
	pthread_t t;
	int fd;

	(void)state;
	temp_path(path, sizeof(path), "fifo");
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pthread_create(&t, NULL, arrive_later, &l), 0);
	fd = tool_open_new_node(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 5000);
	pthread_join(t, NULL);
	assert_true(fd >= 0);
	close(fd);
	close(l.reader);
	unlink(path);
}

static void a_node_that_appears_later_is_waited_for(void **state)
{
	char path[256];
	struct later l = { path, -1, true };
	pthread_t t;
	int fd;

	(void)state;
	temp_path(path, sizeof(path), "file");
	unlink(path);
	assert_int_equal(pthread_create(&t, NULL, arrive_later, &l), 0);
	fd = tool_open_new_node(path, O_RDWR | O_CLOEXEC, 5000);
	pthread_join(t, NULL);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
}

static void the_deadline_ends_the_wait_with_the_last_error(void **state)
{
	char path[256];
	uint64_t t0;

	(void)state;
	temp_path(path, sizeof(path), "never");
	unlink(path);
	t0 = tool_now_ns();
	assert_int_equal(tool_open_new_node(path, O_RDWR | O_CLOEXEC, 200), -ENOENT);
	assert_true(tool_now_ns() - t0 >= 200u * 1000000u);
}

static void other_errors_are_given_at_once(void **state)
{
	uint64_t t0;

	(void)state;
	t0 = tool_now_ns();
	/* a directory cannot be opened for writing: EISDIR, not worth a wait */
	assert_int_equal(tool_open_new_node("/", O_RDWR | O_CLOEXEC, 5000), -EISDIR);
	assert_true(tool_now_ns() - t0 < 1000u * 1000000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_node_that_is_not_openable_yet_is_waited_for),
		cmocka_unit_test(a_node_that_appears_later_is_waited_for),
		cmocka_unit_test(the_deadline_ends_the_wait_with_the_last_error),
		cmocka_unit_test(other_errors_are_given_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
