#!/usr/bin/env bash
# run_fuzz.sh TARGET SEED_DIR — run one libFuzzer target for FUZZ_SECONDS (default 20)
# over a scratch copy of its seed corpus; print the exec count; fail on any finding.
set -euo pipefail
target=$1 seeds=$2 secs=${FUZZ_SECONDS:-20}
name=$(basename "$target")
work=$(mktemp -d "${TMPDIR:-/tmp}/th-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
set +e
"$target" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
set -e
execs=$(grep -E 'stat::number_of_executed_units' "$work/log" | awk '{print $2}')
echo "$name: ${execs:-0} executions in ${secs}s, exit $rc"
if [ $rc -ne 0 ] || ls "$work/artifacts" | grep -q .; then
    tail -60 "$work/log"
    for a in "$work"/artifacts/*; do [ -e "$a" ] && { echo "crash input (base64):"; base64 -w0 "$a" | head -c 4000; echo; }; done
    exit 1
fi
