#!/usr/bin/env bash
# check-core-m4.sh M4_BUILD — the portable core as the host build's one Cortex-M4F cross build
# (M4_BUILD: <build>/m4, configured and built by ports/qemu-mps2/host.cmake) compiled it,
# freestanding: proves it needs nothing from libc but memcpy/memset/memmove (libgcc's __aeabi_*
# helpers are the compiler's own runtime and allowed).
set -euo pipefail
build=$1
lib="$build/src/core/libmmamp_core.a"
[ -f "$lib" ] || { echo "check-core-m4: $lib is missing: the M4 cross build (target mmamp_m4) did not run" >&2; exit 1; }
# Symbols the library needs from outside itself: undefined in some object, defined in none.
defined=$(arm-none-eabi-nm --defined-only "$lib" | awk 'NF==3{print $3}' | sort -u)
undefined=$(arm-none-eabi-nm -u "$lib" | awk '/ U /{print $2}' | sort -u | comm -23 - <(echo "$defined"))
bad=$(printf '%s\n' "$undefined" | grep -Ev '^(memcpy|memset|memmove|__aeabi_[a-z0-9_]+)?$' || true)
if [ -n "$bad" ]; then
  echo "core for Cortex-M4 needs symbols outside memcpy/memset: $bad" >&2
  exit 1
fi
echo "core builds for Cortex-M4; external symbols: $(echo $undefined)"
arm-none-eabi-size -t "$lib" | tail -1
