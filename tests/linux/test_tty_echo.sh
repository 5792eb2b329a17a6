#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_tty_echo.sh — the real Linux kernel as the host (docs/linux-host.md): User-Mode Linux loads
# kernel/mmamp_rproc.ko, the kernel's remoteproc loads fw_echo (the same ELF mmampd boots) into
# the simulated i.MX8X's M4 through sysfs, virtio_rpmsg_bus creates the channels the firmware
# announces, mainline rpmsg_tty and rpmsg_char bind theirs, a line and a 496-byte block go
# byte-exact through /dev/ttyRPMSG0 and back, and the M4 is stopped; the guest log has the
# kernel's own lines for every step and no BUG/WARNING/Oops/panic.
#
# Usage: test_tty_echo.sh BUILD_DIR MODULE_DIR   (MODULE_DIR from build-module.sh)
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"

line='hello from the real kernel'
printf '%s\n' "$line" > "$root/line"
# 496 bytes (one full RPMsg payload) with every byte value, NUL and newline included.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(496)))' \
  > "$root/block496"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
say "name $(cat $R/name) state $(cat $R/state)"
echo fw_echo > $R/firmware
echo start > $R/state && say "start written"
say "state $(cat $R/state)"
wait_for /dev/ttyRPMSG0 && say "ttyRPMSG0 is there"
wait_for /dev/rpmsg0 && say "rpmsg0 is there"
stty -F /dev/ttyRPMSG0 raw -echo
exec 3<>/dev/ttyRPMSG0
cat /line >&3
timeout 10 head -c $(wc -c < /line) <&3 > /tmp/line.echo
cmp /line /tmp/line.echo && say "line echoed"
cat /block496 >&3
timeout 10 head -c 496 <&3 > /tmp/block.echo
cmp /block496 /tmp/block.echo && say "block echoed"
exec 3<&-
echo stop > $R/state && say "stop written"
say "state $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh"

expect_in_order "$guest_log" \
  'remoteproc remoteproc0: m4_0 is available' \
  'MMAMP: module loaded' \
  'MMAMP: name m4_0 state offline' \
  'remoteproc remoteproc0: powering up m4_0' \
  'remoteproc remoteproc0: Booting fw image fw_echo, size [0-9]+' \
  'mmamp-rproc mmamp-rproc: M4 started at 0x1ffe0000 by partition apu' \
  'virtio_rpmsg_bus virtio0: rpmsg host is online' \
  'remoteproc remoteproc0: remote processor m4_0 is now up' \
  'MMAMP: start written' \
  'MMAMP: state running'
expect_in_order "$guest_log" 'creating channel rpmsg-virtual-tty-channel-1 addr 0x1e'
expect_in_order "$guest_log" 'creating channel rpmsg-tty addr 0x1f'
expect_in_order "$guest_log" 'creating channel rpmsg-raw addr 0x28'
expect_in_order "$guest_log" 'creating channel mmamp-info addr 0x32'
expect_in_order "$guest_log" \
  'MMAMP: ttyRPMSG0 is there' \
  'MMAMP: rpmsg0 is there' \
  'MMAMP: line echoed' \
  'MMAMP: block echoed' \
  'remoteproc remoteproc0: stopped remote processor m4_0' \
  'MMAMP: stop written' \
  'MMAMP: state offline' \
  'MMAMP: done'
cmp "$root/block496" "$root/tmp/block.echo" || linux_fail "the block came back different"
cmp "$root/line" "$root/tmp/line.echo" || linux_fail "the line came back different"
expect_clean_guest
expect_in_order "$m4_console" 'fw_echo: boot build=1' 'fw_echo: link up' \
  'fw_echo: announced rpmsg-tty at 31'
expect_in_order "$soc_log" 'kernel in partition apu' 'core m4_0 on at 0x1ffe0000' 'core m4_0 off' \
  'the kernel disconnected'
echo "1 passed, 0 failed: the real kernel echoed a line and 496 bytes through /dev/ttyRPMSG0"
