/* test_rsc_table.c — resource table layout, validation of hostile tables, iteration, builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/diag.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"

#define ANY MMAMP_FW_RSC_ADDR_ANY

/* An aligned scratch table. */
union tbuf {
	uint32_t w[128];
	uint8_t b[512];
};

static void put32(void *p, size_t off, uint32_t v)
{
	memcpy((uint8_t *)p + off, &v, 4);
}

static uint32_t get32(const void *p, size_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, 4);
	return v;
}

/*
 * Reference §1.5: header {1, 2, 0, 0, 0x18, 0x5c}, two vdevs of 68 bytes (type + 24-byte body +
 * two 20-byte vrings, no config space) at 0x18 and 0x5C. Written out word by word, independently
 * of the builder: byte 20 of a vdev body is status, 21 num_of_vrings, 22..23 reserved, so that
 * word is 0x00000200 for status 0, two vrings.
 */
static const uint32_t golden[] = {
	/* 0x00 */ 1, 2, 0, 0, 0x18, 0x5c,
	/* 0x18 */ MMAMP_RSC_VDEV,
	/* 0x1c */ MMAMP_VIRTIO_ID_RPMSG, 0, 1, 0, 0, 0x00000200,
	/* 0x34 */ ANY, 16, 256, 0, 0,
	/* 0x48 */ ANY, 16, 256, 1, 0,
	/* 0x5c */ MMAMP_RSC_VDEV,
	/* 0x60 */ MMAMP_VIRTIO_ID_RPMSG, 0, 1, 0, 0, 0x00000200,
	/* 0x78 */ 0x90000000, 4096, 32, 2, 0,
	/* 0x8c */ 0x90008000, 4096, 32, 3, 0,
};
#define GOLDEN_SIZE 0xA0u
_Static_assert(sizeof(golden) == GOLDEN_SIZE, "golden table is 160 bytes");

static const struct mmamp_fw_rsc_vdev_vring vdev0_rings[2] = {
	{ ANY, 16, 256, 0, 0 },
	{ ANY, 16, 256, 1, 0 },
};
static const struct mmamp_fw_rsc_vdev_vring vdev1_rings[2] = {
	{ 0x90000000, 4096, 32, 2, 0 },
	{ 0x90008000, 4096, 32, 3, 0 },
};

/* A fresh aligned copy of the golden table in @t. */
static void load_golden(union tbuf *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, golden, sizeof(golden));
}

/* Validate must reject with -ENOEXEC and this location, field and value. Returns the diag. */
static struct mmamp_diag expect_reject(const void *table, size_t size, int index,
				       const char *field, uint64_t value)
{
	struct mmamp_diag d;
	char msg[160];

	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_rsc_table_validate(table, size, &d), -MMAMP_ENOEXEC);
	mmamp_diag_format(&d, msg, sizeof(msg));
	print_message("      rejected: %s\n", msg);
	assert_non_null(d.field);
	assert_non_null(d.why);
	assert_string_equal(d.where, index == MMAMP_DIAG_NO_INDEX ? "resource table" :
								  "resource entry");
	assert_int_equal(d.index, index);
	assert_string_equal(d.field, field);
	assert_int_equal(d.value, value);
	return d;
}

static void expect_limit(const struct mmamp_diag *d, uint64_t limit)
{
	assert_true(d->has_limit);
	assert_int_equal(d->limit, limit);
}

static void expect_valid(const void *table, size_t size)
{
	struct mmamp_diag d;
	char msg[160];
	int ret;

	memset(&d, 0, sizeof(d));
	ret = mmamp_rsc_table_validate(table, size, &d);
	if (ret) {
		mmamp_diag_format(&d, msg, sizeof(msg));
		print_error("unexpected rejection: %s\n", msg);
	}
	assert_int_equal(ret, 0);
}

/* ---- layout ---- */

static void layouts_match_reference(void **state)
{
	(void)state;
	/* §1.2 */
	assert_int_equal(offsetof(struct mmamp_rsc_table, ver), 0);
	assert_int_equal(offsetof(struct mmamp_rsc_table, num), 4);
	assert_int_equal(offsetof(struct mmamp_rsc_table, reserved), 8);
	assert_int_equal(offsetof(struct mmamp_rsc_table, offset), 16);
	/* §1.4 */
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, da), 0);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, pa), 4);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, len), 8);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, flags), 12);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, reserved), 16);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_carveout, name), 20);
	assert_int_equal(sizeof(struct mmamp_fw_rsc_devmem), 52);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_trace, da), 0);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_trace, len), 4);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_trace, reserved), 8);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_trace, name), 12);
	/* §1.5 */
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, id), 0);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, notifyid), 4);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, dfeatures), 8);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, gfeatures), 12);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, config_len), 16);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, status), 20);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, num_of_vrings), 21);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, reserved), 22);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev, vring), 24);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev_vring, da), 0);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev_vring, align), 4);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev_vring, num), 8);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev_vring, notifyid), 12);
	assert_int_equal(offsetof(struct mmamp_fw_rsc_vdev_vring, pa), 16);
	/* the firmware table: the same vdev entry at 0x14, body at 0x18 */
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, offset), 0x10);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev_hdr), 0x14);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev), 0x18);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev.status), 0x18 + 20);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev.num_of_vrings), 0x18 + 21);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev.vring[0]), 0x30);
	assert_int_equal(offsetof(struct mmamp_rsc_table_rpmsg, vdev.vring[1]), 0x44);
	assert_int_equal(sizeof(struct mmamp_rsc_table_rpmsg), 0x58);
}

/* ---- building and golden bytes ---- */

static void builder_reproduces_golden_bytes(void **state)
{
	struct mmamp_rsc_builder b;
	union tbuf t;
	size_t size = 0;

	(void)state;
	memset(&t, 0xA5, sizeof(t));
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 2), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, MMAMP_VIRTIO_ID_RPMSG, 1, 0, 2, vdev0_rings), 0x18);
	assert_int_equal(mmamp_rsc_add_vdev(&b, MMAMP_VIRTIO_ID_RPMSG, 1, 0, 2, vdev1_rings), 0x5c);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	assert_int_equal(size, GOLDEN_SIZE);
	assert_memory_equal(t.b, golden, GOLDEN_SIZE);
	expect_valid(t.b, size);
	expect_valid(golden, sizeof(golden));
}

static void golden_table_iterates(void **state)
{
	struct mmamp_fw_rsc_vdev *vdev = NULL;
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	union tbuf t;

	(void)state;
	load_golden(&t);
	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 0, &e, &d), 0);
	assert_int_equal(e.type, MMAMP_RSC_VDEV);
	assert_int_equal(e.offset, 0x18);
	assert_int_equal(e.avail, GOLDEN_SIZE - 0x18 - 4);
	assert_int_equal(e.index, 0);
	assert_ptr_equal(e.body, t.b + 0x1c);
	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 1, &e, &d), 0);
	assert_int_equal(e.offset, 0x5c);
	assert_int_equal(e.avail, 64);
	assert_ptr_equal(e.body, t.b + 0x60);

	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 2, &e, &d), -MMAMP_ENOENT);
	assert_string_equal(d.field, "index");
	assert_int_equal(d.value, 2);
	expect_limit(&d, 2);

	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 1, &vdev, &d), 0);
	assert_ptr_equal(vdev, t.b + 0x60);
	assert_int_equal(vdev->num_of_vrings, 2);
	assert_int_equal(vdev->vring[1].da, 0x90008000);
	assert_int_equal(vdev->vring[1].notifyid, 3);
	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 0, &vdev, &d), 0);
	assert_ptr_equal(vdev, t.b + 0x1c);
	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 2, &vdev, &d), -MMAMP_ENOENT);
	assert_string_equal(d.field, "vdev number");
	assert_int_equal(d.value, 2);
	expect_limit(&d, 2);
}

/* The firmware's static table, at file scope as firmware would have it. */
static struct mmamp_rsc_table_rpmsg fw_table =
	MMAMP_RSC_TABLE_RPMSG_INIT(0x90000000, 0x90008000, 16, 256,
				   1u << MMAMP_VIRTIO_RPMSG_F_NS);
static struct mmamp_rsc_table_rpmsg fw_table_bad_num =
	MMAMP_RSC_TABLE_RPMSG_INIT(ANY, ANY, 16, 3, 0);
static struct mmamp_rsc_table_rpmsg fw_table_bad_align =
	MMAMP_RSC_TABLE_RPMSG_INIT(ANY, ANY, 2, 256, 0);

static void static_rpmsg_table_validates(void **state)
{
	static const uint32_t expect[] = {
		1, 1, 0, 0, 0x14, MMAMP_RSC_VDEV,
		MMAMP_VIRTIO_ID_RPMSG, MMAMP_RSC_VDEV_NOTIFYID, 1, 0, 0, 0x00000200,
		0x90000000, 16, 256, 0, 0,
		0x90008000, 16, 256, 1, 0,
	};
	struct mmamp_fw_rsc_vdev *vdev = NULL;
	struct mmamp_diag d;

	(void)state;
	assert_int_equal(sizeof(expect), sizeof(fw_table));
	assert_memory_equal(&fw_table, expect, sizeof(expect));
	expect_valid(&fw_table, sizeof(fw_table));
	assert_int_equal(mmamp_rsc_table_find_vdev(&fw_table, sizeof(fw_table), 0, &vdev, &d), 0);
	assert_ptr_equal(vdev, &fw_table.vdev);
	assert_int_equal(vdev->vring[0].num, 256);

	/* the macro's arguments really land in the vrings the validator checks */
	expect_reject(&fw_table_bad_num, sizeof(fw_table_bad_num), 0, "vring[0].num", 3);
	expect_reject(&fw_table_bad_align, sizeof(fw_table_bad_align), 0, "vring[0].align", 2);
}

/*
 * The remote's lean lookup (mmamp_rsc_table_rpmsg_vdev): our own table's vdev is found at 0x18;
 * each word that leads to it, rewritten, is refused naming that word; the words it does not
 * read (reserved, the vdev's body beyond its id) do not matter to it.
 */
static void rpmsg_vdev_lookup_checks_the_path_to_the_vdev(void **state)
{
	static const struct {
		uint32_t off, value;
		const char *field;
	} bad[] = {
		{ 0x00, 2, "ver" }, { 0x04, 0, "num" }, { 0x10, 0x18, "offset[0]" },
		{ 0x14, MMAMP_RSC_CARVEOUT, "entry type" }, { 0x18, 5, "vdev id" },
	};
	struct mmamp_rsc_table_rpmsg t;
	struct mmamp_fw_rsc_vdev *vdev = NULL;
	struct mmamp_diag d;
	uint32_t v;
	size_t i;

	(void)state;
	memcpy(&t, &fw_table, sizeof(t));
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t), &vdev, &d), 0);
	assert_ptr_equal(vdev, &t.vdev);
	t.reserved[0] = 0xffffffffu; /* not read: the full validation refuses it, this need not */
	t.vdev.num_of_vrings = 0;    /* checked where it is used, at link-up (mmamp_rpmsg_poll) */
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t), &vdev, NULL), 0);
	t.num = 3; /* more entries than ours: only the first is followed */
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t), &vdev, NULL), 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(&t, &fw_table, sizeof(t));
		v = bad[i].value;
		memcpy((uint8_t *)&t + bad[i].off, &v, sizeof(v));
		memset(&d, 0, sizeof(d));
		vdev = NULL;
		assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t), &vdev, &d),
				 -MMAMP_ENOEXEC);
		assert_null(vdev);
		assert_string_equal(d.field, bad[i].field);
		assert_int_equal(d.value, bad[i].value);
	}
	memcpy(&t, &fw_table, sizeof(t));
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t) - 1, &vdev, &d), -MMAMP_ENOEXEC);
	assert_string_equal(d.field, "size");
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(NULL, sizeof(t), &vdev, &d), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev((uint8_t *)&t + 2, sizeof(t), &vdev, &d),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_table_rpmsg_vdev(&t, sizeof(t), NULL, &d), -MMAMP_EINVAL);
}

/*
 * A table with one of everything: carveout, vendor (8-byte body), devmem, vdev with a 5-byte
 * config space (so the next entry needs padding), an "unsupported" type 4 with no body, and a
 * trace last, so that every truncation cuts a checked body.
 */
#define RICH_VENDOR_TYPE 200u
#define RICH_NUM 6u
static const uint32_t rich_types[RICH_NUM] = {
	MMAMP_RSC_CARVEOUT, RICH_VENDOR_TYPE, MMAMP_RSC_DEVMEM, MMAMP_RSC_VDEV, MMAMP_RSC_LAST,
	MMAMP_RSC_TRACE,
};
static const uint8_t vendor_body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static size_t build_rich(union tbuf *t, int offsets[RICH_NUM])
{
	struct mmamp_rsc_builder b;
	size_t size = 0;

	memset(t, 0xA5, sizeof(*t));
	assert_int_equal(mmamp_rsc_builder_init(&b, t->b, sizeof(*t), RICH_NUM), 0);
	offsets[0] = mmamp_rsc_add_carveout(&b, ANY, 0, 0x8000, 0, "vdev0buffer");
	offsets[1] = mmamp_rsc_add_raw(&b, RICH_VENDOR_TYPE, vendor_body, sizeof(vendor_body));
	offsets[2] = mmamp_rsc_add_devmem(&b, 0x5d1c0000, 0x5d1c0000, 0x10000, 0, "mu");
	offsets[3] = mmamp_rsc_add_vdev(&b, MMAMP_VIRTIO_ID_RPMSG, 1, 5, 2, vdev0_rings);
	offsets[4] = mmamp_rsc_add_raw(&b, MMAMP_RSC_LAST, NULL, 0);
	offsets[5] = mmamp_rsc_add_trace(&b, 0x1fff8000, 0x1000, "trace0");
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	return size;
}

struct walk {
	unsigned count;
	unsigned stop_at;
	uint32_t types[16];
	uint32_t offsets[16];
};

static int record_entry(const struct mmamp_rsc_entry *e, void *ctx)
{
	struct walk *w = ctx;

	if (w->count < 16) {
		w->types[w->count] = e->type;
		w->offsets[w->count] = e->offset;
	}
	w->count++;
	return w->count == w->stop_at ? 42 : 0;
}

static void rich_table_round_trips(void **state)
{
	const struct mmamp_fw_rsc_carveout *co;
	const struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rsc_entry e;
	struct walk w;
	struct mmamp_diag d;
	int offsets[RICH_NUM];
	union tbuf t;
	size_t size;
	unsigned i;

	(void)state;
	size = build_rich(&t, offsets);
	/* 16 + 24 | carveout 56 | vendor 12 | devmem 56 | vdev 4+64+5, pad 3 | type 4: 4 | trace 48 */
	assert_int_equal(offsets[0], 40);
	assert_int_equal(offsets[1], 96);
	assert_int_equal(offsets[2], 108);
	assert_int_equal(offsets[3], 164);
	assert_int_equal(offsets[4], 240);
	assert_int_equal(offsets[5], 244);
	assert_int_equal(size, 292);
	assert_int_equal(t.b[237] | t.b[238] | t.b[239], 0); /* padding zeroed */
	expect_valid(t.b, size);

	memset(&w, 0, sizeof(w));
	assert_int_equal(mmamp_rsc_table_for_each(t.b, size, record_entry, &w, &d), 0);
	assert_int_equal(w.count, RICH_NUM);
	for (i = 0; i < RICH_NUM; i++) {
		assert_int_equal(w.types[i], rich_types[i]);
		assert_int_equal(w.offsets[i], offsets[i]);
	}

	/* non-zero from the visitor stops the walk and comes back */
	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	assert_int_equal(mmamp_rsc_table_for_each(t.b, size, record_entry, &w, &d), 42);
	assert_int_equal(w.count, 3);

	assert_int_equal(mmamp_rsc_table_entry(t.b, size, 0, &e, &d), 0);
	co = e.body;
	assert_int_equal(co->len, 0x8000);
	assert_int_equal(co->da, ANY);
	assert_string_equal(co->name, "vdev0buffer");
	assert_int_equal(mmamp_rsc_name_len(co->name), 11);
	assert_int_equal(mmamp_rsc_table_entry(t.b, size, 1, &e, &d), 0);
	assert_int_equal(e.type, RICH_VENDOR_TYPE);
	assert_memory_equal(e.body, vendor_body, sizeof(vendor_body));
	assert_int_equal(mmamp_rsc_table_entry(t.b, size, 3, &e, &d), 0);
	vdev = e.body;
	assert_int_equal(vdev->config_len, 5);
	assert_int_equal(vdev->num_of_vrings, 2);
	assert_int_equal(vdev->status, 0);
	assert_int_equal(vdev->vring[1].notifyid, 1);
	assert_int_equal(mmamp_rsc_table_entry(t.b, size, 4, &e, &d), 0);
	assert_int_equal(e.avail, size - 240 - 4);
	assert_int_equal(mmamp_rsc_table_entry(t.b, size, 5, &e, &d), 0);
	assert_int_equal(e.avail, 44);
	assert_string_equal(((const struct mmamp_fw_rsc_trace *)e.body)->name, "trace0");

	/* a name filling all 32 bytes has no NUL: the accessor stops at 32 */
	memset((uint8_t *)t.b + offsets[0] + 4 + 20, 'x', 32);
	assert_int_equal(mmamp_rsc_name_len((const char *)t.b + offsets[0] + 4 + 20), 32);
}

static void unsupported_and_vendor_types_are_accepted(void **state)
{
	static const uint32_t types[] = { 4, 127, 128, 300, 512, 513, 0xFFFFFFFFu };
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	union tbuf t;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		load_golden(&t);
		put32(t.b, 0x5c, types[i]);
		expect_valid(t.b, GOLDEN_SIZE);
		/* with no body at all, as the very last 4 bytes of the table */
		expect_valid(t.b, 0x60);
		assert_int_equal(mmamp_rsc_table_entry(t.b, 0x60, 1, &e, NULL), 0);
		assert_int_equal(e.type, types[i]);
		assert_int_equal(e.avail, 0);
	}
	/* ...but a standard type with no body is truncated */
	load_golden(&t);
	d = expect_reject(t.b, 0x60, 1, "avail", 0);
	expect_limit(&d, 24);
}

/* ---- hostile tables: header ---- */

static void rejects_bad_header(void **state)
{
	struct mmamp_diag d;
	union tbuf t;

	(void)state;
	load_golden(&t);
	d = expect_reject(t.b, 0, MMAMP_DIAG_NO_INDEX, "size", 0);
	expect_limit(&d, 16);
	d = expect_reject(t.b, 15, MMAMP_DIAG_NO_INDEX, "size", 15);
	expect_limit(&d, 16);

	put32(t.b, 0, 0);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "ver", 0);
	put32(t.b, 0, 2);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "ver", 2);

	load_golden(&t);
	put32(t.b, 8, 1);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "reserved[0]", 1);
	load_golden(&t);
	put32(t.b, 12, 0x80000000u);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "reserved[1]", 0x80000000u);

	/* 16 + 4 * num wraps to 16 in 32 bits: must not pass as "fits" */
	load_golden(&t);
	put32(t.b, 4, 0x40000000u);
	d = expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "num", 0x40000000u);
	expect_limit(&d, (GOLDEN_SIZE - 16) / 4);
	put32(t.b, 4, 0xFFFFFFFFu);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "num", 0xFFFFFFFFu);
	/* one offset too many for the size (and for a size that is just the header) */
	put32(t.b, 4, (GOLDEN_SIZE - 16) / 4 + 1);
	expect_reject(t.b, GOLDEN_SIZE, MMAMP_DIAG_NO_INDEX, "num", (GOLDEN_SIZE - 16) / 4 + 1);
	put32(t.b, 4, 1);
	d = expect_reject(t.b, 19, MMAMP_DIAG_NO_INDEX, "num", 1);
	expect_limit(&d, 0);
	/* as many offsets as fit: the header passes, but now entry 0 lies inside the offsets */
	put32(t.b, 4, (GOLDEN_SIZE - 16) / 4);
	d = expect_reject(t.b, GOLDEN_SIZE, 0, "offset", 0x18);
	expect_limit(&d, GOLDEN_SIZE);
	/* an empty table is fine */
	put32(t.b, 4, 0);
	expect_valid(t.b, 16);
}

/* ---- hostile tables: offsets ---- */

static void rejects_bad_offsets(void **state)
{
	struct mmamp_diag d;
	union tbuf t;

	(void)state;
	load_golden(&t);
	put32(t.b, 0x14, GOLDEN_SIZE);
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "offset", GOLDEN_SIZE);
	expect_limit(&d, GOLDEN_SIZE);
	put32(t.b, 0x14, 0xFFFFFFFCu); /* offset + 4 wraps to 0 */
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "offset", 0xFFFFFFFCu);
	expect_limit(&d, GOLDEN_SIZE);

	/* inside the table, but the 4-byte type would run past its end */
	put32(t.b, 0x14, GOLDEN_SIZE);
	d = expect_reject(t.b, GOLDEN_SIZE + 2, 1, "offset", GOLDEN_SIZE);
	expect_limit(&d, GOLDEN_SIZE + 2 - 4);
	put32(t.b, 0x14, GOLDEN_SIZE - 4);
	d = expect_reject(t.b, GOLDEN_SIZE - 1, 1, "offset", GOLDEN_SIZE - 4);
	expect_limit(&d, GOLDEN_SIZE - 1 - 4);

	load_golden(&t);
	put32(t.b, 0x10, 0x19);
	d = expect_reject(t.b, GOLDEN_SIZE, 0, "offset", 0x19);
	assert_false(d.has_limit);
	load_golden(&t);
	put32(t.b, 0x14, 0x5e);
	expect_reject(t.b, GOLDEN_SIZE, 1, "offset", 0x5e);

	/* into the header and offset array, which ends at 0x18 */
	load_golden(&t);
	put32(t.b, 0x10, 0x14);
	d = expect_reject(t.b, GOLDEN_SIZE, 0, "offset", 0x14);
	expect_limit(&d, 0x18);
	load_golden(&t);
	put32(t.b, 0x14, 0);
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "offset", 0);
	expect_limit(&d, 0x18);
}

/* ---- hostile tables: bodies ---- */

/* A one-entry table built with @add; returns its size (entry at offset 20). */
static size_t build_one(union tbuf *t, uint32_t type)
{
	struct mmamp_rsc_builder b;
	size_t size = 0;
	int off = -1;

	assert_int_equal(mmamp_rsc_builder_init(&b, t->b, sizeof(*t), 1), 0);
	if (type == MMAMP_RSC_CARVEOUT)
		off = mmamp_rsc_add_carveout(&b, 0x1000, 0, 0x1000, 0, "c");
	else if (type == MMAMP_RSC_DEVMEM)
		off = mmamp_rsc_add_devmem(&b, 0x1000, 0x1000, 0x1000, 0, "d");
	else if (type == MMAMP_RSC_TRACE)
		off = mmamp_rsc_add_trace(&b, 0x1000, 0x1000, "t");
	assert_int_equal(off, 20);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	expect_valid(t->b, size);
	return size;
}

static void rejects_truncated_fixed_bodies(void **state)
{
	struct mmamp_diag d;
	union tbuf t;
	size_t size;

	(void)state;
	size = build_one(&t, MMAMP_RSC_CARVEOUT);
	assert_int_equal(size, 20 + 4 + 52);
	d = expect_reject(t.b, size - 1, 0, "avail", 51);
	expect_limit(&d, 52);
	d = expect_reject(t.b, 24, 0, "avail", 0);
	expect_limit(&d, 52);

	size = build_one(&t, MMAMP_RSC_DEVMEM);
	d = expect_reject(t.b, size - 4, 0, "avail", 48);
	expect_limit(&d, 52);

	size = build_one(&t, MMAMP_RSC_TRACE);
	assert_int_equal(size, 20 + 4 + 44);
	d = expect_reject(t.b, size - 1, 0, "avail", 43);
	expect_limit(&d, 44);
}

static void rejects_nonzero_reserved_words(void **state)
{
	union tbuf t;
	size_t size;

	(void)state;
	size = build_one(&t, MMAMP_RSC_CARVEOUT);
	put32(t.b, 24 + 16, 7);
	expect_reject(t.b, size, 0, "reserved", 7);
	size = build_one(&t, MMAMP_RSC_DEVMEM);
	put32(t.b, 24 + 16, 0x100);
	expect_reject(t.b, size, 0, "reserved", 0x100);
	size = build_one(&t, MMAMP_RSC_TRACE);
	put32(t.b, 24 + 8, 1);
	expect_reject(t.b, size, 0, "reserved", 1);

	/* vdev reserved[2] at body + 22 */
	load_golden(&t);
	t.b[0x1c + 22] = 9;
	expect_reject(t.b, GOLDEN_SIZE, 0, "reserved[0]", 9);
	load_golden(&t);
	t.b[0x60 + 23] = 0x80;
	expect_reject(t.b, GOLDEN_SIZE, 1, "reserved[1]", 0x80);
}

static void rejects_truncated_vdev(void **state)
{
	struct mmamp_diag d;
	union tbuf t;

	(void)state;
	load_golden(&t);
	/* the 24-byte body itself */
	d = expect_reject(t.b, 0x60 + 23, 1, "avail", 23);
	expect_limit(&d, 24);
	/* the body fits, its two vrings do not */
	d = expect_reject(t.b, GOLDEN_SIZE - 1, 1, "avail", 63);
	expect_limit(&d, 64);
	/* ...but one vring does */
	t.b[0x60 + 21] = 1;
	expect_valid(t.b, GOLDEN_SIZE - 1);
	t.b[0x60 + 21] = 0;
	expect_valid(t.b, 0x60 + 24);
}

static void rejects_config_len_past_the_end(void **state)
{
	struct mmamp_diag d;
	union tbuf t;

	(void)state;
	load_golden(&t);
	put32(t.b, 0x60 + 16, 0xFFFFFFFFu);
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "config_len", 0xFFFFFFFFu);
	expect_limit(&d, 0);
	/* 24 + 40 + config_len wraps to 0 in 32 bits */
	put32(t.b, 0x60 + 16, 0xFFFFFFC0u);
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "config_len", 0xFFFFFFC0u);
	expect_limit(&d, 0);
	put32(t.b, 0x60 + 16, 1);
	expect_reject(t.b, GOLDEN_SIZE, 1, "config_len", 1);

	/* vdev 0 has 132 - 64 = 68 bytes after its vrings (the second entry: not an overlap check) */
	load_golden(&t);
	put32(t.b, 0x1c + 16, 68);
	expect_valid(t.b, GOLDEN_SIZE);
	put32(t.b, 0x1c + 16, 69);
	d = expect_reject(t.b, GOLDEN_SIZE, 0, "config_len", 69);
	expect_limit(&d, 68);
}

static void rejects_too_many_vrings(void **state)
{
	struct mmamp_diag d;
	char msg[128];
	union tbuf t;

	(void)state;
	load_golden(&t);
	t.b[0x60 + 21] = 3;
	d = expect_reject(t.b, GOLDEN_SIZE, 1, "num_of_vrings", 3);
	expect_limit(&d, 2);
	mmamp_diag_format(&d, msg, sizeof(msg));
	assert_string_equal(msg, "resource entry 1: num_of_vrings 3 exceeds the 2 vrings Linux "
				 "supports (limit 2)");
	t.b[0x60 + 21] = 255;
	expect_reject(t.b, GOLDEN_SIZE, 1, "num_of_vrings", 255);
}

/* vring j of the vdev whose body is at @body in the golden table: field offsets */
#define VR(body, j, field) ((body) + 24 + 20 * (j) + (field))

static void rejects_bad_vring_num(void **state)
{
	static const struct {
		uint32_t num;
		int has_limit;
	} bad[] = { { 0, 0 }, { 3, 0 }, { 255, 0 }, { 65536, 1 }, { 0x80000000u, 1 } };
	static const uint32_t good[] = { 1, 2, 16, 32768 };
	struct mmamp_diag d;
	union tbuf t;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load_golden(&t);
		put32(t.b, VR(0x1c, 0, 8), bad[i].num);
		d = expect_reject(t.b, GOLDEN_SIZE, 0, "vring[0].num", bad[i].num);
		assert_int_equal(d.has_limit, bad[i].has_limit);
		if (bad[i].has_limit)
			expect_limit(&d, 32768);
		load_golden(&t);
		put32(t.b, VR(0x60, 1, 8), bad[i].num);
		expect_reject(t.b, GOLDEN_SIZE, 1, "vring[1].num", bad[i].num);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		load_golden(&t);
		put32(t.b, VR(0x60, 1, 8), good[i]);
		expect_valid(t.b, GOLDEN_SIZE);
	}
}

static void rejects_bad_vring_align(void **state)
{
	static const uint32_t bad[] = { 0, 3, 12, 0xFFFFFFFFu };
	static const uint32_t good[] = { 4, 8, 4096, 0x80000000u };
	struct mmamp_diag d;
	union tbuf t;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load_golden(&t);
		put32(t.b, VR(0x1c, 1, 4), bad[i]);
		d = expect_reject(t.b, GOLDEN_SIZE, 0, "vring[1].align", bad[i]);
		assert_false(d.has_limit);
	}
	/* 1 and 2 are powers of two that Linux accepts; we do not (u32 used-ring elements) */
	for (i = 1; i <= 2; i++) {
		load_golden(&t);
		put32(t.b, VR(0x60, 0, 4), i);
		d = expect_reject(t.b, GOLDEN_SIZE, 1, "vring[0].align", i);
		expect_limit(&d, 4);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		load_golden(&t);
		put32(t.b, VR(0x60, 0, 4), good[i]);
		expect_valid(t.b, GOLDEN_SIZE);
	}
}

/* ---- iteration on unvalidated tables, caller errors ---- */

static void iteration_checks_each_entry_as_reached(void **state)
{
	struct mmamp_fw_rsc_vdev *vdev = NULL;
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	struct walk w;
	union tbuf t;

	(void)state;
	load_golden(&t);
	t.b[0x60 + 21] = 3;
	memset(&w, 0, sizeof(w));
	assert_int_equal(mmamp_rsc_table_for_each(t.b, GOLDEN_SIZE, record_entry, &w, &d),
			 -MMAMP_ENOEXEC);
	assert_int_equal(w.count, 1);
	assert_int_equal(d.index, 1);
	assert_string_equal(d.field, "num_of_vrings");

	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 0, &e, &d), 0);
	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 1, &e, &d), -MMAMP_ENOEXEC);
	assert_string_equal(d.field, "num_of_vrings");
	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 0, &vdev, &d), 0);
	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 1, &vdev, &d),
			 -MMAMP_ENOEXEC);

	/* a bad header fails every entry point the same way */
	put32(t.b, 0, 2);
	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 0, &e, &d), -MMAMP_ENOEXEC);
	assert_string_equal(d.field, "ver");
	assert_int_equal(mmamp_rsc_table_for_each(t.b, GOLDEN_SIZE, record_entry, &w, &d),
			 -MMAMP_ENOEXEC);
	assert_string_equal(d.field, "ver");
}

static void rejects_bad_caller_arguments(void **state)
{
	struct mmamp_fw_rsc_vdev *vdev = NULL;
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	union tbuf t;
	uint8_t *odd = t.b + 1;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(mmamp_rsc_table_validate(NULL, 16, &d), -MMAMP_EINVAL);
	assert_string_equal(d.field, "table");
	assert_int_equal(mmamp_rsc_table_validate(NULL, 0, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_table_entry(NULL, 16, 0, &e, &d), -MMAMP_EINVAL);

	/* validate reads with memcpy: any alignment; the typed iterators need 4 */
	memset(&t, 0, sizeof(t));
	memcpy(odd, golden, sizeof(golden));
	expect_valid(odd, GOLDEN_SIZE);
	odd[0x60 + 21] = 3;
	expect_reject(odd, GOLDEN_SIZE, 1, "num_of_vrings", 3);
	assert_int_equal(mmamp_rsc_table_entry(odd, GOLDEN_SIZE, 0, &e, &d), -MMAMP_EINVAL);
	assert_string_equal(d.field, "table");
	assert_int_equal(mmamp_rsc_table_for_each(odd, GOLDEN_SIZE, record_entry, NULL, &d),
			 -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_table_find_vdev(odd, GOLDEN_SIZE, 0, &vdev, NULL),
			 -MMAMP_EINVAL);

	load_golden(&t);
	assert_int_equal(mmamp_rsc_table_entry(t.b, GOLDEN_SIZE, 0, NULL, &d), -MMAMP_EINVAL);
	assert_string_equal(d.field, "e");
	assert_int_equal(mmamp_rsc_table_for_each(t.b, GOLDEN_SIZE, NULL, NULL, &d),
			 -MMAMP_EINVAL);
	assert_string_equal(d.field, "fn");
	assert_int_equal(mmamp_rsc_table_find_vdev(t.b, GOLDEN_SIZE, 0, NULL, &d), -MMAMP_EINVAL);
	assert_string_equal(d.field, "vdev");
}

/* ---- sweeps: every truncation, every corrupted byte ---- */

static volatile unsigned sink;

/* Read every byte the entry's type says its body has: ASan catches anything out of bounds. */
static int touch_entry(const struct mmamp_rsc_entry *e, void *ctx)
{
	const volatile uint8_t *p = e->body;
	const size_t *size = ctx;
	uint32_t need = 0, i;
	unsigned sum = 0;

	assert_int_equal(e->offset % 4, 0);
	assert_int_equal((size_t)e->offset + 4 + e->avail, *size);
	if (e->type == MMAMP_RSC_CARVEOUT || e->type == MMAMP_RSC_DEVMEM)
		need = 52;
	else if (e->type == MMAMP_RSC_TRACE)
		need = 44;
	else if (e->type == MMAMP_RSC_VDEV)
		need = 24 + 20 * p[21] + get32(e->body, 16);
	assert_true(need <= e->avail);
	for (i = 0; i < need; i++)
		sum += p[i];
	if (e->type == MMAMP_RSC_CARVEOUT)
		assert_true(mmamp_rsc_name_len((const char *)e->body + 20) <= 32);
	sink += sum;
	return 0;
}

/* Run every entry point on @len bytes at an exactly sized heap copy of @src. */
static int check_copy(const uint8_t *src, size_t len, int *found_vdev)
{
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	uint8_t *copy = malloc(len ? len : 1);
	char msg[160];
	int ret, walk;
	unsigned i;

	assert_non_null(copy);
	memcpy(copy, src, len);
	memset(&d, 0, sizeof(d));
	ret = mmamp_rsc_table_validate(copy, len, &d);
	if (ret) {
		assert_int_equal(ret, -MMAMP_ENOEXEC);
		assert_non_null(d.where);
		assert_non_null(d.field);
		assert_non_null(d.why);
		assert_true(mmamp_diag_format(&d, msg, sizeof(msg)) > 0);
	}
	/* the walk checks the same rules: it fails exactly when validate does */
	walk = mmamp_rsc_table_for_each(copy, len, touch_entry, &len, &d);
	assert_int_equal(walk, ret);
	for (i = 0; i < 8; i++)
		(void)mmamp_rsc_table_entry(copy, len, i, &e, &d);
	*found_vdev = mmamp_rsc_table_find_vdev(copy, len, 0, &vdev, &d) == 0;
	free(copy);
	return ret;
}

static void every_truncation_is_rejected(void **state)
{
	int offsets[RICH_NUM], vdev;
	union tbuf t;
	size_t size, len;

	(void)state;
	size = build_rich(&t, offsets);
	assert_int_equal(check_copy(t.b, size, &vdev), 0);
	for (len = 0; len < size; len++)
		assert_int_equal(check_copy(t.b, len, &vdev), -MMAMP_ENOEXEC);
	load_golden(&t);
	for (len = 0; len < GOLDEN_SIZE; len++)
		assert_int_equal(check_copy(t.b, len, &vdev), -MMAMP_ENOEXEC);
}

static void sweep_corruptions(const uint8_t *src, size_t size, unsigned *accepted,
			      unsigned *rejected)
{
	uint8_t copy[512];
	size_t i;
	unsigned v;
	int vdev;

	for (i = 0; i < size; i++) {
		/* 0xFF, 0x00, and each single-bit flip of the original byte */
		for (v = 0; v < 10; v++) {
			memcpy(copy, src, size);
			if (v == 8)
				copy[i] = 0xFF;
			else if (v == 9)
				copy[i] = 0;
			else
				copy[i] ^= (uint8_t)(1u << v);
			if (check_copy(copy, size, &vdev))
				(*rejected)++;
			else
				(*accepted)++;
		}
	}
}

static void every_corrupted_byte_is_handled(void **state)
{
	unsigned accepted = 0, rejected = 0;
	int offsets[RICH_NUM];
	union tbuf t;
	size_t size;

	(void)state;
	size = build_rich(&t, offsets);
	sweep_corruptions(t.b, size, &accepted, &rejected);
	load_golden(&t);
	sweep_corruptions(t.b, GOLDEN_SIZE, &accepted, &rejected);
	print_message("      corruptions: %u accepted, %u rejected\n", accepted, rejected);
	/* both outcomes occur: names, addresses and features are free-form, the header is not */
	assert_true(accepted > 0);
	assert_true(rejected > 0);
}

/* ---- builder limits ---- */

static void builder_reports_enospc(void **state)
{
	struct mmamp_rsc_builder b;
	union tbuf t;
	size_t size = 0;

	(void)state;
	/* the header and offset array must fit */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 15, 0), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 16, 1), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 0x40000000u), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 16, 0), 0);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	assert_int_equal(size, 16);
	expect_valid(t.b, size);

	/* entry slots exhausted; the error sticks */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 1), 0);
	assert_int_equal(mmamp_rsc_add_trace(&b, 0, 0x100, "t"), 20);
	assert_int_equal(mmamp_rsc_add_trace(&b, 0, 0x100, "t"), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0, 2, vdev0_rings), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), -MMAMP_ENOSPC);

	/* buffer exhausted: a carveout entry is 56 bytes */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 20 + 55, 1), 0);
	assert_int_equal(mmamp_rsc_add_carveout(&b, 0, 0, 1, 0, NULL), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 20 + 56, 1), 0);
	assert_int_equal(mmamp_rsc_add_carveout(&b, 0, 0, 1, 0, NULL), 20);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	assert_int_equal(size, 76);

	/* a config space that cannot fit, without wrapping the size computation */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 2), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0xFFFFFFFFu, 2, vdev0_rings),
			 -MMAMP_ENOSPC);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 2), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0xFFFFFFD0u, 2, vdev0_rings),
			 -MMAMP_ENOSPC);
	/* the padding after an odd-sized entry must fit too */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 24 + 4 + 1 + 3 + 4, 2), 0);
	assert_int_equal(mmamp_rsc_add_raw(&b, 300, vendor_body, 1), 24);
	assert_int_equal(mmamp_rsc_add_raw(&b, 301, NULL, 0), 32);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	assert_int_equal(size, 36);
	expect_valid(t.b, size);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, 24 + 4 + 1 + 3 + 3, 2), 0);
	assert_int_equal(mmamp_rsc_add_raw(&b, 300, vendor_body, 1), 24);
	assert_int_equal(mmamp_rsc_add_raw(&b, 301, NULL, 0), -MMAMP_ENOSPC);
}

static void builder_refuses_what_validate_would(void **state)
{
	static const char long_name[] = "0123456789abcdef0123456789abcdef"; /* 32 chars */
	struct mmamp_fw_rsc_vdev_vring rings[3] = {
		{ ANY, 16, 256, 0, 0 }, { ANY, 16, 256, 1, 0 }, { ANY, 16, 256, 2, 0 },
	};
	struct mmamp_rsc_builder b;
	union tbuf t;
	size_t size = 0;

	(void)state;
	assert_int_equal(mmamp_rsc_builder_init(&b, NULL, 64, 1), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_init(NULL, t.b, 64, 1), -MMAMP_EINVAL);

	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0, 3, rings), -MMAMP_EINVAL);
	/* sticky: a good entry after an error is refused with the first error */
	assert_int_equal(mmamp_rsc_add_trace(&b, 0, 16, "ok"), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), -MMAMP_EINVAL);

	rings[1].num = 3;
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0, 2, rings), -MMAMP_EINVAL);
	rings[1].num = 256;
	rings[0].align = 2;
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0, 2, rings), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 0, 1, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_carveout(&b, 0, 0, 1, 0, long_name), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_raw(&b, MMAMP_RSC_VDEV, vendor_body, 4), -MMAMP_EINVAL);
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_raw(&b, 128, NULL, 4), -MMAMP_EINVAL);

	/* 31 characters fit, and the field keeps its NUL; a vdev with no vrings is fine */
	assert_int_equal(mmamp_rsc_builder_init(&b, t.b, sizeof(t), 4), 0);
	assert_int_equal(mmamp_rsc_add_devmem(&b, 0, 0, 1, 0, long_name + 1), 32);
	assert_int_equal(mmamp_rsc_add_vdev(&b, 7, 0, 3, 0, NULL), 32 + 56);
	assert_int_equal(mmamp_rsc_builder_finish(&b, &size), 0);
	expect_valid(t.b, size);
	assert_string_equal((const char *)t.b + 32 + 4 + 20, long_name + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layouts_match_reference),
		cmocka_unit_test(builder_reproduces_golden_bytes),
		cmocka_unit_test(golden_table_iterates),
		cmocka_unit_test(static_rpmsg_table_validates),
		cmocka_unit_test(rich_table_round_trips),
		cmocka_unit_test(unsupported_and_vendor_types_are_accepted),
		cmocka_unit_test(rejects_bad_header),
		cmocka_unit_test(rejects_bad_offsets),
		cmocka_unit_test(rejects_truncated_fixed_bodies),
		cmocka_unit_test(rejects_nonzero_reserved_words),
		cmocka_unit_test(rejects_truncated_vdev),
		cmocka_unit_test(rejects_config_len_past_the_end),
		cmocka_unit_test(rejects_too_many_vrings),
		cmocka_unit_test(rejects_bad_vring_num),
		cmocka_unit_test(rejects_bad_vring_align),
		cmocka_unit_test(iteration_checks_each_entry_as_reached),
		cmocka_unit_test(rejects_bad_caller_arguments),
		cmocka_unit_test(rpmsg_vdev_lookup_checks_the_path_to_the_vdev),
		cmocka_unit_test(every_truncation_is_rejected),
		cmocka_unit_test(every_corrupted_byte_is_handled),
		cmocka_unit_test(builder_reports_enospc),
		cmocka_unit_test(builder_refuses_what_validate_would),
	};
	return cmocka_run_group_tests_name("rsc_table", tests, NULL, NULL);
}
