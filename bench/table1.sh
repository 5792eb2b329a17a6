#!/usr/bin/env bash
# table1.sh — the full reproduction of the paper's Table 1 on this machine: 4,000,000 round
# trips of 496 bytes through the simulated M4, without and with the RT settings (SCHED_FIFO,
# mlockall, pinning), the spin / futex / UNIX-socket baselines in the same run, and the
# outputs: JSON, cyclictest histogram, SVG/PNG plots, a Perfetto trace of the slowest messages
# and a markdown summary. Results go to a directory outside git; commit none of them.
#
#   bench/table1.sh [BUILD_DIR] [RESULTS_DIR] [LOOPS]
#     BUILD_DIR    a built tree (default build/gcc)
#     RESULTS_DIR  default /tmp/measureman-table1-<date>
#     LOOPS        default 4000000 (the paper's); e.g. 200000 for a quick look
set -euo pipefail

build=$(cd "${1:-build/gcc}" && pwd)
out=${2:-/tmp/measureman-table1-$(date +%Y%m%d-%H%M%S)}
loops=${3:-4000000}
mm=$build/tools/measureman/measureman
[ -x "$mm" ] || { echo "table1: $mm is missing: build first (make build-gcc)" >&2; exit 1; }
case "$out" in "$(git rev-parse --show-toplevel 2>/dev/null || echo /nonexistent)"/*)
  echo "table1: $out is inside the git tree: results are never committed, use another" >&2
  exit 1;;
esac
mkdir -p "$out"

echo "table1: $loops round trips per run, results in $out" >&2
"$mm" -l "$loops" --rt-compare --baselines=$(( loops < 1000000 ? loops : 1000000 )) \
  -h 2000 --histfile "$out/histogram.txt" --json "$out/table1.json" \
  --plots "$out/plots" --trace "$out/slowest.trace.json" --trace-slowest 50 \
  | tee "$out/table1.txt"

{
  echo "# MeasureMan: Table 1 reproduction"
  echo
  echo "- machine: $(uname -srm), $(nproc) CPUs; $(date -R)"
  echo "- command: \`$mm -l $loops --rt-compare --baselines ...\`"
  echo "- 496-byte payload, every reply verified byte for byte; paper figures (i.MX8X, PREEMPT_RT,"
  echo "  4,000,000 samples) in parentheses"
  echo
  echo '```'
  cat "$out/table1.txt"
  echo '```'
  echo
  echo "Files: \`table1.json\` (rt-tests-style JSON), \`histogram.txt\` (cyclictest's block),"
  echo "\`plots/\` (histogram + CDF per section, SVG and PNG), \`slowest.trace.json\` (open in"
  echo "ui.perfetto.dev: the 50 slowest messages across both cores)."
} > "$out/summary.md"
echo "table1: wrote $out/summary.md" >&2
