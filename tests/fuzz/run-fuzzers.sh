#!/usr/bin/env bash
# run-fuzzers.sh BUILD SECONDS [MERGE] [NAMES...] — runs each libFuzzer target of BUILD (built
# by `make fuzz`) for SECONDS, one after the other on one core, over a scratch copy of its seed
# corpus in BUILD (tests/fuzz/corpus is never written unless MERGE=1, which merges new coverage
# back, inputs of at most 4 KiB). Prints executions and findings per fuzzer; exits non-zero if
# any fuzzer found something (the reproducer is in BUILD/fuzz-artifacts/<name>/).
set -uo pipefail
build=$1 seconds=$2 merge=${3:-0}
shift 3 2>/dev/null || shift $#
src=$(cd "$(dirname "$0")" && pwd)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(elf rsc_table rpmsg_host vring_device ns min_device)
bin=$build/tests/fuzz
status=0
summary=()
for n in "${names[@]}"; do
  work=$build/fuzz-corpus/$n art=$build/fuzz-artifacts/$n log=$build/fuzz-logs/$n.log
  mkdir -p "$work" "$art" "$(dirname "$log")"
  cp -n "$src/corpus/$n"/* "$work"/ 2>/dev/null || true
  echo "== fuzz_$n: ${seconds}s over $work"
  "$bin/fuzz_$n" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$art/" "$work" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/{print $NF}' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  found=$(ls "$art" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' | wc -l)
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    line="fuzz_$n: ${execs:-?} execs, cov ${cov:-?}, FINDINGS: $found (rc $rc) in $art — log $log"
    grep -m3 -E 'ERROR:|fuzz property violated|runtime error' "$log" | sed 's/^/    /'
  else
    line="fuzz_$n: ${execs:-?} execs in ${seconds}s, cov ${cov:-?}, findings: 0"
  fi
  echo "$line"
  summary+=("$line")
  if [ "$merge" = 1 ]; then
    "$bin/fuzz_$n" -merge=1 -max_len=4096 "$src/corpus/$n" "$work" >>"$log" 2>&1 &&
      echo "   merged new coverage into tests/fuzz/corpus/$n"
  fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
