#!/usr/bin/env bash
# uninstall.sh — remove exactly what scripts/install.sh recorded in its install receipt:
# the files it wrote (host binary, modules, manifests), the textus-host link it made on
# PATH (only while it still points at a file of the receipt), then the folders it created,
# deepest first, each only when it is empty and is still the very folder the installer made
# (same device, inode and, where the system keeps one, birth time: a folder a person made
# again under that name is kept), and last the receipt. The credential store, the send
# journal and doctor's support reports are not touched (they are the user's): it says where
# they are. --dry-run says what the real run would do (a folder that would not be empty is
# "would keep").
#
#   scripts/uninstall.sh [--system] [--dry-run]     (usage() below is the --help text)
#
# The receipt is found where install.sh wrote it ($TEXTUS_HOST_HOME, else the per-user
# state folder; --system: the machine-wide one).
# Test hooks (not for users, as in install.sh): TH_INSTALL_OS=Linux|Darwin picks the path
# table; TH_INSTALL_ROOT prefixes every machine-wide path.
set -euo pipefail

os=${TH_INSTALL_OS:-$(uname -s)}
root=${TH_INSTALL_ROOT:-}
system=0
dry_run=0

usage() {
    cat <<'EOF'
usage: scripts/uninstall.sh [--system] [--dry-run]

Removes exactly what scripts/install.sh recorded in its install receipt
(install-receipt.txt in the host's data folder: $TEXTUS_HOST_HOME when set,
else ~/.local/share/textus-host, on macOS ~/Library/Application Support/
textus-host): the host and its modules, the browser manifests, the textus-host
link on your PATH (only while it still points at this install), then the
folders the installer created, deepest first, each only when it is empty and
is still the folder the installer made (one you made again under the same name
is kept). Your credentials, send journal and support reports (doctor --report)
are not removed: it says where they are and how to delete them. Run twice, it
says there is nothing to remove.

  --system    remove a machine-wide install (one made with
              sudo scripts/install.sh --system; its receipt is in
              /var/lib/textus-host, on macOS /Library/Application Support/
              textus-host)
  --dry-run   print what would be removed and kept, remove nothing
  -h, --help  this help

exit status: 0 removed, or nothing to remove (no receipt); 1 the receipt could
not be read; 2 a wrong option or argument.
EOF
}

# "did you mean" for a mistyped option (shared with the other script)
. "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage_error() { echo "uninstall: $*" >&2; echo "(scripts/uninstall.sh --help shows the options)" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case $1 in
        --system) system=1; shift ;;
        --dry-run|-n) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage_error "unknown option '$1'$(did_you_mean "${1%%=*}" --system --dry-run --help)" ;;
        *) usage_error "unexpected argument '$1' (options start with --)" ;;
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
        echo "uninstall: each user's credentials, send journal and support reports
  (textus-host-report-*.txt, written by textus-host doctor --report; they hold candidates'
  phone numbers) stay in their own folders (~/.config/textus-host and
  ~/.local/share/textus-host; macOS: ~/Library/Application Support/textus-host and
  textus-host-data); delete them to forget them"
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
    local reports=0 r
    for r in "$data"/textus-host-report-*.txt; do
        if [ -f "$r" ]; then reports=$((reports + 1)); fi
    done
    if [ -e "$cfg/credentials.store" ]; then
        echo "uninstall: your credentials are still in $cfg/credentials.store (its key in
  $data/store.key, the send journal in $data/outbox.sqlite): not removed. To forget them too$(
            [ $reports -eq 0 ] || echo " (and the support reports below)"):
  rm -r '$cfg'$( [ "$data" = "$cfg" ] || printf " '%s'" "$data")"
    else
        echo "uninstall: no credentials are stored for this user ($cfg/credentials.store does not exist)"
    fi
    # doctor --report writes its reports into the data folder: they hold candidates' phone
    # numbers and recent messages (no secrets), so they are named as the credentials are
    if [ $reports -gt 0 ]; then
        echo "uninstall: $reports support report(s) written by textus-host doctor --report are still in
  $data (textus-host-report-*.txt): not removed. They hold candidates' phone numbers;
  delete them once TextUs support no longer needs them:
  rm '$data'/textus-host-report-*.txt"
    fi
}

if [ ! -f "$receipt" ]; then
    echo "uninstall: nothing to remove: no install receipt at $receipt (already uninstalled, or
  never installed with scripts/install.sh$( [ $system -eq 1 ] || echo "; a machine-wide install needs --system"))"
    credentials_note
    exit 0
fi

# A dry run says what the real run would do: it records each path the real run would
# remove, so that a folder is "would remove" only when everything in it would be removed
# first (the real run's rmdir keeps a folder that is not empty).
gone=()
act() { # description command...
    local what=$1
    shift
    if [ $dry_run -eq 1 ]; then echo "  would remove $what"; gone+=("${what%/}"); return 0; fi
    if "$@" 2>/dev/null; then echo "  removed $what"; else echo "  kept $what (not empty or already gone)"; fi
}
# The entries of a folder the dry run would not have removed, counted.
left_in() { # folder
    local e n=0 x found
    for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        found=0
        for x in ${gone[@]+"${gone[@]}"}; do [ "$x" != "$e" ] || { found=1; break; }; done
        [ $found -eq 1 ] || n=$((n + 1))
    done
    echo "$n"
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
if [ $dry_run -eq 1 ]; then echo "  would remove $receipt"; gone+=("$receipt")
else rm -f -- "$receipt"; echo "  removed $receipt"; fi
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
        if [ $dry_run -eq 1 ] && [ "$(left_in "$d")" -gt 0 ]; then
            echo "  would keep $d/ (not empty: $(left_in "$d") other item(s) in it)"
            continue
        fi
        act "$d/" rmdir -- "$d"
    done < <(for e in "${dirs[@]}"; do d=${e%%	*}; printf '%s\t%s\n' "${#d}" "$e"; done | sort -rn | cut -f2-)
fi
if [ $dry_run -eq 1 ]; then echo "uninstall: dry run: nothing removed"; else echo "uninstall: done"; fi
credentials_note
