/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/rsc_table.h — the remoteproc resource table: its wire layout (identical to Linux
 * include/linux/remoteproc.h, see docs/protocol.md §1), validation of an untrusted table, iteration
 * over its entries, and a builder for firmware and tests.
 *
 *   +0   ver = 1 | num | reserved[2] = 0 | offset[num]      (struct mmamp_rsc_table)
 *   +off fw_rsc_hdr.type | body ...                            (one entry per offset)
 *
 * Everything here treats the table as hostile input: every offset and size is bounds-checked
 * against the table size before a byte of the entry is read, and a rejection says which entry,
 * which field and which value (struct mmamp_diag).
 */
#ifndef MMAMP_RSC_TABLE_H
#define MMAMP_RSC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/diag.h"
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#define MMAMP_RSC_TABLE_VERSION 1u
#define MMAMP_FW_RSC_ADDR_ANY   0xFFFFFFFFu
#define MMAMP_RSC_NAME_LEN      32u

/* Entry types (fw_rsc_hdr.type). */
#define MMAMP_RSC_CARVEOUT     0u
#define MMAMP_RSC_DEVMEM       1u
#define MMAMP_RSC_TRACE        2u
#define MMAMP_RSC_VDEV         3u
#define MMAMP_RSC_LAST         4u
#define MMAMP_RSC_VENDOR_START 128u
#define MMAMP_RSC_VENDOR_END   512u

/* Virtio device ids, status bits and feature bits used by remoteproc vdevs. */
#define MMAMP_VIRTIO_ID_RPMSG                7u
#define MMAMP_VIRTIO_STATUS_ACKNOWLEDGE      0x01u
#define MMAMP_VIRTIO_STATUS_DRIVER           0x02u
#define MMAMP_VIRTIO_STATUS_DRIVER_OK        0x04u
#define MMAMP_VIRTIO_STATUS_FEATURES_OK      0x08u
#define MMAMP_VIRTIO_STATUS_NEEDS_RESET      0x40u
#define MMAMP_VIRTIO_STATUS_FAILED           0x80u
#define MMAMP_VIRTIO_RPMSG_F_NS              0u   /* bit number */
#define MMAMP_VIRTIO_RING_F_INDIRECT_DESC    28u  /* bit number */
#define MMAMP_VIRTIO_RING_F_EVENT_IDX        29u  /* bit number */

/**
 * MMAMP_RSC_TABLE_LINUX_MAX - the bytes of the rsc-table region Linux's imx_rproc reads when it
 * attaches to a running core (it maps the first 1 KiB, docs/imx8x-board.md): a resource table
 * meant for it is no larger, and a firmware looking at its live table looks no further.
 */
#define MMAMP_RSC_TABLE_LINUX_MAX 0x400u

/**
 * MMAMP_HEARTBEAT_OFFSET - mmamp convention: in the region that holds the live resource table
 * (i.MX `rsc-table`, 4 KiB, of which Linux uses the first 1 KiB), the u32 at this offset is the
 * remote's heartbeat: the remote runtime increments it every main-loop turn, and the host's
 * watchdog declares the core crashed when it stops moving. Linux ignores it.
 */
#define MMAMP_HEARTBEAT_OFFSET 0xFF0u

/**
 * MMAMP_LINK_EPOCH_OFFSET - mmamp convention, next to the heartbeat: the u32 at this offset is
 * the remote's link epoch, counted up on every link change it acts on — odd while it considers
 * the link up (it holds ring state), even while down. A host that sets up the vdev of a core
 * that was running before it came (attach) first makes the epoch even — status 0, a doorbell,
 * wait — so that a fast 7 → 0 → 7 cannot pass between two of the remote's looks and leave it
 * with stale ring state. Linux ignores it.
 */
#define MMAMP_LINK_EPOCH_OFFSET 0xFF4u

/** Linux supports at most two vrings per vdev (remoteproc_virtio.c). */
#define MMAMP_RSC_VDEV_MAX_VRINGS 2u
/** Largest virtqueue size virtio allows. */
#define MMAMP_VRING_MAX_NUM 32768u

/**
 * struct mmamp_rsc_table - table header; @offset[@num] follows.
 * @ver: must be MMAMP_RSC_TABLE_VERSION.  @num: entry count.  @reserved: must be zero.
 */
struct mmamp_rsc_table {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[];
};

/** struct mmamp_fw_rsc_hdr - every entry starts with its type; the body follows at +4. */
struct mmamp_fw_rsc_hdr {
	uint32_t type;
};

/**
 * struct mmamp_fw_rsc_carveout - RSC_CARVEOUT body (52 bytes): memory the host allocates or
 * reserves for the remote; the host writes back @da, @pa and @len. RSC_DEVMEM has the same
 * layout (struct mmamp_fw_rsc_devmem).
 */
struct mmamp_fw_rsc_carveout {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	char name[MMAMP_RSC_NAME_LEN];
};
#define mmamp_fw_rsc_devmem mmamp_fw_rsc_carveout

/** struct mmamp_fw_rsc_trace - RSC_TRACE body (44 bytes): a log buffer the host can read. */
struct mmamp_fw_rsc_trace {
	uint32_t da;
	uint32_t len;
	uint32_t reserved;
	char name[MMAMP_RSC_NAME_LEN];
};

/**
 * struct mmamp_fw_rsc_vdev_vring - one vring of a vdev (20 bytes). @da is written by the host
 * when the driver sets the queue up (may be ANY in the firmware), @notifyid is *assigned* by the
 * host (0, 1, … across the rproc), @pa is unused by Linux.
 */
struct mmamp_fw_rsc_vdev_vring {
	uint32_t da;
	uint32_t align;
	uint32_t num;
	uint32_t notifyid;
	uint32_t pa;
};

/**
 * struct mmamp_fw_rsc_vdev - RSC_VDEV body (24 bytes + vrings + config space).
 * Written by the firmware: @id, @notifyid, @dfeatures, @config_len, @num_of_vrings, vring
 * align/num. Written by the host: @gfeatures, @status, vring da/notifyid.
 */
struct mmamp_fw_rsc_vdev {
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct mmamp_fw_rsc_vdev_vring vring[];
};

MMAMP_STATIC_ASSERT(sizeof(struct mmamp_rsc_table) == 16, "resource table header is 16 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_fw_rsc_carveout) == 52, "carveout body is 52 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_fw_rsc_trace) == 44, "trace body is 44 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_fw_rsc_vdev_vring) == 20, "vdev vring is 20 bytes");
MMAMP_STATIC_ASSERT(sizeof(struct mmamp_fw_rsc_vdev) == 24, "vdev body header is 24 bytes");

/* ---- API: validation, iteration, building (src/core/rsc_table.c) ---- */

/* Body sizes (bytes after the 4-byte type) the validator requires per entry type. */
#define MMAMP_RSC_HDR_SIZE        4u
#define MMAMP_RSC_CARVEOUT_SIZE   52u
#define MMAMP_RSC_DEVMEM_SIZE     52u
#define MMAMP_RSC_TRACE_SIZE      44u
#define MMAMP_RSC_VDEV_SIZE       24u
#define MMAMP_RSC_VRING_SIZE      20u
/** Smallest vring alignment accepted: the used ring holds u32 elements (stricter than Linux). */
#define MMAMP_VRING_MIN_ALIGN     4u

/**
 * mmamp_rsc_table_validate() - check an untrusted resource table as Linux would, and more.
 * @table: the table bytes (any alignment: fields are read with memcpy, each exactly once).
 * @size:  bytes available at @table (the section size, or the live table's size).
 * @d:     filled on rejection (may be NULL).
 *
 * Header: @size >= 16, ver == 1, reserved[0..1] == 0, 16 + 4 * num <= @size (overflow-safe).
 * Each entry, in offset[] order, is bounds-checked before it is read: its offset must lie at or
 * after the end of the offset array, be a multiple of 4, and leave room for the 4-byte type.
 * Bodies: carveout and devmem need 52 bytes, trace 44, each with reserved == 0. A vdev needs
 * 24 + 20 * num_of_vrings + config_len bytes (overflow-safe), num_of_vrings <= 2, reserved[] == 0,
 * each vring num a non-zero power of two <= 32768 and each align a power of two >= 4.
 * align >= 4 is stricter than Linux (which only rejects 0): a smaller alignment would put the
 * used ring's u32 elements at misaligned addresses.
 * Types 4..127 and above 512 are accepted without a body check, because Linux skips them
 * ("unsupported resource"); vendor types 128..512 are accepted likewise (their layout is the
 * platform driver's business).
 *
 * Not checked (Linux does not either): entries overlapping each other, or two offsets naming the
 * same entry. Names need not be NUL-terminated; use mmamp_rsc_name_len() to read one.
 *
 * A live table in shared memory can change after it was validated: callers must treat what they
 * read afterwards as untrusted again, or work on a snapshot.
 *
 * Return: 0, -MMAMP_ENOEXEC for a malformed table, -MMAMP_EINVAL for a NULL @table.
 */
int mmamp_rsc_table_validate(const void *table, size_t size, struct mmamp_diag *d);

/**
 * struct mmamp_rsc_entry - one entry, as found by the iterators below.
 * @type:   fw_rsc_hdr.type.
 * @offset: offset of the entry (its type word) from the start of the table.
 * @avail:  bytes after the type word up to the end of the table (>= the body size of @type).
 * @index:  position in offset[].
 * @body:   the body, at @offset + 4 (one past the end of the table when @avail is 0).
 */
struct mmamp_rsc_entry {
	uint32_t type;
	uint32_t offset;
	uint32_t avail;
	unsigned index;
	void *body;
};

/**
 * mmamp_rsc_table_entry() - fetch entry @index, checking the header and that one entry (with the
 * same rules as mmamp_rsc_table_validate()), so it is safe on an unvalidated table.
 * @table: the table; must be 4-byte aligned because typed body pointers are handed out.
 *
 * Return: 0, -MMAMP_ENOENT if @index >= num, -MMAMP_ENOEXEC for a malformed header or entry,
 * -MMAMP_EINVAL for a NULL or misaligned @table or a NULL @e.
 */
int mmamp_rsc_table_entry(void *table, size_t size, unsigned index, struct mmamp_rsc_entry *e,
			  struct mmamp_diag *d);

/** mmamp_rsc_entry_fn - visitor for mmamp_rsc_table_for_each(); non-zero stops the walk. */
typedef int (*mmamp_rsc_entry_fn)(const struct mmamp_rsc_entry *e, void *ctx);

/**
 * mmamp_rsc_table_for_each() - call @fn for each entry in offset[] order.
 *
 * Each entry is checked when reached, so on an unvalidated table @fn may already have seen the
 * entries before a malformed one when -MMAMP_ENOEXEC comes back.
 *
 * Return: 0 after the last entry, the first non-zero value @fn returned, or as
 * mmamp_rsc_table_entry() (-MMAMP_EINVAL also for a NULL @fn).
 */
int mmamp_rsc_table_for_each(void *table, size_t size, mmamp_rsc_entry_fn fn, void *ctx,
			     struct mmamp_diag *d);

/**
 * mmamp_rsc_table_find_vdev() - the @nth (from 0) RSC_VDEV entry, i.e. remoteproc's vdev @nth.
 * Entries up to that vdev are checked as by mmamp_rsc_table_for_each().
 *
 * Return: 0 and *@vdev set, -MMAMP_ENOENT if the table has no more than @nth vdevs (the diag
 * limit says how many it has), or as mmamp_rsc_table_for_each().
 */
int mmamp_rsc_table_find_vdev(void *table, size_t size, unsigned nth,
			      struct mmamp_fw_rsc_vdev **vdev, struct mmamp_diag *d);

/**
 * mmamp_rsc_table_rpmsg_vdev() - the vdev of a live copy of a firmware's own one-vdev table
 * (struct mmamp_rsc_table_rpmsg, below): for a remote that reads nothing of the table but that
 * vdev, instead of mmamp_rsc_table_find_vdev()'s walk of every entry. Checks what leads to the
 * vdev and nothing else: @table 4-byte aligned, @size >= 88, ver 1, num >= 1, offset[0] = 0x14
 * (our layout), the entry's type RSC_VDEV and its id RPMsg (7). The vdev's own fields stay
 * unchecked here — the RPMsg remote role checks each one it reads where it reads it
 * (mmamp_rpmsg_poll(): status, features, num_of_vrings, and per vring num, align, da; docs/config.md).
 *
 * Return: 0 and *@vdev set (= @table + 0x18), -MMAMP_ENOEXEC if the live table is not laid out
 * as ours, -MMAMP_EINVAL for a NULL or misaligned @table or a NULL @vdev; @d says which field.
 */
int mmamp_rsc_table_rpmsg_vdev(void *table, size_t size, struct mmamp_fw_rsc_vdev **vdev,
			       struct mmamp_diag *d);

/**
 * mmamp_rsc_name_len() - length of the name at @name, reading at most MMAMP_RSC_NAME_LEN bytes:
 * a table name that fills all 32 bytes has no terminating NUL. Print it with "%.*s".
 */
size_t mmamp_rsc_name_len(const char *name);

/**
 * struct mmamp_rsc_builder - builds a table in a caller buffer (tests, host tools).
 * @buf:         the buffer (any alignment; written with memcpy).
 * @cap:         its size, clamped to INT32_MAX so that every offset fits the int return value.
 * @used:        end of the last entry.
 * @max_entries: slots in the offset array, reserved by mmamp_rsc_builder_init().
 * @num:         entries added so far.
 * @err:         first error (0 or negative); sticky, returned by every later call.
 *
 * The builder only produces tables that mmamp_rsc_table_validate() accepts: arguments it would
 * reject fail with -MMAMP_EINVAL. Entries start 4-byte aligned (zero padding after a vdev with an
 * odd config_len); unused offset slots stay zero. Treat the fields as private.
 */
struct mmamp_rsc_builder {
	uint8_t *buf;
	uint32_t cap;
	uint32_t used;
	uint32_t max_entries;
	uint32_t num;
	int err;
};

/**
 * mmamp_rsc_builder_init() - start an empty table (ver 1, num 0) with room for @max_entries
 * offsets. Return: 0, -MMAMP_ENOSPC if the header and offset array exceed @cap, -MMAMP_EINVAL.
 */
int mmamp_rsc_builder_init(struct mmamp_rsc_builder *b, void *buf, size_t cap,
			   unsigned max_entries);

/**
 * mmamp_rsc_add_carveout() - append an RSC_CARVEOUT entry. @name is a C string of at most 31
 * characters (so it stays NUL-terminated for Linux's strcmp), or NULL for an empty name.
 * Return: the entry's offset, or -MMAMP_ENOSPC (buffer or offset slots exhausted) /
 * -MMAMP_EINVAL (name too long) / the builder's earlier error.
 */
int mmamp_rsc_add_carveout(struct mmamp_rsc_builder *b, uint32_t da, uint32_t pa, uint32_t len,
			   uint32_t flags, const char *name);

/** mmamp_rsc_add_devmem() - append an RSC_DEVMEM entry; as mmamp_rsc_add_carveout(). */
int mmamp_rsc_add_devmem(struct mmamp_rsc_builder *b, uint32_t da, uint32_t pa, uint32_t len,
			 uint32_t flags, const char *name);

/** mmamp_rsc_add_trace() - append an RSC_TRACE entry; as mmamp_rsc_add_carveout(). */
int mmamp_rsc_add_trace(struct mmamp_rsc_builder *b, uint32_t da, uint32_t len, const char *name);

/**
 * mmamp_rsc_add_vdev() - append an RSC_VDEV entry with @nvrings (<= 2) vrings copied from
 * @vrings (da, align, num, notifyid, pa as given) and @config_len zero bytes of config space.
 * id, dfeatures as given; notifyid, gfeatures, status and reserved are 0.
 * Return: the entry's offset (the config space starts at offset + 28 + 20 * @nvrings), or
 * -MMAMP_EINVAL for a vring validate would reject, or as mmamp_rsc_add_carveout().
 */
int mmamp_rsc_add_vdev(struct mmamp_rsc_builder *b, uint32_t id, uint32_t dfeatures,
		       uint32_t config_len, unsigned nvrings,
		       const struct mmamp_fw_rsc_vdev_vring *vrings);

/**
 * mmamp_rsc_add_raw() - append an entry of a type without a standard body (vendor 128..512, or
 * an "unsupported" type Linux skips) with @len bytes of @body.
 * Return: the entry's offset, -MMAMP_EINVAL for types 0..3 (use their own adders) or a NULL
 * @body with @len > 0, or as mmamp_rsc_add_carveout().
 */
int mmamp_rsc_add_raw(struct mmamp_rsc_builder *b, uint32_t type, const void *body,
		      uint32_t len);

/**
 * mmamp_rsc_builder_finish() - the table's size in *@size (end of the last entry).
 * Return: 0, or the first error any builder call met (then *@size is untouched).
 */
int mmamp_rsc_builder_finish(struct mmamp_rsc_builder *b, size_t *size);

/*
 * ---- A resource table for firmware, as one static initializer ----
 *
 * The table must be a statically initialized object in the .resource_table section, and a
 * struct with a flexible array member cannot be nested, so this spells out the most common
 * table — one RPMsg vdev with two vrings, no config space — as a plain struct:
 *
 *   0x00 ver num reserved[2]   0x10 offset[0] = 0x14   0x14 type = RSC_VDEV
 *   0x18 vdev body (24 bytes)  0x30 vring[0]           0x44 vring[1]          0x58 end
 *
 * Use it as
 *   __attribute__((section(".resource_table"), used))
 *   struct mmamp_rsc_table_rpmsg rsc_table =
 *           MMAMP_RSC_TABLE_RPMSG_INIT(MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_RSC_ADDR_ANY, 16, 256,
 *                                      1u << MMAMP_VIRTIO_RPMSG_F_NS);
 * and do not make it const: the host writes into the loaded copy.
 *
 * Written by the host: vdev.gfeatures (negotiated features), vdev.status (virtio status byte,
 * 0 on reset), vring[j].notifyid (assigned from 0 across the rproc, so vdev 0 gets 0 and 1; the
 * initializer puts those values in as placeholders) and vring[j].da (when the Linux virtio driver
 * sets the queues up, i.e. after the core was started). Everything else is the firmware's.
 */

/** struct mmamp_fw_rsc_vdev2 - a vdev body with exactly two vrings and no config space. */
struct mmamp_fw_rsc_vdev2 {
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct mmamp_fw_rsc_vdev_vring vring[2];
};

/**
 * struct mmamp_rsc_table_rpmsg - a complete one-vdev RPMsg resource table (88 bytes).
 * @ver, @num, @reserved, @offset: the header, with one offset (= 0x14).
 * @vdev_hdr: the entry's type word (RSC_VDEV).
 * @vdev: the vdev body; (struct mmamp_fw_rsc_vdev *)&t->vdev, or mmamp_rsc_table_find_vdev(),
 *        gives the generic view.
 */
struct mmamp_rsc_table_rpmsg {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[1];
	struct mmamp_fw_rsc_hdr vdev_hdr;
	struct mmamp_fw_rsc_vdev2 vdev;
};

MMAMP_STATIC_ASSERT(offsetof(struct mmamp_fw_rsc_vdev2, config_len) ==
	       offsetof(struct mmamp_fw_rsc_vdev, config_len) &&
	       offsetof(struct mmamp_fw_rsc_vdev2, status) == offsetof(struct mmamp_fw_rsc_vdev, status) &&
	       offsetof(struct mmamp_fw_rsc_vdev2, num_of_vrings) ==
	       offsetof(struct mmamp_fw_rsc_vdev, num_of_vrings) &&
	       offsetof(struct mmamp_fw_rsc_vdev2, vring) == offsetof(struct mmamp_fw_rsc_vdev, vring),
	       "mmamp_fw_rsc_vdev2 must lay out like mmamp_fw_rsc_vdev");
MMAMP_STATIC_ASSERT(offsetof(struct mmamp_rsc_table_rpmsg, offset) == 0x10 &&
	       offsetof(struct mmamp_rsc_table_rpmsg, vdev_hdr) == 0x14 &&
	       offsetof(struct mmamp_rsc_table_rpmsg, vdev) == 0x18 &&
	       offsetof(struct mmamp_rsc_table_rpmsg, vdev.vring[0]) == 0x30 &&
	       offsetof(struct mmamp_rsc_table_rpmsg, vdev.vring[1]) == 0x44 &&
	       sizeof(struct mmamp_rsc_table_rpmsg) == 0x58,
	       "one-vdev RPMsg table: vdev entry at 0x14, vrings at 0x30 and 0x44, 88 bytes");

/**
 * MMAMP_RSC_TABLE_RPMSG_INIT() - initializer for struct mmamp_rsc_table_rpmsg.
 * @vring0_da: device address of vring 0 (the remote's TX ring), or MMAMP_FW_RSC_ADDR_ANY.
 * @vring1_da: device address of vring 1 (the remote's RX ring), or MMAMP_FW_RSC_ADDR_ANY.
 * @vr_align:  vring alignment (power of two >= 4; must equal the peer's: NXP/RPMsg-Lite use 0x1000, OpenAMP/Zephyr 16).
 * @vr_num:    descriptors per vring (power of two <= 32768).
 * @dev_features: device feature bits, e.g. 1u << MMAMP_VIRTIO_RPMSG_F_NS.
 * (The parameters are not named align/num/dfeatures: they would replace the designators.)
 * virtio id 7 (RPMsg), status 0, gfeatures 0, vring notifyids 0 and 1, and vdev notifyid
 * MMAMP_RSC_VDEV_NOTIFYID (2): distinct from the vrings' because OpenAMP's master takes a doorbell
 * carrying the vdev's id for a vdev notification and never services the vring (NXP's tables put
 * 0 there, which only works with Linux, which ignores the field). docs/interop.md.
 */
#define MMAMP_RSC_VDEV_NOTIFYID 2u
#define MMAMP_RSC_TABLE_RPMSG_INIT(vring0_da, vring1_da, vr_align, vr_num, dev_features)	\
	{										\
		.ver = MMAMP_RSC_TABLE_VERSION,						\
		.num = 1,								\
		.reserved = { 0, 0 },							\
		.offset = { offsetof(struct mmamp_rsc_table_rpmsg, vdev_hdr) },		\
		.vdev_hdr = { .type = MMAMP_RSC_VDEV },					\
		.vdev = {								\
			.id = MMAMP_VIRTIO_ID_RPMSG,					\
			.notifyid = MMAMP_RSC_VDEV_NOTIFYID,				\
			.dfeatures = (dev_features),				\
			.gfeatures = 0,							\
			.config_len = 0,						\
			.status = 0,							\
			.num_of_vrings = 2,						\
			.reserved = { 0, 0 },						\
			.vring = {							\
				{ .da = (vring0_da), .align = (vr_align), .num = (vr_num),	\
				  .notifyid = 0, .pa = 0 },				\
				{ .da = (vring1_da), .align = (vr_align), .num = (vr_num),	\
				  .notifyid = 1, .pa = 0 },				\
			},								\
		},									\
	}

MMAMP_END_DECLS

#endif /* MMAMP_RSC_TABLE_H */
