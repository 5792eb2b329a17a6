#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# host_cost.sh — the host side's x86-64 instructions per polled 496-byte round trip, mmamp
# (the host library: mmamp_channel_send + the mmamp_rproc_poll that delivers the echo from the
# simulated core) next to the protocol floor's master (tests/interop's unchecked peer: its send
# and the step that takes the echo): mmamp-bench-rtt --cost under valgrind's callgrind,
# counting only inside those calls (the waiting for the other side is outside them), for FEW
# and MANY round trips; the difference over MANY - FEW is the cost of one. Instructions, not
# time: the figure repeats on a loaded machine. The simulated core runs natively, uncounted.
#
#   bench/host_cost.sh [BUILD_DIR]       (default build/gcc; FEW=2000 MANY=12000)
set -euo pipefail
build=${1:-build/gcc}
few=${FEW:-2000} many=${MANY:-12000}
bin=$build/bench/mmamp-bench-rtt
command -v valgrind >/dev/null || { echo "host_cost: valgrind is needed" >&2; exit 2; }
[ -x "$bin" ] || { echo "host_cost: $bin is missing: make build-gcc first" >&2; exit 2; }
out=$(mktemp -d /tmp/mmamp-host-cost-XXXXXX)
trap 'rm -rf "$out"' EXIT

# instructions inside the functions $3 and $4 for $2 round trips of $1 (valgrind's own
# chatter, e.g. about syscalls it does not know, is shown only when the run fails)
count() {
  valgrind --tool=callgrind -q --callgrind-out-file="$out/$1.$2" --collect-atstart=no \
           --toggle-collect="$3" --toggle-collect="$4" "$bin" --cost "$1" "$2" \
           >"$out/log" 2>&1 || { cat "$out/log" >&2; exit 1; }
  grep -v '^--[0-9]*--' "$out/log" >&2 || true
  awk '/^(summary|totals):/ {print $2; exit}' "$out/$1.$2"
}

printf '# host-side instructions per polled 496-byte round trip (x86-64, callgrind, (I(%d) - I(%d)) / %d)\n' \
       "$many" "$few" $(( many - few ))
declare -A per
for c in "mmamp:cost_send*:cost_poll*" "floor:cost_floor_tx*:cost_floor_rx*"; do
  IFS=: read -r what f1 f2 <<<"$c"
  a=$(count "$what" "$few" "$f1" "$f2")
  b=$(count "$what" "$many" "$f1" "$f2")
  per[$what]=$(( (b - a) / (many - few) ))
  printf '%-6s %6d instructions per round trip   (inside %s + %s)\n' "$what" "${per[$what]}" "$f1" "$f2"
done
awk -v m="${per[mmamp]}" -v f="${per[floor]}" \
    'BEGIN { if (f > 0) printf "ratio mmamp / floor (host side): %.2f\n", m / f }'
