#!/usr/bin/env bash
# uninstall.sh — remove exactly what scripts/install.sh recorded in its install receipt:
# the files it wrote (host binary, engine module, manifests), then the folders it created,
# deepest first and only when empty, then the receipt. The credential store and the outbox
# are not touched (they are yours: delete the state folder by hand to forget them).
#
#   scripts/uninstall.sh [--system] [--dry-run]
#
# The receipt is found where install.sh wrote it ($TEXTUS_HOST_HOME, else the per-user
# state folder; --system: the machine-wide one). Same test hooks as install.sh.
set -euo pipefail

os=${TH_INSTALL_OS:-$(uname -s)}
root=${TH_INSTALL_ROOT:-}
system=0
dry_run=0

while [ $# -gt 0 ]; do
    case $1 in
        --system) system=1; shift ;;
        --dry-run|-n) dry_run=1; shift ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "uninstall: unknown option '$1'" >&2; exit 2 ;;
    esac
done

if [ -n "${TEXTUS_HOST_HOME:-}" ] && [ $system -eq 0 ]; then
    state="$TEXTUS_HOST_HOME"
elif [ "$os" = Darwin ]; then
    if [ $system -eq 1 ]; then state="$root/Library/Application Support/textus-host"
    else state="$HOME/Library/Application Support/textus-host"; fi
elif [ $system -eq 1 ]; then
    state="$root/var/lib/textus-host"
else
    state="${XDG_DATA_HOME:-$HOME/.local/share}/textus-host"
fi
receipt="$state/install-receipt.txt"
if [ ! -f "$receipt" ]; then
    echo "uninstall: no install receipt at $receipt: nothing recorded, nothing removed" >&2
    exit 1
fi

act() { # description command...
    local what=$1
    shift
    if [ $dry_run -eq 1 ]; then echo "  would remove $what"; return 0; fi
    if "$@" 2>/dev/null; then echo "  removed $what"; else echo "  kept $what (not empty or already gone)"; fi
}

files=()
dirs=()
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    kind=${line%%	*}
    path=${line#*	}
    case $kind in
        file) files+=("$path") ;;
        dir) dirs+=("$path") ;;
        *) echo "uninstall: ignoring unknown receipt line: $line" >&2 ;;
    esac
done <"$receipt"

for f in ${files[@]+"${files[@]}"}; do
    if [ -e "$f" ] || [ -L "$f" ]; then act "$f" rm -f -- "$f"; else echo "  already gone $f"; fi
done
if [ $dry_run -eq 1 ]; then echo "  would remove $receipt"; else rm -f -- "$receipt"; echo "  removed $receipt"; fi
# folders: deepest first (longest path first), only when empty
if [ ${#dirs[@]} -gt 0 ]; then
    while IFS= read -r d; do
        [ -d "$d" ] || continue
        act "$d/" rmdir -- "$d"
    done < <(for d in "${dirs[@]}"; do printf '%s\t%s\n' "${#d}" "$d"; done | sort -rn | cut -f2-)
fi
if [ $dry_run -eq 1 ]; then echo "uninstall: dry run: nothing removed"; else echo "uninstall: done"; fi
