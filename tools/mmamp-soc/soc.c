/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soc.c — mmamp-soc, the simulated i.MX8X under a real Linux kernel (User-Mode Linux with
 * kernel/mmamp_rproc.c): the hardware other than the A35. It is the SCU (the platform
 * description's partitions, regions and owners: mmamp/host/scu.h), the MU (ports/sim/mu_model.h,
 * side A played on the kernel's behalf, side B mapped into the core) and the M4 itself
 * (mmamp-simcore running the firmware the kernel loaded). The kernel's memory is UML's memory
 * file, passed over the socket: its carveouts are mapped at their M4 device addresses and all
 * of its RAM at its physical addresses, so the M4 sees the kernel's buffers where the kernel's
 * descriptors say they are. The wire is include/mmamp/soc_wire.h; docs/linux-host.md.
 *
 * With --boot-loader the SoC also plays the boot loader that started the M4 before Linux: at
 * the kernel's QUERY it loads the ELF into the M4's memory and starts it, and the kernel
 * attaches to the running core.
 *
 * One kernel, one core, one connection: mmamp-soc listens, prints "mmamp-soc: listening on
 * PATH" once the socket exists, serves the kernel until it disconnects, then powers the core
 * off and exits 0. SIGTERM/SIGINT end it the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmamp/diag.h"
#include "mmamp/elf_loader.h"
#include "mmamp/host/platform.h"
#include "mmamp/host/scu.h"
#include "mmamp/soc_wire.h"
#include "mu_host.h"
#include "simcore_launch.h"

#define PAGE 0x1000ull
/* Below this the host refuses mappings (vm.mmap_min_addr); UML keeps its image there. */
#define LOW_LIMIT 0x10000ull

struct carveout {
	const struct mmamp_region *region;
	uint64_t offset; /* in UML's memory file */
};

struct soc {
	struct mmamp_platform platform;
	struct mmamp_scu scu;
	const struct mmamp_core *core;
	const char *simcore;
	const char *console_path;
	int partition; /* the kernel's SCU partition id, -1 until HELLO */

	int sock;
	pthread_mutex_t send_lock;
	int memfd;
	uint64_t mem_size;
	struct carveout carveouts[MMAMP_SIMCORE_MAX_MAPS];
	unsigned ncarveouts;
	int private_fd[MMAMP_SIMCORE_MAX_MAPS]; /* SoC memory the kernel did not provide */

	int mu_fd;
	struct mu mu;
	pthread_t doorbell_thread;
	volatile int quit;

	const char *boot_loader; /* --boot-loader ELF: started before the kernel asks (QUERY) */
	bool loader_ran;

	pid_t pid; /* the running core, 0 if off */
	int pidfd;
	int report_fd;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("mmamp-soc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the wire ---- */

static int send_msg_a(struct soc *s, uint32_t type, int32_t arg, uint64_t a, const char *text)
{
	struct mmamp_soc_msg m;
	const char *p = (const char *)&m;
	size_t off = 0;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.arg = arg;
	m.a = a;
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	pthread_mutex_lock(&s->send_lock);
	while (off < sizeof(m)) {
		ssize_t n = send(s->sock, p + off, sizeof(m) - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pthread_mutex_unlock(&s->send_lock);
			return -errno;
		}
		off += (size_t)n;
	}
	pthread_mutex_unlock(&s->send_lock);
	return 0;
}

static int send_msg(struct soc *s, uint32_t type, int32_t arg, const char *text)
{
	return send_msg_a(s, type, arg, 0, text);
}

static int reply(struct soc *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int reply(struct soc *s, int err, const char *fmt, ...)
{
	char text[MMAMP_SOC_TEXT_MAX] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		say("refused: %s", text);
	}
	return send_msg(s, MMAMP_SOC_REPLY, err, text);
}

/* Read one whole message; the HELLO's fd comes with its first bytes. 0 at EOF, 1 read. */
static int recv_msg(struct soc *s, struct mmamp_soc_msg *m, int *fd)
{
	char *p = (char *)m;
	size_t off = 0;

	while (off < sizeof(*m)) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { p + off, sizeof(*m) - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *c;
		ssize_t n = recvmsg(s->sock, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return off ? -EPROTO : 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				int got;

				memcpy(&got, CMSG_DATA(c), sizeof(got));
				if (fd && *fd < 0)
					*fd = got;
				else
					close(got);
			}
		off += (size_t)n;
	}
	m->text[MMAMP_SOC_TEXT_MAX - 1] = '\0';
	return 1;
}

/* ---- the MU, side A on the kernel's behalf ---- */

/* What the A35's MU interrupt handler would do: every doorbell of the M4 goes to the kernel. */
static void *doorbell_main(void *arg)
{
	struct soc *s = arg;

	while (!s->quit) {
		uint32_t seq = mu_irq_seq(&s->mu, MU_SIDE_A), id;

		if (mu_doorbell_recv(&s->mu, MU_SIDE_A, &id) == 0) {
			if (send_msg(s, MMAMP_SOC_DOORBELL, (int32_t)id, NULL))
				break;
			continue;
		}
		mu_host_wait_line(&s->mu, MU_SIDE_A, seq, 100000000u);
	}
	return NULL;
}

/*
 * The kernel rang vring @id. An unread doorbell (TE1 clear) already covers it: the M4 takes a
 * doorbell before it looks at the rings (backend_sim.c's sim_kick, for the same reason).
 */
static void kick(struct soc *s, int32_t id)
{
	if (id < 0 || id > (int32_t)MU_NOTIFYID_MAX) {
		say("kick for notifyid %d: out of range, ignored", id);
		return;
	}
	if (mu_get_sr(&s->mu, MU_SIDE_A) & MU_SR_TE(MU_DOORBELL_CHANNEL))
		mu_write_tr(&s->mu, MU_SIDE_A, MU_DOORBELL_CHANNEL, (uint32_t)id << MU_DOORBELL_SHIFT);
}

/* ---- memory ---- */

static const struct carveout *carveout_of(const struct soc *s, const struct mmamp_region *r)
{
	for (unsigned i = 0; i < s->ncarveouts; i++)
		if (s->carveouts[i].region == r)
			return &s->carveouts[i];
	return NULL;
}

static void hello(struct soc *s, const struct mmamp_soc_msg *m, int fd)
{
	const struct mmamp_partition *part = mmamp_platform_partition(&s->platform, m->text);
	struct stat st;

	if (fd < 0) {
		reply(s, -EINVAL, "HELLO without UML's memory file");
		return;
	}
	if (!part) {
		close(fd);
		reply(s, -ENOENT, "no partition \"%s\" in %s", m->text, s->platform.origin);
		return;
	}
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		reply(s, -EINVAL, "UML's memory file cannot be read");
		return;
	}
	if (m->a <= LOW_LIMIT || m->a > (uint64_t)st.st_size) {
		close(fd);
		reply(s, -EINVAL, "RAM size 0x%llx: not inside UML's memory file (0x%llx bytes)",
		      (unsigned long long)m->a, (unsigned long long)st.st_size);
		return;
	}
	s->memfd = fd;
	s->mem_size = m->a & ~(PAGE - 1);
	s->partition = (int)part->id;
	say("kernel in partition %s, %llu MiB of RAM", part->name,
	    (unsigned long long)(s->mem_size >> 20));
	reply(s, 0, NULL);
}

static void carveout(struct soc *s, const struct mmamp_soc_msg *m)
{
	const struct mmamp_region *r = mmamp_platform_region(&s->platform, m->text);

	if (s->memfd < 0) {
		reply(s, -EPROTO, "CARVEOUT before HELLO");
		return;
	}
	if (!r || !mmamp_core_sees(s->core, r)) {
		reply(s, -ENOENT, "core %s has no region \"%s\"", s->core->name, m->text);
		return;
	}
	if (r->da != m->a || r->size != m->c) {
		reply(s, -EINVAL, "%s is 0x%llx+0x%llx on this SoC, not 0x%llx+0x%llx", r->name,
		      (unsigned long long)r->da, (unsigned long long)r->size,
		      (unsigned long long)m->a, (unsigned long long)m->c);
		return;
	}
	if (m->b % PAGE || m->b > s->mem_size || s->mem_size - m->b < m->c) {
		reply(s, -EINVAL, "%s: offset 0x%llx is not page-aligned inside UML's RAM", r->name,
		      (unsigned long long)m->b);
		return;
	}
	if (carveout_of(s, r) || s->ncarveouts == MMAMP_SIMCORE_MAX_MAPS) {
		reply(s, -EEXIST, "%s was given already", r->name);
		return;
	}
	s->carveouts[s->ncarveouts++] = (struct carveout){ r, m->b };
	reply(s, 0, NULL);
}

struct core_map {
	struct soc *s;
	struct mmamp_simcore_map maps[MMAMP_SIMCORE_MAX_MAPS];
	unsigned n;
	uint64_t stack_top;
	uint64_t lowest_da;
	char why[160];
};

static int add_map(struct core_map *cm, int fd, uint64_t off, uint64_t da, uint64_t size,
		   unsigned perm)
{
	if (cm->n == MMAMP_SIMCORE_MAX_MAPS) {
		snprintf(cm->why, sizeof(cm->why), "more than %d regions", MMAMP_SIMCORE_MAX_MAPS);
		return -E2BIG;
	}
	cm->maps[cm->n++] = (struct mmamp_simcore_map){ fd, off, da, size, perm };
	if (da < cm->lowest_da)
		cm->lowest_da = da;
	return 0;
}

/* A region of the M4's partition: the kernel's carveout if it gave one, else SoC memory. */
static int collect_region(void *ctx, const struct mmamp_region *r, unsigned perm)
{
	struct core_map *cm = ctx;
	struct soc *s = cm->s;
	const struct carveout *c = carveout_of(s, r);

	if (!cm->stack_top && (perm & MMAMP_PERM_W) && !(perm & MMAMP_PERM_X) &&
	    r->owner == s->core->owner)
		cm->stack_top = r->da + r->size;
	if (c)
		return add_map(cm, s->memfd, c->offset, r->da, r->size, perm);
	if (s->private_fd[r->index] < 0) {
		int fd = memfd_create(r->name, MFD_CLOEXEC);

		if (fd < 0 || ftruncate(fd, (off_t)r->size)) {
			snprintf(cm->why, sizeof(cm->why), "no memory for %s: %s", r->name,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
		s->private_fd[r->index] = fd;
	}
	return add_map(cm, s->private_fd[r->index], 0, r->da, r->size, perm);
}

/* ---- the core ---- */

static void power_off(struct soc *s, int *status)
{
	*status = 0;
	if (!s->pid)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, status, 0);
	s->pid = 0;
	close(s->pidfd);
	s->pidfd = -1;
}

/* Power the core on at @boot for the kernel's partition: the SCU's rules, the M4's address
 * map, the MU reset, mmamp-simcore. 0, or a negative errno and the reason in @err. */
static int power_on(struct soc *s, uint64_t boot, char *err, size_t errlen)
{
	struct mmamp_scu_denial why;
	struct core_map cm = { .s = s, .lowest_da = UINT64_MAX };
	struct mmamp_simcore_launch l = { 0 };
	int ret, console;

	ret = mmamp_scu_cpu_start(&s->scu, s->partition, s->core, boot, &why);
	if (ret) {
		snprintf(err, errlen, "%s", why.msg);
		return ret;
	}
	ret = mmamp_scu_partition_regions(&s->scu, (int)s->core->owner->id, s->core,
					  collect_region, &cm);
	/* The A35's DDR as the M4 reaches it: all of UML's RAM at its physical addresses. */
	if (!ret && s->mem_size > cm.lowest_da) {
		ret = -ERANGE;
		snprintf(cm.why, sizeof(cm.why), "UML's RAM (0x%llx bytes) overlaps the M4's "
			 "region at 0x%llx: use a smaller mem=", (unsigned long long)s->mem_size,
			 (unsigned long long)cm.lowest_da);
	}
	if (!ret)
		ret = add_map(&cm, s->memfd, LOW_LIMIT, LOW_LIMIT, s->mem_size - LOW_LIMIT,
			      MMAMP_PERM_RW);
	if (!ret)
		ret = add_map(&cm, s->mu_fd, 0, s->core->mu->da, MMAMP_PLATFORM_PAGE, MMAMP_PERM_RW);
	if (!ret && !cm.stack_top) {
		ret = -EINVAL;
		snprintf(cm.why, sizeof(cm.why), "no writable private memory for a stack");
	}
	if (ret) {
		mmamp_scu_cpu_stop(&s->scu, s->partition, s->core, NULL);
		snprintf(err, errlen, "core %s: %s", s->core->name, cm.why);
		return ret;
	}

	mu_reset(&s->mu); /* powering the partition resets its MU */
	mu_rmw_cr(&s->mu, MU_SIDE_A, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);
	console = open(s->console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	l.simcore = s->simcore;
	l.maps = cm.maps;
	l.nmaps = cm.n;
	l.boot = boot;
	l.stack_top = cm.stack_top;
	l.console_fd = console;
	l.die_with_parent = true;
	ret = mmamp_simcore_spawn(&l, &s->pid, &s->report_fd, err, errlen);
	if (console >= 0)
		close(console);
	if (!ret) {
		s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
		if (s->pidfd < 0) {
			int status;

			ret = -errno;
			snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
			power_off(s, &status);
		}
	}
	if (ret) {
		mmamp_scu_cpu_stop(&s->scu, s->partition, s->core, NULL);
		return ret;
	}
	say("core %s on at %#llx (pid %d, %u regions)", s->core->name, (unsigned long long)boot,
	    (int)s->pid, cm.n);
	return 0;
}

static void start(struct soc *s, const struct mmamp_soc_msg *m)
{
	char err[256];
	int ret;

	if (s->partition < 0) {
		reply(s, -EPROTO, "START before HELLO");
		return;
	}
	ret = power_on(s, m->a, err, sizeof(err));
	if (ret)
		reply(s, ret, "%s", err);
	else
		reply(s, 0, NULL);
}

/* ---- the boot loader (--boot-loader): the M4 running before the kernel asks ---- */

struct loader {
	struct soc *s;
	void *maps[MMAMP_SIMCORE_MAX_MAPS]; /* by region index, each region mapped whole */
	char why[160];
};

/* A segment's range inside one region of the M4's partition, written where the M4 will see
 * it: the kernel's carveout for that region if it gave one, else the SoC's own memory. */
static int loader_map(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct loader *ld = ctx;
	struct soc *s = ld->s;

	for (unsigned i = 0; i < s->platform.nregions; i++) {
		const struct mmamp_region *r = &s->platform.regions[i];
		const struct carveout *c = carveout_of(s, r);
		int fd;
		uint64_t off = 0;

		if (!r->has_da || !mmamp_core_sees(s->core, r) || da < r->da || memsz > r->size ||
		    da - r->da > r->size - memsz)
			continue;
		if (!ld->maps[r->index]) {
			if (c) {
				fd = s->memfd;
				off = c->offset;
			} else {
				if (s->private_fd[r->index] < 0) {
					s->private_fd[r->index] = memfd_create(r->name, MFD_CLOEXEC);
					if (s->private_fd[r->index] < 0 ||
					    ftruncate(s->private_fd[r->index], (off_t)r->size))
						return -MMAMP_ENOMEM;
				}
				fd = s->private_fd[r->index];
			}
			ld->maps[r->index] = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
						  fd, (off_t)off);
			if (ld->maps[r->index] == MAP_FAILED) {
				ld->maps[r->index] = NULL;
				return -MMAMP_ENOMEM;
			}
		}
		*local = (uint8_t *)ld->maps[r->index] + (da - r->da);
		return 0;
	}
	snprintf(ld->why, sizeof(ld->why), "segment at 0x%llx+0x%llx is in no region of %s",
		 (unsigned long long)da, (unsigned long long)memsz, s->core->owner->name);
	return -MMAMP_EFAULT;
}

/*
 * On a board the boot loader ran long before Linux looks; here the kernel asks right away.
 * Answer once the firmware has installed its resource table (version 1 in the table's first
 * word) in the live table's region, polled with a deadline, so the kernel attaches to what a
 * core that ran for a while shows — not to the zeroes before the firmware's first store.
 */
static int wait_for_table(struct soc *s, struct loader *ld, char *err, size_t errlen)
{
	const struct mmamp_region *r = s->core->rsc_table;
	volatile const uint32_t *ver;
	void *p;

	if (!r)
		return 0;
	if (loader_map(ld, r->da, 4, &p)) {
		snprintf(err, errlen, "cannot map %s", r->name);
		return -ENOMEM;
	}
	ver = p;
	for (int i = 0; i < 5000 && *ver != 1; i++) {
		if (s->pidfd >= 0 && poll(&(struct pollfd){ s->pidfd, POLLIN, 0 }, 1, 1) > 0)
			break; /* the core ended: the kernel hears it as a crash */
	}
	if (*ver != 1) {
		int status;

		snprintf(err, errlen, "%s installed no resource table at 0x%llx within 5 s",
			 s->boot_loader, (unsigned long long)r->da);
		power_off(s, &status);
		mmamp_scu_cpu_stop(&s->scu, s->partition, s->core, NULL);
		return -ETIMEDOUT;
	}
	return 0;
}

/* What a boot loader (ROM/SCFW/U-Boot) does before Linux: the ELF's segments into the M4's
 * memory, the core started at its entry. The firmware installs its own resource table at
 * 0x900FF000 (docs/protocol.md §1.1, attach mode) for the kernel to attach to. */
static int run_boot_loader(struct soc *s, char *err, size_t errlen)
{
	struct loader ld = { .s = s };
	struct mmamp_elf_image img;
	struct mmamp_diag d;
	struct stat st;
	void *data = MAP_FAILED;
	int fd = open(s->boot_loader, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 ||
	    (data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		ret = errno ? -errno : -EINVAL;
		snprintf(err, errlen, "%s: %s", s->boot_loader, strerror(-ret));
		goto out;
	}
	ret = mmamp_elf_parse(&img, data, (size_t)st.st_size, &d);
	if (!ret)
		ret = mmamp_elf_load(&img, loader_map, &ld, &d);
	if (ret) {
		snprintf(err, errlen, "%s: %s", s->boot_loader,
			 ld.why[0] ? ld.why : "not an ELF image the M4 can run");
		goto out;
	}
	ret = power_on(s, img.entry, err, errlen);
	if (!ret)
		ret = wait_for_table(s, &ld, err, errlen);
	if (!ret)
		say("boot loader: %s started on core %s before the kernel", s->boot_loader,
		    s->core->name);
out:
	for (unsigned i = 0; i < MMAMP_SIMCORE_MAX_MAPS; i++)
		if (ld.maps[i])
			munmap(ld.maps[i], s->platform.regions[i].size);
	if (data != MAP_FAILED)
		munmap(data, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* QUERY: the kernel's driver asks, once its carveouts are in place, whether the core runs. */
static void query(struct soc *s)
{
	char err[256];
	int ret;

	if (s->partition < 0) {
		reply(s, -EPROTO, "QUERY before HELLO");
		return;
	}
	if (s->boot_loader && !s->loader_ran) {
		s->loader_ran = true;
		ret = run_boot_loader(s, err, sizeof(err));
		if (ret) {
			reply(s, ret, "boot loader: %s", err);
			return;
		}
	}
	send_msg_a(s, MMAMP_SOC_REPLY, 0, s->pid ? 1 : 0, NULL);
}

static void stop(struct soc *s)
{
	struct mmamp_scu_denial why;
	int ret = mmamp_scu_cpu_stop(&s->scu, s->partition, s->core, &why), status;

	if (ret) {
		reply(s, ret, "%s", why.msg);
		return;
	}
	power_off(s, &status);
	if (s->report_fd >= 0) {
		close(s->report_fd);
		s->report_fd = -1;
	}
	say("core %s off", s->core->name);
	reply(s, 0, NULL);
}

/* The core ended without being asked to: tell the kernel why (rproc_report_crash). */
static void core_ended(struct soc *s)
{
	char reason[MMAMP_SOC_TEXT_MAX];
	int status = 0;
	bool fault;

	waitpid(s->pid, &status, 0);
	s->pid = 0;
	close(s->pidfd);
	s->pidfd = -1;
	fault = mmamp_simcore_describe_end(status, s->report_fd, s->console_path, reason,
					   sizeof(reason));
	close(s->report_fd);
	s->report_fd = -1;
	say("core %s crashed: %s", s->core->name, reason);
	send_msg(s, MMAMP_SOC_CRASHED, fault ? MMAMP_SOC_CRASH_MMUFAULT : MMAMP_SOC_CRASH_FATAL,
		 reason);
}

static int handle(struct soc *s)
{
	struct mmamp_soc_msg m;
	int fd = -1, ret = recv_msg(s, &m, &fd);

	if (ret <= 0)
		return ret ? ret : -ECONNRESET;
	if (fd >= 0 && m.type != MMAMP_SOC_HELLO) {
		close(fd);
		fd = -1;
	}
	switch (m.type) {
	case MMAMP_SOC_HELLO:
		hello(s, &m, fd);
		break;
	case MMAMP_SOC_CARVEOUT:
		carveout(s, &m);
		break;
	case MMAMP_SOC_START:
		start(s, &m);
		break;
	case MMAMP_SOC_STOP:
		stop(s);
		break;
	case MMAMP_SOC_KICK:
		kick(s, m.arg);
		break;
	case MMAMP_SOC_QUERY:
		query(s);
		break;
	default:
		say("unknown message type %u from the kernel", m.type);
		return -EPROTO;
	}
	return 0;
}

static int serve(struct soc *s)
{
	int ret = 0;

	while (!got_signal) {
		struct pollfd p[2] = { { s->sock, POLLIN, 0 }, { s->pidfd, POLLIN, 0 } };

		if (poll(p, s->pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (s->pidfd >= 0 && (p[1].revents & POLLIN))
			core_ended(s);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ret = handle(s);
			if (ret == -ECONNRESET) {
				say("the kernel disconnected");
				return 0;
			}
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- setup ---- */

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		say("socket path %s: longer than %zu bytes", path, sizeof(a.sun_path) - 1);
		return -1;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		say("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int setup_mu(struct soc *s)
{
	void *page;

	s->mu_fd = memfd_create(s->core->mu->name, MFD_CLOEXEC);
	if (s->mu_fd < 0 || ftruncate(s->mu_fd, MMAMP_PLATFORM_PAGE))
		return -errno;
	page = mmap(NULL, MMAMP_PLATFORM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, s->mu_fd, 0);
	if (page == MAP_FAILED)
		return -errno;
	mu_attach(&s->mu, page, mu_host_wake);
	mu_reset(&s->mu);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: mmamp-soc --platform DTB --socket PATH --simcore PATH --console FILE\n"
	      "                 [--core NAME] [--boot-loader ELF] [--die-with-parent]\n"
	      "\n"
	      "The simulated i.MX8X (SCU, MU, the M4 running firmware) under a real Linux kernel\n"
	      "(User-Mode Linux with kernel/mmamp_rproc.ko, which connects to --socket).\n"
	      "  --platform DTB       the platform description (compiled .dts)\n"
	      "  --socket PATH        where to listen for the kernel\n"
	      "  --simcore PATH       the mmamp-simcore launcher\n"
	      "  --console FILE       the firmware's console output (appended)\n"
	      "  --core NAME          the remote core (default: the platform's first)\n"
	      "  --boot-loader ELF    play the boot loader: once the kernel's carveouts are in\n"
	      "                       place (its QUERY), load ELF and start the core, so the\n"
	      "                       kernel finds it running and attaches\n"
	      "  --die-with-parent    end when the process that started us ends\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' }, { "socket", required_argument, NULL, 's' },
		{ "simcore", required_argument, NULL, 'c' },  { "console", required_argument, NULL, 'o' },
		{ "core", required_argument, NULL, 'r' },     { "die-with-parent", no_argument, NULL, 'd' },
		{ "boot-loader", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	struct soc s = { .partition = -1, .sock = -1, .memfd = -1, .mu_fd = -1, .pidfd = -1,
			 .report_fd = -1 };
	const char *dtb = NULL, *path = NULL, *core = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[256];
	int opt, lfd, ret, status;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': dtb = optarg; break;
		case 's': path = optarg; break;
		case 'c': s.simcore = optarg; break;
		case 'o': s.console_path = optarg; break;
		case 'r': core = optarg; break;
		case 'b': s.boot_loader = optarg; break;
		case 'd':
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() == 1)
				return 1;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dtb || !path || !s.simcore || !s.console_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	for (unsigned i = 0; i < MMAMP_SIMCORE_MAX_MAPS; i++)
		s.private_fd[i] = -1;
	if (mmamp_platform_load(&s.platform, dtb, err, sizeof(err))) {
		say("%s", err);
		return 1;
	}
	s.core = core ? mmamp_platform_core(&s.platform, core) :
			(s.platform.ncores ? &s.platform.cores[0] : NULL);
	if (!s.core) {
		say("%s: no core %s", dtb, core ? core : "at all");
		return 1;
	}
	if (s.platform.nregions > MMAMP_SIMCORE_MAX_MAPS) {
		say("%s: more than %d regions", dtb, MMAMP_SIMCORE_MAX_MAPS);
		return 1;
	}
	if (mmamp_scu_init(&s.scu, &s.platform) || setup_mu(&s)) {
		say("cannot set up the SCU and the MU: %s", strerror(errno));
		return 1;
	}
	pthread_mutex_init(&s.send_lock, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = listen_on(path);
	if (lfd < 0)
		return 1;
	printf("mmamp-soc: listening on %s\n", path);
	fflush(stdout);
	do
		s.sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (s.sock < 0 && errno == EINTR && !got_signal);
	close(lfd);
	unlink(path);
	if (s.sock < 0) {
		say("no kernel connected%s", got_signal ? " (signalled)" : "");
		return got_signal ? 0 : 1;
	}
	if (pthread_create(&s.doorbell_thread, NULL, doorbell_main, &s)) {
		say("cannot start the MU thread");
		return 1;
	}
	ret = serve(&s);
	s.quit = 1;
	mu_raise_irq(&s.mu, MU_SIDE_A); /* wake the MU thread */
	shutdown(s.sock, SHUT_RDWR);
	pthread_join(s.doorbell_thread, NULL);
	power_off(&s, &status);
	mmamp_scu_fini(&s.scu);
	mmamp_platform_free(&s.platform);
	if (ret)
		say("stopped: %s", strerror(-ret));
	return ret ? 1 : 0;
}
