/*
 * fuzz_common.c — guarded memory for the fuzz targets (PROT_NONE pages on both sides of every
 * region, ASan poisoning of the slack) and the failure/diag helpers of fuzz_common.h.
 */
#define _DEFAULT_SOURCE
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif

#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, what);
	abort();
}

void guarded_init(struct guarded *g, size_t cap)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	cap = (cap + page - 1) & ~(page - 1);
	g->map_len = cap + 2 * page;
	g->map = mmap(NULL, g->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED) {
		perror("mmap");
		abort();
	}
	g->area = g->map + page;
	g->cap = cap;
	if (mprotect(g->area, cap, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		abort();
	}
}

uint8_t *guarded_place_end(struct guarded *g, size_t size, size_t align)
{
	uint8_t *end = g->area + g->cap, *base;

	if (size > g->cap)
		fuzz_fail(__FILE__, __LINE__, "region larger than its guarded mapping");
	base = (uint8_t *)((uintptr_t)(end - size) & ~(uintptr_t)(align - 1));
	if (base < g->area)
		fuzz_fail(__FILE__, __LINE__, "aligned region does not fit its guarded mapping");
	POISON(g->area, (size_t)(base - g->area));
	UNPOISON(base, (size_t)(end - base));
	/* ASan: the bytes between an unaligned end of @size and @end stay addressable only if
	 * @align left some; poison them so that byte-exact overruns are caught as well. */
	if (base + size < end)
		POISON(base + size, (size_t)(end - base - size));
	return base;
}

void fuzz_check_diag(const struct mmamp_diag *d)
{
	char buf[256];
	size_t n = mmamp_diag_format(d, buf, sizeof(buf));

	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(strlen(buf) == (n < sizeof(buf) ? n : sizeof(buf) - 1));
	/* a tiny buffer must still come back terminated */
	FUZZ_CHECK(mmamp_diag_format(d, buf, 3) == n && buf[2] == '\0');
}
