#!/usr/bin/env bash
# install.sh — install textus-host for the current user (or machine-wide with --system)
# and register it with every Chromium-family browser found.
#
#   1. builds the host if needed (cmake into build/; --release: a production build,
#      -DTH_PRODUCTION=ON, into build-release/), or takes --binary PATH; refuses a test
#      build compiled with failpoints (cmake -DTH_FAILPOINTS=ON), and with --release any
#      build that still allows the development stub's extension id;
#   2. copies textus-host and the modules it dlopen()s from its own folder
#      (textus-host-engine.so, textus-host-store.so) to a stable folder:
#        Linux  ~/.local/share/textus-host/bin/        (--system: /usr/local/lib/textus-host/)
#        macOS  ~/Library/Application Support/textus-host/bin/  (--system: /Library/Application Support/textus-host/bin/)
#      ($TEXTUS_HOST_HOME/bin/ when TEXTUS_HOST_HOME is set, like the rest of the state);
#   3. links it as ~/.local/bin/textus-host (--system: /usr/local/bin/textus-host) so that
#      `textus-host` works in a terminal, and warns when that folder is not on PATH (not
#      with TEXTUS_HOST_HOME set, or --no-link: the hints then show the full path);
#   4. writes com.textus.greenhouse.json (manifest/com.textus.greenhouse.json.in)
#      into NativeMessagingHosts/ of every browser and channel whose user data folder
#      exists, or of the ones named by --browser / --user-data-dir, keeping every
#      extension id an earlier install allowed there (--remove-extension-id drops one);
#   5. records every file, link and folder it created in an install receipt
#      (<state>/install-receipt.txt) that scripts/uninstall.sh reads.
# Idempotent: running it again rewrites the same files, and keeps every extension id the
# host's settings allow (settings.allowed_extension_ids, read with `textus-host status --json`).
# Prints every file written (--dry-run: every folder and file it would create).
# Also warns about Snap/Flatpak browsers and a NativeMessagingUserLevelHosts policy.
# Exit status: 0 installed (or, with --dry-run, shown); 1 refused or failed, or no browser
# folder found to register with (the host is then installed, but no browser can start it;
# the message says why); 2 a wrong option or argument.
#
# Test hooks (not for users): TH_INSTALL_OS=Linux|Darwin picks the path table;
# TH_INSTALL_ROOT prefixes every machine-wide path (/etc, /usr/local, /Library).
set -euo pipefail

HOST_NAME=com.textus.greenhouse
STUB_ID=hfboccpnppdfmcdbjjgmobnhljkkmjji
src_root=$(cd "$(dirname "$0")/.." && pwd)
template="$src_root/manifest/$HOST_NAME.json.in"

os=${TH_INSTALL_OS:-$(uname -s)}
root=${TH_INSTALL_ROOT:-}
binary=""
dry_run=0
system=0
force=0
no_link=0
allow_failpoints=0
release=0
browsers=()
udds=()
ext_ids=("$STUB_ID")
remove_ids=()

usage() {
    cat <<EOF
usage: scripts/install.sh [options]

Installs textus-host for you (or, with --system, for every user) and registers
the native-messaging host $HOST_NAME with every Chromium-family
browser whose user data folder exists. Without --binary it builds build/ from
this checkout first (cmake; scripts/bootstrap.sh installs what the build needs).

  --binary PATH         install this textus-host (its textus-host-* modules
                        must sit beside it) instead of building build/
  --browser NAME        register with this browser even if its folder is
                        missing (repeatable); NAME is one of:
                        $(browser_names | tr '\n' ' ' | sed 's/ $//' | fold -s -w 54 | sed 's/ *$//; 2,$s/^/                        /')
  --user-data-dir DIR   register with a custom profile folder (a browser
                        started with --user-data-dir=DIR reads
                        DIR/NativeMessagingHosts/; repeatable). DIR must exist
                        and hold the browser's "Local State" file (start the
                        browser with it once), unless --force
  --force               accept a --user-data-dir that does not exist yet (it
                        is created, and removed again by uninstall.sh when
                        empty) or that has no "Local State"
  --release             production install: build build-release/ with
                        cmake -DTH_PRODUCTION=ON (or take a --binary built
                        so), whose host refuses the development stub's id
                        (its key is public), and leave that id out of every
                        manifest; name the TextUs extension with
                        --extension-id
  --extension-id ID     also allow this extension (32 letters a-p; repeatable).
                        The stub's id $STUB_ID is
                        always allowed (not with --release), and so is
                        every id that a manifest an earlier install wrote,
                        or the host's settings, allow. The host's own
                        settings must allow the id
                        too: the installer checks them and prints the
                        command that allows it
  --remove-extension-id ID
                        stop allowing this extension (repeatable)
  --no-link             do not link textus-host into ~/.local/bin (hints then
                        show the full path)
  --allow-failpoints    install a build compiled with TH_FAILPOINTS (for the
                        project's own tests only: an environment variable can
                        make such a host kill itself in the middle of a send)
  --system              machine-wide install (root): the system manifest
                        folders, and the link in /usr/local/bin
  --dry-run             print every folder and file it would create, write
                        nothing
  -h, --help            this help

exit status: 0 installed (or shown, with --dry-run); 1 refused or failed, or
no browser folder found (the message says why); 2 a wrong option or argument.
EOF
}

# "did you mean" for a mistyped option or browser name (shared with the other script)
. "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
OPTIONS=(--binary --browser --user-data-dir --extension-id --remove-extension-id --force --no-link
    --allow-failpoints --release --system --dry-run --help)

die() { echo "install: $*" >&2; exit 1; }
usage_error() { echo "install: $*" >&2; echo "(scripts/install.sh --help shows the options)" >&2; exit 2; }
note() { echo "install: $*"; }
warn() { echo "install: WARNING: $*" >&2; }

# ---- path tables ---------------------------------------------------------------

browser_names() {
    printf '%s\n' chrome chrome-beta chrome-dev chrome-canary chromium \
        edge edge-beta edge-dev brave vivaldi
}

# Chromium's rule (chrome_paths_linux.cc): $CHROME_CONFIG_HOME, else $XDG_CONFIG_HOME, else ~/.config.
linux_config_home() {
    if [ -n "${CHROME_CONFIG_HOME:-}" ]; then echo "$CHROME_CONFIG_HOME"
    elif [ -n "${XDG_CONFIG_HOME:-}" ]; then echo "$XDG_CONFIG_HOME"
    else echo "$HOME/.config"; fi
}

# The default user data folder of a browser (per user).
user_data_dir() {
    local b=$1
    if [ "$os" = Darwin ]; then
        local as="$HOME/Library/Application Support"
        case $b in
            chrome) echo "$as/Google/Chrome" ;;
            chrome-beta) echo "$as/Google/Chrome Beta" ;;
            chrome-dev) echo "$as/Google/Chrome Dev" ;;
            chrome-canary) echo "$as/Google/Chrome Canary" ;;
            chromium) echo "$as/Chromium" ;;
            edge) echo "$as/Microsoft Edge" ;;
            edge-beta) echo "$as/Microsoft Edge Beta" ;;
            edge-dev) echo "$as/Microsoft Edge Dev" ;;
            brave) echo "$as/BraveSoftware/Brave-Browser" ;;
            vivaldi) echo "$as/Vivaldi" ;;
            *) return 1 ;;
        esac
    else
        local c
        c=$(linux_config_home)
        case $b in
            chrome) echo "$c/google-chrome" ;;
            chrome-beta) echo "$c/google-chrome-beta" ;;
            chrome-dev) echo "$c/google-chrome-unstable" ;;
            chrome-canary) echo "$c/google-chrome-canary" ;;
            chromium) echo "$c/chromium" ;;
            edge) echo "$c/microsoft-edge" ;;
            edge-beta) echo "$c/microsoft-edge-beta" ;;
            edge-dev) echo "$c/microsoft-edge-dev" ;;
            brave) echo "$c/BraveSoftware/Brave-Browser" ;;
            vivaldi) echo "$c/vivaldi" ;;
            *) return 1 ;;
        esac
    fi
}

# The machine-wide manifest folder of a browser (channels share their brand's folder).
system_manifest_dir() {
    local b=$1
    if [ "$os" = Darwin ]; then
        case $b in
            chrome*) echo "$root/Library/Google/Chrome/NativeMessagingHosts" ;;
            chromium) echo "$root/Library/Application Support/Chromium/NativeMessagingHosts" ;;
            edge*) echo "$root/Library/Microsoft/Edge/NativeMessagingHosts" ;;
            brave) echo "$root/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts" ;;
            vivaldi) echo "$root/Library/Application Support/Vivaldi/NativeMessagingHosts" ;;
            *) return 1 ;;
        esac
    else
        case $b in
            chrome*) echo "$root/etc/opt/chrome/native-messaging-hosts" ;;
            chromium) echo "$root/etc/chromium/native-messaging-hosts" ;;
            edge*) echo "$root/etc/opt/edge/native-messaging-hosts" ;;
            brave) echo "$root/etc/opt/chrome/native-messaging-hosts" ;; # Brave reads Chrome's folder
            vivaldi) echo "$root/etc/opt/vivaldi/native-messaging-hosts" ;;
            *) return 1 ;;
        esac
    fi
}

# Is a browser installed machine-wide? (for --system without --browser)
system_browser_present() {
    local b=$1 d
    d=$(system_manifest_dir "$b")
    [ -d "$(dirname "$d")" ] && return 0
    if [ "$os" = Darwin ]; then
        case $b in
            chrome) [ -d "$root/Applications/Google Chrome.app" ] ;;
            chromium) [ -d "$root/Applications/Chromium.app" ] ;;
            edge) [ -d "$root/Applications/Microsoft Edge.app" ] ;;
            brave) [ -d "$root/Applications/Brave Browser.app" ] ;;
            vivaldi) [ -d "$root/Applications/Vivaldi.app" ] ;;
            *) return 1 ;;
        esac
    else
        case $b in
            chrome) [ -d "$root/opt/google/chrome" ] ;;
            chromium) [ -e "$root/usr/bin/chromium" ] || [ -e "$root/usr/bin/chromium-browser" ] ;;
            edge) [ -d "$root/opt/microsoft/msedge" ] ;;
            brave) [ -d "$root/opt/brave.com/brave" ] ;;
            vivaldi) [ -d "$root/opt/vivaldi" ] ;;
            *) return 1 ;;
        esac
    fi
}

state_dir() {
    if [ -n "${TEXTUS_HOST_HOME:-}" ] && [ $system -eq 0 ]; then
        echo "$TEXTUS_HOST_HOME"
    elif [ "$os" = Darwin ]; then
        if [ $system -eq 1 ]; then echo "$root/Library/Application Support/textus-host"
        else echo "$HOME/Library/Application Support/textus-host"; fi
    elif [ $system -eq 1 ]; then
        echo "$root/var/lib/textus-host"
    else
        echo "${XDG_DATA_HOME:-$HOME/.local/share}/textus-host"
    fi
}

bin_dir() {
    if [ $system -eq 1 ] && [ "$os" != Darwin ]; then echo "$root/usr/local/lib/textus-host"
    else echo "$(state_dir)/bin"; fi
}

# ---- arguments ------------------------------------------------------------------

# "~" and "~/..." as the shell would expand them (it does not after "--opt=").
expand_tilde() {
    case $1 in
        "~") echo "$HOME" ;;
        "~/"*) echo "$HOME/${1#"~/"}" ;;
        *) echo "$1" ;;
    esac
}

while [ $# -gt 0 ]; do
    case $1 in
        --binary) [ $# -ge 2 ] || usage_error "--binary needs a path"; binary=$(expand_tilde "$2"); shift 2 ;;
        --binary=*) binary=$(expand_tilde "${1#*=}"); shift ;;
        --browser) [ $# -ge 2 ] || usage_error "--browser needs a name"; browsers+=("$2"); shift 2 ;;
        --browser=*) browsers+=("${1#*=}"); shift ;;
        --user-data-dir) [ $# -ge 2 ] || usage_error "--user-data-dir needs a folder"; udds+=("$(expand_tilde "$2")"); shift 2 ;;
        --user-data-dir=*) udds+=("$(expand_tilde "${1#*=}")"); shift ;;
        --extension-id) [ $# -ge 2 ] || usage_error "--extension-id needs an id"; ext_ids+=("$2"); shift 2 ;;
        --extension-id=*) ext_ids+=("${1#*=}"); shift ;;
        --remove-extension-id) [ $# -ge 2 ] || usage_error "--remove-extension-id needs an id"; remove_ids+=("$2"); shift 2 ;;
        --remove-extension-id=*) remove_ids+=("${1#*=}"); shift ;;
        --force) force=1; shift ;;
        --no-link) no_link=1; shift ;;
        --allow-failpoints) allow_failpoints=1; shift ;;
        --release) release=1; shift ;;
        --system) system=1; shift ;;
        --dry-run|-n) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage_error "unknown option '$1'$(did_you_mean "${1%%=*}" "${OPTIONS[@]}")" ;;
        *) usage_error "unexpected argument '$1' (options start with --)" ;;
    esac
done

if [ $release -eq 1 ]; then
    [ $allow_failpoints -eq 0 ] || usage_error "--release and --allow-failpoints do not mix"
    # a production install allows no development id: the stub's key is in the repository
    kept=()
    for id in "${ext_ids[@]}"; do [ "$id" = "$STUB_ID" ] || kept+=("$id"); done
    ext_ids=(${kept[@]+"${kept[@]}"})
fi
for id in ${ext_ids[@]+"${ext_ids[@]}"} ${remove_ids[@]+"${remove_ids[@]}"}; do
    [[ $id =~ ^[a-p]{32}$ ]] || usage_error "extension id '$id' is not valid: an id is 32 letters a-p \
(chrome://extensions shows it with Developer mode on)"
done
for id in ${remove_ids[@]+"${remove_ids[@]}"}; do
    [ "$id" != "$STUB_ID" ] || [ $release -eq 1 ] ||
        usage_error "the stub's id $STUB_ID is always allowed; it cannot be removed (--release leaves it out)"
    for x in ${ext_ids[@]+"${ext_ids[@]}"}; do
        [ "$x" != "$id" ] || usage_error "extension id $id is both added and removed"
    done
done
for b in ${browsers[@]+"${browsers[@]}"}; do
    # shellcheck disable=SC2046 # browser_names: one word per browser
    user_data_dir "$b" >/dev/null ||
        usage_error "unknown browser '$b'$(did_you_mean "$b" $(browser_names)); known: $(browser_names | tr '\n' ' ')"
done
# A custom profile folder must be one the browser made (it writes "Local State" at the top of
# its user data folder), so that a typo never creates folders in odd places.
for i in ${udds[@]+"${!udds[@]}"}; do
    u=${udds[$i]}
    case $u in /*) ;; *) u="$(pwd)/$u" ;; esac
    udds[$i]=$u
    if [ ! -d "$u" ]; then
        [ $force -eq 1 ] || die "--user-data-dir $u does not exist. Start the browser once with
  --user-data-dir=$u (it creates the folder), then run this again; or add --force to create it now."
    elif [ ! -f "$u/Local State" ]; then
        [ $force -eq 1 ] || die "--user-data-dir $u does not look like a browser's user data folder
  (it has no \"Local State\" file). chrome://version shows the \"Profile Path\": the user data
  folder is the one above it. Add --force if this is the right folder anyway."
    fi
done
if [ $system -eq 1 ]; then
    [ ${#udds[@]} -eq 0 ] || die "--system and --user-data-dir do not mix (a custom profile is per user)"
    if [ -z "$root" ] && [ "$(id -u)" -ne 0 ] && [ $dry_run -eq 0 ]; then
        die "--system writes machine-wide folders: run it as root (sudo scripts/install.sh --system)"
    fi
fi
[ -f "$template" ] || die "missing $template"

# ---- the binary -----------------------------------------------------------------

# The modules the executable dlopen()s from its own folder (textus-host-engine, textus-host-store).
module_names() {
    local d=$1 f
    for f in "$d"/textus-host-*.so "$d"/textus-host-*.dylib; do
        if [ -f "$f" ]; then basename "$f"; fi
    done
    return 0
}

failpoints_refused() { # what
    die "$1 was built with test failpoints (cmake -DTH_FAILPOINTS=ON): an environment variable
  can make such a host kill itself in the middle of a send. Install a release build:
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_FAILPOINTS=OFF && cmake --build build
  (scripts/test.sh keeps its failpoint build in build-test/)."
}
# Every failpoint build carries the words TH_FAILPOINT (the variable it reads; the
# executable's --version note); a release build contains them nowhere.
has_failpoints() { LC_ALL=C grep -a -q -e TH_FAILPOINT -- "$1"; }

# A production build (cmake -DTH_PRODUCTION=ON) holds the stub's id nowhere: the stub's key
# is in the repository, so a host that allows that id allows any unpacked extension.
has_stub_id() { LC_ALL=C grep -a -q -e "$STUB_ID" -- "$1"; }

if [ -z "$binary" ]; then
    bdir=build
    build_opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
    if [ $release -eq 1 ]; then
        bdir=build-release
        build_opts+=(-DTH_PRODUCTION=ON -DTH_FAILPOINTS=OFF)
    fi
    binary="$src_root/$bdir/host/textus-host"
    if [ $allow_failpoints -eq 0 ] && [ -f "$src_root/$bdir/CMakeCache.txt" ] &&
       grep -q '^TH_FAILPOINTS:BOOL=ON$' "$src_root/$bdir/CMakeCache.txt"; then
        failpoints_refused "$src_root/$bdir/ (TH_FAILPOINTS=ON in its CMakeCache.txt)"
    fi
    if [ $dry_run -eq 1 ]; then
        [ -x "$binary" ] || note "would build $binary (cmake -S . -B $bdir ${build_opts[*]}; cmake --build $bdir)"
    else
        if [ ! -f "$src_root/$bdir/CMakeCache.txt" ] || [ $release -eq 1 ]; then
            note "building textus-host (cmake into $bdir/)"
            cmake -S "$src_root" -B "$src_root/$bdir" "${build_opts[@]}" >/dev/null
        fi
        cmake --build "$src_root/$bdir" -j2 --target textus-host >/dev/null \
            || die "build failed: run 'cmake --build $bdir' to see why (scripts/bootstrap.sh installs what it needs)"
    fi
fi
if [ $dry_run -eq 0 ] || [ -e "$binary" ]; then
    [ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"
fi
case $binary in /*) ;; *) binary="$(pwd)/$binary" ;; esac
bin_src_dir=$(dirname "$binary")
modules=()
while IFS= read -r m; do [ -z "$m" ] || modules+=("$m"); done < <(module_names "$bin_src_dir")
if [ $release -eq 1 ] && [ -f "$binary" ] && has_stub_id "$binary"; then
    die "$binary is not a production build: it allows the development stub's extension id
  $STUB_ID, whose key is public. Build one with
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_PRODUCTION=ON && cmake --build build-release
  (or run scripts/install.sh --release without --binary: it builds build-release/)."
fi
if [ $allow_failpoints -eq 0 ]; then
    for f in "$binary" ${modules[@]+"${modules[@]/#/$bin_src_dir/}"}; do
        if [ -f "$f" ] && has_failpoints "$f"; then failpoints_refused "$f"; fi
    done
elif [ -f "$binary" ] && has_failpoints "$binary"; then
    warn "installing a test build with failpoints (--allow-failpoints): for the project's tests only"
fi

dest_bin_dir=$(bin_dir)
dest_host="$dest_bin_dir/textus-host"
case $dest_host in *'"'*|*'\'*) die "the install path $dest_host holds a quote or backslash; set TEXTUS_HOST_HOME" ;; esac

# ---- receipt --------------------------------------------------------------------

receipt="$(state_dir)/install-receipt.txt"
# (bash 3.2 compatible: macOS's /bin/bash has no associative arrays)
rec_lines=()
in_list() { # needle items...
    local n=$1 x
    shift
    for x in "$@"; do [ "$x" != "$n" ] || return 0; done
    return 1
}
record() { # kind path
    local line="$1	$2"
    in_list "$line" ${rec_lines[@]+"${rec_lines[@]}"} || rec_lines+=("$line")
}
# A folder's identity (device, inode and, where the system keeps it, birth time): a folder
# of the same name made later by someone else is another folder.
if [ -f "$receipt" ]; then
    while IFS= read -r line; do
        case $line in ''|'#'*) continue ;; esac
        kind=${line%%	*}
        rest=${line#*	}
        if [ "$kind" = dir ]; then
            # "dir<TAB>path<TAB>identity": a folder gone since, or replaced by another one
            # (the user made it again), is no longer ours and is forgotten (make_dir records
            # it anew if this run creates it)
            d=${rest%%	*}
            id=""
            [ "$rest" = "$d" ] || id=${rest#*	}
            if [ ! -d "$d" ] || { [ -n "$id" ] && [ "$(dir_id "$d")" != "$id" ]; }; then continue; fi
        fi
        record "$kind" "$rest"
    done <"$receipt"
fi

# mkdir -p that records each folder it creates (so uninstall can remove exactly those).
# A dry run names each folder once, as if it had made it (the real run makes it once).
dry_dirs=()
make_dir() {
    local d=$1 missing=() p
    p=$d
    while [ ! -d "$p" ] && ! in_list "$p" ${dry_dirs[@]+"${dry_dirs[@]}"}; do
        missing=("$p" ${missing[@]+"${missing[@]}"})
        p=$(dirname "$p")
    done
    for p in ${missing[@]+"${missing[@]}"}; do
        if [ $dry_run -eq 1 ]; then note "would create folder $p"; dry_dirs+=("$p")
        else mkdir -m 0755 "$p"; record dir "$p	$(dir_id "$p")"; fi
    done
    return 0
}

# Write stdin to a file atomically with a mode; prints it.
put_file() { # path mode
    local dest=$1 mode=$2 tmp
    if [ $dry_run -eq 1 ]; then cat >/dev/null; note "would write $dest"; return 0; fi
    tmp=$(mktemp "$(dirname "$dest")/.textus-host.XXXXXX")
    cat >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$dest"
    record file "$dest"
    echo "  wrote $dest"
}

# ---- install the binary ---------------------------------------------------------

note "installing textus-host into $dest_bin_dir"
make_dir "$dest_bin_dir"
if [ $system -eq 0 ] && [ $dry_run -eq 0 ]; then chmod 0700 "$(state_dir)" 2>/dev/null || true; fi
if [ -e "$binary" ] || [ $dry_run -eq 0 ]; then
    put_file "$dest_host" 0755 <"$binary"
else
    note "would write $dest_host"
fi
for m in ${modules[@]+"${modules[@]}"}; do
    put_file "$dest_bin_dir/$m" 0644 <"$bin_src_dir/$m"
done
if ! in_list textus-host-engine.so ${modules[@]+"${modules[@]}"} &&
   ! in_list textus-host-engine.dylib ${modules[@]+"${modules[@]}"}; then
    warn "no textus-host-engine module beside $binary: only 'ping' will work (rebuild with cmake --build build)"
fi

# ---- the command on PATH ------------------------------------------------------------

# Every hint (here, in doctor's fixes, in the README) says `textus-host ...`: a link in a
# folder on PATH makes that true. th is how the hints below name the command.
th="$dest_host"
if [ $system -eq 1 ]; then link_dir="$root/usr/local/bin"; else link_dir="$HOME/.local/bin"; fi
link="$link_dir/textus-host"
linked=0
if [ $no_link -eq 1 ]; then
    note "not linking textus-host into $link_dir (--no-link); the hints below use the full path"
elif [ -n "${TEXTUS_HOST_HOME:-}" ] && [ $system -eq 0 ]; then
    # a link would run the host without TEXTUS_HOST_HOME, i.e. on other state: not made
    note "not linking textus-host into $link_dir: TEXTUS_HOST_HOME is set, and the host must run
  with it ($dest_host, with TEXTUS_HOST_HOME=$TEXTUS_HOST_HOME in its environment)"
elif [ -L "$link" ] && [ "$(readlink "$link")" = "$dest_host" ]; then
    linked=1
    record link "$link"
    note "$link already links to $dest_host"
elif { [ -e "$link" ] || [ -L "$link" ]; } &&
     ! { [ -L "$link" ] && in_list "link	$link" ${rec_lines[@]+"${rec_lines[@]}"}; }; then
    warn "$link exists and is not a link this installer made: left as it is.
  Use the full path $dest_host (the hints below do)."
elif [ $dry_run -eq 1 ]; then
    make_dir "$link_dir"
    note "would link $link -> $dest_host"
    linked=1
else
    make_dir "$link_dir"
    ln -sfn "$dest_host" "$link"
    record link "$link"
    linked=1
    echo "  linked $link -> $dest_host"
fi
if [ $linked -eq 1 ]; then
    case ":$PATH:" in
        *":$link_dir:"*)
            first=$(command -v textus-host 2>/dev/null || true)
            if [ $dry_run -eq 0 ] && [ -n "$first" ] && [ "$first" != "$link" ]; then
                warn "another textus-host comes first on your PATH ($first): 'textus-host' runs that one.
  Remove it, or use the full path $dest_host (the hints below do)."
            else
                th="textus-host"
            fi
            ;;
        *)
            # The advice must work where it is read: a new GNOME terminal reads ~/.bashrc,
            # not ~/.profile, which a login reads (Debian's and Ubuntu's stock ~/.profile adds
            # ~/.local/bin to PATH when the folder exists); macOS's Terminal starts login
            # shells, which read ~/.zprofile (zsh).
            if [ $system -eq 1 ]; then
                pathword=$link_dir
                later="Every user's login shell normally has it: /etc/profile sets PATH."
            elif [ "$os" = Darwin ]; then
                # shellcheck disable=SC2016 # printed as typed: the shell expands it when pasted
                pathword='$HOME/.local/bin'
                later="For every new Terminal window (a login shell, which reads ~/.zprofile):
    echo 'export PATH=\"\$HOME/.local/bin:\$PATH\"' >> ~/.zprofile"
            else
                # shellcheck disable=SC2016 # printed as typed: the shell expands it when pasted
                pathword='$HOME/.local/bin'
                if [ -f "$HOME/.profile" ] && grep -q '\.local/bin' "$HOME/.profile"; then
                    later="From your next login on: your ~/.profile adds ~/.local/bin to PATH at login
  when the folder exists, as Debian's and Ubuntu's stock one does: log out and back in."
                else
                    if [ -f "$HOME/.profile" ]; then mine="your ~/.profile does not"
                    else mine="you have no ~/.profile"; fi
                    later="From your next login on: Debian and Ubuntu add ~/.local/bin to PATH at login
  when the folder exists (their stock ~/.profile does), but $mine: add the export
  line above to ~/.profile, then log out and back in."
                fi
            fi
            warn "$link_dir is not on your PATH in this session, so 'textus-host' alone is not
  found yet. For this terminal now:
    export PATH=\"$pathword:\$PATH\"
  $later
  Until then use the full path $dest_host (the hints below do)."
            ;;
    esac
fi

# ---- the host's own list of extensions ----------------------------------------------

# The host checks the caller too: an id other than the stub's must also be in its settings
# (settings.allowed_extension_ids), which only `textus-host configure` sets. Read them with
# `<host> status --json` (stdout: the ids, one per line; returns 1 when no configuration is stored,
# 2 when it could not be read).
host_allowed_ids() { # host binary
    local out rc=0 t=()
    if command -v timeout >/dev/null 2>&1; then t=(timeout 20); fi
    out=$(${t[@]+"${t[@]}"} "$1" status --json 2>/dev/null) || rc=$?
    out=$(printf '%s' "$out" | tr -d ' \t\r\n')
    case $out in
        *'"settings":{'*) ;;
        *'"configured":false'*) return 1 ;; # nothing stored yet (exit 1, no settings)
        *) return 2 ;;
    esac
    [ $rc -le 1 ] || return 2
    printf '%s\n' "$out" | sed -n 's/.*"allowed_extension_ids":\[\([^]]*\)\].*/\1/p' |
        { grep -o '[a-p]\{32\}' || true; }
}

# The ids the host's settings allow are the ones the recruiter chose (e.g. before an
# uninstall): every manifest keeps allowing them, or Chrome refuses the extension the host
# accepts. Per-user settings only: a machine-wide install cannot read each user's.
settings_rc=3 # 0 read into stored; 1 nothing configured; 2 unreadable; 3 not read
stored=()
if [ $system -eq 0 ]; then
    # the host just installed; a dry run installed nothing: the one it would install (any
    # textus-host reads the same state), or the one installed before
    status_bin=""
    if [ $dry_run -eq 1 ]; then candidates=("$binary" "$dest_host"); else candidates=("$dest_host"); fi
    for c in "${candidates[@]}"; do
        if [ -f "$c" ] && [ -x "$c" ]; then status_bin=$c; break; fi
    done
    if [ -n "$status_bin" ]; then
        settings_rc=0
        listed=$(host_allowed_ids "$status_bin") || settings_rc=$?
        if [ $settings_rc -eq 0 ]; then
            while IFS= read -r id; do [ -z "$id" ] || stored+=("$id"); done <<<"$listed"
        fi
    fi
fi
for id in ${stored[@]+"${stored[@]}"}; do
    if in_list "$id" ${remove_ids[@]+"${remove_ids[@]}"} ${ext_ids[@]+"${ext_ids[@]}"}; then continue; fi
    note "keeping extension id $id (allowed in the host's settings)"
    ext_ids+=("$id")
done

# ---- manifests ------------------------------------------------------------------

# The extension ids an existing manifest allows (valid ones), one per line.
manifest_ids() {
    [ -f "$1" ] || return 0
    { grep -o '"chrome-extension://[^"]*"' "$1" || true; } | tr -d '"' |
        sed -n 's#^chrome-extension://\([a-p]\{32\}\)/$#\1#p'
}
# Entries of an existing manifest's allowed_origins that Chrome would refuse.
manifest_bad_origins() {
    [ -f "$1" ] || return 0
    { grep -o '"chrome-extension://[^"]*"' "$1" || true; } | tr -d '"' |
        { grep -v '^chrome-extension://[a-p]\{32\}/$' || true; }
}

tmpl=$(cat "$template")
extra_ids=() # ids other than the stub's that some manifest allows (the host must allow them too)

# The manifest for one file, into $manifest: the ids asked for, plus those it already
# allows (said so), minus --remove-extension-id.
manifest_for() { # file
    local file=$1 id origins="" ids=() m
    for id in ${ext_ids[@]+"${ext_ids[@]}"}; do
        in_list "$id" ${ids[@]+"${ids[@]}"} || ids+=("$id")
    done
    while IFS= read -r id; do
        [ -n "$id" ] || continue
        if [ $release -eq 1 ] && [ "$id" = "$STUB_ID" ]; then
            note "removing the development stub's extension $id from $file (--release)"
            continue
        fi
        if in_list "$id" ${remove_ids[@]+"${remove_ids[@]}"}; then
            note "removing extension $id from $file (--remove-extension-id)"
            continue
        fi
        if ! in_list "$id" ${ids[@]+"${ids[@]}"}; then
            note "keeping extension $id, already allowed in $file (--remove-extension-id $id drops it)"
            ids+=("$id")
        fi
    done < <(manifest_ids "$file")
    while IFS= read -r id; do
        [ -z "$id" ] || warn "dropping \"$id\" from $file: not an exact chrome-extension://<32 letters a-p>/ origin (Chrome rejects a manifest holding it)"
    done < <(manifest_bad_origins "$file")
    [ ${#ids[@]} -gt 0 ] || warn "$file allows no extension: name the TextUs extension with --extension-id <its id>"
    for id in ${ids[@]+"${ids[@]}"}; do
        [ -z "$origins" ] || origins+=$',\n'
        origins+="    \"chrome-extension://$id/\""
    done
    m=${tmpl//@HOST_PATH@/"$dest_host"}
    manifest=${m//@ALLOWED_ORIGINS@/"$origins"}
}

targets=() # "label<TAB>NativeMessagingHosts folder"
if [ $system -eq 1 ]; then
    if [ ${#browsers[@]} -eq 0 ]; then
        while read -r b; do
            case $b in chrome-*|edge-*) continue ;; esac # channels share the brand's folder
            if system_browser_present "$b"; then browsers+=("$b"); fi
        done < <(browser_names)
    fi
    for b in ${browsers[@]+"${browsers[@]}"}; do targets+=("$b	$(system_manifest_dir "$b")"); done
else
    if [ ${#browsers[@]} -eq 0 ] && [ ${#udds[@]} -eq 0 ]; then
        while read -r b; do
            d=$(user_data_dir "$b")
            if [ -d "$d" ]; then browsers+=("$b"); fi
        done < <(browser_names)
    fi
    for b in ${browsers[@]+"${browsers[@]}"}; do targets+=("$b	$(user_data_dir "$b")/NativeMessagingHosts"); done
    for u in ${udds[@]+"${udds[@]}"}; do
        case $u in /*) ;; *) u="$(pwd)/$u" ;; esac
        targets+=("user-data-dir	$u/NativeMessagingHosts")
    done
    # Brave on macOS has been seen reading Chrome's folder: register there too (harmless otherwise).
    if [ "$os" = Darwin ]; then
        for b in ${browsers[@]+"${browsers[@]}"}; do
            if [ "$b" = brave ]; then targets+=("brave(chrome folder)	$(user_data_dir chrome)/NativeMessagingHosts"); fi
        done
    fi
fi

dirs_done=()
written=0
for t in ${targets[@]+"${targets[@]}"}; do
    label=${t%%	*}
    dir=${t#*	}
    ! in_list "$dir" ${dirs_done[@]+"${dirs_done[@]}"} || continue
    dirs_done+=("$dir")
    note "registering with $label: $dir"
    manifest_for "$dir/$HOST_NAME.json"
    while IFS= read -r id; do
        [ "$id" = "$STUB_ID" ] || in_list "$id" ${extra_ids[@]+"${extra_ids[@]}"} || extra_ids+=("$id")
    done < <(printf '%s\n' "$manifest" | sed -n 's#.*"chrome-extension://\([a-p]\{32\}\)/".*#\1#p')
    make_dir "$dir"
    put_file "$dir/$HOST_NAME.json" 0644 <<<"$manifest"
    written=$((written + 1))
done

# ---- sandboxed browsers and policies -------------------------------------------

if [ $system -eq 0 ] && [ "$os" != Darwin ]; then
    for s in chromium brave vivaldi; do
        if [ -d "$HOME/snap/$s" ]; then
            warn "a Snap $s was found (~/snap/$s). The Snap sandbox does not let the browser start
  programs installed outside the snap, so Chrome reports \"Specified native messaging host not found.\"
  or \"Native host has exited.\" whatever is installed. Workaround: use a browser installed from a
  .deb/.rpm (Google Chrome, Microsoft Edge, or Debian's chromium package) for Greenhouse."
        fi
    done
    for app in com.google.Chrome com.google.ChromeDev org.chromium.Chromium com.microsoft.Edge \
               com.brave.Browser com.vivaldi.Vivaldi; do
        if [ -d "$HOME/.var/app/$app" ]; then
            warn "a Flatpak browser was found (~/.var/app/$app). It reads manifests only inside
  ~/.var/app/$app/config/.../NativeMessagingHosts and runs hosts inside its sandbox, where
  $dest_host cannot run. Workaround: use a browser installed from a .deb/.rpm; or, at your own risk,
  flatpak override --user --talk-name=org.freedesktop.Flatpak $app
  and register a wrapper that runs 'flatpak-spawn --host $dest_host \"\$@\"' with --user-data-dir
  ~/.var/app/$app/config/<browser folder>."
        fi
    done
fi

policy_hits=""
for pd in "$root/etc/opt/chrome/policies/managed" "$root/etc/chromium/policies/managed" \
          "$root/etc/opt/edge/policies/managed" "$root/etc/brave/policies/managed"; do
    [ -d "$pd" ] || continue
    for f in "$pd"/*.json; do
        [ -f "$f" ] || continue
        if tr -d ' \t\r\n' <"$f" | grep -qi '"NativeMessagingUserLevelHosts":false'; then
            policy_hits+="  $f"$'\n'
        fi
    done
done
if [ -n "$policy_hits" ] && [ $system -eq 0 ]; then
    warn "an enterprise policy sets NativeMessagingUserLevelHosts to false in:
$policy_hits  The browser ignores per-user hosts, so this install cannot work. Ask your IT admin to
  allow com.textus.greenhouse, or to run: sudo scripts/install.sh --system"
fi

# ---- receipt ---------------------------------------------------------------------

if [ $dry_run -eq 1 ]; then
    make_dir "$(dirname "$receipt")"
    note "would write $receipt (the install receipt)"
else
    make_dir "$(dirname "$receipt")"
    {
        echo "# textus-host install receipt v1: scripts/uninstall.sh removes exactly these"
        echo "# kind<TAB>path; 'dir' entries are folders this installer created (removed when empty"
        echo "# and still the same folder: <TAB>device:inode:birth), 'link' the textus-host link it made"
        printf '%s\n' ${rec_lines[@]+"${rec_lines[@]}"}
    } | {
        tmp=$(mktemp "$(dirname "$receipt")/.textus-host.XXXXXX")
        cat >"$tmp"; chmod 0600 "$tmp"; mv -f "$tmp" "$receipt"
    }
    echo "  wrote $receipt"
fi

# ---- no browser: nothing can start the host ------------------------------------------

# The host alone is of no use: only a manifest lets a browser start it. The binary (and its
# link) stay installed and in the receipt, so uninstall.sh removes them.
if [ $written -eq 0 ]; then
    if [ $dry_run -eq 1 ]; then did="would be installed"; else did="was installed"; fi
    did="$did in $dest_bin_dir"
    [ $linked -eq 0 ] || did="$did and linked as $link"
    if [ $system -eq 1 ]; then
        echo "install: no Chrome/Chromium installation was found machine-wide, so no browser was registered and none can start the host (textus-host $did); install the browser and run sudo scripts/install.sh --system again, or name one: --browser NAME" >&2
    else
        echo "install: no Chrome/Chromium profile folder was found, so no browser was registered and none can start the host (textus-host $did); start your browser once (it creates its folder) and run scripts/install.sh again, or name one: --browser NAME or --user-data-dir DIR" >&2
    fi
    exit 1
fi

# ---- the host's own list of extensions ---------------------------------------------

cmd_th=$th
case $cmd_th in *' '*) cmd_th="'$th'" ;; esac
missing=() # ids some manifest allows that the host's settings do not
if [ ${#extra_ids[@]} -gt 0 ]; then
    case $settings_rc in
        0) why="they list ${stored[*]:-none}" ;;
        1) why="nothing is configured yet" ;;
        2) why="they could not be read, $th status says why; add any other id they allow" ;;
        *)
            if [ $system -eq 1 ]; then why="each user's own settings: a machine-wide install cannot check them"
            else why="they could not be read: no textus-host to ask; add any other id they allow"; fi
            ;;
    esac
    for id in "${extra_ids[@]}"; do
        in_list "$id" ${stored[@]+"${stored[@]}"} || missing+=("$id")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        note "the host's settings already allow extension(s) ${extra_ids[*]} (settings.allowed_extension_ids)"
    else
        all=""
        for id in ${stored[@]+"${stored[@]}"} "${missing[@]}"; do
            in_list "$id" ${remove_ids[@]+"${remove_ids[@]}"} || all+="${all:+,}\"$id\""
        done
        note "the host checks the caller too: it answers forbidden_origin to extension(s) ${missing[*]}
  until its settings.allowed_extension_ids allows them ($why). Allow every id
  (the list replaces the stored one):
    echo '{\"settings\":{\"allowed_extension_ids\":[$all]}}' | $cmd_th configure --no-verify
  $th doctor checks both sides."
    fi
fi
# An id removed from the manifests that the host's settings still allow: doctor would fail
# (every id in the settings must be in every manifest) until the settings drop it too.
dropped=()
for id in ${remove_ids[@]+"${remove_ids[@]}"}; do
    if in_list "$id" ${stored[@]+"${stored[@]}"}; then dropped+=("$id"); fi
done
if [ ${#dropped[@]} -gt 0 ] && [ ${#missing[@]} -eq 0 ]; then
    all=""
    for id in ${stored[@]+"${stored[@]}"}; do
        in_list "$id" "${dropped[@]}" || all+="${all:+,}\"$id\""
    done
    note "the host's settings still allow extension(s) ${dropped[*]} (settings.allowed_extension_ids):
  drop them there too (the list replaces the stored one):
    echo '{\"settings\":{\"allowed_extension_ids\":[$all]}}' | $cmd_th configure --no-verify"
fi
if [ $dry_run -eq 1 ]; then
    note "dry run: nothing written ($written browser folder(s) would be registered)"
else
    note "done: $written browser folder(s). Next: $th configure, then $th doctor"
fi
