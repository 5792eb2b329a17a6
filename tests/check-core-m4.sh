#!/usr/bin/env bash
# check-core-m4.sh SRC BUILD — cross-builds the portable core for Cortex-M4F, freestanding, and
# proves it needs nothing from libc but memcpy/memset/memmove (libgcc's __aeabi_* helpers are
# the compiler's own runtime and allowed).
set -euo pipefail
src=$1 build=$2
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/arm-none-eabi.cmake" \
      -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
cmake --build "$build" --target mmamp_core -j2 >/dev/null
lib="$build/src/core/libmmamp_core.a"
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
