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
# - A process that ends inside Wine's startup, before any of the host's code ran: exit 1, no
#   output, ~5 ms after its start (once in ~25,000 loop runs). Wine's source has a silent
#   exit there: a client that finds no wineserver socket starts a wineserver, and if that one
#   fails (exit status other than 2, or a signal) the client does `exit(status)`
#   (ntdll server_connect/start_server); forced in windows_wine_exit, it gives exactly that
#   signature (exit 1, 5-10 ms, nothing on stdout or stderr). Why the prefix's server socket
#   was missing at that moment in the loop is not known. Now recognised per process: the host
#   writes "start ..." first in its log (TEXTUS_HOST_LOG; the command line too since this
#   change), and a run with exit 1, nothing on stdout, no start line, and either nothing on
#   stderr within 300 ms or nothing there but Wine's c0000018 line (below) is said as "WINE:
#   the process ended in N ms with exit 1 and ...: taken for Wine's startup" and run once more
#   (never another exit code: 3 is the host's crash filter, which says so on stderr), that
#   one process only (nothing of the host ran: no request read, nothing sent): one-shot hosts
#   in nmhost.one_shot (FakeWorld.req/one_shot), command lines in wine_host.sh (stdin left
#   whole by the dead process). With a start line it is the host's failure and fails.
#   Also Wine's (its own err line on stderr, no thread id yet): `outbox flush` exit 1, no
#   stdout, stderr "err:virtual:virtual_alloc_first_teb wine: failed to map the shared user
#   data: c0000018" (an address clash in ntdll's startup), once in 3,739 ping+flush loop runs
#   on the shared machine; recognised the same way (forced in windows_wine_exit).
#   Earlier "one-shot host without a reply" and "`outbox flush` exit 1, empty stdout" failures
#   match these signatures but were never seen with a log, so they are not proven to be them.
# - Ours, fixed: in a fresh prefix (CI's) the tests ran under a wineserver that came and went
#   (wineboot's server is not persistent, and `wineserver -p` beside it changed nothing), so
#   a program starting while one server ended and the next began died in Wine's startup, and
#   hosts started two at once hung; tests/windows/wineprefix.py now makes the server
#   persistent and checks it.
# The whole-test retry stays (per ctest entry: windows_suites is three, so a retry runs one
# group again) for what cannot be run again per process: a long-lived host
# (nmhost.Host, two hosts at once) that dies in Wine's startup, and any signature not yet
# seen. --output-on-failure prints nothing of a test that passed, neither its WINE lines nor
# a failed try that its retry made good; so every WINE line of the run is printed below from
# ctest's own log of the tests' output (Testing/Temporary/LastTest.log), with its
# test's name. A retry that passed still shows only as that: read the log for its first try.
# Once CI shows only recognised WINE lines, the whole-test retry can go.
win_rc=0
(cd build-test && ctest -L windows --output-on-failure --repeat until-pass:2) || win_rc=$?
echo "== Windows: WINE lines of that run (Wine's failures recognised and run again)"
# (windows_wine_exit's own are left out: it forces each kind on purpose, to test the drivers)
awk '/^[0-9]+\/[0-9]+ Test: / { name = $3 }
     index($0, "WINE: ") && name != "windows_wine_exit" {
         n++; print name ": " substr($0, index($0, "WINE: ")) }
     END { if (!n) print "(none)" }' build-test/Testing/Temporary/LastTest.log ||
    echo "(build-test/Testing/Temporary/LastTest.log could not be read: WINE lines unknown)"
[ "$win_rc" = 0 ] || exit "$win_rc"
