#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# demo-linux.sh — `make demo PLATFORM=linux`: the demo's steps through the real Linux kernel
# (docs/linux-host.md). User-Mode Linux (built once into the cache if missing) loads our
# remoteproc driver over mmamp-soc (the simulated i.MX8X); its init script boots fw_echo through
# /sys/class/remoteproc, echoes a line and 496 bytes through /dev/ttyRPMSG0, a message through
# /dev/rpmsg0 (rpmsg_char), a line and 496 bytes through an endpoint made with rpmsg_ctrl
# (tools/guest: mmamp-guest), asks mmamp-info which build runs, swaps to fw_echo_b, crashes
# fw_echo_fault and lets the kernel recover it, stops, and has MeasureMan (measureman-guest)
# measure Table 1 through the kernel, all five sections. The guest's log is shown, and the
# demo checks each step's lines. Ends with "demo: all steps passed" or the step that failed.
#
#   scripts/demo-linux.sh [BUILD_DIR]   (a configured and built tree, default build/gcc)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build/gcc}" && pwd)
"$repo/tests/linux/build-module.sh" "$repo" "$build/tests/linux/module" >/dev/null
. "$repo/tests/linux/lib.sh"
linux_setup "$build" "$build/tests/linux/module"
linux_install_guest_tools "$build"
cp "$fwdir/fw_echo" "$fwdir/fw_echo_b" "$fwdir/fw_echo_fault" "$fwdir/fw_measure" "$root/fw/"
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(496)))' \
  > "$root/block496"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
INFO=/sys/bus/rpmsg/devices/virtio0.mmamp-info.-1.50
n=0
step() { n=$((n+1)); echo; echo "== [$n] $*"; }
tty_echo() {
  t=/dev/$(ls /sys/bus/rpmsg/devices/virtio0.rpmsg-tty.-1.31/tty | head -1)
  wait_for $t; stty -F $t raw -echo; exec 3<>$t
  echo "$1" >&3; got=$(timeout 10 head -c $(( ${#1} + 1 )) <&3)
  [ "$got" = "$1" ] && say "$t echoed: $got"
  cat /block496 >&3; timeout 10 head -c 496 <&3 > /tmp/b; exec 3<&-
  cmp /block496 /tmp/b && say "$t echoed 496 bytes byte-exact"
}
info() {
  wait_for $INFO || return 1
  echo rpmsg_chrdev > $INFO/driver_override; echo virtio0.mmamp-info.-1.50 > /sys/bus/rpmsg/drivers_probe
  d=/dev/$(ls $INFO/rpmsg | head -1); wait_for $d; exec 5<>$d
  echo "${1:-?}" >&5; [ "$1" = crash ] || say "mmamp-info: $(timeout 5 head -n 1 <&5)"; exec 5<&-
}
boot() {
  echo "$1" > $R/firmware; echo start > $R/state
  wait_for /sys/bus/rpmsg/devices/virtio0.rpmsg-tty.-1.31/tty && say "$1 is $(cat $R/state)"
}
step "The kernel's remoteproc: $(cat $R/name) is $(cat $R/state); boot fw_echo through sysfs"
boot fw_echo
step "Channels the firmware announced, as the kernel's rpmsg bus shows them"
ls /sys/bus/rpmsg/devices/; ls -l /dev/ttyRPMSG* /dev/rpmsg*
step "A line and a 496-byte block through mainline rpmsg_tty"
tty_echo "hello from the real kernel"
step "A message through rpmsg_char (/dev/rpmsg0 is the rpmsg-raw channel)"
exec 4<>/dev/rpmsg0; printf 'one raw message' >&4
say "rpmsg0 echoed: $(timeout 5 head -c 15 <&4)"; exec 4<&-
step "An endpoint made with rpmsg_ctrl (RPMSG_CREATE_EPT_IOCTL), from 0x2000 to rpmsg-raw (40)"
echo "hello through rpmsg_ctrl" > /tmp/ctrl-line
mmamp-guest ept-echo --src 0x2000 --dst 40 /tmp/ctrl-line /block496 && say "rpmsg_ctrl endpoint echoed"
step "Which build runs (mmamp-info bound to rpmsg_char with driver_override)"
info
step "Firmware swap: stop, fw_echo_b, start"
echo stop > $R/state; say "$(cat $R/state)"; boot fw_echo_b; info
step "Crash: fw_echo_fault stores where the M4 has no memory; the kernel recovers it"
echo stop > $R/state; boot fw_echo_fault; info crash
wait_log 'remote processor m4_0 is now up' 4 && say "recovered: $(cat $R/state)"
tty_echo "after the crash"
step "Clean stop"
echo stop > $R/state; say "$(cat $R/state)"
step "MeasureMan inside the guest: Table 1 through the kernel (sysfs LCM, /dev/ttyRPMSG0, the driver's stamps)"
measureman --platform board --rproc $R --fw-dir /fw -l 2000 -q && say "measureman: $(cat $R/firmware) is back, $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh"
sed -n '/Run \/init/,$p' "$guest_log" | grep -vE 'taints kernel|firmware: direct-loading'
expect_in_order "$guest_log" 'creating channel rpmsg-tty addr 0x1f' 'fw_echo is running' \
  'ttyRPMSG0 echoed: hello from the real kernel' 'echoed 496 bytes byte-exact' \
  'rpmsg0 echoed: one raw message' \
  'ctrl-line, 25 bytes echoed byte-exact' 'block496, 496 bytes echoed byte-exact' \
  'rpmsg_ctrl endpoint echoed' 'mmamp-info: fw=fw_echo build=1' \
  'fw_echo_b is running' 'mmamp-info: fw=fw_echo_b build=2' 'fw_echo_fault is running' \
  'the M4 crashed: mmufault' 'recovering m4_0' 'recovered: running' \
  'echoed: after the crash' 'echoed 496 bytes byte-exact' 'stopped remote processor m4_0' \
  'MMAMP: offline' 'Booting fw image fw_measure' \
  "platform board \(remoteproc sysfs, the kernel's stamps\)" \
  'TTY-write +TTY-read +IPI to remote +IPI to host +remote processing +round trip' \
  'measureman: fw_echo_fault is back, offline' 'MMAMP: done'
expect_clean_guest
echo
echo "demo: all steps passed (the real Linux kernel drove fw_echo on the simulated i.MX8X)"
