#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_scu_denial.sh — the SCU's partition rules reach the real kernel (docs/linux-host.md): the
# kernel runs in partition "rt-linux" (tests/linux/imx8qxp-rt.dts), which neither owns the M4 nor
# is the parent of its owner; `echo start` is refused — the SCU's line in the kernel log, the
# sysfs write fails with EACCES, the core stays offline and no core process is started.
#
# Usage: test_scu_denial.sh BUILD_DIR MODULE_DIR DTB
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$root/fw/"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
echo fw_echo > $R/firmware
if echo start > $R/state; then say "start accepted"; else say "start refused"; fi
say "state $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh" "$3" "partition=rt-linux"

expect_in_order "$guest_log" \
  'SCU partition rt-linux' \
  'remoteproc remoteproc0: powering up m4_0' \
  'mmamp-rproc mmamp-rproc: SCU refused to start the M4 at 0x1ffe0000: scu: partition "rt-linux" may not start core "m4_0" \(resource 278\): it is owned by partition "m4", whose parent is "apu" \(-13\)' \
  'remoteproc remoteproc0: can.t start rproc m4_0: -13' \
  'write error: Permission denied' \
  'MMAMP: start refused' \
  'MMAMP: state offline' \
  'MMAMP: done'
expect_clean_guest
expect_absent "$soc_log" 'core m4_0 on'
[ ! -s "$m4_console" ] || linux_fail "the M4 ran although the SCU refused it"
echo "1 passed, 0 failed: the SCU's refusal failed the kernel's sysfs write with its reason"
