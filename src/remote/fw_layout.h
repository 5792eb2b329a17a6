/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_layout.h — where the echo and measurement firmware (fw_echo.c, fw_echo_lean.c,
 * fw_measure.c) find the shared window and the live resource table, unless its port header
 * (included first) says otherwise.
 */
#ifndef MMAMP_FW_LAYOUT_H
#define MMAMP_FW_LAYOUT_H

/*
 * The shared window every ring and buffer the host hands us must lie in: vrings at 0x90000000,
 * the live resource table at 0x900FF000 and the buffer pool at 0x90400000 (docs/imx8x-board.md) for
 * mmampd, and — for the real Linux kernel (docs/linux-host.md) — the kernel's RPMsg buffers,
 * which virtio_rpmsg_bus takes from general RAM and describes by physical address: under
 * User-Mode Linux that is 0x00010000 up to the size of its RAM. So the window runs from
 * 0x00010000 to the end of the buffer pool, 0x904FFFFF. Most of it is not granted to the M4
 * (below the TCMs, between them and the MU, and the gaps 0x90020000..0x900FEFFF and
 * 0x90100000..0x903FFFFF): in the sim those ranges are unmapped, so a hostile descriptor
 * pointing there passes the window check but faults the core on first access — the host then
 * sees a crash (SIGSEGV at that address), never silent corruption of memory the M4 should not
 * reach. The window also covers the M4's own TCMs and DDR, which a host that writes our
 * firmware image anyway could overwrite in other ways. (On silicon the M4's MPU should be set
 * up the same way.)
 */
#ifndef FW_SHM_DA
#define FW_SHM_DA       0x00010000u
#define FW_SHM_SIZE     (0x90500000u - FW_SHM_DA)
#endif
#ifndef FW_RSC_TABLE_DA
#define FW_RSC_TABLE_DA 0x900FF000u
#endif
#define FW_RSC_TABLE_MAX 0x400u /* Linux maps 1 KiB of the live table (docs/imx8x-board.md) */

#endif /* MMAMP_FW_LAYOUT_H */
