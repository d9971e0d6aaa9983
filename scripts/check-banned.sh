#!/usr/bin/env bash
# check-banned.sh — fail when host/ or tests/ C code calls a banned function
# (curl's list: unbounded or hard-to-use-safely calls).
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|sscanf|gets|atoi)[[:space:]]*\('
hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' host tests || true)
if [ -n "$hits" ]; then
    echo "banned functions used (use snprintf, memcpy with sizes, strtol, ...):"
    echo "$hits"
    exit 1
fi
echo "check-banned: no banned functions in host/ or tests/"
