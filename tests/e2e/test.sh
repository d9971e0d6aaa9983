#!/usr/bin/env bash
# test.sh — run the end-to-end tests in Debian's headless Chromium (ctest: e2e).
# Installs what they need when missing: chromium (apt), nodejs + npm (apt), and
# playwright-core from package-lock.json (npm ci; it downloads no browser).
# Exits 77 (ctest: skipped) with a clear message only when chromium cannot be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo="sudo -n"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

chromium=${TH_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "e2e: installing chromium (apt-get)"
    if ! command -v apt-get >/dev/null 2>&1 || ! apt_install chromium || [ ! -x "$chromium" ]; then
        echo "e2e: SKIPPED: chromium is not installed and could not be installed (apt-get install chromium);"
        echo "     set TH_CHROMIUM to a Chromium binary to run these tests"
        exit 77
    fi
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "e2e: installing nodejs and npm (apt-get)"
    apt_install nodejs npm || { echo "e2e: FAILED: cannot install nodejs/npm" >&2; exit 1; }
fi
if [ ! -f node_modules/playwright-core/package.json ]; then
    echo "e2e: installing playwright-core (npm ci; no browser download)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exec node --test --test-concurrency=1 "$here"/*.test.js
