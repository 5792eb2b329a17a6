/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rsc_vdev_lookup.c — mmamp_rsc_table_rpmsg_vdev(): a remote's lean lookup of the vdev in the
 * live copy of its own one-vdev table (mmamp/rsc_table.h). A file of its own so that a firmware
 * which walks the table with rsc_table.c's validator links none of it, and one which uses this
 * links none of the validator. The live table is hostile input like any other: each word is
 * read once (MMAMP_SHM_READ) into a local, after the size check proved it lies inside @size.
 */
#include <stddef.h>

#include "mmamp/errno.h"
#include "mmamp/port.h" /* refuses big-endian builds: fields are read natively */
#include "mmamp/rsc_table.h"

#define WHERE_TABLE MMAMP_DIAG_S("live resource table")

/* A word that leads to the vdev is not what the firmware's own table has there. */
static int not_ours(struct mmamp_diag *d, const char *field, uint32_t value)
{
	return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX, field, value,
			      MMAMP_DIAG_S("is not that of the firmware's own table"));
}

int mmamp_rsc_table_rpmsg_vdev(void *table, size_t size, struct mmamp_fw_rsc_vdev **vdev,
			       struct mmamp_diag *d)
{
	struct mmamp_rsc_table_rpmsg *t = table; /* 4-byte aligned: checked first */
	uint32_t v;

	if (!table || ((uintptr_t)table & 3u) || !vdev)
		return mmamp_diag_set(d, MMAMP_EINVAL, MMAMP_DIAG_S("argument"), MMAMP_DIAG_NO_INDEX,
				      MMAMP_DIAG_S("table/vdev"), (uintptr_t)table,
				      MMAMP_DIAG_S("is NULL or not 4-byte aligned"));
	if (size < sizeof(struct mmamp_rsc_table_rpmsg))
		return mmamp_diag_set(d, MMAMP_ENOEXEC, WHERE_TABLE, MMAMP_DIAG_NO_INDEX,
				      MMAMP_DIAG_S("size"), size,
				      MMAMP_DIAG_S("is smaller than a one-vdev RPMsg table"));
	/* the words that lead to the vdev, each read once; the rest of the header is not read */
	if ((v = MMAMP_SHM_READ(t->ver)) != 1u)
		return not_ours(d, MMAMP_DIAG_S("ver"), v);
	if ((v = MMAMP_SHM_READ(t->num)) == 0)
		return not_ours(d, MMAMP_DIAG_S("num"), v);
	if ((v = MMAMP_SHM_READ(t->offset[0])) != offsetof(struct mmamp_rsc_table_rpmsg, vdev_hdr))
		return not_ours(d, MMAMP_DIAG_S("offset[0]"), v);
	if ((v = MMAMP_SHM_READ(t->vdev_hdr.type)) != MMAMP_RSC_VDEV)
		return not_ours(d, MMAMP_DIAG_S("entry type"), v);
	if ((v = MMAMP_SHM_READ(t->vdev.id)) != MMAMP_VIRTIO_ID_RPMSG)
		return not_ours(d, MMAMP_DIAG_S("vdev id"), v);
	*vdev = (struct mmamp_fw_rsc_vdev *)(void *)&t->vdev;
	return 0;
}
