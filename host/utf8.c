/*
 * utf8 — strict UTF-8 validation and decoding (RFC 3629, Unicode table 3-7),
 * and the JSON text check for U+0000 and raw control characters (RFC 8259).
 * [core]
 */
#include "utf8.h"

#include <string.h>

size_t utf8_decode(uint32_t *cp, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c;
    size_t n, i;
    unsigned char lo = 0x80, hi = 0xBF;

    if (len == 0)
        return 0;
    c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
        if (u[0] == 0xE0)
            lo = 0xA0; /* no overlong */
        else if (u[0] == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
        if (u[0] == 0xF0)
            lo = 0x90;
        else if (u[0] == 0xF4)
            hi = 0x8F; /* <= U+10FFFF */
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        unsigned char b = u[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
        c = (c << 6) | (b & 0x3F);
    }
    *cp = c;
    return n;
}

int utf8_valid(const char *buf, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t n;
        /* fast path over ASCII */
        if ((unsigned char)buf[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_decode(&cp, buf + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int utf8_json_clean(const char *buf, size_t len, size_t *where)
{
    size_t i;
    int in_string = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 && (in_string || (c != '\t' && c != '\n' && c != '\r')))
            goto bad;
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            unsigned char n = (unsigned char)buf[i + 1];
            if (n < 0x20)
                goto bad;
            if (n == 'u' && i + 5 < len && memcmp(buf + i + 2, "0000", 4) == 0)
                goto bad;
            i++; /* the escaped character cannot end the string */
        }
    }
    return 1;
bad:
    if (where)
        *where = i;
    return 0;
}

/* 1 when c is a byte after which a clipped text may not end (a dangling separator). */
static int utf8_clip_dangles(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' || c == ':' ||
           c == '(' || c == '-' || c == '/';
}

int utf8_clip(char *out, size_t outsz, const char *in, size_t inlen)
{
    static const char ell[] = "\xe2\x80\xa6"; /* U+2026 HORIZONTAL ELLIPSIS */
    size_t n = 0, cut, i;

    if (!outsz)
        return 0;
    if (!in)
        in = "";
    while (n < inlen && in[n])
        n++;
    if (n < outsz) {
        memcpy(out, in, n);
        out[n] = '\0';
        return 0;
    }
    if (outsz < sizeof(ell)) {
        cut = outsz - 1;
        while (cut > 0 && ((unsigned char)in[cut] & 0xC0) == 0x80)
            cut--; /* in[cut] starts a character: keep what is before it */
        memcpy(out, in, cut);
        out[cut] = '\0';
        return 1;
    }
    /* room for cut bytes, then the ellipsis and the NUL */
    cut = outsz - sizeof(ell);
    /* a word boundary: the last blank at or before cut (in[cut] itself may be the blank
     * right after a whole word) */
    for (i = cut; i > 0 && in[i] != ' ' && in[i] != '\n' && in[i] != '\t'; i--)
        ;
    if (i > 0) {
        cut = i;
    } else {
        /* one word longer than the buffer: a character boundary */
        while (cut > 0 && ((unsigned char)in[cut] & 0xC0) == 0x80)
            cut--;
    }
    while (cut > 0 && utf8_clip_dangles((unsigned char)in[cut - 1]))
        cut--;
    memcpy(out, in, cut);
    memcpy(out + cut, ell, sizeof(ell)); /* with its NUL */
    return 1;
}
