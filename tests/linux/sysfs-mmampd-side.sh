#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sysfs-mmampd-side.sh — the mmampd half of linux_sysfs_compare: starts mmampd (foreground, no
# auto-boot) on the i.MX8QXP platform with FW_DIR, waits for its sysfs face, runs
# tests/linux/sysfs-script.sh against <runtime>/sys/class/remoteproc/remoteproc0 with busybox
# sh (a crash is kill -9 of the core's process), writes the transcript to OUT and shuts the
# daemon down. test_sysfs_compare.sh runs it as the init of its own PID and mount namespaces:
# when it ends, however it ends, the daemon, its cores and its mount go with it.
#
# Usage: sysfs-mmampd-side.sh BUILD_DIR FW_DIR OUT
set -euo pipefail
build=$(realpath "$1") fwdir=$(realpath "$2") out=$3
here=$(realpath "$(dirname "$0")")
mmampd=$build/tools/mmampd/mmampd
mmamp=$build/tools/mmamp/mmamp
rt=$(mktemp -d /tmp/mmamp-sysfs.XXXXXX)
trap 'rm -rf "$rt"' EXIT # the mount went with our mount namespace; a failure leaves nothing
log=${out%.txt}.mmampd.log

# its own process group (setsid), as the e2e harness runs it: a stopped core is killed with
# its group
coproc D { exec setsid "$mmampd" -F -r "$rt" -p "$build/platforms/imx8qxp-sim.dtb" -f "$fwdir" \
             --simcore "$build/ports/sim/mmamp-simcore" --no-auto-boot --ready-fd 3 3>&1 >/dev/null 2>"$log"; }
d_pid=$D_PID
read -r -N1 -t 20 -u "${D[0]}" k || { echo "mmampd did not get ready (see $log)" >&2; exit 1; }
[ "$k" = K ] || { echo "mmampd said '$k'" >&2; exit 1; }
rp=$rt/sys/class/remoteproc/remoteproc0
[ -e "$rp/state" ] || { echo "no sysfs face at $rp (see $log)" >&2; exit 1; }

# the core's process, never "kill 0" (our group) when there is none
SYSFS_CRASH="p=\$($mmamp -r $rt get m4_0 pid) && [ \"\$p\" -gt 1 ] && kill -KILL \$p" \
  /bin/busybox sh "$here/sysfs-script.sh" "$rp" >"$out"

"$mmamp" -r "$rt" shutdown >/dev/null
wait "$d_pid"
