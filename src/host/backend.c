/* SPDX-License-Identifier: BSD-3-Clause */
/* backend.c — the table of built-in backends (backend.h), looked up by the platform's name. */
#include "backend.h"

#include <stddef.h>
#include <string.h>

const struct rproc_backend_ops *rproc_backend_find(const char *name)
{
	static const struct rproc_backend_ops *const all[] = { &rproc_backend_sim,
							       &rproc_backend_qemu };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
