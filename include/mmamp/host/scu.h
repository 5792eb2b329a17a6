/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/host/scu.h — the SCU model: the i.MX8 System Controller's resource manager and the part
 * of its power management that starts and stops cores (docs/sim-platform.md), as pure logic over a
 * loaded platform (mmamp/host/platform.h). No memory is mapped and no process is started here:
 * the loader, the LCM and the simulated core ask the SCU first and act on its answer.
 *
 * Model
 *   - Partitions (from the platform) have a parent; the boot partition has none.
 *   - Every resource has exactly one owner partition: each memory region (sc_rm_mr_t), each MU
 *     side and each core (the latter two addressed by SCU resource id, e.g. SC_R_M4_0_PID0 = 278).
 *   - Memory: partition P may access region R with permission
 *         R's entry for P, if it has one (set by the .dts "grants" or set_memreg_permissions);
 *         else rwx if P owns R; else none.
 *     An access [addr, addr + len) is allowed only if one region wholly covers it and the
 *     permission includes every bit asked for (MMAMP_PERM_R/W/X).
 *   - Only a resource's owner, or the owner's parent, may start/stop a core, assign the resource
 *     to another partition or change a region's permissions.
 *   - Cores are OFF until started; mmamp_scu_cpu_start() powers the core on and records its boot
 *     address (SCFW needs set_resource_power_mode(ON) first; here start implies it).
 *
 * Every check that fails returns a negative MMAMP_E* value and, if asked, fills a
 * struct mmamp_scu_denial whose message is one line, e.g.
 *
 *   scu: partition "apu" may not write 0x1ff00000+0x400: no region covers it
 *   scu: partition "apu" may not write 0x1ff00000+0x400: no region of partition "m4" covers it
 *   scu: partition "m4" may not write 0x90007f00+0x200: it crosses the end of region
 *        "vdev0vring0" (0x90000000+0x8000)
 *   scu: partition "apu" may not execute 0x34fe0000+0x4: region "m4-tcml" grants apu only rw
 *   scu: partition "m4_1" may not start core "m4_0" (resource 278): it is owned by partition
 *        "m4_0", whose parent is "apu"
 *   scu: core "m4_0" may not boot at 0x20000000: region "m4-tcmu" grants m4 only rw
 *
 * (The second form is used when the addresses are a core's device addresses: the partition
 * named is the core's owner.) Partition and resource ids that do not exist, and pointers that
 * are not the platform's, are answered with -MMAMP_EINVAL, never a crash.
 *
 * Thread safety: every function may be called from any thread; the state is behind a mutex.
 * Callbacks of the enumerators run without it held (they may call back into the SCU).
 */
#ifndef MMAMP_HOST_SCU_H
#define MMAMP_HOST_SCU_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/host/platform.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

struct mmamp_scu_state;

/**
 * struct mmamp_scu - an SCU over one platform (which must outlive it).
 * @platform: the description it started from.
 * @state:    private (owners, permissions, power states).
 */
struct mmamp_scu {
	const struct mmamp_platform *platform;
	struct mmamp_scu_state *state;
};

/** Power state of a core (SCFW sc_pm_power_mode_t values). */
enum mmamp_scu_power {
	MMAMP_SCU_POWER_OFF = 0,
	MMAMP_SCU_POWER_ON = 3,
};

/** Size of the rendered line kept in a denial. */
#define MMAMP_SCU_DENIAL_MAX 256u

/**
 * struct mmamp_scu_denial - why the SCU said no.
 * @err:          the (negative) value the call returned.
 * @partition:    the partition the rule was applied to (id), or -1.
 * @action:       "read", "write", "execute", "read/write", ..., "start", "stop", "reset",
 *                "assign", "set permissions on", "use", or "" (static strings).
 * @region:       the region concerned, or NULL (none covers the address, or not about memory).
 * @core:         the core concerned, or NULL.
 * @perm_needed:  for memory: the MMAMP_PERM_* bits asked for.
 * @perm_granted: for memory with @region: what @partition has on it.
 * @msg:          the whole line ("scu: partition ...").
 */
struct mmamp_scu_denial {
	int err;
	int partition;
	const char *action;
	const struct mmamp_region *region;
	const struct mmamp_core *core;
	unsigned perm_needed;
	unsigned perm_granted;
	char msg[MMAMP_SCU_DENIAL_MAX];
};

/**
 * mmamp_scu_denial_format() - copy the denial's line into @buf (NUL-terminated when @len > 0).
 * Returns the length of the full line (like snprintf). A NULL @why renders "scu: no denial".
 */
size_t mmamp_scu_denial_format(const struct mmamp_scu_denial *why, char *buf, size_t len);

/**
 * mmamp_scu_init() - an SCU whose owners and permissions are those of @p's description, with
 * every core off. Return: 0, -MMAMP_EINVAL, -MMAMP_ENOMEM.
 */
int mmamp_scu_init(struct mmamp_scu *s, const struct mmamp_platform *p);

/** mmamp_scu_fini() - release the state; @s is zeroed. */
void mmamp_scu_fini(struct mmamp_scu *s);

/* ---- memory ----------------------------------------------------------------------------- */

/**
 * mmamp_scu_check_mem() - may @partition access [@addr, @addr + @len) with @perm_needed?
 * @view:        NULL: @addr is a system address; a core: @addr is that core's device address
 *               (only the regions of its address map, core->att, are reachable).
 * @perm_needed: a non-zero combination of MMAMP_PERM_R, _W, _X.
 * @why:         filled on refusal (may be NULL).
 * Return: 0; -MMAMP_EACCES (no single region covers the range — a range that wraps around
 * 2^64 never is —, or the permission is missing); -MMAMP_EINVAL (unknown partition or core,
 * @len 0, bad @perm_needed).
 */
int mmamp_scu_check_mem(const struct mmamp_scu *s, int partition, const struct mmamp_core *view,
			uint64_t addr, uint64_t len, unsigned perm_needed,
			struct mmamp_scu_denial *why);

/**
 * mmamp_scu_memreg_perm() - the permission @partition has on @r now (MMAMP_PERM_*), or
 * -MMAMP_EINVAL for an unknown partition or region.
 */
int mmamp_scu_memreg_perm(const struct mmamp_scu *s, const struct mmamp_region *r, int partition);

/** mmamp_scu_memreg_owner() - the id of @r's owner partition now, or -MMAMP_EINVAL. */
int mmamp_scu_memreg_owner(const struct mmamp_scu *s, const struct mmamp_region *r);

/**
 * typedef mmamp_scu_region_fn - one region a partition may access, with its permission (not
 * NONE). A non-zero return stops the enumeration and is returned by it.
 */
typedef int (*mmamp_scu_region_fn)(void *ctx, const struct mmamp_region *r, unsigned perm);

/**
 * mmamp_scu_partition_regions() - call @fn for every region @partition may access (permission
 * other than none), in platform order.
 * @view: NULL for all regions; a core to list only the regions of its address map (what the
 *        simulated core maps, each at r->da with the permission given).
 * Return: 0, @fn's non-zero value, or -MMAMP_EINVAL / -MMAMP_ENOMEM.
 */
int mmamp_scu_partition_regions(const struct mmamp_scu *s, int partition,
				const struct mmamp_core *view, mmamp_scu_region_fn fn, void *ctx);

/* ---- MUs -------------------------------------------------------------------------------- */

/**
 * mmamp_scu_check_mu() - may @partition use side @side of @mu (does it own that side)?
 * Return: 0, -MMAMP_EACCES (with @why), -MMAMP_EINVAL.
 */
int mmamp_scu_check_mu(const struct mmamp_scu *s, int partition, const struct mmamp_mu *mu,
		       enum mmamp_mu_side side, struct mmamp_scu_denial *why);

/** typedef mmamp_scu_mu_fn - one MU side a partition owns; non-zero stops the enumeration. */
typedef int (*mmamp_scu_mu_fn)(void *ctx, const struct mmamp_mu *mu, enum mmamp_mu_side side);

/** mmamp_scu_partition_mus() - call @fn for every MU side @partition owns, in platform order. */
int mmamp_scu_partition_mus(const struct mmamp_scu *s, int partition, mmamp_scu_mu_fn fn,
			    void *ctx);

/* ---- resources (cores and MU sides, by SCU resource id) ---------------------------------- */

/** mmamp_scu_resource_owner() - id of the partition owning resource @rsrc now, or -MMAMP_EINVAL. */
int mmamp_scu_resource_owner(const struct mmamp_scu *s, uint32_t rsrc);

/**
 * mmamp_scu_assign_resource() - sc_rm_assign_resource(): make @new_owner the owner of @rsrc
 * (a core or an MU side). Allowed to the current owner and its parent.
 * Return: 0, -MMAMP_EACCES (with @why), -MMAMP_EINVAL (unknown resource or partition).
 */
int mmamp_scu_assign_resource(const struct mmamp_scu *s, int caller, uint32_t rsrc, int new_owner,
			      struct mmamp_scu_denial *why);

/**
 * mmamp_scu_assign_memreg() - sc_rm_assign_memreg(): make @new_owner the owner of @r. Allowed
 * to the current owner and its parent. Permission entries are kept (an entry for the old owner
 * stays its grant; the new owner has rwx unless an entry for it says otherwise).
 */
int mmamp_scu_assign_memreg(const struct mmamp_scu *s, int caller, const struct mmamp_region *r,
			    int new_owner, struct mmamp_scu_denial *why);

/**
 * mmamp_scu_set_memreg_permissions() - sc_rm_set_memreg_permissions(): set @partition's
 * permission on @r to @perm (MMAMP_PERM_NONE revokes a grant; an owner may restrict itself).
 * Allowed to @r's owner and its parent. Return: 0, -MMAMP_EACCES, -MMAMP_EINVAL (unknown
 * partition/region, or @perm not one of none/r/rx/rw/rwx).
 */
int mmamp_scu_set_memreg_permissions(const struct mmamp_scu *s, int caller,
				     const struct mmamp_region *r, int partition, unsigned perm,
				     struct mmamp_scu_denial *why);

/* ---- cores ------------------------------------------------------------------------------ */

/**
 * mmamp_scu_cpu_start() - sc_pm_cpu_start(core, true, boot_addr): power @core on and start it at
 * @boot_addr.
 * @caller:    must own the core's resource or be its owner's parent (denial: "start").
 * @boot_addr: a device address of @core (its view), e.g. core->boot_addr; the 4 bytes there
 *             must be in a region of its address map on which the core's owner partition has
 *             execute permission. (The real SCFW call takes the system address, core->entry_sys.)
 * Return: 0; -MMAMP_EACCES (with @why); -MMAMP_EBUSY (already on); -MMAMP_EINVAL.
 */
int mmamp_scu_cpu_start(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
			uint64_t boot_addr, struct mmamp_scu_denial *why);

/**
 * mmamp_scu_cpu_stop() - sc_pm_cpu_start(core, false): power @core off (0 if it was off).
 * Same permission rule as start (denial: "stop").
 */
int mmamp_scu_cpu_stop(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
		       struct mmamp_scu_denial *why);

/**
 * mmamp_scu_cpu_reset() - sc_pm_cpu_reset(): restart @core at @boot_addr whether it was on or
 * off (a reboot). Same rules as start (denial: "reset"); the caller restarts the process.
 */
int mmamp_scu_cpu_reset(const struct mmamp_scu *s, int caller, const struct mmamp_core *core,
			uint64_t boot_addr, struct mmamp_scu_denial *why);

/**
 * mmamp_scu_power_state() - MMAMP_SCU_POWER_OFF or _ON, or -MMAMP_EINVAL for a core that is not
 * the platform's.
 */
int mmamp_scu_power_state(const struct mmamp_scu *s, const struct mmamp_core *core);

/**
 * mmamp_scu_boot_address() - the device address @core was last started at (*@da), or
 * -MMAMP_ENOENT if it was never started, -MMAMP_EINVAL for a foreign core.
 */
int mmamp_scu_boot_address(const struct mmamp_scu *s, const struct mmamp_core *core,
			   uint64_t *da);

MMAMP_END_DECLS

#endif /* MMAMP_HOST_SCU_H */
