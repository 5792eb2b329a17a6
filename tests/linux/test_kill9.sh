#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_kill9.sh — the M4's process is killed from outside (kill -9) while the real kernel runs it
# (docs/linux-host.md): mmamp-soc reports a fatal error, mmamp_rproc calls rproc_report_crash,
# the kernel recovers the core and the rpmsg-tty channel's tty echoes again.
#
# Usage: test_kill9.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"
guest_tty_helpers

cat > "$work/guest.sh" <<'GUEST'
. /guest-tty.sh
echo fw_echo > $R/firmware
echo start > $R/state
echo_once before
touch /tmp/kill-now
wait_log 'remote processor m4_0 is now up' 2 30 && say "recovered: $(cat $R/state)"
echo_once after
echo stop > $R/state
GUEST

# The host side: once the guest has echoed, kill -9 the process playing the M4.
kill_core() {
  local pid
  wait_file "$root/tmp/kill-now" 60 || exit 1
  pid=$(sed -n 's/.*core m4_0 on at .* (pid \([0-9]*\),.*/\1/p' "$soc_log" | head -1)
  [ -n "$pid" ] && kill -KILL "$pid"
}
host_helper kill_core

linux_boot "$work/guest.sh"

expect_in_order "$guest_log" 'MMAMP: echo before ok' \
  'mmamp-rproc mmamp-rproc: the M4 crashed: fatal error: the core was killed \(Killed\)' \
  'remoteproc remoteproc0: crash detected in m4_0: type fatal error' \
  'remoteproc remoteproc0: recovering m4_0' \
  'remoteproc remoteproc0: remote processor m4_0 is now up' \
  'MMAMP: recovered: running' 'MMAMP: echo after ok' \
  'remoteproc remoteproc0: stopped remote processor m4_0' 'MMAMP: done'
expect_clean_guest
expect_in_order "$soc_log" 'core m4_0 on' 'crashed: fatal error: the core was killed' \
  'core m4_0 off' 'core m4_0 on' 'core m4_0 off'
echo "1 passed, 0 failed: a kill -9 of the M4 was recovered by the real kernel"
