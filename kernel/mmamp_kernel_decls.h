/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmamp_kernel_decls.h - kernel functions kernel/mmamp_rproc.c uses that are exported to
 * modules but declared only in headers an out-of-tree module cannot include.
 */
#ifndef MMAMP_KERNEL_DECLS_H
#define MMAMP_KERNEL_DECLS_H

#include <linux/interrupt.h>
#include <linux/remoteproc.h>

/* drivers/remoteproc/remoteproc_internal.h */
irqreturn_t rproc_vq_interrupt(struct rproc *rproc, int vq_id);
int rproc_elf_sanity_check(struct rproc *rproc, const struct firmware *fw);
u64 rproc_elf_get_boot_addr(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_segments(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_rsc_table(struct rproc *rproc, const struct firmware *fw);

/* arch/um/kernel/um_arch.c: the size of UML's RAM, the head of its memory file */
extern long long physmem_size;

#endif /* MMAMP_KERNEL_DECLS_H */
