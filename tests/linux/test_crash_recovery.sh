#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_crash_recovery.sh — a crash of the M4 under the real kernel (docs/linux-host.md): fw_echo_fault
# runs, its mmamp-info channel is bound to rpmsg_char by hand (driver_override), "crash" on it
# makes the firmware store where the M4 has no memory; mmamp-soc reports the MMU fault,
# mmamp_rproc calls rproc_report_crash, the kernel's own recovery stops and restarts the core,
# the channels come back and /dev/ttyRPMSG0 echoes again. Then recovery is disabled and a second
# crash leaves the core crashed until it is stopped. No BUG/WARNING/Oops/panic.
#
# Usage: test_crash_recovery.sh BUILD_DIR MODULE_DIR   (MODULE_DIR from build-module.sh)
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo_fault" "$root/fw/"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
INFO=/sys/bus/rpmsg/devices/virtio0.mmamp-info.-1.50
TTYDEV=/sys/bus/rpmsg/devices/virtio0.rpmsg-tty.-1.31/tty
# The rpmsg_tty device of the channel (after a recovery it may have another index).
echo_once() {
  wait_for $TTYDEV || { say "no tty for rpmsg-tty"; return 1; }
  tty=/dev/$(ls $TTYDEV | head -1)
  wait_for $tty && say "tty $tty"
  stty -F $tty raw -echo
  exec 3<>$tty
  echo "ping $1" >&3
  got=$(timeout 10 head -c $(( ${#1} + 6 )) <&3)
  exec 3<&-
  [ "$got" = "ping $1" ] && say "echo $1 ok"
}
crash() {
  wait_for $INFO || { say "no mmamp-info channel"; return 1; }
  echo rpmsg_chrdev > $INFO/driver_override
  echo virtio0.mmamp-info.-1.50 > /sys/bus/rpmsg/drivers_probe
  dev=/dev/$(ls $INFO/rpmsg 2>/dev/null | head -1)
  wait_for $dev && say "mmamp-info bound"
  echo crash > $dev
}
echo fw_echo_fault > $R/firmware
say "recovery $(cat $R/recovery)"
echo start > $R/state && say "started"
echo_once first
crash
wait_log 'remote processor m4_0 is now up' 2 && say "recovered"
say "state $(cat $R/state)"
echo_once "after recovery"
echo disabled > $R/recovery && say "recovery $(cat $R/recovery)"
crash
wait_log 'crash detected in m4_0' 2 && say "crashed again"
i=0; while [ "$(cat $R/state)" != crashed ] && [ $i -lt 200 ]; do i=$((i+1)); sleep 0.05; done
say "state $(cat $R/state)"
echo stop > $R/state && say "stopped"
say "state $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh"

expect_in_order "$guest_log" \
  'MMAMP: recovery enabled' \
  'remoteproc remoteproc0: Booting fw image fw_echo_fault' \
  'MMAMP: started' \
  'MMAMP: tty /dev/ttyRPMSG[0-9]+' \
  'MMAMP: echo first ok' \
  'MMAMP: mmamp-info bound' \
  'mmamp-rproc mmamp-rproc: the M4 crashed: mmufault: Segmentation fault at 0x40000000' \
  'remoteproc remoteproc0: crash detected in m4_0: type mmufault' \
  'remoteproc remoteproc0: recovering m4_0' \
  'remoteproc remoteproc0: remote processor m4_0 is now up' \
  'MMAMP: recovered' \
  'MMAMP: state running' \
  'MMAMP: tty /dev/ttyRPMSG[0-9]+' \
  'MMAMP: echo after recovery ok' \
  'MMAMP: recovery disabled' \
  'MMAMP: mmamp-info bound' \
  'remoteproc remoteproc0: crash detected in m4_0: type mmufault' \
  'MMAMP: crashed again' \
  'MMAMP: state crashed' \
  'MMAMP: stopped' \
  'MMAMP: state offline' \
  'MMAMP: done'
expect_clean_guest
[ "$(grep -c 'recovering m4_0' "$guest_log")" -eq 1 ] ||
  linux_fail "the kernel recovered with recovery disabled"
expect_in_order "$soc_log" 'core m4_0 on' 'crashed: mmufault' 'core m4_0 off' 'core m4_0 on' \
  'crashed: mmufault' 'core m4_0 off' 'the kernel disconnected'
echo "1 passed, 0 failed: the kernel recovered the crashed M4 and the TTY echoed again"
