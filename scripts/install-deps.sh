#!/usr/bin/env bash
# install-deps.sh — installs, on Debian 12, whatever mmamp's build and test suite need and this
# machine does not have yet. Idempotent and quiet when nothing is missing; needs root (or sudo)
# only when it has something to install.
set -euo pipefail

# Debian package → a file that proves it is installed (dpkg -s is slow and noisy in loops).
declare -A need=(
  [cmake]=/usr/bin/cmake
  [make]=/usr/bin/make
  [gcc]=/usr/bin/gcc
  [g++]=/usr/bin/g++   # the public headers' C++ check
  [clang]=/usr/bin/clang
  [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a
  [libcmocka-dev]=/usr/include/cmocka.h
  [gcc-arm-none-eabi]=/usr/bin/arm-none-eabi-gcc
  [libnewlib-arm-none-eabi]=/usr/lib/arm-none-eabi/include/string.h
  [binutils-arm-none-eabi]=/usr/bin/arm-none-eabi-nm
  [pkg-config]=/usr/bin/pkg-config
  [device-tree-compiler]=/usr/bin/dtc
  [libfdt-dev]=/usr/include/libfdt.h
  [fuse3]=/usr/bin/fusermount3   # mmampd's remoteproc sysfs face (FUSE)
  [libfuse3-dev]=/usr/include/fuse3/fuse.h
  [qemu-system-arm]=/usr/bin/qemu-system-arm
  [librsvg2-bin]=/usr/bin/rsvg-convert   # MeasureMan's PNG plots (SVG → PNG)
  # The real Linux kernel as the host (docs/linux-host.md): User-Mode Linux built from source
  [linux-source-6.1]=/usr/src/linux-source-6.1.tar.xz
  [busybox-static]=/bin/busybox           # the guest's user space, on hostfs
  [flex]=/usr/bin/flex
  [bison]=/usr/bin/bison
  [bc]=/usr/bin/bc
  [libelf-dev]=/usr/include/libelf.h
  [xz-utils]=/usr/bin/xz
)

missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
