#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_cycles.sh — lifecycle loops through the real kernel (docs/linux-host.md): 20 firmware swaps
# (fw_echo ↔ fw_echo_b) and 100 stop/start cycles of fw_echo through remoteproc sysfs; every boot
# comes up with its channels (the rpmsg-tty channel's tty appears), every stop takes them away,
# the M4 booted exactly the firmware asked for each time, the TTY still echoes at the end, and
# the guest log stays clean. Malformed firmware is refused by the kernel's own ELF checks.
#
# Usage: test_cycles.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$fwdir/fw_echo_b" "$root/fw/"
head -c 4096 /dev/urandom > "$root/fw/garbage"
head -c 100 "$fwdir/fw_echo" > "$root/fw/truncated"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
TTYDEV=/sys/bus/rpmsg/devices/virtio0.rpmsg-tty.-1.31/tty
cycle() {
  echo "$1" > $R/firmware || return 1
  echo start > $R/state || return 1
  [ "$(cat $R/state)" = running ] || return 1
  wait_for $TTYDEV || return 1
  echo stop > $R/state || return 1
  [ "$(cat $R/state)" = offline ] && [ ! -e $TTYDEV ]
}
ok=0; i=0
while [ $i -lt 20 ]; do
  fw=fw_echo; [ $((i % 2)) -eq 1 ] && fw=fw_echo_b
  cycle $fw && ok=$((ok+1)); i=$((i+1))
done
say "swaps $ok of 20"
ok=0; i=0
while [ $i -lt 100 ]; do cycle fw_echo && ok=$((ok+1)); i=$((i+1)); done
say "cycles $ok of 100"
for bad in garbage truncated; do
  echo $bad > $R/firmware
  if echo start > $R/state; then say "$bad started"; else say "$bad refused, state $(cat $R/state)"; fi
done
echo fw_echo > $R/firmware; echo start > $R/state
wait_for $TTYDEV && t=/dev/$(ls $TTYDEV | head -1) && wait_for $t && stty -F $t raw -echo
exec 3<>$t; echo "still here" >&3
[ "$(timeout 10 head -c 11 <&3)" = "still here" ] && say "echo after the loops ok"
exec 3<&-
echo stop > $R/state
GUEST

linux_boot "$work/guest.sh" imx8qxp-sim "" 300

expect_in_order "$guest_log" 'MMAMP: swaps 20 of 20' 'MMAMP: cycles 100 of 100' \
  'remoteproc remoteproc0: Image is corrupted \(bad magic\)' 'MMAMP: garbage refused, state offline' \
  'remoteproc remoteproc0: Firmware size is too small|Image is too small' \
  'MMAMP: truncated refused, state offline' \
  'MMAMP: echo after the loops ok' 'MMAMP: done'
expect_clean_guest
# Occurrences, not lines: a core killed by a stop may leave its last console line unfinished.
count() { grep -oE -- "$2" "$1" | wc -l; }
[ "$(count "$guest_log" 'remote processor m4_0 is now up')" -eq 121 ] ||
  linux_fail "expected 121 boots in the kernel log"
[ "$(count "$guest_log" 'stopped remote processor m4_0')" -eq 121 ] ||
  linux_fail "expected 121 stops in the kernel log"
[ "$(count "$m4_console" 'fw_echo_b: boot build=2')" -eq 10 ] || linux_fail "expected 10 boots of fw_echo_b"
[ "$(count "$m4_console" 'fw_echo: boot build=1')" -eq 111 ] || linux_fail "expected 111 boots of fw_echo"
[ "$(count "$soc_log" 'core m4_0 on at')" -eq 121 ] || linux_fail "expected 121 power-ons"
echo "1 passed, 0 failed: 20 swaps and 100 stop/start cycles through the real kernel"
