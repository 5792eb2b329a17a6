/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * platform.c — loading and validating a platform description (mmamp/host/platform.h) from a
 * flattened device tree with libfdt.
 *
 * The blob is copied into memory the description owns (strings such as "firmware" point into
 * it); every object lives in arrays allocated here and freed by mmamp_platform_free(). Any
 * violation of the schema stops the load with one line naming the file, node and property.
 */
#include "mmamp/host/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "mmamp/errno.h"

/** Larger files are not platform descriptions (ours are a few KiB). */
#define MAX_BLOB_SIZE (4u << 20)

struct priv {
	void *blob;
	char *origin;
	void **allocs;
	size_t nallocs;
	size_t cap;
};

enum kind { K_PARTITION, K_REGION, K_MU, K_CORE };

static const char *const kind_name[] = { "a partition", "a region", "an MU", "a core" };

struct loader {
	struct mmamp_platform *p;
	struct priv *priv;
	const void *fdt;
	const char *origin;
	char *err;
	size_t errlen;
	/* Node offset of each object, by kind, to resolve phandles. */
	int *nodes[4];
	size_t counts[4];
};

bool mmamp_perm_valid(unsigned perm)
{
	return perm == MMAMP_PERM_NONE || perm == MMAMP_PERM_R || perm == MMAMP_PERM_RX ||
	       perm == MMAMP_PERM_RW || perm == MMAMP_PERM_RWX;
}

const char *mmamp_perm_name(unsigned perm)
{
	switch (perm) {
	case MMAMP_PERM_NONE:
		return "none";
	case MMAMP_PERM_R:
		return "r";
	case MMAMP_PERM_RX:
		return "rx";
	case MMAMP_PERM_RW:
		return "rw";
	case MMAMP_PERM_RWX:
		return "rwx";
	default:
		return "invalid";
	}
}

/* ---- errors ------------------------------------------------------------------------------ */

static void set_err(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->err || !l->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
}

static const char *node_path(const struct loader *l, int node, char *buf, int len)
{
	if (node < 0 || fdt_get_path(l->fdt, node, buf, len) != 0)
		return "?";
	return buf;
}

/* "<origin>: <node path>: <message>"; returns -MMAMP_EINVAL. */
static int fail(struct loader *l, int node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *l, int node, const char *fmt, ...)
{
	char msg[512];
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(l, "%s: %s: %s", l->origin, node_path(l, node, path, sizeof(path)), msg);
	return -MMAMP_EINVAL;
}

static int nomem(struct loader *l)
{
	set_err(l, "%s: out of memory", l->origin);
	return -MMAMP_ENOMEM;
}

/* ---- allocation: everything a description holds is on one list ------------------------- */

static void *palloc(struct priv *pv, size_t n, size_t size)
{
	void *mem;

	if (pv->nallocs == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 16;
		void **a = realloc(pv->allocs, cap * sizeof(*a));

		if (!a)
			return NULL;
		pv->allocs = a;
		pv->cap = cap;
	}
	mem = calloc(n ? n : 1, size);
	if (mem)
		pv->allocs[pv->nallocs++] = mem;
	return mem;
}

static void priv_free(struct priv *pv)
{
	size_t i;

	if (!pv)
		return;
	for (i = 0; i < pv->nallocs; i++)
		free(pv->allocs[i]);
	free(pv->allocs);
	free(pv->blob);
	free(pv->origin);
	free(pv);
}

/* ---- property readers ------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/*
 * A property, or NULL when absent. Any other libfdt error (a corrupt tree passes
 * fdt_check_full(), so this should not happen) is reported and *ret set.
 */
static const uint8_t *prop(struct loader *l, int node, const char *name, int *len, int *ret)
{
	const uint8_t *d = fdt_getprop(l->fdt, node, name, len);

	*ret = 0;
	if (!d && *len != -FDT_ERR_NOTFOUND)
		*ret = fail(l, node, "property '%s': %s", name, fdt_strerror(*len));
	return d;
}

/* A number of one cell (or two when @wide). Returns 1 present, 0 absent (optional), < 0 error. */
static int prop_num(struct loader *l, int node, const char *name, bool wide, bool required,
		    uint64_t *v)
{
	int len, ret;
	const uint8_t *d = prop(l, node, name, &len, &ret);

	if (ret)
		return ret;
	if (!d) {
		if (required)
			return fail(l, node, "property '%s' missing", name);
		return 0;
	}
	if (len == 4)
		*v = be32(d);
	else if (len == 8 && wide)
		*v = (uint64_t)be32(d) << 32 | be32(d + 4);
	else
		return fail(l, node, "property '%s' is %d bytes long, expected %s", name, len,
			    wide ? "4 or 8 (one or two cells)" : "4 (one cell)");
	return 1;
}

static int prop_u32(struct loader *l, int node, const char *name, bool required, uint32_t *v)
{
	uint64_t w = 0;
	int ret = prop_num(l, node, name, false, required, &w);

	if (ret > 0)
		*v = (uint32_t)w;
	return ret;
}

/* "property 'att'" or "property 'att' entry 3" (entry < 0: a single-valued property). */
static void label(char *buf, size_t len, const char *name, int entry)
{
	if (entry < 0)
		snprintf(buf, len, "property '%s'", name);
	else
		snprintf(buf, len, "property '%s' entry %d", name, entry);
}

/* The index of the @want object that phandle @ph names. */
static int resolve(struct loader *l, int node, const char *name, int entry, uint32_t ph,
		   enum kind want, size_t *idx)
{
	char lbl[96];
	char path[256];
	int target;
	size_t i;

	label(lbl, sizeof(lbl), name, entry);
	target = (ph == 0 || ph == UINT32_MAX) ? -FDT_ERR_BADPHANDLE
					       : fdt_node_offset_by_phandle(l->fdt, ph);
	if (target < 0)
		return fail(l, node, "%s: phandle 0x%x refers to no node", lbl, ph);
	for (i = 0; i < l->counts[want]; i++) {
		if (l->nodes[want][i] == target) {
			*idx = i;
			return 0;
		}
	}
	return fail(l, node, "%s: %s is not %s", lbl, node_path(l, target, path, sizeof(path)),
		    kind_name[want]);
}

/* A single phandle property. Returns 1 present, 0 absent (optional), < 0 error. */
static int prop_ref(struct loader *l, int node, const char *name, bool required, enum kind want,
		    size_t *idx)
{
	int len, ret;
	const uint8_t *d = prop(l, node, name, &len, &ret);

	if (ret)
		return ret;
	if (!d) {
		if (required)
			return fail(l, node, "property '%s' missing", name);
		return 0;
	}
	if (len != 4)
		return fail(l, node, "property '%s' is %d bytes long, expected 4 (one phandle)",
			    name, len);
	ret = resolve(l, node, name, -1, be32(d), want, idx);
	return ret ? ret : 1;
}

/* A string property. Returns 1 present, 0 absent, < 0 error. */
static int prop_string(struct loader *l, int node, const char *name, const char **s)
{
	int len, ret;
	const uint8_t *d = prop(l, node, name, &len, &ret);

	if (ret)
		return ret;
	if (!d)
		return 0;
	if (len < 2 || d[len - 1] != '\0' || strlen((const char *)d) != (size_t)len - 1)
		return fail(l, node, "property '%s' is not one non-empty string", name);
	*s = (const char *)d;
	return 1;
}

/* ---- names and ranges ------------------------------------------------------------------- */

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ',' || c == '.' || c == '_' || c == '+' || c == '-';
}

/* The node's name without "@unit", checked and copied into @out. */
static int take_name(struct loader *l, int node, char out[MMAMP_PLATFORM_NAME_MAX])
{
	int len;
	const char *name = fdt_get_name(l->fdt, node, &len);
	const char *at;
	size_t n, i;

	if (!name)
		return fail(l, node, "no node name: %s", fdt_strerror(len));
	at = memchr(name, '@', (size_t)len);
	n = at ? (size_t)(at - name) : (size_t)len;
	if (n == 0)
		return fail(l, node, "empty node name");
	if (n >= MMAMP_PLATFORM_NAME_MAX)
		return fail(l, node, "name is %zu characters long (at most %u)", n,
			    MMAMP_PLATFORM_NAME_MAX - 1);
	if (name[0] == '.')
		return fail(l, node, "name must not start with '.'");
	for (i = 0; i < n; i++) {
		if (!name_char_ok(name[i]))
			return fail(l, node, "name has character 0x%02x (allowed: A-Z a-z 0-9 , . _ + -)",
				    (unsigned char)name[i]);
	}
	memcpy(out, name, n);
	out[n] = '\0';
	return 0;
}

/* [a, a + size) must not wrap around 2^64 (it may end exactly there). */
static bool range_ok(uint64_t a, uint64_t size)
{
	return size > 0 && size - 1 <= UINT64_MAX - a;
}

static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a <= b + (bs - 1) && b <= a + (as - 1);
}

/* Checks a region's or MU page's address/size pair named @what ("address" / "device-address"). */
static int check_range(struct loader *l, int node, const char *what, uint64_t a, uint64_t size)
{
	if (a % MMAMP_PLATFORM_PAGE)
		return fail(l, node, "property '%s' 0x%llx is not a multiple of 0x%x (4 KiB pages)",
			    what, (unsigned long long)a, MMAMP_PLATFORM_PAGE);
	if (!range_ok(a, size))
		return fail(l, node, "property '%s' 0x%llx + size 0x%llx wraps around 2^64", what,
			    (unsigned long long)a, (unsigned long long)size);
	return 0;
}

/* ---- containers ------------------------------------------------------------------------- */

/* The container node @path and its number of children (0 allowed only when !required). */
static int container(struct loader *l, const char *path, bool required, int *node, size_t *count)
{
	int child;
	size_t n = 0;

	*node = fdt_path_offset(l->fdt, path);
	if (*node < 0) {
		if (*node != -FDT_ERR_NOTFOUND) {
			set_err(l, "%s: %s: %s", l->origin, path, fdt_strerror(*node));
			return -MMAMP_EINVAL;
		}
		if (!required) {
			*count = 0;
			return 0;
		}
		set_err(l, "%s: %s: node missing", l->origin, path);
		return -MMAMP_EINVAL;
	}
	fdt_for_each_subnode(child, l->fdt, *node) {
		if (++n > MMAMP_PLATFORM_MAX_OBJECTS)
			return fail(l, *node, "more than %u children", MMAMP_PLATFORM_MAX_OBJECTS);
	}
	if (child != -FDT_ERR_NOTFOUND)
		return fail(l, *node, "%s", fdt_strerror(child));
	if (n == 0 && required)
		return fail(l, *node, "no children (at least one is required)");
	*count = n;
	return 0;
}

static int collect(struct loader *l, enum kind k, int parent, size_t n)
{
	int child;
	size_t i = 0;

	l->nodes[k] = palloc(l->priv, n, sizeof(int));
	if (!l->nodes[k])
		return nomem(l);
	fdt_for_each_subnode(child, l->fdt, parent)
		l->nodes[k][i++] = child;
	l->counts[k] = n;
	return 0;
}

/* ---- partitions ------------------------------------------------------------------------- */

static int load_partitions(struct loader *l)
{
	struct mmamp_platform *p = l->p;
	const struct mmamp_partition *boot = NULL;
	int parent, ret;
	size_t n, i, j;

	ret = container(l, "/partitions", true, &parent, &n);
	if (ret)
		return ret;
	ret = collect(l, K_PARTITION, parent, n);
	if (ret)
		return ret;
	p->partitions = palloc(l->priv, n, sizeof(*p->partitions));
	if (!p->partitions)
		return nomem(l);
	p->npartitions = n;

	for (i = 0; i < n; i++) {
		struct mmamp_partition *pt = &p->partitions[i];
		int node = l->nodes[K_PARTITION][i];

		ret = take_name(l, node, pt->name);
		if (ret)
			return ret;
		ret = prop_u32(l, node, "id", true, &pt->id);
		if (ret < 0)
			return ret;
		if (pt->id > INT_MAX)
			return fail(l, node, "property 'id' %u is above %d", pt->id, INT_MAX);
		for (j = 0; j < i; j++) {
			if (!strcmp(p->partitions[j].name, pt->name))
				return fail(l, node, "duplicate partition name \"%s\"", pt->name);
			if (p->partitions[j].id == pt->id)
				return fail(l, node, "property 'id' %u is also partition \"%s\"'s",
					    pt->id, p->partitions[j].name);
		}
	}
	for (i = 0; i < n; i++) {
		struct mmamp_partition *pt = &p->partitions[i];
		int node = l->nodes[K_PARTITION][i];
		size_t pi;

		ret = prop_ref(l, node, "parent", false, K_PARTITION, &pi);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			if (boot)
				return fail(l, node, "has no parent, nor has partition \"%s\" (there is "
					    "exactly one boot partition)", boot->name);
			boot = pt;
			continue;
		}
		if (pi == i)
			return fail(l, node, "property 'parent': a partition cannot be its own parent");
		pt->parent = &p->partitions[pi];
	}
	if (!boot)
		return fail(l, parent, "no boot partition (every partition has a parent)");
	for (i = 0; i < n; i++) {
		const struct mmamp_partition *q = &p->partitions[i];

		for (j = 0; q && j <= n; j++)
			q = q->parent;
		if (q)
			return fail(l, l->nodes[K_PARTITION][i],
				    "property 'parent': the chain of parents loops");
	}
	return 0;
}

/* ---- regions ---------------------------------------------------------------------------- */

static int load_grants(struct loader *l, int node, struct mmamp_region *r)
{
	struct mmamp_grant *g;
	const uint8_t *d;
	int len, ret;
	size_t n, i, j, pi;

	d = prop(l, node, "grants", &len, &ret);
	if (ret)
		return ret;
	if (!d)
		return 0;
	if (len == 0 || len % 8)
		return fail(l, node, "property 'grants' is %d bytes long, expected pairs of "
			    "<&partition perm> (a multiple of 8)", len);
	n = (size_t)len / 8;
	g = palloc(l->priv, n, sizeof(*g));
	if (!g)
		return nomem(l);
	for (i = 0; i < n; i++) {
		uint32_t perm = be32(d + 8 * i + 4);

		ret = resolve(l, node, "grants", (int)i, be32(d + 8 * i), K_PARTITION, &pi);
		if (ret)
			return ret;
		if (!mmamp_perm_valid(perm))
			return fail(l, node, "property 'grants' entry %zu: permission %u is not one of "
				    "0 (none), 4 (r), 5 (rx), 6 (rw), 7 (rwx)", i, perm);
		g[i].partition = &l->p->partitions[pi];
		g[i].perm = perm;
		for (j = 0; j < i; j++) {
			if (g[j].partition == g[i].partition)
				return fail(l, node, "property 'grants': partition \"%s\" is listed "
					    "twice", g[i].partition->name);
		}
	}
	r->grants = g;
	r->ngrants = n;
	return 0;
}

static int unique_shm_name(struct loader *l, int node, const char *name, size_t nregions,
			   size_t nmus, bool is_mu)
{
	size_t j;

	for (j = 0; j < nregions; j++) {
		const struct mmamp_region *r = &l->p->regions[j];

		if (!strcmp(r->name, name))
			return fail(l, node, "duplicate name \"%s\" (a region has it)", name);
		/* an MU page is a file of its own: it may not be a region's backing file */
		if (is_mu && !strcmp(r->file, name))
			return fail(l, node, "duplicate name \"%s\" (a region's file)", name);
	}
	for (j = 0; j < nmus; j++) {
		if (!strcmp(l->p->mus[j].name, name))
			return fail(l, node, "duplicate name \"%s\" (an MU has it)", name);
	}
	return 0;
}

/* "file" and "file-offset": which backing file holds the region, and where. */
static int load_backing(struct loader *l, int node, struct mmamp_region *r)
{
	int ret = prop_string(l, node, "file", &r->file);

	if (ret < 0)
		return ret;
	if (!ret)
		r->file = r->name;
	else if (strlen(r->file) >= MMAMP_PLATFORM_NAME_MAX ||
		 strspn(r->file, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-")
		 != strlen(r->file))
		return fail(l, node, "property 'file' \"%s\": use at most %u characters of "
			    "[A-Za-z0-9,._+-]", r->file, MMAMP_PLATFORM_NAME_MAX - 1);
	ret = prop_num(l, node, "file-offset", true, false, &r->file_offset);
	if (ret < 0)
		return ret;
	if (r->file_offset % MMAMP_PLATFORM_PAGE)
		return fail(l, node, "property 'file-offset' 0x%llx is not a multiple of 0x%x",
			    (unsigned long long)r->file_offset, MMAMP_PLATFORM_PAGE);
	if (r->file_offset > UINT64_MAX - r->size)
		return fail(l, node, "property 'file-offset' 0x%llx + size wraps",
			    (unsigned long long)r->file_offset);
	return 0;
}

/* Regions that share a backing file must not overlap in it. */
static int check_backing(struct loader *l)
{
	const struct mmamp_platform *p = l->p;

	for (size_t i = 0; i < p->nregions; i++) {
		const struct mmamp_region *a = &p->regions[i];

		for (size_t j = 0; j < i; j++) {
			const struct mmamp_region *b = &p->regions[j];

			if (strcmp(a->file, b->file) || a->file_offset >= b->file_offset + b->size ||
			    b->file_offset >= a->file_offset + a->size)
				continue;
			return fail(l, l->nodes[K_REGION][i], "file \"%s\" offset 0x%llx+0x%llx "
				    "overlaps region \"%s\" (offset 0x%llx+0x%llx)", a->file,
				    (unsigned long long)a->file_offset, (unsigned long long)a->size,
				    b->name, (unsigned long long)b->file_offset,
				    (unsigned long long)b->size);
		}
	}
	return 0;
}

static int load_regions(struct loader *l)
{
	struct mmamp_platform *p = l->p;
	int parent, ret;
	size_t n, i, oi;

	ret = container(l, "/regions", true, &parent, &n);
	if (ret)
		return ret;
	ret = collect(l, K_REGION, parent, n);
	if (ret)
		return ret;
	p->regions = palloc(l->priv, n, sizeof(*p->regions));
	if (!p->regions)
		return nomem(l);
	p->nregions = n;

	for (i = 0; i < n; i++) {
		struct mmamp_region *r = &p->regions[i];
		int node = l->nodes[K_REGION][i];

		r->index = (unsigned)i;
		ret = take_name(l, node, r->name);
		if (!ret)
			ret = unique_shm_name(l, node, r->name, i, 0, false);
		if (ret)
			return ret;
		ret = prop_num(l, node, "address", true, true, &r->sys);
		if (ret < 0)
			return ret;
		ret = prop_num(l, node, "size", true, true, &r->size);
		if (ret < 0)
			return ret;
		if (r->size == 0)
			return fail(l, node, "property 'size' is 0");
		if (r->size % MMAMP_PLATFORM_PAGE)
			return fail(l, node, "property 'size' 0x%llx is not a multiple of 0x%x "
				    "(4 KiB pages)", (unsigned long long)r->size, MMAMP_PLATFORM_PAGE);
		ret = check_range(l, node, "address", r->sys, r->size);
		if (ret)
			return ret;
		ret = prop_num(l, node, "device-address", true, false, &r->da);
		if (ret < 0)
			return ret;
		r->has_da = ret > 0;
		if (r->has_da) {
			ret = check_range(l, node, "device-address", r->da, r->size);
			if (ret)
				return ret;
		}
		ret = prop_ref(l, node, "owner", true, K_PARTITION, &oi);
		if (ret < 0)
			return ret;
		r->owner = &p->partitions[oi];
		ret = load_grants(l, node, r);
		if (ret)
			return ret;
		ret = load_backing(l, node, r);
		if (ret)
			return ret;
	}
	return check_backing(l);
}

/* ---- MUs -------------------------------------------------------------------------------- */

static int load_side(struct loader *l, int node, const char *name, struct mmamp_mu *mu, int side)
{
	const uint8_t *d;
	int len, ret;
	size_t pi;

	d = prop(l, node, name, &len, &ret);
	if (ret)
		return ret;
	if (!d)
		return fail(l, node, "property '%s' missing", name);
	if (len != 8)
		return fail(l, node, "property '%s' is %d bytes long, expected 8 "
			    "(<&partition resource-id>)", name, len);
	ret = resolve(l, node, name, -1, be32(d), K_PARTITION, &pi);
	if (ret)
		return ret;
	mu->owner[side] = &l->p->partitions[pi];
	mu->resource_id[side] = be32(d + 4);
	return 0;
}

static int load_mus(struct loader *l)
{
	struct mmamp_platform *p = l->p;
	int parent, ret;
	size_t n, i;

	ret = container(l, "/mus", true, &parent, &n);
	if (ret)
		return ret;
	ret = collect(l, K_MU, parent, n);
	if (ret)
		return ret;
	p->mus = palloc(l->priv, n, sizeof(*p->mus));
	if (!p->mus)
		return nomem(l);
	p->nmus = n;

	for (i = 0; i < n; i++) {
		struct mmamp_mu *mu = &p->mus[i];
		int node = l->nodes[K_MU][i];

		mu->index = (unsigned)i;
		ret = take_name(l, node, mu->name);
		if (!ret)
			ret = unique_shm_name(l, node, mu->name, p->nregions, i, true);
		if (ret)
			return ret;
		ret = prop_num(l, node, "address", true, true, &mu->sys);
		if (ret < 0)
			return ret;
		ret = prop_num(l, node, "size", true, true, &mu->size);
		if (ret < 0)
			return ret;
		if (mu->size == 0 || mu->size % MMAMP_PLATFORM_PAGE)
			return fail(l, node, "property 'size' 0x%llx is not a positive multiple of "
				    "0x%x (4 KiB pages)", (unsigned long long)mu->size,
				    MMAMP_PLATFORM_PAGE);
		ret = check_range(l, node, "address", mu->sys, mu->size);
		if (ret)
			return ret;
		ret = prop_num(l, node, "device-address", true, true, &mu->da);
		if (ret < 0)
			return ret;
		ret = check_range(l, node, "device-address", mu->da, mu->size);
		if (!ret)
			ret = load_side(l, node, "side-a", mu, MMAMP_MU_SIDE_A);
		if (!ret)
			ret = load_side(l, node, "side-b", mu, MMAMP_MU_SIDE_B);
		if (ret)
			return ret;
		if (mu->resource_id[0] == mu->resource_id[1])
			return fail(l, node, "sides A and B have the same resource id %u",
				    mu->resource_id[0]);
	}
	return 0;
}

/* No two system ranges (regions and MU pages) overlap. */
static int check_system_overlaps(struct loader *l)
{
	const struct mmamp_platform *p = l->p;
	size_t n = p->nregions + p->nmus, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			bool ri = i < p->nregions, rj = j < p->nregions;
			uint64_t a = ri ? p->regions[i].sys : p->mus[i - p->nregions].sys;
			uint64_t as = ri ? p->regions[i].size : p->mus[i - p->nregions].size;
			uint64_t b = rj ? p->regions[j].sys : p->mus[j - p->nregions].sys;
			uint64_t bs = rj ? p->regions[j].size : p->mus[j - p->nregions].size;

			if (!ranges_overlap(a, as, b, bs))
				continue;
			return fail(l, ri ? l->nodes[K_REGION][i] : l->nodes[K_MU][i - p->nregions],
				    "0x%llx+0x%llx overlaps %s \"%s\" (0x%llx+0x%llx)",
				    (unsigned long long)a, (unsigned long long)as,
				    rj ? "region" : "MU",
				    rj ? p->regions[j].name : p->mus[j - p->nregions].name,
				    (unsigned long long)b, (unsigned long long)bs);
		}
	}
	return 0;
}

/* ---- cores ------------------------------------------------------------------------------ */

/* A list of region phandles: @out (allocated) and its length; absent → 0 entries. */
static int region_list(struct loader *l, int node, const char *name, bool required,
		       const struct mmamp_region ***out, size_t *n)
{
	const struct mmamp_region **v;
	const uint8_t *d;
	int len, ret;
	size_t i, j, idx;

	*out = NULL;
	*n = 0;
	d = prop(l, node, name, &len, &ret);
	if (ret)
		return ret;
	if (!d) {
		if (required)
			return fail(l, node, "property '%s' missing", name);
		return 0;
	}
	if (len == 0 || len % 4)
		return fail(l, node, "property '%s' is %d bytes long, expected a list of phandles",
			    name, len);
	v = palloc(l->priv, (size_t)len / 4, sizeof(*v));
	if (!v)
		return nomem(l);
	for (i = 0; i < (size_t)len / 4; i++) {
		ret = resolve(l, node, name, (int)i, be32(d + 4 * i), K_REGION, &idx);
		if (ret)
			return ret;
		v[i] = &l->p->regions[idx];
		for (j = 0; j < i; j++) {
			if (v[j] == v[i])
				return fail(l, node, "property '%s': region \"%s\" is listed twice",
					    name, v[i]->name);
		}
	}
	*out = v;
	*n = (size_t)len / 4;
	return 0;
}

static int load_att(struct loader *l, int node, struct mmamp_core *c)
{
	const struct mmamp_region **att;
	size_t i, j;
	int ret;

	ret = region_list(l, node, "att", true, &att, &c->natt);
	if (ret)
		return ret;
	for (i = 0; i < c->natt; i++) {
		const struct mmamp_region *r = att[i];

		if (!r->has_da)
			return fail(l, node, "property 'att': region \"%s\" has no device-address",
				    r->name);
		for (j = 0; j < i; j++) {
			if (ranges_overlap(r->da, r->size, att[j]->da, att[j]->size))
				return fail(l, node, "property 'att': region \"%s\" (device address "
					    "0x%llx+0x%llx) overlaps region \"%s\" (0x%llx+0x%llx)",
					    r->name, (unsigned long long)r->da,
					    (unsigned long long)r->size, att[j]->name,
					    (unsigned long long)att[j]->da,
					    (unsigned long long)att[j]->size);
		}
		if (c->mu && ranges_overlap(r->da, r->size, c->mu->da, c->mu->size))
			return fail(l, node, "property 'att': region \"%s\" (device address "
				    "0x%llx+0x%llx) overlaps the page of MU \"%s\" (0x%llx+0x%llx)",
				    r->name, (unsigned long long)r->da, (unsigned long long)r->size,
				    c->mu->name, (unsigned long long)c->mu->da,
				    (unsigned long long)c->mu->size);
	}
	c->att = att;
	return 0;
}

static int load_rpmsg_regions(struct loader *l, int node, struct mmamp_core *c)
{
	const struct mmamp_region **v;
	const char **names;
	size_t i;
	int ret, count;

	ret = region_list(l, node, "memory-region", false, &v, &c->nrpmsg);
	if (ret)
		return ret;
	for (i = 0; i < c->nrpmsg; i++) {
		if (!mmamp_core_sees(c, v[i]))
			return fail(l, node, "property 'memory-region': region \"%s\" is not in "
				    "'att'", v[i]->name);
	}
	c->rpmsg_regions = v;
	count = fdt_stringlist_count(l->fdt, node, "memory-region-names");
	if (count == -FDT_ERR_NOTFOUND) {
		count = (int)c->nrpmsg;
	} else if (count < 0) {
		return fail(l, node, "property 'memory-region-names' is not a list of strings");
	} else if ((size_t)count != c->nrpmsg) {
		return fail(l, node, "property 'memory-region-names' has %d strings for %zu "
			    "'memory-region' entries", count, c->nrpmsg);
	}
	names = palloc(l->priv, c->nrpmsg, sizeof(*names));
	if (!names)
		return nomem(l);
	for (i = 0; i < c->nrpmsg; i++) {
		const char *s = fdt_stringlist_get(l->fdt, node, "memory-region-names", (int)i,
						   NULL);

		if (!s)
			s = v[i]->name;
		if (!*s)
			return fail(l, node, "property 'memory-region-names' entry %zu is empty",
				    i);
		names[i] = s;
	}
	c->rpmsg_names = names;
	return 0;
}

static int load_core(struct loader *l, size_t i)
{
	struct mmamp_platform *p = l->p;
	struct mmamp_core *c = &p->cores[i];
	int node = l->nodes[K_CORE][i];
	const struct mmamp_region *boot;
	uint64_t off;
	size_t j, idx;
	int ret;

	c->index = (unsigned)i;
	ret = take_name(l, node, c->name);
	if (ret)
		return ret;
	for (j = 0; j < i; j++) {
		if (!strcmp(p->cores[j].name, c->name))
			return fail(l, node, "duplicate core name \"%s\"", c->name);
	}
	ret = prop_u32(l, node, "resource-id", true, &c->resource_id);
	if (ret < 0)
		return ret;
	ret = prop_ref(l, node, "owner", true, K_PARTITION, &idx);
	if (ret < 0)
		return ret;
	c->owner = &p->partitions[idx];
	ret = prop_ref(l, node, "mu", true, K_MU, &idx);
	if (ret < 0)
		return ret;
	c->mu = &p->mus[idx];
	for (j = 0; j < i; j++) {
		if (p->cores[j].mu == c->mu)
			return fail(l, node, "property 'mu': MU \"%s\" is already core \"%s\"'s",
				    c->mu->name, p->cores[j].name);
	}
	if (c->mu->owner[MMAMP_MU_SIDE_B] != c->owner)
		return fail(l, node, "property 'mu': side B of MU \"%s\" is owned by partition "
			    "\"%s\", not by the core's owner \"%s\"", c->mu->name,
			    c->mu->owner[MMAMP_MU_SIDE_B]->name, c->owner->name);
	ret = load_att(l, node, c);
	if (ret)
		return ret;
	ret = prop_num(l, node, "boot-address", true, true, &c->boot_addr);
	if (ret < 0)
		return ret;
	boot = mmamp_platform_region_at(p, c, c->boot_addr, 4, &off);
	if (!boot)
		return fail(l, node, "property 'boot-address' 0x%llx is not inside a region of "
			    "'att'", (unsigned long long)c->boot_addr);
	c->entry_sys = boot->sys + off;
	ret = load_rpmsg_regions(l, node, c);
	if (ret)
		return ret;
	ret = prop_ref(l, node, "rsc-table", false, K_REGION, &idx);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		c->rsc_table = &p->regions[idx];
		if (!mmamp_core_sees(c, c->rsc_table))
			return fail(l, node, "property 'rsc-table': region \"%s\" is not in 'att'",
				    c->rsc_table->name);
	}
	ret = prop_string(l, node, "firmware", &c->firmware);
	if (ret < 0)
		return ret;
	c->auto_boot = fdt_getprop(l->fdt, node, "auto-boot", NULL) != NULL;
	ret = prop_u32(l, node, "boot-order", false, &c->boot_order);
	if (ret < 0)
		return ret;
	ret = prop_string(l, node, "backend", &c->backend);
	if (ret < 0)
		return ret;
	if (!ret)
		c->backend = "sim";
	else if (strcmp(c->backend, "sim") && strcmp(c->backend, "qemu"))
		return fail(l, node, "property 'backend' \"%s\": expected \"sim\" or \"qemu\"",
			    c->backend);
	return 0;
}

static int load_cores(struct loader *l)
{
	struct mmamp_platform *p = l->p;
	int parent, ret;
	size_t n, i;

	ret = container(l, "/cores", true, &parent, &n);
	if (ret)
		return ret;
	ret = collect(l, K_CORE, parent, n);
	if (ret)
		return ret;
	p->cores = palloc(l->priv, n, sizeof(*p->cores));
	if (!p->cores)
		return nomem(l);
	p->ncores = n;
	for (i = 0; i < n; i++) {
		ret = load_core(l, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Resource k of the platform, MU sides first (in file order), then cores. */
static uint32_t resource_k(const struct mmamp_platform *p, size_t k, char *what, size_t len)
{
	if (k < 2 * p->nmus) {
		snprintf(what, len, "MU \"%s\" side %c", p->mus[k / 2].name, k % 2 ? 'B' : 'A');
		return p->mus[k / 2].resource_id[k % 2];
	}
	snprintf(what, len, "core \"%s\"", p->cores[k - 2 * p->nmus].name);
	return p->cores[k - 2 * p->nmus].resource_id;
}

/* Resource ids (MU sides and cores) are unique: the SCU addresses resources by them. */
static int check_resource_ids(struct loader *l)
{
	const struct mmamp_platform *p = l->p;
	size_t n = 2 * p->nmus + p->ncores, i, j;
	char what[MMAMP_PLATFORM_NAME_MAX + 32], other[MMAMP_PLATFORM_NAME_MAX + 32];

	for (i = 0; i < n; i++) {
		uint32_t id = resource_k(p, i, what, sizeof(what));

		for (j = 0; j < i; j++) {
			if (resource_k(p, j, other, sizeof(other)) != id)
				continue;
			if (i >= 2 * p->nmus)
				return fail(l, l->nodes[K_CORE][i - 2 * p->nmus], "property "
					    "'resource-id' %u is also %s's", id, other);
			return fail(l, l->nodes[K_MU][i / 2], "property 'side-%c': resource id %u "
				    "is also %s's", i % 2 ? 'b' : 'a', id, other);
		}
	}
	return 0;
}

static int load_root(struct loader *l)
{
	int len, ret;
	const char *compat;

	compat = fdt_getprop(l->fdt, 0, "compatible", &len);
	if (!compat)
		return fail(l, 0, "property 'compatible' missing (not an mmamp platform "
			    "description)");
	if (fdt_stringlist_contains(compat, len, MMAMP_PLATFORM_COMPATIBLE) != 1)
		return fail(l, 0, "property 'compatible' does not list \"%s\" (not an mmamp "
			    "platform description)", MMAMP_PLATFORM_COMPATIBLE);
	if (len < 1 || compat[len - 1] != '\0')
		return fail(l, 0, "property 'compatible' is not a list of strings");
	l->p->compatible = compat;
	l->p->model = "";
	ret = prop_string(l, 0, "model", &l->p->model);
	return ret < 0 ? ret : 0;
}

/* ---- entry points ----------------------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int load(struct mmamp_platform *p, void *blob, size_t size, const char *origin, char *err,
		size_t errlen)
{
	struct loader l = { .p = p, .origin = origin, .err = err, .errlen = errlen };
	int ret;

	memset(p, 0, sizeof(*p));
	l.priv = calloc(1, sizeof(*l.priv));
	if (!l.priv) {
		free(blob);
		return nomem(&l);
	}
	l.priv->blob = blob;
	l.priv->origin = strdup(origin);
	if (!l.priv->origin) {
		ret = nomem(&l);
		goto out;
	}
	l.fdt = blob;
	/* The magic first: a text file is more likely than a truncated tree. */
	if (size >= 4 && fdt_magic(blob) != FDT_MAGIC)
		ret = -FDT_ERR_BADMAGIC;
	else
		ret = fdt_check_full(blob, size);
	if (ret) {
		set_err(&l, "%s: not a valid flattened device tree (%s)%s", origin,
			fdt_strerror(ret),
			has_suffix(origin, ".dts") ? "; compile it with dtc -I dts -O dtb" : "");
		ret = -MMAMP_EINVAL;
		goto out;
	}
	ret = load_root(&l);
	if (!ret)
		ret = load_partitions(&l);
	if (!ret)
		ret = load_regions(&l);
	if (!ret)
		ret = load_mus(&l);
	if (!ret)
		ret = check_system_overlaps(&l);
	if (!ret)
		ret = load_cores(&l);
	if (!ret)
		ret = check_resource_ids(&l);
out:
	if (ret) {
		priv_free(l.priv);
		memset(p, 0, sizeof(*p));
		return ret;
	}
	p->origin = l.priv->origin;
	p->priv = l.priv;
	return 0;
}

int mmamp_platform_load_blob(struct mmamp_platform *p, const void *fdt, size_t size,
			     const char *origin, char *err, size_t errlen)
{
	struct loader l = { .origin = origin ? origin : "(blob)", .err = err, .errlen = errlen };
	void *copy;

	if (!p)
		return -MMAMP_EINVAL;
	memset(p, 0, sizeof(*p));
	if (!fdt || size == 0 || size > MAX_BLOB_SIZE) {
		set_err(&l, "%s: no flattened device tree, or one larger than %u bytes", l.origin,
			MAX_BLOB_SIZE);
		return -MMAMP_EINVAL;
	}
	copy = malloc(size);
	if (!copy)
		return nomem(&l);
	memcpy(copy, fdt, size);
	return load(p, copy, size, l.origin, err, errlen);
}

int mmamp_platform_load(struct mmamp_platform *p, const char *path, char *err, size_t errlen)
{
	struct loader l = { .origin = path ? path : "(null)", .err = err, .errlen = errlen };
	struct stat st;
	uint8_t *blob;
	size_t got = 0;
	int fd, ret;

	if (!p)
		return -MMAMP_EINVAL;
	memset(p, 0, sizeof(*p));
	if (!path)
		return -MMAMP_EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
	if (fd < 0) {
		ret = -errno;
		set_err(&l, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		set_err(&l, "%s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > MAX_BLOB_SIZE) {
		set_err(&l, "%s: not a regular file of 1 to %u bytes", path, MAX_BLOB_SIZE);
		close(fd);
		return -MMAMP_EINVAL;
	}
	blob = malloc((size_t)st.st_size);
	if (!blob) {
		close(fd);
		return nomem(&l);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, blob + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -MMAMP_EIO;
			set_err(&l, "%s: %s", path, r < 0 ? strerror(errno) : "file shrank while read");
			free(blob);
			close(fd);
			return ret;
		}
		got += (size_t)r;
	}
	close(fd);
	return load(p, blob, got, path, err, errlen);
}

void mmamp_platform_free(struct mmamp_platform *p)
{
	if (!p)
		return;
	priv_free(p->priv);
	memset(p, 0, sizeof(*p));
}

/* ---- lookups ---------------------------------------------------------------------------- */

const struct mmamp_partition *mmamp_platform_partition(const struct mmamp_platform *p,
						       const char *name)
{
	size_t i;

	if (!p || !name)
		return NULL;
	for (i = 0; i < p->npartitions; i++) {
		if (!strcmp(p->partitions[i].name, name))
			return &p->partitions[i];
	}
	return NULL;
}

const struct mmamp_partition *mmamp_platform_partition_by_id(const struct mmamp_platform *p,
							     uint32_t id)
{
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->npartitions; i++) {
		if (p->partitions[i].id == id)
			return &p->partitions[i];
	}
	return NULL;
}

const struct mmamp_region *mmamp_platform_region(const struct mmamp_platform *p, const char *name)
{
	size_t i;

	if (!p || !name)
		return NULL;
	for (i = 0; i < p->nregions; i++) {
		if (!strcmp(p->regions[i].name, name))
			return &p->regions[i];
	}
	return NULL;
}

const struct mmamp_mu *mmamp_platform_mu(const struct mmamp_platform *p, const char *name)
{
	size_t i;

	if (!p || !name)
		return NULL;
	for (i = 0; i < p->nmus; i++) {
		if (!strcmp(p->mus[i].name, name))
			return &p->mus[i];
	}
	return NULL;
}

const struct mmamp_core *mmamp_platform_core(const struct mmamp_platform *p, const char *name)
{
	size_t i;

	if (!p || !name)
		return NULL;
	for (i = 0; i < p->ncores; i++) {
		if (!strcmp(p->cores[i].name, name))
			return &p->cores[i];
	}
	return NULL;
}

const struct mmamp_core *mmamp_platform_core_by_resource(const struct mmamp_platform *p,
							 uint32_t resource_id)
{
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->ncores; i++) {
		if (p->cores[i].resource_id == resource_id)
			return &p->cores[i];
	}
	return NULL;
}

/* Whether @obj is element of the array [@base, @base + @n) of @size-byte elements. */
static bool in_array(const void *obj, const void *base, size_t n, size_t size)
{
	uintptr_t o = (uintptr_t)obj, b = (uintptr_t)base;

	return obj && base && o >= b && (o - b) / size < n && (o - b) % size == 0;
}

bool mmamp_platform_has_core(const struct mmamp_platform *p, const struct mmamp_core *c)
{
	return p && in_array(c, p->cores, p->ncores, sizeof(*c));
}

bool mmamp_platform_has_region(const struct mmamp_platform *p, const struct mmamp_region *r)
{
	return p && in_array(r, p->regions, p->nregions, sizeof(*r));
}

bool mmamp_platform_has_mu(const struct mmamp_platform *p, const struct mmamp_mu *mu)
{
	return p && in_array(mu, p->mus, p->nmus, sizeof(*mu));
}

bool mmamp_core_sees(const struct mmamp_core *c, const struct mmamp_region *r)
{
	size_t i;

	if (!c || !r)
		return false;
	for (i = 0; i < c->natt; i++) {
		if (c->att[i] == r)
			return true;
	}
	return false;
}

/* Whether [addr, addr + len) lies inside [base, base + size); len > 0, overflow-safe. */
static bool covers(uint64_t base, uint64_t size, uint64_t addr, uint64_t len)
{
	return addr >= base && addr - base < size && len <= size - (addr - base);
}

const struct mmamp_region *mmamp_platform_region_at(const struct mmamp_platform *p,
						    const struct mmamp_core *c, uint64_t addr,
						    uint64_t len, uint64_t *offset)
{
	size_t i;

	if (!p || len == 0)
		return NULL;
	if (c) {
		if (!mmamp_platform_has_core(p, c))
			return NULL;
		for (i = 0; i < c->natt; i++) {
			const struct mmamp_region *r = c->att[i];

			if (covers(r->da, r->size, addr, len)) {
				if (offset)
					*offset = addr - r->da;
				return r;
			}
		}
		return NULL;
	}
	for (i = 0; i < p->nregions; i++) {
		const struct mmamp_region *r = &p->regions[i];

		if (covers(r->sys, r->size, addr, len)) {
			if (offset)
				*offset = addr - r->sys;
			return r;
		}
	}
	return NULL;
}
