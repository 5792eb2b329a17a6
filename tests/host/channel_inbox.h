/*
 * channel_inbox.h — what the host-library tests (tests/host, tests/qemu) share to talk to an
 * echo firmware through a channel: an inbox the receive callback fills, a bounded wait on it
 * (a condition variable, never a sleep), an N-message 496-byte echo checked byte for byte,
 * and a question to mmamp-info. Include after <cmocka.h>.
 */
#ifndef MMAMP_TESTS_CHANNEL_INBOX_H
#define MMAMP_TESTS_CHANNEL_INBOX_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mmamp/host/rproc.h"
#include "../deadline.h"

struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint8_t data[512];
	size_t len;
	unsigned int count;
};

#define INBOX_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, 0, 0 }

/* The channel's receive callback: @ctx is the inbox. */
static inline void inbox_on_rx(void *ctx, struct mmamp_channel *ch, const void *data, size_t len)
{
	struct inbox *in = ctx;

	(void)ch;
	pthread_mutex_lock(&in->lock);
	memcpy(in->data, data, len < sizeof(in->data) ? len : sizeof(in->data));
	in->len = len;
	in->count++;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

static inline unsigned int inbox_count(struct inbox *in)
{
	unsigned int n;

	pthread_mutex_lock(&in->lock);
	n = in->count;
	pthread_mutex_unlock(&in->lock);
	return n;
}

/* Wait until @count messages have arrived, at most @ms: 0 or ETIMEDOUT. */
static inline int inbox_wait(struct inbox *in, unsigned int count, int ms)
{
	struct timespec end;
	int ret = 0;

	deadline_in_ms(&end, ms);
	pthread_mutex_lock(&in->lock);
	while (in->count < count && ret == 0)
		ret = pthread_cond_timedwait(&in->cond, &in->lock, &end);
	pthread_mutex_unlock(&in->lock);
	return ret;
}

/* @n messages of 496 bytes (a pattern per message) echoed back byte for byte, one at a time. */
static inline void inbox_echo_n(struct inbox *in, struct mmamp_channel *ch, unsigned int n,
				int ms)
{
	uint8_t msg[496];

	for (unsigned int i = 0; i < n; i++) {
		unsigned int before = inbox_count(in);

		for (size_t k = 0; k < sizeof(msg); k++)
			msg[k] = (uint8_t)(i * 13u + k * 3u);
		assert_int_equal(mmamp_channel_send(ch, msg, sizeof(msg), ms), 0);
		assert_int_equal(inbox_wait(in, before + 1, ms), 0);
		pthread_mutex_lock(&in->lock);
		assert_int_equal(in->len, sizeof(msg));
		assert_memory_equal(in->data, msg, sizeof(msg));
		pthread_mutex_unlock(&in->lock);
	}
}

/* Ask mmamp-info ("?") and copy its one-line answer to @out. */
static inline void inbox_ask(struct inbox *in, struct mmamp_channel *ch, char *out, size_t len,
			     int ms)
{
	unsigned int before = inbox_count(in);

	assert_int_equal(mmamp_channel_send(ch, "?", 1, ms), 0);
	assert_int_equal(inbox_wait(in, before + 1, ms), 0);
	pthread_mutex_lock(&in->lock);
	snprintf(out, len, "%.*s", (int)in->len, (const char *)in->data);
	pthread_mutex_unlock(&in->lock);
}

#endif /* MMAMP_TESTS_CHANNEL_INBOX_H */
