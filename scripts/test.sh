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
# --repeat until-pass:2: under Wine, on a loaded machine, a check of windows_suites has failed
# now and then (about once in 5-10 runs) and passed on the retry; ctest prints the failed try in
# full above the passing one, so a flake is never hidden. What is known (issue P):
# - A host killed (-9) after its whole reply: the wineserver SIGKILLs a process still alive
#   ~0.5 s after its ExitProcess, and a host slow in its Unix exit on a loaded machine overruns
#   that (2 in 86 loaded runs of the v1 conversation suite; forced and checked by
#   windows_wine_exit).
#   FakeWorld.req now tells it apart (the host's own log says "exit code=0" before the kill)
#   and prints "WINE: ..." instead of failing; a -9 without that line still fails.
# - A host alive when its prefix's wineserver is killed ends with exit 0 or -3 and no output:
#   only one prefix per checkout, never a `wineserver -k` beside a suite; run_suites.py says
#   when the server changed during a suite.
# - Not explained yet: a one-shot host ending without a reply (it now prints its exit code,
#   stderr and the last lines of its log) and a CLI run ending with exit 1 and empty stdout
#   (`outbox flush` in test_conversation at ddc8f79: it now prints its stderr too); neither
#   came back in those 86 runs nor in ~25,000 loaded loop runs of ping, send_sms, outbox flush
#   and a failing CLI command, but for one ping that ended with exit 1 and no output within
#   5 ms of its start: inside Wine's own startup (a bare C program takes ~13 ms there), before
#   any code of the host could run; how, not known (Wine's loader exits silently with the
#   status of a wineserver it had to start itself: one lead).
#   Ruled out before: a -k not waited for, C-runtime buffering of stderr or frames, a driver
#   timeout returning None. The retry stays until these are explained.
(cd build-test && ctest -L windows --output-on-failure --repeat until-pass:2)
