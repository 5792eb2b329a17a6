#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_measureman.sh — MeasureMan inside the guest, through the real kernel (docs/linux-host.md,
# "MeasureMan inside the guest"): measureman-guest (static) on the board platform installs
# fw_measure through /sys/class/remoteproc/remoteproc0, measures 2000 round trips of 496 bytes
# over /dev/ttyRPMSG0 with the driver's kick/doorbell stamps and the M4's clock offset
# (kernel/mmamp_rproc.c), prints Table 1 and writes its JSON to the root (hostfs), and puts the
# previous firmware back. Asserted: function, not latency — every reply verified, all five
# sections and the round trip present with non-zero values, no part longer than the whole,
# the firmware restored, a clean kernel log.
#
# Usage: test_measureman.sh BUILD_DIR MODULE_DIR
. "$(dirname "$0")/lib.sh"
linux_setup "$1" "$2"
linux_install_guest_tools "$1"
cp "$fwdir/fw_echo" "$fwdir/fw_measure" "$root/fw/"

cat > "$work/guest.sh" <<'GUEST'
R=/sys/class/remoteproc/remoteproc0
say "before: $(cat $R/firmware) $(cat $R/state)"
measureman --platform board --rproc $R --fw-dir /fw -l 2000 -q --json /tmp/table1.json \
  && say "measureman passed"
say "after: $(cat $R/firmware) $(cat $R/state)"
GUEST

linux_boot "$work/guest.sh" imx8qxp-sim "" 300

expect_in_order "$guest_log" \
  'MMAMP: before: fw_echo offline' \
  'remoteproc remoteproc0: Booting fw image fw_measure' \
  "creating channel rpmsg-tty addr 0x1f" \
  'remoteproc remoteproc0: stopped remote processor m4_0' \
  "MeasureMan: 496-byte payload, 2000 messages verified byte for byte, platform board \(remoteproc sysfs, the kernel's stamps\)" \
  "link: /dev/ttyRPMSG0 \+ the kernel's stamps \(/sys/class/remoteproc/remoteproc0/device; M4 clock [-+][0-9]+ ns from ours, ±128 ns\)" \
  'TTY-write +TTY-read +IPI to remote +IPI to host +remote processing +round trip' \
  '^Samples +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +2000' \
  'MMAMP: measureman passed' \
  'MMAMP: after: fw_echo offline' \
  'MMAMP: done'
expect_clean_guest
python3 - "$root/tmp/table1.json" <<'PY' || linux_fail "the Table 1 JSON is not plausible (above)"
import json, sys
j = json.load(open(sys.argv[1]))["measureman"]
run = j["run"]
sec = run["sections"]
bad = []
if run["messages"] != 2000 or run["mismatches"]:
    bad.append("messages %d, mismatches %d" % (run["messages"], run["mismatches"]))
whole = sec["round_trip"]
if whole["count"] != 2000:
    bad.append("round trip: %d samples" % whole["count"])
for k in ("tty_write", "ipi_to_remote", "remote_processing", "ipi_to_host", "tty_read"):
    s = sec[k]
    # Messages with a stale point are left out of a section; most are not.
    if s["count"] < 1000:
        bad.append("%s: only %d samples of 2000" % (k, s["count"]))
    if not (s["min_ns"] > 0 and s["p50_ns"] > 0):
        bad.append("%s: min %d ns, median %d ns: not measured" % (k, s["min_ns"], s["p50_ns"]))
    if s["max_ns"] > whole["max_ns"] or s["min_ns"] > whole["min_ns"]:
        bad.append("%s: %d..%d ns is longer than the round trip %d..%d ns"
                   % (k, s["min_ns"], s["max_ns"], whole["min_ns"], whole["max_ns"]))
for b in bad:
    print("table1.json:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
expect_in_order "$m4_console" 'fw_measure: boot build=1' 'fw_measure: link up'
echo "1 passed, 0 failed: MeasureMan measured all five sections through the real kernel"
