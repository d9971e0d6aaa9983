#!/usr/bin/env bash
# build-windows.sh — cross-build textus-host for Windows x64 on Debian (issue P).
#
#   scripts/build-windows.sh deps   the four libraries, static, for x86_64-w64-mingw32
#   scripts/build-windows.sh host   textus-host.exe (and the bench's echo .exe) from host/
#   scripts/build-windows.sh msi    textus-host.exe, then the two .msi and the zip (what IT ships)
#   scripts/build-windows.sh [all]  deps and host only: no .msi, no zip
#   scripts/build-windows.sh notices [FILE]
#                                   write THIRD-PARTY-NOTICES (or FILE) from the fetched sources
#   scripts/build-windows.sh --help what each step makes, where, and the variables it reads
#
# Libraries: libsodium, cJSON, SQLite and libcurl come from Debian's own SOURCE packages,
# at the versions pinned below, and from nowhere else:
#   - `apt-get source` with a private deb-src list (the system's own apt configuration is left
#     alone) whose URI is the one of the system's existing Debian entry; apt checks the signed
#     Release file of the archive against debian-archive-keyring and the .dsc and tarballs
#     against the hashes it lists, so a tampered download fails here;
#   - `dpkg-source -x` unpacks them and applies Debian's patches (security fixes included).
# Nothing of their source goes into git: everything lands in build-win/ (gitignored, /build*/),
# build-win/deps/{include,lib} for the results. A stamp file names the pinned versions and the
# recipe; when it matches, the deps step does nothing. TH_WIN_DIR moves build-win/ elsewhere.
#
# libcurl: Schannel (the Windows certificate store), no OpenSSL, --disable-pthreads (else it
# links winpthreads), HTTP and HTTPS only, no idn2/psl/brotli/zstd/nghttp2/ssh/zlib. Debian's
# 99_nss.patch and 90_gnutls.patch are reversed first (they rename the library for Debian's
# flavours).
#
# Needs: gcc-mingw-w64-x86-64 mingw-w64-tools autoconf automake libtool pkg-config tcl
# dpkg-dev (scripts/bootstrap.sh --windows installs them). Exit: 0 built (or up to date),
# 1 a build failed (its log is printed), 2 bad usage or a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${TH_WIN_DIR:-$root/build-win}
deps=$out/deps
jobs=$(nproc 2>/dev/null || echo 2)
HOST=x86_64-w64-mingw32

# Pinned: a second version downloaded beside the first would break the *.dsc globs below, and
# an unpinned build is not the build that was reviewed. Bump here, deliberately.
PIN_LIBSODIUM=1.0.18-1+deb12u1
PIN_CJSON=1.7.15-1+deb12u4
PIN_SQLITE3=3.40.1-2+deb12u2
PIN_CURL=7.88.1-10+deb12u15
RECIPE=1 # bump when a flag below changes: the stamp then no longer matches
STAMP="libsodium=$PIN_LIBSODIUM cjson=$PIN_CJSON sqlite3=$PIN_SQLITE3 curl=$PIN_CURL recipe=$RECIPE host=$HOST"

usage() {
    echo "usage: scripts/build-windows.sh [deps|host|msi|all|notices [FILE]|--help]" >&2
    exit 2
}

help() {
    cat <<'EOF'
usage: scripts/build-windows.sh [deps|host|msi|all|notices [FILE]|--help]

Cross-builds textus-host for Windows x64 on Debian 12 (mingw-w64), and its installers.
Prerequisites, once: scripts/bootstrap.sh --windows (apt-get through sudo: mingw-w64,
autotools, wixl and msitools for the .msi, Wine for the tests).

  deps     libsodium, cJSON, SQLite and libcurl from Debian's own source packages at
           pinned versions, built static into build-win/deps/ (~5 min the first time;
           nothing to do while they are up to date)
  host     textus-host.exe in build-win/host/ (builds deps first when missing)
  msi      textus-host.exe, then what IT ships, in build-win/:
             textus-host-<version>-per-user.msi     a recruiter, no admin rights
             textus-host-<version>-per-machine.msi  every user of the machine (msiexec /qn, Intune, GPO)
             textus-host-<version>-windows-x64.zip  no installer: textus-host.exe install
  all      deps and host (the default): no .msi, no zip
  notices [FILE]
           write THIRD-PARTY-NOTICES (or FILE) from the fetched sources

Read by msi:
  TH_EXTENSION_IDS=<id>[,<id>...]  the extension ids the packages' manifest allows (the
                                   TextUs extension's: chrome://extensions shows it)
  TH_PRODUCTION=1                  a production package: the .exe (build-win/host-production/)
                                   refuses the development stub's id and the manifest leaves
                                   it out; needs TH_EXTENSION_IDS. Without it the stub's id
                                   is allowed too (development, tests).
  TH_WIN_DIR=DIR                   build in DIR instead of build-win/

A production package for IT:
  TH_EXTENSION_IDS=<the TextUs extension's id> TH_PRODUCTION=1 scripts/build-windows.sh msi

The .msi and the .exe are not signed: Windows SmartScreen warns when they are opened.
Exit status: 0 built (or up to date); 1 a build failed (its log is printed); 2 a wrong
step, a bad TH_EXTENSION_IDS, or a missing tool.
EOF
    exit 0
}

need() {
    local t
    for t in "$@"; do
        if ! command -v "$t" >/dev/null 2>&1; then
            echo "build-windows: $t is missing (scripts/bootstrap.sh --windows installs it)" >&2
            exit 2
        fi
    done
}

# The URI of the system's Debian archive (deb822 debian.sources or a one-line sources.list).
debian_uri() {
    local f uri=""
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
        [ -n "$uri" ] && break
    done
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || { echo "build-windows: no Debian deb entry in /etc/apt" >&2; exit 2; }
    echo "${uri%/}"
}

# Download and unpack the four pinned source packages into $deps/src (once).
fetch_sources() {
    local src=$deps/src apt=$deps/apt uri
    mkdir -p "$src" "$apt/lists/partial"
    chmod 755 "$deps" "$apt" "$apt/lists" "$src" # apt's _apt sandbox user reads and writes here
    uri=$(debian_uri)
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb-src\nURIs: %s-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$uri" >"$apt/src.sources"
    local A=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt"
             -o "Dir::State::Lists=$apt/lists" -o Dir::Etc::Preferences=/dev/null)
    apt-get "${A[@]}" -qq update
    (cd "$src" && apt-get "${A[@]}" -qq source --download-only \
        "libsodium=$PIN_LIBSODIUM" "cjson=$PIN_CJSON" "sqlite3=$PIN_SQLITE3" "curl=$PIN_CURL")
    local p
    for p in libsodium cjson sqlite3 curl; do
        local dsc=("$src/${p}_"*.dsc)
        [ ${#dsc[@]} -eq 1 ] || { echo "build-windows: expected one $p .dsc, found ${#dsc[@]}" >&2; exit 1; }
        rm -rf "$src/$p"
        (cd "$src" && dpkg-source -q -x "${dsc[0]}" "$p" >"$deps/log/unpack-$p.log" 2>&1)
    done
}

build_libsodium() {
    cd "$deps/src/libsodium"
    autoreconf -fi
    ./configure --host=$HOST --prefix="$deps" --disable-shared --enable-static \
        --disable-dependency-tracking
    make -j"$jobs" -C src install
}

build_cjson() {
    cd "$deps/src/cjson"
    $HOST-gcc -O2 -std=c89 -c cJSON.c -o cJSON.o
    $HOST-ar rcs "$deps/lib/libcjson.a" cJSON.o
    mkdir -p "$deps/include/cjson"
    cp cJSON.h "$deps/include/cjson/cJSON.h"
}

build_sqlite3() {
    cd "$deps/src/sqlite3"
    mkdir -p amalg
    (cd amalg && ../configure --disable-tcl >/dev/null && make sqlite3.c)
    $HOST-gcc -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_DQS=0 -DSQLITE_OMIT_LOAD_EXTENSION \
        -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE \
        -DSQLITE_USE_ALLOCA -DSQLITE_WIN32_MALLOC=0 -c amalg/sqlite3.c -o sqlite3.o
    $HOST-ar rcs "$deps/lib/libsqlite3.a" sqlite3.o
    cp amalg/sqlite3.h "$deps/include/sqlite3.h"
}

build_curl() {
    cd "$deps/src/curl"
    # Debian builds libcurl-gnutls/-nss by renaming through these; undo them, newest first
    patch -R -p1 -s <debian/patches/99_nss.patch
    patch -R -p1 -s <debian/patches/90_gnutls.patch
    autoreconf -fi
    ./configure --host=$HOST --prefix="$deps" --disable-shared --enable-static \
        --disable-dependency-tracking --with-schannel --without-openssl --without-gnutls \
        --without-nss --without-wolfssl --without-mbedtls --without-ca-bundle --without-ca-path \
        --disable-pthreads --disable-ftp --disable-file --disable-ldap --disable-ldaps \
        --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 \
        --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
        --disable-manual --without-libidn2 --without-libpsl --without-brotli --without-zstd \
        --without-nghttp2 --without-libssh2 --without-libssh --without-zlib --without-librtmp \
        --without-libgsasl
    make -j"$jobs" -C lib
    cp lib/.libs/libcurl.a "$deps/lib/libcurl.a"
    mkdir -p "$deps/include/curl"
    cp include/curl/*.h "$deps/include/curl/"
}

deps_step() {
    need $HOST-gcc $HOST-ar apt-get dpkg-source autoreconf libtoolize tclsh patch make
    if [ -f "$deps/stamp" ] && [ "$(cat "$deps/stamp")" = "$STAMP" ] &&
        [ -f "$deps/lib/libsodium.a" ] && [ -f "$deps/lib/libcjson.a" ] &&
        [ -f "$deps/lib/libsqlite3.a" ] && [ -f "$deps/lib/libcurl.a" ]; then
        echo "build-windows: deps up to date in $deps ($STAMP)"
        return 0
    fi
    local t0=$SECONDS p pids=() fail=0
    rm -rf "$deps"
    mkdir -p "$deps/lib" "$deps/include" "$deps/log"
    echo "build-windows: fetching Debian sources ($STAMP)"
    fetch_sources
    echo "build-windows: sources in $((SECONDS - t0)) s; building the four libraries"
    for p in libsodium cjson sqlite3 curl; do
        ("build_$p") >"$deps/log/$p.log" 2>&1 &
        pids+=("$!")
    done
    local i=0
    for p in libsodium cjson sqlite3 curl; do
        if ! wait "${pids[$i]}"; then
            echo "build-windows: $p FAILED; the end of $deps/log/$p.log:" >&2
            tail -30 "$deps/log/$p.log" >&2
            fail=1
        fi
        i=$((i + 1))
    done
    [ $fail -eq 0 ] || exit 1
    echo "$STAMP" >"$deps/stamp"
    echo "build-windows: deps built in $((SECONDS - t0)) s into $deps"
    ls -l "$deps/lib"/*.a
}

# THIRD-PARTY-NOTICES: the licence texts, copied from the source packages, never retyped.
notices_step() {
    local dest=${1:-$root/THIRD-PARTY-NOTICES} src=$deps/src p ver upstream lic
    for p in libsodium cjson sqlite3 curl; do
        [ -d "$src/$p/debian" ] || deps_step
    done
    {
        cat <<'HEAD'
THIRD-PARTY NOTICES for textus-host

The Windows build of textus-host (scripts/build-windows.sh) links the four libraries below
statically, so their notices travel with it. The Linux package links Debian's shared
libraries instead, and their own packages carry these notices
(/usr/share/doc/<package>/copyright).

Generated by `scripts/build-windows.sh notices` from Debian's source packages at the
versions pinned in that script; nothing below is retyped. For each library: its upstream
licence file, verbatim, then Debian's machine-readable record of every file's licence
(debian/copyright), verbatim. Stanzas about debian/*, tests, documentation or build
scripts concern files of the source package that are not compiled into textus-host.
HEAD
        for p in curl libsodium cjson sqlite3; do
            case $p in
            curl) ver=$PIN_CURL upstream=COPYING lic="libcurl: the curl licence (MIT/X derivative)" ;;
            libsodium) ver=$PIN_LIBSODIUM upstream=LICENSE lic="libsodium: ISC" ;;
            cjson) ver=$PIN_CJSON upstream=LICENSE lic="cJSON: MIT" ;;
            sqlite3) ver=$PIN_SQLITE3 upstream=LICENSE.md lic="SQLite: public domain" ;;
            esac
            printf '\n\n%s\n%s (Debian source package %s %s)\n%s\n' \
                "==========================================================================" \
                "$lic" "$p" "$ver" \
                "=========================================================================="
            printf '\n--- %s ---\n\n' "$upstream"
            cat "$src/$p/$upstream"
            printf '\n--- debian/copyright ---\n\n'
            cat "$src/$p/debian/copyright"
        done
    } >"$dest"
    echo "build-windows: wrote $dest"
}

host_step() {
    # $1: the build folder ($out/host); $2...: more cmake options (msi: -DTH_PRODUCTION=ON)
    local dir=${1:-$out/host}
    shift || true
    need cmake $HOST-gcc
    [ -f "$deps/stamp" ] || deps_step
    cmake -S "$root/cmake/windows" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" \
        -DTH_WIN_DEPS="$deps" -DCMAKE_BUILD_TYPE=Release -DTH_WERROR=ON "$@" >"$out/host-configure.log" 2>&1 || {
        tail -30 "$out/host-configure.log" >&2
        exit 1
    }
    cmake --build "$dir" -j"$jobs"
    echo "build-windows: built $(cd "$dir" && ls ./*.exe | tr '\n' ' ')in $dir"
}

# The two Windows Installer packages (packaging/windows/textus-host.wxs, built with wixl):
# $out/textus-host-<version>-per-user.msi and -per-machine.msi, and the zip of the same
# files without the manifest (textus-host-<version>-windows-x64.zip). The manifest inside allows
# the extension ids of TH_EXTENSION_IDS (space-, comma- or ;-separated, as the .deb's cmake
# option), plus the development stub's unless TH_PRODUCTION=1, which also builds the
# executable with -DTH_PRODUCTION=ON (in $out/host-production: it refuses the stub's id).
# A production package without an id is refused (no extension could use it).
msi_step() {
    need wixl msiinfo msibuild
    local prod=${TH_PRODUCTION:-0} dir=$out/host ids=() id origins="" ver scope name manifest
    [ "$prod" = 1 ] || ids+=(hfboccpnppdfmcdbjjgmobnhljkkmjji) # the development stub (its key is public)
    for id in $(echo "${TH_EXTENSION_IDS:-}" | tr ',;' '  '); do
        [[ $id =~ ^[a-p]{32}$ ]] || { echo "build-windows: TH_EXTENSION_IDS: '$id' is not an extension id (32 letters a-p)" >&2; exit 2; }
        [[ " ${ids[*]} " == *" $id "* ]] || ids+=("$id")
    done
    if [ ${#ids[@]} -eq 0 ]; then
        echo "build-windows: TH_PRODUCTION=1 needs TH_EXTENSION_IDS=<the TextUs extension's id>: the manifest would allow no extension" >&2
        exit 2
    fi
    if [ "$prod" = 1 ]; then
        dir=$out/host-production
        host_step "$dir" -DTH_PRODUCTION=ON
    else
        host_step "$dir"
    fi
    for id in "${ids[@]}"; do
        origins+="${origins:+,\n}    \"chrome-extension://$id/\""
    done
    manifest=$dir/com.textus.greenhouse.json
    # the .deb's template; the path is relative to the manifest's folder (allowed on Windows)
    awk -v o="$(printf '%b' "$origins")" '{ gsub(/@HOST_PATH@/, "textus-host.exe"); if ($0 == "@ALLOWED_ORIGINS@") print o; else print }' \
        "$root/manifest/com.textus.greenhouse.json.in" >"$manifest"
    ver=$(sed -n 's/^project(textus-host VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
    # wixl finds each Source relative to its folder: the four files are staged side by side
    rm -rf "$out/msi-stage" && mkdir -p "$out/msi-stage"
    cp "$dir/textus-host.exe" "$manifest" "$out/msi-stage/"
    cp "$root/LICENSE" "$out/msi-stage/LICENSE.txt"
    cp "$root/THIRD-PARTY-NOTICES" "$out/msi-stage/THIRD-PARTY-NOTICES.txt"
    for scope in perUser perMachine; do
        name=$out/textus-host-$ver-$([ $scope = perUser ] && echo per-user || echo per-machine).msi
        (cd "$out/msi-stage" && wixl -a x64 -D Version="$ver" -D Scope=$scope \
            -o "$name" "$root/packaging/windows/textus-host.wxs")
        same_version_upgrades "$name"
        path_environment "$name" $scope
        echo "build-windows: wrote $name ($(stat -c %s "$name") bytes; extension ids: ${ids[*]})"
    done
    # the zip, for `textus-host.exe install` (it writes the manifest itself: none inside)
    name=$out/textus-host-$ver-windows-x64.zip
    rm -f "$name"
    (cd "$out/msi-stage" && python3 -m zipfile -c "$name" textus-host.exe LICENSE.txt THIRD-PARTY-NOTICES.txt)
    echo "build-windows: wrote $name ($(stat -c %s "$name") bytes)"
}

# An .msi rebuilt at the SAME version (other extension ids) must replace the installed one, not
# install a second product beside it (Product Id="*": each build is a new product). WiX says
# so with MajorUpgrade AllowSameVersionUpgrades="yes", which wixl 0.101 ignores (a GLib
# warning, no effect): its Upgrade row that removes older versions gets
# msidbUpgradeAttributesVersionMaxInclusive (512) here instead, through msitools. The
# downgrade row (VersionMin exclusive) is left alone: the same version is no downgrade.
# https://learn.microsoft.com/en-us/windows/win32/msi/upgrade-table (Attributes)
same_version_upgrades() {
    local msi=$1 idt
    idt=$(mktemp -d)
    (cd "$idt" && msiinfo export "$msi" Upgrade >Upgrade.idt)
    python3 - "$idt/Upgrade.idt" <<'PY'
import sys
path = sys.argv[1]
rows = open(path, newline="").read().split("\r\n")
hit = 0
for i, row in enumerate(rows):
    f = row.split("\t")
    if i >= 3 and len(f) == 7 and f[6] == "WIX_UPGRADE_DETECTED":
        f[4] = str(int(f[4] or 0) | 512)
        rows[i] = "\t".join(f)
        hit += 1
if hit != 1:
    sys.exit("build-windows: the .msi's Upgrade table has %d WIX_UPGRADE_DETECTED rows, not 1" % hit)
open(path, "w", newline="").write("\r\n".join(rows))
PY
    (cd "$idt" && msibuild "$msi" -i Upgrade.idt)
    rm -rf "$idt"
}

# The install folder on PATH (README, "Windows"), as Git and VS Code do, so that a bare
# `textus-host <command>` (every message of the host names its commands so) runs in a new
# terminal. WiX says it with <Environment Name="PATH" Value="[INSTALLDIR]" Part="last"
# Action="set" System="yes|no" Permanent="no"/>, which wixl 0.101 does not know ("unhandled
# child Component node Environment"): its row goes into the Environment table here instead,
# through msitools, with the two standard actions WiX would sequence.
# https://learn.microsoft.com/en-us/windows/win32/msi/environment-table: Name "=-PATH" sets
# at install (=) and removes at uninstall (-) the user's variable, "=-*PATH" the system's (*);
# Value "[~];[INSTALLDIR]" appends to what is there ([~] is the existing value), and Windows
# Installer adds nothing that is already in it (a repair, an upgrade). On the Host component:
# installed and removed with textus-host.exe.
# https://learn.microsoft.com/en-us/windows/win32/msi/writeenvironmentstrings-action (5200)
# https://learn.microsoft.com/en-us/windows/win32/msi/removeenvironmentstrings-action (3300)
path_environment() {
    local msi=$1 scope=$2 idt name
    idt=$(mktemp -d)
    name='=-PATH'
    [ "$scope" = perMachine ] && name='=-*PATH'
    printf 'Environment\tName\tValue\tComponent_\r\ns72\tl255\tL255\ts72\r\nEnvironment\tEnvironment\r\nPathEntry\t%s\t[~];[INSTALLDIR]\tHost\r\n' \
        "$name" >"$idt/Environment.idt"
    (cd "$idt" && msiinfo export "$msi" InstallExecuteSequence >InstallExecuteSequence.idt)
    grep -q '^InstallFiles' "$idt/InstallExecuteSequence.idt" ||
        { echo "build-windows: no InstallFiles in the .msi's InstallExecuteSequence" >&2; exit 1; }
    if ! grep -q '^WriteEnvironmentStrings' "$idt/InstallExecuteSequence.idt"; then
        printf 'RemoveEnvironmentStrings\t\t3300\r\nWriteEnvironmentStrings\t\t5200\r\n' \
            >>"$idt/InstallExecuteSequence.idt"
    fi
    (cd "$idt" && msibuild "$msi" -i Environment.idt && msibuild "$msi" -i InstallExecuteSequence.idt)
    rm -rf "$idt"
}

case "${1:-all}" in
deps) deps_step ;;
host) host_step ;;
msi) msi_step ;;
notices) notices_step "${2:-}" ;;
-h | --help | help) help ;;
all)
    deps_step
    host_step
    ;;
*) usage ;;
esac
