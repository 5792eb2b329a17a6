#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_rpmsg_ctrl.sh — an endpoint made from user space with the kernel's rpmsg_ctrl
# (docs/linux-host.md, "The guest tools"): inside the guest, mmamp-guest issues
# RPMSG_CREATE_EPT_IOCTL on /dev/rpmsg_ctrl0 for an endpoint to fw_echo's rpmsg-raw service
# (address 40), opens the /dev/rpmsgN rpmsg_char adds for it, sends a line and a 496-byte block
# and checks each echo byte for byte, then destroys the endpoint (RPMSG_DESTROY_EPT_IOCTL) and
# checks that the device is gone. Once from an address we choose (0x2000: the firmware answers
# there, to the sender's address) and once from one the kernel picks; a 497-byte message is
# refused before it reaches the kernel, and the mmamp-info service (address 50), which answers
# with a line of its own, is reported as a differing echo (the comparison can fail). No BUG/WARNING/Oops in the guest log.
#
# Usage: test_rpmsg_ctrl.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
linux_install_guest_tools "$1"
cp "$fwdir/fw_echo" "$root/fw/"
printf 'a line through an rpmsg_ctrl endpoint\n' > "$root/line"
# 496 bytes (one full RPMsg payload) with every byte value, NUL and newline included.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(496)))' \
  > "$root/block496"
head -c 497 /dev/zero > "$root/block497"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
echo fw_echo > $R/firmware
echo start > $R/state
# rpmsg_ctrl0 comes with the vdev, before the announcements: wait for the rpmsg-raw channel's
# own rpmsg_char device too, so that the endpoints below are the only other ones.
wait_for /dev/rpmsg_ctrl0 && wait_for /sys/bus/rpmsg/devices/virtio0.rpmsg-raw.-1.40/rpmsg &&
  say "rpmsg_ctrl0 and rpmsg-raw are there"
mmamp-guest ept-echo --src 0x2000 --dst 40 --name ctrl-test /line /block496 \
  && say "fixed source: echoed"
mmamp-guest ept-echo --dst 40 /block496 /line && say "any source: echoed"
mmamp-guest ept-echo --dst 40 /block497 || say "497 bytes refused"
mmamp-guest ept-echo --dst 50 --name info-test /line || say "mmamp-info does not echo"
ours() { for d in /sys/class/rpmsg/*; do cat $d/name 2>/dev/null; done | grep -E '^(ctrl-test|info-test|mmamp-guest-)' | wc -l; }
say "eptdevs left: $(ours)"
echo stop > $R/state && say "state $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh"

expect_in_order "$guest_log" \
  'MMAMP: rpmsg_ctrl0 and rpmsg-raw are there' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint ctrl-test, src 8192, dst 40 \(through /dev/rpmsg_ctrl0\)' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: /line, 38 bytes echoed byte-exact' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: /block496, 496 bytes echoed byte-exact' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint destroyed' \
  'MMAMP: fixed source: echoed' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint mmamp-guest-[0-9]+, src any, dst 40' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: /block496, 496 bytes echoed byte-exact' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: /line, 38 bytes echoed byte-exact' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint destroyed' \
  'MMAMP: any source: echoed' \
  'mmamp-guest: /block497: Message too long \(an RPMsg message holds at most 496 bytes\)' \
  'MMAMP: 497 bytes refused' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint info-test, src any, dst 50' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: the echo of /line differs: [0-9]+ bytes back for 38 sent' \
  'mmamp-guest: /dev/rpmsg[1-9][0-9]*: endpoint destroyed' \
  'MMAMP: mmamp-info does not echo' \
  'MMAMP: eptdevs left: 0' \
  'MMAMP: state offline' \
  'MMAMP: done'
expect_clean_guest
expect_in_order "$m4_console" 'fw_echo: announced rpmsg-raw at 40'
echo "1 passed, 0 failed: an rpmsg_ctrl endpoint echoed a line and 496 bytes byte-exact"
