/*
 * test_rpmsg_threads.c — the host and remote roles on two real threads, sharing only the window:
 * a 496-byte echo stream with blocking sends and doorbell-driven waits. Under TSan (make
 * test-tsan) this checks that the ring protocol's ordering is complete: every payload byte is
 * published by a release and read after an acquire.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "rpmsg_pair.h"

#define MESSAGES 20000u

static uint64_t now_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Wait for a doorbell like an interrupt controller would: a doorbell rung since the last wait
 * is still pending (latched), so one that lands between "nothing to do" and "sleep" is not lost.
 * The counter moving is the condition; the timeout bounds it.
 */
static int wait_doorbell(struct pair_side *side, uint32_t timeout_us)
{
	uint64_t end = now_us(NULL) + timeout_us;
	unsigned int rung;

	for (;;) {
		rung = atomic_load(&side->doorbells[0]) + atomic_load(&side->doorbells[1]);
		if (rung != atomic_load(&side->consumed))
			break;
		if (now_us(NULL) >= end)
			return -MMAMP_ETIMEDOUT;
		sched_yield();
	}
	atomic_store(&side->consumed, rung);
	return 0;
}

static int host_wait(void *ctx, uint32_t timeout_us)
{
	return wait_doorbell(&((struct pair *)ctx)->host_side, timeout_us);
}

static int remote_wait(void *ctx, uint32_t timeout_us)
{
	return wait_doorbell(&((struct pair *)ctx)->remote_side, timeout_us);
}

static const struct mmamp_rpmsg_ops host_ops = {
	.notify = pair_host_notify, .wait = host_wait, .now_us = now_us, .ns_bind = pair_host_ns,
};
static const struct mmamp_rpmsg_ops remote_ops = {
	.notify = pair_remote_notify, .wait = remote_wait, .now_us = now_us,
};

struct echo {
	struct pair *p;
	struct mmamp_rpmsg_ept ept;
	atomic_uint stop;
	unsigned int echoed;
	unsigned int received;
	int errors;
	uint8_t last[MMAMP_RPMSG_MTU];
	size_t last_len;
};

static int remote_echo_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
			  void *priv)
{
	struct echo *e = priv;

	(void)src;
	if (mmamp_rpmsg_sendto_timeout(ept, ept->dest_addr, data, len, 5000000))
		e->errors++;
	e->echoed++;
	return 0;
}

static void *remote_thread(void *arg)
{
	struct echo *e = arg;

	while (!atomic_load(&e->stop)) {
		int r = mmamp_rpmsg_poll(&e->p->remote);

		if (r < 0) {
			e->errors++;
			break;
		}
		if (!mmamp_rpmsg_work_pending(&e->p->remote))
			remote_wait(e->p, 1000);
	}
	return NULL;
}

static int host_rx_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	struct echo *e = priv;

	(void)ept;
	(void)src;
	memcpy(e->last, data, len);
	e->last_len = len;
	e->received++;
	return 0;
}

static void echo_stream_between_two_threads(void **state)
{
	struct pair *p = pair_new(1u << MMAMP_VIRTIO_RPMSG_F_NS);
	struct echo remote = { .p = p }, host = { .p = p };
	uint8_t msg[MMAMP_RPMSG_MTU];
	pthread_t t;

	(void)state;
	p->remote.ops = &remote_ops;
	assert_int_equal(mmamp_rpmsg_ept_init(&remote.ept, &p->remote, "rpmsg-echo", 30,
					      MMAMP_RPMSG_ADDR_ANY, remote_echo_cb, &remote), 0);
	assert_int_equal(pthread_create(&t, NULL, remote_thread, &remote), 0);
	assert_int_equal(pair_host_boot(p), 0);
	p->host.ops = &host_ops;
	/* the channel appears when the announcement arrives */
	while (p->host_side.ns_calls == 0) {
		assert_true(mmamp_rpmsg_poll(&p->host) >= 0);
		host_wait(p, 1000);
	}
	assert_int_equal(mmamp_rpmsg_ept_init(&host.ept, &p->host, NULL, MMAMP_RPMSG_ADDR_ANY,
					      p->host_side.ns_addr, host_rx_cb, &host), 0);

	for (unsigned int i = 0; i < MESSAGES; i++) {
		for (size_t k = 0; k < sizeof(msg); k++)
			msg[k] = (uint8_t)(i + k);
		assert_int_equal(mmamp_rpmsg_sendto_timeout(&host.ept, host.ept.dest_addr, msg,
							    sizeof(msg), 5000000), 0);
		while (host.received == i) {
			assert_true(mmamp_rpmsg_poll(&p->host) >= 0);
			if (host.received == i)
				assert_int_equal(host_wait(p, 5000000), 0);
		}
		assert_int_equal(host.last_len, sizeof(msg));
		assert_memory_equal(host.last, msg, sizeof(msg));
	}
	atomic_store(&remote.stop, 1);
	atomic_fetch_add(&p->remote_side.doorbells[1], 1);
	pthread_join(t, NULL);
	assert_int_equal(remote.errors, 0);
	assert_int_equal(remote.echoed, MESSAGES);
	assert_int_equal(mmamp_rpmsg_stats(&p->host)->rx_malformed, 0);
	assert_int_equal(mmamp_rpmsg_stats(&p->remote)->rx_no_ept, 0);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_stream_between_two_threads),
	};
	return cmocka_run_group_tests_name("rpmsg-threads", tests, NULL, NULL);
}
