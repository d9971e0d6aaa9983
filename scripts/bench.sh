#!/usr/bin/env bash
# bench.sh — throughput benchmarks, printed as one table. Release build in
# build-bench/ (cmake -DCMAKE_BUILD_TYPE=Release -DTH_BENCH=ON), -j2.
#
# Each section is a function that appends tab-separated rows
# "benchmark<TAB>input<TAB>MB/s<TAB>ms per call" to $rows; add a section by
# writing a function and listing it in `sections`. Figures are medians of
# repeated runs; MB = 10^6 bytes. Not a test: nothing fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/build-bench"
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

echo "== build (Release, TH_BENCH=ON) in build-bench/" >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DTH_BENCH=ON >/dev/null
cmake --build "$build" -j2 --target textus-host bench_extract >/dev/null

# --- section: phone extraction (issue C) -------------------------------------
# extract_phone on 1 KiB, 64 KiB and 1 MiB of profile text: the scanner alone,
# the handler on a parsed request, and the whole request from JSON text.
section_extract_phone() {
    "$build/tests/bench_extract" >>"$rows"
}

sections=(section_extract_phone)
for s in "${sections[@]}"; do
    echo "== $s" >&2
    "$s"
done

printf '%-30s %-22s %10s %12s\n' "benchmark" "input" "MB/s" "ms/call"
printf '%-30s %-22s %10s %12s\n' "------------------------------" "----------------------" "----------" "------------"
while IFS=$'\t' read -r name input mbs ms; do
    printf '%-30s %-22s %10s %12s\n' "$name" "$input" "$mbs" "$ms"
done <"$rows"
