#!/usr/bin/env bash
# test.sh — run the end-to-end tests in Debian's headless Chromium (ctest: e2e).
# What they need is installed when missing by scripts/browser-tools.sh (chromium and
# nodejs + npm through apt-get, playwright-core from package-lock.json through npm ci,
# which downloads no browser). Exits 77 (ctest: skipped) with a clear message only when
# chromium cannot be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

rc=0
why=$(BROWSER_TOOLS_WHO=e2e "$here/../../scripts/browser-tools.sh") || rc=$?
case $rc in
    0) ;;
    2)
        echo "e2e: SKIPPED: $why;"
        echo "     set TH_CHROMIUM to a Chromium binary to run these tests"
        exit 77
        ;;
    *)
        echo "e2e: FAILED: $why" >&2
        exit 1
        ;;
esac
exec node --test --test-concurrency=1 "$here"/*.test.js
