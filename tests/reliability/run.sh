#!/usr/bin/env bash
# run.sh — the reliability campaign (README, *Reliability*), through the real binary against the fakes.
#
#   tests/reliability/run.sh [--short] [--no-audit] [--no-fuzz] [--build DIR]
#
# Full (a few minutes, plus FUZZ_BUDGET seconds per fuzz target):
#   1. 200 randomized hard stops across the send flow (failpoints + SIGKILL), restart + flush
#   2. 8 host processes x 50 sends at once
#   3. a fault storm (about 20% of API requests: 5xx, 429 + Retry-After, drops, delays),
#      Harvest v1 and v3
#   3b. revocation: configure removes an extension's id while 3 of its ports send
#      (tests/reliability/revoke.py): each port's next frame is forbidden_origin, the host
#      exits 5, nothing sent after the revocation
#   4. >= 200 malformed frames through one long-lived host (tests/reliability/malformed.py)
#   4b. the lease race (campaign.py lease, v1 and v3): a stalled stdout and a slow note POST
#      against a flush whose clock faketime puts past the lease; one note per message
#   5. every libFuzzer target of the ASan+UBSan build (build-san, built when missing) for
#      FUZZ_BUDGET seconds (default 60) each; the exec counts are printed
#   6. the secrets audit with canary secrets, over this flow, the suite's own drivers and
#      the ctest logs (tests/reliability/secrets_audit.py --suite)
# --short (what ctest runs, well under 60 s): 25 stops, 4 x 10 parallel, a 20-send storm,
#   the revocation, the lease race (v1, about 5 s), the canary audit of the representative
#   flow; no fuzzing, no malformed (ctest runs that on its own).
# The fakes' rate limits are raised for the campaign (see relib.RAISED_LIMITS).
# Ends with a summary table; exits non-zero when any scenario failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
short=0 audit=1 fuzz=1 build=""
while [ $# -gt 0 ]; do
    case $1 in
    --short) short=1 ;;
    --no-audit) audit=0 ;;
    --no-fuzz) fuzz=0 ;;
    --build) build=$2; shift ;;
    *) echo "usage: run.sh [--short] [--no-audit] [--no-fuzz] [--build DIR]" >&2; exit 2 ;;
    esac
    shift
done
[ $short = 1 ] && fuzz=0

# The host under test: TH_HOST from ctest, else the gcc build with failpoints (built if needed).
if [ -z "${TH_HOST:-}" ]; then
    build=${build:-$root/build-test} # never build/: install.sh refuses a failpoint build
    if [ ! -x "$build/host/textus-host" ] || ! grep -q 'TH_FAILPOINTS:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "== building $build (RelWithDebInfo, TH_FAILPOINTS=ON)"
        cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_FAILPOINTS=ON >/dev/null || exit 1
        cmake --build "$build" -j2 >/dev/null || exit 1
    fi
    export TH_HOST=$build/host/textus-host TH_BUILD_DIR=$build
fi
if [ -z "${TH_FAILPOINTS_BUILT:-}" ] && grep -q 'TH_FAILPOINTS:BOOL=ON' "$(dirname "$(dirname "$TH_HOST")")/CMakeCache.txt" 2>/dev/null; then
    export TH_FAILPOINTS_BUILT=1
fi
[ "${TH_FAILPOINTS_BUILT:-}" = 1 ] || echo "note: $TH_HOST has no failpoints (TH_FAILPOINTS=OFF): the hard stops are SIGKILLs only"
export TH_SOURCE_DIR=${TH_SOURCE_DIR:-$root}
export TH_BUILD_DIR=${TH_BUILD_DIR:-$(dirname "$(dirname "$TH_HOST")")}
cd "$here"

summary=$(mktemp "${TMPDIR:-/tmp}/th-reliab-summary.XXXXXX")
logdir=$(mktemp -d "${TMPDIR:-/tmp}/th-reliab-logs.XXXXXX")
trap 'rm -f "$summary"; rm -rf "$logdir"' EXIT
failed=0
started=$(date +%s)

step() { # step NAME CMD...: run, keep the output, say how it ended
    local name=$1; shift
    echo "== $name"
    local t0=$(date +%s)
    "$@" >"$logdir/$name.log" 2>&1
    local rc=$?
    grep -E '^(FAIL|FINDING|HIT|calibration|modes|SIGKILLs|parallel:|storm:|revoke:|lease:|audit:|suite|malformed|fuzz_)' "$logdir/$name.log" | head -40
    tail -1 "$logdir/$name.log"
    echo "   ($name: exit $rc, $(( $(date +%s) - t0 )) s)"
    if [ $rc -ne 0 ]; then
        failed=1
        echo "---- last lines of $name"; tail -30 "$logdir/$name.log"
    fi
    return $rc
}

py=${PYTHON:-python3}
if [ $short = 1 ]; then
    step stops $py campaign.py stops --short --summary "$summary"
    step parallel $py campaign.py parallel --short --summary "$summary"
    step storm $py campaign.py storm --short --summary "$summary"
    step revoke $py revoke.py --summary "$summary"
    step lease $py campaign.py lease --short --summary "$summary"
else
    step stops $py campaign.py stops --summary "$summary"
    step parallel $py campaign.py parallel --summary "$summary"
    step storm-v1 $py campaign.py storm --gen v1 --summary "$summary"
    step storm-v3 $py campaign.py storm --gen v3 --seed 11 --summary "$summary"
    step revoke $py revoke.py --summary "$summary"
    step lease-v1 $py campaign.py lease --gen v1 --summary "$summary"
    step lease-v3 $py campaign.py lease --gen v3 --summary "$summary"
    if step malformed $py malformed.py; then res=PASS; else res=FAIL; fi
    n=$(grep -oE 'malformed campaign: [0-9]+ requests' "$logdir/malformed.log" | grep -oE '[0-9]+')
    printf '{"scenario": "malformed frames (one long-lived host)", "requests": %s, "messages": "-", "notes": "-", "duplicates": "-", "extra": "structured errors, host kept serving", "result": "%s"}\n' \
        "${n:-0}" "$res" >>"$summary"
fi

if [ $fuzz = 1 ]; then
    san=$root/build-san
    budget=${FUZZ_BUDGET:-60}
    echo "== fuzzing (ASan+UBSan, $budget s per target, $san)"
    if ! ls "$san"/tests/fuzz_* >/dev/null 2>&1; then
        echo "   building $san (clang, ASan+UBSan, libFuzzer)"
        CC=clang cmake -S "$root" -B "$san" -DCMAKE_BUILD_TYPE=Debug -DTH_SANITIZE=ON -DTH_FUZZ=ON \
            -DTH_FAILPOINTS=ON >/dev/null && cmake --build "$san" -j2 >/dev/null || { echo "build-san failed"; failed=1; }
    else
        cmake --build "$san" -j2 >/dev/null || { echo "build-san failed"; failed=1; }
    fi
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    for t in "$san"/tests/fuzz_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        corpus=$root/tests/fuzz/corpus/${name#fuzz_}
        out=$(FUZZ_SECONDS=$budget nice "$root/tests/fuzz/run_fuzz.sh" "$t" "$corpus" 2>&1)
        rc=$?
        line=$(echo "$out" | grep -E "^$name: " | tail -1)
        echo "   $line"
        execs=$(echo "$line" | grep -oE '[0-9]+ executions' | grep -oE '[0-9]+')
        if [ $rc -eq 0 ]; then res=PASS; else res="FAIL (finding)"; failed=1; echo "$out" | tail -40; fi
        printf '{"scenario": "fuzz %s (%s s, ASan+UBSan)", "requests": %s, "messages": "-", "notes": "-", "duplicates": "-", "extra": "executions, findings %s", "result": "%s"}\n' \
            "$name" "$budget" "${execs:-0}" "$([ $rc -eq 0 ] && echo 0 || echo '>=1')" "$res" >>"$summary"
    done
fi

if [ $audit = 1 ]; then
    if [ $short = 1 ]; then
        step audit $py secrets_audit.py --summary "$summary"
    else
        step audit $py secrets_audit.py --suite --ctest-dir "$TH_BUILD_DIR" --summary "$summary"
    fi
fi

echo
echo "reliability summary ($([ $short = 1 ] && echo short || echo full); $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; host $TH_HOST; $(( $(date +%s) - started )) s)"
$py - "$summary" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cols = ["scenario", "requests", "messages", "notes", "duplicates", "result", "extra"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
EOF
if [ $failed = 0 ]; then echo "reliability: all scenarios passed"; else echo "reliability: FAILED"; fi
exit $failed
