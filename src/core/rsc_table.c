/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rsc_table.c — checking, walking and building remoteproc resource tables. Every table is hostile
 * input: no byte is read before the offset and size that lead to it were proven to lie inside the
 * table, each field is read once into a local (memcpy, so no alignment is assumed), and every
 * rejection names the entry, field, value and rule in a struct mmamp_diag.
 */
#include "mmamp/rsc_table.h"

#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/port.h" /* refuses big-endian builds: fields are read natively */

#define TABLE_HDR	((uint32_t)sizeof(struct mmamp_rsc_table))
#define WHERE_TABLE	MMAMP_DIAG_S("resource table")
#define WHERE_ENTRY	MMAMP_DIAG_S("resource entry")
#define WHERE_ARG	MMAMP_DIAG_S("argument")

/* Body offsets of the fields the checks read (relative to the body, i.e. entry + 4). */
#define CARVEOUT_RESERVED	16u
#define TRACE_RESERVED		8u
#define VDEV_CONFIG_LEN		16u
#define VDEV_NUM_OF_VRINGS	21u
#define VDEV_RESERVED		22u
#define VRING_ALIGN		4u
#define VRING_NUM		8u

/**
 * struct rsc_view - a table whose header passed check_header().
 * @base:    first byte of the table.
 * @size:    its size, clamped to 4 GiB - 1 (offsets are u32: nothing beyond is addressable).
 * @num:     entry count; 16 + 4 * @num <= @size.
 * @hdr_end: 16 + 4 * @num, where entry bodies may start.
 */
struct rsc_view {
	const uint8_t *base;
	uint32_t size;
	uint32_t num;
	uint32_t hdr_end;
};

/**
 * struct rsc_found - an entry that passed check_entry().
 * @type:   its type word.  @offset: where it starts.  @avail: bytes after the type word.
 */
struct rsc_found {
	uint32_t type;
	uint32_t offset;
	uint32_t avail;
};

static const char *const vring_num_field[MMAMP_RSC_VDEV_MAX_VRINGS] = {
	MMAMP_DIAG_S("vring[0].num"), MMAMP_DIAG_S("vring[1].num"),
};
static const char *const vring_align_field[MMAMP_RSC_VDEV_MAX_VRINGS] = {
	MMAMP_DIAG_S("vring[0].align"), MMAMP_DIAG_S("vring[1].align"),
};

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void wr32(uint8_t *p, uint32_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static int is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

static uint32_t clamp_size(size_t size)
{
#if SIZE_MAX > UINT32_MAX
	if (size > UINT32_MAX)
		return UINT32_MAX;
#endif
	return (uint32_t)size;
}

static int diag_index(uint32_t i)
{
	return i > (uint32_t)INT32_MAX ? INT32_MAX : (int)i;
}

static int entry_bad(struct mmamp_diag *d, uint32_t i, const char *field, uint64_t value,
		     const char *why)
{
	return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_ENTRY, diag_index(i), field, value, why);
}

static int entry_over(struct mmamp_diag *d, uint32_t i, const char *field, uint64_t value,
		      const char *why, uint64_t limit)
{
	return mmamp_diag_set_limit(d, MMAMP_ENOEXEC, WHERE_ENTRY, diag_index(i), field, value, why,
				    limit);
}

static int check_header(struct rsc_view *v, const void *table, size_t size, struct mmamp_diag *d)
{
	const uint8_t *p = table;
	uint32_t sz = clamp_size(size), ver, res0, res1, num;

	if (!table)
		return mmamp_diag_set(d, MMAMP_EINVAL, WHERE_ARG, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("table"), 0,
				      MMAMP_DIAG_S("is NULL"));
	if (sz < TABLE_HDR)
		return mmamp_diag_set_limit(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
					    MMAMP_DIAG_S("size"), size, MMAMP_DIAG_S("is smaller than the table header"),
					    TABLE_HDR);
	ver = rd32(p, 0);
	num = rd32(p, 4);
	res0 = rd32(p, 8);
	res1 = rd32(p, 12);
	if (ver != MMAMP_RSC_TABLE_VERSION)
		return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("ver"),
				      ver, MMAMP_DIAG_S("is not version 1"));
	if (res0)
		return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
				      MMAMP_DIAG_S("reserved[0]"), res0, MMAMP_DIAG_S("is not zero"));
	if (res1)
		return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
				      MMAMP_DIAG_S("reserved[1]"), res1, MMAMP_DIAG_S("is not zero"));
	/* 16 + 4 * num <= sz, without computing 4 * num (which wraps for num >= 2^30). */
	if (num > (sz - TABLE_HDR) / 4)
		return mmamp_diag_set_limit(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
					    MMAMP_DIAG_S("num"), num, MMAMP_DIAG_S("has more offsets than fit in the table"),
					    (sz - TABLE_HDR) / 4);
	v->base = p;
	v->size = sz;
	v->num = num;
	v->hdr_end = TABLE_HDR + 4 * num;
	return 0;
}

/* Carveout, devmem and trace: a fixed body size and one reserved word. */
static int check_fixed(const uint8_t *body, uint32_t avail, uint32_t need, uint32_t reserved_off,
		       const char *too_small, uint32_t i, struct mmamp_diag *d)
{
	uint32_t reserved;

	if (avail < need)
		return entry_over(d, i, MMAMP_DIAG_S("avail"), avail, too_small, need);
	reserved = rd32(body, reserved_off);
	if (reserved)
		return entry_bad(d, i, MMAMP_DIAG_S("reserved"), reserved, MMAMP_DIAG_S("is not zero"));
	return 0;
}

/* One 20-byte vring descriptor @vr, vring @j of entry @i (also used by the builder). */
static int check_vring(const uint8_t *vr, uint32_t j, uint32_t i, struct mmamp_diag *d)
{
	uint32_t num = rd32(vr, VRING_NUM), align = rd32(vr, VRING_ALIGN);

	if (!num)
		return entry_bad(d, i, vring_num_field[j], num, MMAMP_DIAG_S("is zero"));
	if (!is_pow2(num))
		return entry_bad(d, i, vring_num_field[j], num, MMAMP_DIAG_S("is not a power of two"));
	if (num > MMAMP_VRING_MAX_NUM)
		return entry_over(d, i, vring_num_field[j], num, MMAMP_DIAG_S("exceeds the virtio maximum"),
				  MMAMP_VRING_MAX_NUM);
	if (!align)
		return entry_bad(d, i, vring_align_field[j], align, MMAMP_DIAG_S("is zero"));
	if (!is_pow2(align))
		return entry_bad(d, i, vring_align_field[j], align, MMAMP_DIAG_S("is not a power of two"));
	if (align < MMAMP_VRING_MIN_ALIGN)
		return entry_over(d, i, vring_align_field[j], align,
				  MMAMP_DIAG_S("is below the used ring's 4-byte element alignment"),
				  MMAMP_VRING_MIN_ALIGN);
	return 0;
}

static int check_vdev(const uint8_t *body, uint32_t avail, uint32_t i, struct mmamp_diag *d)
{
	uint32_t nvrings, res0, res1, fixed, config_len, j;
	int ret;

	if (avail < MMAMP_RSC_VDEV_SIZE)
		return entry_over(d, i, MMAMP_DIAG_S("avail"), avail, MMAMP_DIAG_S("is too small for a vdev body"),
				  MMAMP_RSC_VDEV_SIZE);
	nvrings = body[VDEV_NUM_OF_VRINGS];
	if (nvrings > MMAMP_RSC_VDEV_MAX_VRINGS)
		return entry_over(d, i, MMAMP_DIAG_S("num_of_vrings"), nvrings,
				  MMAMP_DIAG_S("exceeds the 2 vrings Linux supports"), MMAMP_RSC_VDEV_MAX_VRINGS);
	res0 = body[VDEV_RESERVED];
	res1 = body[VDEV_RESERVED + 1];
	if (res0)
		return entry_bad(d, i, MMAMP_DIAG_S("reserved[0]"), res0, MMAMP_DIAG_S("is not zero"));
	if (res1)
		return entry_bad(d, i, MMAMP_DIAG_S("reserved[1]"), res1, MMAMP_DIAG_S("is not zero"));
	fixed = MMAMP_RSC_VDEV_SIZE + MMAMP_RSC_VRING_SIZE * nvrings;
	if (avail < fixed)
		return entry_over(d, i, MMAMP_DIAG_S("avail"), avail,
				  MMAMP_DIAG_S("is too small for the vdev body and its vrings"), fixed);
	/* fixed + config_len <= avail, without the sum (config_len is any u32). */
	config_len = rd32(body, VDEV_CONFIG_LEN);
	if (config_len > avail - fixed)
		return entry_over(d, i, MMAMP_DIAG_S("config_len"), config_len, MMAMP_DIAG_S("runs past the end of the table"),
				  avail - fixed);
	for (j = 0; j < nvrings; j++) {
		ret = check_vring(body + MMAMP_RSC_VDEV_SIZE + MMAMP_RSC_VRING_SIZE * j, j, i, d);
		if (ret)
			return ret;
	}
	return 0;
}

/* Types 4..127 and > 512 are skipped by Linux, 128..512 go to the platform: no body rules. */
static int check_body(const uint8_t *body, uint32_t type, uint32_t avail, uint32_t i,
		      struct mmamp_diag *d)
{
	switch (type) {
	case MMAMP_RSC_CARVEOUT:
		return check_fixed(body, avail, MMAMP_RSC_CARVEOUT_SIZE, CARVEOUT_RESERVED,
				   MMAMP_DIAG_S("is too small for a carveout body"), i, d);
	case MMAMP_RSC_DEVMEM:
		return check_fixed(body, avail, MMAMP_RSC_DEVMEM_SIZE, CARVEOUT_RESERVED,
				   MMAMP_DIAG_S("is too small for a devmem body"), i, d);
	case MMAMP_RSC_TRACE:
		return check_fixed(body, avail, MMAMP_RSC_TRACE_SIZE, TRACE_RESERVED,
				   MMAMP_DIAG_S("is too small for a trace body"), i, d);
	case MMAMP_RSC_VDEV:
		return check_vdev(body, avail, i, d);
	default:
		return 0;
	}
}

/* Entry @i of a table whose header passed: offset first, then type, then body. */
static int check_entry(const struct rsc_view *v, uint32_t i, struct rsc_found *f,
		       struct mmamp_diag *d)
{
	uint32_t off = rd32(v->base, TABLE_HDR + 4 * i), type, avail;
	int ret;

	if (off >= v->size)
		return entry_over(d, i, MMAMP_DIAG_S("offset"), off, MMAMP_DIAG_S("is beyond the end of the table"), v->size);
	if (off > v->size - MMAMP_RSC_HDR_SIZE)
		return entry_over(d, i, MMAMP_DIAG_S("offset"), off, MMAMP_DIAG_S("leaves no room for the entry type"),
				  v->size - MMAMP_RSC_HDR_SIZE);
	if (off & 3u)
		return entry_bad(d, i, MMAMP_DIAG_S("offset"), off, MMAMP_DIAG_S("is not 4-byte aligned"));
	if (off < v->hdr_end)
		return entry_over(d, i, MMAMP_DIAG_S("offset"), off,
				  MMAMP_DIAG_S("overlaps the table header and offset array"), v->hdr_end);
	type = rd32(v->base, off);
	avail = v->size - off - MMAMP_RSC_HDR_SIZE;
	ret = check_body(v->base + off + MMAMP_RSC_HDR_SIZE, type, avail, i, d);
	if (ret)
		return ret;
	f->type = type;
	f->offset = off;
	f->avail = avail;
	return 0;
}

int mmamp_rsc_table_validate(const void *table, size_t size, struct mmamp_diag *d)
{
	struct rsc_view v;
	struct rsc_found f;
	uint32_t i;
	int ret;

	ret = check_header(&v, table, size, d);
	if (ret)
		return ret;
	for (i = 0; i < v.num; i++) {
		ret = check_entry(&v, i, &f, d);
		if (ret)
			return ret;
	}
	return 0;
}

/* The iterators hand out typed body pointers, so the table itself must be 4-byte aligned. */
static int open_table(struct rsc_view *v, void *table, size_t size, struct mmamp_diag *d)
{
	if ((uintptr_t)table & 3u)
		return mmamp_diag_set(d, MMAMP_EINVAL, WHERE_ARG, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("table"),
				      (uintptr_t)table, MMAMP_DIAG_S("is not 4-byte aligned"));
	return check_header(v, table, size, d);
}

static int fetch_entry(const struct rsc_view *v, uint8_t *table, uint32_t i,
		       struct mmamp_rsc_entry *e, struct mmamp_diag *d)
{
	struct rsc_found f;
	int ret;

	ret = check_entry(v, i, &f, d);
	if (ret)
		return ret;
	e->type = f.type;
	e->offset = f.offset;
	e->avail = f.avail;
	e->index = i;
	e->body = table + f.offset + MMAMP_RSC_HDR_SIZE;
	return 0;
}

int mmamp_rsc_table_entry(void *table, size_t size, unsigned index, struct mmamp_rsc_entry *e,
			  struct mmamp_diag *d)
{
	struct rsc_view v;
	int ret;

	if (!e)
		return mmamp_diag_set(d, MMAMP_EINVAL, WHERE_ARG, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("e"), 0,
				      MMAMP_DIAG_S("is NULL"));
	ret = open_table(&v, table, size, d);
	if (ret)
		return ret;
	if (index >= v.num)
		return mmamp_diag_set_limit(d, MMAMP_ENOENT, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
					    MMAMP_DIAG_S("index"), index, MMAMP_DIAG_S("is not below num"), v.num);
	return fetch_entry(&v, table, index, e, d);
}

int mmamp_rsc_table_for_each(void *table, size_t size, mmamp_rsc_entry_fn fn, void *ctx,
			     struct mmamp_diag *d)
{
	struct mmamp_rsc_entry e;
	struct rsc_view v;
	uint32_t i;
	int ret;

	if (!fn)
		return mmamp_diag_set(d, MMAMP_EINVAL, WHERE_ARG, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("fn"), 0,
				      MMAMP_DIAG_S("is NULL"));
	ret = open_table(&v, table, size, d);
	if (ret)
		return ret;
	for (i = 0; i < v.num; i++) {
		ret = fetch_entry(&v, table, i, &e, d);
		if (ret)
			return ret;
		ret = fn(&e, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * struct vdev_search - state of mmamp_rsc_table_find_vdev()'s walk.
 * @nth: the vdev wanted.  @seen: vdevs passed so far.  @vdev: the one found.
 */
struct vdev_search {
	unsigned nth;
	unsigned seen;
	struct mmamp_fw_rsc_vdev *vdev;
};

static int match_vdev(const struct mmamp_rsc_entry *e, void *ctx)
{
	struct vdev_search *s = ctx;

	if (e->type != MMAMP_RSC_VDEV)
		return 0;
	if (s->seen++ != s->nth)
		return 0;
	s->vdev = e->body;
	return 1;
}

int mmamp_rsc_table_find_vdev(void *table, size_t size, unsigned nth,
			      struct mmamp_fw_rsc_vdev **vdev, struct mmamp_diag *d)
{
	struct vdev_search s = { nth, 0, NULL };
	int ret;

	if (!vdev)
		return mmamp_diag_set(d, MMAMP_EINVAL, WHERE_ARG, MMAMP_DIAG_NO_INDEX, MMAMP_DIAG_S("vdev"), 0,
				      MMAMP_DIAG_S("is NULL"));
	ret = mmamp_rsc_table_for_each(table, size, match_vdev, &s, d);
	if (ret < 0)
		return ret;
	if (!ret)
		return mmamp_diag_set_limit(d, MMAMP_ENOENT, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
					    MMAMP_DIAG_S("vdev number"), nth,
					    MMAMP_DIAG_S("is not below the number of vdevs"), s.seen);
	*vdev = s.vdev;
	return 0;
}

size_t mmamp_rsc_name_len(const char *name)
{
	size_t n = 0;

	while (n < MMAMP_RSC_NAME_LEN && name[n])
		n++;
	return n;
}

/* ---- builder ---- */

static int builder_fail(struct mmamp_rsc_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

int mmamp_rsc_builder_init(struct mmamp_rsc_builder *b, void *buf, size_t cap,
			   unsigned max_entries)
{
	uint32_t cap32;

	if (!b)
		return -MMAMP_EINVAL;
	memset(b, 0, sizeof(*b));
	if (!buf)
		return builder_fail(b, -MMAMP_EINVAL);
	cap32 = cap > (size_t)INT32_MAX ? (uint32_t)INT32_MAX : (uint32_t)cap;
	if (cap32 < TABLE_HDR || max_entries > (cap32 - TABLE_HDR) / 4)
		return builder_fail(b, -MMAMP_ENOSPC);
	b->buf = buf;
	b->cap = cap32;
	b->max_entries = max_entries;
	b->used = TABLE_HDR + 4 * max_entries;
	memset(b->buf, 0, b->used);
	wr32(b->buf, 0, MMAMP_RSC_TABLE_VERSION);
	return 0;
}

/* A C string of at most 31 characters, so that the 32-byte field keeps its NUL. */
static int name_ok(const char *name)
{
	size_t n;

	if (!name)
		return 1;
	for (n = 0; n < MMAMP_RSC_NAME_LEN; n++)
		if (!name[n])
			return 1;
	return 0;
}

static void put_name(uint8_t *dst, const char *name)
{
	if (name)
		memcpy(dst, name, mmamp_rsc_name_len(name));
}

/*
 * Reserve an entry of 4 + @body + @extra bytes at the next 4-byte boundary, zero it (and the
 * padding before it) and write its type. Returns its offset, or the builder's error.
 */
static int begin_entry(struct mmamp_rsc_builder *b, uint32_t type, uint32_t body, uint32_t extra)
{
	uint32_t start = (b->used + 3u) & ~3u, room, fixed = MMAMP_RSC_HDR_SIZE + body;

	if (b->num >= b->max_entries || start > b->cap)
		return builder_fail(b, -MMAMP_ENOSPC);
	room = b->cap - start;
	if (fixed > room || extra > room - fixed)
		return builder_fail(b, -MMAMP_ENOSPC);
	memset(b->buf + b->used, 0, start - b->used + fixed + extra);
	wr32(b->buf, start, type);
	return (int)start;
}

static int end_entry(struct mmamp_rsc_builder *b, uint32_t start, uint32_t len)
{
	wr32(b->buf, TABLE_HDR + 4 * b->num, start);
	b->num++;
	wr32(b->buf, 4, b->num);
	b->used = start + len;
	return (int)start;
}

/* Common entry gate: NULL builder, earlier (sticky) error. */
static int builder_usable(struct mmamp_rsc_builder *b)
{
	if (!b)
		return -MMAMP_EINVAL;
	return b->err;
}

static int add_mem(struct mmamp_rsc_builder *b, uint32_t type, uint32_t da, uint32_t pa,
		   uint32_t len, uint32_t flags, const char *name)
{
	uint8_t *body;
	int off = builder_usable(b);

	if (off)
		return off;
	if (!name_ok(name))
		return builder_fail(b, -MMAMP_EINVAL);
	off = begin_entry(b, type, MMAMP_RSC_CARVEOUT_SIZE, 0);
	if (off < 0)
		return off;
	body = b->buf + off + MMAMP_RSC_HDR_SIZE;
	wr32(body, 0, da);
	wr32(body, 4, pa);
	wr32(body, 8, len);
	wr32(body, 12, flags);
	put_name(body + 20, name);
	return end_entry(b, (uint32_t)off, MMAMP_RSC_HDR_SIZE + MMAMP_RSC_CARVEOUT_SIZE);
}

int mmamp_rsc_add_carveout(struct mmamp_rsc_builder *b, uint32_t da, uint32_t pa, uint32_t len,
			   uint32_t flags, const char *name)
{
	return add_mem(b, MMAMP_RSC_CARVEOUT, da, pa, len, flags, name);
}

int mmamp_rsc_add_devmem(struct mmamp_rsc_builder *b, uint32_t da, uint32_t pa, uint32_t len,
			 uint32_t flags, const char *name)
{
	return add_mem(b, MMAMP_RSC_DEVMEM, da, pa, len, flags, name);
}

int mmamp_rsc_add_trace(struct mmamp_rsc_builder *b, uint32_t da, uint32_t len, const char *name)
{
	uint8_t *body;
	int off = builder_usable(b);

	if (off)
		return off;
	if (!name_ok(name))
		return builder_fail(b, -MMAMP_EINVAL);
	off = begin_entry(b, MMAMP_RSC_TRACE, MMAMP_RSC_TRACE_SIZE, 0);
	if (off < 0)
		return off;
	body = b->buf + off + MMAMP_RSC_HDR_SIZE;
	wr32(body, 0, da);
	wr32(body, 4, len);
	put_name(body + 12, name);
	return end_entry(b, (uint32_t)off, MMAMP_RSC_HDR_SIZE + MMAMP_RSC_TRACE_SIZE);
}

/* The builder only emits vrings the validator accepts. */
static int vrings_ok(unsigned nvrings, const struct mmamp_fw_rsc_vdev_vring *vrings)
{
	unsigned j;

	if (nvrings > MMAMP_RSC_VDEV_MAX_VRINGS || (nvrings && !vrings))
		return 0;
	for (j = 0; j < nvrings; j++)
		if (check_vring((const uint8_t *)&vrings[j], j, 0, NULL))
			return 0;
	return 1;
}

int mmamp_rsc_add_vdev(struct mmamp_rsc_builder *b, uint32_t id, uint32_t dfeatures,
		       uint32_t config_len, unsigned nvrings,
		       const struct mmamp_fw_rsc_vdev_vring *vrings)
{
	uint32_t fixed, j;
	uint8_t *body;
	int off = builder_usable(b);

	if (off)
		return off;
	if (!vrings_ok(nvrings, vrings))
		return builder_fail(b, -MMAMP_EINVAL);
	fixed = MMAMP_RSC_VDEV_SIZE + MMAMP_RSC_VRING_SIZE * nvrings;
	off = begin_entry(b, MMAMP_RSC_VDEV, fixed, config_len);
	if (off < 0)
		return off;
	body = b->buf + off + MMAMP_RSC_HDR_SIZE;
	wr32(body, 0, id);
	wr32(body, 8, dfeatures);
	wr32(body, VDEV_CONFIG_LEN, config_len);
	body[VDEV_NUM_OF_VRINGS] = (uint8_t)nvrings;
	for (j = 0; j < nvrings; j++)
		memcpy(body + MMAMP_RSC_VDEV_SIZE + MMAMP_RSC_VRING_SIZE * j, &vrings[j],
		       MMAMP_RSC_VRING_SIZE);
	return end_entry(b, (uint32_t)off, MMAMP_RSC_HDR_SIZE + fixed + config_len);
}

int mmamp_rsc_add_raw(struct mmamp_rsc_builder *b, uint32_t type, const void *body,
		      uint32_t len)
{
	int off = builder_usable(b);

	if (off)
		return off;
	if (type < MMAMP_RSC_LAST || (len && !body))
		return builder_fail(b, -MMAMP_EINVAL);
	off = begin_entry(b, type, 0, len);
	if (off < 0)
		return off;
	if (len)
		memcpy(b->buf + off + MMAMP_RSC_HDR_SIZE, body, len);
	return end_entry(b, (uint32_t)off, MMAMP_RSC_HDR_SIZE + len);
}

int mmamp_rsc_builder_finish(struct mmamp_rsc_builder *b, size_t *size)
{
	int ret = builder_usable(b);

	if (ret)
		return ret;
	if (!size)
		return builder_fail(b, -MMAMP_EINVAL);
	*size = b->used;
	return 0;
}
