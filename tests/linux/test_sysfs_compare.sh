#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_sysfs_compare.sh — one sysfs behaviour, two implementations (docs/linux-host.md): the same
# script of remoteproc sysfs reads and writes (tests/linux/sysfs-script.sh: every state, valid
# and invalid words, firmware names, crashes) runs with busybox sh against the real kernel's
# /sys/class/remoteproc/remoteproc0 in the UML guest and against mmampd's FUSE face; the two
# transcripts (values read, the errno text of each write) are compared line by line.
#   - the kernel's transcript must equal sysfs-kernel.txt: a kernel that answers otherwise fails;
#   - the lines where mmampd answers otherwise must be exactly sysfs-differences.txt (each one
#     documented with its reason in docs/linux-host.md): any other difference fails, and so does
#     a documented one that went away.
#
# Usage: test_sysfs_compare.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
here=$(realpath "$(dirname "$0")")
linux_setup "$1" "$2"
cp "$fwdir/fw_echo" "$fwdir/fw_echo_b" "$here/sysfs-script.sh" "$root/fw/"
# not an ELF: 4 KiB of 'G', so the ELF header check is what refuses it
head -c 4096 /dev/zero | tr '\0' G >"$root/fw/fw_garbage"

cat > "$work/guest.sh" <<'GUEST'
# a crash: ask the host to kill -9 the M4's process (kill_core_on_request)
SYSFS_CRASH='touch /tmp/crash-$1' sh /fw/sysfs-script.sh /sys/class/remoteproc/remoteproc0 \
  > /tmp/kernel.txt 2>&1 && say "script done"
GUEST
crash_four() { kill_core_on_request 4; }
host_helper crash_four
linux_boot "$work/guest.sh" imx8qxp-sim "" 300
expect_in_order "$guest_log" 'MMAMP: script done' 'MMAMP: done'
expect_clean_guest
kernel=$work/kernel.txt mmampd=$work/mmampd.txt
cp "$root/tmp/kernel.txt" "$kernel"

# the same script against mmampd, in PID and mount namespaces of its own (nothing outlives it)
setpriv --pdeathsig KILL timeout -s KILL 300 unshare --mount --propagation private --pid --fork \
  --kill-child --mount-proc "$here/sysfs-mmampd-side.sh" "$1" "$root/fw" "$mmampd" ||
  linux_fail "the mmampd side failed (log: ${mmampd%.txt}.mmampd.log)"

# line by line: "=" the same, "≠" kernel | mmampd
compared=$work/compared.txt
paste -d '\n' "$kernel" "$mmampd" | awk '
  NR % 2 { k = $0; next }
  { n++; if (k == $0) print "= " k; else printf "≠ %d: %s | %s\n", n, k, $0 }' >"$compared"
[ "$(wc -l <"$kernel")" -eq "$(wc -l <"$mmampd")" ] ||
  linux_fail "the transcripts differ in length: kernel $(wc -l <"$kernel"), mmampd $(wc -l <"$mmampd")"
cat "$compared"
diff -u "$here/sysfs-kernel.txt" "$kernel" >&2 ||
  linux_fail "the kernel's transcript is not tests/linux/sysfs-kernel.txt"
diff -u "$here/sysfs-differences.txt" <(grep '^≠' "$compared") >&2 ||
  linux_fail "mmampd differs from the kernel otherwise than tests/linux/sysfs-differences.txt"
echo "1 passed, 0 failed: $(grep -c '^=' "$compared") lines alike, $(grep -c '^≠' "$compared") documented differences"
