#!/usr/bin/env bash
# test.sh — the one test command (README). On a fresh Debian machine it installs
# what it needs, builds, and runs every test:
#   1. bootstrap (apt-get, only what is missing)
#   2. house checks (banned functions, clang-format)
#   3. release-style build (gcc) with test failpoints, in build-test/ (never build/, which
#      scripts/install.sh installs from and refuses when it has failpoints) + ctest
#      (unit, protocol, protocol under valgrind, hardening of the built files, the .deb, ...)
#   4. ASan+UBSan build (clang) with the libFuzzer targets + ctest, which ends
#      with each fuzz target run for a fixed time over its seed corpus. This
#      build has no failpoints, as a release build: it proves none are compiled
#      in (send_no_failpoints), and its hard-stop tests use kill -9 only.
#   5. Windows: scripts/build-windows.sh (libraries cached in build-win/) + the Wine tests
# Both builds treat warnings as errors (TH_WERROR=ON; a plain cmake build does not).
# Exits non-zero on any failure. FUZZ_SECONDS sets the per-target budget (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

echo "== bootstrap"
scripts/bootstrap.sh

echo "== house checks"
scripts/check-banned.sh
scripts/check-format.sh

echo "== build (RelWithDebInfo, gcc, with test failpoints, in build-test/)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_FAILPOINTS=ON \
    -DTH_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
(cd build-test && ctest --output-on-failure -j"$jobs")

echo "== build (ASan+UBSan + libFuzzer, clang)"
CC=clang cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DTH_SANITIZE=ON -DTH_FUZZ=ON \
    -DTH_FAILPOINTS=OFF -DTH_WERROR=ON >/dev/null
cmake --build build-san -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-san && ctest --output-on-failure -j"$jobs"

# 5. Windows: the libraries cross-built from Debian's source packages (cached in build-win/deps,
#    ~5 min the first time, nothing after), textus-host.exe, and its tests under Wine.
echo "== Windows (mingw-w64 cross-build, tested under Wine)"
cd "$root"
scripts/bootstrap.sh --windows
scripts/build-windows.sh all
# --repeat until-pass:2: under Wine a one-shot host has now and then ended without a reply in
# the middle of a suite (seen twice in about ten runs: a v3 flush after an unknown-outcome
# send, never on Linux; not diagnosed yet, issue P). A second try is printed in full by
# ctest, so a flake is never hidden: the log shows the failed attempt above the passing one.
# A host that ends without a reply now prints its exit code and stderr (fakeworld.req). Seen
# under Wine on a loaded machine, all rare, none on Linux: a host killed (exit -9, as
# wineserver's SIGKILL timer does to a process slow to exit) after its reply; a CLI run that
# ended with exit 1 and nothing on stdout or stderr; the retry stays until one is explained.
# Checked since (issue P, 21:10-21:45 runs): `wineserver -k` returns only once the server is
# gone (0.75 s, none left), so the next test's `wineserver -p` starts a fresh persistent one;
# a host started during a -k ends with exit 1 but says so ("wine client error:0: recvmsg:
# Connection reset by peer", 1 of 20 tries); a host alive when its wineserver is killed ends
# with exit 0 and nothing on stdout or stderr (3 of 3), so a missing reply with exit 0 means a
# wineserver that went away (only one prefix per checkout: never run a -k beside a suite). The
# host's stderr is unbuffered on a pipe under Wine (a line arrives at once and survives
# TerminateProcess) and frames go out through _write, so no output is lost in a C runtime
# buffer; the drivers have no timeout that returns None (read_reply waits for EOF; the others
# raise). cli_send_options failed every Wine run on the help pointer (fixed in test_send.py).
# bench_wine.py's cold runs did a -k on this same prefix: it has its own now (wine-bench).
# A clean loop (TH_SEND_SCENARIOS=cli_send_options, persistent server, one busy loop beside a
# CI run, load ~4): 147 runs, no missing reply, no exit -9, one silent exit 1 (run 83: `send
# --candidate 9999`, exit 1 as expected but its greenhouse_not_found message not on stderr),
# so output is lost now and then although stderr is unbuffered: not explained; the retry stays.
# run_suites.py prints when the prefix's wineserver changed during a suite.
(cd build-test && ctest -L windows --output-on-failure --repeat until-pass:2)
