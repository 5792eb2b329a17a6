/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/shm.h — a window of shared memory and the translation between the peer's addresses
 * ("device addresses", what goes into descriptors and tables) and our own pointers.
 *
 * Every address the peer hands us goes through mmamp_shm_translate(), which refuses anything
 * that does not lie entirely inside the window. That one check is what guarantees that a hostile
 * peer can never make us read or write outside the memory we were given.
 */
#ifndef MMAMP_SHM_H
#define MMAMP_SHM_H

#include <stddef.h>
#include <stdint.h>
#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

/**
 * struct mmamp_shm - a contiguous shared region.
 * @base: where the region is mapped in this address space.
 * @da:   the address of its first byte as both cores write it into rings and tables
 *        (identical for A35 and M4 in i.MX8X DDR; in the simulation, an agreed bus address).
 * @size: its length in bytes.
 */
struct mmamp_shm {
	void *base;
	uint64_t da;
	uint64_t size;
};

/**
 * mmamp_shm_translate() - local pointer for [@da, @da + @len), or NULL if any byte of it lies
 * outside @shm (overflow-safe; @len 0 is treated as 1 so that the address itself must be inside).
 */
static inline void *mmamp_shm_translate(const struct mmamp_shm *shm, uint64_t da, uint64_t len)
{
	uint64_t off;

	if (len == 0)
		len = 1;
	if (da < shm->da)
		return NULL;
	off = da - shm->da;
	if (off >= shm->size || len > shm->size - off)
		return NULL;
	return (uint8_t *)shm->base + (uintptr_t)off;
}

/** mmamp_shm_da_of() - device address of local pointer @p, which must lie inside @shm. */
static inline uint64_t mmamp_shm_da_of(const struct mmamp_shm *shm, const void *p)
{
	return shm->da + (uint64_t)((const uint8_t *)p - (const uint8_t *)shm->base);
}

/** mmamp_shm_contains() - whether [@p, @p + @len) lies inside @shm. */
static inline int mmamp_shm_contains(const struct mmamp_shm *shm, const void *p, uint64_t len)
{
	uintptr_t b = (uintptr_t)shm->base, q = (uintptr_t)p;

	return q >= b && (uint64_t)(q - b) <= shm->size && len <= shm->size - (uint64_t)(q - b);
}

MMAMP_END_DECLS

#endif /* MMAMP_SHM_H */
