/*
 * simcore_spawn.h — test helpers for playing the host of one simulated M4: memfd regions, the
 * firmware file, starting mmamp-simcore on a list of regions, and watching its console, fault
 * report and exit. Every wait has a deadline (no sleeps): poll(2) on pipes and a pidfd.
 *
 * Include after <cmocka.h> (failures are cmocka failures). Host test code: needs _GNU_SOURCE.
 *
 * In the child, region i is fd 10 + i, the console fd 40, the fault report fd 41 and stderr 2;
 * nothing else survives exec (every other fd the test owns is close-on-exec).
 */
#ifndef MMAMP_TESTS_SIMCORE_SPAWN_H
#define MMAMP_TESTS_SIMCORE_SPAWN_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/wire/simcore.h"
#include "port_sim.h"

#define SC_MAX_MAPS      12
#define SC_CHILD_MAP_FD  10
#define SC_CHILD_CONSOLE 40
#define SC_CHILD_REPORT  41

/** struct sc_map - one region for the core: fd, M4 device address, size, "r"/"rw"/"rx"/"rwx". */
struct sc_map {
	int fd;
	uint32_t da;
	uint32_t size;
	const char *prot;
};

/** struct sc_proc - a running mmamp-simcore and the read ends of its console, report, stderr. */
struct sc_proc {
	pid_t pid;
	int console_rd, report_rd, stderr_rd;
	char console[16384];
	size_t console_len;
};

static inline uint64_t sc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/** sc_memfd() - a close-on-exec memfd of @size bytes, mapped shared read-write at *@map. */
static inline int sc_memfd(const char *name, size_t size, void **map)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (map) {
		*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		assert_true(*map != MAP_FAILED);
	}
	return fd;
}

/** sc_read_file() - the whole file at @path (malloc'd), its size in *@size. */
static inline void *sc_read_file(const char *path, size_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

/**
 * sc_spawn() - start @simcore on @n regions, booting at @boot with the stack at @stack_top;
 * the core dies with this (single-threaded) test process.
 */
static inline void sc_spawn(struct sc_proc *p, const char *simcore, const struct sc_map *maps,
			    unsigned n, uint64_t boot, uint32_t stack_top)
{
	static char args[SC_MAX_MAPS + 8][64];
	char *argv[2 * SC_MAX_MAPS + 16];
	int con[2], rep[2], err[2], a = 0;

	assert_true(n <= SC_MAX_MAPS);
	argv[a++] = (char *)(uintptr_t)simcore;
	for (unsigned i = 0; i < n; i++) {
		snprintf(args[i], sizeof(args[i]), "%d:0x%x:0x%x:%s", SC_CHILD_MAP_FD + (int)i,
			 maps[i].da, maps[i].size, maps[i].prot);
		argv[a++] = "--map";
		argv[a++] = args[i];
	}
	snprintf(args[n], sizeof(args[n]), "0x%llx", (unsigned long long)boot);
	snprintf(args[n + 1], sizeof(args[n + 1]), "0x%x", stack_top);
	snprintf(args[n + 2], sizeof(args[n + 2]), "%d", SC_CHILD_REPORT);
	snprintf(args[n + 3], sizeof(args[n + 3]), "%d", SC_CHILD_CONSOLE);
	argv[a++] = "--boot";
	argv[a++] = args[n];
	argv[a++] = "--stack-top";
	argv[a++] = args[n + 1];
	argv[a++] = "--report";
	argv[a++] = args[n + 2];
	argv[a++] = "--console";
	argv[a++] = args[n + 3];
	argv[a++] = "--die-with-parent";
	argv[a] = NULL;

	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(con, O_CLOEXEC), 0);
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		int from[SC_MAX_MAPS + 3], to[SC_MAX_MAPS + 3], tmp[SC_MAX_MAPS + 3], k = 0;

		for (unsigned i = 0; i < n; i++) {
			from[k] = maps[i].fd;
			to[k++] = SC_CHILD_MAP_FD + (int)i;
		}
		from[k] = con[1];
		to[k++] = SC_CHILD_CONSOLE;
		from[k] = rep[1];
		to[k++] = SC_CHILD_REPORT;
		from[k] = err[1];
		to[k++] = 2;
		/* Move everything out of the way first, so no dup2 clobbers a source. */
		for (int i = 0; i < k; i++)
			tmp[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 100);
		for (int i = 0; i < k; i++)
			if (tmp[i] < 0 || dup2(tmp[i], to[i]) < 0)
				_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(con[1]);
	close(rep[1]);
	close(err[1]);
	p->console_rd = con[0];
	p->report_rd = rep[0];
	p->stderr_rd = err[0];
}

/** sc_console_poll() - read what the console has (waiting up to @ms); bytes read, 0 at EOF, -1. */
static inline ssize_t sc_console_poll(struct sc_proc *p, int ms)
{
	struct pollfd pf = { .fd = p->console_rd, .events = POLLIN };
	ssize_t n;

	if (poll(&pf, 1, ms) != 1)
		return -1;
	n = read(p->console_rd, p->console + p->console_len,
		 sizeof(p->console) - 1 - p->console_len);
	assert_true(n >= 0);
	p->console_len += (size_t)n;
	p->console[p->console_len] = 0;
	return n;
}

/** sc_console_count() - how many times @needle occurs in what the console said so far. */
static inline unsigned sc_console_count(const struct sc_proc *p, const char *needle)
{
	unsigned n = 0;

	for (const char *s = strstr(p->console, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/** sc_console_wait_count() - wait until @needle occurred @count times; fail after @ms. */
static inline void sc_console_wait_count(struct sc_proc *p, const char *needle, unsigned count,
					 int ms)
{
	uint64_t deadline = sc_now_ms() + (uint64_t)ms;

	while (sc_console_count(p, needle) < count) {
		uint64_t now = sc_now_ms();

		if (now >= deadline || sc_console_poll(p, (int)(deadline - now)) <= 0)
			fail_msg("console never said \"%s\" (%u times); it said:\n%s", needle, count,
				 p->console);
	}
}

/** sc_wait_exit() - wait (pidfd) up to @ms for the core to end; returns its wait status. */
static inline int sc_wait_exit(struct sc_proc *p, int ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0), status;
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };

	assert_true(pidfd >= 0);
	if (poll(&pf, 1, ms) != 1)
		fail_msg("the core did not end within %d ms; console:\n%s", ms, p->console);
	close(pidfd);
	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	p->pid = -1;
	while (sc_console_poll(p, ms) > 0)
		;
	return status;
}

/** sc_read_all() - read @len bytes from @fd, or fewer if it ends first (each read waits ≤ @ms). */
static inline size_t sc_read_all(int fd, void *buf, size_t len, int ms)
{
	size_t got = 0;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&pf, 1, ms), 1);
		n = read(fd, (char *)buf + got, len - got);
		assert_true(n >= 0);
		if (n == 0 || got + (size_t)n == len)
			return got + (size_t)n;
		got += (size_t)n;
	}
}

/** sc_kill() - SIGKILL the core (if still running) and reap it; returns its wait status. */
static inline int sc_kill(struct sc_proc *p)
{
	int status = 0;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
		p->pid = -1;
	}
	return status;
}

/** sc_close() - kill if needed and close the pipes. */
static inline void sc_close(struct sc_proc *p)
{
	sc_kill(p);
	close(p->console_rd);
	close(p->report_rd);
	close(p->stderr_rd);
}

/*
 * The ELF loader's map callback for a test playing the host: device address → our mapping of
 * the code TCM (@code) or data TCM (@data); anything else is refused as the SCU would.
 */
static inline int sc_map_tcm(uint8_t *code, uint8_t *data, uint64_t da, uint64_t memsz,
			     void **local)
{
	if (da >= MMAMP_SIM_CODE_TCM_DA && memsz <= MMAMP_SIM_CODE_TCM_SIZE &&
	    da - MMAMP_SIM_CODE_TCM_DA <= MMAMP_SIM_CODE_TCM_SIZE - memsz) {
		*local = code + (da - MMAMP_SIM_CODE_TCM_DA);
		return 0;
	}
	if (da >= MMAMP_SIM_DATA_TCM_DA && memsz <= MMAMP_SIM_DATA_TCM_SIZE &&
	    da - MMAMP_SIM_DATA_TCM_DA <= MMAMP_SIM_DATA_TCM_SIZE - memsz) {
		*local = data + (da - MMAMP_SIM_DATA_TCM_DA);
		return 0;
	}
	return -EACCES;
}

#endif /* MMAMP_TESTS_SIMCORE_SPAWN_H */
