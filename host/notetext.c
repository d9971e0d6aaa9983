/*
 * notetext — outside text made safe for a note or a terminal, and the marker
 * line match (see notetext.h).
 * [core]
 */
#include "notetext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Bytes past `max` that the first pass keeps: enough to see whether a "<" or "&" near the cut
 * starts markup (the longest named character reference is 33 bytes). */
#define NOTETEXT_LOOKAHEAD 64

enum notetext_kind notetext_kind(uint32_t cp)
{
    if (cp == '\n' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return NOTETEXT_NEWLINE;
    if (cp == '\t')
        return NOTETEXT_SPACE;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return NOTETEXT_CONTROL;
    /* bidi: ALM, LRM/RLM, LRE..RLO, LRI..PDI; zero-width: ZWSP, ZWNJ, ZWJ, WJ and the invisible
     * operators, BOM/ZWNBSP, the Mongolian vowel separator, interlinear annotations, tags */
    if (cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
        (cp >= 0xE0000 && cp <= 0xE007F))
        return NOTETEXT_INVISIBLE;
    return NOTETEXT_KEEP;
}

/* One character at s[0..len): its code point and byte length (a malformed byte: U+FFFD, 1). */
static size_t notetext_next(uint32_t *cp, const char *s, size_t len)
{
    size_t n;

    if ((unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    n = utf8_decode(cp, s, len);
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return n;
}

size_t notetext_prefix(const char *s, size_t len, size_t max)
{
    size_t i = 0;

    if (len <= max)
        return len;
    while (i < len) {
        uint32_t cp;
        size_t n = notetext_next(&cp, s + i, len - i);
        if (i + n > max)
            break;
        i += n;
    }
    return i;
}

/*
 * Pass 1: the characters a note keeps, as valid UTF-8, into c (room for 3 bytes per input
 * byte plus one); stops once limit bytes are out (*more then 1). Returns the length.
 */
static size_t notetext_pass1(char *c, const char *in, size_t len, size_t limit, unsigned flags,
                             int *more)
{
    size_t i = 0, o = 0;

    *more = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = notetext_next(&cp, in + i, len - i);
        enum notetext_kind k;
        if (o >= limit) {
            *more = 1;
            break;
        }
        k = cp == '\r' ? NOTETEXT_NEWLINE : notetext_kind(cp);
        if (cp == '\r' && i + 1 < len && in[i + 1] == '\n')
            k = NOTETEXT_CONTROL; /* CR LF: the LF is the line break */
        if ((flags & NOTETEXT_LINE) && (k == NOTETEXT_NEWLINE || k == NOTETEXT_SPACE))
            k = NOTETEXT_SPACE;
        switch (k) {
        case NOTETEXT_KEEP:
            if (cp == 0xFFFD && n == 1) {
                memcpy(c + o, "\xEF\xBF\xBD", 3);
                o += 3;
            } else if ((flags & NOTETEXT_LINE) && cp == ' ' && (o == 0 || c[o - 1] == ' ')) {
                /* one space between the words of a name */
            } else {
                memcpy(c + o, in + i, n);
                o += n;
            }
            break;
        case NOTETEXT_NEWLINE:
            c[o++] = '\n';
            break;
        case NOTETEXT_SPACE:
            if (!(flags & NOTETEXT_LINE) || (o > 0 && c[o - 1] != ' '))
                c[o++] = ' ';
            break;
        case NOTETEXT_CONTROL:
        case NOTETEXT_INVISIBLE:
            break;
        }
        i += n;
    }
    c[o] = '\0';
    return o;
}

static int notetext_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int notetext_digit(char ch, int hex)
{
    return (ch >= '0' && ch <= '9') ||
           (hex && ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')));
}

/* 1 when p (just after a "&") starts what HTML decodes as a character reference. */
static int notetext_reference(const char *p)
{
    static const char *const legacy[] = {"lt", "gt", "amp", "quot", "LT", "GT", "AMP", "QUOT"};
    size_t i;

    if (p[0] == '#') {
        int hex = p[1] == 'x' || p[1] == 'X';
        return notetext_digit(p[1 + hex], hex); /* numeric: decoded with or without ";" */
    }
    for (i = 0; i < TH_ARRAY_SIZE(legacy); i++) { /* decoded without ";" too */
        if (strncmp(p, legacy[i], strlen(legacy[i])) == 0)
            return 1;
    }
    if (!notetext_alpha(p[0]))
        return 0;
    for (i = 1; notetext_alpha(p[i]) || notetext_digit(p[i], 0); i++)
        ;
    return p[i] == ';';
}

int notetext_clean(char **out, int *cut, const char *in, size_t len, size_t max, unsigned flags,
                   int was_cut)
{
    size_t limit = max + NOTETEXT_LOOKAHEAD, clen, room, o = 0, i = 0;
    const char *tail = (flags & NOTETEXT_LINE) ? "\xE2\x80\xA6" : "\n" NOTETEXT_CUT;
    char *c, *buf;
    int more, cutting = 0;

    *out = NULL;
    if (cut)
        *cut = 0;
    if (!in)
        len = 0;
    if (limit < max || len > ((size_t)-1 - 8) / 3) /* sizes no caller comes near */
        return -1;
    /* pass 1 writes at most 3 bytes per input byte, and stops at most 4 bytes past limit */
    c = malloc(len < limit ? len * 3 + 4 : limit + 8);
    if (!c)
        return -1;
    clen = notetext_pass1(c, in ? in : "", len, limit, flags, &more);
    room = clen * 5 < max ? clen * 5 : max; /* "&amp;" is the longest escape of one byte */
    buf = malloc(room + strlen(tail) + 2);
    if (!buf) {
        free(c);
        return -1;
    }
    while (i < clen) {
        uint32_t cp;
        size_t n = notetext_next(&cp, c + i, clen - i);
        const char *unit = c + i;
        size_t ulen = n;
        if ((flags & NOTETEXT_MARKUP) && c[i] == '<' &&
            (notetext_alpha(c[i + 1]) || c[i + 1] == '/' || c[i + 1] == '!' || c[i + 1] == '?')) {
            unit = "&lt;";
            ulen = 4;
        } else if ((flags & NOTETEXT_MARKUP) && c[i] == '&' && notetext_reference(c + i + 1)) {
            unit = "&amp;";
            ulen = 5;
        }
        if (o + ulen > max) {
            cutting = 1;
            break;
        }
        memcpy(buf + o, unit, ulen);
        o += ulen;
        i += n;
    }
    if (more || was_cut)
        cutting = 1;
    if (flags & NOTETEXT_LINE) {
        while (o > 0 && buf[o - 1] == ' ')
            o--;
    }
    if (cutting) {
        while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == '\n'))
            o--;
        if (o == 0 && tail[0] == '\n')
            tail++; /* nothing before it: no line break either */
        memcpy(buf + o, tail, strlen(tail));
        o += strlen(tail);
    }
    buf[o] = '\0';
    free(c);
    if (cut)
        *cut = cutting;
    *out = buf;
    return 0;
}

int notetext_term(char **out, const char *in, size_t len)
{
    size_t i = 0, o = 0;
    char *buf;

    *out = NULL;
    if (len > ((size_t)-1 - 1) / 4)
        return -1;
    buf = malloc(len * 4 + 1); /* "\x1b" for 1 byte, "\u202e" for 3, "\U000e0041" for 4 */
    if (!buf)
        return -1;
    while (i < len) {
        uint32_t cp;
        size_t n = notetext_next(&cp, in + i, len - i);
        enum notetext_kind k = notetext_kind(cp);
        if (cp == 0xFFFD && n == 1) /* a malformed byte, as it is */
            o += (size_t)snprintf(buf + o, 5, "\\x%02x", (unsigned char)in[i]);
        else if (k == NOTETEXT_KEEP || cp == '\n') {
            memcpy(buf + o, in + i, n);
            o += n;
        } else if (cp < 0x80)
            o += (size_t)snprintf(buf + o, 5, "\\x%02x", (unsigned)cp);
        else if (cp <= 0xFFFF)
            o += (size_t)snprintf(buf + o, 7, "\\u%04x", (unsigned)cp);
        else
            o += (size_t)snprintf(buf + o, 11, "\\U%08x", (unsigned)cp);
        i += n;
    }
    buf[o] = '\0';
    *out = buf;
    return 0;
}

int notetext_last_line_is(const char *text, const char *line)
{
    size_t end, start, n;

    if (!text || !line)
        return 0;
    end = strlen(text);
    n = strlen(line);
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r' ||
                       text[end - 1] == '\n'))
        end--;
    for (start = end; start > 0 && text[start - 1] != '\n';)
        start--;
    return end - start == n && memcmp(text + start, line, n) == 0;
}
