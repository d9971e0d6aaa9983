#!/usr/bin/env bash
# bootstrap.sh — install what building and testing textus-host needs.
# Debian/Ubuntu: apt-get (as root, or through sudo), only what is missing; safe to re-run.
# macOS: prints the Homebrew line. Extra package names may be passed as arguments;
# --windows adds what the Windows cross-build and its tests under Wine need
# (scripts/build-windows.sh, tests/windows/).
set -euo pipefail

windows=()
if [ "${1:-}" = --windows ]; then
    shift
    windows=(gcc-mingw-w64-x86-64 mingw-w64-tools wine64 wine msitools wixl
             autoconf automake libtool tcl dpkg-dev)
fi
packages=(build-essential cmake pkg-config git python3 openssl
          libcjson-dev libcurl4-openssl-dev libsodium-dev libsqlite3-dev libcmocka-dev
          clang libclang-rt-14-dev valgrind clang-format
          python3-phonenumbers faketime strace "${windows[@]}" "$@")

if [ "$(uname -s)" = Darwin ]; then
    echo "bootstrap: on macOS run:"
    echo "  brew install cmake pkg-config cjson curl libsodium sqlite cmocka llvm"
    exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "bootstrap: not a Debian/Ubuntu system; install: ${packages[*]}" >&2
    exit 1
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "bootstrap: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; fi
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: installed ${#missing[@]} package(s)"
