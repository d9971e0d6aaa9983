/*
 * term — how the command line talks to a person: the check marks of a
 * checklist (plain words when the output is not a terminal or TERM is "dumb";
 * ✓/✗ on any other terminal, coloured unless NO_COLOR is set — NO_COLOR is
 * about colour only, https://no-color.org), a live progress line for slow
 * steps (on a terminal, TERM not "dumb", whatever NO_COLOR says), and "did you
 * mean" suggestions for a mistyped word. Output for programs (--json, frames)
 * never goes through here.
 * [core]
 */
#ifndef TH_TERM_H
#define TH_TERM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"

enum term_mark { TERM_OK, TERM_FAIL, TERM_WARN, TERM_INFO, TERM_UNCHECKED };

/* 1 when f is a terminal that can redraw a line (TERM not "dumb"): marks and live lines. */
int term_fancy(FILE *f);

/* 1 when term_fancy(f) and colour is allowed (NO_COLOR unset or empty). */
int term_color(FILE *f);

/* code (an ANSI SGR sequence such as "\033[32m") when term_color(f), else "". */
const char *term_sgr(FILE *f, const char *code);

/* The plain word of a mark: "ok", "FAIL", "warn", "info", "unchecked". */
const char *term_mark_word(enum term_mark m);

/*
 * Print a mark padded to `width` visible columns: the plain word, or on a
 * fancy terminal "✓ ok", "✗ FAIL", "! warn", "· info", "? unchecked" (coloured
 * when term_color).
 */
void term_print_mark(FILE *f, enum term_mark m, int width);

/*
 * A slow step (a network check): term_step_begin says what is being waited
 * for — on a terminal as a live line that term_step_end erases so the result
 * can take its place; otherwise as a plain line "  ... <what>" that stays.
 * Both flush f.
 */
void term_step_begin(FILE *f, const char *what);
void term_step_end(FILE *f);

/*
 * The candidate closest to `word` (optimal string alignment distance: one
 * insertion, deletion, substitution or swap of neighbours costs 1), or NULL
 * when none is within max(1, strlen(word) / 3) edits. Case-insensitive.
 */
const char *term_nearest(const char *word, const char *const *cands, size_t n);

/*
 * epoch_s as the person's own wall-clock time, "2026-12-07 10:15" (the TZ of the process,
 * else the system's zone): what a person reads in the outbox list, the support report and a
 * conversation (programs get ISO 8601 UTC in --json). 0, or -1 (out = "") when it cannot be
 * converted.
 */
int term_local_time(char *out, size_t outsz, int64_t epoch_s);

/* 1 when stdin is a terminal a person types at (a prompt on stderr then helps). */
int term_stdin_is_tty(void);

/*
 * Whether a bare `textus-host` typed in a terminal runs this very executable: os_which in
 * this process's PATH, then os_same_file against os_exe_path. 1 it does; 0 it does not, with
 * found the other file it runs (an older copy), or "" when PATH has none; -1 (found "") when
 * that could not be checked (the executable's own path unknown, the search failed).
 */
int term_self_on_path(char *found, size_t foundsz);

/*
 * How a person calls this program to run verb ("doctor", "configure", ...), as their shell
 * wants it: `textus-host doctor`, the words every lower layer's message uses, except on
 * Windows when PATH does not run this very .exe (a zip never installed, a PATH set after the
 * terminal was opened, an older copy first): then the running .exe's full path in PowerShell
 * form, `& 'C:\...\textus-host.exe' doctor` (single quotes, os_shell_quote: nothing in the
 * path is expanded). Always a whole command: falls back to the name.
 */
void term_self_command(char *out, size_t outsz, const char *verb);

/*
 * Windows: another textus-host.exe (other, a full path) is found on PATH before this one. The
 * fix, into out, for the PATH setting that holds its folder (os_path_setting_has): the
 * machine's, which Windows puts before the user's (an administrator must act: said so); the
 * user's (a whole command to remove that copy, or where to take the folder out); neither
 * (this terminal's PATH alone: a new terminal). Ends with no full stop.
 */
void term_other_copy_fix(char *out, size_t outsz, const char *other);

/*
 * A usage line's `cmdline < FILE`, the way Windows runs it, into out (a whole line, "\n" at
 * the end), "" elsewhere: PowerShell has no '<', and its pipe re-encodes text (5.1), so cmd's
 * redirection, which passes the bytes as they are: cmd /c 'textus-host send ... < body.txt'.
 */
void term_stdin_hint(char *out, size_t outsz, const char *cmdline);

#endif
