#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# m4_cost.sh — the Cortex-M4's instructions per 496-byte echo, counted exactly rather than with
# the 40-instruction stopwatch of test_icount_echo_cost: tests/qemu/test_qemu_machine runs the
# icount probe firmware as usual, but its QEMU (the one started with -icount) translates one
# instruction per block and logs every block it executes (-singlestep -d exec,nochain). Per echo
# — from one entry of the firmware's echo callback to the next — the instructions executed inside
# the IPC stack's core (functions linked from libmmamp_core, or rpmsg_min.c) and the copy
# routines are counted, by function, from the trace and the firmware's symbols and map file.
# Two kinds of echo, each with its median: "isolated" (the window holds a whole poll: entry, the
# status check, the drain, the idle check before the next doorbell) and "back-to-back" (the
# next message came while the poll was still draining: the drain went on, no poll entry). Which
# kind an echo is depends on when the host's next message came; within a kind the count
# repeats, on a loaded machine too. Where the instructions go is listed for the first kind seen. The ISR, the runtime's loop and the board are not counted
# (they are the port's and the application's, as in make size).
#
#   bench/m4_cost.sh [BUILD_DIR]       (default build/gcc; needs its m4/ build and qemu-system-arm)
set -euo pipefail
build=${1:-build/gcc}
fw=$build/m4/ports/qemu-mps2
test=$build/tests/qemu/test_qemu_machine
for t in qemu-system-arm arm-none-eabi-nm; do
  command -v $t >/dev/null || { echo "m4_cost: $t is needed" >&2; exit 2; }
done
[ -x "$test" ] && [ -r "$fw/fw_echo_probe.elf" ] ||
  { echo "m4_cost: $test or $fw is missing: make build-gcc first" >&2; exit 2; }
qemu=$(command -v qemu-system-arm)
out=$(mktemp -d /tmp/mmamp-m4-cost-XXXXXX)
trap 'rm -rf "$out"' EXIT

# The QEMU the test starts: traced when it is the -icount one (the measurement), as is otherwise.
mkdir "$out/bin"
cat >"$out/bin/qemu-system-arm" <<EOF
#!/bin/sh
for a in "\$@"; do
  [ "\$a" = -icount ] && exec "$qemu" "\$@" -singlestep -d exec,nochain -D "$out/trace"
done
exec "$qemu" "\$@"
EOF
chmod +x "$out/bin/qemu-system-arm"

# count NAME CALLBACK POLL FW_ECHO FW_B FW_FAULT PROBE: run the test with PROBE, report its echoes
count() {
  local name=$1 cb=$2 poll=$3 probe=$fw/$7
  rm -f "$out/trace"
  if ! PATH="$out/bin:$PATH" "$test" "$fw/qemu_bootrom.elf" "$fw/$4" "$fw/$5" "$fw/$6" \
       "$probe=0" >"$out/test.log" 2>&1; then
    echo "m4_cost: $name: the test failed (its log: $out/test.log)" >&2
    cat "$out/test.log" >&2
    return 1
  fi
  arm-none-eabi-nm -n "${probe%.elf}.elf" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' >"$out/syms"
  # the core's functions: input sections .text.NAME from libmmamp_core*.a or rpmsg_min.c.obj
  awk '/^ \.text\./ { n = substr($1, 7); sub(/\..*/, "", n); f = $4; if (f == "") { getline; f = $3 }
                      if (f ~ /libmmamp_core|rpmsg_min\.c\.obj/) print n }' \
      "${probe%.elf}.map" >"$out/core"
  printf '%s\n' memcpy memmove memset mmamp_qemu_copy >>"$out/core"
  awk -v name="$name" -v cb="$cb" -v poll="$poll" '
    # addresses stay text ("" $1): 8 hex digits compare as text, and some look like numbers
    FILENAME == ARGV[1] { a[ns] = "" $1; s[ns++] = $2; if ($2 == cb) cba = "" $1
                          if ($2 == poll) pa = "" $1; next }
    FILENAME == ARGV[2] { core[$1] = 1; next }
    function fn(pc,    lo, hi, mid) {   # the function holding pc
      lo = 0; hi = ns - 1
      if (pc < a[0]) return "?"
      while (lo < hi) { mid = int((lo + hi + 1) / 2); if (a[mid] <= pc) lo = mid; else hi = mid - 1 }
      return s[lo]
    }
    function close_window(    k, c, i) {
      if (open && total) {
        c = polled ? "isolated" : "back-to-back"; i = nw[c] + 0
        tot[c, i] = total; for (k in cnt) per[c, i, k] = cnt[k]; nw[c] = i + 1
      }
      split("", cnt); total = 0; polled = 0
    }
    /^Trace / {
      split($4, f, "/"); pc = "" f[2]
      if (pc == cba) { close_window(); open = 1 }
      if (!open) next
      if (pc == pa) polled = 1
      g = fn(pc); sub(/\..*/, "", g)
      if (g in core) { cnt[g]++; total++; seen[g] = 1 }
    }
    # the median of class c, and (detail) where it goes
    function report(c, detail,    i, j, n, t, v, med, m, k) {
      n = nw[c]
      if (!n) return
      for (i = 0; i < n; i++) v[i] = tot[c, i]
      for (i = 1; i < n; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      med = v[int(n / 2)]
      printf "%-8s %5d per echo, %s (median of %d echoes; min %d, max %d)\n", name, med, c, n, v[0], v[n - 1]
      if (!detail) return
      for (i = 0; i < n; i++) if (tot[c, i] == med) { m = i; break }
      for (k in seen) if (per[c, m, k]) printf "%8d  %s\n", per[c, m, k], k | "sort -rn"
      close("sort -rn")
    }
    END {
      close_window()
      if (!nw["isolated"] && !nw["back-to-back"]) { printf "%-8s no echo was traced\n", name; exit 1 }
      report("isolated", 1)
      report("back-to-back", !nw["isolated"])
    }' "$out/syms" "$out/core" "$out/trace"
}

printf '# Cortex-M4 (QEMU mps2-an386) instructions per 496-byte echo inside the IPC stack, exact\n'
count full echo_cb mmamp_rpmsg_poll fw_echo.elf fw_echo_b.elf fw_echo_fault.elf fw_echo_probe.elf
count min echo mmamp_min_poll fw_echo_min.elf fw_echo_min_b.elf fw_echo_min_fault.elf \
      fw_echo_min_probe.elf
count min-copy echo mmamp_min_poll fw_echo_min.elf fw_echo_min_b.elf fw_echo_min_fault.elf \
      fw_echo_min_copy_probe.elf
