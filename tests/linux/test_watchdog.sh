#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_watchdog.sh — the driver's heartbeat watchdog (docs/linux-host.md): an idle fw_echo keeps
# beating (4 s idle, longer than the 3 s limit: no watchdog line), then the host freezes the
# M4's process (SIGSTOP): its heartbeat stands still, mmamp_rproc reports RPROC_WATCHDOG, the
# kernel's recovery stops the frozen core (killed) and boots it again, the TTY echoes.
#
# Usage: test_watchdog.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"
guest_tty_helpers

cat > "$work/guest.sh" <<'GUEST'
. /guest-tty.sh
echo fw_echo > $R/firmware
echo start > $R/state
echo_once before
# an idle core past the watchdog's limit: what is tested is that nothing happens
sleep 4
say "idle: $(dmesg | grep -c 'watchdog: no heartbeat') watchdog reports, state $(cat $R/state)"
touch /tmp/crash-1
wait_log 'remote processor m4_0 is now up' 2 30 && say "recovered: $(cat $R/state)"
echo_once after
echo stop > $R/state
GUEST

freeze_core() {
  local pid
  wait_file "$root/tmp/crash-1" 60 || exit 1
  pid=$(soc_core_pid)
  [ -n "$pid" ] && kill -STOP "$pid"
}
host_helper freeze_core
linux_boot "$work/guest.sh"

expect_in_order "$guest_log" 'MMAMP: echo before ok' 'MMAMP: idle: 0 watchdog reports, state running' \
  'mmamp-rproc mmamp-rproc: watchdog: no heartbeat for [0-9]+ ms' \
  'remoteproc remoteproc0: crash detected in m4_0: type watchdog' \
  'remoteproc remoteproc0: recovering m4_0' \
  'remoteproc remoteproc0: stopped remote processor m4_0' \
  'remoteproc remoteproc0: remote processor m4_0 is now up' \
  'MMAMP: recovered: running' 'MMAMP: echo after ok' \
  'remoteproc remoteproc0: stopped remote processor m4_0' 'MMAMP: done'
expect_clean_guest
[ "$(grep -c 'watchdog: no heartbeat' "$guest_log")" -eq 1 ] || linux_fail "more than one watchdog report"
expect_in_order "$soc_log" 'core m4_0 on' 'core m4_0 off' 'core m4_0 on' 'core m4_0 off'
echo "1 passed, 0 failed: a frozen M4 was found by the driver's watchdog and recovered"
