#!/bin/sh
# wine_host.sh -- TH_HOST for the suites run under Wine (tests/windows/run_suites.py): starts
# textus-host.exe ($TH_WIN_EXE) with /usr/lib/wine/wine64 in $WINEPREFIX, arguments, stdin and
# stdout passed through, so tests/lib/nmhost.py and fakeworld.py drive it as the Linux binary.
# A TEXTUS_HOST_HOME given as a Unix path (/tmp/...) is handed over as Wine's Z: drive path
# (Z:/tmp/...): a bare /tmp/... is not absolute on Windows and the host refuses it.
# Wine's traces, warnings and fixmes are off (WINEDEBUG=-all,err+all) so that stderr holds the
# host's; Wine's errors stay on: a normal run prints none (the suites compare stderr exactly),
# and a failure of Wine's own then names itself in the failing check's stderr.
# `exec`: the caller's child is wine64 itself, so its exit status is what Wine reports: the
# host's exit code, or -9 when the wineserver killed it. The wineserver SIGKILLs a process that
# is still alive about 0.5 s after it asked to end (ExitProcess), so a host slow in its Unix
# exit on a loaded machine ends with -9 after a whole reply (tests/windows/test_wine_exit.py
# forces it; fakeworld.FakeWorld.req tells it from a host defect by the host's own log).
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
exec /usr/lib/wine/wine64 "$TH_WIN_EXE" "$@"
