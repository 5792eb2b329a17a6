/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simcore.c — mmamp-simcore, the "silicon" of the simulated Cortex-M4: started by the host's
 * SCU model (cpu_start), it maps the M4 partition's regions at their device addresses, installs
 * a fault reporter, sheds every piece of host state it can, points the stack at the top of the
 * data TCM and jumps to the firmware's boot address. From then on the process is the firmware.
 * The contract (command line, exit status, fault record) is in mmamp/wire/simcore.h.
 *
 * Built without sanitizers on purpose: the process becomes the firmware's, and ASan/TSan shadow
 * memory would occupy the M4's address space (ASan's low shadow covers 0x7fff8000..0x8fff6fff,
 * i.e. DDR at 0x80000000).
 */
#include "mmamp/wire/simcore.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define PAGE 0x1000ull
#define ALTSTACK_SIZE (64u * 1024u)

struct region {
	int fd;
	uint64_t offset;
	uint64_t da;
	uint64_t size;
	int prot;
	const char *spec;
};

static struct region regions[MMAMP_SIMCORE_MAX_MAPS];
static unsigned nregions;

static void usage(FILE *f)
{
	fputs("usage: mmamp-simcore --map FD:DA:SIZE:PROT[:OFFSET] [--map ...] --boot ADDR\n"
	      "                     --stack-top ADDR\n"
	      "                     --report FD [--console FD] [--die-with-parent] [--no-seccomp]\n"
	      "\n"
	      "The simulated Cortex-M4: maps each inherited region fd at its M4 device address,\n"
	      "closes every other fd, and jumps to the firmware with the stack at --stack-top.\n"
	      "\n"
	      "  --map FD:DA:SIZE:PROT[:OFFSET]\n"
	      "                         map SIZE bytes of fd FD (from OFFSET, default 0) MAP_SHARED\n"
	      "                         and MAP_FIXED_NOREPLACE at DA; PROT is r, rw, rx or rwx.\n"
	      "                         DA and SIZE page-aligned, DA+SIZE <= 4 GiB; up to 16 maps\n"
	      "  --boot ADDR            entry point; must lie in an executable region\n"
	      "  --stack-top ADDR       initial stack pointer; 16-byte aligned, in or at the end of\n"
	      "                         a writable region (the top of the data TCM)\n"
	      "  --report FD            pipe for fault records (struct mmamp_simcore_report, 32 bytes);\n"
	      "                         the firmware sees it as fd 3\n"
	      "  --console FD           the firmware's console, seen as fd 1 (default: none)\n"
	      "  --die-with-parent      PR_SET_PDEATHSIG(SIGKILL)\n"
	      "  --no-seccomp           allow the firmware every system call\n"
	      "  --help                 this text\n"
	      "Numbers are decimal or 0x-hex.\n"
	      "\n"
	      "Exit status: the firmware's exit code; 2 if the core cannot be set up (a message on\n"
	      "stderr says why); 128+signo after a fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,\n"
	      "SIGSYS for a system call the firmware may not make), with a record on the report fd.\n",
	      f);
}

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("mmamp-simcore: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(MMAMP_SIMCORE_EXIT_SETUP);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int parse_fd(const char *s, int *fd)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > INT32_MAX)
		return -1;
	*fd = (int)v;
	return 0;
}

static void parse_map(const char *spec)
{
	char buf[128], *fields[5], *save = NULL, *tok;
	struct region *r;
	uint64_t fd;
	unsigned n = 0;

	if (nregions == MMAMP_SIMCORE_MAX_MAPS)
		die("--map %s: at most %d regions", spec, MMAMP_SIMCORE_MAX_MAPS);
	if (strlen(spec) >= sizeof(buf))
		die("--map %s: too long", spec);
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (n == 5)
			die("--map %s: expected FD:DA:SIZE:PROT[:OFFSET]", spec);
		fields[n++] = tok;
	}
	if (n < 4)
		die("--map %s: expected FD:DA:SIZE:PROT[:OFFSET]", spec);
	r = &regions[nregions];
	r->spec = spec;
	if (parse_u64(fields[0], &fd) || fd > INT32_MAX)
		die("--map %s: bad fd \"%s\"", spec, fields[0]);
	r->fd = (int)fd;
	if (parse_u64(fields[1], &r->da))
		die("--map %s: bad device address \"%s\"", spec, fields[1]);
	if (parse_u64(fields[2], &r->size))
		die("--map %s: bad size \"%s\"", spec, fields[2]);
	if (!strcmp(fields[3], "r"))
		r->prot = PROT_READ;
	else if (!strcmp(fields[3], "rw"))
		r->prot = PROT_READ | PROT_WRITE;
	else if (!strcmp(fields[3], "rx"))
		r->prot = PROT_READ | PROT_EXEC;
	else if (!strcmp(fields[3], "rwx"))
		r->prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	else
		die("--map %s: PROT must be r, rw, rx or rwx, not \"%s\"", spec, fields[3]);
	r->offset = 0;
	if (n == 5 && (parse_u64(fields[4], &r->offset) || r->offset % PAGE))
		die("--map %s: bad file offset \"%s\" (a page-aligned number)", spec, fields[4]);
	if (r->size == 0 || (r->da | r->size) % PAGE)
		die("--map %s: device address 0x%" PRIx64 " and size 0x%" PRIx64
		    " must be page-aligned and the size nonzero", spec, r->da, r->size);
	if (r->da >= MMAMP_SIMCORE_ADDR_LIMIT || r->size > MMAMP_SIMCORE_ADDR_LIMIT - r->da)
		die("--map %s: 0x%" PRIx64 "+0x%" PRIx64 " is outside the M4's 32-bit address space",
		    spec, r->da, r->size);
	nregions++;
}

static const struct region *region_of(uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < nregions; i++)
		if (addr >= regions[i].da && len <= regions[i].size &&
		    addr - regions[i].da <= regions[i].size - len)
			return &regions[i];
	return NULL;
}

static void map_regions(void)
{
	for (unsigned i = 0; i < nregions; i++) {
		struct region *r = &regions[i];
		struct stat st;
		void *p;

		if (fstat(r->fd, &st))
			die("--map %s: fd %d: %s", r->spec, r->fd, strerror(errno));
		if (!S_ISREG(st.st_mode))
			die("--map %s: fd %d is not a regular file (or memfd)", r->spec, r->fd);
		if ((uint64_t)st.st_size < r->offset || (uint64_t)st.st_size - r->offset < r->size)
			die("--map %s: fd %d holds 0x%" PRIx64 " bytes, less than the 0x%" PRIx64
			    " to map at 0x%" PRIx64 " (from offset 0x%" PRIx64 ")", r->spec, r->fd,
			    (uint64_t)st.st_size, r->size, r->da, r->offset);
		p = mmap((void *)(uintptr_t)r->da, r->size, r->prot, MAP_SHARED | MAP_FIXED_NOREPLACE,
			 r->fd, (off_t)r->offset);
		if (p == MAP_FAILED)
			die("cannot map fd %d at 0x%" PRIx64 "+0x%" PRIx64 " (%s): %s%s", r->fd, r->da,
			    r->size, r->spec, strerror(errno),
			    errno == EEXIST ? " (the address range is already in use)" : "");
		if ((uintptr_t)p != r->da) { /* kernels before 4.17 treat the flag as a hint */
			munmap(p, r->size);
			die("cannot map fd %d at 0x%" PRIx64 ": the kernel placed it elsewhere", r->fd,
			    r->da);
		}
	}
}

/*
 * Whether the regions cover [lo, hi) together: two regions mapped back to back from one file at
 * consecutive offsets show up as a single mapping in /proc/self/maps.
 */
static int covered(uint64_t lo, uint64_t hi)
{
	while (lo < hi) {
		const struct region *r = region_of(lo, 1);

		if (!r)
			return 0;
		lo = r->da + r->size;
	}
	return 1;
}

/*
 * Nothing but the regions may live in the M4's 32-bit address space: a stray firmware pointer
 * below 4 GiB must fault, not land in the launcher's heap or libraries.
 */
static void check_address_space(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	if (!f)
		die("cannot read /proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		if (lo >= MMAMP_SIMCORE_ADDR_LIMIT)
			continue;
		if (!covered(lo, hi)) {
			line[strcspn(line, "\n")] = 0;
			die("refusing to boot: a mapping the firmware could reach lies in the M4's "
			    "address space: %s", line);
		}
	}
	fclose(f);
}

/* ---- fault reporting (runs on the alternate stack, after the firmware broke) ---- */

static long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	struct mmamp_simcore_report rec;

	memset(&rec, 0, sizeof(rec));
	rec.magic = MMAMP_SIMCORE_REPORT_MAGIC;
	rec.signo = (uint32_t)sig;
	rec.code = si->si_code;
	if (sig == SIGSYS) {
		rec.aux = (uint32_t)si->si_syscall;
		rec.addr = (uint64_t)(uintptr_t)si->si_call_addr;
	} else {
		rec.addr = (uint64_t)(uintptr_t)si->si_addr;
	}
	rec.pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	raw_syscall3(SYS_write, MMAMP_SIMCORE_REPORT_FD, (long)(uintptr_t)&rec, sizeof(rec));
	for (;;)
		raw_syscall3(SYS_exit_group, 128 + sig, 0, 0);
}

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS };

static void install_fault_handler(void)
{
	stack_t ss = { .ss_size = ALTSTACK_SIZE };
	struct sigaction sa;

	ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
		die("cannot set up the fault stack: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (sigaction(fault_signals[i], &sa, NULL))
			die("sigaction: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN); /* a console nobody reads must not kill the core */
}

/* ---- shedding host state ---- */

static void setup_fds(int report_fd, int console_fd)
{
	int rep = fcntl(report_fd, F_DUPFD_CLOEXEC, 64);
	int con = console_fd >= 0 ? fcntl(console_fd, F_DUPFD_CLOEXEC, 64) : -1;

	if (rep < 0)
		die("--report %d: %s", report_fd, strerror(errno));
	if (console_fd >= 0 && con < 0)
		die("--console %d: %s", console_fd, strerror(errno));
	if (dup2(rep, MMAMP_SIMCORE_REPORT_FD) < 0 ||
	    (con >= 0 && dup2(con, MMAMP_SIMCORE_CONSOLE_FD) < 0))
		die("dup2: %s", strerror(errno));
	close(0);
	if (con < 0)
		close(MMAMP_SIMCORE_CONSOLE_FD);
	/* stderr (fd 2) stays until just before the jump, for the seccomp error message. */
	if (close_range(MMAMP_SIMCORE_REPORT_FD + 1, ~0u, 0))
		for (int fd = MMAMP_SIMCORE_REPORT_FD + 1; fd < 65536; fd++)
			close(fd);
}

static int install_seccomp(void)
{
#define LD_NR  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		LD_NR,
		/* write(fd, ...) only to the console and the report pipe (fd is an unsigned int) */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MMAMP_SIMCORE_CONSOLE_FD, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MMAMP_SIMCORE_REPORT_FD, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		ALLOW(__NR_close),
		ALLOW(__NR_futex),
		ALLOW(__NR_clock_gettime),
		ALLOW(__NR_clock_nanosleep),
		ALLOW(__NR_nanosleep),
		ALLOW(__NR_sched_yield),
		ALLOW(__NR_exit),
		ALLOW(__NR_exit_group),
		ALLOW(__NR_rt_sigreturn),
		ALLOW(__NR_restart_syscall), /* a core stopped and continued (SIGSTOP/SIGCONT) */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };
#undef ALLOW
#undef LD_NR

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Reset: no host value survives in a general-purpose or SSE register. */
static __attribute__((noreturn)) void boot(uint64_t sp, uint64_t pc)
{
	__asm__ volatile("mov %%rcx, %%rsp\n\t"
			 "xor %%ebx, %%ebx\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
			 "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%ebp, %%ebp\n\t"
			 "xor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\t"
			 "xor %%r11d, %%r11d\n\txor %%r12d, %%r12d\n\txor %%r13d, %%r13d\n\t"
			 "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d\n\t"
			 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
			 "pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
			 "pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
			 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\t"
			 "pxor %%xmm15, %%xmm15\n\t"
			 "jmp *%%rax\n\t"
			 :
			 : "a"(pc), "c"(sp)
			 : "memory");
	__builtin_unreachable();
}

int main(int argc, char **argv)
{
	enum { OPT_MAP = 256, OPT_BOOT, OPT_STACK, OPT_REPORT, OPT_CONSOLE, OPT_PDEATH,
	       OPT_NOSECCOMP, OPT_HELP };
	static const struct option opts[] = {
		{ "map", required_argument, NULL, OPT_MAP },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "stack-top", required_argument, NULL, OPT_STACK },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "console", required_argument, NULL, OPT_CONSOLE },
		{ "die-with-parent", no_argument, NULL, OPT_PDEATH },
		{ "no-seccomp", no_argument, NULL, OPT_NOSECCOMP },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t boot_addr = 0, stack_top = 0;
	int have_boot = 0, have_stack = 0, report_fd = -1, console_fd = -1;
	int die_with_parent = 0, seccomp = 1, c;
	const struct region *r;
	sigset_t none;
	pid_t ppid;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MAP:
			parse_map(optarg);
			break;
		case OPT_BOOT:
			if (parse_u64(optarg, &boot_addr))
				die("--boot %s: not a number", optarg);
			have_boot = 1;
			break;
		case OPT_STACK:
			if (parse_u64(optarg, &stack_top))
				die("--stack-top %s: not a number", optarg);
			have_stack = 1;
			break;
		case OPT_REPORT:
			if (parse_fd(optarg, &report_fd))
				die("--report %s: not a file descriptor", optarg);
			break;
		case OPT_CONSOLE:
			if (parse_fd(optarg, &console_fd))
				die("--console %s: not a file descriptor", optarg);
			break;
		case OPT_PDEATH:
			die_with_parent = 1;
			break;
		case OPT_NOSECCOMP:
			seccomp = 0;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return MMAMP_SIMCORE_EXIT_SETUP;
		}
	}
	if (optind != argc)
		die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (!nregions || !have_boot || !have_stack || report_fd < 0)
		die("--map, --boot, --stack-top and --report are required (see --help)");

	r = region_of(boot_addr, 1);
	if (!r || !(r->prot & PROT_EXEC))
		die("--boot 0x%" PRIx64 " is not in an executable region", boot_addr);
	if (stack_top % 16 || stack_top < 16 || !(r = region_of(stack_top - 16, 16)) ||
	    !(r->prot & PROT_WRITE))
		die("--stack-top 0x%" PRIx64 " is not 16-byte aligned in or at the end of a writable "
		    "region", stack_top);
	if (fcntl(report_fd, F_GETFD) < 0)
		die("--report %d: %s", report_fd, strerror(errno));

	ppid = getppid();
	if (die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != ppid))
		die("--die-with-parent: the parent is already gone");

	install_fault_handler();
	map_regions();
	check_address_space();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setup_fds(report_fd, console_fd);
	if (seccomp && install_seccomp())
		die("cannot install the seccomp filter: %s", strerror(errno));
	close(2); /* the last host state; allowed by the filter */
	boot(stack_top, boot_addr);
}
