/*
 * test_rpmsg.c — RPMsg host and remote roles through one shared window: bring-up on DRIVER_OK,
 * name service, echo (copy and zero-copy, held buffers), flow control (non-blocking and
 * blocking sends), host reset, and hostile peers on both sides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rpmsg_pair.h"

#define NS_F (1u << MMAMP_VIRTIO_RPMSG_F_NS)

struct sink {
	uint8_t data[MMAMP_RPMSG_MTU];
	size_t len;
	uint32_t src;
	unsigned int count;
	int hold;           /* return MMAMP_RPMSG_HOLD */
	void *held;
	int echo;           /* send it back from the callback */
};

static int sink_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct sink *s = priv;

	memcpy(s->data, data, len);
	s->len = len;
	s->src = src;
	s->count++;
	if (s->echo)
		assert_int_equal(mmamp_rpmsg_send(ept, data, len), 0);
	if (s->hold) {
		s->held = data;
		return MMAMP_RPMSG_HOLD;
	}
	return 0;
}

struct world {
	struct pair *p;
	struct mmamp_rpmsg_ept host_ept, remote_ept;
	struct sink host_sink, remote_sink;
};

/* Boot both sides and connect a channel the way Linux does with an announced service. */
static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	w->p = pair_new(NS_F);
	assert_int_equal(mmamp_rpmsg_ept_init(&w->remote_ept, &w->p->remote,
					      "rpmsg-virtual-tty-channel-1", 30,
					      MMAMP_RPMSG_ADDR_ANY, sink_cb, &w->remote_sink), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0); /* no DRIVER_OK yet */
	assert_int_equal(pair_host_boot(w->p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), MMAMP_RPMSG_LINK_UP);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 1);
	assert_int_equal(mmamp_rpmsg_ept_init(&w->host_ept, &w->p->host, NULL,
					      MMAMP_RPMSG_ADDR_ANY, w->p->host_side.ns_addr,
					      sink_cb, &w->host_sink), 0);
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

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31u + i * 7u);
}

/* ---- wire layout ---- */

static void header_and_ns_layout_match_linux(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct mmamp_rpmsg_hdr, src), 0);
	assert_int_equal(offsetof(struct mmamp_rpmsg_hdr, dst), 4);
	assert_int_equal(offsetof(struct mmamp_rpmsg_hdr, reserved), 8);
	assert_int_equal(offsetof(struct mmamp_rpmsg_hdr, len), 12);
	assert_int_equal(offsetof(struct mmamp_rpmsg_hdr, flags), 14);
	assert_int_equal(offsetof(struct mmamp_rpmsg_ns_msg, addr), 32);
	assert_int_equal(offsetof(struct mmamp_rpmsg_ns_msg, flags), 36);
	assert_int_equal(MMAMP_RPMSG_MTU, 496);
	assert_int_equal(mmamp_rpmsg_host_nbufs(256), 256);
	assert_int_equal(mmamp_rpmsg_host_nbufs(1024), 256);
	assert_int_equal(mmamp_rpmsg_host_nbufs(16), 16);
}

static void announcement_bytes_on_the_wire(void **state)
{
	struct pair *p = pair_new(NS_F);
	struct mmamp_rpmsg_ept e;
	struct sink s = { 0 };
	const uint8_t *b = p->mem + PAIR_BUFS; /* the host's first RX buffer */
	static const uint8_t expect_hdr[16] = {
		30, 0, 0, 0,  53, 0, 0, 0,  0, 0, 0, 0,  40, 0,  0, 0,
	};

	(void)state;
	assert_int_equal(mmamp_rpmsg_ept_init(&e, &p->remote, "rpmsg-tty", 30,
					      MMAMP_RPMSG_ADDR_ANY, sink_cb, &s), 0);
	assert_int_equal(pair_host_boot(p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_UP);
	assert_memory_equal(b, expect_hdr, 16);
	assert_string_equal((const char *)b + 16, "rpmsg-tty");
	for (int i = 16 + 9; i < 16 + 32; i++)
		assert_int_equal(b[i], 0); /* NUL-padded */
	assert_int_equal(b[16 + 32], 30);
	assert_int_equal(b[16 + 36], 0); /* CREATE */
	/* used.len = 16 + 40 on vring0 */
	assert_int_equal(((struct mmamp_vring_used *)(void *)(p->mem + PAIR_VRING0 +
				mmamp_vring_used_offset(PAIR_NUM, PAIR_ALIGN)))->ring[0].len, 56);
	pair_free(p);
}

/* ---- bring-up ---- */

static void remote_waits_for_driver_ok_and_touches_nothing(void **state)
{
	struct pair *p = pair_new(NS_F);
	uint8_t before[0x100];
	struct mmamp_rpmsg_ept e, e2;
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(mmamp_rpmsg_ept_init(&e, &p->remote, "svc", 40, MMAMP_RPMSG_ADDR_ANY,
					      sink_cb, &s), 0);
	/* 53 is the name service's even before features are negotiated */
	assert_int_equal(mmamp_rpmsg_ept_init(&e2, &p->remote, "ns", 53, MMAMP_RPMSG_ADDR_ANY,
					      sink_cb, &s), -MMAMP_EADDRINUSE);
	memcpy(before, p->mem, sizeof(before));
	p->vdev->status = MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER;
	for (int i = 0; i < 100; i++)
		assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
	assert_false(mmamp_rpmsg_is_up(&p->remote));
	assert_memory_equal(before, p->mem, sizeof(before));
	assert_int_equal(mmamp_rpmsg_send(&e, "x", 1), -MMAMP_ENOTCONN);
	pair_free(p);
}

static void channel_comes_up_from_the_announcement(void **state)
{
	struct world *w = *state;

	assert_string_equal(w->p->host_side.ns_name, "rpmsg-virtual-tty-channel-1");
	assert_int_equal(w->p->host_side.ns_addr, 30);
	assert_int_equal(w->p->host_side.ns_flags, MMAMP_RPMSG_NS_CREATE);
	assert_int_equal(w->host_ept.addr, 1024); /* first dynamic address */
	/* The remote doesn't know the host's address until the host speaks first. */
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "x", 1), -MMAMP_ENOTCONN);
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hello world!", 12), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(w->remote_sink.count, 1);
	assert_int_equal(w->remote_sink.src, 1024);
	assert_int_equal(w->remote_ept.dest_addr, 1024);
	assert_memory_equal(w->remote_sink.data, "hello world!", 12);
}

static void endpoint_addresses(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_ept a, b, c;
	struct sink s = { 0 };

	assert_int_equal(mmamp_rpmsg_ept_init(&a, &w->p->host, NULL, 1025, 30, sink_cb, &s), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&b, &w->p->host, NULL, 1025, 30, sink_cb, &s),
			 -MMAMP_EADDRINUSE);
	assert_int_equal(mmamp_rpmsg_ept_init(&b, &w->p->host, NULL, 53, 30, sink_cb, &s),
			 -MMAMP_EADDRINUSE); /* the name service owns 53 */
	assert_int_equal(mmamp_rpmsg_ept_init(&b, &w->p->host, NULL, MMAMP_RPMSG_ADDR_ANY, 30,
					      sink_cb, &s), 0);
	assert_int_equal(b.addr, 1026); /* skips 1024 and 1025 */
	assert_int_equal(mmamp_rpmsg_ept_init(&c, &w->p->host,
					      "a-name-of-exactly-32-characters!", 7, 30, sink_cb,
					      &s), -MMAMP_EINVAL);
	mmamp_rpmsg_ept_destroy(&a);
	assert_int_equal(mmamp_rpmsg_ept_init(&c, &w->p->host, NULL, 1025, 30, sink_cb, &s), 0);
}

/* ---- traffic ---- */

static void echo_496_bytes_past_index_wrap(void **state)
{
	struct world *w = *state;
	uint8_t msg[MMAMP_RPMSG_MTU];

	w->remote_sink.echo = 1;
	for (uint32_t i = 0; i < 70000; i++) {
		size_t n = (i % 50 == 0) ? MMAMP_RPMSG_MTU : 1 + i % 64;

		fill(msg, n, i);
		assert_int_equal(mmamp_rpmsg_send(&w->host_ept, msg, n), 0);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
		assert_int_equal(w->host_sink.count, i + 1);
		assert_int_equal(w->host_sink.len, n);
		assert_int_equal(w->host_sink.src, 30);
		assert_memory_equal(w->host_sink.data, msg, n);
	}
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx, 70000 + 1 /* ns */);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->remote)->tx, 70000 + 1);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 0);
}

/* With EVENT_IDX negotiated every message still rings exactly one doorbell each way. */
static void echo_with_event_idx_rings_once_per_message(void **state)
{
	struct pair *p = pair_new(NS_F | (1u << MMAMP_VIRTIO_RING_F_EVENT_IDX));
	struct mmamp_rpmsg_ept r, h;
	struct sink rs = { .echo = 1 }, hs = { 0 };
	unsigned int to_remote, to_host;

	(void)state;
	p->vdev->dfeatures |= 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX;
	assert_int_equal(mmamp_rpmsg_ept_init(&r, &p->remote, "echo", 30, MMAMP_RPMSG_ADDR_ANY,
					      sink_cb, &rs), 0);
	assert_int_equal(pair_host_boot(p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_UP);
	assert_true(p->remote.rvq.event_idx);
	assert_int_equal(mmamp_rpmsg_poll(&p->host), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&h, &p->host, NULL, MMAMP_RPMSG_ADDR_ANY, 30, sink_cb,
					      &hs), 0);
	for (unsigned int i = 0; i < 3000; i++) {
		to_remote = atomic_load(&p->remote_side.doorbells[1]);
		to_host = atomic_load(&p->host_side.doorbells[0]);
		assert_int_equal(mmamp_rpmsg_send(&h, "ping", 4), 0);
		assert_int_equal(atomic_load(&p->remote_side.doorbells[1]), to_remote + 1);
		assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
		assert_int_equal(atomic_load(&p->host_side.doorbells[0]), to_host + 1);
		assert_int_equal(mmamp_rpmsg_poll(&p->host), 0);
		assert_int_equal(hs.count, i + 1);
	}
	pair_free(p);
}

/* A remote callback that makes the host post one more message while the remote drains. */
struct post_more {
	struct mmamp_rpmsg_ept *host_ept;
	unsigned int count, to_post;
};

static int post_more_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src,
			void *priv)
{
	struct post_more *c = priv;

	(void)ept, (void)data, (void)len, (void)src;
	c->count++;
	if (c->to_post) {
		c->to_post--;
		assert_int_equal(mmamp_rpmsg_send(c->host_ept, "more", 4), 0);
	}
	return 0;
}

/*
 * The remote reads vring1's avail.idx once per drain round (docs/config.md, the remote fast
 * path). A message the host posts after that read is not lost: the host rings for it, and the
 * work is pending; with EVENT_IDX (where the host rings only past the avail_event it may have
 * read before our last take) the same poll looks again and delivers it.
 */
static void posted_during_drain(bool event_idx)
{
	uint32_t f = NS_F | (event_idx ? 1u << MMAMP_VIRTIO_RING_F_EVENT_IDX : 0);
	struct pair *p = pair_new(f);
	struct mmamp_rpmsg_ept r, h;
	struct post_more c = { &h, 0, 1 };
	struct sink hs = { 0 };
	unsigned int bells;

	p->vdev->dfeatures |= f;
	assert_int_equal(mmamp_rpmsg_ept_init(&r, &p->remote, "echo", 30, MMAMP_RPMSG_ADDR_ANY,
					      post_more_cb, &c), 0);
	assert_int_equal(pair_host_boot(p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_UP);
	assert_int_equal(p->remote.rvq.event_idx, event_idx);
	assert_int_equal(mmamp_rpmsg_poll(&p->host), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&h, &p->host, NULL, MMAMP_RPMSG_ADDR_ANY, 30, sink_cb,
					      &hs), 0);
	bells = atomic_load(&p->remote_side.doorbells[1]);
	assert_int_equal(mmamp_rpmsg_send(&h, "first", 5), 0);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
	assert_int_equal(atomic_load(&p->remote_side.doorbells[1]), bells + 2); /* one each */
	if (event_idx) {
		assert_int_equal(c.count, 2);
	} else {
		assert_int_equal(c.count, 1);
		assert_true(mmamp_rpmsg_work_pending(&p->remote));
		assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
		assert_int_equal(c.count, 2);
	}
	assert_false(mmamp_rpmsg_work_pending(&p->remote));
	assert_int_equal(mmamp_rpmsg_stats(&p->remote)->rx, 2);
	pair_free(p);
}

static void message_posted_during_a_drain_is_not_lost(void **state)
{
	(void)state;
	posted_during_drain(false);
	posted_during_drain(true);
}

/* The host counts what the remote has not handed back, per source address. */
static void tx_in_flight_counts_what_the_remote_still_holds(void **state)
{
	struct world *w = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "x", 1), 0);
	assert_int_equal(mmamp_rpmsg_tx_in_flight(&w->p->host, w->host_ept.addr), 3);
	assert_int_equal(mmamp_rpmsg_tx_in_flight(&w->p->host, w->host_ept.addr + 1), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0); /* consumed and handed back */
	assert_int_equal(w->remote_sink.count, 3);
	assert_int_equal(mmamp_rpmsg_tx_in_flight(&w->p->host, w->host_ept.addr), 0);
	assert_int_equal(mmamp_rpmsg_tx_in_flight(&w->p->remote, w->remote_ept.addr), 0);
	/* the buffers taken back are used again */
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "y", 1), 0);
	assert_int_equal(mmamp_rpmsg_tx_in_flight(&w->p->host, w->host_ept.addr), 1);
}

static void oversized_and_bad_arguments(void **state)
{
	struct world *w = *state;
	uint8_t msg[MMAMP_RPMSG_MTU + 1] = { 0 };

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, msg, sizeof(msg)), -MMAMP_EMSGSIZE);
	assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, MMAMP_RPMSG_ADDR_ANY, msg, 1),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, NULL, 5), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, NULL, 0), 0); /* empty message is fine */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(w->remote_sink.count, 1);
	assert_int_equal(w->remote_sink.len, 0);
}

static void unknown_endpoint_is_counted_and_buffer_recycled(void **state)
{
	struct world *w = *state;

	for (int i = 0; i < 3 * (int)PAIR_NUM; i++) {
		assert_int_equal(mmamp_rpmsg_sendto(&w->host_ept, 31, "lost", 4), 0);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	}
	assert_int_equal(mmamp_rpmsg_stats(&w->p->remote)->rx_no_ept, 3 * PAIR_NUM);
	assert_int_equal(w->remote_sink.count, 0);
	/* and the other direction: the remote sends to an address the host doesn't have */
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	for (int i = 0; i < 3 * (int)PAIR_NUM; i++) {
		assert_int_equal(mmamp_rpmsg_sendto(&w->remote_ept, 4000, "x", 1), 0);
		assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	}
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_no_ept, 3 * PAIR_NUM);
}

static void nonblocking_send_reports_no_buffer(void **state)
{
	struct world *w = *state;
	unsigned int i;

	for (i = 0; i < PAIR_NUM; i++)
		assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "m", 1), 0);
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "m", 1), -MMAMP_ENOBUFS);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->tx_no_buf, 1);
	/* the remote consumes; the host recycles the returned buffers */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(w->remote_sink.count, PAIR_NUM);
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "m", 1), 0);

	/* the remote side: the host posted PAIR_NUM RX buffers */
	for (i = 0; i < PAIR_NUM; i++)
		assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "r", 1), 0);
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "r", 1), -MMAMP_ENOBUFS);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.count, PAIR_NUM);
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "r", 1), 0);
}

static struct world *hook_world;

/* The "other core" runs while we wait: it drains the ring and returns buffers. */
static int remote_runs_while_host_waits(void *ctx, uint32_t timeout_us)
{
	(void)ctx;
	assert_true(timeout_us > 0);
	mmamp_rpmsg_poll(&hook_world->p->remote);
	return 0;
}

static void blocking_send_waits_for_a_buffer(void **state)
{
	struct world *w = *state;

	for (unsigned int i = 0; i < PAIR_NUM; i++)
		assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "m", 1), 0);
	/* nobody returns buffers: times out through the port's wait hook */
	assert_int_equal(mmamp_rpmsg_sendto_timeout(&w->host_ept, 30, "m", 1, 1000),
			 -MMAMP_ETIMEDOUT);
	assert_int_equal(w->p->host_side.waits, 1);
	/* TX-complete interrupts were asked for only while waiting */
	assert_int_equal(w->p->host.svq.avail->flags, MMAMP_VRING_AVAIL_F_NO_INTERRUPT);
	hook_world = w;
	w->p->host_side.wait_hook = remote_runs_while_host_waits;
	assert_int_equal(mmamp_rpmsg_sendto_timeout(&w->host_ept, 30, "m", 1, 1000), 0);
	assert_int_equal(w->p->host_side.waits, 2);
	/* while the host waited, the remote saw interrupts enabled and rang vring1's doorbell */
	assert_true(atomic_load(&w->p->host_side.doorbells[1]) >= 1);
}

static void zero_copy_send_and_held_receive(void **state)
{
	struct world *w = *state;
	uint32_t size;
	int err;
	uint8_t *buf;
	void *held;

	/* host: get, fill, send without copying */
	buf = mmamp_rpmsg_get_tx_buffer(&w->host_ept, &size, 0, &err);
	assert_non_null(buf);
	assert_int_equal(err, 0);
	assert_int_equal(size, MMAMP_RPMSG_MTU);
	fill(buf, size, 9);
	assert_int_equal(mmamp_rpmsg_send_nocopy(&w->host_ept, 30, buf, size), 0);
	/* remote holds the RX buffer past its callback */
	w->remote_sink.hold = 1;
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	held = w->remote_sink.held;
	assert_non_null(held);
	assert_int_equal(mmamp_vq_outstanding(&w->p->remote.rvq), 1);
	{
		uint8_t expect[MMAMP_RPMSG_MTU];

		fill(expect, sizeof(expect), 9);
		assert_memory_equal(held, expect, sizeof(expect));
	}
	/* remote: zero-copy reply, then release the held buffer */
	buf = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	assert_non_null(buf);
	assert_int_equal(size, MMAMP_RPMSG_MTU);
	memcpy(buf, held, 100);
	assert_int_equal(mmamp_rpmsg_release_rx(&w->p->remote, held), 0);
	assert_int_equal(mmamp_vq_outstanding(&w->p->remote.rvq), 0);
	assert_int_equal(mmamp_rpmsg_send_nocopy(&w->remote_ept, w->remote_ept.dest_addr, buf, 100),
			 0);
	/* host holds it, then releases: the RX buffer is posted again */
	w->host_sink.hold = 1;
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.len, 100);
	assert_int_equal(mmamp_vq_outstanding(&w->p->host.rvq), PAIR_NUM - 1);
	assert_int_equal(mmamp_rpmsg_release_rx(&w->p->host, w->host_sink.held), 0);
	assert_int_equal(mmamp_vq_outstanding(&w->p->host.rvq), PAIR_NUM);
	assert_int_equal(mmamp_rpmsg_release_rx(&w->p->host, w->host_sink.held), -MMAMP_EBUSY);
	assert_int_equal(mmamp_rpmsg_release_rx(&w->p->host, (uint8_t *)w->host_sink.held + 1),
			 -MMAMP_EINVAL);
}

static void reserved_tx_buffers_can_be_given_back(void **state)
{
	struct world *w = *state;
	void *bufs[PAIR_NUM];
	uint32_t size;
	int err;

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	for (int round = 0; round < 3; round++) {
		/* remote: reserve every host RX buffer, give them all back, reserve again */
		for (unsigned int i = 0; i < PAIR_NUM; i++) {
			bufs[i] = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
			assert_non_null(bufs[i]);
		}
		assert_null(mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err));
		assert_int_equal(err, -MMAMP_ENOBUFS);
		for (unsigned int i = 0; i < PAIR_NUM; i++)
			assert_int_equal(mmamp_rpmsg_release_tx_buffer(&w->p->remote, bufs[i]), 0);
		/* host: same with its TX pool, including a double give-back */
		for (unsigned int i = 0; i < PAIR_NUM; i++)
			bufs[i] = mmamp_rpmsg_get_tx_buffer(&w->host_ept, &size, 0, &err);
		assert_null(mmamp_rpmsg_get_tx_buffer(&w->host_ept, &size, 0, &err));
		for (unsigned int i = 0; i < PAIR_NUM; i++)
			assert_int_equal(mmamp_rpmsg_release_tx_buffer(&w->p->host, bufs[i]), 0);
		assert_int_equal(mmamp_rpmsg_release_tx_buffer(&w->p->host, bufs[0]), -MMAMP_EINVAL);
	}
	/* everything still flows */
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "ok", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.count, 1);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 0);
}

static void host_reset_takes_the_link_down_and_up_again(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_ept again;

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(w->remote_ept.dest_addr, 1024);

	w->p->vdev->status = 0; /* virtio reset: rproc stop / detach */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), MMAMP_RPMSG_LINK_DOWN);
	assert_false(mmamp_rpmsg_is_up(&w->p->remote));
	assert_int_equal(w->remote_ept.dest_addr, MMAMP_RPMSG_ADDR_ANY); /* learned: forgotten */
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "x", 1), -MMAMP_ENOTCONN);

	/* host boots the vdev again: rings zeroed, a new channel with a new address */
	w->p->host_side.ns_calls = 0;
	assert_int_equal(pair_host_boot(w->p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), MMAMP_RPMSG_LINK_UP);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 1); /* announced again */
	assert_int_equal(mmamp_rpmsg_ept_init(&again, &w->p->host, NULL, 2000, 30, sink_cb,
					      &w->host_sink), 0);
	w->remote_sink.echo = 1;
	assert_int_equal(mmamp_rpmsg_send(&again, "again", 5), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(w->remote_ept.dest_addr, 2000);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_memory_equal(w->host_sink.data, "again", 5);
}

static void ns_destroy_on_endpoint_destroy(void **state)
{
	struct world *w = *state;

	mmamp_rpmsg_ept_destroy(&w->remote_ept);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 2);
	assert_int_equal(w->p->host_side.ns_flags, MMAMP_RPMSG_NS_DESTROY);
	assert_int_equal(w->p->host_side.ns_addr, 30);
	/* and an endpoint created while the link is up is announced at once */
	assert_int_equal(mmamp_rpmsg_ept_init(&w->remote_ept, &w->p->remote, "late", 31,
					      MMAMP_RPMSG_ADDR_ANY, sink_cb, &w->remote_sink), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_string_equal(w->p->host_side.ns_name, "late");
	assert_int_equal(w->p->host_side.ns_flags, MMAMP_RPMSG_NS_CREATE);
}

/* ---- hostile peers ---- */

static struct mmamp_vring_used *host_rx_used(struct world *w)
{
	return w->p->host.rvq.used;
}

static void hostile_remote_header_len_is_dropped_and_buffer_reposted(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_hdr *h;
	uint32_t size;
	int err;
	uint8_t *buf;

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	buf = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	h = (struct mmamp_rpmsg_hdr *)(void *)buf - 1;
	assert_int_equal(mmamp_rpmsg_send_nocopy(&w->remote_ept, 1024, buf, 10), 0);
	h->len = 200; /* claims more than the 26 bytes it returned */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 1);
	assert_int_equal(w->host_sink.count, 0);
	assert_int_equal(mmamp_vq_outstanding(&w->p->host.rvq), PAIR_NUM); /* re-posted */
	/* a used.len shorter than a header */
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "abc", 3), 0);
	host_rx_used(w)->ring[(host_rx_used(w)->idx - 1) % PAIR_NUM].len = 3;
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 2);
	/* still works */
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "abc", 3), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.count, 1);
}

static void hostile_remote_used_len_breaks_the_host(void **state)
{
	struct world *w = *state;
	struct mmamp_diag d;
	char text[128];

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "abc", 3), 0);
	host_rx_used(w)->ring[(host_rx_used(w)->idx - 1) % PAIR_NUM].len = 4096;
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), -MMAMP_EIO);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), -MMAMP_EIO);
	assert_int_equal(mmamp_rpmsg_fault(&w->p->host, &d), -MMAMP_EIO);
	mmamp_diag_format(&d, text, sizeof(text));
	assert_string_equal(text, "used ring: ring[].len 0x1000 exceeds the buffer posted");
	/* TX uses the other queue and still works; RX stays refused */
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "x", 1), 0);
}

static void hostile_remote_ns_message(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_ns_msg m;

	memset(&m, 'A', sizeof(m)); /* name without NUL */
	m.addr = 77;
	m.flags = 0xFFFFFFFE; /* only bit 0 means anything */
	assert_int_equal(mmamp_rpmsg_sendto(&w->remote_ept, MMAMP_RPMSG_NS_ADDR, &m, sizeof(m)),
			 0);
	assert_int_equal(mmamp_rpmsg_sendto(&w->remote_ept, MMAMP_RPMSG_NS_ADDR, &m, 39), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->p->host_side.ns_calls, 2);
	assert_int_equal(strlen(w->p->host_side.ns_name), 31); /* forced NUL at [31] */
	assert_int_equal(w->p->host_side.ns_addr, 77);
	assert_int_equal(w->p->host_side.ns_flags, MMAMP_RPMSG_NS_CREATE);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 1); /* the 39-byte one */
}

static void hostile_host_bad_vring_da_refused_until_reset(void **state)
{
	struct pair *p = pair_new(NS_F);
	struct mmamp_diag d;
	char text[128];

	(void)state;
	assert_int_equal(pair_host_boot(p), 0);
	p->vdev->vring[1].da = PAIR_DA + PAIR_SIZE - 0x100; /* ring would run off the window */
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), -MMAMP_EPROTO);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), -MMAMP_EPROTO);
	assert_int_equal(mmamp_rpmsg_fault(&p->remote, &d), -MMAMP_EPROTO);
	mmamp_diag_format(&d, text, sizeof(text));
	assert_string_equal(text, "live vdev vring 1: da 0x90013f00 puts the ring outside shared memory");
	p->vdev->status = 0;
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
	assert_int_equal(pair_host_boot(p), 0);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_UP);

	p->vdev->status = 0;
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_DOWN);
	p->vdev->vring[0].num = 24; /* not a power of two */
	p->vdev->status = 7;
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), -MMAMP_EPROTO);
	assert_int_equal(mmamp_rpmsg_fault(&p->remote, &d), -MMAMP_EPROTO);
	assert_string_equal(d.field, "num/align");
	assert_int_equal(d.index, 0);

	p->vdev->status = 0;
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0);
	p->vdev->vring[0].num = PAIR_NUM;
	p->vdev->num_of_vrings = 1;
	p->vdev->status = 7;
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), -MMAMP_EPROTO);
	assert_int_equal(mmamp_rpmsg_fault(&p->remote, &d), -MMAMP_EPROTO);
	assert_string_equal(d.field, "num_of_vrings");
	assert_int_equal(d.value, 1);
	pair_free(p);
}

/*
 * The used index is adopted at link-up (docs/interop.md), but nothing else is guessed: a master
 * whose avail index is more than a ring ahead when the link comes up gets the usual fault, and
 * one that adopted a pre-returned used index still has every buffer checked.
 */
static void inconsistent_rings_at_link_up_get_the_usual_fault(void **state)
{
	struct pair *p = pair_new(NS_F);
	struct mmamp_vring_avail *avail1;
	struct mmamp_vring_used *used1;
	struct mmamp_diag d;
	char text[128];

	(void)state;
	assert_int_equal(pair_host_boot(p), 0);
	used1 = p->host.svq.used;
	avail1 = p->host.svq.avail;
	used1->idx = 1000; /* adopted: the remote publishes from 1000 on */
	avail1->idx = PAIR_NUM + 3; /* more than a ring's worth to take: inconsistent */
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), -MMAMP_EIO);
	assert_int_equal(mmamp_rpmsg_fault(&p->remote, &d), -MMAMP_EIO);
	mmamp_diag_format(&d, text, sizeof(text));
	assert_string_equal(text, "avail ring: idx 0x13 is more than num ahead");
	assert_int_equal(used1->idx, 1000); /* nothing published over it */
	pair_free(p);
}

static void hostile_host_descriptor_outside_window(void **state)
{
	struct world *w = *state;
	struct mmamp_diag d;

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	w->p->host.svq.desc[0].addr_lo = 0x1000; /* point the remote at its own vector table */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), -MMAMP_EIO);
	assert_int_equal(mmamp_rpmsg_fault(&w->p->remote, &d), -MMAMP_EIO);
	assert_string_equal(d.field, "addr");
	assert_int_equal(d.value, 0x1000);
	assert_int_equal(w->remote_sink.count, 0);
}

static void hostile_host_posts_unusable_rx_buffers(void **state)
{
	struct world *w = *state;
	struct mmamp_vq *rx = &w->p->host.rvq;

	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->remote), 0);
	/* the host's next two RX buffers become read-only and too short */
	rx->desc[1].flags = 0;
	rx->desc[2].len = 8;
	assert_int_equal(mmamp_rpmsg_send(&w->remote_ept, "x", 1), 0);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->remote)->rx_malformed, 2);
	/* they came back empty: counted by the host too, re-posted (rewritten), and no harm done */
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(mmamp_rpmsg_stats(&w->p->host)->rx_malformed, 2);
	assert_int_equal(w->host_sink.count, 1);
	assert_int_equal(mmamp_vq_outstanding(rx), PAIR_NUM);
}

/* Found by fuzz_vring_device: a buffer address inside the window but not 4-byte aligned made
 * every header access on the remote a misaligned load/store (UB; a fault on some cores). */
static void hostile_host_misaligned_buffers_are_dropped(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_dev *r = &w->p->remote;
	uint32_t size;
	uintptr_t link;
	uint8_t *p, *q;
	int err;

	/* RX on the remote: the host's message moved one byte up (still inside the window) */
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "hi", 2), 0);
	w->p->host.svq.desc[0].addr_lo += 1;
	assert_int_equal(mmamp_rpmsg_poll(r), 0);
	assert_int_equal(w->remote_sink.count, 0);
	assert_int_equal(mmamp_rpmsg_stats(r)->rx_malformed, 1);
	/* TX on the remote: the next RX buffer the host posted is misaligned, the one after is not */
	w->p->host.rvq.desc[1].addr_lo += 2;
	assert_int_equal(mmamp_rpmsg_sendto(&w->remote_ept, w->host_ept.addr, "x", 1), 0);
	assert_int_equal(mmamp_rpmsg_stats(r)->rx_malformed, 2);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.count, 1);
	/* a spare-list link the host rewrote to a misaligned address is dropped, not followed */
	p = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	q = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, q), 0);
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, p), 0);
	link = (uintptr_t)(q - MMAMP_RPMSG_HDR_SIZE) + 1u;
	memcpy(p - MMAMP_RPMSG_HDR_SIZE, &link, sizeof(link));
	assert_ptr_equal(mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err), p);
	assert_null(r->tx_spare);
	/* misaligned pointers given back by the application are refused before any read */
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, p + 1), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rpmsg_send_nocopy(&w->remote_ept, 0x400, p + 2, 1), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rpmsg_release_rx(r, p + 3), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, p), 0);
}

/* Found by fuzz_vring_device: releasing one remote TX buffer twice put it on the spare list
 * twice, a cycle that handed the same buffer (and head) to every later send. */
static void remote_double_release_is_refused(void **state)
{
	struct world *w = *state;
	struct mmamp_rpmsg_dev *r = &w->p->remote;
	uint32_t size;
	uint8_t *p, *q;
	int err;

	p = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	assert_non_null(p);
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, p), 0);
	assert_int_equal(mmamp_rpmsg_release_tx_buffer(r, p), -MMAMP_EINVAL);
	q = mmamp_rpmsg_get_tx_buffer(&w->remote_ept, &size, 0, &err);
	assert_ptr_equal(q, p);
	assert_null(r->tx_spare); /* taken once, and the list is empty again */
	assert_int_equal(mmamp_rpmsg_send_nocopy(&w->remote_ept, w->host_ept.addr, q, 3), 0);
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), 0);
	assert_int_equal(w->host_sink.count, 1);
}

/* Found by fuzz_rpmsg_host: a used ring violation on vring1 broke the host's TX queue, but
 * poll kept returning 0, so the owner (which watches poll) never saw the vdev break. */
static void hostile_remote_breaking_tx_queue_is_reported_by_poll(void **state)
{
	struct world *w = *state;
	struct mmamp_vring_used *u = (struct mmamp_vring_used *)(void *)(w->p->mem + PAIR_VRING1 +
					mmamp_vring_used_offset(PAIR_NUM, PAIR_ALIGN));
	struct mmamp_diag d;

	for (unsigned i = 0; i < PAIR_NUM; i++)
		assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "x", 1), 0);
	u->idx = 100; /* "returned" far more than was ever in flight */
	assert_int_equal(mmamp_rpmsg_send(&w->host_ept, "x", 1), -MMAMP_EIO);
	assert_true(mmamp_rpmsg_work_pending(&w->p->host));
	assert_int_equal(mmamp_rpmsg_poll(&w->p->host), -MMAMP_EIO);
	assert_int_equal(mmamp_rpmsg_fault(&w->p->host, &d), -MMAMP_EIO);
	assert_string_equal(d.where, "used ring");
	assert_string_equal(d.field, "idx");
}

/* Found by fuzz_vring_device: one short (but >= 16 B) RX buffer from the host failed the
 * announcement with -EMSGSIZE, stayed on the spare list, and failed every later poll the
 * same way before any message was received. */
static void hostile_host_short_buffer_does_not_stall_the_remote(void **state)
{
	struct pair *p = pair_new(NS_F);
	struct mmamp_rpmsg_ept e;
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(mmamp_rpmsg_ept_init(&e, &p->remote, "rpmsg-tty", 30,
					      MMAMP_RPMSG_ADDR_ANY, sink_cb, &s), 0);
	assert_int_equal(pair_host_boot(p), 0);
	p->host.rvq.desc[0].len = 20; /* room for a header and 4 bytes, not for an NS message */
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), MMAMP_RPMSG_LINK_UP);
	assert_int_equal(mmamp_rpmsg_stats(&p->remote)->rx_malformed, 1);
	assert_int_equal(mmamp_rpmsg_poll(&p->remote), 0); /* announced in the next buffer */
	assert_int_equal(mmamp_rpmsg_poll(&p->host), 0);
	assert_int_equal(p->host_side.ns_calls, 1);
	assert_int_equal(p->host_side.ns_addr, 30);
	assert_int_equal(mmamp_rpmsg_stats(&p->host)->rx_malformed, 1); /* the empty one */
	pair_free(p);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_and_ns_layout_match_linux),
		cmocka_unit_test(announcement_bytes_on_the_wire),
		cmocka_unit_test(remote_waits_for_driver_ok_and_touches_nothing),
		T(channel_comes_up_from_the_announcement),
		T(endpoint_addresses),
		T(echo_496_bytes_past_index_wrap),
		cmocka_unit_test(echo_with_event_idx_rings_once_per_message),
		cmocka_unit_test(message_posted_during_a_drain_is_not_lost),
		T(oversized_and_bad_arguments),
		T(unknown_endpoint_is_counted_and_buffer_recycled),
		T(nonblocking_send_reports_no_buffer),
		T(blocking_send_waits_for_a_buffer),
		T(zero_copy_send_and_held_receive),
		T(reserved_tx_buffers_can_be_given_back),
		T(host_reset_takes_the_link_down_and_up_again),
		T(tx_in_flight_counts_what_the_remote_still_holds),
		T(ns_destroy_on_endpoint_destroy),
		T(hostile_remote_header_len_is_dropped_and_buffer_reposted),
		T(hostile_remote_used_len_breaks_the_host),
		T(hostile_remote_ns_message),
		cmocka_unit_test(hostile_host_bad_vring_da_refused_until_reset),
		cmocka_unit_test(inconsistent_rings_at_link_up_get_the_usual_fault),
		T(hostile_host_descriptor_outside_window),
		T(hostile_host_posts_unusable_rx_buffers),
		T(hostile_host_misaligned_buffers_are_dropped),
		T(hostile_remote_breaking_tx_queue_is_reported_by_poll),
		T(remote_double_release_is_refused),
		cmocka_unit_test(hostile_host_short_buffer_does_not_stall_the_remote),
	};
	return cmocka_run_group_tests_name("rpmsg", tests, NULL, NULL);
}
