#!/bin/sh
# wine_host.sh -- TH_HOST for the suites run under Wine (tests/windows/run_suites.py): starts
# textus-host.exe ($TH_WIN_EXE) with /usr/lib/wine/wine64 in $WINEPREFIX, arguments, stdin and
# stdout passed through, so tests/lib/nmhost.py and fakeworld.py drive it as the Linux binary.
# A TEXTUS_HOST_HOME given as a Unix path (/tmp/...) is handed over as Wine's Z: drive path
# (Z:/tmp/...): a bare /tmp/... is not absolute on Windows and the host refuses it.
# Wine's traces, warnings and fixmes are off (WINEDEBUG=-all,err+all) so that stderr holds the
# host's; Wine's errors stay on: a normal run prints none (the suites compare stderr exactly),
# and a failure of Wine's own then names itself in the failing check's stderr.
# Native messaging is `exec`ed: the caller's child is wine64 itself, so its exit status is
# what Wine reports: the host's exit code, or -9 when the wineserver killed it. The wineserver
# SIGKILLs a process that is still alive about 0.5 s after it asked to end (ExitProcess), so a
# host slow in its Unix exit on a loaded machine ends with -9 after a whole reply
# (tests/windows/test_wine_exit.py forces it; fakeworld.FakeWorld.req tells it from a host
# defect by the host's own log). A command line is run here, and once more when it ended
# inside Wine's startup, before the host's code ran (below).
: "${TH_WIN_EXE:?TH_WIN_EXE names textus-host.exe}"
: "${WINEPREFIX:?WINEPREFIX names the Wine prefix}"
case "${TEXTUS_HOST_HOME:-}" in
/*)
    TEXTUS_HOST_HOME="Z:$TEXTUS_HOST_HOME"
    export TEXTUS_HOST_HOME
    ;;
esac
WINEDEBUG=-all,err+all
export WINEDEBUG WINEPREFIX
# TH_WINE_LD_PRELOAD (tests/windows/test_wine_exit.py): an LD_PRELOAD for wine64 alone, not for
# this script's own tools (a path without blanks)
WINE64=/usr/lib/wine/wine64
if [ -n "${TH_WINE_LD_PRELOAD:-}" ]; then
    WINE64="env LD_PRELOAD=$TH_WINE_LD_PRELOAD $WINE64"
fi
# Native-messaging mode (an origin, --parent-window=N, or nothing at all): exec, as said above
# (tests/lib/nmhost.py one_shot runs again a one-shot host that died inside Wine's startup).
# So is a command line whose stdin is a terminal, or whose caller set a TEXTUS_HOST_LOG this
# script cannot read or that holds no start line yet (not shown to be one the host can write:
# a missing start line would then prove nothing).
case "${1:-}" in
chrome-extension://* | --parent-window=* | "")
    exec $WINE64 "$TH_WIN_EXE" "$@"
    ;;
esac
[ -t 0 ] && exec $WINE64 "$TH_WIN_EXE" "$@"
log= skip=0
if [ -n "${TEXTUS_HOST_LOG:-}" ]; then
    case "$TEXTUS_HOST_LOG" in
    Z:/*) log=${TEXTUS_HOST_LOG#Z:} ;;
    /*) log=$TEXTUS_HOST_LOG ;;
    esac
    if [ -z "$log" ] || ! grep -qs '\] start ' "$log"; then
        exec $WINE64 "$TH_WIN_EXE" "$@"
    fi
    skip=$(wc -c <"$log")
fi
# A command line (issue P: `outbox flush` once exited 1 with nothing on stdout): the host logs
# to a file of this run, or to the caller's, after what it held ("start cli <command>" is
# its first line: host/main.c; another process's start line there only stops a rerun). Exit status
# not 0, nothing on stdout, nothing on stderr but Wine's own lines ("0024:err:...") and no
# start line: the process ended inside Wine's startup, before the host's code ran. That is
# said in a WINE line ($TH_WINE_NOTES, else stderr) and the command runs once more. Its stdin
# is not buffered: the dead process read none of it (the host reads stdin only after the start
# line), so the rerun finds it whole. With the start line it is the host's failure, as is.
# stdout and stderr go through files (given to the caller when the run is over); exit 137 (the
# host's os_kill_self, or the wineserver's SIGKILL) is passed on as -9, any other code as is.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/th-wine-cli-XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT
# a signal to this script (INT, TERM, HUP): $tmp removed, then this script ends by the same
# signal, as its caller would see wine64 end
for sig in INT TERM HUP; do
    # shellcheck disable=SC2064
    trap "rm -rf \"\$tmp\"; trap - $sig EXIT; kill -s $sig \$\$" $sig
done
if [ -z "$log" ]; then
    log=$tmp/host.log
    TEXTUS_HOST_LOG="Z:$log"
    export TEXTUS_HOST_LOG
fi
try=1
while :; do
    t0=$(date +%s%N)
    $WINE64 "$TH_WIN_EXE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    # the signatures seen, and no others (tests/lib/nmhost.py wine_before_host says why): exit
    # 1, nothing on stdout, within 300 ms with nothing on stderr or with nothing there but
    # Wine's c0000018 line; and no start line of this run in the log
    wine=
    if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] &&
        ! tail -c +$((skip + 1)) "$log" 2>/dev/null | grep -q '\] start cli '; then
        if [ ! -s "$tmp/err" ]; then
            [ "$ms" -le 300 ] && wine="nothing on stdout or stderr"
        elif ! grep -v '^\([0-9a-f]\{4\}:\)\{0,1\}err:[^ ]* wine: failed to map the shared user data: c0000018$' "$tmp/err" | grep -q .; then
            wine="nothing but Wine's own lines ($(tail -c 400 "$tmp/err" | tr '\n' ' '))"
        fi
    fi
    if [ -n "$wine" ]; then
        if [ "$try" = 1 ]; then
            note="WINE: the process ended in $ms ms with exit $rc and $wine, before the host's first log line: taken for Wine's startup; \`$1\` run again"
        else
            note="WINE: the process ended in $ms ms with exit $rc and $wine, before the host's first log line: taken for Wine's startup again: not a one-off; \`$1\` not run again"
        fi
        if [ -n "${TH_WINE_NOTES:-}" ]; then
            printf '%s\n' "$note" >>"$TH_WINE_NOTES"
        else
            printf '%s\n' "$note" >&2
        fi
        [ "$try" = 2 ] && break
        try=2
        continue
    fi
    break
done
cat "$tmp/out"
cat "$tmp/err" >&2
rm -rf "$tmp"
trap - EXIT INT TERM HUP
# 137: the host's os_kill_self (SIGKILL), passed on as -9; any other code is a code (a 147 or
# 148 passed on as SIGTSTP/SIGTTIN would stop this script and hang its caller)
if [ "$rc" = 137 ]; then
    kill -s KILL $$
fi
exit "$rc"
