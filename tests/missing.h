/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * missing.h — what a test does when a piece it needs is not on this machine (qemu-system-arm,
 * FUSE, the cross compiler): a skipped suite is not a pass, so it FAILS, naming the piece and
 * where it comes from, unless the user asked to skip it: MMAMP_ALLOW_SKIP=<piece>[,<piece>…]
 * (or "all"), then it exits 77, which CTest shows as skipped.
 */
#ifndef MMAMP_TESTS_MISSING_H
#define MMAMP_TESTS_MISSING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMAMP_TEST_SKIP 77

/* Whether @piece is in the comma-separated MMAMP_ALLOW_SKIP (whole words only). */
static inline int mmamp_skip_allowed(const char *piece)
{
	const char *allow = getenv("MMAMP_ALLOW_SKIP");
	size_t n = strlen(piece);

	for (const char *p = allow; p && *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if ((!strncmp(p, piece, n) && (p[n] == ',' || !p[n])) ||
		    (!strncmp(p, "all", 3) && (p[3] == ',' || !p[3])))
			return 1;
	}
	return 0;
}

/* The exit status for a test that cannot run because @what (of @piece) is missing. */
static inline int mmamp_test_missing(const char *test, const char *piece, const char *what)
{
	if (mmamp_skip_allowed(piece)) {
		fprintf(stderr, "%s: %s: skipped (MMAMP_ALLOW_SKIP)\n", test, what);
		return MMAMP_TEST_SKIP;
	}
	fprintf(stderr, "%s: FAIL: %s — scripts/install-deps.sh installs it (as root); "
		"MMAMP_ALLOW_SKIP=%s skips this test instead\n", test, what, piece);
	return 1;
}

#endif /* MMAMP_TESTS_MISSING_H */
