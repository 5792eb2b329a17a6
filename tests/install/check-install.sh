#!/usr/bin/env bash
# check-install.sh BUILD SRC CC — mmamp as other projects take it (docs/using-mmamp.md): install
# BUILD into a scratch prefix, then build and run examples/host-app three ways — against the
# installed CMake package (find_package(mmamp)), with pkg-config (mmamp-host.pc) and a plain
# compiler, and with add_subdirectory() of the source tree (examples/subdir-app). Fails on the
# first step that does not work, saying which.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) cc=$3
work=$build/install-check
rm -rf "$work"
mkdir -p "$work"
step() { echo "check-install: $*"; }
fail() { echo "check-install: FAILED: $*" >&2; exit 1; }

step "cmake --install into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || fail "install (see $work/install.log)"
for f in lib/libmmamp_core.a lib/libmmamp_host.a include/mmamp/rpmsg.h include/mmamp/version.h \
         lib/cmake/mmamp/mmampConfig.cmake lib/pkgconfig/mmamp-host.pc; do
  [ -f "$work/prefix/$f" ] || fail "$f was not installed"
done

step "find_package(mmamp) from the installed package"
cmake -S "$src/examples/host-app" -B "$work/package" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/package.log" 2>&1 || fail "configure (see $work/package.log)"
cmake --build "$work/package" >>"$work/package.log" 2>&1 || fail "build (see $work/package.log)"
"$work/package/host_app"

step "pkg-config mmamp-host"
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs --static mmamp-host) ||
  fail "pkg-config does not know mmamp-host"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -Wall -Wextra -Werror "$src/examples/host-app/main.c" -o "$work/pc_app" $flags ||
  fail "a plain compile with pkg-config's flags"
"$work/pc_app"

step "add_subdirectory() of the source tree (libraries only)"
cmake -S "$src/examples/subdir-app" -B "$work/subdir" -DCMAKE_C_COMPILER="$cc" \
      -DMMAMP_SOURCE_DIR="$src" >"$work/subdir.log" 2>&1 || fail "configure (see $work/subdir.log)"
cmake --build "$work/subdir" -j2 >>"$work/subdir.log" 2>&1 || fail "build (see $work/subdir.log)"
[ ! -e "$work/subdir/mmamp/tools" ] || fail "add_subdirectory built the tools without being asked"
"$work/subdir/host_app"
step "all three ways work"
