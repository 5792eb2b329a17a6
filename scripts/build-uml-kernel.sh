#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# build-uml-kernel.sh — builds (once) the User-Mode Linux kernel the `linux` tests and
# `make demo PLATFORM=linux` boot, from Debian's linux-source-6.1 with kernel/uml.config merged
# onto the UML defconfig and kernel/patches/*.patch applied (docs/linux-host.md).
#
# The build tree lives in a cache outside the clone:
#   ${MMAMP_UML_CACHE:-/var/cache/mmamp}/uml-<package version>-<hash of fragment + patches>
# and is reused when present. Concurrent callers serialise on a lock; the tree is built in a
# temporary directory beside it and renamed into place only when complete, so a half-built tree
# is never seen. On success the last line on stdout is the tree's path (the module's KDIR; the
# kernel is <tree>/linux). Anything wrong — a missing package, a patch that does not apply
# exactly, a fragment symbol Kconfig dropped, a failed build — stops with a message and status 1.
#
# Usage: scripts/build-uml-kernel.sh [--print-key]   (env: MMAMP_UML_CACHE, JOBS)
set -euo pipefail

die() { echo "build-uml-kernel: $*" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$repo/kernel/uml.config
cache=${MMAMP_UML_CACHE:-/var/cache/mmamp}
jobs=${JOBS:-2}

[ -r "$tarball" ] || die "$tarball is missing: install linux-source-6.1 (scripts/install-deps.sh)"
[ -r "$fragment" ] || die "$fragment is missing"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
  die "dpkg does not know linux-source-6.1; install it (scripts/install-deps.sh)"

shopt -s nullglob
patches=("$repo"/kernel/patches/*.patch)
shopt -u nullglob

# The key covers what changes the kernel: fragment and patches (names and contents), and
# tree_format, which is bumped when this script changes what it leaves in the tree.
tree_format=1
key=$( { echo "tree format $tree_format"; cat "$fragment"
         for p in "${patches[@]}"; do echo "patch $(basename "$p")"; cat "$p"; done; } |
       sha256sum | cut -c1-16)
name=uml-$pkgver-$key
tree=$cache/$name
if [ "${1:-}" = --print-key ]; then echo "$tree"; exit 0; fi

complete() { [ -x "$1/linux" ] && [ -f "$1/Module.symvers" ] && [ -f "$1/.mmamp-complete" ]; }
if complete "$tree"; then echo "$tree"; exit 0; fi

mkdir -p "$cache" || die "cannot create the cache directory $cache (set MMAMP_UML_CACHE)"
exec 9>"$cache/$name.lock"
echo "build-uml-kernel: waiting for the build lock $cache/$name.lock" >&2
flock 9
if complete "$tree"; then echo "$tree"; exit 0; fi   # another caller built it meanwhile

tmp=$(mktemp -d "$cache/.build-$name.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
start=$(date +%s)
echo "build-uml-kernel: building $name in $tmp (-j$jobs; ~350 CPU-seconds)" >&2

tar -xJf "$tarball" -C "$tmp" --strip-components=1 ||
  die "cannot unpack $tarball"

for p in "${patches[@]}"; do
  echo "build-uml-kernel: applying $(basename "$p")" >&2
  patch -d "$tmp" -p1 -F0 --no-backup-if-mismatch -s < "$p" ||
    die "patch $(basename "$p") does not apply exactly to linux-source-$pkgver (no fuzz allowed)"
done

mk() { make -C "$tmp" ARCH=um "$@"; }
mk defconfig >/dev/null || die "make ARCH=um defconfig failed"
"$tmp/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "$fragment" >/dev/null ||
  die "merging $fragment failed"
mk olddefconfig >/dev/null || die "make olddefconfig failed"
# Kconfig silently drops a symbol whose dependencies are not met: check every line survived.
while IFS= read -r line; do
  case $line in
    CONFIG_*=*) grep -qxF "$line" "$tmp/.config" ||
      die "kernel/uml.config asks for '$line' but the final .config has '$(grep -E "^(# )?${line%%=*}[= ]" "$tmp/.config" || echo "nothing")'" ;;
  esac
done < "$fragment"

log=$tmp/.mmamp-build.log
if ! mk -j"$jobs" >"$log" 2>&1; then
  tail -40 "$log" >&2
  cp "$log" "$cache/$name.failed.log" || true
  die "the kernel build failed (full log: $cache/$name.failed.log)"
fi
# The object files are not needed to build out-of-tree modules or to run the kernel.
find "$tmp" -name '*.o' ! -path '*/scripts/*' ! -path '*/tools/*' -delete
touch "$tmp/.mmamp-complete"
chmod 755 "$tmp"   # mktemp made it private; the tree is for every user of the machine

rm -rf "$tree"
mv "$tmp" "$tree" || die "cannot move the finished tree to $tree"
trap - EXIT
echo "build-uml-kernel: built $tree in $(( $(date +%s) - start )) s" >&2
echo "$tree"
