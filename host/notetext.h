/*
 * notetext — text from outside (a candidate's SMS, a TextUs contact name, a
 * recruiter's text) made safe to carry in a Greenhouse note or to print on a
 * terminal, and the exact match of a note's marker line. Pure: no I/O; decodes
 * with utf8.c.
 *
 * For a note (notetext_clean): C0 and C1 control characters and DEL are
 * dropped, except the newline (CR LF, a lone CR, NEL, U+2028 and U+2029 become
 * LF; a tab becomes a space); bidirectional overrides, embeddings, isolates and
 * marks and the zero-width characters (U+200B-U+200D, U+2060-U+2064, U+FEFF,
 * U+180E, U+FFF9-U+FFFB, the tag characters U+E0000-U+E007F) are dropped —
 * so an emoji joined with U+200D shows as its parts; a malformed UTF-8 byte
 * becomes U+FFFD. With NOTETEXT_MARKUP, what an HTML reader would take for
 * markup is escaped: "<" before a letter, "/", "!" or "?" (a tag, a comment, a
 * declaration) as "&lt;", "&" that starts a character reference ("&name;",
 * "&#12;", "&#x1f;") as "&amp;"; "<3", "a < b" and "Q&A" stay as written.
 * Harvest documents a note's body only as "string" (not documented whether
 * Greenhouse renders it as HTML): the safe reading is that it might.
 * The result is at most `max` bytes of that text (cut at a character), then,
 * when anything was cut, NOTETEXT_CUT on a line of its own.
 *
 * For a terminal (notetext_term): every character the note rules would drop or
 * change, and every malformed byte, printed as an escape ("\x1b", "\u202e"):
 * nothing from outside moves the cursor, rings the bell or reorders a line.
 * [core]
 */
#ifndef TH_NOTETEXT_H
#define TH_NOTETEXT_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

/* What a cut text ends with (the note keeps the beginning; TextUs keeps the whole). */
#define NOTETEXT_CUT "(cut; the whole text is in TextUs)"

/* Bytes of a message's text one note carries at most (Harvest's limit is not documented;
 * host/greenhouse.c refuses a whole note above 64 KiB). */
#define NOTETEXT_BODY_MAX 8192

#define NOTETEXT_MARKUP 1u /* escape what HTML would read as markup */
#define NOTETEXT_LINE   2u /* one line (a name): newlines become spaces, "…" marks a cut */

/* How the note rules treat one code point. */
enum notetext_kind {
    NOTETEXT_KEEP,      /* kept as it is */
    NOTETEXT_NEWLINE,   /* a line break: LF (CR and CR LF are handled by the caller) */
    NOTETEXT_SPACE,     /* a tab: kept as one space */
    NOTETEXT_CONTROL,   /* C0 (not LF, CR, tab), DEL, C1 (not NEL): dropped */
    NOTETEXT_INVISIBLE, /* bidi control or zero-width character: dropped */
};

enum notetext_kind notetext_kind(uint32_t cp);

/*
 * in[0..len) made safe for a note (see the top comment) into *out (malloc'd, NUL-terminated):
 * at most max bytes of text, then, when the text was longer or was_cut says the caller had
 * already cut it, NOTETEXT_CUT on its own line (NOTETEXT_LINE: "…"). *cut (may be NULL) is
 * set to 1 when anything was cut. 0, or -1 (out of memory; *out NULL).
 */
int notetext_clean(char **out, int *cut, const char *in, size_t len, size_t max, unsigned flags,
                   int was_cut) TH_WUR;

/* in[0..len) for a terminal (see the top comment) into *out (malloc'd). 0, or -1 out of memory. */
int notetext_term(char **out, const char *in, size_t len) TH_WUR;

/* The length of the longest prefix of s[0..len) of at most max bytes that does not end inside
 * a UTF-8 sequence (a malformed byte counts as one character). */
size_t notetext_prefix(const char *s, size_t len, size_t max);

/*
 * 1 when line is the last line of text, whole: after the last LF of text (trailing
 * spaces, tabs, CRs and LFs ignored) comes exactly line. A note's marker is matched this
 * way only, so that a text quoting another note's marker is never taken for it.
 */
int notetext_last_line_is(const char *text, const char *line);

#endif
