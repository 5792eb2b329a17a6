#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_attach.sh — the real kernel attaches to an M4 a boot loader started (docs/linux-host.md,
# "Attaching to a running core"): mmamp-soc --boot-loader fw_echo loads and starts the core
# when the driver asks (QUERY, at probe); the driver reports it detached, the kernel attaches
# without loading anything (state "attached", firmware "unknown"), the firmware's own table is
# the live one, the channels come up and the TTY echoes; stop powers it off, and a start then
# boots fw_echo from /fw the ordinary way and echoes again.
#
# Usage: test_attach.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"
guest_tty_helpers

cat > "$work/guest.sh" <<'GUEST'
. /guest-tty.sh
say "state $(cat $R/state) firmware $(cat $R/firmware)"
echo_once attached
echo stop > $R/state && say "stopped: $(cat $R/state)"
echo start > $R/state && say "started: $(cat $R/state) firmware $(cat $R/firmware)"
echo_once booted
echo stop > $R/state && say "stopped: $(cat $R/state)"
GUEST

soc_extra=(--boot-loader "$fwdir/fw_echo")
linux_boot "$work/guest.sh"

expect_in_order "$guest_log" \
  'mmamp-rproc mmamp-rproc: the M4 is running already \(started by a boot loader\): attaching' \
  'remoteproc remoteproc0: attaching to m4_0' \
  'mmamp-rproc mmamp-rproc: attached to the running M4' \
  'remoteproc remoteproc0: remote processor m4_0 is now attached' \
  'MMAMP: state attached firmware unknown' \
  'MMAMP: echo attached ok' \
  'remoteproc remoteproc0: stopped remote processor m4_0' \
  'MMAMP: stopped: offline' \
  'remoteproc remoteproc0: Booting fw image fw_echo' \
  'MMAMP: started: running firmware fw_echo' \
  'MMAMP: echo booted ok' \
  'MMAMP: stopped: offline' 'MMAMP: done'
# the channel comes up from the attach (before or after the guest's first read of state)
expect_in_order "$guest_log" 'remote processor m4_0 is now attached' \
  'virtio_rpmsg_bus virtio0: creating channel rpmsg-tty addr 0x1f' 'MMAMP: echo attached ok'
# attached, not booted: the first power-up is the start after the stop
expect_in_order "$guest_log" 'MMAMP: stopped: offline' 'remoteproc remoteproc0: powering up m4_0'
[ "$(grep -c 'powering up m4_0' "$guest_log")" -eq 1 ] || linux_fail "the kernel booted the attached core"
expect_clean_guest
expect_in_order "$soc_log" 'core m4_0 on' 'boot loader: .*fw_echo started on core m4_0 before the kernel' \
  'core m4_0 off' 'core m4_0 on' 'core m4_0 off'
echo "1 passed, 0 failed: the real kernel attached to the M4 a boot loader started"
