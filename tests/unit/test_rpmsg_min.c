/*
 * test_rpmsg_min.c — the minimal remote profile (mmamp/rpmsg_min.h) against the full host role
 * (mmamp/rpmsg.h), in process over one shared window: link up on DRIVER_OK with announcements and
 * the link epoch, echo of every length with the zero-copy and the copy API, back-pressure when
 * the host's RX buffers run out (nothing dropped, order kept), drops counted, and a hostile host
 * (avail index, head, descriptor, vring geometry, short TX buffer) refused until it resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define PAIR_NUM MMAMP_MIN_VRING_NUM /* the profile's ring size is a build-time constant */
#include "mmamp/rpmsg_min.h"
#include "rpmsg_pair.h"

#define NS_F (1u << MMAMP_VIRTIO_RPMSG_F_NS)
#define HOST_ADDR 1024u

struct host_sink {
	uint8_t data[PAIR_NUM * 2][MMAMP_RPMSG_MTU];
	size_t len[PAIR_NUM * 2];
	uint32_t src[PAIR_NUM * 2];
	unsigned int count;
};

struct world {
	struct pair *p;
	struct mmamp_min_dev dev;
	uint32_t beat[2];
	unsigned int notified[2];
	struct mmamp_rpmsg_ept host_ept;
	struct host_sink sink;
	unsigned int zc_calls, copy_calls, info_calls;
};

static struct world *current; /* the notify hook has no context argument */

static void min_notify(uint32_t notifyid)
{
	current->notified[notifyid & 1]++;
	pair_remote_notify(current->p, notifyid);
}

static int host_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host_sink *s = priv;

	(void)ept;
	assert_true(s->count < PAIR_NUM * 2);
	memcpy(s->data[s->count], data, len);
	s->len[s->count] = len;
	s->src[s->count] = src;
	s->count++;
	return 0;
}

/* Echo with the zero-copy API: reply in a TX buffer taken from the ring. */
static int echo_zc(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data,
		   uint32_t len, uint32_t src)
{
	void *tx = mmamp_min_tx_get(d);

	current->zc_calls++;
	if (!tx)
		return -MMAMP_EAGAIN;
	memcpy(tx, data, len);
	assert_int_equal(mmamp_min_tx_send(d, e->addr, src, len), 0);
	return 0;
}

/* Echo with the copy API. */
static int echo_copy(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data,
		     uint32_t len, uint32_t src)
{
	current->copy_calls++;
	return mmamp_min_send(d, e->addr, src, data, len);
}

/* An endpoint that is not announced (no name). */
static int info(struct mmamp_min_dev *d, const struct mmamp_min_ept *e, void *data, uint32_t len,
		uint32_t src)
{
	(void)d, (void)e, (void)data, (void)len, (void)src;
	current->info_calls++;
	return 0;
}

static const struct mmamp_min_ept epts[] = {
	{ "rpmsg-virtual-tty-channel-1", 30, echo_zc },
	{ "rpmsg-raw", 40, echo_copy },
	{ NULL, 50, info },
};

static struct mmamp_rsc_table_rpmsg *live_table(struct pair *p)
{
	return (struct mmamp_rsc_table_rpmsg *)(void *)((uint8_t *)p->vdev -
							  offsetof(struct mmamp_rsc_table_rpmsg, vdev));
}

static struct world *world_new(uint32_t features)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mmamp_min_config cfg;

	current = w;
	w->p = pair_new(features);
	cfg = (struct mmamp_min_config){
		.table = live_table(w->p), .window = w->p->mem, .window_da = PAIR_DA,
		.window_size = PAIR_SIZE, .beat = w->beat, .epts = epts, .n_epts = 3,
		.notify = min_notify,
	};
	mmamp_min_init(&w->dev, &cfg);
	return w;
}

static void host_boot(struct world *w)
{
	assert_int_equal(pair_host_boot(w->p), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&w->host_ept, &w->p->host, NULL, HOST_ADDR,
					      MMAMP_RPMSG_ADDR_ANY, host_cb, &w->sink), 0);
}

static int setup(void **state)
{
	struct world *w = world_new(NS_F);

	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	pair_free(w->p);
	free(w);
	return 0;
}

static void host_reset(struct world *w)
{
	__atomic_store_n(&w->p->vdev->status, (uint8_t)0, __ATOMIC_RELEASE);
	assert_int_equal(mmamp_min_poll(&w->dev), -MMAMP_ENOTCONN);
}

/* Fill @buf with a pattern that depends on @seed and the position. */
static void pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static void link_follows_driver_ok_and_announces(void **state)
{
	struct world *w = world_new(NS_F);

	(void)state;
	assert_int_equal(mmamp_min_poll(&w->dev), -MMAMP_ENOTCONN); /* no DRIVER_OK yet */
	assert_int_equal(w->beat[1], 0);
	assert_null(mmamp_min_tx_get(&w->dev));
	assert_int_equal(mmamp_min_send(&w->dev, 30, HOST_ADDR, "x", 1), -MMAMP_EAGAIN);
	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->beat[1], 1); /* odd: ring state held */
	assert_int_equal(w->beat[0], 2); /* one beat per poll */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 2); /* the unnamed endpoint is not announced */
	assert_string_equal(w->p->host_side.ns_name, "rpmsg-raw");
	assert_int_equal(w->p->host_side.ns_addr, 40);
	assert_int_equal(w->p->host_side.ns_flags, MMAMP_RPMSG_NS_CREATE);
	assert_int_equal(w->notified[0], 2); /* one doorbell per announcement */

	host_reset(w);
	assert_int_equal(w->beat[1], 2); /* even: dropped */
	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->beat[1], 3);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 4); /* announced again */
	pair_free(w->p);
	free(w);
}

static void no_announcements_without_name_service(void **state)
{
	struct world *w = world_new(0);
	uint8_t msg[8] = "no ns";

	(void)state;
	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 0);
	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 40, msg, 5), 0);
	assert_int_equal(mmamp_min_poll(&w->dev), 1);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, 1);
	assert_memory_equal(w->sink.data[0], msg, 5);
	pair_free(w->p);
	free(w);
}

static void echo_every_length_both_apis(void **state)
{
	struct world *w = *state;
	uint8_t msg[MMAMP_RPMSG_MTU];

	for (uint32_t len = 0; len <= MMAMP_RPMSG_MTU; len++) {
		uint32_t dst = (len & 1) ? 40 : 30;

		pattern(msg, len, len);
		w->sink.count = 0;
		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, dst, msg, len), 0);
		assert_int_equal(mmamp_min_poll(&w->dev), 1);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
		assert_int_equal(w->sink.count, 1);
		assert_int_equal(w->sink.len[0], len);
		assert_int_equal(w->sink.src[0], dst);
		assert_memory_equal(w->sink.data[0], msg, len);
	}
	assert_int_equal(w->zc_calls, 249);
	assert_int_equal(w->copy_calls, 248);
	assert_int_equal(w->dev.dropped, 0);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 0);
}

static void api_errors(void **state)
{
	struct world *w = *state;
	uint8_t big[MMAMP_RPMSG_MTU + 1] = { 0 };

	assert_int_equal(mmamp_min_send(&w->dev, 30, HOST_ADDR, big, sizeof(big)), -MMAMP_EMSGSIZE);
	assert_int_equal(mmamp_min_tx_send(&w->dev, 30, HOST_ADDR, 1), -MMAMP_EINVAL); /* none taken */
	assert_non_null(mmamp_min_tx_get(&w->dev));
	assert_int_equal(mmamp_min_tx_send(&w->dev, 30, HOST_ADDR, MMAMP_RPMSG_MTU + 1),
			 -MMAMP_EMSGSIZE);
	/* the buffer is still ours: the same one comes back, and sends */
	assert_ptr_equal(mmamp_min_tx_get(&w->dev), mmamp_min_tx_get(&w->dev));
	assert_int_equal(mmamp_min_tx_send(&w->dev, 30, HOST_ADDR, 3), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, 1);
	assert_int_equal(w->sink.len[0], 3);
}

/*
 * More messages than the host has RX buffers: the echo runs out of TX buffers, the rest stays in
 * the ring, and the next polls deliver it once the host took its messages — all, in order.
 */
static void back_pressure_keeps_every_message_in_order(void **state)
{
	struct world *w = *state;
	const unsigned int total = PAIR_NUM + PAIR_NUM / 2;
	uint8_t msg[64];
	unsigned int i, rung;

	/* a ring's worth: echoed, every host RX buffer now holds a reply the host has not read */
	for (i = 0; i < PAIR_NUM; i++) {
		pattern(msg, sizeof(msg), i);
		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, msg, sizeof(msg)), 0);
	}
	assert_int_equal(mmamp_min_poll(&w->dev), PAIR_NUM);
	/* half a ring more: no TX buffer for the replies, so they wait in the ring */
	for (; i < total; i++) {
		pattern(msg, sizeof(msg), i);
		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, msg, sizeof(msg)), 0);
	}
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->zc_calls, PAIR_NUM + 2); /* offered, refused, kept */
	/* the host reads its replies and hands its buffers back — with a doorbell, which is what
	 * wakes a firmware that waits in WFI: the rest flows */
	rung = atomic_load(&w->p->remote_side.doorbells[0]);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, PAIR_NUM);
	assert_true(atomic_load(&w->p->remote_side.doorbells[0]) > rung);
	assert_int_equal(mmamp_min_poll(&w->dev), PAIR_NUM / 2);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, total);
	for (i = 0; i < total; i++) {
		pattern(msg, sizeof(msg), i);
		assert_memory_equal(w->sink.data[i], msg, sizeof(msg));
	}
	assert_int_equal(w->dev.dropped, 0);
}

/*
 * While the remote has TX buffers it asks for no doorbell when the host reposts one (vring0
 * NO_NOTIFY, docs/protocol.md §3.6): a Linux-like host then rings only for its own messages.
 */
static void reposts_ring_no_doorbell_while_buffers_remain(void **state)
{
	struct world *w = *state;
	uint8_t msg[32];
	unsigned int rung = atomic_load(&w->p->remote_side.doorbells[0]);

	for (unsigned int i = 0; i < 2u * PAIR_NUM - 2u; i++) {
		pattern(msg, sizeof(msg), i);
		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, msg, sizeof(msg)), 0);
		assert_int_equal(mmamp_min_poll(&w->dev), 1);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0); /* reads the echo, reposts */
	}
	assert_int_equal(w->sink.count, 2u * PAIR_NUM - 2u);
	assert_int_equal(atomic_load(&w->p->remote_side.doorbells[0]), rung);
}

/* A message to no endpoint, or with a length beyond its buffer: dropped, counted, buffer back. */
static void bad_messages_are_dropped_and_counted(void **state)
{
	struct world *w = *state;
	struct mmamp_vring_avail *avail;
	struct mmamp_vring_desc *desc;
	uint16_t head;

	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 77, "nobody", 6), 0);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->dev.dropped, 1);

	/* the host's last TX descriptor: shrink its buffer under the header's length */
	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, "0123456789", 10), 0);
	avail = (struct mmamp_vring_avail *)(void *)(w->p->mem + PAIR_VRING1 + 16u * PAIR_NUM);
	head = avail->ring[(uint16_t)(avail->idx - 1u) & (PAIR_NUM - 1u)];
	desc = (struct mmamp_vring_desc *)(void *)(w->p->mem + PAIR_VRING1) + head;
	desc->len = MMAMP_RPMSG_HDR_SIZE + 4;
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->dev.dropped, 2);
	assert_int_equal(w->zc_calls, 0);
	assert_int_equal(mmamp_min_fault(&w->dev), MMAMP_MIN_OK);

	/* still working */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, "ok", 2), 0);
	assert_int_equal(mmamp_min_poll(&w->dev), 1);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, 1);
}

/* After a fault: quiet until the host resets the device, then a clean link again. */
static void expect_quiet_then_recover(struct world *w, unsigned int fault)
{
	uint32_t epoch;

	assert_int_equal(mmamp_min_poll(&w->dev), -MMAMP_EIO);
	assert_int_equal(mmamp_min_fault(&w->dev), fault);
	assert_int_equal(mmamp_min_poll(&w->dev), -MMAMP_EIO);
	assert_null(mmamp_min_tx_get(&w->dev));
	epoch = w->beat[1];
	host_reset(w);
	assert_int_equal(mmamp_min_fault(&w->dev), MMAMP_MIN_OK);
	assert_int_equal(w->beat[1] & 1, 0);
	assert_true(w->beat[1] >= epoch);
	w->sink.count = 0;
	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, "again", 5), 0);
	assert_int_equal(mmamp_min_poll(&w->dev), 1);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->sink.count, 1);
	assert_memory_equal(w->sink.data[0], "again", 5);
}

static struct mmamp_vring_avail *ring_avail(struct world *w, uint32_t vring_off)
{
	return (struct mmamp_vring_avail *)(void *)(w->p->mem + vring_off + 16u * PAIR_NUM);
}

static struct mmamp_vring_desc *ring_desc(struct world *w, uint32_t vring_off)
{
	return (struct mmamp_vring_desc *)(void *)(w->p->mem + vring_off);
}

static void hostile_avail_idx(void **state)
{
	struct world *w = *state;

	ring_avail(w, PAIR_VRING1)->idx += PAIR_NUM + 1; /* more than a ring's worth ahead */
	expect_quiet_then_recover(w, MMAMP_MIN_BAD_AVAIL_IDX);
}

static void hostile_head(void **state)
{
	struct world *w = *state;
	struct mmamp_vring_avail *a = ring_avail(w, PAIR_VRING1);

	a->ring[a->idx & (PAIR_NUM - 1u)] = PAIR_NUM; /* one past the table */
	a->idx++;
	expect_quiet_then_recover(w, MMAMP_MIN_BAD_HEAD);
	assert_int_equal(w->zc_calls, 1); /* only the message after recovery */
}

static void hostile_descriptor(void **state)
{
	struct world *w = *state;
	const struct {
		uint32_t lo, hi, len;
	} bad[] = {
		{ PAIR_DA - 16u, 0, 64 },                 /* before the window */
		{ PAIR_DA + PAIR_SIZE - 32u, 0, 64 },     /* runs off its end */
		{ PAIR_DA, 1, 64 },                       /* 64-bit address above 4 GiB */
		{ PAIR_DA + 64u, 0, 0xFFFFFFF0u },        /* length wraps */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mmamp_vring_desc *d;
		uint16_t head;

		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 30, "evil", 4), 0);
		head = ring_avail(w, PAIR_VRING1)->ring[(uint16_t)(ring_avail(w, PAIR_VRING1)->idx - 1u) &
						       (PAIR_NUM - 1u)];
		d = ring_desc(w, PAIR_VRING1) + head;
		d->addr_lo = bad[i].lo;
		d->addr_hi = bad[i].hi;
		d->len = bad[i].len;
		expect_quiet_then_recover(w, MMAMP_MIN_BAD_DESC);
	}
	assert_int_equal(w->zc_calls, 4); /* the recoveries' messages; no evil one delivered */
}

static void hostile_short_tx_buffer(void **state)
{
	struct world *w = *state;
	struct mmamp_vring_avail *a = ring_avail(w, PAIR_VRING0);
	uint16_t head = a->ring[w->dev.vq[0].next_avail & (PAIR_NUM - 1u)];

	ring_desc(w, PAIR_VRING0)[head].len = 100;
	assert_null(mmamp_min_tx_get(&w->dev));
	expect_quiet_then_recover(w, MMAMP_MIN_BAD_TX_LEN);
}

static void hostile_vring_geometry_at_driver_ok(void **state)
{
	struct world *w = world_new(NS_F);
	struct mmamp_fw_rsc_vdev_vring *v = w->p->vdev->vring;
	const struct {
		unsigned int ring;
		uint32_t da, num, align;
	} bad[] = {
		{ 1, PAIR_DA + PAIR_SIZE - 0x100u, PAIR_NUM, PAIR_ALIGN }, /* runs off the window */
		{ 0, PAIR_DA + 8u, PAIR_NUM, PAIR_ALIGN },                  /* misaligned */
		{ 0, PAIR_DA - 0x10000u, PAIR_NUM, PAIR_ALIGN },            /* before the window */
		{ 1, PAIR_DA + PAIR_VRING1, PAIR_NUM / 2, PAIR_ALIGN },     /* not our ring size */
		{ 0, PAIR_DA, PAIR_NUM, 16 },                               /* not our alignment */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		host_boot(w);
		v[bad[i].ring].da = bad[i].da;
		v[bad[i].ring].num = bad[i].num;
		v[bad[i].ring].align = bad[i].align;
		assert_int_equal(mmamp_min_poll(&w->dev), -MMAMP_EIO);
		assert_int_equal(mmamp_min_fault(&w->dev), MMAMP_MIN_BAD_VRING);
		assert_int_equal(w->beat[1] & 1, 0); /* never up */
		assert_int_equal(w->notified[0] + w->notified[1], 0);
		host_reset(w);
		v[bad[i].ring].num = PAIR_NUM;
		v[bad[i].ring].align = PAIR_ALIGN;
	}
	host_boot(w);
	assert_int_equal(mmamp_min_poll(&w->dev), 0);
	assert_int_equal(w->beat[1] & 1, 1);
	pair_free(w->p);
	free(w);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_follows_driver_ok_and_announces),
		cmocka_unit_test(no_announcements_without_name_service),
		T(echo_every_length_both_apis),
		T(api_errors),
		T(back_pressure_keeps_every_message_in_order),

		T(reposts_ring_no_doorbell_while_buffers_remain),
		T(bad_messages_are_dropped_and_counted),
		T(hostile_avail_idx),
		T(hostile_head),
		T(hostile_descriptor),
		T(hostile_short_tx_buffer),
		cmocka_unit_test(hostile_vring_geometry_at_driver_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
