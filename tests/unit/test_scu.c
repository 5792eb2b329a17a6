/*
 * test_scu.c — the SCU model over the shipped boards: the allowed/denied memory matrix with the
 * exact denial lines, core start/stop rules and power state, runtime assignment and permission
 * changes, enumeration of what a partition may map, and bad ids answered without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/errno.h"
#include "mmamp/host/platform.h"
#include "mmamp/host/scu.h"

#ifndef MMAMP_PLATFORM_DIR
#error "MMAMP_PLATFORM_DIR (the build directory of platforms/) must be defined"
#endif

static const char *platform_dir = MMAMP_PLATFORM_DIR;

enum { APU = 1, M4 = 2 };          /* imx8qxp-sim partition ids */
enum { QM_M4_0 = 2, QM_M4_1 = 3 }; /* imx8qm-sim */

struct board {
	struct mmamp_platform p;
	struct mmamp_scu s;
	const struct mmamp_core *core;
};

static void board_up(struct board *b, const char *name)
{
	char path[512];
	char err[512] = "";
	int ret;

	snprintf(path, sizeof(path), "%s/%s.dtb", platform_dir, name);
	ret = mmamp_platform_load(&b->p, path, err, sizeof(err));
	if (ret)
		fail_msg("%s: %d %s", path, ret, err);
	assert_int_equal(mmamp_scu_init(&b->s, &b->p), 0);
	b->core = mmamp_platform_core(&b->p, "m4_0");
	assert_non_null(b->core);
}

static int setup_qxp(void **state)
{
	static struct board b;

	board_up(&b, "imx8qxp-sim");
	*state = &b;
	return 0;
}

static int setup_qm(void **state)
{
	static struct board b;

	board_up(&b, "imx8qm-sim");
	*state = &b;
	return 0;
}

static int teardown(void **state)
{
	struct board *b = *state;

	mmamp_scu_fini(&b->s);
	mmamp_platform_free(&b->p);
	return 0;
}

/* The call returns @err and the denial reads @line exactly. */
#define ASSERT_DENIED(call, want, line)                                                   \
	do {                                                                              \
		struct mmamp_scu_denial why_;                                             \
		char buf_[MMAMP_SCU_DENIAL_MAX];                                          \
		int ret_;                                                                 \
		memset(&why_, 0, sizeof(why_));                                           \
		ret_ = (call);                                                            \
		mmamp_scu_denial_format(&why_, buf_, sizeof(buf_));                       \
		if (ret_ != (want))                                                       \
			fail_msg("%s returned %d, expected %d (%s)", #call, ret_, (want), buf_); \
		assert_int_equal(why_.err, (want));                                       \
		assert_string_equal(buf_, line);                                          \
	} while (0)

#define WHY (&why_)

static void memory_matrix(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	const struct mmamp_core *c = b->core;
	struct mmamp_scu_denial why;

	/* The APU loads the M4's memory through system addresses, or through the M4's view. */
	assert_int_equal(mmamp_scu_check_mem(s, APU, NULL, 0x34FE0000, 0x400, MMAMP_PERM_W, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, APU, c, 0x1FFE0000, 0x20000, MMAMP_PERM_RW, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, APU, c, 0x88000000, 0x100000, MMAMP_PERM_W, NULL), 0);
	/* The M4 runs from its TCML, writes its TCMU, and uses the RPMsg memory by grant. */
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x1FFE0000, 0x100, MMAMP_PERM_RWX, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x20010000, 0x100, MMAMP_PERM_RW, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x90400000, 0x200, MMAMP_PERM_W, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, M4, NULL, 0x900FF000, 0x400, MMAMP_PERM_RW, NULL), 0);

	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x1FF00000, 0x400, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not write 0x1ff00000+0x400: no region covers it");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, c, 0x1FF00000, 0x400, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not write 0x1ff00000+0x400: no region of partition "
		      "\"m4\" covers it");
	/* The M4 cannot reach its TCM by system address. */
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x34FE0000, 4, MMAMP_PERM_R, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not read 0x34fe0000+0x4: no region of partition "
		      "\"m4\" covers it");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x34FE0000, 4, MMAMP_PERM_X, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not execute 0x34fe0000+0x4: region \"m4-tcml\" "
		      "grants apu only rw");
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x20000000, 4, MMAMP_PERM_RWX, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not read/write/execute 0x20000000+0x4: region "
		      "\"m4-tcmu\" grants m4 only rw");
	/* Two adjacent regions, both granted: still no single region covers the range. */
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x90007F00, 0x200, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not write 0x90007f00+0x200: it crosses the end of "
		      "region \"vdev0vring0\" (0x90000000+0x8000)");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x34FFFF00, 0x200, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not write 0x34ffff00+0x200: it crosses the end of "
		      "region \"m4-tcml\" (0x34fe0000+0x20000)");
	/* addr + len wraps around 2^64: refused, not wrapped into a region. */
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x90400000, UINT64_MAX, MMAMP_PERM_R, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not read 0x90400000+0xffffffffffffffff: the range "
		      "wraps around the address space");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, UINT64_MAX, 2, MMAMP_PERM_R, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not read 0xffffffffffffffff+0x2: the range wraps "
		      "around the address space");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, UINT64_MAX, 1, MMAMP_PERM_R, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not read 0xffffffffffffffff+0x1: no region covers it");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x90000000, 0, MMAMP_PERM_R, WHY),
		      -MMAMP_EINVAL,
		      "scu: partition \"apu\" may not read 0x90000000+0x0: the range is empty");

	/* The denial's fields, not only its line. */
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x20000000, 4, MMAMP_PERM_X, &why),
			 -MMAMP_EACCES);
	assert_int_equal(why.partition, M4);
	assert_string_equal(why.action, "execute");
	assert_ptr_equal(why.region, mmamp_platform_region(&b->p, "m4-tcmu"));
	assert_ptr_equal(why.core, c);
	assert_int_equal(why.perm_needed, MMAMP_PERM_X);
	assert_int_equal(why.perm_granted, MMAMP_PERM_RW);
	assert_int_equal(mmamp_scu_check_mem(s, APU, NULL, 0x1FF00000, 4, MMAMP_PERM_R, &why),
			 -MMAMP_EACCES);
	assert_null(why.region);
}

static void bad_arguments_are_refused(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	struct mmamp_platform other;
	char err[512] = "";
	char path[512];
	char buf[8];

	ASSERT_DENIED(mmamp_scu_check_mem(s, 99, NULL, 0x90000000, 4, MMAMP_PERM_R, WHY),
		      -MMAMP_EINVAL, "scu: no partition 99");
	ASSERT_DENIED(mmamp_scu_check_mem(s, -1, NULL, 0x90000000, 4, MMAMP_PERM_R, WHY),
		      -MMAMP_EINVAL, "scu: no partition -1");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x90000000, 4, 0, WHY), -MMAMP_EINVAL,
		      "scu: invalid permission 0x0 (a combination of r = 4, w = 2, x = 1)");
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x90000000, 4, 8, WHY), -MMAMP_EINVAL,
		      "scu: invalid permission 0x8 (a combination of r = 4, w = 2, x = 1)");
	assert_int_equal(mmamp_scu_check_mem(NULL, APU, NULL, 0x90000000, 4, MMAMP_PERM_R, NULL),
			 -MMAMP_EINVAL);
	ASSERT_DENIED(mmamp_scu_cpu_start(s, 7, b->core, 0x1FFE0000, WHY), -MMAMP_EINVAL,
		      "scu: no partition 7");
	assert_int_equal(mmamp_scu_cpu_start(s, APU, NULL, 0x1FFE0000, NULL), -MMAMP_EINVAL);
	assert_int_equal(mmamp_scu_power_state(s, NULL), -MMAMP_EINVAL);
	ASSERT_DENIED(mmamp_scu_assign_resource(s, APU, 9999, M4, WHY), -MMAMP_EINVAL,
		      "scu: no resource 9999");
	assert_int_equal(mmamp_scu_resource_owner(s, 9999), -MMAMP_EINVAL);
	ASSERT_DENIED(mmamp_scu_set_memreg_permissions(s, APU, &b->p.regions[0], M4, 2, WHY),
		      -MMAMP_EINVAL,
		      "scu: invalid permission 2 (one of 0 none, 4 r, 5 rx, 6 rw, 7 rwx)");
	assert_int_equal(mmamp_scu_memreg_perm(s, &b->p.regions[0], 42), -MMAMP_EINVAL);
	assert_int_equal(mmamp_scu_memreg_perm(s, NULL, APU), -MMAMP_EINVAL);
	assert_int_equal(mmamp_scu_check_mu(s, APU, b->core->mu, (enum mmamp_mu_side)2, NULL),
			 -MMAMP_EINVAL);

	/* Objects of another platform are not this SCU's. */
	snprintf(path, sizeof(path), "%s/imx8qm-sim.dtb", platform_dir);
	if (mmamp_platform_load(&other, path, err, sizeof(err)))
		fail_msg("%s", err);
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, mmamp_platform_core(&other, "m4_0"), 0x1FFE0000,
					  4, MMAMP_PERM_R, WHY),
		      -MMAMP_EINVAL, "scu: core not of this platform");
	ASSERT_DENIED(mmamp_scu_assign_memreg(s, APU, &other.regions[0], APU, WHY), -MMAMP_EINVAL,
		      "scu: region not of this platform");
	assert_int_equal(mmamp_scu_power_state(s, mmamp_platform_core(&other, "m4_0")),
			 -MMAMP_EINVAL);
	mmamp_platform_free(&other);

	/* Rendering: truncation reports the full length; no denial at all. */
	{
		struct mmamp_scu_denial why;
		size_t n;

		mmamp_scu_check_mem(s, APU, NULL, 0x1FF00000, 4, MMAMP_PERM_R, &why);
		n = mmamp_scu_denial_format(&why, buf, sizeof(buf));
		assert_int_equal(n, strlen(why.msg));
		assert_string_equal(buf, "scu: pa");
	}
	{
		char line[64];

		mmamp_scu_denial_format(NULL, line, sizeof(line));
		assert_string_equal(line, "scu: no denial");
	}
	assert_int_equal(mmamp_scu_init(NULL, &b->p), -MMAMP_EINVAL);
}

static void core_start_stop(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	const struct mmamp_core *c = b->core;
	uint64_t da = 0;

	assert_int_equal(mmamp_scu_power_state(s, c), MMAMP_SCU_POWER_OFF);
	assert_int_equal(mmamp_scu_boot_address(s, c, &da), -MMAMP_ENOENT);

	/* The boot address must be memory the core's partition may execute. */
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, 0x20000000, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x20000000: region \"m4-tcmu\" grants m4 "
		      "only rw");
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, 0x90400000, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x90400000: region \"vdevbuffer\" grants m4 "
		      "only rw");
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, 0x1FF00000, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x1ff00000: no region of partition \"m4\" "
		      "covers it");
	/* A system address is not the core's boot address. */
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, 0x34FE0000, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x34fe0000: no region of partition \"m4\" "
		      "covers it");
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, 0x2001FFFE, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x2001fffe: it crosses the end of region "
		      "\"m4-tcmu\" (0x20000000+0x20000)");
	assert_int_equal(mmamp_scu_power_state(s, c), MMAMP_SCU_POWER_OFF);

	/* The owner's parent starts it. */
	assert_int_equal(mmamp_scu_cpu_start(s, APU, c, c->boot_addr, NULL), 0);
	assert_int_equal(mmamp_scu_power_state(s, c), MMAMP_SCU_POWER_ON);
	assert_int_equal(mmamp_scu_boot_address(s, c, &da), 0);
	assert_int_equal(da, 0x1FFE0000);
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, c->boot_addr, WHY), -MMAMP_EBUSY,
		      "scu: core \"m4_0\" (resource 278) is already running");
	/* A reboot restarts it wherever it was. */
	assert_int_equal(mmamp_scu_cpu_reset(s, APU, c, 0x1FFE0400, NULL), 0);
	assert_int_equal(mmamp_scu_boot_address(s, c, &da), 0);
	assert_int_equal(da, 0x1FFE0400);
	assert_int_equal(mmamp_scu_cpu_stop(s, APU, c, NULL), 0);
	assert_int_equal(mmamp_scu_power_state(s, c), MMAMP_SCU_POWER_OFF);
	assert_int_equal(mmamp_scu_cpu_stop(s, APU, c, NULL), 0);

	/* The owner itself may too, from its DDR. */
	assert_int_equal(mmamp_scu_cpu_start(s, M4, c, 0x88000000, NULL), 0);
	assert_int_equal(mmamp_scu_cpu_stop(s, M4, c, NULL), 0);
	assert_int_equal(mmamp_scu_cpu_reset(s, M4, c, c->boot_addr, NULL), 0);
	assert_int_equal(mmamp_scu_power_state(s, c), MMAMP_SCU_POWER_ON);
	assert_int_equal(mmamp_scu_cpu_stop(s, M4, c, NULL), 0);
}

static void runtime_changes(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	const struct mmamp_core *c = b->core;
	const struct mmamp_region *buf = mmamp_platform_region(&b->p, "vdevbuffer");
	const struct mmamp_region *tcmu = mmamp_platform_region(&b->p, "m4-tcmu");
	const struct mmamp_region *ddr = mmamp_platform_region(&b->p, "m4-ddr");

	/* The M4 cannot grant itself more, nor take the APU's memory. */
	ASSERT_DENIED(mmamp_scu_set_memreg_permissions(s, M4, buf, M4, MMAMP_PERM_RWX, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not set permissions on region \"vdevbuffer\": it is "
		      "owned by partition \"apu\", which has no parent");
	ASSERT_DENIED(mmamp_scu_assign_memreg(s, M4, buf, M4, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4\" may not assign region \"vdevbuffer\": it is owned by "
		      "partition \"apu\", which has no parent");
	assert_int_equal(mmamp_scu_memreg_perm(s, buf, M4), MMAMP_PERM_RW);

	/* The owner revokes the grant: the M4 loses the buffers. */
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, buf, M4, MMAMP_PERM_NONE, NULL), 0);
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x90400000, 0x200, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not write 0x90400000+0x200: region \"vdevbuffer\" "
		      "grants m4 no access");
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, buf, M4, MMAMP_PERM_R, NULL), 0);
	ASSERT_DENIED(mmamp_scu_check_mem(s, M4, c, 0x90400000, 0x200, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not write 0x90400000+0x200: region \"vdevbuffer\" "
		      "grants m4 only r");
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x90400000, 0x200, MMAMP_PERM_R, NULL), 0);
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, buf, M4, MMAMP_PERM_RW, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, M4, c, 0x90400000, 0x200, MMAMP_PERM_W, NULL), 0);

	/* The parent of the M4 partition manages the M4's regions: it can make its own access r. */
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, tcmu, APU, MMAMP_PERM_R, NULL), 0);
	ASSERT_DENIED(mmamp_scu_check_mem(s, APU, NULL, 0x35000000, 0x400, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"apu\" may not write 0x35000000+0x400: region \"m4-tcmu\" "
		      "grants apu only r");
	/* ... and the M4, owner, may restore it. */
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, M4, tcmu, APU, MMAMP_PERM_RW, NULL), 0);
	assert_int_equal(mmamp_scu_check_mem(s, APU, NULL, 0x35000000, 0x400, MMAMP_PERM_W, NULL), 0);

	/* Ownership moves: the APU takes the M4's DDR. The M4's explicit entry (rwx) remains. */
	assert_int_equal(mmamp_scu_memreg_owner(s, ddr), M4);
	assert_int_equal(mmamp_scu_assign_memreg(s, APU, ddr, APU, NULL), 0);
	assert_int_equal(mmamp_scu_memreg_owner(s, ddr), APU);
	ASSERT_DENIED(mmamp_scu_set_memreg_permissions(s, M4, ddr, M4, MMAMP_PERM_NONE, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4\" may not set permissions on region \"m4-ddr\": it is "
		      "owned by partition \"apu\", which has no parent");
	assert_int_equal(mmamp_scu_memreg_perm(s, ddr, M4), MMAMP_PERM_RWX);
	assert_int_equal(mmamp_scu_assign_memreg(s, APU, ddr, M4, NULL), 0);

	/* Resources by SCU id: MU sides and cores. */
	assert_int_equal(mmamp_scu_resource_owner(s, 218), APU);
	assert_int_equal(mmamp_scu_resource_owner(s, 227), M4);
	assert_int_equal(mmamp_scu_resource_owner(s, 278), M4);
	ASSERT_DENIED(mmamp_scu_assign_resource(s, M4, 218, M4, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4\" may not assign resource 218 (MU \"lsio-mu5\" side A): "
		      "it is owned by partition \"apu\", which has no parent");
	assert_int_equal(mmamp_scu_check_mu(s, APU, c->mu, MMAMP_MU_SIDE_A, NULL), 0);
	assert_int_equal(mmamp_scu_check_mu(s, M4, c->mu, MMAMP_MU_SIDE_B, NULL), 0);
	ASSERT_DENIED(mmamp_scu_check_mu(s, M4, c->mu, MMAMP_MU_SIDE_A, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4\" may not use MU \"lsio-mu5\" side A (resource 218): it "
		      "is owned by partition \"apu\"");

	/* The APU takes the core: now only the APU (no parent) may start it. */
	assert_int_equal(mmamp_scu_assign_resource(s, APU, 278, APU, NULL), 0);
	assert_int_equal(mmamp_scu_resource_owner(s, 278), APU);
	ASSERT_DENIED(mmamp_scu_cpu_start(s, M4, c, c->boot_addr, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4\" may not start core \"m4_0\" (resource 278): it is owned "
		      "by partition \"apu\", which has no parent");
	/* Running in the APU's partition, the core's boot check uses the APU's permission. */
	ASSERT_DENIED(mmamp_scu_cpu_start(s, APU, c, c->boot_addr, WHY), -MMAMP_EACCES,
		      "scu: core \"m4_0\" may not boot at 0x1ffe0000: region \"m4-tcml\" grants apu "
		      "only rw");
	assert_int_equal(mmamp_scu_assign_resource(s, APU, 278, M4, NULL), 0);
	assert_int_equal(mmamp_scu_resource_owner(s, 278), M4);
}

struct seen {
	char names[32][MMAMP_PLATFORM_NAME_MAX + 8];
	unsigned perms[32];
	size_t n;
	size_t stop_after;
};

static int collect_region(void *ctx, const struct mmamp_region *r, unsigned perm)
{
	struct seen *seen = ctx;

	assert_true(seen->n < 32);
	strcpy(seen->names[seen->n], r->name);
	seen->perms[seen->n++] = perm;
	return seen->n == seen->stop_after ? 42 : 0;
}

static int collect_mu(void *ctx, const struct mmamp_mu *mu, enum mmamp_mu_side side)
{
	struct seen *seen = ctx;

	assert_true(seen->n < 32);
	snprintf(seen->names[seen->n], sizeof(seen->names[0]), "%s/%c", mu->name,
		 side == MMAMP_MU_SIDE_A ? 'A' : 'B');
	seen->n++;
	return 0;
}

static void enumerations(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	static const char *const m4_view[] = { "m4-tcml", "m4-tcmu", "m4-ddr", "vdev0vring0",
					       "vdev0vring1", "vdev1vring0", "vdev1vring1",
					       "rsc-table", "vdevbuffer" };
	static const unsigned m4_perm[] = { 7, 6, 7, 6, 6, 6, 6, 6, 6 };
	struct seen seen;
	size_t i;

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mmamp_scu_partition_regions(s, M4, b->core, collect_region, &seen), 0);
	assert_int_equal(seen.n, 9);
	for (i = 0; i < 9; i++) {
		assert_string_equal(seen.names[i], m4_view[i]);
		assert_int_equal(seen.perms[i], m4_perm[i]);
	}

	/* A revoked grant disappears from what the core maps. */
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, mmamp_platform_region(&b->p,
			 "vdev1vring1"), M4, MMAMP_PERM_NONE, NULL), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mmamp_scu_partition_regions(s, M4, NULL, collect_region, &seen), 0);
	assert_int_equal(seen.n, 8);
	for (i = 0; i < seen.n; i++)
		assert_string_not_equal(seen.names[i], "vdev1vring1");
	assert_int_equal(mmamp_scu_set_memreg_permissions(s, APU, mmamp_platform_region(&b->p,
			 "vdev1vring1"), M4, MMAMP_PERM_RW, NULL), 0);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mmamp_scu_partition_regions(s, APU, NULL, collect_region, &seen), 0);
	assert_int_equal(seen.n, 9);
	for (i = 0; i < 9; i++)
		assert_int_equal(seen.perms[i], MMAMP_PERM_RW);

	/* The callback stops the walk. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	assert_int_equal(mmamp_scu_partition_regions(s, APU, NULL, collect_region, &seen), 42);
	assert_int_equal(seen.n, 2);
	assert_int_equal(mmamp_scu_partition_regions(s, 77, NULL, collect_region, &seen),
			 -MMAMP_EINVAL);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mmamp_scu_partition_mus(s, M4, collect_mu, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.names[0], "lsio-mu5/B");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mmamp_scu_partition_mus(s, APU, collect_mu, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.names[0], "lsio-mu5/A");
}

/* Two M4s in sibling partitions: neither may touch the other's memory or core. */
static void qm_partitions_are_isolated(void **state)
{
	struct board *b = *state;
	const struct mmamp_scu *s = &b->s;
	const struct mmamp_core *c0 = mmamp_platform_core(&b->p, "m4_0");
	const struct mmamp_core *c1 = mmamp_platform_core(&b->p, "m4_1");

	/* m4_0 writes a region that is the APU's and granted to m4_1 only. */
	ASSERT_DENIED(mmamp_scu_check_mem(s, QM_M4_0, NULL, 0x90100000, 0x40, MMAMP_PERM_W, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4_0\" may not write 0x90100000+0x40: region "
		      "\"m4_1-vdev0vring0\" grants m4_0 no access");
	ASSERT_DENIED(mmamp_scu_check_mem(s, QM_M4_1, NULL, 0x34FE0000, 4, MMAMP_PERM_R, WHY),
		      -MMAMP_EACCES,
		      "scu: partition \"m4_1\" may not read 0x34fe0000+0x4: region \"m4_0-tcml\" "
		      "grants m4_1 no access");
	assert_int_equal(mmamp_scu_check_mem(s, QM_M4_1, c1, 0x1FFE0000, 4, MMAMP_PERM_X, NULL), 0);

	ASSERT_DENIED(mmamp_scu_cpu_start(s, QM_M4_1, c0, c0->boot_addr, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4_1\" may not start core \"m4_0\" (resource 278): it is "
		      "owned by partition \"m4_0\", whose parent is \"apu\"");
	ASSERT_DENIED(mmamp_scu_cpu_stop(s, QM_M4_0, c1, WHY), -MMAMP_EACCES,
		      "scu: partition \"m4_0\" may not stop core \"m4_1\" (resource 298): it is "
		      "owned by partition \"m4_1\", whose parent is \"apu\"");
	assert_int_equal(mmamp_scu_power_state(s, c0), MMAMP_SCU_POWER_OFF);
	assert_int_equal(mmamp_scu_cpu_start(s, APU, c0, c0->boot_addr, NULL), 0);
	assert_int_equal(mmamp_scu_cpu_start(s, APU, c1, c1->boot_addr, NULL), 0);
	assert_int_equal(mmamp_scu_power_state(s, c1), MMAMP_SCU_POWER_ON);
	assert_int_equal(mmamp_scu_cpu_stop(s, QM_M4_1, c1, NULL), 0);
	assert_int_equal(mmamp_scu_power_state(s, c0), MMAMP_SCU_POWER_ON);
	assert_int_equal(mmamp_scu_cpu_stop(s, APU, c0, NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(memory_matrix, setup_qxp, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments_are_refused, setup_qxp, teardown),
		cmocka_unit_test_setup_teardown(core_start_stop, setup_qxp, teardown),
		cmocka_unit_test_setup_teardown(runtime_changes, setup_qxp, teardown),
		cmocka_unit_test_setup_teardown(enumerations, setup_qxp, teardown),
		cmocka_unit_test_setup_teardown(qm_partitions_are_isolated, setup_qm, teardown),
	};

	if (argc > 1)
		platform_dir = argv[1];
	return cmocka_run_group_tests_name("scu", tests, NULL, NULL);
}
