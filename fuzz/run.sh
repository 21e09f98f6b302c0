#!/usr/bin/env bash
# Builds the libFuzzer targets (sanitize=fuzzer,address) and runs each for $1 seconds (default 60)
# on its corpus from fixtures/. A crash fails the run; its input is kept in .build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
swift="${SWIFT:-swift}"
declare -A corpus=(
  [signature]="fixtures/fuzz/signature"
  [payload]="fixtures/github fixtures/buildkite"
  [diff]="fixtures/fuzz/diff"
  [planner]="fixtures/fuzz/diff"
  [junit]="fixtures/fuzz/reports"
  [cobertura]="fixtures/fuzz/reports"
  [lcov]="fixtures/fuzz/reports"
  [artifact]="fixtures/fuzz/artifacts"
)
# FoundationXML leaks the CFError it makes for every parse error (inside the toolchain's
# _CFErrorCreateFromXMLInterface), so LeakSanitizer is off for the XML targets; AddressSanitizer
# and every other check stay on.
declare -A options=(
  [junit]="-detect_leaks=0"
  [cobertura]="-detect_leaks=0"
  [artifact]="-detect_leaks=0"
)
declare -A asan=(
  [junit]="detect_leaks=0"
  [cobertura]="detect_leaks=0"
  [artifact]="detect_leaks=0"
)
for name in signature payload diff planner junit cobertura lcov artifact; do
  log=$(mktemp)
  if ! TINYBUG_FUZZ=1 "$swift" build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    --product "fuzz-$name" >"$log" 2>&1; then
    grep -v "Cannot export local symbol" "$log" | tail -30 >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
done
bin=.build-fuzz/debug
mkdir -p .build-fuzz/crashes
for name in signature payload diff planner junit cobertura lcov artifact; do
  [ -x "$bin/fuzz-$name" ] || { echo "fuzz-$name did not build" >&2; exit 1; }
  work=".build-fuzz/corpus/$name"
  mkdir -p "$work"
  echo "fuzz-$name: ${seconds}s on ${corpus[$name]}"
  # The Swift runtime's own crash handler trips AddressSanitizer; libFuzzer reports crashes instead.
  set +e
  ASAN_OPTIONS="${asan[$name]:-}" SWIFT_BACKTRACE=enable=no "$bin/fuzz-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=".build-fuzz/crashes/$name-" -print_final_stats=1 ${options[$name]:-} "$work" ${corpus[$name]} 2>&1 \
    | grep -E "^(INFO: seed corpus|#[0-9]+\s+DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)|Fatal error|Precondition failed|Test unit written"
  status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { echo "fuzz-$name found a crash (exit $status): see .build-fuzz/crashes/" >&2; exit 1; }
done
