/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rsc_table_rpmsg.c — the firmware's resource table: one RPMsg vdev (virtio id 7), two vrings of
 * 256 descriptors aligned to 0x1000 at addresses the host picks (ANY; i.MX Linux takes them
 * from the vdev0vring0/1 carveouts, 0x90000000 and 0x90008000), offering name service.
 *
 * In .resource_table, which firmware.ld KEEPs in the data TCM; "used" keeps the compiler from
 * dropping it. Not const: it is a table the host writes into (status, gfeatures, vring da and
 * notifyid) — although on i.MX the host writes into the live copy at 0x900FF000 and the
 * firmware must follow that one (docs/imx8x-board.md, pitfall 1), not this linked copy.
 */
#include "mmamp/remote/runtime.h"

__attribute__((section(".resource_table"), used, aligned(8)))
struct mmamp_rsc_table_rpmsg mmamp_fw_rsc_table =
	MMAMP_RSC_TABLE_RPMSG_INIT(MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_VRING_ALIGN,
				   MMAMP_FW_VRING_NUM, 1u << MMAMP_VIRTIO_RPMSG_F_NS);
