#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_soc_lost.sh — the simulated SoC itself dies (kill -9 of mmamp-soc, the M4 with it) while
# the guest streams lines through the TTY (docs/linux-host.md, "Losing the SoC"):
#   1. recovery enabled, a new mmamp-soc listening at the same socket: mmamp_rproc reports the
#      crash, the kernel's recovery stops the core (nothing left to stop), starts it, the driver
#      connects to the new SoC, the M4 runs again and the TTY echoes;
#   2. recovery disabled, no SoC any more: the crash leaves the core crashed, stop takes it
#      offline, start fails with the driver's reason in the log and ENOENT from the write.
# No hang, no BUG/WARNING/Oops/panic.
#
# Usage: test_soc_lost.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"
guest_tty_helpers

cat > "$work/guest.sh" <<'GUEST'
. /guest-tty.sh
# lines to the TTY and their echoes back, until the TTY goes away under them (mid-echo)
stream() {
  tty_of || return 1
  stty -F $t raw -echo
  cat $t > /tmp/stream-$1 2>/dev/null &
  reader=$!
  # The writer holds the TTY open: a redirect per line would, in the moment the crash has
  # removed /dev/ttyRPMSG<n>, create a regular file of that name in devtmpfs, and the recovered
  # channel's node could not be made (stty: Inappropriate ioctl for device).
  (exec 4>$t && while echo "stream line" >&4; do :; done) 2>/dev/null &
  writer=$!
}
# the stream is echoing: its first line came back
wait_for_echoes() {
  local i=0
  while [ "$(head -c 11 /tmp/stream-$1 2>/dev/null)" != "stream line" ] && [ $i -lt 200 ]; do
    i=$((i+1)); sleep 0.05; done
  say "stream $1 echoing: $(head -c 11 /tmp/stream-$1)"
}
wait_state() {
  local i=0
  while [ "$(cat $R/state)" != "$1" ] && [ $i -lt 400 ]; do i=$((i+1)); sleep 0.05; done
  say "state $(cat $R/state)"
}
echo fw_echo > $R/firmware
echo start > $R/state
echo_once before
stream 1
wait_for_echoes 1
touch /tmp/soc-1
wait_log 'remote processor m4_0 is now up' 2 30 && say "recovered: $(cat $R/state)"
kill $reader $writer 2>/dev/null; wait $reader $writer 2>/dev/null
echo_once after
echo disabled > $R/recovery
stream 2
wait_for_echoes 2
touch /tmp/soc-2
wait_log 'lost the simulated SoC' 2 30
wait_state crashed
kill $reader $writer 2>/dev/null; wait $reader $writer 2>/dev/null
echo stop > $R/state && say "stopped"
say "state $(cat $R/state)"
if echo start > $R/state; then say "start accepted"; else say "start refused"; fi
say "state $(cat $R/state)"
GUEST

# The host side: a second SoC listens at the same socket (the first one unlinked its path when
# the kernel connected), then the first one is killed; later the second one is killed too.
soc_swap() {
  local old new
  wait_file "$root/tmp/soc-1" 60 || exit 1
  old=$(pgrep -f -- "--socket $work/soc.sock ") || exit 1
  "$soc_bin" --platform "$platdir/imx8qxp-sim.dtb" --socket "$work/soc.sock" --simcore "$simcore" \
    --console "$work/m4-2.console" --die-with-parent >"$work/soc2.out" 2>"$work/soc2.log" &
  new=$!
  local deadline=$(( $(date +%s) + 20 ))
  until grep -q 'listening on' "$work/soc2.out"; do
    [ "$(date +%s)" -lt $deadline ] || exit 1
    sleep 0.05
  done
  kill -KILL "$old"
  wait_file "$root/tmp/soc-2" 120 || exit 1
  kill -KILL "$new"
  wait "$new"
}
host_helper soc_swap
soc_may_die=1
linux_boot "$work/guest.sh"

expect_in_order "$guest_log" 'MMAMP: echo before ok' 'MMAMP: stream 1 echoing: stream line' \
  'mmamp-rproc mmamp-rproc: lost the simulated SoC \(socket .*\): error -?[0-9]+; the M4 is gone with it' \
  'remoteproc remoteproc0: crash detected in m4_0: type fatal error' \
  'remoteproc remoteproc0: recovering m4_0' \
  'mmamp-rproc mmamp-rproc: the M4 is off: the simulated SoC is gone' \
  'remoteproc remoteproc0: stopped remote processor m4_0' \
  'mmamp-rproc mmamp-rproc: connected to a new simulated SoC at ' \
  'remoteproc remoteproc0: remote processor m4_0 is now up' \
  'MMAMP: recovered: running' 'MMAMP: echo after ok' 'MMAMP: stream 2 echoing: stream line' \
  'mmamp-rproc mmamp-rproc: lost the simulated SoC' \
  'remoteproc remoteproc0: crash detected in m4_0: type fatal error' \
  'MMAMP: state crashed' \
  'mmamp-rproc mmamp-rproc: the M4 is off: the simulated SoC is gone' \
  'MMAMP: stopped' 'MMAMP: state offline' \
  'mmamp-rproc mmamp-rproc: cannot start the M4: the simulated SoC is gone and none answers at .* \(-2\)' \
  'write error: No such file or directory' \
  'MMAMP: start refused' 'MMAMP: state offline' 'MMAMP: done'
expect_clean_guest
[ "$(grep -c 'recovering m4_0' "$guest_log")" -eq 1 ] ||
  linux_fail "the kernel recovered with recovery disabled"
expect_in_order "$soc_log" 'core m4_0 on'
expect_in_order "$work/soc2.log" 'core m4_0 on'
echo "1 passed, 0 failed: losing the SoC was a crash of the M4; the kernel recovered it on a new SoC"
