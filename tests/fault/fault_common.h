/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_common.h — what the fault and chaos tests (tests/fault) share: a host opened on a
 * platform in a scratch runtime directory, per-channel inboxes that check a sequenced stream
 * (order, duplicates, byte-exact payloads), a state log, and counts of this process's open
 * descriptors, mappings, threads and child processes for leak checks. Every wait is a
 * condition with a generous deadline (the machine is shared), never a sleep.
 */
#ifndef MMAMP_FAULT_COMMON_H
#define MMAMP_FAULT_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmamp/host/rproc.h"

#define FAULT_WAIT_MS 20000
#define TTY "rpmsg-virtual-tty-channel-1"
#define RAW "rpmsg-raw"
#define INFO "mmamp-info"

/*
 * struct inbox - what a channel received. A "stream" message starts with a u32 sequence
 * number and its payload is derived from it (stream_fill()); the inbox checks each one is
 * the next expected (delivered in order, no duplicate, no gap) and byte-exact.
 */
struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint8_t last[512];
	size_t last_len;
	uint64_t count;       /* messages received */
	uint32_t next_seq;    /* the next sequence number a stream message must carry */
	uint64_t out_of_order; /* stream messages with another sequence number (dup, gap) */
	uint64_t corrupt;     /* stream messages whose payload is not the one sent */
	char ack[64];         /* the last message that began with "ack " (fw_chaos) */
	uint64_t acks;        /* how many such */
};

void inbox_init(struct inbox *in);
void inbox_reset(struct inbox *in, uint32_t next_seq);
/* The receive callback (ctx: the inbox), plain and for sequenced streams. */
void inbox_rx(void *ctx, struct mmamp_channel *ch, const void *data, size_t len);
void inbox_rx_stream(void *ctx, struct mmamp_channel *ch, const void *data, size_t len);
/* Wait until @in has at least @count messages: 0, or -ETIMEDOUT after @timeout_ms. */
int inbox_wait(struct inbox *in, uint64_t count, int timeout_ms);
uint64_t inbox_count(struct inbox *in);
/* Wait until @in has seen at least @acks "ack ..." messages. */
int inbox_wait_ack(struct inbox *in, uint64_t acks, int timeout_ms);

/* Fill @buf (@len ≥ 4 bytes) with stream message @seq. */
void stream_fill(uint8_t *buf, size_t len, uint32_t seq);

/* The state log: every state event of every core, in order. */
void states_reset(void);
unsigned int states_mark(void);
/* Wait until the log from @from has @a for core @r and later @b: 0 or -ETIMEDOUT. */
int states_wait(unsigned int from, struct mmamp_rproc *r, enum mmamp_rproc_state a,
		enum mmamp_rproc_state b, int timeout_ms);

struct world {
	char runtime[64];
	struct mmamp_host *h;
};

/* Open the host on @dtb (a path) in a fresh runtime directory; fails the test on error. */
void world_open(struct world *w, const char *dtb);
/* The same on a qemu platform: cores are QEMU mps2-an386 machines booted by @bootrom. */
void world_open_qemu(struct world *w, const char *dtb, const char *bootrom, const char *fwdir);
void world_close(struct world *w);
/* Boot @core with @fw and wait for its TTY, raw and info channels. */
void boot(struct mmamp_rproc *r, const char *fw);
/* The channel @name of @r (up; referenced) with @fn/@in as its receiver. */
struct mmamp_channel *chan(struct mmamp_rproc *r, const char *name, mmamp_channel_rx_fn fn,
			   struct inbox *in);
/* Send one message and wait for its echo (byte-exact) in @in: 0 or a negative errno. */
int echo_once(struct mmamp_channel *ch, struct inbox *in, const void *msg, size_t len);
/* Print a core's console to stderr (on failure). */
void dump_console(struct world *w, const char *core);

/* Leak accounting of this process. */
struct census {
	unsigned int fds, maps, threads, children;
};
void census_take(struct census *c);
/* An environment variable as an unsigned count, or @def. */
unsigned long env_count(const char *name, unsigned long def);

#endif /* MMAMP_FAULT_COMMON_H */
