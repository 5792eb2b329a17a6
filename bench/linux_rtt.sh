#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# linux_rtt.sh — the 496-byte round trip through the real Linux kernel (docs/linux-host.md) next to
# mmamp's own host paths, all in one run: fw_echo on the simulated M4 every time, the echo of
# every message checked byte for byte.
#
#   in-process      the host library in this process, caller_polls, interrupt mode: the
#                   "mmamp interrupt" case of mmamp-bench-rtt (bench/rtt.c), the baseline
#   mmampd TTY      mmampd's <runtime>/ttyRPMSG30 (a PTY), mmamp-guest rtt on the host
#   kernel TTY      /dev/ttyRPMSG0 (rpmsg_tty) inside the User-Mode Linux guest, mmamp-guest rtt
#   kernel rpmsg    /dev/rpmsg0 (rpmsg_char) inside the guest, the same
#
# Prints median, p99, p99.9 and max per case (bench_stats.h's definitions) and each median's
# ratio to the in-process one of this run, then the kernel's own split of the TTY round trip
# (the driver's stamps, mmamp-guest rtt --times). A measurement, never a test: it fails only
# when a path does not work.
#
# mmamp-bench-rtt pins itself to CPU 0 and the core to CPU 1; the other cases run where the
# scheduler puts them (the kernel's path is a whole UML: its kernel, the guest process, mmamp-soc
# and the core).
#
#   bench/linux_rtt.sh [BUILD_DIR] [SAMPLES]   (defaults: build/gcc, 20000 per case)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build/gcc}" && pwd)
n=${2:-20000}
guest_tool=$build/tools/guest/mmamp-guest
for f in "$build/bench/mmamp-bench-rtt" "$build/tools/mmampd/mmampd" "$build/tools/mmamp/mmamp" \
         "$guest_tool"; do
  [ -x "$f" ] || { echo "linux_rtt: $f is missing: build first (make build-gcc)" >&2; exit 1; }
done
results=$(mktemp -d /tmp/mmamp-linux-rtt.XXXXXX)
trap 'rm -rf "$results"' EXIT
trap 'exit 143' TERM INT

# ---- in-process: mmamp-bench-rtt's interrupt case (its other cases are its own report) ----
echo "linux_rtt: in-process, $n round trips" >&2
"$build/bench/mmamp-bench-rtt" -n "$n" --json > "$results/inproc.json"

# ---- mmampd's TTY ----
echo "linux_rtt: mmampd TTY, $n round trips" >&2
rt=$results/mmampd
mkdir "$rt"
mmamp() { "$build/tools/mmamp/mmamp" -r "$rt" "$@"; }
mmampd_down() { mmamp shutdown >/dev/null 2>&1 || true; }
trap 'mmampd_down; rm -rf "$results"' EXIT
"$build/tools/mmampd/mmampd" -r "$rt" --no-sysfs
mmamp firmware m4_0 fw_echo
mmamp state m4_0 start
mmamp wait m4_0 running --channel rpmsg-virtual-tty-channel-1 >/dev/null
"$guest_tool" rtt "$rt/ttyRPMSG30" -n "$n" --out "$results/mmampd-tty.txt" >&2
mmampd_down
trap 'rm -rf "$results"' EXIT

# ---- the real kernel (the linux tests' harness: its trap takes everything down) ----
echo "linux_rtt: the real kernel, $n round trips per device" >&2
"$repo/tests/linux/build-module.sh" "$repo" "$build/tests/linux/module" >/dev/null
. "$repo/tests/linux/lib.sh"
linux_setup "$build" "$build/tests/linux/module"
# From here the harness's trap owns the clean-up: the results go with its work directory.
mv "$results" "$work/results"
results=$work/results
linux_install_guest_tools "$build"
cp "$fwdir/fw_echo" "$root/fw/"
cat > "$work/guest.sh" <<GUEST
R=/sys/class/remoteproc/remoteproc0
echo fw_echo > \$R/firmware; echo start > \$R/state
wait_for /dev/ttyRPMSG0 && wait_for /dev/rpmsg0
mmamp-guest rtt /dev/ttyRPMSG0 -n $n --warmup 100 --times \$R/device --out /tmp/kernel-tty.txt
mmamp-guest rtt /dev/rpmsg0 -n $n --warmup 100 --out /tmp/kernel-rpmsg.txt
echo stop > \$R/state
GUEST
linux_boot "$work/guest.sh" imx8qxp-sim "" 600
expect_clean_guest
cp "$root/tmp/kernel-tty.txt" "$root/tmp/kernel-rpmsg.txt" "$results/"

python3 - "$results" "$n" <<'PY'
import json, os, sys
res, n = sys.argv[1], int(sys.argv[2])

def summary(name, path):
    t = sorted(int(x.split()[0]) for x in open(os.path.join(res, path)))
    k = len(t)
    return (name, t[k // 2] / 1e3, t[int(k * 0.99)] / 1e3, t[int(k * 0.999)] / 1e3, t[-1] / 1e3)

inproc = next(c for c in json.load(open(os.path.join(res, "inproc.json")))["cases"]
              if c["name"].startswith("mmamp interrupt"))
rows = [("in-process: host library (interrupt)", inproc["median_us"], inproc["p99_us"],
         inproc["p99.9_us"], inproc["max_us"]),
        summary("mmampd TTY: ttyRPMSG30 (PTY)", "mmampd-tty.txt"),
        summary("kernel TTY: /dev/ttyRPMSG0 in UML", "kernel-tty.txt"),
        summary("kernel rpmsg_char: /dev/rpmsg0 in UML", "kernel-rpmsg.txt")]
print("# 496-byte round trip through fw_echo on the simulated M4, %d samples per case, one run" % n)
print("%-40s %10s %10s %10s %10s %14s" % ("case", "median_us", "p99_us", "p99.9_us", "max_us",
                                          "median_ratio"))
base = rows[0][1]
for name, p50, p99, p999, mx in rows:
    print("%-40s %10.2f %10.2f %10.2f %10.2f %13.1fx" % (name, p50, p99, p999, mx, p50 / base))
parts = [l.split() for l in open(os.path.join(res, "kernel-tty.txt"))]
parts = [[int(v) for v in p[1:]] for p in parts if len(p) == 4 and p[1] != "-"]
names = ("send->kick", "kick->doorbell", "doorbell->receive")
print("kernel TTY, split by the driver's stamps (%d of %d messages in order):" % (len(parts), n))
for i, name in enumerate(names):
    v = sorted(p[i] for p in parts)
    if v:
        print("  %-18s median %8.2f us  p99 %8.2f us  p99.9 %8.2f us" % (
            name, v[len(v) // 2] / 1e3, v[int(len(v) * 0.99)] / 1e3, v[int(len(v) * 0.999)] / 1e3))
slow = [p for p in parts if sum(p) > 5000000]
if slow:
    where = [max(range(3), key=lambda i: p[i]) for p in slow]
    print("  %d round trips over 5 ms; their longest part: %s" % (len(slow), ", ".join(
        "%s %d" % (names[i], where.count(i)) for i in range(3))))
PY
