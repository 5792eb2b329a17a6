/* SPDX-License-Identifier: BSD-3-Clause */
/* backend_qemu.c — the "qemu" backend (backend.h): placeholder until the machine module lands. */
#include "backend.h"

#include <errno.h>
#include <stdio.h>

#include "rproc_internal.h"

static int qemu_create(struct mmamp_rproc *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "core %s: the qemu backend is not available yet", r->core->name);
	return -ENOSYS;
}

const struct rproc_backend_ops rproc_backend_qemu = {
	.name = "qemu",
	.elf_machine = 40,
	.create = qemu_create,
};
