# common.sh — sourced by scripts/install.sh and scripts/uninstall.sh: what both must do the
# same way. "Did you mean" for their options (the host's rule: host/term.c, term_nearest), and
# the identity of a folder the installer made, which the receipt records and uninstall compares.

# A folder's identity: device:inode:birth time (empty when it does not exist).
dir_id() {
    if stat -c %i / >/dev/null 2>&1; then stat -c '%d:%i:%.9W' "$1" 2>/dev/null || true # GNU
    else stat -f '%d:%i:%B' "$1" 2>/dev/null || true; fi                                # BSD, macOS
}

# The word closest to $1 among the others (optimal string alignment distance, case-insensitive,
# within max(1, length/3) edits), or nothing.
nearest() {
    local w c best="" bestd=999 la lb i j n cost v lim
    w=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
    shift
    la=${#w}
    for c in "$@"; do
        lb=${#c}
        n=$((lb + 1))
        local dist=()
        for ((i = 0; i <= la; i++)); do dist[i * n]=$i; done
        for ((j = 0; j <= lb; j++)); do dist[j]=$j; done
        for ((i = 1; i <= la; i++)); do
            for ((j = 1; j <= lb; j++)); do
                cost=1
                [ "${w:i-1:1}" != "${c:j-1:1}" ] || cost=0
                v=$((dist[(i - 1) * n + j] + 1))
                if ((dist[i * n + j - 1] + 1 < v)); then v=$((dist[i * n + j - 1] + 1)); fi
                if ((dist[(i - 1) * n + j - 1] + cost < v)); then v=$((dist[(i - 1) * n + j - 1] + cost)); fi
                if ((i > 1 && j > 1)) && [ "${w:i-1:1}" = "${c:j-2:1}" ] &&
                    [ "${w:i-2:1}" = "${c:j-1:1}" ] && ((dist[(i - 2) * n + j - 2] + 1 < v)); then
                    v=$((dist[(i - 2) * n + j - 2] + 1))
                fi
                dist[i * n + j]=$v
            done
        done
        if ((dist[la * n + lb] < bestd)); then bestd=${dist[la * n + lb]}; best=$c; fi
    done
    lim=$((la / 3))
    [ "$lim" -ge 1 ] || lim=1
    if [ "$bestd" -le "$lim" ]; then echo "$best"; fi
    return 0
}

# " (did you mean --system?)" when a word among the others is close to $1, else nothing.
did_you_mean() { # word candidates...
    local m
    m=$(nearest "$@")
    if [ -n "$m" ]; then echo " (did you mean $m?)"; fi
    return 0
}
