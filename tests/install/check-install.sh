#!/usr/bin/env bash
# check-install.sh BUILD SRC CC — mmamp as other projects take it (docs/using-mmamp.md): install
# BUILD into a scratch prefix, then
#   - build and run examples/host-app three ways: against the installed CMake package
#     (find_package(mmamp)), with pkg-config (mmamp-host.pc) and a plain compiler, and with
#     add_subdirectory() of the source tree (examples/subdir-app);
#   - build examples/firmware for the simulated M4 and for QEMU's Cortex-M4 with
#     mmamp_add_firmware() from the installed package and through add_subdirectory(), and with
#     its plain Makefile from the installed list of sources (share/mmamp/firmware-sources.mk);
#   - copy the prefix elsewhere and, with BUILD and SRC hidden (a mount namespace with empty
#     file systems over both), run the installed tools from it: mmampd --help names the
#     prefix's files, not the build tree's; measureman measures in-process on the simulated core
#     and on QEMU with the installed launcher, fw_measure and boot ROM; mmampd and the CLI run
#     the installed fw_echo on the simulated core, then each example firmware, on the simulated
#     core and on QEMU, echoing a message byte-exact.
# Fails on the first step that does not work, saying which. Needs root (unshare -m) and the
# arm-none-eabi toolchain and qemu-system-arm, as the rest of the suite.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) cc=$3
work=$build/install-check
rm -rf "$work"
mkdir -p "$work"
step() { echo "check-install: $*"; }
fail() { echo "check-install: FAILED: $*" >&2; exit 1; }

step "cmake --install into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || fail "install (see $work/install.log)"
for f in lib/libmmamp_core.a lib/libmmamp_host.a lib/libmmamp_remote.a include/mmamp/rpmsg.h \
         include/mmamp/version.h include/mmamp/remote/runtime.h include/mmamp/remote/port.h \
         lib/cmake/mmamp/mmampConfig.cmake lib/cmake/mmamp/mmampFirmware.cmake \
         lib/pkgconfig/mmamp-host.pc bin/mmampd bin/mmamp bin/measureman bin/mmamp-soc \
         bin/mmamp-imx-rproc-check libexec/mmamp/mmamp-simcore \
         share/mmamp/platforms/imx8qxp-sim.dtb share/mmamp/platforms/qemu-mps2-an386.dtb \
         share/mmamp/firmware/sim/fw_echo share/mmamp/firmware/sim/fw_measure \
         share/mmamp/firmware/qemu-mps2/fw_echo.elf share/mmamp/firmware/qemu-mps2/fw_measure.elf \
         share/mmamp/firmware/qemu-mps2/qemu_bootrom.elf share/mmamp/firmware/imx8qx-m4/fw_echo_mek.bin; do
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
step "the host application builds and runs all three ways"

# ---- the firmware: examples/firmware ----
arm=$work/prefix/lib/cmake/mmamp/arm-none-eabi.cmake
[ -f "$arm" ] || fail "the package has no arm-none-eabi toolchain file ($arm)"
[ -f "$work/prefix/share/mmamp/firmware-sources.mk" ] || fail "share/mmamp/firmware-sources.mk was not installed"
# fw_build NAME CMAKE-ARGS...: configure and build examples/firmware into $work/NAME
fw_build() {
  local name=$1; shift
  cmake -S "$src/examples/firmware" -B "$work/$name" "$@" >"$work/$name.log" 2>&1 ||
    fail "firmware $name: configure (see $work/$name.log)"
  cmake --build "$work/$name" -j2 >>"$work/$name.log" 2>&1 || fail "firmware $name: build (see $work/$name.log)"
}
step "examples/firmware with mmamp_add_firmware() from the installed package: sim, qemu-mps2"
fw_build fw-pkg-sim -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$work/prefix" -DMMAMP_PORT=sim
fw_build fw-pkg-qemu -DCMAKE_TOOLCHAIN_FILE="$arm" -DCMAKE_PREFIX_PATH="$work/prefix" -DMMAMP_PORT=qemu-mps2
step "examples/firmware through add_subdirectory() of the source tree: sim, qemu-mps2"
fw_build fw-sub-sim -DCMAKE_C_COMPILER="$cc" -DMMAMP_SOURCE_DIR="$src" -DMMAMP_PORT=sim
fw_build fw-sub-qemu -DCMAKE_TOOLCHAIN_FILE="$src/cmake/arm-none-eabi.cmake" -DMMAMP_SOURCE_DIR="$src" \
         -DMMAMP_PORT=qemu-mps2
[ ! -e "$work/fw-sub-sim/mmamp/ports" ] || fail "add_subdirectory built our firmware without being asked"
step "examples/firmware with its Makefile from share/mmamp/firmware-sources.mk: sim, qemu-mps2"
make -s -C "$src/examples/firmware" MMAMP_PREFIX="$work/prefix" PORT=sim CC=gcc O="$work/fw-make-sim" \
     >"$work/fw-make.log" 2>&1 || fail "Makefile, sim (see $work/fw-make.log)"
make -s -C "$src/examples/firmware" MMAMP_PREFIX="$work/prefix" PORT=qemu-mps2 CC=arm-none-eabi-gcc \
     O="$work/fw-make-qemu" >>"$work/fw-make.log" 2>&1 || fail "Makefile, qemu-mps2 (see $work/fw-make.log)"

# ---- run from a prefix that moved, with the build and source trees out of sight ----
reloc=$(mktemp -d /tmp/mmamp-installed.XXXXXX)
trap 'rm -rf "$reloc"' EXIT
cp -a "$work/prefix" "$reloc/p"
mkdir -p "$reloc/fw/sim" "$reloc/fw/qemu"
cp "$work/fw-pkg-sim/example_fw" "$reloc/fw/sim/example_pkg"
cp "$work/fw-sub-sim/example_fw" "$reloc/fw/sim/example_sub"
cp "$work/fw-make-sim/example_fw.elf" "$reloc/fw/sim/example_make"
cp "$work/fw-pkg-qemu/example_fw.elf" "$reloc/fw/qemu/example_pkg.elf"
cp "$work/fw-sub-qemu/example_fw.elf" "$reloc/fw/qemu/example_sub.elf"
cp "$work/fw-make-qemu/example_fw.elf" "$reloc/fw/qemu/example_make.elf"
step "installed mmampd, mmamp, measureman from $reloc/p, with $build and $src hidden"
unshare -m true 2>/dev/null || fail "cannot hide the build tree: unshare -m needs root (CAP_SYS_ADMIN)"
unshare -m bash -s -- "$build" "$src" "$reloc" <<'RUN' || fail "the installed tools (output above)"
set -euo pipefail
build=$1 src=$2 reloc=$3
mount -t tmpfs none "$src"
[ ! -d "$build" ] || mount -t tmpfs none "$build" # (unless it lies in the source tree)
[ ! -e "$build/CMakeCache.txt" ] && [ ! -e "$src/CMakeLists.txt" ] || { echo "the trees are still visible" >&2; exit 1; }
p=$reloc/p rt=$reloc/rt
cli() { "$p/bin/mmamp" -r "$rt" "$@"; }
stop() { [ -f "$rt/mmampd.pid" ] && { cli shutdown >/dev/null 2>&1 || kill "$(cat "$rt/mmampd.pid")"; }; rm -rf "$rt"; }
trap 'status=$?; [ $status -eq 0 ] || { [ -f "$rt/mmampd.log" ] && cat "$rt/mmampd.log" >&2; }; stop; exit $status' EXIT
# echo_check FIRMWARE CHANNEL: load and start FIRMWARE on m4_0, send a message on CHANNEL's
# endpoint, expect it back byte-exact, stop the core
echo_check() {
  local msg="hello from the installed host to $1" dev got
  cli firmware m4_0 "$1" && cli state m4_0 start
  cli wait m4_0 running --channel "$2" --timeout 20000
  dev=$(cli device m4_0 "$2")
  got=$(cli send "$dev" "$msg" --reply)
  [ "$got" = "$msg" ] || { echo "$1: sent '$msg', got '$got'" >&2; return 1; }
  echo "check-install:   $1 echoed on $2"
  cli state m4_0 stop
}
# the installed defaults name the prefix's files (tools/common/tool_paths.h), none of the
# build tree's
help=$("$p/bin/mmampd" --help)
for want in "default $p/share/mmamp/platforms/imx8qxp-sim.dtb" \
            "default $p/share/mmamp/firmware/sim:$p/share/mmamp/firmware/qemu-mps2" \
            "default $p/libexec/mmamp/mmamp-simcore" "default $p/share/mmamp/firmware/qemu-mps2/qemu_bootrom.elf"; do
  grep -qF -- "$want)" <<<"$help" || { echo "mmampd --help does not say '$want)':" >&2; echo "$help" >&2; exit 1; }
done
! grep -F -- "$build" <<<"$help" || { echo "mmampd --help names the build tree $build" >&2; exit 1; }
echo "check-install:   mmampd --help names the prefix's platform, firmware, launcher, boot ROM"
# measureman in-process: the prefix's platforms, launcher, fw_measure(.elf), boot ROM
for platform in sim qemu; do
  out=$("$p/bin/measureman" --platform "$platform" -l 300 -q 2>&1) ||
    { echo "measureman --platform $platform from the prefix failed:" >&2; echo "$out" >&2; exit 1; }
  grep -q "300 messages verified byte for byte, platform $platform (in-process)" <<<"$out" ||
    { echo "measureman --platform $platform said:" >&2; echo "$out" >&2; exit 1; }
  echo "check-install:   measureman --platform $platform: 300 round trips"
done
# the installed defaults alone: platform, firmware directory, launcher (bin/mmampd)
"$p/bin/mmampd" -r "$rt" --no-sysfs
info=$(cli firmware m4_0 fw_echo && cli state m4_0 start &&
       cli wait m4_0 running --channel mmamp-info --timeout 20000 &&
       cli send "$(cli device m4_0 mmamp-info)" info --reply)
case $info in "fw=fw_echo build=1 "*) echo "check-install:   installed fw_echo runs: $info" ;;
              *) echo "installed fw_echo answered '$info'" >&2; exit 1 ;; esac
cli state m4_0 stop
echo_check fw_echo rpmsg-raw
stop
"$p/bin/mmampd" -r "$rt" --no-sysfs -f "$reloc/fw/sim"
for fw in example_pkg example_sub example_make; do echo_check "$fw" rpmsg-raw; done
stop
"$p/bin/mmampd" -r "$rt" --no-sysfs -p "$p/share/mmamp/platforms/qemu-mps2-an386.dtb" \
                -f "$reloc/fw/qemu"
for fw in example_pkg.elf example_sub.elf example_make.elf; do echo_check "$fw" rpmsg-raw; done
RUN
step "all of it works: libraries, firmware, tools"
