#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_timestamps.sh — the driver's per-message timestamps (kernel/mmamp_rproc.c, docs/linux-host.md
# "Per-message timestamps"): /sys/class/remoteproc/remoteproc0/device/{last_kick_ns,kicks,
# last_doorbell_ns,doorbells}. Zero before the first boot; the firmware's announcements are
# doorbells; then 200 round trips through /dev/ttyRPMSG0 and 200 through /dev/rpmsg0
# (mmamp-guest rtt --times): for every message the kick and the doorbell the driver stamped lie
# between the application's send and receive (CLOCK_MONOTONIC in the guest), in that order, and
# each message moved both counters.
#
# Usage: test_timestamps.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
linux_install_guest_tools "$1"
cp "$fwdir/fw_echo" "$root/fw/"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
D=$R/device
counts() { echo "kicks $(cat $D/kicks) doorbells $(cat $D/doorbells)"; }
say "before boot: $(counts) last_kick_ns $(cat $D/last_kick_ns) last_doorbell_ns $(cat $D/last_doorbell_ns)"
echo fw_echo > $R/firmware
echo start > $R/state
wait_for /dev/ttyRPMSG0 && wait_for /dev/rpmsg0 &&
  wait_for /sys/bus/rpmsg/devices/virtio0.mmamp-info.-1.50 && say "channels are there"
set -- $(counts); k0=$2 d0=$4
[ "$d0" -ge 4 ] && say "the four announcements were doorbells"
mmamp-guest rtt /dev/ttyRPMSG0 -n 200 --warmup 0 --times $D && say "tty stamps in order"
mmamp-guest rtt /dev/rpmsg0 -n 200 --warmup 0 --times $D && say "rpmsg stamps in order"
set -- $(counts)
[ $(( $2 - k0 )) -ge 400 ] && [ $(( $4 - d0 )) -ge 400 ] && say "each message kicked and rang"
say "after: $(counts)"
echo stop > $R/state
GUEST

linux_boot "$work/guest.sh"

expect_in_order "$guest_log" \
  'MMAMP: before boot: kicks 0 doorbells 0 last_kick_ns 0 last_doorbell_ns 0' \
  'MMAMP: channels are there' \
  'MMAMP: the four announcements were doorbells' \
  'mmamp-guest: /dev/ttyRPMSG0: 200 round trips of 496 bytes, every echo byte-exact' \
  'mmamp-guest: /dev/ttyRPMSG0: stamps in order for 200 of 200 messages' \
  'MMAMP: tty stamps in order' \
  'mmamp-guest: /dev/rpmsg0: 200 round trips of 496 bytes, every echo byte-exact' \
  'mmamp-guest: /dev/rpmsg0: stamps in order for 200 of 200 messages' \
  'MMAMP: rpmsg stamps in order' \
  'MMAMP: each message kicked and rang' \
  'MMAMP: done'
expect_clean_guest
echo "1 passed, 0 failed: the driver stamped every kick and doorbell between send and receive"
