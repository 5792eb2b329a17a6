/*
 * stream.c — mmamp-bench-stream: one-way streaming throughput, host → remote, of 496-byte
 * messages through the host library and a simulated core (fw_stream: a sink that checks every
 * message's sequence number), next to a baseline measured in the same run on the same two CPUs:
 * a raw shared-memory ring between two processes with the same copies (producer copies 496
 * bytes in, consumer copies them out and checks the sequence).
 *
 *   mmamp-bench-stream [-n MESSAGES] [-r REPEATS]   (defaults: 2,000,000 messages, 3 repeats)
 *
 * Cases: polled (both sides spin; the host rings only when its previous doorbell was taken —
 * notifications are batched by the MU's TE flag) and interrupt (the remote sleeps on the MU
 * interrupt between batches). A run counts only when the sink confirms every message arrived
 * in order. Prints messages/s (best and median of the repeats) and the ratio to the baseline.
 * A measurement, not a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmamp/host/rproc.h"
#include "mmamp/rpmsg.h"
#include "tool_cpu.h"
#include "tool_time.h"

#define MSG MMAMP_RPMSG_MTU /* one full RPMsg payload */
#define RING 256 /* the baseline's slots, as many as the vring has buffers */

/* ---- baseline: a single-producer single-consumer ring in shared memory ---- */

struct spsc {
	_Alignas(64) uint64_t head; /* written by the producer */
	_Alignas(64) uint64_t tail; /* written by the consumer */
	_Alignas(64) uint64_t bad;
	_Alignas(64) uint8_t slot[RING][512];
};

static double bench_spsc(uint64_t n)
{
	struct spsc *q = mmap(NULL, sizeof(*q), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);
	uint8_t msg[MSG] = { 0 };
	uint64_t t0, t1;
	pid_t pid;
	int status;

	if (q == MAP_FAILED)
		return 0;
	pid = fork();
	if (pid == 0) {
		uint8_t out[MSG];

		tool_pin(0, 1);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t seq;

			while (__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == i)
				__builtin_ia32_pause();
			memcpy(out, q->slot[i % RING], MSG);
			memcpy(&seq, out, sizeof(seq));
			if (seq != i)
				q->bad++;
			__atomic_store_n(&q->tail, i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	tool_pin(0, 0);
	t0 = tool_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		while (i - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) >= RING)
			__builtin_ia32_pause();
		memcpy(msg, &i, sizeof(i));
		memcpy(q->slot[i % RING], msg, MSG);
		__atomic_store_n(&q->head, i + 1, __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) != n)
		__builtin_ia32_pause();
	t1 = tool_now_ns();
	waitpid(pid, &status, 0);
	if (q->bad)
		fprintf(stderr, "spsc: %llu out of order\n", (unsigned long long)q->bad);
	munmap(q, sizeof(*q));
	return (double)n * 1e9 / (double)(t1 - t0);
}

/* ---- mmamp ---- */

static char answer[64];
static volatile int answered;

static void on_answer(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	(void)ctx;
	(void)ch;
	snprintf(answer, sizeof(answer), "%.*s", (int)len, (const char *)data);
	__atomic_store_n(&answered, 1, __ATOMIC_RELEASE);
}

/* Ask the sink how many it got; 0 on success with *@got set. */
static int ask(struct mmamp_rproc *r, struct mmamp_channel *ch, unsigned long long *got,
	       unsigned long long *bad)
{
	__atomic_store_n(&answered, 0, __ATOMIC_RELEASE);
	while (mmamp_channel_send(ch, "?", 1, 0) == -EAGAIN)
		mmamp_rproc_poll(r);
	for (uint64_t end = tool_now_ns() + 5000000000ull; !__atomic_load_n(&answered, __ATOMIC_ACQUIRE);) {
		mmamp_rproc_poll(r);
		if (tool_now_ns() > end)
			return -1;
	}
	return sscanf(answer, "n=%llu bad=%llu", got, bad) == 2 ? 0 : -1;
}

static double bench_mmamp(bool polled, uint64_t n)
{
	char runtime[] = "/tmp/mmamp-stream-XXXXXX", err[512], cmd[128];
	struct mmamp_host_config cfg = {
		.platform = MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb",
		.firmware_path = MMAMP_FIRMWARE_DIR,
		.simcore = MMAMP_SIMCORE,
		.caller_polls = true,
		.polling = polled,
	};
	unsigned long long got = 0, bad = 0;
	struct mmamp_channel *ch = NULL;
	struct mmamp_host *h;
	struct mmamp_rproc *r;
	uint8_t msg[MSG] = { 0 };
	double rate = 0;
	uint64_t t0, t1;

	if (!mkdtemp(runtime))
		return 0;
	cfg.runtime_dir = runtime;
	tool_pin(0, 0);
	if (mmamp_host_open(&h, &cfg, err, sizeof(err))) {
		fprintf(stderr, "stream: %s\n", err);
		return 0;
	}
	r = mmamp_host_rproc_by_name(h, "m4_0");
	mmamp_rproc_set_firmware(r, polled ? "fw_stream_polled" : "fw_stream");
	if (mmamp_rproc_start(r, err, sizeof(err))) {
		fprintf(stderr, "stream: %s\n", err);
		goto out;
	}
	for (int i = 0; i < 10000 && mmamp_rproc_wait(r, MMAMP_RPROC_RUNNING, "mmamp-sink", 1); i++)
		mmamp_rproc_poll(r);
	ch = mmamp_rproc_find_channel(r, "mmamp-sink");
	if (!ch) {
		fprintf(stderr, "stream: the mmamp-sink channel did not come up\n");
		goto out;
	}
	tool_pin(mmamp_rproc_pid(r), 1);
	mmamp_channel_set_rx(ch, on_answer, NULL);
	t0 = tool_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		int ret;

		memcpy(msg, &i, sizeof(i));
		/* every buffer in flight: the sink is behind. It rings when it returns buffers
		 * (the library asked it to, being out of them): take that doorbell. */
		while ((ret = mmamp_channel_send(ch, msg, sizeof(msg), 0)) == -EAGAIN)
			mmamp_rproc_poll(r);
		if (ret) {
			fprintf(stderr, "stream: send %llu: %s\n", (unsigned long long)i,
				strerror(-ret));
			goto out;
		}
	}
	if (ask(r, ch, &got, &bad) || got != n || bad) {
		fprintf(stderr, "stream: the sink got %llu of %llu (%llu out of order)\n", got,
			(unsigned long long)n, bad);
		goto out;
	}
	t1 = tool_now_ns();
	rate = (double)n * 1e9 / (double)(t1 - t0);
out:
	if (ch)
		mmamp_channel_put(ch);
	mmamp_host_close(h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", runtime);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", runtime);
	return rate;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t n = 2000000;
	int repeats = 3;
	double rates[3][16];
	static const char *const names[3] = { "raw shm ring (baseline)", "mmamp polled",
					      "mmamp interrupt" };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			repeats = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [-n MESSAGES] [-r REPEATS (1..16)]\n", argv[0]);
			return 2;
		}
	}
	if (repeats < 1 || repeats > 16 || !n) {
		fprintf(stderr, "mmamp-bench-stream: -r must be 1..16 and -n > 0\n");
		return 2;
	}
	/* interleaved, so drifting machine load hits every case alike */
	for (int k = 0; k < repeats; k++) {
		rates[0][k] = bench_spsc(n);
		rates[1][k] = bench_mmamp(true, n);
		rates[2][k] = bench_mmamp(false, n);
	}
	printf("one-way streaming, %llu messages of %u bytes, CPUs 0 -> 1, %d repeats\n",
	       (unsigned long long)n, MSG, repeats);
	for (int c = 0; c < 3; c++) {
		qsort(rates[c], (size_t)repeats, sizeof(double), cmp_double);
		printf("  %-26s best %10.0f msg/s   median %10.0f msg/s   (%.2f GB/s)\n", names[c],
		       rates[c][repeats - 1], rates[c][repeats / 2],
		       rates[c][repeats - 1] * MSG / 1e9);
	}
	printf("ratio mmamp polled / raw ring (best): %.2f\n", rates[1][repeats - 1] / rates[0][repeats - 1]);
	printf("target: mmamp polled >= 2,000,000 msg/s\n");
	return 0;
}
