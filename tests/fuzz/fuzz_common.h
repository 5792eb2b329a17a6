/*
 * fuzz_common.h — shared by the fuzz targets: a byte-stream reader over the fuzz input, a
 * property check that aborts (a libFuzzer "crash" and a failing replay), and guarded memory:
 * a region placed right against a PROT_NONE page, with PROT_NONE below it as well, so that any
 * access that leaves the region faults (SIGSEGV) instead of landing in some other valid mapping.
 * Under ASan the slack between the leading guard page and the region is poisoned too, so a
 * byte-exact underflow is caught as well.
 */
#ifndef MMAMP_FUZZ_COMMON_H
#define MMAMP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmamp/diag.h"
#include "mmamp/virtio_ring.h"

/* The entry point every target defines (libFuzzer's, also called by replay_main.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated property: print where and abort, which libFuzzer and ctest both report. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond))                                                               \
			fuzz_fail(__FILE__, __LINE__, #cond);                              \
	} while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* ---- input reader: reads past the end yield zeros, so every input is a complete script ---- */

struct fin {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fin *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint16_t fin_u16(struct fin *in)
{
	uint16_t lo = fin_u8(in);

	return (uint16_t)(lo | (uint16_t)fin_u8(in) << 8);
}

static inline uint32_t fin_u32(struct fin *in)
{
	uint32_t lo = fin_u16(in);

	return lo | (uint32_t)fin_u16(in) << 16;
}

static inline uint64_t fin_u64(struct fin *in)
{
	uint64_t lo = fin_u32(in);

	return lo | (uint64_t)fin_u32(in) << 32;
}

/* Copy up to @n bytes of input to @dst; the rest of @dst[0..n) is zero-filled. */
static inline void fin_bytes(struct fin *in, void *dst, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

/*
 * A hostile driver scribbles on an avail ring, chosen by @c (bits 1..): publishes @v as its
 * index (and remembers it in *@shadow, the fuzzer's own idea of the index), or writes @v as
 * its flags, or into entry @slot (a ring entry or the used_event slot behind them).
 */
static inline void fuzz_avail_scribble(struct mmamp_vring_avail *a, uint16_t *shadow, uint8_t c,
				       uint16_t v, uint32_t slot)
{
	switch ((c >> 1) % 3u) {
	case 0:
		*shadow = v;
		__atomic_store_n(&a->idx, v, __ATOMIC_RELEASE);
		break;
	case 1: a->flags = v; break;
	default: a->ring[slot] = v; break;
	}
}

/* ---- guarded memory ---- */

/**
 * struct guarded - one mapping: a PROT_NONE page, @cap usable bytes, a PROT_NONE page.
 * @map, @map_len: the whole mapping.   @area: the first usable byte.   @cap: usable bytes.
 */
struct guarded {
	uint8_t *map;
	size_t map_len;
	uint8_t *area;
	size_t cap;
};

/* Map @g with at least @cap usable bytes (a multiple of the page size). Aborts on failure. */
void guarded_init(struct guarded *g, size_t cap);

/*
 * A region of @size bytes (≤ cap) whose end touches the trailing guard page; its start is
 * rounded down to @align (a power of two), and the bytes below it are poisoned under ASan.
 */
uint8_t *guarded_place_end(struct guarded *g, size_t size, size_t align);

/* Render @d through mmamp_diag_format() and check the result is sane (terminated, length). */
void fuzz_check_diag(const struct mmamp_diag *d);

#endif /* MMAMP_FUZZ_COMMON_H */
