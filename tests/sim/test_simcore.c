/*
 * test_simcore.c — mmamp-simcore and the sim firmware end to end, in real processes.
 *
 * The test plays the host: it creates the M4's memories as memfds (code TCM, data TCM, MU
 * page), loads fw_hello's PT_LOAD segments into them with the core's ELF loader (by p_paddr, as
 * the LCM will), starts mmamp-simcore on them, and talks to the firmware through MU side A.
 *
 * Usage: test_simcore MMAMP-SIMCORE FW_HELLO FW_HELLO_CRASH FW_HELLO_BADSYS
 *
 * Synchronisation is by events only (pipe data, the MU line futex, pidfd, the kernel's view of
 * the child in /proc); every wait has a deadline, after which the test fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mmamp/elf_loader.h"
#include "mu_host.h"
#include "port_sim.h"
#include "simcore_spawn.h"

#define TIMEOUT_MS 10000

static const char *simcore_path, *fw_hello_path, *fw_crash_path, *fw_badsys_path;

/* ---- the host side of one simulated core ---- */

/*
 * The running core is a struct sc_proc, so the header's console, exit and pipe helpers apply;
 * only spawn() is our own: these tests edit the launcher's argv and hand it one more pipe.
 */
struct core {
	int code_fd, data_fd, mu_fd;
	uint8_t *code, *data;
	struct mu mu;
	uint64_t entry;
	struct sc_proc p;
	int leak_rd;
};

/* Loader callback: the M4's TCMs, through our own mappings of their memfds. */
static int map_tcm(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct core *c = ctx;

	return sc_map_tcm(c->code, c->data, da, memsz, local);
}

/* Create the memories, load @fw into them (checking it is shaped like an M4 image), reset the MU. */
static void core_init(struct core *c, const char *fw)
{
	struct mmamp_elf_image img;
	struct mmamp_elf_segment seg;
	struct mmamp_diag d;
	const void *tab;
	size_t size, tab_size;
	uint64_t tab_da;
	void *file = sc_read_file(fw, &size), *mu_page;
	unsigned loads = 0;

	memset(c, 0, sizeof(*c));
	c->p.pid = -1;
	c->p.console_rd = c->p.report_rd = c->p.stderr_rd = c->leak_rd = -1;
	c->code_fd = sc_memfd("tcml", MMAMP_SIM_CODE_TCM_SIZE, (void **)&c->code);
	c->data_fd = sc_memfd("tcmu", MMAMP_SIM_DATA_TCM_SIZE, (void **)&c->data);
	c->mu_fd = sc_memfd("mu", MU_PAGE_SIZE, &mu_page);
	mu_attach(&c->mu, mu_page, mu_host_wake);
	mu_reset(&c->mu);

	assert_int_equal(mmamp_elf_parse(&img, file, size, &d), 0);
	assert_int_equal(img.bits, 64);
	assert_int_equal(img.machine, MMAMP_EM_X86_64);
	assert_int_equal(img.type, MMAMP_ET_EXEC); /* not PIE */
	for (unsigned i = 0; i < img.phnum; i++) {
		assert_int_equal(mmamp_elf_segment(&img, i, &seg, &d), 0);
		if (seg.type != MMAMP_PT_LOAD)
			continue;
		loads++;
		assert_int_equal(seg.paddr, seg.vaddr);
		if (seg.flags & MMAMP_PF_X) {
			assert_true(seg.paddr >= MMAMP_SIM_CODE_TCM_DA);
			assert_true(seg.paddr + seg.memsz <= MMAMP_SIM_CODE_TCM_DA + MMAMP_SIM_CODE_TCM_SIZE);
			assert_false(seg.flags & MMAMP_PF_W);
		} else {
			assert_true(seg.paddr >= MMAMP_SIM_DATA_TCM_DA);
			assert_true(seg.paddr + seg.memsz <= MMAMP_SIM_DATA_TCM_DA + MMAMP_SIM_DATA_TCM_SIZE);
		}
	}
	assert_int_equal(loads, 2);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &tab_size, &tab_da, &d), 0);
	assert_true(tab_da >= MMAMP_SIM_DATA_TCM_DA && tab_da < MMAMP_SIM_STACK_TOP);
	assert_int_equal(tab_size, 16);
	assert_int_equal(mmamp_elf_load(&img, map_tcm, c, &d), 0);
	c->entry = img.entry;
	assert_true(c->entry >= MMAMP_SIM_CODE_TCM_DA && c->entry < MMAMP_SIM_DATA_TCM_DA);
	free(file);
}

static void core_fini(struct core *c)
{
	sc_close(&c->p);
	munmap(c->code, MMAMP_SIM_CODE_TCM_SIZE);
	munmap(c->data, MMAMP_SIM_DATA_TCM_SIZE);
	munmap(c->mu.page, MU_PAGE_SIZE);
	close(c->code_fd);
	close(c->data_fd);
	close(c->mu_fd);
	close(c->leak_rd);
}

/* MMAMP_SIM_MU_DA (port_sim.h) as simcore's --map takes it and as its errors print it. */
#define MU_DA_TEXT       "0x5D290000"
#define MU_DA_TEXT_LOWER "0x5d290000"
_Static_assert(MMAMP_SIM_MU_DA == 0x5D290000u, "MU_DA_TEXT follows MMAMP_SIM_MU_DA");

/* Child fds: 10 code TCM, 11 data TCM, 12 MU, 13 console, 14 report, 20 a pipe nobody named. */
static char **default_args(const struct core *c, char *buf, size_t len, int with_mu)
{
	static char *argv[32];
	int n = 0;

	snprintf(buf, len, "--map 10:0x%x:0x%x:rwx --map 11:0x%x:0x%x:rw %s --boot 0x%llx "
		 "--stack-top 0x%x --report 14 --console 13 --die-with-parent",
		 MMAMP_SIM_CODE_TCM_DA, MMAMP_SIM_CODE_TCM_SIZE, MMAMP_SIM_DATA_TCM_DA,
		 MMAMP_SIM_DATA_TCM_SIZE, with_mu ? "--map 12:" MU_DA_TEXT ":0x1000:rw" : "",
		 (unsigned long long)c->entry, MMAMP_SIM_STACK_TOP);
	argv[n++] = (char *)(uintptr_t)simcore_path;
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	return argv;
}

static void spawn(struct core *c, char **argv)
{
	int con[2], rep[2], err[2], leak[2];

	assert_int_equal(pipe2(con, O_CLOEXEC), 0);
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	assert_int_equal(pipe2(leak, O_CLOEXEC), 0);
	c->p.pid = fork();
	assert_true(c->p.pid >= 0);
	if (c->p.pid == 0) {
		const int from[] = { c->code_fd, c->data_fd, c->mu_fd, con[1], rep[1], leak[1], err[1] };
		const int to[] = { 10, 11, 12, 13, 14, 20, 2 };
		int tmp[7];

		for (int i = 0; i < 7; i++)
			tmp[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 100);
		for (int i = 0; i < 7; i++)
			if (tmp[i] < 0 || dup2(tmp[i], to[i]) < 0)
				_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(con[1]);
	close(rep[1]);
	close(err[1]);
	close(leak[1]);
	c->p.console_rd = con[0];
	c->p.report_rd = rep[0];
	c->p.stderr_rd = err[0];
	c->leak_rd = leak[0];
}

/* The host's "ISR": wait for side A's doorbell on the line futex; returns its notifyid. */
static uint32_t host_wait_doorbell(struct core *c)
{
	uint64_t deadline = sc_now_ms() + TIMEOUT_MS;
	uint32_t id;

	for (;;) {
		uint32_t seq = mu_irq_seq(&c->mu, MU_SIDE_A);

		if (mu_doorbell_recv(&c->mu, MU_SIDE_A, &id) == 0)
			return id;
		if (sc_now_ms() >= deadline)
			fail_msg("no doorbell from the core within %d ms; console: \"%s\"", TIMEOUT_MS,
				 c->p.console);
		mu_host_wait_line(&c->mu, MU_SIDE_A, seq, 100000000u);
	}
}

/*
 * The kernel's word that the core sleeps in futex(2) — i.e. it entered its WFI and only a
 * cross-process wake (a shared futex) can get it out.
 */
static void wait_core_asleep_in_futex(struct core *c)
{
	char path[64], buf[128];
	uint64_t deadline = sc_now_ms() + TIMEOUT_MS;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)c->p.pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		assert_true(n > 0);
		buf[n] = 0;
		if (!strncmp(buf, "202 ", 4) && (mu_get_cr(&c->mu, MU_SIDE_B) & MU_CR_RIE(1)))
			return;
		if (sc_now_ms() >= deadline)
			fail_msg("the core never went to sleep in futex(2): %s", buf);
		sched_yield();
	}
}

/* What the firmware can see: fds 1 and 3 only, and below 4 GiB exactly the granted regions. */
static void check_isolation(struct core *c)
{
	char path[64], line[512];
	struct dirent *e;
	unsigned fds = 0, maps = 0;
	struct pollfd p = { .fd = c->leak_rd, .events = POLLIN };
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)c->p.pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (strcmp(e->d_name, "1") && strcmp(e->d_name, "3"))
			fail_msg("the firmware holds fd %s", e->d_name);
		fds++;
	}
	closedir(dir);
	assert_int_equal(fds, 2);

	/* fd 20 (a pipe's only write end) was closed by the launcher: the read end sees EOF. */
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(p.revents & POLLHUP);

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)c->p.pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8];

		assert_int_equal(sscanf(line, "%llx-%llx %7s", &lo, &hi, perms), 3);
		if (lo >= 0x100000000ull)
			continue;
		maps++;
		if (lo == MMAMP_SIM_CODE_TCM_DA) {
			assert_int_equal(hi - lo, MMAMP_SIM_CODE_TCM_SIZE);
			assert_string_equal(perms, "rwxs");
		} else if (lo == MMAMP_SIM_DATA_TCM_DA) {
			assert_int_equal(hi - lo, MMAMP_SIM_DATA_TCM_SIZE);
			assert_string_equal(perms, "rw-s");
		} else if (lo == MMAMP_SIM_MU_DA) {
			assert_int_equal(hi - lo, MU_PAGE_SIZE);
			assert_string_equal(perms, "rw-s");
		} else {
			fail_msg("unexpected mapping below 4 GiB in the core: %s", line);
		}
	}
	fclose(f);
	assert_int_equal(maps, 3);
}

static void assert_no_report(struct core *c)
{
	struct mmamp_simcore_report r;

	assert_int_equal(sc_read_all(c->p.report_rd, &r, sizeof(r), TIMEOUT_MS), 0);
}

static void assert_report(struct core *c, int signo, uint64_t addr)
{
	struct mmamp_simcore_report r;

	assert_int_equal(sc_read_all(c->p.report_rd, &r, sizeof(r), TIMEOUT_MS), sizeof(r));
	assert_int_equal(r.magic, MMAMP_SIMCORE_REPORT_MAGIC);
	assert_int_equal(r.signo, signo);
	assert_int_equal(r.addr, addr);
	assert_true(r.pc >= MMAMP_SIM_CODE_TCM_DA && r.pc < MMAMP_SIM_DATA_TCM_DA);
	if (signo == SIGSEGV)
		assert_int_equal(r.code, SEGV_MAPERR);
	/* exactly one record */
	assert_int_equal(sc_read_all(c->p.report_rd, &r, sizeof(r), TIMEOUT_MS), 0);
}

static void assert_stderr_empty(struct core *c)
{
	char buf[256];
	size_t n = sc_read_all(c->p.stderr_rd, buf, sizeof(buf) - 1, TIMEOUT_MS);

	buf[n] = 0;
	assert_string_equal(buf, "");
}

/* ---- tests ---- */

static void test_boot_sleep_wake_reply_exit(void **state)
{
	struct core c;
	char args[512];
	int status;

	(void)state;
	core_init(&c, fw_hello_path);
	mu_rmw_cr(&c.mu, MU_SIDE_A, MU_CR_RIE(1), 0);
	spawn(&c, default_args(&c, args, sizeof(args), 1));

	sc_console_wait_count(&c.p, "hello from sim m4\n", 1, TIMEOUT_MS);
	wait_core_asleep_in_futex(&c);
	check_isolation(&c);
	assert_false(mu_doorbell_pending(&c.mu, MU_SIDE_A));

	assert_int_equal(mu_doorbell_send(&c.mu, MU_SIDE_A, 7, NULL), 0);
	assert_int_equal(host_wait_doorbell(&c), 0);

	status = sc_wait_exit(&c.p, TIMEOUT_MS);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(c.p.console, "hello from sim m4\ndoorbell notifyid 7\nbye\n");
	assert_no_report(&c);
	assert_stderr_empty(&c);
	core_fini(&c);
}

static void test_doorbell_before_boot_is_level(void **state)
{
	struct core c;
	char args[512];
	int status;

	(void)state;
	core_init(&c, fw_hello_path);
	mu_rmw_cr(&c.mu, MU_SIDE_A, MU_CR_RIE(1), 0);
	/* Rung before the core exists: RF1 waits on side B until the firmware enables RIE1. */
	assert_int_equal(mu_doorbell_send(&c.mu, MU_SIDE_A, 0xBEEF, NULL), 0);
	spawn(&c, default_args(&c, args, sizeof(args), 1));
	assert_int_equal(host_wait_doorbell(&c), 0);
	status = sc_wait_exit(&c.p, TIMEOUT_MS);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(c.p.console, "doorbell notifyid 48879\n"));
	assert_no_report(&c);
	core_fini(&c);
}

static void test_crash_is_reported(void **state)
{
	struct core c;
	char args[512];
	int status;

	(void)state;
	core_init(&c, fw_crash_path);
	mu_rmw_cr(&c.mu, MU_SIDE_A, MU_CR_RIE(1), 0);
	assert_int_equal(mu_doorbell_send(&c.mu, MU_SIDE_A, 1, NULL), 0);
	spawn(&c, default_args(&c, args, sizeof(args), 1));
	assert_int_equal(host_wait_doorbell(&c), 0);
	status = sc_wait_exit(&c.p, TIMEOUT_MS);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGSEGV);
	assert_report(&c, SIGSEGV, 0x40000000u);
	assert_null(strstr(c.p.console, "bye"));
	assert_stderr_empty(&c);
	core_fini(&c);
}

static void test_ungranted_mu_faults(void **state)
{
	struct core c;
	char args[512];
	int status;

	(void)state;
	core_init(&c, fw_hello_path);
	spawn(&c, default_args(&c, args, sizeof(args), 0)); /* no --map for the MU */
	status = sc_wait_exit(&c.p, TIMEOUT_MS);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGSEGV);
	assert_report(&c, SIGSEGV, MMAMP_SIM_MU_DA + MU_MAGIC_OFFSET); /* mu_is_reset()'s load */
	assert_string_equal(c.p.console, "hello from sim m4\n");
	core_fini(&c);
}

static void test_forbidden_syscall_is_reported(void **state)
{
	struct core c;
	char args[512];
	int status;

	(void)state;
	core_init(&c, fw_badsys_path);
	mu_rmw_cr(&c.mu, MU_SIDE_A, MU_CR_RIE(1), 0);
	assert_int_equal(mu_doorbell_send(&c.mu, MU_SIDE_A, 1, NULL), 0);
	spawn(&c, default_args(&c, args, sizeof(args), 1));
	assert_int_equal(host_wait_doorbell(&c), 0);
	status = sc_wait_exit(&c.p, TIMEOUT_MS);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGSYS);
	{
		struct mmamp_simcore_report r;

		assert_int_equal(sc_read_all(c.p.report_rd, &r, sizeof(r), TIMEOUT_MS), sizeof(r));
		assert_int_equal(r.magic, MMAMP_SIMCORE_REPORT_MAGIC);
		assert_int_equal(r.signo, SIGSYS);
		assert_int_equal(r.aux, SYS_getpid);
		assert_true(r.pc >= MMAMP_SIM_CODE_TCM_DA && r.pc < MMAMP_SIM_DATA_TCM_DA);
	}
	core_fini(&c);
}

/* Start the launcher with @argv, expect exit 2 before boot and a stderr line containing @msg. */
static void expect_setup_failure(struct core *c, char **argv, const char *msg)
{
	char err[1024];
	size_t n;
	int status;

	spawn(c, argv);
	status = sc_wait_exit(&c->p, TIMEOUT_MS);
	n = sc_read_all(c->p.stderr_rd, err, sizeof(err) - 1, TIMEOUT_MS);
	err[n] = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), MMAMP_SIMCORE_EXIT_SETUP);
	if (!strstr(err, msg))
		fail_msg("stderr \"%s\" does not say \"%s\"", err, msg);
	assert_non_null(strstr(err, "mmamp-simcore: "));
	assert_string_equal(c->p.console, "");
	assert_no_report(c);
}

static void test_region_already_in_use(void **state)
{
	struct core c;
	char args[512];
	char **argv;
	int n = 0;

	(void)state;
	core_init(&c, fw_hello_path);
	argv = default_args(&c, args, sizeof(args), 1);
	while (argv[n])
		n++;
	argv[n++] = "--map";
	argv[n++] = "12:0x1fff0000:0x1000:rw"; /* inside the code TCM, already mapped */
	argv[n] = NULL;
	expect_setup_failure(&c, argv, "cannot map fd 12 at 0x1fff0000+0x1000");
	core_fini(&c);
}

static void test_region_outside_m4_space(void **state)
{
	struct core c;
	char args[512];
	char **argv;
	int n = 0;

	(void)state;
	core_init(&c, fw_hello_path);
	argv = default_args(&c, args, sizeof(args), 1);
	while (argv[n])
		n++;
	argv[n++] = "--map";
	argv[n++] = "12:0xfffff000:0x2000:rw"; /* crosses 4 GiB */
	argv[n] = NULL;
	expect_setup_failure(&c, argv, "outside the M4's 32-bit address space");
	core_fini(&c);
}

static void test_region_file_too_small(void **state)
{
	struct core c;
	char args[512];
	char **argv;

	(void)state;
	core_init(&c, fw_hello_path);
	argv = default_args(&c, args, sizeof(args), 1);
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], "12:" MU_DA_TEXT ":0x1000:rw"))
			argv[i] = "12:" MU_DA_TEXT ":0x2000:rw";
	expect_setup_failure(&c, argv, "less than the 0x2000 to map at " MU_DA_TEXT_LOWER);
	core_fini(&c);
}

static void test_boot_outside_code(void **state)
{
	struct core c;
	char args[512];
	char **argv;

	(void)state;
	core_init(&c, fw_hello_path);
	argv = default_args(&c, args, sizeof(args), 1);
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], "--boot"))
			argv[i + 1] = "0x20000000";
	expect_setup_failure(&c, argv, "--boot 0x20000000 is not in an executable region");
	core_fini(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_sleep_wake_reply_exit),
		cmocka_unit_test(test_doorbell_before_boot_is_level),
		cmocka_unit_test(test_crash_is_reported),
		cmocka_unit_test(test_ungranted_mu_faults),
		cmocka_unit_test(test_forbidden_syscall_is_reported),
		cmocka_unit_test(test_region_already_in_use),
		cmocka_unit_test(test_region_outside_m4_space),
		cmocka_unit_test(test_region_file_too_small),
		cmocka_unit_test(test_boot_outside_code),
	};

	if (argc != 5) {
		fprintf(stderr, "usage: %s MMAMP-SIMCORE FW_HELLO FW_HELLO_CRASH FW_HELLO_BADSYS\n",
			argv[0]);
		return 2;
	}
	simcore_path = argv[1];
	fw_hello_path = argv[2];
	fw_crash_path = argv[3];
	fw_badsys_path = argv[4];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
