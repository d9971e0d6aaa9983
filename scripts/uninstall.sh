#!/usr/bin/env bash
# uninstall.sh — remove exactly what scripts/install.sh recorded in its install receipt:
# the files it wrote (host binary, modules, manifests), the textus-host link it made on
# PATH (only while it still points at a file of the receipt), then the folders it created,
# deepest first, only when empty and still the very folder it made (same device and inode:
# and birth time: never one a person made again under that name), then the receipt. The credential store and the send
# journal are not touched (they are yours): it says where they are.
#
#   scripts/uninstall.sh [--system] [--dry-run]
#
# The receipt is found where install.sh wrote it ($TEXTUS_HOST_HOME, else the per-user
# state folder; --system: the machine-wide one). Same test hooks as install.sh.
# Exit status: 0 removed, or nothing to remove (no receipt); 1 something could not be
# read; 2 a wrong option or argument.
set -euo pipefail

os=${TH_INSTALL_OS:-$(uname -s)}
root=${TH_INSTALL_ROOT:-}
system=0
dry_run=0

while [ $# -gt 0 ]; do
    case $1 in
        --system) system=1; shift ;;
        --dry-run|-n) dry_run=1; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "uninstall: unknown option '$1' (scripts/uninstall.sh --help shows the options)" >&2; exit 2 ;;
        *) echo "uninstall: unexpected argument '$1' (scripts/uninstall.sh --help shows the options)" >&2; exit 2 ;;
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

# Where this user's credentials live (host/paths.h), which uninstalling never touches.
credentials_note() {
    local cfg data
    if [ $system -eq 1 ]; then
        echo "uninstall: each user's credentials and send journal stay in their own folders
  (~/.config/textus-host and ~/.local/share/textus-host; macOS: ~/Library/Application Support/
  textus-host and textus-host-data); delete them to forget them"
        return 0
    fi
    if [ -n "${TEXTUS_HOST_HOME:-}" ]; then
        cfg="$TEXTUS_HOST_HOME"; data="$TEXTUS_HOST_HOME"
    elif [ "$os" = Darwin ]; then
        cfg="$HOME/Library/Application Support/textus-host"
        data="$HOME/Library/Application Support/textus-host-data"
    else
        cfg="${XDG_CONFIG_HOME:-$HOME/.config}/textus-host"
        data="${XDG_DATA_HOME:-$HOME/.local/share}/textus-host"
    fi
    if [ -e "$cfg/credentials.store" ]; then
        echo "uninstall: your credentials are still in $cfg/credentials.store (its key in
  $data/store.key, the send journal in $data/outbox.sqlite): not removed. To forget them too:
  rm -r '$cfg'$( [ "$data" = "$cfg" ] || printf " '%s'" "$data")"
    else
        echo "uninstall: no credentials are stored for this user ($cfg/credentials.store does not exist)"
    fi
}

if [ ! -f "$receipt" ]; then
    echo "uninstall: nothing to remove: no install receipt at $receipt (already uninstalled, or
  never installed with scripts/install.sh$( [ $system -eq 1 ] || echo "; a machine-wide install needs --system"))"
    credentials_note
    exit 0
fi

act() { # description command...
    local what=$1
    shift
    if [ $dry_run -eq 1 ]; then echo "  would remove $what"; return 0; fi
    if "$@" 2>/dev/null; then echo "  removed $what"; else echo "  kept $what (not empty or already gone)"; fi
}

files=()
dirs=()
links=()
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    kind=${line%%	*}
    path=${line#*	}
    case $kind in
        file) files+=("$path") ;;
        dir) dirs+=("$path") ;;
        link) links+=("$path") ;;
        *) echo "uninstall: ignoring unknown receipt line: $line" >&2 ;;
    esac
done <"$receipt"

in_files() {
    local x
    for x in ${files[@]+"${files[@]}"}; do [ "$x" != "$1" ] || return 0; done
    return 1
}
# the link goes only while it is still ours: a link to a file this receipt installed
for l in ${links[@]+"${links[@]}"}; do
    if [ -L "$l" ] && in_files "$(readlink "$l")"; then
        act "$l" rm -f -- "$l"
    elif [ -e "$l" ] || [ -L "$l" ]; then
        echo "  kept $l (it no longer links to this install)"
    else
        echo "  already gone $l"
    fi
done
for f in ${files[@]+"${files[@]}"}; do
    if [ -e "$f" ] || [ -L "$f" ]; then act "$f" rm -f -- "$f"; else echo "  already gone $f"; fi
done
if [ $dry_run -eq 1 ]; then echo "  would remove $receipt"; else rm -f -- "$receipt"; echo "  removed $receipt"; fi
dir_id() {
    if stat -c %i / >/dev/null 2>&1; then stat -c '%d:%i:%.9W' "$1" 2>/dev/null || true # GNU
    else stat -f '%d:%i:%B' "$1" 2>/dev/null || true; fi                                # BSD, macOS
}
# folders: deepest first (longest path first), only when empty (rmdir never removes content)
# and still the folder the installer made (receipt lines "dir<TAB>path<TAB>device:inode:birth")
if [ ${#dirs[@]} -gt 0 ]; then
    while IFS= read -r entry; do
        d=${entry%%	*}
        id=""
        [ "$entry" = "$d" ] || id=${entry#*	}
        [ -d "$d" ] || continue
        if [ -n "$id" ] && [ "$(dir_id "$d")" != "$id" ]; then
            echo "  kept $d/ (not the folder the installer made: it was made again since)"
            continue
        fi
        act "$d/" rmdir -- "$d"
    done < <(for e in "${dirs[@]}"; do d=${e%%	*}; printf '%s\t%s\n' "${#d}" "$e"; done | sort -rn | cut -f2-)
fi
if [ $dry_run -eq 1 ]; then echo "uninstall: dry run: nothing removed"; else echo "uninstall: done"; fi
credentials_note
