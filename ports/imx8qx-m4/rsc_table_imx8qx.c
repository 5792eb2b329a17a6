/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rsc_table_imx8qx.c — the board firmware's resource table: the runtime's one RPMsg vdev
 * (src/remote/rsc_table_rpmsg.c has the same shape with vrings ANY), here with its vrings at the
 * addresses of the i.MX8QXP device trees' vdev0vring0/1 carveouts (0x90000000, 0x90008000), as
 * NXP's firmware declares them: mainline imx_rproc accepts a fixed address that matches its
 * carveout, an attaching kernel reads it, and a BSP kernel without carveouts uses it as given.
 *
 * In .resource_table right after the vector table in TCML (firmware.ld). Linux copies it to the
 * rsc-table region (0x900FF000) before it starts the core, and the firmware follows that live
 * copy (fw_echo.c); after U-Boot's bootaux the firmware installs it there itself.
 */
#include "imx8qx.h"
#include "mmamp/remote/runtime.h"

__attribute__((section(".resource_table"), used, aligned(8)))
struct mmamp_rsc_table_rpmsg mmamp_fw_rsc_table =
	MMAMP_RSC_TABLE_RPMSG_INIT(IMX8QX_VDEV0_VRING0, IMX8QX_VDEV0_VRING1, MMAMP_FW_VRING_ALIGN,
				   MMAMP_FW_VRING_NUM, 1u << MMAMP_VIRTIO_RPMSG_F_NS);
