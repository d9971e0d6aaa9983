#!/usr/bin/env bash
# check-format.sh — fail when a C file under host/ or tests/ differs from what
# clang-format makes of it with the repository's .clang-format (the tree is
# formatted with Debian 12's clang-format 14); print the files and the command
# that fixes them. CLANG_FORMAT picks another binary (e.g. clang-format-14).
set -euo pipefail
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
    echo "check-format: $cf not found: apt-get install clang-format (or run scripts/bootstrap.sh)" >&2
    exit 1
fi
version=$("$cf" --version)
major=$(sed -nE 's/.*version ([0-9]+)\..*/\1/p' <<<"$version")
bad=()
while IFS= read -r -d '' f; do
    if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
        bad+=("$f")
    fi
done < <(find host tests -path tests/e2e/node_modules -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
             -print0 | sort -z)
if [ ${#bad[@]} -gt 0 ]; then
    echo "check-format: ${#bad[@]} C file(s) differ from clang-format (.clang-format):"
    printf '  %s\n' "${bad[@]}"
    echo "fix: $cf -i ${bad[*]}"
    if [ "$major" != 14 ]; then
        echo "note: this is $version; the tree is formatted with clang-format 14, and other" \
             "versions may format some constructs differently"
    fi
    exit 1
fi
echo "check-format: every C file in host/ and tests/ is clang-formatted ($version)"
