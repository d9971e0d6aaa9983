/*
 * term — check marks, progress lines and suggestions for people (see term.h).
 * [core]
 */
#include "term.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "os.h"

#define TERM_WORD_MAX 64

int term_fancy(FILE *f)
{
    const char *term = os_getenv("TERM");

    /* a terminal that takes ANSI sequences (Windows: a console with VT processing on) */
    if (!f || !os_term_ansi(fileno(f)))
        return 0;
    return !(term && strcmp(term, "dumb") == 0);
}

int term_color(FILE *f)
{
    const char *no_color = os_getenv("NO_COLOR");

    /* https://no-color.org: a non-empty NO_COLOR turns off colour, nothing else */
    return term_fancy(f) && !(no_color && no_color[0]);
}

const char *term_sgr(FILE *f, const char *code)
{
    return term_color(f) ? code : "";
}

const char *term_mark_word(enum term_mark m)
{
    switch (m) {
    case TERM_OK:
        return "ok";
    case TERM_FAIL:
        return "FAIL";
    case TERM_WARN:
        return "warn";
    case TERM_INFO:
        return "info";
    case TERM_UNCHECKED:
    default:
        return "unchecked";
    }
}

void term_print_mark(FILE *f, enum term_mark m, int width)
{
    const char *word = term_mark_word(m);
    const char *sym, *color;
    int len = (int)strlen(word);

    if (!term_fancy(f)) {
        fprintf(f, "%-*s", width, word);
        return;
    }
    switch (m) {
    case TERM_OK:
        sym = "\xe2\x9c\x93", color = "\033[32m"; /* ✓ green */
        break;
    case TERM_FAIL:
        sym = "\xe2\x9c\x97", color = "\033[1;31m"; /* ✗ bold red */
        break;
    case TERM_WARN:
        sym = "!", color = "\033[33m";
        break;
    case TERM_INFO:
        sym = "\xc2\xb7", color = "\033[2m"; /* · dim */
        break;
    case TERM_UNCHECKED:
    default:
        sym = "?", color = "\033[2m";
        break;
    }
    /* the symbol is one column wide, then a space */
    fprintf(f, "%s%s %s%s%*s", term_sgr(f, color), sym, word, term_sgr(f, "\033[0m"),
            width > len + 2 ? width - len - 2 : 0, "");
}

void term_step_begin(FILE *f, const char *what)
{
    if (term_fancy(f))
        fprintf(f, "\r\033[K  \xe2\x80\xa6 %s", what); /* "  … what", no newline */
    else
        fprintf(f, "  ... %s\n", what);
    fflush(f);
}

void term_step_end(FILE *f)
{
    if (term_fancy(f))
        fputs("\r\033[K", f);
    fflush(f);
}

/* Optimal string alignment distance, case-insensitive, for short words. */
static size_t term_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t d[TERM_WORD_MAX + 1][TERM_WORD_MAX + 1];

    if (la > TERM_WORD_MAX || lb > TERM_WORD_MAX)
        return (size_t)-1;
    for (i = 0; i <= la; i++)
        d[i][0] = i;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca != cb, best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *term_nearest(const char *word, const char *const *cands, size_t n)
{
    size_t i, best = (size_t)-1, limit;
    const char *pick = NULL;

    if (!word || !word[0])
        return NULL;
    limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    for (i = 0; i < n; i++) {
        size_t dist;
        if (!cands[i])
            continue;
        dist = term_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
        }
    }
    return best <= limit ? pick : NULL;
}

int term_local_time(char *out, size_t outsz, int64_t epoch_s)
{
    struct tm tm;

    if (!outsz)
        return -1;
    out[0] = '\0';
    if (os_local_tm(&tm, epoch_s) != 0 || !strftime(out, outsz, "%Y-%m-%d %H:%M", &tm)) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int term_stdin_is_tty(void)
{
    return os_isatty(0);
}

/* The PATH search itself (a stat per folder, times PATHEXT on Windows), once per process:
 * doctor asks for every fix it prints, and neither PATH nor this executable changes meanwhile. */
static int term_self_on_path_uncached(char *found, size_t foundsz)
{
    char exe[4096];
    int same;

    found[0] = '\0';
    if (os_exe_path(exe, sizeof(exe)) != 0)
        return -1;
    if (os_which(found, foundsz, "textus-host") != 0) {
        found[0] = '\0';
        return errno == ENOENT ? 0 : -1;
    }
    same = os_same_file(found, exe);
    if (same < 0)
        found[0] = '\0';
    return same;
}

int term_self_on_path(char *found, size_t foundsz)
{
    static char cached[4096];
    static int state = -2; /* -2: not looked yet */

    if (state == -2)
        state = term_self_on_path_uncached(cached, sizeof(cached));
    if (foundsz)
        snprintf(found, foundsz, "%s", cached);
    return state;
}

void term_self_command(char *out, size_t outsz, const char *verb)
{
    char exe[4096], found[4096], q[2 * 4096 + 8];
    int n = -1, win = strcmp(os_name(), "Windows") == 0;

    /* elsewhere the name as it always was: doctor says when PATH does not find it */
    if (!win || term_self_on_path(found, sizeof(found)) == 1)
        n = snprintf(out, outsz, "textus-host %s", verb);
    else if (os_exe_path(exe, sizeof(exe)) == 0 && os_shell_quote(q, sizeof(q), exe) == 0)
        n = snprintf(out, outsz, "& %s %s", q, verb); /* single quotes: a$(calc) stays text */
    if (n < 0 || (size_t)n >= outsz)
        snprintf(out, outsz, "%s %s", win ? ".\\textus-host.exe" : "textus-host", verb);
}

void term_other_copy_fix(char *out, size_t outsz, const char *other)
{
    char dir[4096], q[2 * 4096 + 8];
    const char *sep = strrchr(other, '\\');
    int where;

    snprintf(dir, sizeof(dir), "%.*s", sep ? (int)(sep - other) : 0, other);
    where = dir[0] ? os_path_setting_has(dir) : -1;
    if (os_shell_quote(q, sizeof(q), other) != 0)
        snprintf(q, sizeof(q), "'%s'", "textus-host.exe");
    if (where == 2)
        snprintf(out, outsz,
                 "%s is in the machine's PATH (the system PATH), which Windows puts before "
                 "yours: only an administrator can fix it, by removing that copy (in a "
                 "PowerShell run as administrator: Remove-Item %s) or taking %s out of the "
                 "system PATH; until then run this copy by its full path",
                 dir, q, dir);
    else if (where == 1)
        snprintf(out, outsz,
                 "%s comes before this copy's folder in your PATH: remove that copy (in "
                 "PowerShell: Remove-Item %s; if an installer put it there, uninstall it in "
                 "Settings, Apps instead) or take %s out of your PATH (Start menu: Edit "
                 "environment variables for your account), then open a new terminal",
                 dir, q, dir);
    else if (where == 0)
        snprintf(out, outsz,
                 "%s is on this terminal's PATH only (no PATH setting has it): open a new "
                 "terminal, or remove that copy (in PowerShell: Remove-Item %s)",
                 dir, q);
    else
        snprintf(out, outsz,
                 "remove that copy (in PowerShell: Remove-Item %s) or take %s out of PATH, "
                 "then open a new terminal",
                 q, dir[0] ? dir : "its folder");
}

void term_stdin_hint(char *out, size_t outsz, const char *cmdline)
{
    if (!outsz)
        return;
    out[0] = '\0';
    if (strcmp(os_name(), "Windows") == 0)
        snprintf(out, outsz,
                 "       in PowerShell, which has no '<' (cmd passes the bytes as they are):\n"
                 "         cmd /c '%s'\n",
                 cmdline);
}
