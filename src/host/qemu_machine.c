/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qemu_machine.c — one QEMU mps2-an386 process as a remote Cortex-M4 (see qemu_machine.h):
 * launching it, QMP, the boot mailbox, UART1 doorbells, fault records and QEMU's exit.
 */
#include "qemu_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/wire/qemu_mailbox.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define QMP_LINE_MAX 4096u
#define DB_BUF 64u

struct qemu_machine {
	pid_t pid;
	int pidfd;
	int db_fd;        /* UART1 ↔ this connected socket */
	int qmp_fd;       /* QMP */
	int epoll_fd;     /* db_fd + pidfd */
	int ram_fd;
	struct qmb *mb;   /* the mailbox page of the RAM file (shared words: __atomic) */
	unsigned int timeout_ms;
	bool started;     /* QEMU left prelaunch (first cont) */
	bool frozen;      /* QMP stop in effect */
	bool faulted;     /* fault byte seen since the last go/halt */
	bool reaped;
	bool adopted;     /* launched by an earlier host: not our child, no exit status */
	uint64_t kicks_coalesced; /* kicks dropped because earlier ones were still queued */
	int wait_status;
	uint8_t db_buf[DB_BUF];
	unsigned db_head, db_len;
	char qmp_buf[QMP_LINE_MAX];
	size_t qmp_len;
	char err[256];
};

/* ---- small helpers ---- */

__attribute__((format(printf, 2, 3))) static void fail(struct qemu_machine *m, const char *fmt,
							 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int ms_left(uint64_t deadline)
{
	uint64_t n = now_ms();

	if (n >= deadline)
		return 0;
	return deadline - n > INT_MAX ? INT_MAX : (int)(deadline - n);
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "qemu ended (started by an earlier host: no exit status)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "qemu exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "qemu killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "qemu ended (wait status 0x%x)", (unsigned)status);
}

bool qemu_machine_exited(struct qemu_machine *m, int *status)
{
	int st;

	if (!m->reaped && m->adopted) {
		struct pollfd pf = { m->pidfd, POLLIN, 0 };

		if (poll(&pf, 1, 0) == 1) {
			m->reaped = true;
			m->wait_status = -1; /* unknown: describe_exit says so */
		}
	} else if (!m->reaped) {
		pid_t p = waitpid(m->pid, &st, WNOHANG);

		if (p == m->pid) {
			m->reaped = true;
			m->wait_status = st;
		} else if (p < 0 && errno == ECHILD) {
			m->reaped = true; /* someone else reaped it */
			m->wait_status = 0;
		}
	}
	if (m->reaped && status)
		*status = m->wait_status;
	return m->reaped;
}

/* -EPIPE with the exit described, if QEMU has ended; 0 otherwise. */
static int check_alive(struct qemu_machine *m)
{
	char how[128];

	if (!qemu_machine_exited(m, NULL))
		return 0;
	describe_exit(m->wait_status, how, sizeof(how));
	fail(m, "%s", how);
	return -EPIPE;
}

/* The last non-empty line of @path (QEMU's stderr), for launch errors. */
static void last_line(const char *path, char *buf, size_t len)
{
	char data[2048];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *start, *end;

	buf[0] = 0;
	if (fd < 0)
		return;
	n = read(fd, data, sizeof(data) - 1);
	close(fd);
	if (n <= 0)
		return;
	data[n] = 0;
	end = data + n;
	while (end > data && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = 0;
	start = strrchr(data, '\n');
	start = start ? start + 1 : data;
	n = end - start;
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(buf, start, (size_t)n);
	buf[n] = 0;
}

static int listen_unix(const char *path, int *fd_out, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long (max %zu): %s", sizeof(sa.sun_path) - 1,
			 path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

/* A listener is done with: close it and remove its path (-1: none). */
static void listener_close(int fd, const char *path)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

/* ---- QMP ---- */

/* Read one QMP line (a JSON object) into @line, waiting until @deadline. */
static int qmp_read_line(struct qemu_machine *m, char *line, size_t len, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(m->qmp_buf, '\n', m->qmp_len);
		struct pollfd pf[2] = { { m->qmp_fd, POLLIN, 0 }, { m->pidfd, POLLIN, 0 } };
		ssize_t n;
		int r;

		if (nl) {
			size_t l = (size_t)(nl - m->qmp_buf);

			snprintf(line, len, "%.*s", (int)l, m->qmp_buf);
			memmove(m->qmp_buf, nl + 1, m->qmp_len - l - 1);
			m->qmp_len -= l + 1;
			return 0;
		}
		if (m->qmp_len == sizeof(m->qmp_buf)) {
			fail(m, "qmp: line longer than %u bytes", QMP_LINE_MAX);
			return -EPROTO;
		}
		r = poll(pf, 2, ms_left(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			fail(m, "qmp: no answer from qemu within %u ms", m->timeout_ms);
			return -ETIMEDOUT;
		}
		n = read(m->qmp_fd, m->qmp_buf + m->qmp_len, sizeof(m->qmp_buf) - m->qmp_len);
		if (n > 0) {
			m->qmp_len += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (check_alive(m))
			return -EPIPE;
		fail(m, "qmp: connection closed by qemu");
		return -EPIPE;
	}
}

/* Run QMP command @cmd (a bare name); events in between are skipped. */
static int qmp_command(struct qemu_machine *m, const char *cmd)
{
	uint64_t deadline = now_ms() + m->timeout_ms;
	char req[128], line[QMP_LINE_MAX];
	int len = snprintf(req, sizeof(req), "{\"execute\":\"%s\"}\n", cmd);
	int ret;

	if (send(m->qmp_fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
		ret = check_alive(m);
		if (!ret)
			fail(m, "qmp %s: %s", cmd, strerror(errno));
		return -EPIPE;
	}
	for (;;) {
		ret = qmp_read_line(m, line, sizeof(line), deadline);
		if (ret)
			return ret;
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\"")) {
			const char *d = strstr(line, "\"desc\"");

			fail(m, "qmp %s: %s", cmd, d ? d : line);
			return -EIO;
		}
	}
}

/* ---- doorbells ---- */

/* Refill the byte buffer from the socket without blocking: >0 bytes, -EAGAIN, -EPIPE. */
static int db_fill(struct qemu_machine *m)
{
	ssize_t n;

	if (m->db_len)
		return (int)m->db_len;
	m->db_head = 0;
	do
		n = read(m->db_fd, m->db_buf, sizeof(m->db_buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		m->db_len = (unsigned)n;
		return (int)n;
	}
	if (n < 0 && errno == EAGAIN) {
		int ret = check_alive(m);

		return ret ? ret : -EAGAIN;
	}
	/* EOF: QEMU is on its way out (its fds close before it becomes a zombie). */
	{
		struct pollfd pf = { m->pidfd, POLLIN, 0 };

		while (poll(&pf, 1, (int)m->timeout_ms) < 0 && errno == EINTR)
			;
	}
	if (!check_alive(m))
		fail(m, "doorbell socket closed by qemu");
	return -EPIPE;
}

int qemu_machine_take_doorbell(struct qemu_machine *m, uint32_t *notifyid)
{
	for (;;) {
		uint8_t b;
		int ret;

		if (m->faulted) {
			fail(m, "the firmware faulted");
			return -EFAULT;
		}
		ret = db_fill(m);
		if (ret < 0)
			return ret;
		b = m->db_buf[m->db_head++];
		m->db_len--;
		if (b == QMB_DB_FAULT) {
			m->faulted = true;
			continue;
		}
		if (b == QMB_DB_ROM_WAITING)
			continue; /* the ROM's hello; halt() looks at the mailbox itself */
		*notifyid = b;
		return 0;
	}
}

int qemu_machine_wait_doorbell(struct qemu_machine *m, uint64_t timeout_ns, uint32_t *notifyid)
{
	uint64_t deadline = now_ns() + timeout_ns;

	for (;;) {
		struct pollfd pf[2] = { { m->db_fd, POLLIN, 0 }, { m->pidfd, POLLIN, 0 } };
		uint64_t n;
		int ret = qemu_machine_take_doorbell(m, notifyid), r;

		if (ret != -EAGAIN)
			return ret;
		n = now_ns();
		if (n >= deadline) {
			fail(m, "no doorbell within %llu ns", (unsigned long long)timeout_ns);
			return -ETIMEDOUT;
		}
		r = poll(pf, 2, (int)((deadline - n + 999999u) / 1000000u));
		if (r < 0 && errno != EINTR) {
			ret = -errno;
			fail(m, "poll: %s", strerror(errno));
			return ret;
		}
	}
}

int qemu_machine_kick(struct qemu_machine *m, uint32_t notifyid)
{
	uint8_t b = (uint8_t)notifyid;
	ssize_t n;

	if (notifyid > QMB_DB_MAX_NOTIFYID) {
		fail(m, "kick: notifyid %u above %u", notifyid, QMB_DB_MAX_NOTIFYID);
		return -EINVAL;
	}
	do
		n = send(m->db_fd, &b, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return 0;
	if (n < 0 && errno == EAGAIN) {
		/*
		 * Hundreds of doorbells are queued unread (each 1-byte send costs a whole socket
		 * buffer's worth of accounting). Dropping this one loses nothing: every queued
		 * byte makes the core look at both vrings after what we published before it.
		 */
		m->kicks_coalesced++;
		return 0;
	}
	if (!check_alive(m))
		fail(m, "kick: %s", n < 0 ? strerror(errno) : "short write");
	return -EPIPE;
}

int qemu_machine_event_fd(const struct qemu_machine *m)
{
	return m->epoll_fd;
}

bool qemu_machine_faulted(const struct qemu_machine *m)
{
	return m->faulted;
}

/* ---- lifecycle ---- */

int qemu_machine_go(struct qemu_machine *m, uint32_t vtor, uint32_t fw_base, uint32_t fw_size)
{
	uint32_t state = __atomic_load_n(&m->mb->state, __ATOMIC_ACQUIRE);
	int ret = check_alive(m);

	if (ret)
		return ret;
	if (fw_base < QEMU_MACHINE_RAM_BASE + QMB_SIZE || fw_size == 0 || (fw_base | fw_size) & 3u ||
	    fw_size > QEMU_MACHINE_RAM_BASE + QEMU_MACHINE_RAM_SIZE - fw_base) {
		fail(m, "go: firmware region 0x%08x+0x%x is not word-aligned inside main RAM "
		     "after the mailbox", fw_base, fw_size);
		return -EINVAL;
	}
	if ((vtor & 0xFFu) || vtor < fw_base || vtor - fw_base >= fw_size) {
		fail(m, "go: vector table 0x%08x is not 256-byte aligned inside 0x%08x+0x%x", vtor,
		     fw_base, fw_size);
		return -EINVAL;
	}
	if (m->started && state != QMB_STATE_WAITING && state != QMB_STATE_REFUSED) {
		fail(m, "go: the core is not in the boot ROM (mailbox state %u): halt it first",
		     state);
		return -EBUSY;
	}
	m->mb->vtor = vtor;
	m->mb->fw_base = fw_base;
	m->mb->fw_size = fw_size;
	m->mb->fault.magic = 0;
	m->faulted = false;
	__atomic_store_n(&m->mb->go, QMB_GO_MAGIC, __ATOMIC_RELEASE);
	if (!m->started || m->frozen) {
		ret = qmp_command(m, "cont");
		if (ret)
			return ret;
		m->started = true;
		m->frozen = false;
	}
	return 0;
}

int qemu_machine_halt(struct qemu_machine *m)
{
	uint64_t deadline = now_ms() + m->timeout_ms;
	uint32_t before = __atomic_load_n(&m->mb->boot_count, __ATOMIC_ACQUIRE);
	int ret = check_alive(m);

	if (ret)
		return ret;
	__atomic_store_n(&m->mb->go, 0u, __ATOMIC_RELEASE);
	if (!m->started) /* never ran: the ROM will wait as soon as it runs */
		return 0;
	ret = qmp_command(m, "system_reset");
	if (!ret && m->frozen) {
		ret = qmp_command(m, "cont");
		m->frozen = ret != 0;
	}
	if (ret)
		return ret;
	/* The ROM counts the boot and marks WAITING before it sends 0xFD: wait for the byte,
	 * dropping whatever the old firmware still had queued, then look at the mailbox. */
	for (;;) {
		struct pollfd pf[2] = { { m->db_fd, POLLIN, 0 }, { m->pidfd, POLLIN, 0 } };

		m->db_len = 0;
		if (__atomic_load_n(&m->mb->boot_count, __ATOMIC_ACQUIRE) != before &&
		    __atomic_load_n(&m->mb->state, __ATOMIC_ACQUIRE) == QMB_STATE_WAITING) {
			m->faulted = false;
			return 0;
		}
		ret = db_fill(m);
		if (ret == -EPIPE)
			return ret;
		if (ret > 0)
			continue;
		if (!ms_left(deadline)) {
			fail(m, "halt: the boot ROM did not report waiting within %u ms "
			     "(mailbox state %u)", m->timeout_ms, qemu_machine_boot_state(m));
			return -ETIMEDOUT;
		}
		if (poll(pf, 2, ms_left(deadline)) < 0 && errno != EINTR) {
			ret = -errno;
			fail(m, "poll: %s", strerror(errno));
			return ret;
		}
	}
}

int qemu_machine_freeze(struct qemu_machine *m, bool frozen)
{
	int ret = check_alive(m);

	if (ret)
		return ret;
	if (!m->started || frozen == m->frozen)
		return 0;
	ret = qmp_command(m, frozen ? "stop" : "cont");
	if (!ret)
		m->frozen = frozen;
	return ret;
}

/* ---- faults ---- */

static const char *exception_name(uint32_t ipsr, char *buf, size_t len)
{
	static const char *const names[] = { "thread", "reset", "nmi", "hardfault", "memmanage",
					     "busfault", "usagefault" };

	if (ipsr < sizeof(names) / sizeof(names[0]))
		return names[ipsr];
	if (ipsr >= 16)
		snprintf(buf, len, "unexpected irq %u", ipsr - 16);
	else
		snprintf(buf, len, "unexpected exception %u", ipsr);
	return buf;
}

/* What CFSR/HFSR say, most specific first. */
static void describe_cfsr(const struct qmb_fault *f, char *buf, size_t len)
{
	uint32_t c = f->cfsr;

	if ((c & (1u << 9)) && (c & (1u << 15)))
		snprintf(buf, len, "precise bus fault at 0x%08x", f->bfar);
	else if (c & (1u << 9))
		snprintf(buf, len, "precise bus fault");
	else if (c & (1u << 10))
		snprintf(buf, len, "imprecise bus fault");
	else if (c & (1u << 8))
		snprintf(buf, len, "instruction fetch bus fault");
	else if (c & (1u << 12))
		snprintf(buf, len, "bus fault stacking the exception frame");
	else if (c & (1u << 11))
		snprintf(buf, len, "bus fault unstacking the exception frame");
	else if ((c & (1u << 1)) && (c & (1u << 7)))
		snprintf(buf, len, "memory-management fault: data access at 0x%08x", f->mmfar);
	else if (c & 0x3Bu)
		snprintf(buf, len, "memory-management fault");
	else if (c & (1u << 16))
		snprintf(buf, len, "undefined instruction");
	else if (c & (1u << 17))
		snprintf(buf, len, "invalid state (branch to an address without the Thumb bit)");
	else if (c & (1u << 18))
		snprintf(buf, len, "invalid exception return");
	else if (c & (1u << 19))
		snprintf(buf, len, "coprocessor access with the FPU disabled");
	else if (c & (1u << 24))
		snprintf(buf, len, "unaligned access");
	else if (c & (1u << 25))
		snprintf(buf, len, "divide by zero");
	else if (f->hfsr & (1u << 1))
		snprintf(buf, len, "bus fault reading the vector table");
	else
		snprintf(buf, len, "no fault status");
}

int qemu_machine_fault_reason(struct qemu_machine *m, char *buf, size_t len)
{
	struct qmb_fault f;
	char what[96], name[40];

	memcpy(&f, &m->mb->fault, sizeof(f));
	if ((m->faulted || qemu_machine_boot_state(m) == QMB_STATE_FAULTED) &&
	    __atomic_load_n(&m->mb->fault.magic, __ATOMIC_ACQUIRE) == QMB_FAULT_MAGIC &&
	    f.magic == QMB_FAULT_MAGIC) {
		describe_cfsr(&f, what, sizeof(what));
		snprintf(buf, len, "%s: pc 0x%08x CFSR 0x%08x (%s)",
			 exception_name(f.ipsr, name, sizeof(name)), f.pc, f.cfsr, what);
		return 0;
	}
	if (m->faulted) {
		snprintf(buf, len, "fatal error: the firmware reported a fault without a record");
		return 0;
	}
	if (qemu_machine_exited(m, NULL)) {
		describe_exit(m->wait_status, buf, len);
		return 0;
	}
	if (len)
		buf[0] = 0;
	return -ENOENT;
}

/* ---- launch / destroy ---- */

static int open_ram(const char *path, uint64_t size, int *fd_out, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), e;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || (st.st_size == 0 && ftruncate(fd, (off_t)size))) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	if (st.st_size != 0 && (uint64_t)st.st_size != size) {
		snprintf(err, errlen, "%s: %lld bytes, main RAM needs exactly %llu", path,
			 (long long)st.st_size, (unsigned long long)size);
		close(fd);
		return -EINVAL;
	}
	*fd_out = fd;
	return 0;
}

/* Accept QEMU's connections on both listeners (db, qmp), watching QEMU's exit. */
static int accept_both(struct qemu_machine *m, int ldb, int lqmp, uint64_t deadline)
{
	while (m->db_fd < 0 || m->qmp_fd < 0) {
		struct pollfd pf[3] = { { ldb, m->db_fd < 0 ? POLLIN : 0, 0 },
					{ lqmp, m->qmp_fd < 0 ? POLLIN : 0, 0 },
					{ m->pidfd, POLLIN, 0 } };
		int r = poll(pf, 3, ms_left(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (pf[2].revents)
			return -EPIPE;
		if (r == 0)
			return -ETIMEDOUT;
		if (pf[0].revents & POLLIN)
			m->db_fd = accept4(ldb, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (pf[1].revents & POLLIN)
			m->qmp_fd = accept4(lqmp, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	}
	return 0;
}

/* With both sockets connected: QMP's greeting and capabilities, then the event epoll. */
static int session_start(struct qemu_machine *m, uint64_t deadline, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char line[QMP_LINE_MAX];
	int ret;

	ret = qmp_read_line(m, line, sizeof(line), deadline); /* the greeting */
	if (!ret && !strstr(line, "\"QMP\"")) {
		fail(m, "qmp: unexpected greeting %.80s", line);
		ret = -EPROTO;
	}
	if (!ret)
		ret = qmp_command(m, "qmp_capabilities");
	if (ret) {
		snprintf(err, errlen, "%s", m->err);
		return ret;
	}
	m->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epoll_fd < 0 || epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, m->db_fd, &ev) ||
	    epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, m->pidfd, &ev)) {
		ret = -errno;
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * Fork and exec QEMU. The child (async-signal-safe calls only) gets /dev/null and the stderr
 * log as 0-2 and no other fd of ours; with @cfg->before_run it first waits on a gate pipe
 * until the parent's before_run(pid) succeeded (the LCM records the process there), and a
 * parent that dies first closes the gate unopened: the child exits, QEMU never starts.
 */
static pid_t spawn(char *const argv[], const char *stderr_path,
		   const struct qemu_machine_config *cfg, char *err, size_t errlen)
{
	pid_t parent = getpid(), pid;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int errfd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int gate[2] = { -1, -1 }, ret;

	if (devnull < 0 || errfd < 0) {
		snprintf(err, errlen, "%s: %s", errfd < 0 ? stderr_path : "/dev/null",
			 strerror(errno));
		pid = -errno;
		goto out;
	}
	if (cfg->before_run && pipe2(gate, O_CLOEXEC)) {
		snprintf(err, errlen, "qemu: gate pipe: %s", strerror(errno));
		pid = -errno;
		goto out;
	}
	if (gate[0] >= 0 && gate[0] < 3) { /* the dup2s below would overwrite it */
		ret = fcntl(gate[0], F_DUPFD_CLOEXEC, 3);
		close(gate[0]);
		gate[0] = ret;
		if (ret < 0) {
			snprintf(err, errlen, "qemu: gate pipe: %s", strerror(errno));
			pid = -errno;
			goto out;
		}
	}
	pid = fork();
	if (pid == 0) {
		/* Child: async-signal-safe calls only. */
		char go;

		if (!cfg->outlive_host && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
			_exit(127);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(errfd, 2);
		if (gate[0] >= 0) {
			if ((gate[0] != 3 && dup2(gate[0], 3) < 0) || close_range(4, ~0u, 0))
				_exit(126);
			while ((ret = (int)read(3, &go, 1)) < 0 && errno == EINTR)
				;
			if (ret != 1)
				_exit(126); /* the host died before it recorded us */
		}
		close_range(3, ~0u, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		pid = -errno;
		goto out;
	}
	if (gate[0] >= 0) {
		close(gate[0]);
		gate[0] = -1;
		ret = cfg->before_run(cfg->before_run_ctx, pid, err, errlen);
		if (!ret && write(gate[1], "g", 1) != 1)
			ret = -EIO;
		if (ret) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = ret;
		}
	}
out:
	if (gate[0] >= 0)
		close(gate[0]);
	if (gate[1] >= 0)
		close(gate[1]);
	if (devnull >= 0)
		close(devnull);
	if (errfd >= 0)
		close(errfd);
	return pid;
}

/*
 * A machine for @cfg with its RAM file open and the mailbox mapped, and the two socket paths
 * in @db_path and @qmp_path (256 bytes each). Checks what launch and adopt share.
 */
static int machine_new(const struct qemu_machine_config *cfg, struct qemu_machine **out,
		       char *db_path, char *qmp_path, char *err, size_t errlen)
{
	uint64_t size = cfg->ram_size ? cfg->ram_size : QEMU_MACHINE_RAM_SIZE;
	struct qemu_machine *m;
	void *page;
	int ret;

	if (size != QEMU_MACHINE_RAM_SIZE) {
		snprintf(err, errlen, "qemu: ram_size 0x%llx: mps2-an386 main RAM is 16 MiB",
			 (unsigned long long)size);
		return -EINVAL;
	}
	if (strchr(cfg->ram_file, ',') || (cfg->console_log && strchr(cfg->console_log, ',')) ||
	    strchr(cfg->socket_dir, ',')) {
		snprintf(err, errlen, "qemu: paths must not contain ',' (QEMU option syntax)");
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "qemu: out of memory");
		return -ENOMEM;
	}
	m->pid = -1;
	m->pidfd = m->db_fd = m->qmp_fd = m->epoll_fd = m->ram_fd = -1;
	m->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	ret = open_ram(cfg->ram_file, size, &m->ram_fd, err, errlen);
	if (ret)
		goto fail;
	page = mmap(NULL, QMB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, m->ram_fd, 0);
	if (page == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "%s: mmap: %s", cfg->ram_file, strerror(errno));
		goto fail;
	}
	m->mb = page;
	snprintf(db_path, 256, "%s/qemu-db.sock", cfg->socket_dir);
	snprintf(qmp_path, 256, "%s/qemu-qmp.sock", cfg->socket_dir);
	*out = m;
	return 0;
fail:
	qemu_machine_destroy(m);
	return ret;
}

int qemu_machine_launch(const struct qemu_machine_config *cfg, struct qemu_machine **out,
			char *err, size_t errlen)
{
	char db_path[256], qmp_path[256], log_path[256], memobj[512], con[512], dbdev[300],
		qmpdev[300];
	const char *argv[40];
	struct qemu_machine *m;
	uint64_t size = cfg && cfg->ram_size ? cfg->ram_size : QEMU_MACHINE_RAM_SIZE, deadline;
	int ldb = -1, lqmp = -1, ret, n = 0;

	*out = NULL;
	if (!cfg || !cfg->bootrom || !cfg->ram_file || !cfg->socket_dir) {
		snprintf(err, errlen, "qemu: bootrom, ram_file and socket_dir are required");
		return -EINVAL;
	}
	if (access(cfg->bootrom, R_OK)) {
		ret = -errno;
		snprintf(err, errlen, "qemu: boot ROM %s: %s", cfg->bootrom, strerror(errno));
		return ret;
	}
	ret = machine_new(cfg, &m, db_path, qmp_path, err, errlen);
	if (ret)
		return ret;
	snprintf(log_path, sizeof(log_path), "%s/qemu-stderr.log", cfg->socket_dir);
	ret = listen_unix(db_path, &ldb, err, errlen);
	if (!ret)
		ret = listen_unix(qmp_path, &lqmp, err, errlen);
	if (ret)
		goto fail;

	snprintf(memobj, sizeof(memobj), "memory-backend-file,id=ram,size=%llu,mem-path=%s,share=on",
		 (unsigned long long)size, cfg->ram_file);
	if (cfg->console_log)
		snprintf(con, sizeof(con), "file,id=con,path=%s", cfg->console_log);
	else
		snprintf(con, sizeof(con), "null,id=con");
	snprintf(dbdev, sizeof(dbdev), "socket,id=db,path=%s,server=off%s", db_path,
		 cfg->outlive_host ? ",reconnect=1" : "");
	snprintf(qmpdev, sizeof(qmpdev), "socket,id=qmp,path=%s,server=off%s", qmp_path,
		 cfg->outlive_host ? ",reconnect=1" : "");
	argv[n++] = cfg->qemu ? cfg->qemu : "qemu-system-arm";
	argv[n++] = "-M";
	argv[n++] = "mps2-an386,memory-backend=ram";
	argv[n++] = "-object";
	argv[n++] = memobj;
	argv[n++] = "-kernel";
	argv[n++] = cfg->bootrom;
	argv[n++] = "-S";
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-chardev";
	argv[n++] = con;
	argv[n++] = "-serial";
	argv[n++] = "chardev:con";
	argv[n++] = "-chardev";
	argv[n++] = dbdev;
	argv[n++] = "-serial";
	argv[n++] = "chardev:db";
	argv[n++] = "-chardev";
	argv[n++] = qmpdev;
	argv[n++] = "-mon";
	argv[n++] = "chardev=qmp,mode=control";
	if (cfg->icount) {
		argv[n++] = "-icount";
		argv[n++] = "shift=0,sleep=off";
	}
	argv[n] = NULL;

	m->pid = spawn((char *const *)(uintptr_t)argv, log_path, cfg, err, errlen);
	if (m->pid < 0) {
		ret = m->pid;
		m->pid = -1;
		goto fail;
	}
	m->pidfd = (int)syscall(SYS_pidfd_open, m->pid, 0);
	if (m->pidfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		goto fail;
	}
	deadline = now_ms() + m->timeout_ms;
	ret = accept_both(m, ldb, lqmp, deadline);
	if (ret) {
		char why[200];

		if (ret == -EPIPE) {
			waitpid(m->pid, &m->wait_status, 0);
			m->reaped = true;
			last_line(log_path, why, sizeof(why));
			if (WIFEXITED(m->wait_status) && WEXITSTATUS(m->wait_status) == 127 && !why[0])
				snprintf(why, sizeof(why), "cannot run %s", argv[0]);
			snprintf(err, errlen, "qemu: %s", why[0] ? why : "exited during startup");
			ret = WIFEXITED(m->wait_status) && WEXITSTATUS(m->wait_status) == 127
				      ? -ENOENT : -EPIPE;
		} else {
			snprintf(err, errlen, "qemu: did not connect within %u ms: %s",
				 m->timeout_ms, strerror(-ret));
		}
		goto fail;
	}
	listener_close(ldb, db_path);
	listener_close(lqmp, qmp_path);
	ldb = lqmp = -1;
	ret = session_start(m, deadline, err, errlen);
	if (ret)
		goto fail;
	*out = m;
	return 0;

fail:
	listener_close(ldb, db_path);
	listener_close(lqmp, qmp_path);
	qemu_machine_destroy(m);
	return ret;
}

int qemu_machine_adopt(const struct qemu_machine_config *cfg, pid_t pid,
		       struct qemu_machine **out, char *err, size_t errlen)
{
	char db_path[256], qmp_path[256];
	struct qemu_machine *m;
	uint64_t deadline;
	int ldb = -1, lqmp = -1, ret;

	*out = NULL;
	if (!cfg || !cfg->ram_file || !cfg->socket_dir || pid <= 1) {
		snprintf(err, errlen, "qemu: adopt needs ram_file, socket_dir and a pid");
		return -EINVAL;
	}
	ret = machine_new(cfg, &m, db_path, qmp_path, err, errlen);
	if (ret)
		return ret;
	m->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (m->pidfd < 0) {
		ret = errno == ESRCH ? -ESRCH : -errno;
		snprintf(err, errlen, "qemu %d: %s", (int)pid, strerror(errno));
		goto fail;
	}
	m->pid = pid;
	m->adopted = true;
	m->started = true; /* it has run since the earlier host's first go */
	ret = listen_unix(db_path, &ldb, err, errlen);
	if (!ret)
		ret = listen_unix(qmp_path, &lqmp, err, errlen);
	if (ret)
		goto fail;
	deadline = now_ms() + m->timeout_ms;
	ret = accept_both(m, ldb, lqmp, deadline);
	if (ret) {
		snprintf(err, errlen, "qemu %d: %s", (int)pid,
			 ret == -EPIPE ? "ended while we waited for it to reconnect"
				       : "did not reconnect (launched without outlive_host?)");
		goto fail;
	}
	ret = session_start(m, deadline, err, errlen);
	if (ret)
		goto fail;
	listener_close(ldb, db_path);
	listener_close(lqmp, qmp_path);
	*out = m;
	return 0;
fail:
	listener_close(ldb, db_path);
	listener_close(lqmp, qmp_path);
	if (m->adopted)
		qemu_machine_forget(m); /* not ours to stop: it failed to become ours */
	else
		qemu_machine_destroy(m);
	return ret;
}

/* Close what this host holds of @m; QEMU itself is left alone. */
static void machine_release(struct qemu_machine *m)
{
	if (m->epoll_fd >= 0)
		close(m->epoll_fd);
	if (m->db_fd >= 0)
		close(m->db_fd);
	if (m->qmp_fd >= 0)
		close(m->qmp_fd);
	if (m->pidfd >= 0)
		close(m->pidfd);
	if (m->mb)
		munmap(m->mb, QMB_SIZE);
	if (m->ram_fd >= 0)
		close(m->ram_fd);
	free(m);
}

void qemu_machine_forget(struct qemu_machine *m)
{
	if (m)
		machine_release(m);
}

void qemu_machine_destroy(struct qemu_machine *m)
{
	if (!m)
		return;
	if (m->pid > 0 && !qemu_machine_exited(m, NULL)) {
		struct pollfd pf = { m->pidfd, POLLIN, 0 };
		unsigned int saved = m->timeout_ms;

		m->timeout_ms = 2000;
		if (m->qmp_fd < 0 || qmp_command(m, "quit") ||
		    (m->pidfd >= 0 && poll(&pf, 1, 2000) != 1))
			kill(m->pid, SIGKILL);
		m->timeout_ms = saved;
		if (m->adopted) /* not our child: its pidfd says when it is gone */
			poll(&pf, 1, 2000);
		else if (!m->reaped && waitpid(m->pid, &m->wait_status, 0) == m->pid)
			m->reaped = true;
	}
	machine_release(m);
}

pid_t qemu_machine_pid(const struct qemu_machine *m)
{
	return m->pid;
}

uint32_t qemu_machine_boot_state(const struct qemu_machine *m)
{
	return __atomic_load_n(&m->mb->state, __ATOMIC_ACQUIRE);
}

const char *qemu_machine_error(const struct qemu_machine *m)
{
	return m->err;
}
