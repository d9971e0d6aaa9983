#!/usr/bin/env bash
# browser-tools.sh — what the browser path needs (tests/e2e/test.sh, scripts/demo.sh), each
# installed only when it is missing:
#   * Chromium: apt-get install chromium (TH_CHROMIUM names the binary; default /usr/bin/chromium);
#   * node and npm: apt-get install nodejs npm;
#   * playwright-core and axe-core (the e2e tests' accessibility checks) in
#     tests/e2e/node_modules: npm ci from tests/e2e/package-lock.json (it downloads no browser).
# apt-get runs as root, else through sudo -n (never asking for a password). npm runs with a
# throwaway home and cache (nothing in ~/.npm), reading the user's ~/.npmrc.
# Progress goes to stderr as "<who>: installing ... for the browser path (...)", who being
# $BROWSER_TOOLS_WHO (default: browser-tools). stdout is one line: what is installed, or why
# the browser path cannot run. Exit status:
#   0 ready; 2 Chromium is missing and could not be installed; 3 node or npm is missing and
#   could not be installed; 4 npm ci could not install playwright-core.
set -uo pipefail
cd "$(dirname "$0")/.."

who=${BROWSER_TOOLS_WHO:-browser-tools}
chromium=${TH_CHROMIUM:-/usr/bin/chromium}
say() { echo "$who: $*" >&2; }

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

if [ ! -x "$chromium" ]; then
    say "installing chromium for the browser path (apt-get install chromium)"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Chromium is not installed at $chromium and there is no apt-get to install it"
        exit 2
    fi
    if ! apt_install chromium; then
        echo "Chromium is not installed at $chromium and apt-get install chromium failed"
        exit 2
    fi
    if [ ! -x "$chromium" ]; then
        echo "apt-get installed chromium, but there is still no Chromium at $chromium"
        exit 2
    fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing nodejs and npm for the browser path (apt-get install nodejs npm)"
    if ! command -v apt-get >/dev/null 2>&1 || ! apt_install nodejs npm ||
        ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "node and npm are missing and apt-get install nodejs npm failed"
        exit 3
    fi
fi

if [ ! -f tests/e2e/node_modules/playwright-core/package.json ] ||
    [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then
    say "installing playwright-core and axe-core for the browser path (npm ci; no browser download)"
    # npm runs with a home and a cache of its own, removed afterwards: nothing lands in the
    # user's ~/.npm or ~/.cache. The user's ~/.npmrc (a registry mirror, a proxy) is still read.
    npmtmp=$(mktemp -d "${TMPDIR:-/tmp}/browser-tools.XXXXXX")
    mkdir "$npmtmp/home"
    userconfig=${npm_config_userconfig:-${NPM_CONFIG_USERCONFIG:-$HOME/.npmrc}}
    if ! (cd tests/e2e && env -u NPM_CONFIG_CACHE -u NPM_CONFIG_USERCONFIG HOME="$npmtmp/home" \
            XDG_CONFIG_HOME="$npmtmp/home/.config" XDG_CACHE_HOME="$npmtmp/home/.cache" \
            npm_config_cache="$npmtmp/cache" npm_config_userconfig="$userconfig" \
            PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --no-update-notifier \
            --loglevel=error >/dev/null 2>"$npmtmp/log") ||
        [ ! -f tests/e2e/node_modules/playwright-core/package.json ] ||
        [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then
        sed "s/^/$who: npm: /" "$npmtmp/log" >&2
        rm -rf "$npmtmp"
        echo "npm ci could not install playwright-core (tests/e2e/package-lock.json)"
        exit 4
    fi
    rm -rf "$npmtmp"
fi

echo "Chromium ($chromium), node and playwright-core are installed"
