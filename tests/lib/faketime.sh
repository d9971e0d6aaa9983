#!/bin/sh
# faketime.sh -f SPEC CMD [ARG...] — Debian's faketime, without its wrapper program.
#
# The faketime wrapper creates a named semaphore /faketime_sem_<its pid> with O_EXCL and
# removes it when it exits; one killed on the way (a test's timeout, kill -9) leaves it
# behind, and a later wrapper that happens to get the same pid fails with "faketime:
# sem_open: File exists" before the command even starts (a flake of the lease tests under
# ctest -j2). The library alone needs no semaphore: only the wrapper's shared clock does,
# and no test shares a fake clock between processes. So: the same library, the same spec
# (FAKETIME, as `faketime -f` sets it), straight through LD_PRELOAD.
set -eu
[ "${1:-}" = "-f" ] && [ $# -ge 3 ] || { echo "usage: faketime.sh -f SPEC CMD [ARG...]" >&2; exit 2; }
spec=$2
shift 2
for lib in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
    [ -f "$lib" ] && break
done
[ -f "$lib" ] || { echo "faketime.sh: libfaketime.so.1 not found (Debian package libfaketime)" >&2; exit 127; }
LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" FAKETIME="$spec" exec "$@"
