/*
 * fuzz_notetext — libFuzzer target for the note-body sanitiser (notetext.c), checking
 * what notetext.h promises of every output rather than only that nothing crashes:
 *   - the note text is valid UTF-8 with no control character but LF, no bidi control
 *     and no zero-width character (notetext_kind of every code point is KEEP, or LF);
 *   - it holds at most max bytes of text, then NOTETEXT_CUT exactly when it was cut;
 *   - with NOTETEXT_MARKUP, no "<" is followed by a letter, "/", "!" or "?", every "&" that
 *     starts "&#" + digit or "&lt", "&gt", "&amp", "&quot" is "&lt;" or "&amp;", and
 *     decoding those two gives back the text made without the flag (nothing else changed);
 *   - with NOTETEXT_LINE, no LF at all;
 *   - the terminal form holds no byte below 0x20 but LF, no DEL, and is valid UTF-8 whose
 *     code points are all KEEP or LF;
 *   - notetext_last_line_is(text + "\n" + line, line) holds for a line without LF,
 *     and a line that is only part of the last line is not matched.
 * Input: byte 0 picks max (0-255, or NOTETEXT_BODY_MAX when odd above 127) and the flags,
 * the rest is the text (NULs included).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notetext.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_only_kept(const char *s, size_t n, int allow_lf)
{
    size_t i = 0;

    if (!utf8_valid(s, n))
        abort();
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(&cp, s + i, n - i);
        if (k == 0)
            abort();
        if (cp == '\n') {
            if (!allow_lf)
                abort();
        } else if (notetext_kind(cp) != NOTETEXT_KEEP) {
            abort();
        }
        i += k;
    }
}

/* No "<" that opens a tag; every "&" that HTML would decode is one of the two escapes. */
static void fz_no_markup(const char *s)
{
    const char *p;

    for (p = s; *p; p++) {
        char c = p[1];
        if (*p == '<' &&
            ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?'))
            abort();
        if (*p == '&' && strncmp(p, "&amp;", 5) != 0 && strncmp(p, "&lt;", 4) != 0 &&
            ((c == '#' && ((p[2] >= '0' && p[2] <= '9') ||
                           ((p[2] == 'x' || p[2] == 'X') && p[3] >= '0' && p[3] <= '9'))) ||
             strncmp(p + 1, "lt", 2) == 0 || strncmp(p + 1, "gt", 2) == 0 ||
             strncmp(p + 1, "amp", 3) == 0 || strncmp(p + 1, "quot", 4) == 0))
            abort();
    }
}

/* s with "&lt;" and "&amp;" decoded, left to right, in place. */
static void fz_unescape(char *s)
{
    char *r = s, *w = s;

    while (*r) {
        if (strncmp(r, "&lt;", 4) == 0) {
            *w++ = '<';
            r += 4;
        } else if (strncmp(r, "&amp;", 5) == 0) {
            *w++ = '&';
            r += 5;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in;
    size_t len, max, n, tl = strlen(NOTETEXT_CUT);
    unsigned flags;
    char *out = NULL, *t = NULL, *joined;
    int cut = -1;

    if (size < 1)
        return 0;
    max = data[0] > 127 && (data[0] & 1) ? NOTETEXT_BODY_MAX : data[0];
    flags = (data[0] >> 1) & 3u;
    in = (const char *)data + 1;
    len = size - 1;

    if (notetext_clean(&out, &cut, in, len, max, flags, 0) != 0)
        abort(); /* small inputs: never out of memory */
    n = strlen(out);
    fz_only_kept(out, n, !(flags & NOTETEXT_LINE));
    if (flags & NOTETEXT_MARKUP) {
        /* escaped, and only escaped: decoding gives back the text without the flag */
        char *esc = NULL, *plain = NULL;
        size_t big = 5 * len + 16;
        fz_no_markup(out);
        if (notetext_clean(&esc, NULL, in, len, big, flags, 0) != 0 ||
            notetext_clean(&plain, NULL, in, len, big, flags & ~NOTETEXT_MARKUP, 0) != 0)
            abort();
        fz_no_markup(esc);
        fz_unescape(esc);
        if (strcmp(esc, plain) != 0)
            abort();
        free(esc);
        free(plain);
    }
    if (flags & NOTETEXT_LINE) {
        if (cut && (n < 3 || memcmp(out + n - 3, "\xE2\x80\xA6", 3) != 0 || n - 3 > max))
            abort();
        if (!cut && n > max)
            abort();
    } else if (cut) {
        if (n < tl || memcmp(out + n - tl, NOTETEXT_CUT, tl) != 0 || n - tl > max + 1)
            abort();
    } else if (n > max) {
        abort();
    }
    /* nothing that was kept grows: without markup escapes, the text is no longer than the
     * input with each malformed byte as U+FFFD */
    if (!(flags & NOTETEXT_MARKUP) && !cut && n > 3 * len)
        abort();

    if (notetext_term(&t, in, len) != 0)
        abort();
    fz_only_kept(t, strlen(t), 1);

    /* the marker rule: a line without LF is the last line of text + "\n" + line */
    if (!memchr(in, '\n', len) && !memchr(in, '\0', len) && len > 0) {
        const char *s = in;
        size_t k = len;
        while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r'))
            k--;
        if (k > 0 && s[0] != ' ' && s[0] != '\t' && s[0] != '\r' && !memchr(s, '\r', k)) {
            joined = malloc(n + k + 2);
            if (!joined)
                abort();
            memcpy(joined, out, n);
            joined[n] = '\n';
            memcpy(joined + n + 1, s, k);
            joined[n + 1 + k] = '\0';
            {
                char *line = malloc(k + 1);
                if (!line)
                    abort();
                memcpy(line, s, k);
                line[k] = '\0';
                if (!notetext_last_line_is(joined, line))
                    abort();
                if (k > 1 && notetext_last_line_is(joined, line + 1))
                    abort();
                free(line);
            }
            free(joined);
        }
    }
    free(t);
    free(out);
    return 0;
}
