/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scu.c — the SCU model (mmamp/host/scu.h): runtime owners and permissions of a platform's
 * resources, the checks the loader, LCM and simulated core ask for, and the power state of the
 * cores. Everything is indexed like the platform's arrays; partitions are addressed by id.
 */
#include "mmamp/host/scu.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmamp/errno.h"

/* Partition index meaning "no entry" in the permission table. */
#define NO_ENTRY (-1)

struct mmamp_scu_state {
	pthread_mutex_t lock;
	size_t npt;
	size_t *region_owner;       /* [nregions] partition index */
	signed char *region_perm;   /* [nregions * npt] MMAMP_PERM_* or NO_ENTRY */
	size_t *mu_owner;           /* [nmus * 2] partition index, side A then B */
	size_t *core_owner;         /* [ncores] partition index */
	int *core_power;            /* [ncores] enum mmamp_scu_power */
	uint64_t *core_boot;        /* [ncores] last boot address */
	bool *core_booted;          /* [ncores] whether core_boot is set */
};

/* ---- denials ---------------------------------------------------------------------------- */

static void denial_init(struct mmamp_scu_denial *d, int partition, const char *action)
{
	memset(d, 0, sizeof(*d));
	d->partition = partition;
	d->action = action;
}

/* Renders @d's line, copies @d to @why (if asked) and returns @err. */
static int deny(struct mmamp_scu_denial *why, struct mmamp_scu_denial *d, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int deny(struct mmamp_scu_denial *why, struct mmamp_scu_denial *d, int err,
		const char *fmt, ...)
{
	va_list ap;

	d->err = err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	if (why)
		*why = *d;
	return err;
}

/* A denial with only a message (bad arguments). */
static int deny_arg(struct mmamp_scu_denial *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int deny_arg(struct mmamp_scu_denial *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		denial_init(why, -1, "");
		why->err = -MMAMP_EINVAL;
		va_start(ap, fmt);
		vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
		va_end(ap);
	}
	return -MMAMP_EINVAL;
}

size_t mmamp_scu_denial_format(const struct mmamp_scu_denial *why, char *buf, size_t len)
{
	const char *msg = why ? why->msg : "scu: no denial";
	size_t n = strnlen(msg, MMAMP_SCU_DENIAL_MAX);

	if (buf && len) {
		size_t k = n < len - 1 ? n : len - 1;

		memcpy(buf, msg, k);
		buf[k] = '\0';
	}
	return n;
}

/* "read", "write", "read/write", ... for a set of MMAMP_PERM_* bits. */
static const char *perm_action(unsigned perm)
{
	static const char *const names[] = {
		"access", "execute", "write", "write/execute",
		"read", "read/execute", "read/write", "read/write/execute",
	};

	return names[perm & 7u];
}

/* ---- lookups (call with the lock held where state is read) ------------------------------ */

static bool pt_index(const struct mmamp_platform *p, int id, size_t *idx)
{
	size_t i;

	if (id < 0)
		return false;
	for (i = 0; i < p->npartitions; i++) {
		if (p->partitions[i].id == (uint32_t)id) {
			*idx = i;
			return true;
		}
	}
	return false;
}

static const char *pt_name(const struct mmamp_platform *p, size_t idx)
{
	return p->partitions[idx].name;
}

static int pt_id(const struct mmamp_platform *p, size_t idx)
{
	return (int)p->partitions[idx].id;
}

static bool scu_ok(const struct mmamp_scu *s)
{
	return s && s->platform && s->state;
}

static unsigned eff_perm(const struct mmamp_scu_state *st, size_t r, size_t pt)
{
	signed char e = st->region_perm[r * st->npt + pt];

	if (e != NO_ENTRY)
		return (unsigned)e;
	return st->region_owner[r] == pt ? MMAMP_PERM_RWX : MMAMP_PERM_NONE;
}

/* The owner or the owner's parent may manage a resource. */
static bool may_manage(const struct mmamp_platform *p, size_t owner, size_t caller)
{
	const struct mmamp_partition *o = &p->partitions[owner];

	return owner == caller || (o->parent && o->parent == &p->partitions[caller]);
}

/* "it is owned by partition "m4", whose parent is "apu"" */
static void owned_by(const struct mmamp_platform *p, size_t owner, char *buf, size_t len)
{
	const struct mmamp_partition *o = &p->partitions[owner];

	if (o->parent)
		snprintf(buf, len, "it is owned by partition \"%s\", whose parent is \"%s\"",
			 o->name, o->parent->name);
	else
		snprintf(buf, len, "it is owned by partition \"%s\", which has no parent", o->name);
}

/* ---- init ------------------------------------------------------------------------------- */

int mmamp_scu_init(struct mmamp_scu *s, const struct mmamp_platform *p)
{
	struct mmamp_scu_state *st;
	size_t i, j;

	if (!s)
		return -MMAMP_EINVAL;
	memset(s, 0, sizeof(*s));
	if (!p || !p->npartitions)
		return -MMAMP_EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -MMAMP_ENOMEM;
	st->npt = p->npartitions;
	st->region_owner = calloc(p->nregions + 1, sizeof(*st->region_owner));
	st->region_perm = calloc(p->nregions * p->npartitions + 1, sizeof(*st->region_perm));
	st->mu_owner = calloc(2 * p->nmus + 1, sizeof(*st->mu_owner));
	st->core_owner = calloc(p->ncores + 1, sizeof(*st->core_owner));
	st->core_power = calloc(p->ncores + 1, sizeof(*st->core_power));
	st->core_boot = calloc(p->ncores + 1, sizeof(*st->core_boot));
	st->core_booted = calloc(p->ncores + 1, sizeof(*st->core_booted));
	if (!st->region_owner || !st->region_perm || !st->mu_owner || !st->core_owner ||
	    !st->core_power || !st->core_boot || !st->core_booted ||
	    pthread_mutex_init(&st->lock, NULL) != 0) {
		free(st->region_owner);
		free(st->region_perm);
		free(st->mu_owner);
		free(st->core_owner);
		free(st->core_power);
		free(st->core_boot);
		free(st->core_booted);
		free(st);
		return -MMAMP_ENOMEM;
	}
	for (i = 0; i < p->nregions; i++) {
		const struct mmamp_region *r = &p->regions[i];

		st->region_owner[i] = (size_t)(r->owner - p->partitions);
		for (j = 0; j < p->npartitions; j++)
			st->region_perm[i * st->npt + j] = NO_ENTRY;
		for (j = 0; j < r->ngrants; j++)
			st->region_perm[i * st->npt + (size_t)(r->grants[j].partition - p->partitions)] =
				(signed char)r->grants[j].perm;
	}
	for (i = 0; i < p->nmus; i++) {
		st->mu_owner[2 * i] = (size_t)(p->mus[i].owner[MMAMP_MU_SIDE_A] - p->partitions);
		st->mu_owner[2 * i + 1] = (size_t)(p->mus[i].owner[MMAMP_MU_SIDE_B] - p->partitions);
	}
	for (i = 0; i < p->ncores; i++) {
		st->core_owner[i] = (size_t)(p->cores[i].owner - p->partitions);
		st->core_power[i] = MMAMP_SCU_POWER_OFF;
	}
	s->platform = p;
	s->state = st;
	return 0;
}

void mmamp_scu_fini(struct mmamp_scu *s)
{
	struct mmamp_scu_state *st;

	if (!s)
		return;
	st = s->state;
	if (st) {
		pthread_mutex_destroy(&st->lock);
		free(st->region_owner);
		free(st->region_perm);
		free(st->mu_owner);
		free(st->core_owner);
		free(st->core_power);
		free(st->core_boot);
		free(st->core_booted);
		free(st);
	}
	memset(s, 0, sizeof(*s));
}

/* ---- memory ----------------------------------------------------------------------------- */

/*
 * The verdict on @pt accessing [addr, addr + len) (len > 0) through @view with @need: 0, or
 * -MMAMP_EACCES with @reason (the text after "...: ") and d->region / d->perm_granted set.
 */
static int mem_verdict(const struct mmamp_scu *s, size_t pt, const struct mmamp_core *view,
		       uint64_t addr, uint64_t len, unsigned need, struct mmamp_scu_denial *d,
		       char *reason, size_t rlen)
{
	const struct mmamp_platform *p = s->platform;
	const struct mmamp_region *r;
	uint64_t base;
	unsigned granted;

	if (len - 1 > UINT64_MAX - addr) {
		snprintf(reason, rlen, "the range wraps around the address space");
		return -MMAMP_EACCES;
	}
	r = mmamp_platform_region_at(p, view, addr, len, NULL);
	if (!r) {
		/* Name the region the range starts in, if it starts in one. */
		r = mmamp_platform_region_at(p, view, addr, 1, NULL);
		if (r) {
			base = view ? r->da : r->sys;
			d->region = r;
			snprintf(reason, rlen, "it crosses the end of region \"%s\" (0x%llx+0x%llx)",
				 r->name, (unsigned long long)base, (unsigned long long)r->size);
		} else if (view) {
			snprintf(reason, rlen, "no region of partition \"%s\" covers it",
				 pt_name(p, s->state->core_owner[view->index]));
		} else {
			snprintf(reason, rlen, "no region covers it");
		}
		return -MMAMP_EACCES;
	}
	d->region = r;
	granted = eff_perm(s->state, r->index, pt);
	d->perm_granted = granted;
	if ((granted & need) == need)
		return 0;
	if (granted == MMAMP_PERM_NONE)
		snprintf(reason, rlen, "region \"%s\" grants %s no access", r->name, pt_name(p, pt));
	else
		snprintf(reason, rlen, "region \"%s\" grants %s only %s", r->name, pt_name(p, pt),
			 mmamp_perm_name(granted));
	return -MMAMP_EACCES;
}

int mmamp_scu_check_mem(const struct mmamp_scu *s, int partition, const struct mmamp_core *view,
			uint64_t addr, uint64_t len, unsigned perm_needed,
			struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	char reason[160];
	size_t pt;
	int ret;

	if (!scu_ok(s))
		return deny_arg(why, "scu: not initialised");
	if (!pt_index(s->platform, partition, &pt))
		return deny_arg(why, "scu: no partition %d", partition);
	if (view && !mmamp_platform_has_core(s->platform, view))
		return deny_arg(why, "scu: core not of this platform");
	if (perm_needed == 0 || perm_needed > MMAMP_PERM_RWX)
		return deny_arg(why, "scu: invalid permission 0x%x (a combination of r = 4, w = 2, "
				"x = 1)", perm_needed);
	denial_init(&d, partition, perm_action(perm_needed));
	d.core = view;
	d.perm_needed = perm_needed;
	if (len == 0) {
		return deny(why, &d, -MMAMP_EINVAL, "scu: partition \"%s\" may not %s 0x%llx+0x0: "
			    "the range is empty", pt_name(s->platform, pt), d.action,
			    (unsigned long long)addr);
	}
	pthread_mutex_lock(&s->state->lock);
	ret = mem_verdict(s, pt, view, addr, len, perm_needed, &d, reason, sizeof(reason));
	pthread_mutex_unlock(&s->state->lock);
	if (!ret)
		return 0;
	return deny(why, &d, ret, "scu: partition \"%s\" may not %s 0x%llx+0x%llx: %s",
		    pt_name(s->platform, pt), d.action, (unsigned long long)addr,
		    (unsigned long long)len, reason);
}

int mmamp_scu_memreg_perm(const struct mmamp_scu *s, const struct mmamp_region *r, int partition)
{
	size_t pt;
	unsigned perm;

	if (!scu_ok(s) || !mmamp_platform_has_region(s->platform, r) ||
	    !pt_index(s->platform, partition, &pt))
		return -MMAMP_EINVAL;
	pthread_mutex_lock(&s->state->lock);
	perm = eff_perm(s->state, r->index, pt);
	pthread_mutex_unlock(&s->state->lock);
	return (int)perm;
}

int mmamp_scu_memreg_owner(const struct mmamp_scu *s, const struct mmamp_region *r)
{
	size_t owner;

	if (!scu_ok(s) || !mmamp_platform_has_region(s->platform, r))
		return -MMAMP_EINVAL;
	pthread_mutex_lock(&s->state->lock);
	owner = s->state->region_owner[r->index];
	pthread_mutex_unlock(&s->state->lock);
	return pt_id(s->platform, owner);
}

int mmamp_scu_partition_regions(const struct mmamp_scu *s, int partition,
				const struct mmamp_core *view, mmamp_scu_region_fn fn, void *ctx)
{
	const struct mmamp_platform *p;
	unsigned *perms;
	size_t pt, i;
	int ret = 0;

	if (!scu_ok(s) || !fn || !pt_index(s->platform, partition, &pt))
		return -MMAMP_EINVAL;
	p = s->platform;
	if (view && !mmamp_platform_has_core(p, view))
		return -MMAMP_EINVAL;
	perms = calloc(p->nregions + 1, sizeof(*perms));
	if (!perms)
		return -MMAMP_ENOMEM;
	pthread_mutex_lock(&s->state->lock);
	for (i = 0; i < p->nregions; i++)
		perms[i] = eff_perm(s->state, i, pt);
	pthread_mutex_unlock(&s->state->lock);
	for (i = 0; i < p->nregions && !ret; i++) {
		if (perms[i] == MMAMP_PERM_NONE)
			continue;
		if (view && !mmamp_core_sees(view, &p->regions[i]))
			continue;
		ret = fn(ctx, &p->regions[i], perms[i]);
	}
	free(perms);
	return ret;
}

/* ---- MUs -------------------------------------------------------------------------------- */

int mmamp_scu_check_mu(const struct mmamp_scu *s, int partition, const struct mmamp_mu *mu,
		       enum mmamp_mu_side side, struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	size_t pt, owner;

	if (!scu_ok(s))
		return deny_arg(why, "scu: not initialised");
	if (!pt_index(s->platform, partition, &pt))
		return deny_arg(why, "scu: no partition %d", partition);
	if (!mmamp_platform_has_mu(s->platform, mu))
		return deny_arg(why, "scu: MU not of this platform");
	if (side != MMAMP_MU_SIDE_A && side != MMAMP_MU_SIDE_B)
		return deny_arg(why, "scu: MU side %d does not exist", (int)side);
	pthread_mutex_lock(&s->state->lock);
	owner = s->state->mu_owner[2 * mu->index + (size_t)side];
	pthread_mutex_unlock(&s->state->lock);
	if (owner == pt)
		return 0;
	denial_init(&d, partition, "use");
	return deny(why, &d, -MMAMP_EACCES, "scu: partition \"%s\" may not use MU \"%s\" side %c "
		    "(resource %u): it is owned by partition \"%s\"", pt_name(s->platform, pt),
		    mu->name, side == MMAMP_MU_SIDE_A ? 'A' : 'B', mu->resource_id[side],
		    pt_name(s->platform, owner));
}

int mmamp_scu_partition_mus(const struct mmamp_scu *s, int partition, mmamp_scu_mu_fn fn,
			    void *ctx)
{
	const struct mmamp_platform *p;
	bool *owned;
	size_t pt, i;
	int ret = 0;

	if (!scu_ok(s) || !fn || !pt_index(s->platform, partition, &pt))
		return -MMAMP_EINVAL;
	p = s->platform;
	owned = calloc(2 * p->nmus + 1, sizeof(*owned));
	if (!owned)
		return -MMAMP_ENOMEM;
	pthread_mutex_lock(&s->state->lock);
	for (i = 0; i < 2 * p->nmus; i++)
		owned[i] = s->state->mu_owner[i] == pt;
	pthread_mutex_unlock(&s->state->lock);
	for (i = 0; i < 2 * p->nmus && !ret; i++) {
		if (owned[i])
			ret = fn(ctx, &p->mus[i / 2], i % 2 ? MMAMP_MU_SIDE_B : MMAMP_MU_SIDE_A);
	}
	free(owned);
	return ret;
}

/* ---- resources -------------------------------------------------------------------------- */

/* The owner slot of resource @rsrc, and a description of it ("core \"m4_0\""). */
static size_t *resource_slot(const struct mmamp_scu *s, uint32_t rsrc, char *what, size_t len)
{
	const struct mmamp_platform *p = s->platform;
	const struct mmamp_core *c = mmamp_platform_core_by_resource(p, rsrc);
	size_t i;

	if (c) {
		snprintf(what, len, "core \"%s\"", c->name);
		return &s->state->core_owner[c->index];
	}
	for (i = 0; i < p->nmus; i++) {
		int side;

		for (side = 0; side < 2; side++) {
			if (p->mus[i].resource_id[side] == rsrc) {
				snprintf(what, len, "MU \"%s\" side %c", p->mus[i].name,
					 side ? 'B' : 'A');
				return &s->state->mu_owner[2 * i + (size_t)side];
			}
		}
	}
	return NULL;
}

int mmamp_scu_resource_owner(const struct mmamp_scu *s, uint32_t rsrc)
{
	char what[MMAMP_PLATFORM_NAME_MAX + 16];
	size_t *slot, owner;

	if (!scu_ok(s))
		return -MMAMP_EINVAL;
	slot = resource_slot(s, rsrc, what, sizeof(what));
	if (!slot)
		return -MMAMP_EINVAL;
	pthread_mutex_lock(&s->state->lock);
	owner = *slot;
	pthread_mutex_unlock(&s->state->lock);
	return pt_id(s->platform, owner);
}

int mmamp_scu_assign_resource(const struct mmamp_scu *s, int caller, uint32_t rsrc, int new_owner,
			      struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	char what[MMAMP_PLATFORM_NAME_MAX + 16];
	char reason[128];
	size_t *slot, cp, np;

	if (!scu_ok(s))
		return deny_arg(why, "scu: not initialised");
	if (!pt_index(s->platform, caller, &cp))
		return deny_arg(why, "scu: no partition %d", caller);
	if (!pt_index(s->platform, new_owner, &np))
		return deny_arg(why, "scu: no partition %d", new_owner);
	slot = resource_slot(s, rsrc, what, sizeof(what));
	if (!slot)
		return deny_arg(why, "scu: no resource %u", rsrc);
	pthread_mutex_lock(&s->state->lock);
	if (may_manage(s->platform, *slot, cp)) {
		*slot = np;
		pthread_mutex_unlock(&s->state->lock);
		return 0;
	}
	owned_by(s->platform, *slot, reason, sizeof(reason));
	pthread_mutex_unlock(&s->state->lock);
	denial_init(&d, caller, "assign");
	d.core = mmamp_platform_core_by_resource(s->platform, rsrc);
	return deny(why, &d, -MMAMP_EACCES, "scu: partition \"%s\" may not assign resource %u "
		    "(%s): %s", pt_name(s->platform, cp), rsrc, what, reason);
}

/*
 * The argument checks of assign_memreg and set_memreg_permissions, kept in one place so both
 * reject a bad call in the same order with the same message: @caller (index into *@cp), the
 * partition @pt they act for (index into *@pi), and @r of this platform.
 */
static int memreg_args(const struct mmamp_scu *s, int caller, size_t *cp, int pt, size_t *pi,
		       const struct mmamp_region *r, struct mmamp_scu_denial *why)
{
	if (!scu_ok(s))
		return deny_arg(why, "scu: not initialised");
	if (!pt_index(s->platform, caller, cp))
		return deny_arg(why, "scu: no partition %d", caller);
	if (!pt_index(s->platform, pt, pi))
		return deny_arg(why, "scu: no partition %d", pt);
	if (!mmamp_platform_has_region(s->platform, r))
		return deny_arg(why, "scu: region not of this platform");
	return 0;
}

/* Common part of assign_memreg and set_memreg_permissions: @cp may manage @r? (lock held) */
static int memreg_manage(const struct mmamp_scu *s, int caller, size_t cp,
			 const struct mmamp_region *r, const char *action,
			 struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	char reason[128];

	if (may_manage(s->platform, s->state->region_owner[r->index], cp))
		return 0;
	owned_by(s->platform, s->state->region_owner[r->index], reason, sizeof(reason));
	denial_init(&d, caller, action);
	d.region = r;
	return deny(why, &d, -MMAMP_EACCES, "scu: partition \"%s\" may not %s region \"%s\": %s",
		    pt_name(s->platform, cp), action, r->name, reason);
}

int mmamp_scu_assign_memreg(const struct mmamp_scu *s, int caller, const struct mmamp_region *r,
			    int new_owner, struct mmamp_scu_denial *why)
{
	size_t cp, np;
	int ret;

	ret = memreg_args(s, caller, &cp, new_owner, &np, r, why);
	if (ret)
		return ret;
	pthread_mutex_lock(&s->state->lock);
	ret = memreg_manage(s, caller, cp, r, "assign", why);
	if (!ret)
		s->state->region_owner[r->index] = np;
	pthread_mutex_unlock(&s->state->lock);
	return ret;
}

int mmamp_scu_set_memreg_permissions(const struct mmamp_scu *s, int caller,
				     const struct mmamp_region *r, int partition, unsigned perm,
				     struct mmamp_scu_denial *why)
{
	size_t cp, pt;
	int ret;

	ret = memreg_args(s, caller, &cp, partition, &pt, r, why);
	if (ret)
		return ret;
	if (!mmamp_perm_valid(perm))
		return deny_arg(why, "scu: invalid permission %u (one of 0 none, 4 r, 5 rx, 6 rw, "
				"7 rwx)", perm);
	pthread_mutex_lock(&s->state->lock);
	ret = memreg_manage(s, caller, cp, r, "set permissions on", why);
	if (!ret)
		s->state->region_perm[r->index * s->state->npt + pt] = (signed char)perm;
	pthread_mutex_unlock(&s->state->lock);
	return ret;
}

/* ---- cores ------------------------------------------------------------------------------ */

/* Validates the arguments of a core operation and checks @caller may do @action (lock held). */
static int core_manage(const struct mmamp_scu *s, int caller, size_t cp,
		       const struct mmamp_core *core, const char *action,
		       struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	char reason[128];
	size_t owner = s->state->core_owner[core->index];

	if (may_manage(s->platform, owner, cp))
		return 0;
	owned_by(s->platform, owner, reason, sizeof(reason));
	denial_init(&d, caller, action);
	d.core = core;
	return deny(why, &d, -MMAMP_EACCES, "scu: partition \"%s\" may not %s core \"%s\" "
		    "(resource %u): %s", pt_name(s->platform, cp), action, core->name,
		    core->resource_id, reason);
}

/* The core's owner must be able to execute at @boot in the core's view (lock held). */
static int boot_check(const struct mmamp_scu *s, const struct mmamp_core *core, uint64_t boot,
		      struct mmamp_scu_denial *why)
{
	struct mmamp_scu_denial d;
	char reason[160];
	size_t owner = s->state->core_owner[core->index];
	int ret;

	denial_init(&d, pt_id(s->platform, owner), "execute");
	d.core = core;
	d.perm_needed = MMAMP_PERM_X;
	ret = mem_verdict(s, owner, core, boot, 4, MMAMP_PERM_X, &d, reason, sizeof(reason));
	if (!ret)
		return 0;
	return deny(why, &d, ret, "scu: core \"%s\" may not boot at 0x%llx: %s", core->name,
		    (unsigned long long)boot, reason);
}

static int core_args(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
		     size_t *cp, struct mmamp_scu_denial *why)
{
	if (!scu_ok(s))
		return deny_arg(why, "scu: not initialised");
	if (!pt_index(s->platform, caller, cp))
		return deny_arg(why, "scu: no partition %d", caller);
	if (!mmamp_platform_has_core(s->platform, core))
		return deny_arg(why, "scu: core not of this platform");
	return 0;
}

static int start_or_reset(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
			  uint64_t boot_addr, bool reset, struct mmamp_scu_denial *why)
{
	struct mmamp_scu_state *st;
	struct mmamp_scu_denial d;
	size_t cp;
	int ret;

	ret = core_args(s, caller, core, &cp, why);
	if (ret)
		return ret;
	st = s->state;
	pthread_mutex_lock(&st->lock);
	ret = core_manage(s, caller, cp, core, reset ? "reset" : "start", why);
	if (!ret && !reset && st->core_power[core->index] == MMAMP_SCU_POWER_ON) {
		denial_init(&d, caller, "start");
		d.core = core;
		ret = deny(why, &d, -MMAMP_EBUSY, "scu: core \"%s\" (resource %u) is already "
			   "running", core->name, core->resource_id);
	}
	if (!ret)
		ret = boot_check(s, core, boot_addr, why);
	if (!ret) {
		st->core_power[core->index] = MMAMP_SCU_POWER_ON;
		st->core_boot[core->index] = boot_addr;
		st->core_booted[core->index] = true;
	}
	pthread_mutex_unlock(&st->lock);
	return ret;
}

int mmamp_scu_cpu_start(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
			uint64_t boot_addr, struct mmamp_scu_denial *why)
{
	return start_or_reset(s, caller, core, boot_addr, false, why);
}

int mmamp_scu_cpu_reset(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
			uint64_t boot_addr, struct mmamp_scu_denial *why)
{
	return start_or_reset(s, caller, core, boot_addr, true, why);
}

int mmamp_scu_cpu_stop(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
		       struct mmamp_scu_denial *why)
{
	size_t cp;
	int ret;

	ret = core_args(s, caller, core, &cp, why);
	if (ret)
		return ret;
	pthread_mutex_lock(&s->state->lock);
	ret = core_manage(s, caller, cp, core, "stop", why);
	if (!ret)
		s->state->core_power[core->index] = MMAMP_SCU_POWER_OFF;
	pthread_mutex_unlock(&s->state->lock);
	return ret;
}

int mmamp_scu_power_state(const struct mmamp_scu *s, const struct mmamp_core *core)
{
	int state;

	if (!scu_ok(s) || !mmamp_platform_has_core(s->platform, core))
		return -MMAMP_EINVAL;
	pthread_mutex_lock(&s->state->lock);
	state = s->state->core_power[core->index];
	pthread_mutex_unlock(&s->state->lock);
	return state;
}

int mmamp_scu_boot_address(const struct mmamp_scu *s, const struct mmamp_core *core, uint64_t *da)
{
	int ret = 0;

	if (!scu_ok(s) || !da || !mmamp_platform_has_core(s->platform, core))
		return -MMAMP_EINVAL;
	pthread_mutex_lock(&s->state->lock);
	if (s->state->core_booted[core->index])
		*da = s->state->core_boot[core->index];
	else
		ret = -MMAMP_ENOENT;
	pthread_mutex_unlock(&s->state->lock);
	return ret;
}
