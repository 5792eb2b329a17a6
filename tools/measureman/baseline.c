/* SPDX-License-Identifier: BSD-3-Clause */
/* baseline.c — spin, futex and UNIX-socket ping-pong baselines (see baseline.h). */
#define _GNU_SOURCE
#include "baseline.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool_cpu.h"
#include "tool_rtt.h"

#define WARMUP  100u
#define MAX_LEN 4096u

static const char *const names[MM_NBASELINES] = {
	"shm spin ping-pong", "futex ping-pong", "unix socket ping-pong",
};
static const char *const keys[MM_NBASELINES] = { "spin", "futex", "unix_socket" };

const char *mm_baseline_name(enum mm_baseline b)
{
	return (unsigned)b < MM_NBASELINES ? names[b] : "?";
}

const char *mm_baseline_key(enum mm_baseline b)
{
	return (unsigned)b < MM_NBASELINES ? keys[b] : "?";
}

/* ---- shared memory: spin or futex ---- */

struct shared {
	uint32_t turn; /* 0: the client's, 1: the echo's */
	uint8_t buf[2][MAX_LEN];
};

static long futex(uint32_t *w, int op, uint32_t v)
{
	return syscall(SYS_futex, w, op, v, NULL, NULL, 0);
}

static void wait_turn(struct shared *s, uint32_t want, bool spin)
{
	uint32_t v;

	while ((v = __atomic_load_n(&s->turn, __ATOMIC_ACQUIRE)) != want)
		if (!spin)
			futex(&s->turn, FUTEX_WAIT, v);
}

static void give_turn(struct shared *s, uint32_t to, bool spin)
{
	__atomic_store_n(&s->turn, to, __ATOMIC_RELEASE);
	if (!spin)
		futex(&s->turn, FUTEX_WAKE, 1);
}

static void shm_echo(struct shared *s, size_t n, size_t len, bool spin)
{
	uint8_t back[MAX_LEN];

	for (size_t i = 0; i < n; i++) {
		wait_turn(s, 1, spin);
		memcpy(back, s->buf[0], len);
		memcpy(s->buf[1], back, len);
		give_turn(s, 0, spin);
	}
}

/* One ping-pong's client side: the message, its echo, how they meet. */
struct client {
	struct shared *s; /* shm: the buffers and the turn */
	int fd;           /* socket */
	bool spin;
	size_t len;
	uint8_t msg[MAX_LEN], back[MAX_LEN];
};

static int shm_trip(void *ctx, long i)
{
	struct client *c = ctx;

	(void)i;
	memcpy(c->s->buf[0], c->msg, c->len);
	give_turn(c->s, 1, c->spin);
	wait_turn(c->s, 0, c->spin);
	memcpy(c->back, c->s->buf[1], c->len);
	return 0;
}

static int run_shm(bool spin, size_t n, size_t len, int cpu_a, int cpu_b, mm_sample_fn fn,
		   void *ctx)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct client c = { .s = s, .spin = spin, .len = len };
	struct tool_rtt rt = { .n = n, .warmup = WARMUP, .trip = shm_trip, .sample = fn,
			       .ctx = &c, .sample_ctx = ctx };
	pid_t pid;

	if (s == MAP_FAILED)
		return -errno;
	memset(c.msg, 0x5A, len);
	s->turn = 0;
	pid = fork();
	if (pid < 0) {
		munmap(s, sizeof(*s));
		return -EAGAIN;
	}
	if (pid == 0) {
		tool_pin(0, cpu_b);
		shm_echo(s, n + WARMUP, len, spin);
		_exit(0);
	}
	tool_pin(0, cpu_a);
	tool_rtt_run(&rt);
	waitpid(pid, NULL, 0);
	munmap(s, sizeof(*s));
	return 0;
}

/* ---- UNIX stream socket ---- */

static int read_full(int fd, uint8_t *b, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, b + got, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int socket_trip(void *ctx, long i)
{
	struct client *c = ctx;

	(void)i;
	if (write(c->fd, c->msg, c->len) != (ssize_t)c->len || read_full(c->fd, c->back, c->len))
		return -EPIPE;
	return 0;
}

static int run_socket(size_t n, size_t len, int cpu_a, int cpu_b, mm_sample_fn fn, void *ctx)
{
	struct client c = { .len = len };
	struct tool_rtt rt = { .n = n, .warmup = WARMUP, .trip = socket_trip, .sample = fn,
			       .ctx = &c, .sample_ctx = ctx };
	uint8_t back[MAX_LEN];
	int sv[2];
	pid_t pid;

	memset(c.msg, 0x5A, len);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -EAGAIN;
	if (pid == 0) {
		tool_pin(0, cpu_b);
		close(sv[0]);
		while (read_full(sv[1], back, len) == 0)
			if (write(sv[1], back, len) != (ssize_t)len)
				break;
		_exit(0);
	}
	close(sv[1]);
	tool_pin(0, cpu_a);
	c.fd = sv[0];
	tool_rtt_run(&rt); /* a broken pair ends the run: what came before it is kept */
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return 0;
}

int mm_baseline_run(enum mm_baseline b, size_t n, size_t len, int cpu_a, int cpu_b,
		    mm_sample_fn fn, void *ctx)
{
	if (len > MAX_LEN || (unsigned)b >= MM_NBASELINES)
		return -EINVAL;
	if (b == MM_BASE_SOCKET)
		return run_socket(n, len, cpu_a, cpu_b, fn, ctx);
	return run_shm(b == MM_BASE_SPIN, n, len, cpu_a, cpu_b, fn, ctx);
}
