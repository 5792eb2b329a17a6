/*
 * test_vring.c — the split virtqueue in both roles: golden layouts from the reference, a driver
 * and a device talking through one shared buffer (past the u16 index wrap), notification
 * suppression with flags and EVENT_IDX, and a hostile peer for every field it can corrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/errno.h"
#include "mmamp/vring.h"

#define NUM 16u
#define ALIGN 4096u
#define BUF_SIZE 512u
#define SHM_DA 0x90000000ull
#define GUARD 4096u

/* A shared window with guard bytes on both sides that nothing may ever touch. */
struct fixture {
	uint8_t *mem;   /* guard | window | guard */
	uint8_t *win;
	size_t win_size;
	struct mmamp_shm shm;
	struct mmamp_vq drv, dev;
	struct mmamp_vq_desc_state state[NUM];
	uint8_t *bufs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->win_size = 0x4000 + NUM * BUF_SIZE;
	f->mem = aligned_alloc(4096, GUARD + f->win_size + GUARD);
	memset(f->mem, 0xA5, GUARD + f->win_size + GUARD);
	f->win = f->mem + GUARD;
	f->shm = (struct mmamp_shm){ f->win, SHM_DA, f->win_size };
	f->bufs = f->win + 0x4000;
	assert_int_equal(mmamp_vq_init_driver(&f->drv, f->win, NUM, ALIGN, &f->shm, f->state, 0), 0);
	assert_int_equal(mmamp_vq_init_device(&f->dev, f->win, NUM, ALIGN, &f->shm, BUF_SIZE, 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < GUARD; i++) {
		assert_int_equal(f->mem[i], 0xA5);
		assert_int_equal(f->mem[GUARD + f->win_size + i], 0xA5);
	}
	free(f->mem);
	free(f);
	return 0;
}

static uint64_t buf_da(struct fixture *f, unsigned i)
{
	return mmamp_shm_da_of(&f->shm, f->bufs + i * BUF_SIZE);
}

/* ---- layout ---- */

static void golden_layouts_match_the_reference(void **state)
{
	(void)state;
	assert_int_equal(mmamp_vring_used_offset(256, 4096), 0x2000);
	assert_int_equal(mmamp_vring_size(256, 4096), 0x2806);
	assert_int_equal(mmamp_vring_used_offset(256, 16), 0x1210);
	assert_int_equal(mmamp_vring_size(256, 16), 0x1A16);
	assert_int_equal(mmamp_vring_used_offset(16, 4096), 0x1000);
	assert_int_equal(mmamp_vring_size(16, 4096), 0x1086);

	assert_int_equal(offsetof(struct mmamp_vring_desc, len), 8);
	assert_int_equal(offsetof(struct mmamp_vring_desc, flags), 12);
	assert_int_equal(offsetof(struct mmamp_vring_desc, next), 14);
	assert_int_equal(offsetof(struct mmamp_vring_avail, ring), 4);
	assert_int_equal(offsetof(struct mmamp_vring_used, ring), 4);
	assert_int_equal(offsetof(struct mmamp_vring_used_elem, len), 4);
}

static void init_places_the_rings_like_linux(void **state)
{
	static _Alignas(4096) uint8_t ring[0x3000];
	struct mmamp_shm shm = { ring, 0x90000000, sizeof(ring) };
	static struct mmamp_vq_desc_state st[256];
	struct mmamp_vq vq;

	(void)state;
	memset(ring, 0xEE, sizeof(ring));
	assert_int_equal(mmamp_vq_init_driver(&vq, ring, 256, 4096, &shm, st, 0), 0);
	assert_ptr_equal(vq.avail, ring + 0x1000);
	assert_ptr_equal(vq.used, ring + 0x2000);
	for (size_t i = 0; i < 0x2806; i++)
		assert_int_equal(ring[i], 0); /* zeroed like find_vqs */
	assert_int_equal(ring[0x2806], 0xEE); /* and not a byte more */
	assert_int_equal(mmamp_vq_init_driver(&vq, ring, 256, 16, &shm, st, 0), 0);
	assert_ptr_equal(vq.used, ring + 0x1210);
}

static void bad_geometry_and_placement_are_refused(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq vq;

	assert_int_equal(mmamp_vq_check_geometry(0, 16), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(3, 16), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(65536, 16), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(16, 0), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(16, 2), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(16, 24), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_check_geometry(32768, 4096), 0);
	/* ring not inside the window, or misaligned */
	assert_int_equal(mmamp_vq_init_device(&vq, f->win + f->win_size - 64, NUM, ALIGN, &f->shm,
					      0, 0), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_init_device(&vq, f->win + 8, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_init_driver(&vq, f->win, NUM, ALIGN, &f->shm, NULL, 0),
			 -MMAMP_EINVAL);
}

/*
 * The device's window check (src/core/vring_dev.h) treats an address below the window as an
 * offset above its size, which holds only for a window that does not wrap the device address
 * space: such a window is refused when the queue is set up, as one no pointer could span.
 */
static void window_that_wraps_the_address_space_is_refused(void **state)
{
	struct fixture *f = *state;
	struct mmamp_shm wraps = { f->win, UINT64_MAX - 0xFFFu, f->win_size };
	struct mmamp_shm top = { f->win, UINT64_MAX - f->win_size + 1u, f->win_size };
	struct mmamp_vq vq;

	assert_int_equal(mmamp_vq_init_device(&vq, f->win, NUM, ALIGN, &wraps, 0, 0),
			 -MMAMP_EINVAL);
	/* ending exactly at the top of the address space is still a window */
	assert_int_equal(mmamp_vq_init_device(&vq, f->win, NUM, ALIGN, &top, 0, 0), 0);
}

/*
 * mmamp_vq_init_device_at() (the remote's set-up from the live table's da): the same queue as
 * mmamp_vq_init_device() on the translated ring; geometry refused with -EINVAL, a ring not
 * wholly inside the window, misaligned, or in an unusable window with -ERANGE.
 */
static void device_setup_from_a_device_address(void **state)
{
	struct fixture *f = *state;
	struct mmamp_shm wraps = { f->win, UINT64_MAX - 0xFFFu, f->win_size };
	uint64_t end = SHM_DA + f->win_size;
	struct mmamp_vq vq;

	assert_int_equal(mmamp_vq_init_device_at(&vq, SHM_DA, NUM, ALIGN, &f->shm, BUF_SIZE, 0), 0);
	assert_memory_equal(&vq, &f->dev, sizeof(vq));
	assert_int_equal(mmamp_vq_init_device_at(&vq, SHM_DA, 3, ALIGN, &f->shm, 0, 0),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_init_device_at(&vq, SHM_DA, NUM, 24, &f->shm, 0, 0),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_init_device_at(NULL, SHM_DA, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_EINVAL);
	/* below, across the end, past the end, misaligned; and a window that wraps */
	assert_int_equal(mmamp_vq_init_device_at(&vq, SHM_DA - 16, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_ERANGE);
	assert_int_equal(mmamp_vq_init_device_at(&vq, end - 64, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_ERANGE);
	assert_int_equal(mmamp_vq_init_device_at(&vq, end, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_ERANGE);
	assert_int_equal(mmamp_vq_init_device_at(&vq, SHM_DA + 8, NUM, ALIGN, &f->shm, 0, 0),
			 -MMAMP_ERANGE);
	assert_int_equal(mmamp_vq_init_device_at(&vq, UINT64_MAX - 0xFFFu, NUM, ALIGN, &wraps, 0,
						 0), -MMAMP_ERANGE);
}

/* ---- both roles talking ---- */

/* One exchange: driver posts a device-writable buffer, device fills it, driver reaps it. */
static void exchange(struct fixture *f, uint32_t seq)
{
	struct mmamp_vq_buf b;
	uint16_t head, slot = (uint16_t)(seq % NUM);
	uint32_t len, n = 1 + seq % BUF_SIZE;

	assert_int_equal(mmamp_vq_add(&f->drv, slot, buf_da(f, slot), BUF_SIZE, true), 0);
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	assert_int_equal(b.head, slot);
	assert_true(b.device_writable);
	assert_int_equal(b.len, BUF_SIZE);
	assert_ptr_equal(b.data, f->bufs + slot * BUF_SIZE);
	memset(b.data, (int)(seq & 0xFF), n);
	assert_int_equal(mmamp_vq_put_used(&f->dev, b.head, n), 0);
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), 0);
	assert_int_equal(head, slot);
	assert_int_equal(len, n);
	assert_int_equal(f->bufs[slot * BUF_SIZE + n - 1], seq & 0xFF);
}

static void driver_and_device_exchange_past_index_wrap(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;
	struct mmamp_vq_buf b;

	for (uint32_t seq = 0; seq < 200000; seq++)
		exchange(f, seq);
	/* free-running indices wrapped three times and still agree */
	assert_int_equal(f->drv.avail->idx, (uint16_t)200000);
	assert_int_equal(f->drv.used->idx, (uint16_t)200000);
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EAGAIN);
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), -MMAMP_EAGAIN);
}

static void full_ring_batches_out_of_order(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b[NUM];
	uint16_t head;
	uint32_t len;
	unsigned seen = 0;

	for (unsigned round = 0; round < 5000; round++) {
		for (uint16_t i = 0; i < NUM; i++)
			assert_int_equal(mmamp_vq_add(&f->drv, i, buf_da(f, i), 64, false), 0);
		assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 64, false), -MMAMP_EBUSY);
		for (unsigned i = 0; i < NUM; i++)
			assert_int_equal(mmamp_vq_get_avail(&f->dev, &b[i]), 0);
		assert_int_equal(mmamp_vq_outstanding(&f->dev), NUM);
		for (unsigned i = NUM; i-- > 0;) /* return in reverse order */
			assert_int_equal(mmamp_vq_put_used(&f->dev, b[i].head, 0xDEAD), 0);
		seen = 0;
		while (mmamp_vq_get_used(&f->drv, &head, &len) == 0) {
			assert_int_equal(len, 0); /* device-readable: len means nothing */
			seen |= 1u << head;
		}
		assert_int_equal(seen, (1u << NUM) - 1);
	}
	assert_false(mmamp_vq_is_broken(&f->drv));
	assert_false(mmamp_vq_is_broken(&f->dev));
}

static void caller_mistakes_are_einval_not_broken(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmamp_vq_add(&f->drv, NUM, buf_da(f, 0), 16, true), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 0, true), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_add(&f->drv, 0, SHM_DA + f->win_size, 16, true), -MMAMP_EINVAL);
	assert_int_equal(mmamp_vq_put_used(&f->dev, 0, 0), -MMAMP_EINVAL); /* nothing taken */
	assert_int_equal(mmamp_vq_put_used(&f->dev, NUM, 0), -MMAMP_EINVAL);
	assert_false(mmamp_vq_is_broken(&f->drv));
	assert_false(mmamp_vq_is_broken(&f->dev));
}

/* ---- notifications ---- */

static void flag_based_suppression(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;

	/* device has not asked for silence: driver must kick, once per batch */
	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	assert_true(mmamp_vq_kick_prepare(&f->drv));
	assert_false(mmamp_vq_kick_prepare(&f->drv));
	mmamp_vq_disable_cb(&f->dev); /* device polls: used.flags = NO_NOTIFY */
	assert_int_equal(f->dev.used->flags, MMAMP_VRING_USED_F_NO_NOTIFY);
	assert_int_equal(mmamp_vq_add(&f->drv, 1, buf_da(f, 1), 16, true), 0);
	assert_false(mmamp_vq_kick_prepare(&f->drv));
	/* re-enabling reports the work that arrived while disabled */
	assert_true(mmamp_vq_enable_cb(&f->dev));

	/* driver side: NO_INTERRUPT silences the device */
	mmamp_vq_disable_cb(&f->drv);
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	assert_int_equal(mmamp_vq_put_used(&f->dev, b.head, 1), 0);
	assert_false(mmamp_vq_kick_prepare(&f->dev));
	assert_true(mmamp_vq_enable_cb(&f->drv)); /* one used entry is waiting */
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	assert_int_equal(mmamp_vq_put_used(&f->dev, b.head, 1), 0);
	assert_true(mmamp_vq_kick_prepare(&f->dev));
}

static void event_idx_suppression(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;

	assert_int_equal(mmamp_vq_init_driver(&f->drv, f->win, NUM, ALIGN, &f->shm, f->state,
					      MMAMP_VQ_F_EVENT_IDX), 0);
	assert_int_equal(mmamp_vq_init_device(&f->dev, f->win, NUM, ALIGN, &f->shm, BUF_SIZE,
					      MMAMP_VQ_F_EVENT_IDX), 0);
	/* avail_event = 0: the first buffer (idx 0 → 1) needs a kick */
	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	assert_true(mmamp_vq_kick_prepare(&f->drv));
	/* device has not re-armed (avail_event still 0): no kick for idx 1 → 3 */
	assert_int_equal(mmamp_vq_add(&f->drv, 1, buf_da(f, 1), 16, true), 0);
	assert_int_equal(mmamp_vq_add(&f->drv, 2, buf_da(f, 2), 16, true), 0);
	assert_false(mmamp_vq_kick_prepare(&f->drv));
	/* device consumes everything and re-arms at 3 */
	for (int i = 0; i < 3; i++)
		assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	assert_false(mmamp_vq_enable_cb(&f->dev));
	assert_int_equal(mmamp_vq_add(&f->drv, 3, buf_da(f, 3), 16, true), 0);
	assert_true(mmamp_vq_kick_prepare(&f->drv));

	/* used_event = 0 initially: the device's first return interrupts, later ones do not */
	assert_int_equal(mmamp_vq_put_used(&f->dev, 0, 1), 0);
	assert_true(mmamp_vq_kick_prepare(&f->dev));
	assert_int_equal(mmamp_vq_put_used(&f->dev, 1, 1), 0);
	assert_false(mmamp_vq_kick_prepare(&f->dev));
	assert_true(mmamp_vq_enable_cb(&f->drv)); /* two returns pending: poll, don't sleep */
	{
		uint16_t head;
		uint32_t len;

		assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), 0);
		assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), 0);
	}
	assert_false(mmamp_vq_enable_cb(&f->drv)); /* used_event = 2, nothing pending */
	assert_int_equal(mmamp_vq_put_used(&f->dev, 2, 1), 0);
	assert_true(mmamp_vq_kick_prepare(&f->dev)); /* used.idx crossed used_event */
}

/* A consumer that keeps consuming (callbacks on) must keep its event index current, or the
 * producer stops notifying after the first batch (until the u16 index wraps). */
static void event_idx_consumers_keep_the_event_current(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_init_driver(&f->drv, f->win, NUM, ALIGN, &f->shm, f->state,
					      MMAMP_VQ_F_EVENT_IDX), 0);
	assert_int_equal(mmamp_vq_init_device(&f->dev, f->win, NUM, ALIGN, &f->shm, BUF_SIZE,
					      MMAMP_VQ_F_EVENT_IDX), 0);
	for (uint16_t i = 0; i < 3 * NUM; i++) {
		assert_int_equal(mmamp_vq_add(&f->drv, i % NUM, buf_da(f, i % NUM), 16, true), 0);
		assert_true(mmamp_vq_kick_prepare(&f->drv)); /* device asked for every one */
		assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
		assert_int_equal(mmamp_vq_put_used(&f->dev, b.head, 1), 0);
		assert_true(mmamp_vq_kick_prepare(&f->dev)); /* driver asked for every one */
		assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), 0);
	}
	/* with callbacks off the index stays put: no notification for the next one */
	mmamp_vq_disable_cb(&f->dev);
	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	assert_true(mmamp_vq_kick_prepare(&f->drv)); /* crosses the last event once */
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	assert_int_equal(mmamp_vq_add(&f->drv, 1, buf_da(f, 1), 16, true), 0);
	assert_false(mmamp_vq_kick_prepare(&f->drv));
}

/* ---- hostile peers ---- */

static void expect_broken(struct mmamp_vq *vq, const char *field, uint64_t value)
{
	struct mmamp_diag d;
	struct mmamp_vq_buf b;
	uint16_t head;
	uint32_t len;

	assert_true(mmamp_vq_is_broken(vq));
	assert_int_equal(mmamp_vq_fault(vq, &d), -MMAMP_EIO);
	assert_string_equal(d.field, field);
	assert_int_equal(d.value, value);
	/* sticky: every later call fails the same way */
	if (vq->is_driver) {
		assert_int_equal(mmamp_vq_get_used(vq, &head, &len), -MMAMP_EIO);
		assert_int_equal(mmamp_vq_add(vq, 5, SHM_DA + 0x4000, 16, true), -MMAMP_EIO);
	} else {
		assert_int_equal(mmamp_vq_get_avail(vq, &b), -MMAMP_EIO);
		assert_int_equal(mmamp_vq_put_used(vq, 0, 0), -MMAMP_EIO);
	}
	assert_false(mmamp_vq_kick_prepare(vq));
}

static void hostile_device_used_idx_ahead(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	f->drv.used->idx = 2; /* claims two returns with one in flight */
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "idx", 2);
}

static void hostile_device_used_idx_far_behind(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	f->drv.used->idx = 0xFFFF; /* "minus one": wraps to 65535 entries ahead */
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "idx", 0xFFFF);
}

static void hostile_device_used_id_out_of_range(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	f->drv.used->ring[0].id = 0x7FFFFFFF;
	f->drv.used->idx = 1;
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "ring[].id", 0x7FFFFFFF);
}

static void hostile_device_returns_idle_descriptor(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 3, buf_da(f, 3), 16, true), 0);
	f->drv.used->ring[0].id = 4; /* never posted */
	f->drv.used->idx = 1;
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "ring[].id", 4);
}

static void hostile_device_returns_twice(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 3, buf_da(f, 3), 16, true), 0);
	assert_int_equal(mmamp_vq_add(&f->drv, 4, buf_da(f, 4), 16, true), 0);
	f->drv.used->ring[0] = (struct mmamp_vring_used_elem){ 3, 1 };
	f->drv.used->ring[1] = (struct mmamp_vring_used_elem){ 3, 1 };
	f->drv.used->idx = 2;
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), 0);
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "ring[].id", 3);
}

static void hostile_device_used_len_beyond_buffer(void **state)
{
	struct fixture *f = *state;
	uint16_t head;
	uint32_t len;

	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 512, true), 0);
	f->drv.used->ring[0] = (struct mmamp_vring_used_elem){ 0, 513 };
	f->drv.used->idx = 1;
	assert_int_equal(mmamp_vq_get_used(&f->drv, &head, &len), -MMAMP_EIO);
	expect_broken(&f->drv, "ring[].len", 513);
}

static void hostile_driver_avail_idx_ahead(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;

	f->dev.avail->idx = NUM + 1;
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), -MMAMP_EIO);
	expect_broken(&f->dev, "idx", NUM + 1);
}

static void hostile_driver_reposts_held_buffers(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;

	/* driver posts num buffers, device holds one, driver claims num more */
	for (uint16_t i = 0; i < NUM; i++)
		assert_int_equal(mmamp_vq_add(&f->drv, i, buf_da(f, i), 16, true), 0);
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), 0);
	f->dev.avail->idx = (uint16_t)(2 * NUM);
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), -MMAMP_EIO);
	expect_broken(&f->dev, "idx", 2 * NUM);
}

static void hostile_driver_avail_head_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;

	assert_int_equal(mmamp_vq_add(&f->drv, 0, buf_da(f, 0), 16, true), 0);
	f->dev.avail->ring[0] = NUM;
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), -MMAMP_EIO);
	expect_broken(&f->dev, "ring[]", NUM);
}

static void hostile_desc(struct fixture *f, uint64_t addr, uint32_t len, uint16_t flags,
			 const char *field, uint64_t value)
{
	struct mmamp_vq_buf b = { (void *)0x1, 77, 77, false };

	assert_int_equal(mmamp_vq_add(&f->drv, 2, buf_da(f, 2), 16, true), 0);
	f->dev.desc[2].addr_lo = (uint32_t)addr;
	f->dev.desc[2].addr_hi = (uint32_t)(addr >> 32);
	f->dev.desc[2].len = len;
	f->dev.desc[2].flags = flags;
	assert_int_equal(mmamp_vq_get_avail(&f->dev, &b), -MMAMP_EIO);
	assert_int_equal(b.head, 77); /* nothing handed out */
	expect_broken(&f->dev, field, value);
}

static void hostile_driver_desc_len_zero(void **state)
{
	hostile_desc(*state, SHM_DA + 0x4000, 0, MMAMP_VRING_DESC_F_WRITE, "len", 0);
}

static void hostile_driver_desc_len_beyond_buffer(void **state)
{
	hostile_desc(*state, SHM_DA + 0x4000, BUF_SIZE + 1, 0, "len", BUF_SIZE + 1);
}

static void hostile_driver_desc_addr_below_window(void **state)
{
	hostile_desc(*state, SHM_DA - 16, 16, 0, "addr", (uint32_t)(SHM_DA - 16));
}

static void hostile_driver_desc_straddles_window_end(void **state)
{
	struct fixture *f = *state;
	uint64_t a = SHM_DA + f->win_size - 8;

	hostile_desc(f, a, 16, 0, "addr", (uint32_t)a);
}

static void hostile_driver_desc_addr_wraps(void **state)
{
	hostile_desc(*state, 0xFFFFFFFFFFFFFFF0ull, 64, 0, "addr", 0xFFFFFFF0u);
}

static void hostile_driver_desc_chained(void **state)
{
	hostile_desc(*state, SHM_DA + 0x4000, 16, MMAMP_VRING_DESC_F_NEXT, "flags", 1);
}

static void hostile_driver_desc_indirect(void **state)
{
	hostile_desc(*state, SHM_DA + 0x4000, 16, MMAMP_VRING_DESC_F_INDIRECT, "flags", 4);
}

/* Random garbage in every shared byte: either valid work or broken, never a stray access. */
static void random_shared_memory_never_escapes(void **state)
{
	struct fixture *f = *state;
	struct mmamp_vq_buf b;
	uint16_t head;
	uint32_t len, seed = 12345;
	size_t ring_size = mmamp_vring_size(NUM, ALIGN);

	for (int round = 0; round < 2000; round++) {
		assert_int_equal(mmamp_vq_init_driver(&f->drv, f->win, NUM, ALIGN, &f->shm,
						      f->state, 0), 0);
		for (uint16_t i = 0; i < NUM / 2; i++)
			assert_int_equal(mmamp_vq_add(&f->drv, i, buf_da(f, i), 64, true), 0);
		for (size_t i = 0; i < ring_size; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 8 == 0)
				f->win[i] = (uint8_t)(seed >> 24);
		}
		assert_int_equal(mmamp_vq_init_device(&f->dev, f->win, NUM, ALIGN, &f->shm, 0, 0), 0);
		for (int i = 0; i < 40; i++) {
			int r = mmamp_vq_get_avail(&f->dev, &b);

			if (r == 0) {
				assert_true(mmamp_shm_contains(&f->shm, b.data, b.len));
				memset(b.data, 0x5A, b.len); /* within the window: guards catch the rest */
				mmamp_vq_put_used(&f->dev, b.head, b.len);
			}
			r = mmamp_vq_get_used(&f->drv, &head, &len);
			if (r == 0)
				assert_true(head < NUM && len <= 64);
		}
		memset(f->win, 0, f->win_size);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_layouts_match_the_reference),
		cmocka_unit_test(init_places_the_rings_like_linux),
		T(bad_geometry_and_placement_are_refused),
		T(window_that_wraps_the_address_space_is_refused),
		T(device_setup_from_a_device_address),
		T(driver_and_device_exchange_past_index_wrap),
		T(full_ring_batches_out_of_order),
		T(caller_mistakes_are_einval_not_broken),
		T(flag_based_suppression),
		T(event_idx_suppression),
		T(event_idx_consumers_keep_the_event_current),
		T(hostile_device_used_idx_ahead),
		T(hostile_device_used_idx_far_behind),
		T(hostile_device_used_id_out_of_range),
		T(hostile_device_returns_idle_descriptor),
		T(hostile_device_returns_twice),
		T(hostile_device_used_len_beyond_buffer),
		T(hostile_driver_avail_idx_ahead),
		T(hostile_driver_reposts_held_buffers),
		T(hostile_driver_avail_head_out_of_range),
		T(hostile_driver_desc_len_zero),
		T(hostile_driver_desc_len_beyond_buffer),
		T(hostile_driver_desc_addr_below_window),
		T(hostile_driver_desc_straddles_window_end),
		T(hostile_driver_desc_addr_wraps),
		T(hostile_driver_desc_chained),
		T(hostile_driver_desc_indirect),
		T(random_shared_memory_never_escapes),
	};
	return cmocka_run_group_tests_name("vring", tests, NULL, NULL);
}
