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

_Static_assert(sizeof(struct mmamp_rsc_table) == 16, "resource table header is 16 bytes");
_Static_assert(sizeof(struct mmamp_fw_rsc_carveout) == 52, "carveout body is 52 bytes");
_Static_assert(sizeof(struct mmamp_fw_rsc_trace) == 44, "trace body is 44 bytes");
_Static_assert(sizeof(struct mmamp_fw_rsc_vdev_vring) == 20, "vdev vring is 20 bytes");
_Static_assert(sizeof(struct mmamp_fw_rsc_vdev) == 24, "vdev body header is 24 bytes");

/* ---- API: validation, iteration, building (src/core/rsc_table.c) ---- */

#endif /* MMAMP_RSC_TABLE_H */
