#!/usr/bin/env bash
# bench.sh — speed and memory figures, measured side by side in one run and
# printed as one table: benchmark | measured | baseline | ratio | target | verdict.
# Release build in build-bench/ (-DCMAKE_BUILD_TYPE=Release -DTH_BENCH=ON).
# Figures are medians of repeated runs on this machine; MB = 10^6 bytes.
# Not a test: nothing fails on a slow machine (targets are reported, not enforced).
#
# Each section is a function appending TSV rows to $rows; add one by writing
# a function and listing it in `sections`. SPAWN_RUNS (default 300) sets the
# number of spawns per host. BENCH_ONLY=NAME runs only section_NAME (spawn,
# extract_phone, memory, send, latency, scale, quiet_zones, bulk), e.g. BENCH_ONLY=latency. BENCH_ONLY=wine
# runs only the ping under Wine (tests/windows/bench_wine.py: textus-host.exe against the bare
# echo_host.exe, cold and warm; needs scripts/build-windows.sh all; not in the default run).
# The scale section (tests/bench/bench_scale.py) runs N = SCALE_N (default 10,50,200,200x2:
# the last at twice a recruiter's pace, a busy hour at two thirds of the budget) host
# processes sharing one Harvest credential for SCALE_MINUTES (default 5) of recruiter time,
# compressed SCALE_SPEEDUP (default 5) times; it exits 1 on a duplicated or lost note.
# The latency section (tests/bench/latency/) prints its own table after the
# summary; LATENCY_RUNS (default 7), LATENCY_RTTS (default 0,20,50,100) and
# LATENCY_HARVEST (v1 or v3, default v1) tune it.
# The bulk section (tests/bench/bench_bulk.py) sends one bulk_send of BULK_N (default 500)
# candidates with TextUs's and Harvest v1's documented limits enforced by the fakes, time
# compressed BULK_SPEEDUP (default 5) times (about 2 minutes); its host is a Release build with
# TH_FAILPOINTS=ON in build-bench-bulk/ (only such a build lets the one-text-a-second pace be
# compressed); it exits 1 on a duplicated text or note, a lost note, or an unfinished bulk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="$root/build-bench"
rows=$(mktemp)
work=$(mktemp -d "${TMPDIR:-/tmp}/th-bench.XXXXXX")
trap 'rm -rf "$rows" "$work"' EXIT
origin="chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"

sections=(section_spawn section_extract_phone section_memory section_send section_latency section_scale
          section_quiet_zones section_bulk)
targets=(textus-host textus-host-engine textus-host-store)
if [ -n "${BENCH_ONLY:-}" ]; then
    case " ${sections[*]} section_wine " in
    *" section_$BENCH_ONLY "*) sections=("section_$BENCH_ONLY") ;;
    *)
        echo "bench.sh: BENCH_ONLY=$BENCH_ONLY is not a section (${sections[*]#section_})" >&2
        exit 2
        ;;
    esac
fi
case " ${sections[*]} " in
*" section_spawn "* | *" section_extract_phone "*)
    targets+=(bench_extract bench_echo_host bench_spawn_ping) ;;
esac
case " ${sections[*]} " in
*" section_quiet_zones "*) targets+=(quiet_tz_dump) ;;
esac
if [ "${sections[*]}" = section_bulk ]; then
    targets=(textus-host) # for the version line only
fi

echo "== build (Release, TH_BENCH=ON) in build-bench/" >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DTH_BENCH=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null
host="$build/host/textus-host"
case " ${sections[*]} " in
*" section_bulk "*)
    echo "== build (Release, TH_FAILPOINTS=ON: the bulk's pace compressed) in build-bench-bulk/" >&2
    cmake -S . -B "$root/build-bench-bulk" -DCMAKE_BUILD_TYPE=Release -DTH_FAILPOINTS=ON >/dev/null
    cmake --build "$root/build-bench-bulk" -j2 --target textus-host >/dev/null
    ;;
esac

row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }

# --- section: cold spawn -> ping ----------------------------------------------
# What Chrome pays per port: spawn, one ping, reply, EOF, exit. textus-host runs
# with a configured store and an existing outbox; the floor is a bare C host.
section_spawn() {
    local home="$work/home" n=${SPAWN_RUNS:-300} floor th ratio
    mkdir -p -m 700 "$home"
    printf '%s' '{"textus":{"token":"bench-token-0000","account":"bench","base_url":"http://127.0.0.1:9"},
                  "greenhouse":{"email":"bench@example.com","api_key":"bench-key-0000",
                  "base_url":"http://127.0.0.1:9","auth_url":"http://127.0.0.1:9"}}' |
        TEXTUS_HOST_HOME="$home" "$host" configure --no-verify >/dev/null
    TEXTUS_HOST_HOME="$home" "$host" outbox list >/dev/null 2>&1 || true
    read -r floor _ < <("$build/tests/bench_spawn_ping" "$n" "$build/tests/bench_echo_host")
    read -r th _ < <(TEXTUS_HOST_HOME="$home" "$build/tests/bench_spawn_ping" "$n" "$host" "$origin")
    ratio=$(awk -v a="$th" -v b="$floor" 'BEGIN{printf "%.2fx", a/b}')
    row "cold spawn -> ping reply (median of $n)" "$(awk -v a="$th" 'BEGIN{printf "%.0f us", a}')" \
        "$(awk -v a="$floor" 'BEGIN{printf "%.0f us bare C host", a}')" "$ratio" "<= 1.3x" \
        "$(awk -v a="$th" -v b="$floor" 'BEGIN{print (a/b <= 1.3) ? "met" : "missed"}')"
}

# --- section: phone extraction ---------------------------------------------
# extract_phone on 1 KiB, 64 KiB and 1 MiB of profile text: the scanner alone,
# the handler on a parsed request, the whole request from JSON text, and the
# scanner when the candidate's name is not on the page.
section_extract_phone() {
    local name input mbs ms verdict
    while IFS=$'\t' read -r name input mbs ms; do
        verdict=$(awk -v m="$mbs" 'BEGIN{print (m >= 200) ? "met" : "missed"}')
        row "$name, $input" "$mbs MB/s" "-" "$ms ms/call" ">= 200 MB/s, linear" "$verdict"
    done < <("$build/tests/bench_extract")
}

# --- section: memory ---------------------------------------------------------
section_memory() {
    python3 tests/bench/bench_flows.py rss-cap "$host" >>"$rows"
}

# --- section: the send flow against the loopback fakes -----------------------
# One send_sms in a one-shot host (what a click costs) against the curl CLI
# doing the SMS POST and the note POST as two processes; 100 sends over one
# long-lived port (connections opened at each fake, host CPU per send); peak
# RSS of a send.
section_send() {
    python3 tests/bench/bench_flows.py send "$host" >>"$rows"
}

# --- section: a click over a simulated network ------------------------------
# The host against the fakes over HTTPS through a latency proxy at several RTTs:
# one-shot click, warm-port reply and note, the curl pair, and the round trips
# on the critical path (tests/bench/latency/bench_latency.py). Its 50 ms rows go
# into the summary; its whole table is printed after it. Fails (exit 1) when a
# click did not give exactly one SMS and one note.
latency_table=
section_latency() {
    latency_table="$work/latency.txt"
    python3 tests/bench/latency/bench_latency.py "$host" --rows "$rows" >"$latency_table"
}

# --- section: a company's recruiters sharing one Harvest credential -----------
# N hosts, each its own state folder, one Harvest v1 key whose 50-per-10 s limit the fake
# enforces, one TextUs token each; texts at a recruiter's pace, time compressed; notes, their
# delays, the credential's requests, 429s and budget (tests/bench/bench_scale.py).
section_scale() {
    python3 tests/bench/bench_scale.py "$host" --n "${SCALE_N:-10,50,200,200x2}" \
        --minutes "${SCALE_MINUTES:-5}" --speedup "${SCALE_SPEEDUP:-5}" --rows "$rows"
}

# --- section: the quiet-hours zone table ------------------------------------------------------
# host/quiet_zones.inc: its size as text and compiled, and one quiet_local_time (binary search
# of the zone's offsets, the civil date, "HH:MM") against what quiet.c did before the table on
# Linux (setenv TZ, tzset, localtime_r), over 10^6 calls, every zone, 2020-2059
# (tests/quiet/quiet_tz_dump.c bench).
section_quiet_zones() {
    local bytes ns libc
    bytes=$("$build/tests/quiet_tz_dump" bench 1000000 | tee "$work/qz.txt" | awk '$1 == "table_bytes" {print $2}')
    ns=$(awk '$1 == "lookup_ns" {print $2}' "$work/qz.txt")
    libc=$(awk '$1 == "libc_ns" {print $2}' "$work/qz.txt")
    row "quiet zone table: host/quiet_zones.inc" "$(wc -c <host/quiet_zones.inc) bytes of text" \
        "-" "-" "-" "-"
    row "quiet zone table compiled (42 zones, 2020-2059)" "$bytes bytes" "-" "-" "-" "-"
    row "quiet_local_time (table, 10^6 calls)" "$ns ns/call" "$libc ns TZ+tzset+localtime_r" \
        "$(awk -v a="$ns" -v b="$libc" 'BEGIN{printf "%.3fx", a/b}')" "<= 1x" \
        "$(awk -v a="$ns" -v b="$libc" 'BEGIN{print (a <= b) ? "met" : "missed"}')"
}

# --- section: a bulk of 500 against the documented limits ----------------------------------
# One bulk_send of BULK_N candidates (about 2 % opted out, 2 % without a number), TextUs's 1,000
# per 5 min and Harvest v1's 50 per 10 s enforced by the fakes, windows and the host's pace
# compressed BULK_SPEEDUP times: the wall time (back to real time) against the floor (the largest
# of the requests spent over each limit and the one-text-a-second pace), requests per candidate
# per service, 429s, duplicate texts and lost notes (tests/bench/bench_bulk.py).
section_bulk() {
    python3 tests/bench/bench_bulk.py "$root/build-bench-bulk/host/textus-host" \
        --n "${BULK_N:-500}" --speedup "${BULK_SPEEDUP:-5}" --rows "$rows"
}

# --- section: ping under Wine (BENCH_ONLY=wine only) ---------------------------
section_wine() {
    python3 tests/windows/bench_wine.py "${WINE_COLD_RUNS:-5}" "${WINE_WARM_RUNS:-30}" \
        --rows "$rows" >&2
}

for s in "${sections[@]}"; do
    echo "== $s" >&2
    "$s"
done

echo
echo "textus-host $("$host" --version | awk '{print $2}') — $(date -u +%Y-%m-%d), $(uname -sm), $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
fmt='%-52s %-18s %-24s %-20s %-20s %s\n'
printf "$fmt" "benchmark" "measured" "baseline" "ratio" "target" "verdict"
printf "$fmt" "$(printf '%.0s-' {1..52})" "------------------" "------------------------" "--------------------" "--------------------" "-------"
while IFS=$'\t' read -r a b c d e f; do
    printf "$fmt" "$a" "$b" "$c" "$d" "$e" "$f"
done <"$rows"
if [ -n "$latency_table" ]; then
    cat "$latency_table"
fi
