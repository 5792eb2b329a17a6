/*
 * fuzz_rsc_table.c — fuzz target: the resource-table parser on arbitrary bytes, and the builder
 * driven by the same bytes read as a script.
 *
 * Parser: the table is placed against a guard page (validate at any alignment, the iterators
 * 4-byte aligned with the 0..3 slack bytes ASan-poisoned). validate, for_each, entry and
 * find_vdev must agree with each other, every entry handed out must lie inside the table with
 * its whole body, and a rejection must come with a renderable diag.
 * Builder: whatever sequence of adds succeeds, the table it finishes is accepted by validate
 * and walks back as the same entries.
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "mmamp/errno.h"
#include "mmamp/rsc_table.h"

#define MAX_TABLE (16u * 1024u)
#define MAX_ENTRIES 64u

struct walk {
	const uint8_t *base;
	size_t size;
	unsigned count;
	uint32_t types[MAX_ENTRIES];
	uint32_t offsets[MAX_ENTRIES];
	uint32_t sum;
};

static uint32_t body_size(uint32_t type, const uint8_t *body, uint32_t avail)
{
	uint32_t n, cfg;

	switch (type) {
	case MMAMP_RSC_CARVEOUT:
	case MMAMP_RSC_DEVMEM:
		return MMAMP_RSC_CARVEOUT_SIZE;
	case MMAMP_RSC_TRACE:
		return MMAMP_RSC_TRACE_SIZE;
	case MMAMP_RSC_VDEV:
		FUZZ_CHECK(avail >= MMAMP_RSC_VDEV_SIZE);
		n = body[21];
		memcpy(&cfg, body + 16, sizeof(cfg));
		return MMAMP_RSC_VDEV_SIZE + MMAMP_RSC_VRING_SIZE * n + cfg;
	default:
		return 0;
	}
}

static int visit(const struct mmamp_rsc_entry *e, void *ctx)
{
	struct walk *w = ctx;
	const uint8_t *body = e->body;
	uint32_t need, k;

	FUZZ_CHECK(e->index == w->count);
	FUZZ_CHECK(e->offset >= 16u && (e->offset & 3u) == 0);
	FUZZ_CHECK((uint64_t)e->offset + MMAMP_RSC_HDR_SIZE + e->avail == w->size);
	FUZZ_CHECK(body == w->base + e->offset + MMAMP_RSC_HDR_SIZE);
	need = body_size(e->type, body, e->avail);
	FUZZ_CHECK(need <= e->avail);
	/* read the whole body the type promises: a guard page or ASan objects if it is not there */
	for (k = 0; k < need; k++)
		w->sum += body[k];
	if (w->count < MAX_ENTRIES) {
		w->types[w->count] = e->type;
		w->offsets[w->count] = e->offset;
	}
	w->count++;
	return 0;
}

static void parse(struct guarded *g, const uint8_t *data, size_t size)
{
	struct mmamp_fw_rsc_vdev *vdev;
	struct mmamp_rsc_entry e;
	struct mmamp_diag d;
	struct walk w;
	uint8_t *t;
	uint32_t num = 0;
	unsigned nth;
	int valid, ret;

	/* validate at the alignment that ends the table exactly at the guard page */
	t = guarded_place_end(g, size, 1);
	memcpy(t, data, size);
	valid = mmamp_rsc_table_validate(t, size, &d);
	FUZZ_CHECK(valid == 0 || valid == -MMAMP_ENOEXEC);
	if (valid)
		fuzz_check_diag(&d);

	/* the iterators need 4-byte alignment */
	t = guarded_place_end(g, size, 4);
	memcpy(t, data, size);
	if (size >= 8)
		memcpy(&num, t + 4, sizeof(num));
	memset(&w, 0, sizeof(w));
	w.base = t;
	w.size = size;
	ret = mmamp_rsc_table_for_each(t, size, visit, &w, &d);
	FUZZ_CHECK(ret == valid);
	if (!ret)
		FUZZ_CHECK(w.count == num);
	else
		fuzz_check_diag(&d);
	FUZZ_CHECK(mmamp_rsc_table_validate(t, size, NULL) == valid);

	ret = mmamp_rsc_table_entry(t, size, size % 5u, &e, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOENT || ret == -MMAMP_ENOEXEC);
	if (ret)
		fuzz_check_diag(&d);
	else if (size % 5u < w.count)
		FUZZ_CHECK(e.type == w.types[size % 5u] && e.offset == w.offsets[size % 5u]);

	for (nth = 0; nth < 3; nth++) {
		ret = mmamp_rsc_table_find_vdev(t, size, nth, &vdev, &d);
		FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOENT || ret == -MMAMP_ENOEXEC);
		if (ret) {
			fuzz_check_diag(&d);
			continue;
		}
		FUZZ_CHECK((uint8_t *)vdev > t && (uint8_t *)vdev + MMAMP_RSC_VDEV_SIZE +
			   MMAMP_RSC_VRING_SIZE * vdev->num_of_vrings <= t + size);
	}
	/* the remote's lean lookup: a vdev it hands out is the one at 0x18, inside the table */
	ret = mmamp_rsc_table_rpmsg_vdev(t, size, &vdev, &d);
	FUZZ_CHECK(ret == 0 || ret == -MMAMP_ENOEXEC);
	if (ret)
		fuzz_check_diag(&d);
	else
		FUZZ_CHECK((uint8_t *)vdev == t + 0x18 &&
			   size >= sizeof(struct mmamp_rsc_table_rpmsg));
	/* unaligned tables are refused by the iterators, not read */
	if (size >= 17) {
		t = guarded_place_end(g, size, 1);
		if ((uintptr_t)t & 3u)
			FUZZ_CHECK(mmamp_rsc_table_for_each(t, size, visit, &w, NULL) ==
				   -MMAMP_EINVAL);
	}
}

/* ---- builder ---- */

static void name_from(struct fin *in, char *name, size_t cap)
{
	size_t n = fin_u8(in) % cap;

	fin_bytes(in, name, n);
	name[n] = '\0';
}

static void build(struct guarded *g, const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct mmamp_rsc_builder b;
	struct mmamp_fw_rsc_vdev_vring vr[2];
	uint8_t raw[300];
	char name[48];
	struct walk w;
	size_t cap = fin_u16(&in) % MAX_TABLE, out;
	unsigned max_entries = fin_u8(&in) % 24u, added = 0, ops = 0, nv, j;
	uint32_t types[24];
	int off, ret;
	uint8_t *buf = guarded_place_end(g, cap, 1);

	if (mmamp_rsc_builder_init(&b, buf, cap, max_entries))
		return;
	while (in.n && ops++ < 64) {
		uint8_t op = fin_u8(&in) % 6u;
		uint32_t a = fin_u32(&in), p = fin_u32(&in), l = fin_u32(&in);

		switch (op) {
		case 0:
		case 1:
			name_from(&in, name, 40);
			off = op ? mmamp_rsc_add_devmem(&b, a, p, l, fin_u32(&in), name)
				 : mmamp_rsc_add_carveout(&b, a, p, l, fin_u32(&in), name);
			types[added % 24] = op ? MMAMP_RSC_DEVMEM : MMAMP_RSC_CARVEOUT;
			break;
		case 2:
			name_from(&in, name, 40);
			off = mmamp_rsc_add_trace(&b, a, l, name);
			types[added % 24] = MMAMP_RSC_TRACE;
			break;
		case 3:
			nv = fin_u8(&in) % 4u;
			for (j = 0; j < 2; j++) {
				vr[j].da = fin_u32(&in);
				vr[j].align = 1u << (fin_u8(&in) % 32u);
				vr[j].num = 1u << (fin_u8(&in) % 32u);
				vr[j].notifyid = j;
				vr[j].pa = 0;
			}
			off = mmamp_rsc_add_vdev(&b, a, p, l % 600u, nv, vr);
			types[added % 24] = MMAMP_RSC_VDEV;
			break;
		case 4:
			fin_bytes(&in, raw, l % sizeof(raw));
			off = mmamp_rsc_add_raw(&b, a % 1024u, raw, l % sizeof(raw));
			types[added % 24] = a % 1024u;
			break;
		default:
			off = 0;
			break;
		}
		if (op == 5)
			break;
		if (off >= 0)
			added++;
	}
	ret = mmamp_rsc_builder_finish(&b, &out);
	if (ret) {
		FUZZ_CHECK(ret == -MMAMP_ENOSPC || ret == -MMAMP_EINVAL);
		return;
	}
	FUZZ_CHECK(out <= cap);
	FUZZ_CHECK(mmamp_rsc_table_validate(buf, out, NULL) == 0);
	/* walk it back (aligned copy: the builder's buffer may be at any alignment) */
	{
		static uint8_t copy[MAX_TABLE];
		uint8_t *t;

		memcpy(copy, buf, out); /* placing t re-poisons what lies below it, buf included */
		t = guarded_place_end(g, out, 4);
		memcpy(t, copy, out);
		memset(&w, 0, sizeof(w));
		w.base = t;
		w.size = out;
		FUZZ_CHECK(mmamp_rsc_table_for_each(t, out, visit, &w, NULL) == 0);
		FUZZ_CHECK(w.count == added);
		for (j = 0; j < added && j < 24; j++)
			FUZZ_CHECK(w.types[j] == types[j]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded g;
	static int ready;

	if (!ready) {
		guarded_init(&g, MAX_TABLE + 4096u);
		ready = 1;
	}
	if (size > MAX_TABLE)
		return 0;
	parse(&g, data, size);
	build(&g, data, size);
	return 0;
}
