#!/usr/bin/env bash
# Runs every libFuzzer target (ASan+UBSan) for SECONDS each, starting from a
# copy of its committed corpus; fails on any crash, leak or sanitizer report.
#   scripts/fuzz.sh BUILD_DIR [SECONDS [TARGET...]]   (BUILD_DIR configured with -DNLPP_FUZZ=ON;
#   default: every target, one after the other)
set -euo pipefail
build=$1 secs=${2:-600}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if ((${#targets[@]} == 0)); then
  for bin in "$build"/fuzz/fuzz_*; do [[ $bin == *_replay ]] || targets+=("${bin##*/fuzz_}"); done
fi
for t in "${targets[@]}"; do
  bin=$build/fuzz/fuzz_$t
  work=$(mktemp -d)
  cp fuzz/corpus/"$t"/* "$work/"
  log=$(mktemp)
  if ! "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 -rss_limit_mb=2048 "$work" >"$log" 2>&1; then
    tail -n 40 "$log"; echo "fuzz $t: FAILED" >&2; exit 1
  fi
  echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') executions in ${secs}s, no findings"
  rm -rf "$work" "$log"
done
