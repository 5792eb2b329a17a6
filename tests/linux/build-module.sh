#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# build-module.sh — the `linux` tests' setup: makes sure the User-Mode Linux kernel exists (builds
# it into the cache when it does not: scripts/build-uml-kernel.sh, ~350 CPU-seconds once) and
# builds kernel/mmamp_rproc.ko against it into OUT. Fails loudly, never skips: a machine that
# cannot build the kernel fails the suite.
#
# Usage: tests/linux/build-module.sh REPO OUT   → OUT/mmamp_rproc.ko, OUT/kdir (the tree's path)
set -euo pipefail
repo=$1 out=$2

kdir=$("$repo/scripts/build-uml-kernel.sh" | tail -1)
[ -x "$kdir/linux" ] || { echo "build-module: no kernel at '$kdir'" >&2; exit 1; }
mkdir -p "$out/src"
cp "$repo"/kernel/*.c "$repo"/kernel/*.h "$repo/kernel/Kbuild" "$out/src/"
make -s -C "$kdir" ARCH=um M="$out/src" MMAMP_INCLUDE="$repo/include" modules >"$out/make.log" 2>&1 || {
  cat "$out/make.log" >&2; echo "build-module: building kernel/mmamp_rproc.ko failed" >&2; exit 1; }
# Warnings are errors here too (kernel style: the module must build clean).
if grep -q 'warning:' "$out/make.log"; then
  cat "$out/make.log" >&2; echo "build-module: kernel/mmamp_rproc.c does not build warning-free" >&2; exit 1
fi
cp "$out/src/mmamp_rproc.ko" "$out/mmamp_rproc.ko"
echo "$kdir" > "$out/kdir"
echo "build-module: $out/mmamp_rproc.ko against $kdir"
