#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_detach.sh — the real kernel detaches from an M4 it attached to and attaches again
# (docs/linux-host.md, "Detaching"): mmamp-soc --boot-loader fw_echo starts the core, the
# kernel attaches, the TTY echoes; `echo detach` leaves the M4 running (the host checks that
# its process lives on, the SoC powers nothing off), the state reads "detached"; `echo start`
# attaches again — no firmware loaded — and the TTY echoes byte-exact again; ten such cycles.
# In one detached phase the M4 is frozen longer than the watchdog's limit: a core the kernel let
# go is not watched. Then the core is killed while detached: not reported as a crash (6.1
# cannot recover a core it detached from), and the next start's attach is refused (ENODEV).
#
# Usage: test_detach.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"
guest_tty_helpers
head -c 496 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 496 > "$root/block"

cat > "$work/guest.sh" <<'GUEST'
. /guest-tty.sh
# block_once WORD: the 496-byte block through the TTY, compared byte for byte
block_once() {
  tty_of || { say "no tty for rpmsg-tty"; return 1; }
  stty -F $t raw -echo
  exec 3<>$t; cat /block >&3
  timeout 10 head -c 496 <&3 > /tmp/back
  cmp -s /block /tmp/back && say "block $1 ok"
  exec 3<&-
}
# detached_check N: the host answers whether the M4's process lives (a hostfs file each way).
# Polled by listing the directory: a lookup of a name not there yet would leave a negative
# dentry in the guest that hides the host's file.
detached_check() {
  local i=0
  touch /tmp/detached-$1
  until ls /tmp | grep -qx "alive-$1"; do
    i=$((i+1)); [ $i -gt 400 ] && { say "host: no answer"; return 1; }; sleep 0.05
  done
  say "host: $(cat /tmp/alive-$1)"
}
say "state $(cat $R/state)"
echo_once attached-0
cycle=1
while [ $cycle -le 10 ]; do
  echo detach > $R/state || { say "detach $cycle refused"; break; }
  say "detach $cycle: $(cat $R/state)"
  detached_check $cycle
  echo start > $R/state && say "start $cycle: $(cat $R/state) firmware $(cat $R/firmware)"
  echo_once attached-$cycle
  block_once $cycle
  cycle=$((cycle + 1))
done
say "watchdog reports: $(dmesg | grep -c 'watchdog: no heartbeat')"
# a core that ends while detached is not reported (nothing the kernel could recover) and
# cannot be attached to again
echo detach > $R/state && say "detach before kill: $(cat $R/state)"
touch /tmp/crash-1
wait_log 'the detached M4 ended' 1 30 && say "ended: $(cat $R/state)"
echo start > $R/state || say "start refused: $(cat $R/state)"
GUEST

# The host side of detached_check: the pid of the one core process is still alive; in cycle 5
# the core is frozen (SIGSTOP) for 4 s, past the 3 s watchdog limit, then let go on (SIGCONT).
watch_detached() {
  local i pid
  for i in $(seq 1 10); do
    wait_file "$root/tmp/detached-$i" 120 || exit 1
    [ "$i" -gt 1 ] || pid=$(soc_core_pid)
    if [ "$i" -eq 5 ]; then
      kill -STOP "$pid"; sleep 4; kill -CONT "$pid" # the freeze is the test's subject
    fi
    if kill -0 "$pid" 2>/dev/null && [ "$(soc_core_pid)" = "$pid" ]; then
      echo "core $pid alive" > "$root/tmp/alive-$i"
    else
      echo "core $pid gone (now '$(soc_core_pid)')" > "$root/tmp/alive-$i"
    fi
  done
  kill_core_on_request 1
}
soc_extra=(--boot-loader "$fwdir/fw_echo")
host_helper watch_detached
linux_boot "$work/guest.sh" imx8qxp-sim "" 240

steps=('remoteproc remoteproc0: remote processor m4_0 is now attached' 'MMAMP: state attached'
       'MMAMP: echo attached-0 ok')
for i in $(seq 1 10); do
  steps+=('remoteproc remoteproc0: detached remote processor m4_0' "MMAMP: detach $i: detached"
          'MMAMP: host: core [0-9]+ alive' 'remoteproc remoteproc0: attaching to m4_0'
          'remoteproc remoteproc0: remote processor m4_0 is now attached'
          "MMAMP: start $i: attached firmware unknown" "MMAMP: echo attached-$i ok"
          "MMAMP: block $i ok")
done
steps+=('MMAMP: watchdog reports: 0' 'MMAMP: detach before kill: detached'
        'mmamp-rproc mmamp-rproc: the detached M4 ended: fatal error: the core was killed \(Killed\); not reported: there is nothing to recover'
        'MMAMP: ended: detached' 'remoteproc remoteproc0: attaching to m4_0'
        'mmamp-rproc mmamp-rproc: cannot attach: the M4 is no longer running \(it ended while detached\)'
        'sh: write error: No such device' 'MMAMP: start refused: detached' 'MMAMP: done')
expect_in_order "$guest_log" "${steps[@]}"
# attached eleven times, never booted, no firmware loaded; the end of a detached core unreported
[ "$(grep -c 'remote processor m4_0 is now attached' "$guest_log")" -eq 11 ] ||
  linux_fail "expected 11 attaches"
expect_absent "$guest_log" 'powering up|firmware: direct-loading|Booting fw image|crash detected'
expect_absent "$guest_log" 'watchdog: no heartbeat'
expect_clean_guest
# the SoC: one power-on (the boot loader's), no STOP: the whole detached/attached life in it, then the kill
expect_in_order "$soc_log" 'core m4_0 on' 'boot loader: .*fw_echo started on core m4_0 before the kernel' \
  'core m4_0 crashed: fatal error: the core was killed'
[ "$(grep -c 'core m4_0 on' "$soc_log")" -eq 1 ] || linux_fail "the SoC powered the core on again"
expect_absent "$soc_log" 'core m4_0 off'
echo "1 passed, 0 failed: the real kernel detached from the running M4 and attached again, 10 times"
