#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# missing.sh TEST PIECE WHAT — a test that cannot even be built here (the cross compiler is
# missing): as tests/missing.h, it fails naming WHAT unless MMAMP_ALLOW_SKIP lists PIECE (or
# "all"), then it exits 77 (skipped).
test=$1 piece=$2 what=$3
IFS=, read -ra allowed <<< "${MMAMP_ALLOW_SKIP:-}"
for a in "${allowed[@]}"; do
	if [ "$a" = "$piece" ] || [ "$a" = all ]; then
		echo "$test: $what: skipped (MMAMP_ALLOW_SKIP)" >&2
		exit 77
	fi
done
echo "$test: FAIL: $what — scripts/install-deps.sh installs it (as root); MMAMP_ALLOW_SKIP=$piece skips this test instead" >&2
exit 1
