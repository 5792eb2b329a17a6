#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# remote_cost.sh — the remote's x86-64 instructions per 496-byte echo, for the full and the
# minimal profile: mmamp-bench-remote-cost under valgrind's callgrind, counting only inside the
# remote side's step (link_remote_step: its poll — delivery, the echo's copy and send, the
# buffer's return; the Linux-like master's side is not counted), for FEW and MANY echoes; the
# difference over MANY - FEW is the cost of one echo. Instructions, not time: the figure repeats
# on a loaded machine. The core is compiled as firmware has it: remote-only, gcc -O2.
#
#   bench/remote_cost.sh [BUILD_DIR]       (default build/gcc; FEW=2000 MANY=12000)
set -euo pipefail
build=${1:-build/gcc}
few=${FEW:-2000} many=${MANY:-12000}
bin=$build/bench/mmamp-bench-remote-cost
command -v valgrind >/dev/null || { echo "remote_cost: valgrind is needed" >&2; exit 2; }
[ -x "$bin" ] || { echo "remote_cost: $bin is missing: make build-gcc first" >&2; exit 2; }
out=$(mktemp -d /tmp/mmamp-remote-cost-XXXXXX)
trap 'rm -rf "$out"' EXIT

# instructions inside the profile's poll for $2 echoes
count() {
  local fn=$3
  valgrind --tool=callgrind -q --callgrind-out-file="$out/$1.$2" --collect-atstart=no \
           --toggle-collect="$fn" "$bin" "$1" "$2"
  awk '/^(summary|totals):/ {print $2; exit}' "$out/$1.$2"
}

printf '# remote instructions per 496-byte echo (x86-64, callgrind, (I(%d) - I(%d)) / %d)\n' \
       "$many" "$few" $(( many - few ))
for p in full:link_remote_step min:link_remote_step; do
  prof=${p%%:*} fn=${p#*:}
  a=$(count "$prof" "$few" "$fn")
  b=$(count "$prof" "$many" "$fn")
  printf '%-5s %6d instructions per echo   (inside %s)\n' "$prof" $(( (b - a) / (many - few) )) "$fn"
done
