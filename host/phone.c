/*
 * phone — the profile-header phone extractor (see phone.h and the
 * extract_phone section of PROTOCOL.md).
 *
 * Each line is decoded once into "cells" (one per visible code point, with its
 * byte offset): Unicode dashes become '-', no-break and thin spaces become ' ',
 * invisible format characters (bidi marks, zero-width spaces, soft hyphens,
 * variation selectors) are dropped, other non-ASCII code points become either
 * a letter-like cell (glues to digits) or a symbol cell (does not). The
 * matcher then walks the cells left to right; every attempt looks at a bounded
 * window around its start, and a failed attempt inside a digit run skips the
 * run, so a line costs O(length).
 *
 * NANP validity (https://nationalnanpa.com, "NANP numbering plan"):
 *   NPA (area code) [2-9][0-9][0-9], not N11 (211..911 are service codes);
 *   NXX (exchange)  [2-9][0-9][0-9], not N11.
 * Deliberately NOT excluded: 555 exchanges (555-01XX is reserved for fiction
 * but is a well-formed number, and test fixtures use it), the codes held in
 * reserve (37X, 96X, N9X), toll-free and premium codes. Excluding them would
 * not stop a date or id from being read as a phone number (the failure this
 * module guards against); it would only drop numbers if those codes are ever
 * assigned. Whether a number can receive texts is TextUs's call.
 * [core]
 */
#include "phone.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "utf8.h"

/* cell classes beyond plain ASCII */
#define CLS_LETTER 0x80 /* a non-ASCII letter (or undecodable byte): glues to digits */
#define CLS_SYM    0x81 /* non-ASCII punctuation, symbol or emoji: does not glue */
#define CLS_CUR    0x82 /* a currency sign: digits after it are an amount */

/* fold flags */
#define FOLD_WS 1 /* a word starts at this folded code point */
#define FOLD_WE 2 /* a word ends at this folded code point */

/* how many lines after a marker with no number on its line it may label ("Coordinator",
 * "Kim Wu", "Acme Corp", "312-555-0100") */
#define PHONE_OTHER_LINES 3

/* the most cells a number's span may cover (longer spans are not numbers) */
#define PHONE_SPAN_MAX 64

/* U+00C0..U+024F and U+1E00..U+1EFF folded to lower-case ASCII (NULL: kept as is). Generated
 * with Python's unicodedata: NFKD, combining marks removed, lower-cased, plus ß ss, æ ae, ø o,
 * đ/ð d, ł l, þ th, œ oe, ħ h, ŧ t, ı i, ĸ k, ſ s. */
#include "phone_fold.inc"

/* ---------------------------------------------------------------- code points */

/* Invisible format characters: dropped from both the cells and the name fold. */
static int phone_cp_invisible(uint32_t c)
{
    return c == 0xAD || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

static int phone_cp_space(uint32_t c)
{
    return c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000 ||
           c == 0x1680;
}

static int phone_cp_dash(uint32_t c)
{
    return (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 || c == 0xFE63 || c == 0xFF0D;
}

static int phone_cp_currency(uint32_t c)
{
    return (c >= 0xA2 && c <= 0xA5) || (c >= 0x20A0 && c <= 0x20CF) || c == 0xFDFC || c == 0xFF04 ||
           c == 0xFFE0 || c == 0xFFE1 || c == 0xFFE5 || c == 0xFFE6;
}

/* Punctuation, symbols and emoji: neither letters nor digits. */
static int phone_cp_symbol(uint32_t c)
{
    return (c >= 0x80 && c <= 0xBF && c != 0xAA && c != 0xB5 && c != 0xBA) || c == 0xD7 ||
           c == 0xF7 || (c >= 0x2016 && c <= 0x205E) || (c >= 0x2070 && c <= 0x2BFF) ||
           (c >= 0x3001 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE6F) ||
           (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
           (c >= 0xE000 && c <= 0xF8FF) || (c >= 0x1F000 && c <= 0x1FAFF) || c == 0x37E ||
           c == 0x387 || c == 0x589 || c == 0x5BE || c == 0x5C0 || c == 0x5C3 || c == 0x5F3 ||
           c == 0x5F4 || c == 0x60C || c == 0x61B || c == 0x61F || c == 0x6D4 ||
           (c >= 0x66A && c <= 0x66D);
}

/* Marks that change no letter's identity for name matching (accents, vowel points). */
static int phone_cp_mark(uint32_t c)
{
    return (c >= 0x300 && c <= 0x36F) || (c >= 0x591 && c <= 0x5BD) || c == 0x5BF || c == 0x5C1 ||
           c == 0x5C2 || c == 0x5C4 || c == 0x5C5 || c == 0x5C7 || (c >= 0x610 && c <= 0x61A) ||
           (c >= 0x64B && c <= 0x65F) || c == 0x670 || c == 0x640 || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF);
}

static int phone_cp_apostrophe(uint32_t c)
{
    return c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x2BC || c == 0x60 || c == 0xB4;
}

/* The lower-case base letter of an accented Greek letter, or 0. */
static uint32_t phone_greek_base(uint32_t c)
{
    switch (c) {
    case 0x386: /* Ά */
    case 0x3AC:
        return 0x3B1;
    case 0x388: /* Έ */
    case 0x3AD:
        return 0x3B5;
    case 0x389: /* Ή */
    case 0x3AE:
        return 0x3B7;
    case 0x38A: /* Ί */
    case 0x3AF:
    case 0x390:
    case 0x3AA:
    case 0x3CA:
        return 0x3B9;
    case 0x38C: /* Ό */
    case 0x3CC:
        return 0x3BF;
    case 0x38E: /* Ύ */
    case 0x3CD:
    case 0x3B0:
    case 0x3AB:
    case 0x3CB:
        return 0x3C5;
    case 0x38F: /* Ώ */
    case 0x3CE:
        return 0x3C9;
    default:
        return 0;
    }
}

/* A bit per ASCII character class for the name pre-filter: letters case-insensitively
 * (bits 33-58), digits (16-25), punctuation elsewhere; exact for letters and digits. */
static uint64_t phone_char_bit(unsigned char c)
{
    return (uint64_t)1 << ((c & 0x1F) | ((c & 0x40) >> 1));
}

/* ---------------------------------------------------------------- scratch */

static int phone_grow(struct phone_scan *s, size_t need)
{
    size_t cap = s->cap ? s->cap : 256;
    unsigned char *cls, *ff;
    uint32_t *off, *fold, *fo;

    if (need <= s->cap)
        return 0;
    while (cap < need) {
        if (cap > SIZE_MAX / 8)
            return -1;
        cap *= 2;
    }
    cls = realloc(s->cls, cap);
    if (!cls)
        return -1;
    s->cls = cls;
    off = realloc(s->off, cap * sizeof(*off));
    if (!off)
        return -1;
    s->off = off;
    fold = realloc(s->fold, cap * sizeof(*fold));
    if (!fold)
        return -1;
    s->fold = fold;
    fo = realloc(s->fold_off, cap * sizeof(*fo));
    if (!fo)
        return -1;
    s->fold_off = fo;
    ff = realloc(s->fold_flags, cap);
    if (!ff)
        return -1;
    s->fold_flags = ff;
    s->cap = cap;
    return 0;
}

/* ---------------------------------------------------------------- name folding */

/*
 * Fold text for name matching: lower-case, Latin diacritics removed, marks,
 * apostrophes and invisible characters dropped, everything that is not a
 * letter or digit a word boundary. Writes at most cap code points (the fold
 * of n bytes is never longer than n) with FOLD_WS/FOLD_WE flags.
 */
static size_t phone_fold(uint32_t *out, unsigned char *flags, uint32_t *offs, size_t cap,
                         const char *text, size_t len)
{
    size_t i = 0, o = 0;
    int in_word = 0;

    while (i < len && o < cap) {
        uint32_t c;
        size_t n;
        const char *f = NULL;
        char one[2] = {0, 0};
        int boundary = 0, drop = 0;
        size_t at = i;

        if ((unsigned char)text[i] < 0x80) {
            c = (unsigned char)text[i];
            n = 1;
        } else {
            n = utf8_decode(&c, text + i, len - i);
            if (n == 0) {
                c = 0xFFFD;
                n = 1;
            }
        }
        i += n;
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                one[0] = (char)c;
            else if (c >= 'A' && c <= 'Z')
                one[0] = (char)(c + 32);
            else if (c == '\'' || c == '`')
                drop = 1;
            else
                boundary = 1;
            if (one[0])
                f = one;
        } else if (phone_cp_invisible(c) || phone_cp_mark(c) || phone_cp_apostrophe(c)) {
            drop = 1;
        } else if (phone_cp_space(c) || phone_cp_dash(c) || phone_cp_symbol(c) ||
                   phone_cp_currency(c) || c == 0xFFFD) {
            boundary = 1;
        } else if (c >= 0xC0 && c < 0x250) {
            f = phone_fold_latin[c - 0xC0];
        } else if (c >= 0x1E00 && c < 0x1F00) {
            f = phone_fold_latin_ext_add[c - 0x1E00];
        } else if (c >= 0x386 && c <= 0x3CE && phone_greek_base(c)) {
            c = phone_greek_base(c); /* Greek with tonos or dialytika */
        } else if (c >= 0x391 && c <= 0x3A9) {
            c += 0x20; /* Greek capitals */
        } else if (c == 0x3C2) {
            c = 0x3C3; /* final sigma */
        } else if (c >= 0x410 && c <= 0x42F) {
            c += 0x20; /* Cyrillic capitals */
        } else if (c >= 0x400 && c <= 0x40F) {
            c += 0x50;
        }
        if (drop)
            continue;
        if (boundary) {
            if (in_word && o > 0)
                flags[o - 1] |= FOLD_WE;
            in_word = 0;
            continue;
        }
        if (f) {
            for (; *f && o < cap; f++) {
                out[o] = (unsigned char)*f;
                if (offs)
                    offs[o] = (uint32_t)at;
                flags[o] = in_word ? 0 : FOLD_WS;
                in_word = 1;
                o++;
            }
        } else {
            out[o] = c;
            if (offs)
                offs[o] = (uint32_t)at;
            flags[o] = in_word ? 0 : FOLD_WS;
            in_word = 1;
            o++;
        }
    }
    if (in_word && o > 0)
        flags[o - 1] |= FOLD_WE;
    return o;
}

/* phone_fold() for an all-ASCII line (the common case): no decoding, no tables. */
static size_t phone_fold_ascii(uint32_t *out, unsigned char *flags, uint32_t *offs,
                               const char *text, size_t len)
{
    size_t i, o = 0;
    int in_word = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((unsigned char)(c - 'A') < 26)
            c = (unsigned char)(c + 32);
        if ((unsigned char)(c - 'a') < 26 || (unsigned char)(c - '0') < 10) {
            out[o] = c;
            offs[o] = (uint32_t)i;
            flags[o++] = in_word ? 0 : FOLD_WS;
            in_word = 1;
        } else if (c != '\'' && c != '`') {
            if (in_word)
                flags[o - 1] |= FOLD_WE;
            in_word = 0;
        }
    }
    if (in_word)
        flags[o - 1] |= FOLD_WE;
    return o;
}

/* 1 when the folded line holds the name: as a word-aligned run (spaces ignored), or as its
 * words in order with other words between them ("Robert (Bob) Smith"); *last is then the
 * index in t of the name's last folded code point. */
static int phone_line_has_name(const struct phone_scan *s, const uint32_t *t,
                               const unsigned char *fl, size_t m, size_t *last)
{
    size_t j, k = 0, w = 0, ws;

    /* KMP over the separator-free name */
    for (j = 0; j < m; j++) {
        while (k > 0 && t[j] != s->name[k])
            k = s->kmp[k - 1];
        if (t[j] == s->name[k])
            k++;
        if (k == s->name_len) {
            if ((fl[j + 1 - k] & FOLD_WS) && (fl[j] & FOLD_WE)) {
                *last = j;
                return 1;
            }
            k = s->kmp[k - 1];
        }
    }
    if (s->word_count < 2)
        return 0;
    /* the name's words, whole, in order */
    for (j = 0; j < m; j = ws) {
        size_t a = s->word_start[w];
        size_t b = w + 1 < s->word_count ? s->word_start[w + 1] : s->name_len;
        ws = j + 1;
        while (ws < m && !(fl[ws] & FOLD_WS))
            ws++;
        if (ws - j == b - a && memcmp(t + j, s->name + a, (b - a) * sizeof(*t)) == 0) {
            w++;
            if (w == s->word_count) {
                *last = ws - 1;
                return 1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- cells */

/* An ASCII byte as a cell: white-space controls are spaces; other controls (NUL included) are
 * symbols, which no number can span (so a display never holds a control character). */
static unsigned char phone_ascii_cell(unsigned char b)
{
    if (b >= 0x20 && b != 0x7F)
        return b;
    return (b >= '\t' && b <= '\r') ? ' ' : CLS_SYM;
}

/*
 * Decode a line into cells (s->cur). An all-ASCII line (the common case) is
 * one cell per byte and needs no offset table (s->ascii), and without control
 * characters it is used in place; otherwise s->off[k] is the byte offset of
 * cell k.
 */
static size_t phone_cells(struct phone_scan *s, const char *line, size_t len, int ascii, int ctrl)
{
    unsigned char *cls = s->cls;
    uint32_t *off = s->off;
    size_t i = 0, n = 0;

    s->ascii = ascii;
    s->cur = cls;
    if (ascii && !ctrl) {
        s->cur = (const unsigned char *)line; /* printable ASCII: the bytes are the cells */
        return len;
    }
    if (ascii) {
        for (i = 0; i < len; i++) {
            unsigned char b = (unsigned char)line[i];
            cls[i] = phone_ascii_cell(b);
        }
        return len;
    }

    while (i < len) {
        unsigned char b = (unsigned char)line[i];
        uint32_t c;
        size_t k;

        if (b < 0x80) {
            cls[n] = phone_ascii_cell(b);
            off[n++] = (uint32_t)i++;
            continue;
        }
        k = utf8_decode(&c, line + i, len - i);
        if (k == 0) {
            cls[n] = CLS_LETTER;
            off[n++] = (uint32_t)i++;
            continue;
        }
        if (!phone_cp_invisible(c)) {
            if (phone_cp_space(c))
                cls[n] = ' ';
            else if (phone_cp_dash(c))
                cls[n] = '-';
            else if (phone_cp_currency(c))
                cls[n] = CLS_CUR;
            else if (c == 0xFF1A || c == 0xFE55 || c == 0xFE13)
                cls[n] = ':'; /* full-width and small colons: a label's separator */
            else if (phone_cp_symbol(c))
                cls[n] = CLS_SYM;
            else
                cls[n] = CLS_LETTER;
            off[n++] = (uint32_t)i;
        }
        i += k;
    }
    return n;
}

static int phone_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int phone_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* a letter of any script, or a digit */
static int phone_is_wordish(unsigned char c)
{
    return phone_is_digit(c) || phone_is_alpha(c) || c == CLS_LETTER;
}

static size_t phone_digit_run(const unsigned char *cls, size_t n, size_t p)
{
    size_t q = p;

    while (q < n && q - p < 17 && phone_is_digit(cls[q]))
        q++;
    return q - p;
}

/* A group separator: up to two spaces, at most one '-' or '.', up to two spaces. */
static size_t phone_sep(const unsigned char *cls, size_t n, size_t p)
{
    size_t q = p, k;

    for (k = 0; k < 2 && q < n && cls[q] == ' '; k++)
        q++;
    if (q < n && (cls[q] == '-' || cls[q] == '.')) {
        q++;
        for (k = 0; k < 2 && q < n && cls[q] == ' '; k++)
            q++;
    }
    return q;
}

/* ---------------------------------------------------------------- words around a number */

struct phone_word {
    const char *w;
    int kind; /* 0 transparent, 1..5 enum phone_label, 9 id (never a phone) */
};

#define PHONE_WORD_ID 9

static const struct phone_word phone_words[] = {
    /* transparent: "Mobile phone", "Cell no." */
    {"phone", 0},
    {"telephone", 0},
    {"tel", 0},
    {"ph", 0},
    {"number", 0},
    {"num", 0},
    {"no", 0},
    {"nr", 0},
    {"nbr", 0},
    /* labels */
    {"mobile", PHONE_LABEL_MOBILE},
    {"mob", PHONE_LABEL_MOBILE},
    {"cell", PHONE_LABEL_MOBILE},
    {"cellular", PHONE_LABEL_MOBILE},
    {"cellphone", PHONE_LABEL_MOBILE},
    {"home", PHONE_LABEL_HOME},
    {"work", PHONE_LABEL_WORK},
    {"office", PHONE_LABEL_WORK},
    {"business", PHONE_LABEL_WORK},
    {"fax", PHONE_LABEL_FAX},
    {"facsimile", PHONE_LABEL_FAX},
    {"other", PHONE_LABEL_OTHER},
    /* what an id, code or amount is called: the number after it is never a phone */
    {"id", PHONE_WORD_ID},
    {"ids", PHONE_WORD_ID},
    {"application", PHONE_WORD_ID},
    {"applicant", PHONE_WORD_ID},
    {"candidate", PHONE_WORD_ID},
    {"req", PHONE_WORD_ID},
    {"requisition", PHONE_WORD_ID},
    {"job", PHONE_WORD_ID},
    {"order", PHONE_WORD_ID},
    {"ref", PHONE_WORD_ID},
    {"reference", PHONE_WORD_ID},
    {"ticket", PHONE_WORD_ID},
    {"account", PHONE_WORD_ID},
    {"acct", PHONE_WORD_ID},
    {"ssn", PHONE_WORD_ID},
    {"sin", PHONE_WORD_ID},
    {"employee", PHONE_WORD_ID},
    {"invoice", PHONE_WORD_ID},
    {"case", PHONE_WORD_ID},
    {"zip", PHONE_WORD_ID},
    {"postal", PHONE_WORD_ID},
    {"postcode", PHONE_WORD_ID},
    {"gpa", PHONE_WORD_ID},
    {"salary", PHONE_WORD_ID},
    {"isbn", PHONE_WORD_ID},
    {"serial", PHONE_WORD_ID},
    {"pin", PHONE_WORD_ID},
    {"ein", PHONE_WORD_ID},
    {"tax", PHONE_WORD_ID},
    {"routing", PHONE_WORD_ID},
    {"passport", PHONE_WORD_ID},
    {"license", PHONE_WORD_ID},
    {"licence", PHONE_WORD_ID},
    {"uid", PHONE_WORD_ID},
    {"uuid", PHONE_WORD_ID},
    {"ip", PHONE_WORD_ID},
    {"version", PHONE_WORD_ID},
    {"ver", PHONE_WORD_ID},
    {"v", PHONE_WORD_ID},
    {"build", PHONE_WORD_ID},
    {"release", PHONE_WORD_ID},
    /* address parts */
    {"room", PHONE_WORD_ID},
    {"suite", PHONE_WORD_ID},
    {"ste", PHONE_WORD_ID},
    {"apt", PHONE_WORD_ID},
    {"unit", PHONE_WORD_ID},
    {"floor", PHONE_WORD_ID},
    {"bldg", PHONE_WORD_ID},
    {"building", PHONE_WORD_ID},
    {"box", PHONE_WORD_ID},
};

/* The kind of the ASCII word cls[a..b) (case-insensitive); -1 when it is no known word. */
static int phone_word_kind(const unsigned char *cls, size_t a, size_t b)
{
    char w[16];
    size_t i, len = b - a;

    if (len == 0 || len >= sizeof(w))
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char c = cls[a + i];
        w[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    w[len] = '\0';
    for (i = 0; i < TH_ARRAY_SIZE(phone_words); i++) {
        const char *k = phone_words[i].w;
        if (k[0] == w[0] && strncmp(k, w, len) == 0 && k[len] == '\0')
            return phone_words[i].kind;
    }
    return -1;
}

/* Between a label and its number: spaces, colons, dashes, bullets, brackets, '#'. */
static int phone_is_filler(unsigned char c)
{
    return c == ' ' || c == ':' || c == '-' || c == '|' || c == '(' || c == ')' || c == '[' ||
           c == ']' || c == ',' || c == '/' || c == '#' || c == '.' || c == '*' || c == '>' ||
           c == CLS_SYM;
}

/*
 * Look left from cell p (not below lo) for the word naming the number there.
 * Returns its kind (label, PHONE_WORD_ID) or -1; *hash is set when a '#'
 * stood between that word and the number.
 */
static int phone_word_before(const unsigned char *cls, size_t lo, size_t p, int *hash)
{
    size_t hops, q = p;

    *hash = 0;
    for (hops = 0; hops < 3; hops++) {
        size_t skipped = 0, we, ws;
        int kind;
        while (q > lo && skipped < 8 && phone_is_filler(cls[q - 1])) {
            if (cls[q - 1] == '#')
                *hash = 1;
            q--;
            skipped++;
        }
        we = q;
        while (q > lo && we - q < 16 && phone_is_alpha(cls[q - 1]))
            q--;
        ws = q;
        if (ws == we || (ws > lo && phone_is_wordish(cls[ws - 1])))
            return -1;
        kind = phone_word_kind(cls, ws, we);
        if (kind != 0)
            return kind;
        *hash = 0; /* "Phone #": the '#' belongs to the transparent word */
    }
    return -1;
}

/*
 * A label written after a number ending at cell p: "(Mobile)", "- Work",
 * "mobile". Not taken when it is evidently the label of what follows
 * ("Home: ...", "Mobile 773-555-0100"). Returns the label and sets *end.
 */
static enum phone_label phone_label_after(const unsigned char *cls, size_t n, size_t p, size_t *end)
{
    size_t q = p, k, ws;
    int paren = 0, kind;

    for (k = 0; k < 6 && q < n &&
                (cls[q] == ' ' || cls[q] == '-' || cls[q] == '|' || cls[q] == ',' ||
                 cls[q] == '(' || cls[q] == CLS_SYM);
         k++) {
        if (cls[q] == '(')
            paren = 1;
        q++;
    }
    ws = q;
    while (q < n && q - ws < 16 && phone_is_alpha(cls[q]))
        q++;
    if (q == ws || (q < n && phone_is_wordish(cls[q])))
        return PHONE_LABEL_NONE;
    kind = phone_word_kind(cls, ws, q);
    if (kind < PHONE_LABEL_MOBILE || kind > PHONE_LABEL_OTHER)
        return PHONE_LABEL_NONE;
    /* an optional "phone"/"number" after the label */
    k = q;
    if (k < n && cls[k] == ' ')
        k++;
    ws = k;
    while (k < n && k - ws < 16 && phone_is_alpha(cls[k]))
        k++;
    if (k > ws && (k >= n || !phone_is_wordish(cls[k])) && phone_word_kind(cls, ws, k) == 0)
        q = k;
    if (paren) {
        if (q < n && cls[q] == ')')
            q++;
    } else {
        k = q;
        while (k < n && cls[k] == ' ')
            k++;
        if (k < n && (cls[k] == ':' || phone_is_digit(cls[k]) || cls[k] == '+' || cls[k] == '('))
            return PHONE_LABEL_NONE;
    }
    *end = q;
    return (enum phone_label)kind;
}

/* The label when cells [0, n) are a label alone ("Mobile", "Cell phone:", "(Home)"). */
static enum phone_label phone_label_line(const unsigned char *cls, size_t n)
{
    size_t a = 0, b = n, q, ws;
    int kind, other;

    if (n > 40)
        return PHONE_LABEL_NONE;
    while (a < b && phone_is_filler(cls[a]))
        a++;
    while (b > a && phone_is_filler(cls[b - 1]))
        b--;
    q = a;
    while (q < b && phone_is_alpha(cls[q]))
        q++;
    kind = phone_word_kind(cls, a, q);
    if (kind < PHONE_LABEL_MOBILE || kind > PHONE_LABEL_OTHER)
        return PHONE_LABEL_NONE;
    if (q == b)
        return (enum phone_label)kind;
    if (cls[q] != ' ')
        return PHONE_LABEL_NONE;
    ws = q + 1;
    q = ws;
    while (q < b && phone_is_alpha(cls[q]))
        q++;
    other = phone_word_kind(cls, ws, q);
    return q == b && other == 0 ? (enum phone_label)kind : PHONE_LABEL_NONE;
}

/* ---------------------------------------------------------------- someone else's number */

/*
 * The "someone else" grammar. A marker is a label naming a person other than the candidate
 * (a referrer, a recruiter, a coordinator, an agency, a contact, a relative) at the start of
 * a word, in English, German, French or Spanish, plural or singular:
 *   kind 1, a marker wherever it stands ("Referred", "Referral", "Emergency contact",
 *     "Submitted by", "Empfohlen", "Référé");
 *   kind 2, a marker only with a separator after it: ':' (full-width too), a link word
 *     ("by", "from", "von", "par", "por"), " - ", '(' , or the end of a line it starts
 *     ("Recruiter: Pat Lee", "Owner - Sam", "Recruiter (Sam)", "Coordinator" alone), since
 *     "Senior Recruiter at Acme" or "Product Manager to Director" can be the candidate's title.
 * What the marker labels is someone else's: the rest of its line, or, when no number follows
 * it on its line, the lines after it up to and including the next line holding a number
 * (phone_scan_line). A marker right after a number ("312-555-0100 (referrer)",
 * "312-555-0100 - referrer") labels that number. In a pattern '*' is a non-ASCII letter or
 * 'e' ("r*f*r*" is "Référé"), and a trailing 's' is always allowed (plurals).
 */
static const struct phone_word phone_markers[] = {
    /* sorted by first letter: phone_marker_first[] indexes the groups */
    {"agency", 2},
    {"agency recruiter", 1},
    {"agent", 2},
    {"assistant", 2},
    {"co-ordinator", 2},
    {"contact", 2},
    {"contacto", 2},
    {"coordinador", 2},
    {"coordinadora", 2},
    {"coordinator", 2},
    {"credited", 1},
    {"emergency", 2},
    {"emergency contact", 1},
    {"empfehlung", 1},
    {"empfohlen", 1},
    {"father", 2},
    {"guardian", 2},
    {"hiring team", 1},
    {"husband", 2},
    {"interviewer", 2},
    {"kontakt", 2},
    {"manager", 2},
    {"mother", 2},
    {"next of kin", 1},
    {"owner", 2},
    {"parent", 2},
    {"partner", 2},
    {"point of contact", 1},
    {"points of contact", 1},
    {"r*f*r*", 1},
    {"r*f*r*e", 1},
    {"r*f*rent", 1},
    {"reclutador", 2},
    {"recomendada", 1},
    {"recomendado", 1},
    {"recruiter", 2},
    {"recruiting", 2},
    {"recruteur", 2},
    {"referee", 1},
    {"reference", 1},
    {"referer", 1},
    {"referida", 1},
    {"referido", 1},
    {"referral", 1},
    {"referred", 1},
    {"referredby", 1},
    {"referrer", 1},
    {"referring", 1},
    {"relative", 2},
    {"scheduler", 2},
    {"source", 2},
    {"sourced", 1},
    {"sourcer", 2},
    {"spouse", 2},
    {"submitted by", 1},
    {"supervisor", 2},
    {"wife", 2},
};

/* Where each first letter's markers are in phone_markers: [start, end), by 'a'..'z'. */
static const unsigned char phone_marker_first[26][2] = {
    {0, 4},   {0, 0},   {4, 11}, {0, 0},   {11, 15}, {15, 16}, {16, 17}, {17, 19}, {19, 20},
    {0, 0},   {20, 21}, {0, 0},  {21, 23}, {23, 24}, {24, 25}, {25, 29}, {0, 0},   {29, 49},
    {49, 56}, {0, 0},   {0, 0},  {0, 0},   {56, 57}, {0, 0},   {0, 0},   {0, 0},
};

/* The end of pattern pat matched at cell a (case-insensitive, see above), or 0. */
static size_t phone_marker_match(const unsigned char *cls, size_t n, size_t a, const char *pat)
{
    size_t q = a;

    for (; *pat; pat++, q++) {
        unsigned char c;
        if (q >= n)
            return 0;
        c = cls[q];
        if (*pat == '*') {
            if (c != CLS_LETTER && (c | 32) != 'e')
                return 0;
        } else if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)*pat) {
            return 0;
        }
    }
    if (q < n && (cls[q] | 32) == 's')
        q++;
    return q < n && phone_is_wordish(cls[q]) ? 0 : q;
}

/*
 * The second letters of the markers, by first letter ('a'..'z'): bit k for letter 'a' + k,
 * bit 26 for a non-ASCII letter ('*'). A word whose first two letters start no marker is
 * passed over without looking at the list (most words: the scan stays fast). Keep in step
 * with phone_markers (tests/unit/test_phone.c checks every marker passes it).
 */
static const uint32_t phone_marker_second[26] = {
    0x0040040, 0x0000000, 0x0024000, 0x0000000, 0x0001000, 0x0000001, 0x0100000,
    0x0100100, 0x0002000, 0x0000000, 0x0004000, 0x0000000, 0x0004001, 0x0000010,
    0x0400000, 0x0004001, 0x0000000, 0x4000010, 0x010c004, 0x0000000, 0x0000000,
    0x0000000, 0x0000100, 0x0000000, 0x0000000, 0x0000000,
};

/* Letters and digits, and a non-ASCII letter's cell: what glues to a word. */
static const unsigned char phone_word_tab[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,       ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,       ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,       ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,       ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,       ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,       ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,       ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, [CLS_LETTER] = 1};

/* The first letters of the markers, either case. */
static const unsigned char phone_marker_lead[256] = {
    ['a'] = 1, ['A'] = 1, ['c'] = 1, ['C'] = 1, ['e'] = 1, ['E'] = 1, ['f'] = 1, ['F'] = 1,
    ['g'] = 1, ['G'] = 1, ['h'] = 1, ['H'] = 1, ['i'] = 1, ['I'] = 1, ['k'] = 1, ['K'] = 1,
    ['m'] = 1, ['M'] = 1, ['n'] = 1, ['N'] = 1, ['o'] = 1, ['O'] = 1, ['p'] = 1, ['P'] = 1,
    ['r'] = 1, ['R'] = 1, ['s'] = 1, ['S'] = 1, ['w'] = 1, ['W'] = 1};

/* 1 when the word starting at cell ws may begin a marker (phone_marker_second). */
static int phone_marker_may(const unsigned char *cls, size_t n, size_t ws)
{
    unsigned c0 = cls[ws] | 32u, c1;

    if (c0 < 'a' || c0 > 'z' || ws + 1 >= n)
        return 0;
    c1 = cls[ws + 1];
    if (c1 == CLS_LETTER)
        return (phone_marker_second[c0 - 'a'] >> 26) & 1;
    c1 |= 32u;
    return c1 >= 'a' && c1 <= 'z' && ((phone_marker_second[c0 - 'a'] >> (c1 - 'a')) & 1);
}

/* The first marker phrase from phone_markers[*at] on at word start ws: its end, with *kind and
 * *at (its index) set; 0 when none. Only the markers of the word's first letter are tried. */
static size_t phone_marker_phrase(const unsigned char *cls, size_t n, size_t ws, int *kind,
                                  size_t *at)
{
    unsigned char c0 = cls[ws] >= 'A' && cls[ws] <= 'Z' ? cls[ws] + 32 : cls[ws];
    unsigned c2;
    size_t i, we;

    if (!phone_marker_may(cls, n, ws))
        return 0;
    if (*at < phone_marker_first[c0 - 'a'][0])
        *at = phone_marker_first[c0 - 'a'][0];
    c2 = ws + 2 < n ? cls[ws + 2] | 32u : 0;
    for (i = *at; i < phone_marker_first[c0 - 'a'][1]; i++) {
        const char *w = phone_markers[i].w;
        if (w[1] != '*' && w[2] != '*' && (unsigned char)w[2] != c2)
            continue; /* the third letter differs: no need to compare the rest */
        we = phone_marker_match(cls, n, ws, phone_markers[i].w);
        if (we) {
            *kind = phone_markers[i].kind;
            *at = i;
            return we;
        }
    }
    return 0;
}

/* 1 when cls[a..b) is a link word after a marker: by, from, von, par, por (any case). */
static int phone_other_link(const unsigned char *cls, size_t a, size_t b)
{
    static const char *const links[] = {"by", "from", "von", "par", "por"};
    size_t i, k;

    for (k = 0; k < TH_ARRAY_SIZE(links); k++) {
        if (strlen(links[k]) != b - a)
            continue;
        for (i = a; i < b && (cls[i] | 32) == links[k][i - a]; i++)
            ;
        if (i == b)
            return 1;
    }
    return 0;
}

/*
 * The end of a marker whose phrase is cls[ws..we) of kind `kind`: after its separator
 * (a link word and ':' when present); 0 when it is no marker here. at_start: the phrase
 * begins its line, so the end of the line is a separator too ("Coordinator" alone).
 */
static size_t phone_other_end(const unsigned char *cls, size_t n, size_t we, int kind, int at_start)
{
    size_t q = we, ls;

    while (q < n && cls[q] == ' ')
        q++;
    ls = q;
    while (q < n && phone_is_alpha(cls[q]))
        q++;
    if (q > ls && (q >= n || !phone_is_wordish(cls[q])) && phone_other_link(cls, ls, q)) {
        while (q < n && cls[q] == ' ')
            q++;
        return q < n && cls[q] == ':' ? q + 1 : q;
    }
    q = ls;
    if (q < n && cls[q] == ':')
        return q + 1;
    if (q < n && cls[q] == '(')
        return kind == 2 ? q : we;
    if (q + 1 < n && q > we && cls[q] == '-' && cls[q + 1] == ' ')
        return q + 1;
    if (kind == 1)
        return we;
    if (at_start) {
        while (q < n && phone_is_filler(cls[q]))
            q++;
        if (q == n)
            return n;
    }
    return 0;
}

/*
 * Where someone else's part of a line starts: the cell of the first marker in cells
 * [from, n), or n when there is none.
 */
static size_t phone_other_from(const unsigned char *cls, size_t n, size_t from)
{
    size_t i, lead = 0;

    /* word by word: only a word whose first two letters begin a marker goes further */
    i = from;
    if (i > 0 && i < n && phone_word_tab[cls[i - 1]])
        while (i < n && phone_word_tab[cls[i]])
            i++;
    for (;;) {
        size_t we, at = 0, ws;
        int kind;

        while (i < n && !phone_word_tab[cls[i]])
            i++;
        if (i >= n)
            break;
        ws = i;
        while (i < n && phone_word_tab[cls[i]])
            i++;
        if (!phone_marker_lead[cls[ws]] || !phone_marker_may(cls, n, ws))
            continue;
        while (lead < n && phone_is_filler(cls[lead]))
            lead++;
        /* every phrase starting here until one is a marker */
        while ((we = phone_marker_phrase(cls, n, ws, &kind, &at)) != 0) {
            if (phone_other_end(cls, n, we, kind, ws == lead))
                return ws;
            at++;
        }
    }
    return n;
}

/* The end of a marker phrase labelling the number ending at cell p ("312-555-0100 (referrer)",
 * "312-555-0100 - referrer"), or 0. */
static size_t phone_other_after(const unsigned char *cls, size_t n, size_t p)
{
    size_t q = p, k, at = 0;
    int kind;

    for (k = 0; k < 3 && q < n && (cls[q] == ' ' || cls[q] == '-' || cls[q] == '('); k++)
        q++;
    if (q == p || q >= n || !phone_is_alpha(cls[q]))
        return 0;
    if (cls[q - 1] != '(' && !(q - p >= 2 && cls[q - 1] == ' ' && cls[q - 2] == '-'))
        return 0; /* "312-555-0100 Recruiter": no separator says the word is about the number */
    return phone_marker_phrase(cls, n, q, &kind, &at);
}

/* 1 when a line starts a field of its own ("Phone: ...", "Location: ..."): words, then ':'. */
static int phone_field_start(const unsigned char *cls, size_t n)
{
    size_t q = 0;

    while (q < n && phone_is_filler(cls[q]) && cls[q] != ':')
        q++;
    if (q >= n || !phone_is_alpha(cls[q]))
        return 0;
    while (q < n && q < 32 && (phone_is_alpha(cls[q]) || cls[q] == ' ' || cls[q] == '-'))
        q++;
    return q < n && cls[q] == ':';
}

/* ---------------------------------------------------------------- boundaries */

/*
 * May a number start at cell p? Not when glued to a word, a digit, an amount or
 * a URL part. list: 1 when cell p-1 directly follows the previous number
 * ("312-555-0142,773-555-0100").
 */
static int phone_left_ok(const unsigned char *cls, size_t p, int list)
{
    unsigned char b, bb;

    if (p == 0)
        return 1;
    b = cls[p - 1];
    if (list && (b == ',' || b == ';' || b == '/'))
        return 1;
    if (phone_is_wordish(b) || b == CLS_CUR || b == '$' || b == '#' || b == '@' || b == '_' ||
        b == '=' || b == '&' || b == '/' || b == '\\' || b == '%' || b == '+' || b == '~' ||
        b == '^')
        return 0;
    if (p < 2)
        return 1;
    bb = cls[p - 2];
    if ((b == '-' || b == '.' || b == ',' || b == ':' || b == '\'') && phone_is_digit(bb))
        return 0;
    if ((b == '-' || b == '.') && phone_is_wordish(bb))
        return 0;
    return 1;
}

/* May a number end before cell q? grouped: written with separators (may be followed by a list). */
static int phone_right_ok(const unsigned char *cls, size_t n, size_t q, int grouped)
{
    unsigned char c, d;

    if (q >= n)
        return 1;
    c = cls[q];
    if (phone_is_wordish(c) || c == CLS_CUR || c == '$' || c == '@' || c == '_' || c == '=' ||
        c == '&' || c == '/' || c == '\\' || c == '%' || c == '+' || c == '~' || c == '^')
        return 0;
    if (q + 1 >= n)
        return 1;
    d = cls[q + 1];
    if (grouped && (c == ',' || c == ';') && (phone_is_digit(d) || d == '(' || d == '+'))
        return 1;
    if ((c == '-' || c == ',' || c == ':' || c == '\'') && phone_is_digit(d))
        return 0;
    if ((c == '.' || c == '-') && phone_is_wordish(d))
        return 0;
    return 1;
}

/* ---------------------------------------------------------------- matching */

struct phone_match {
    size_t start, end; /* cells [start, end), extension included */
    char digits[16];   /* national significant digits (NANP: 10) or country code + number */
    size_t ndigits;
    int intl;    /* a '+' number outside +1 */
    int compact; /* one bare digit run */
    char ext[PHONE_EXT_MAX];
};

static int phone_take(struct phone_match *m, const unsigned char *cls, size_t p, size_t k)
{
    size_t i;

    if (m->ndigits + k > 15)
        return -1;
    for (i = 0; i < k; i++)
        m->digits[m->ndigits++] = (char)cls[p + i];
    m->digits[m->ndigits] = '\0';
    return 0;
}

/* An extension after cell p: "x12", "x 12", "ext. 12", "extension: 12", "#12". */
static size_t phone_extension(struct phone_match *m, const unsigned char *cls, size_t n, size_t p)
{
    static const char *const words[] = {"extension", "ext", "x"};
    size_t q = p, k, w, r;

    for (k = 0; k < 3 && q < n && (cls[q] == ' ' || cls[q] == ','); k++)
        q++;
    if (q >= n)
        return 0;
    if (cls[q] == '#') {
        q++;
    } else {
        for (w = 0; w < 3; w++) {
            size_t len = strlen(words[w]);
            for (k = 0; k < len && q + k < n; k++) {
                unsigned char c = cls[q + k];
                if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)words[w][k])
                    break;
            }
            if (k == len && (q + k >= n || !phone_is_alpha(cls[q + k])))
                break;
        }
        if (w == 3)
            return 0;
        q += strlen(words[w]);
        if (q < n && (cls[q] == '.' || cls[q] == ':'))
            q++;
        if (q < n && (cls[q] == '.' || cls[q] == ':'))
            q++;
    }
    for (k = 0; k < 2 && q < n && cls[q] == ' '; k++)
        q++;
    r = phone_digit_run(cls, n, q);
    if (r == 0 || r > 6)
        return 0;
    memcpy(m->ext, cls + q, r);
    m->ext[r] = '\0';
    return q + r;
}

/* "+<cc> ..." outside +1: digit groups split by single separators, "(0)" trunk prefix dropped. */
static int phone_match_intl(struct phone_match *m, const unsigned char *cls, size_t n, size_t s)
{
    size_t p = s + 1, r, q;
    int groups = 0;

    m->intl = 1;
    for (;;) {
        if (groups > 0 && p + 2 < n && cls[p] == '(' && cls[p + 1] == '0' && cls[p + 2] == ')') {
            p = phone_sep(cls, n, p + 3);
            continue;
        }
        if (groups > 0 && p < n && cls[p] == '(') {
            r = phone_digit_run(cls, n, p + 1);
            if (r == 0 || p + 1 + r >= n || cls[p + 1 + r] != ')')
                return -1;
            if (phone_take(m, cls, p + 1, r) != 0)
                return -1;
            p += r + 2;
        } else {
            r = phone_digit_run(cls, n, p);
            if (r == 0 || phone_take(m, cls, p, r) != 0)
                return -1;
            p += r;
        }
        groups++;
        if (groups > 8)
            return -1;
        q = p;
        if (q < n && (cls[q] == ' ' || cls[q] == '-' || cls[q] == '.'))
            q++;
        if (q < n && cls[q] == ' ' && cls[q - 1] != ' ')
            q++;
        if (q < n && (phone_is_digit(cls[q]) ||
                      (cls[q] == '(' && q + 1 < n && phone_is_digit(cls[q + 1])))) {
            if (q == p && cls[q] != '(')
                break;
            p = q;
            continue;
        }
        break;
    }
    if (m->ndigits < 7)
        return -1;
    m->end = p;
    return 0;
}

/* A group of three digits at *p followed by at least one separator; advances *p past both. */
static int phone_group_sep(struct phone_match *m, const unsigned char *cls, size_t n, size_t *p)
{
    size_t q;

    if (phone_digit_run(cls, n, *p) != 3 || phone_take(m, cls, *p, 3) != 0)
        return -1;
    q = phone_sep(cls, n, *p + 3);
    if (q == *p + 3)
        return -1;
    *p = q;
    return 0;
}

/* Try to read a number starting at cell s; 0 and *m filled, or -1. */
static int phone_match_at(struct phone_match *m, const unsigned char *cls, size_t n, size_t s)
{
    size_t p = s, r, q;

    memset(m, 0, sizeof(*m));
    m->start = s;
    if (cls[p] == '+') {
        if (p + 1 < n && cls[p + 1] >= '2' && cls[p + 1] <= '9')
            return phone_match_intl(m, cls, n, s);
        if (p + 1 >= n || cls[p + 1] != '1')
            return -1;
        r = phone_digit_run(cls, n, p + 1);
        if (r == 11) { /* +13125550142 */
            m->compact = 1;
            p += 2;
            goto compact10;
        }
        if (r != 1)
            return -1;
        p = phone_sep(cls, n, p + 2);
    } else if (phone_is_digit(cls[p])) {
        r = phone_digit_run(cls, n, p);
        if (r == 10) {
            m->compact = 1;
            goto compact10;
        }
        if (r == 11 && cls[p] == '1') {
            m->compact = 1;
            p++;
            goto compact10;
        }
        if (r == 3 && cls[p] == '0' && cls[p + 1] == '0' && cls[p + 2] == '1') {
            q = phone_sep(cls, n, p + 3);
            if (q == p + 3)
                return -1;
            p = q;
        } else if (r == 1 && cls[p] == '1') {
            q = phone_sep(cls, n, p + 1);
            if (q == p + 1 && !(q < n && cls[q] == '('))
                return -1;
            p = q;
        } else if (r != 3) {
            return -1;
        }
    }
    if (p >= n)
        return -1;
    /* after a prefix: "+1 3125550142" */
    if (p != s && phone_is_digit(cls[p]) && phone_digit_run(cls, n, p) == 10) {
        m->compact = 1;
        goto compact10;
    }
    /* area code */
    if (cls[p] == '(') {
        if (phone_digit_run(cls, n, p + 1) != 3 || p + 4 >= n || cls[p + 4] != ')')
            return -1;
        if (phone_take(m, cls, p + 1, 3) != 0)
            return -1;
        p = phone_sep(cls, n, p + 5);
    } else if (phone_group_sep(m, cls, n, &p) != 0) {
        return -1;
    }
    /* exchange */
    if (phone_group_sep(m, cls, n, &p) != 0)
        return -1;
    /* line number */
    if (phone_digit_run(cls, n, p) != 4 || phone_take(m, cls, p, 4) != 0)
        return -1;
    m->end = p + 4;
    return 0;
compact10:
    if (phone_digit_run(cls, n, p) != 10 || phone_take(m, cls, p, 10) != 0)
        return -1;
    m->end = p + 10;
    return 0;
}

/* ---------------------------------------------------------------- public helpers */

int phone_nanp_valid(const char *d)
{
    int i;

    for (i = 0; i < 10; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
    }
    if (d[0] < '2' || (d[1] == '1' && d[2] == '1')) /* NPA: [2-9]XX, not N11 */
        return 0;
    if (d[3] < '2' || (d[4] == '1' && d[5] == '1')) /* NXX: [2-9]XX, not N11 */
        return 0;
    return 1;
}

const char *phone_label_name(enum phone_label label)
{
    switch (label) {
    case PHONE_LABEL_MOBILE:
        return "mobile";
    case PHONE_LABEL_HOME:
        return "home";
    case PHONE_LABEL_WORK:
        return "work";
    case PHONE_LABEL_FAX:
        return "fax";
    case PHONE_LABEL_OTHER:
        return "other";
    default:
        return NULL;
    }
}

enum phone_label phone_label_from_type(const char *type)
{
    size_t len;
    int kind;

    if (!type)
        return PHONE_LABEL_NONE;
    len = strlen(type);
    if (strcmp(type, "skype") == 0)
        return PHONE_LABEL_OTHER;
    kind = phone_word_kind((const unsigned char *)type, 0, len);
    if (kind >= PHONE_LABEL_MOBILE && kind <= PHONE_LABEL_OTHER)
        return (enum phone_label)kind;
    return PHONE_LABEL_NONE;
}

int phone_e164_nanp_valid(const char *s)
{
    return s && s[0] == '+' && s[1] == '1' && strlen(s) == 12 && phone_nanp_valid(s + 2);
}

/* The Greenhouse id rule on s[0..n): 1-18 ASCII digits, the first not 0 (so the value is
 * above 0 and has one spelling: "01001" would be a second name for 1001's thread). */
static int phone_gh_id_digits(const char *s, size_t n)
{
    size_t i;

    if (n < 1 || n > PHONE_GH_ID_MAX_DIGITS || s[0] == '0')
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

int phone_gh_id_valid(const char *s)
{
    return s && phone_gh_id_digits(s, strlen(s));
}

int phone_candidate_id(char *out, size_t outsz, const char *url)
{
    const char *p = url;

    if (!url)
        return 0;
    while ((p = strstr(p, "/people/")) != NULL) {
        size_t k = 0;
        p += 8;
        while (p[k] >= '0' && p[k] <= '9' && k <= PHONE_GH_ID_MAX_DIGITS)
            k++;
        if (phone_gh_id_digits(p, k) &&
            (p[k] == '\0' || p[k] == '/' || p[k] == '?' || p[k] == '#')) {
            if (k + 1 > outsz)
                return 0;
            memcpy(out, p, k);
            out[k] = '\0';
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- scanning */

int phone_scan_init(struct phone_scan *s, const char *name, size_t name_len, const char *url)
{
    unsigned char flags[PHONE_NAME_MAX];
    size_t i, k;

    /* only the bookkeeping is reset: the arrays are read only below their counts */
    s->name_len = s->word_count = s->url_id_count = 0;
    s->cls = s->fold_flags = NULL;
    s->off = s->fold = s->fold_off = NULL;
    s->cap = 0;
    s->ascii = 0;
    s->cur = NULL;
    s->line_no = 0;
    s->prev_line_label = PHONE_LABEL_NONE;
    s->other_lines = 0;
    s->prev_heading = 0;
    s->name_end = 0;
    s->name_key = 0;
    s->count = 0;
    s->truncated = 0;
    s->name_line = -1;
    s->overflow_tier = 255;
    if (name_len > PHONE_NAME_MAX)
        name_len = PHONE_NAME_MAX;
    s->name_len = name ? phone_fold(s->name, flags, NULL, PHONE_NAME_MAX, name, name_len) : 0;
    s->name_chars = 0;
    s->name_non_ascii = 0;
    for (i = 0; i < s->name_len; i++) {
        if (flags[i] & FOLD_WS)
            s->word_start[s->word_count++] = (uint16_t)i;
        if (s->name[i] < 0x80)
            s->name_chars |= phone_char_bit((unsigned char)s->name[i]);
        else
            s->name_non_ascii = 1;
    }
    /* KMP failure table */
    if (s->name_len)
        s->kmp[0] = 0;
    for (i = 1, k = 0; i < s->name_len; i++) {
        while (k > 0 && s->name[i] != s->name[k])
            k = s->kmp[k - 1];
        if (s->name[i] == s->name[k])
            k++;
        s->kmp[i] = (uint16_t)k;
    }
    /* the URL's digit runs (candidate and application ids) */
    for (i = 0; url && url[i] && s->url_id_count < PHONE_URL_IDS;) {
        size_t j = i;
        while (url[j] >= '0' && url[j] <= '9')
            j++;
        if (j - i >= 5 && j - i < sizeof(s->url_ids[0])) {
            memcpy(s->url_ids[s->url_id_count], url + i, j - i);
            s->url_ids[s->url_id_count++][j - i] = '\0';
        }
        i = j > i ? j : i + 1;
    }
    return phone_grow(s, 256);
}

void phone_scan_free(struct phone_scan *s)
{
    free(s->cls);
    free(s->off);
    free(s->fold);
    free(s->fold_off);
    free(s->fold_flags);
    s->cls = s->fold_flags = NULL;
    s->off = s->fold = s->fold_off = NULL;
    s->cap = 0;
}

static int phone_is_url_id(const struct phone_scan *s, const struct phone_match *m,
                           const unsigned char *cls)
{
    char run[18];
    size_t i, len = 0;

    for (i = m->start; i < m->end && len + 1 < sizeof(run); i++) {
        if (phone_is_digit(cls[i]))
            run[len++] = (char)cls[i];
        else if (len)
            break;
    }
    run[len] = '\0';
    for (i = 0; i < s->url_id_count; i++) {
        if (strcmp(run, s->url_ids[i]) == 0)
            return 1;
    }
    return 0;
}

/*
 * Keep a number (once). Only a number beneath the candidate's name that is not someone
 * else's (other: after "Referred by", "Recruiter:" ... on its line) may be the default:
 * tier 0 plain, 1 a fax or a number with an extension; 255 never (above the name, before
 * the name on its line, the name not on the page, or international).
 */
static void phone_record(struct phone_scan *s, struct phone_number *num, int other)
{
    int tier = 255, beneath;
    size_t i;

    beneath = s->name_line >= 0 && !other &&
              (num->line > (size_t)s->name_line ||
               (num->line == (size_t)s->name_line && num->offset > s->name_end));
    num->source = beneath ? PHONE_SOURCE_PROFILE : PHONE_SOURCE_OTHER;
    if (num->supported && beneath)
        tier = num->label != PHONE_LABEL_FAX && num->ext[0] == '\0' ? 0 : 1;
    for (i = 0; i < s->count; i++) {
        struct phone_number *old = &s->numbers[i];
        if (strcmp(old->e164, num->e164) == 0 && strcmp(old->ext, num->ext) == 0) {
            if (old->label == PHONE_LABEL_NONE && num->label != PHONE_LABEL_FAX)
                old->label = num->label;
            if (beneath && old->source != PHONE_SOURCE_PROFILE) {
                /* seen above the name first: it is listed where it is the candidate's */
                enum phone_label label = old->label;
                *old = *num;
                if (old->label == PHONE_LABEL_NONE && label != PHONE_LABEL_FAX)
                    old->label = label;
            }
            if (tier < s->tier[i])
                s->tier[i] = (unsigned char)tier;
            return;
        }
    }
    if (s->count < PHONE_MAX_NUMBERS) {
        s->numbers[s->count] = *num;
        s->tier[s->count++] = (unsigned char)tier;
        return;
    }
    s->truncated = 1;
    if (tier < s->overflow_tier) {
        s->overflow_best = *num;
        s->overflow_tier = tier;
    }
}

/* 1 when the name ending at byte b is part of an e-mail address or a handle
 * ("jane.doe@example.com", "jane_doe.dev"): that is no heading. */
static int phone_name_in_address(const char *line, size_t len, size_t b)
{
    unsigned char c, d;

    for (b++; b < len && ((unsigned char)line[b] & 0xC0) == 0x80; b++)
        ;
    if (b + 1 >= len)
        return 0;
    c = (unsigned char)line[b];
    d = (unsigned char)line[b + 1];
    return (c == '@' || c == '.' || c == '_') &&
           ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9'));
}

/*
 * How little the line looks like the candidate's heading (lower is better; 0 for the name
 * alone, "Zoë Ortiz (she/her)"). The high half is 1 when the name is not the line's first
 * words or is inside parentheses ("Candidates > Zoë Ortiz", "Pat Lee (recruiter for Zoë
 * Ortiz)"), or the line is the value of a heading above it (headed: "Possible duplicate:");
 * the low half counts the letters and digits outside parentheses that are not the name's.
 * last: the index of the name's last folded code point.
 */
static uint64_t phone_name_key(const struct phone_scan *s, const char *line, size_t len, size_t m,
                               size_t last, int headed)
{
    size_t k, b = 0, outside = 0, upto = 0;
    int depth = 0, inside = 0;

    for (k = 0; k < m; k++) {
        for (; b < len && b < s->fold_off[k]; b++) {
            if (line[b] == '(')
                depth++;
            else if (line[b] == ')' && depth > 0)
                depth--;
        }
        if (depth == 0)
            outside++;
        if (k == last) {
            upto = outside;
            inside = depth > 0;
        }
    }
    if (inside) /* none of the name's letters was counted outside */
        return (1ull << 32) | outside;
    return ((uint64_t)(headed || upto > s->name_len) << 32) |
           (outside > s->name_len ? outside - s->name_len : 0);
}

/*
 * The current line is the name line (name_end: the byte offset of the name's last code point).
 * When it replaces an earlier one, the numbers between them were taken as beneath the name:
 * they are above it now, listed as the page's other numbers and never the default (a later
 * occurrence beneath the new name line makes one the candidate's again, phone_record).
 */
static void phone_name_line_set(struct phone_scan *s, size_t name_end, uint64_t key)
{
    size_t i;

    if (s->name_line >= 0) {
        for (i = 0; i < s->count; i++) {
            if (s->numbers[i].source == PHONE_SOURCE_PROFILE) {
                s->numbers[i].source = PHONE_SOURCE_OTHER;
                s->tier[i] = 255;
            }
        }
        if (s->overflow_tier < 255) /* overflow_best is set: it was beneath the old line */
            s->overflow_tier = 255;
    }
    s->name_line = (long)s->line_no;
    s->name_end = name_end;
    s->name_key = key;
}

/* Turn a match into a number (or reject it: invalid, an id, too long a span). */
static int phone_accept(struct phone_scan *s, const struct phone_match *m, const char *line,
                        enum phone_label label, struct phone_number *num)
{
    const unsigned char *cls = s->cur;
    size_t a = s->ascii ? m->start : s->off[m->start];
    size_t b = (s->ascii ? m->end - 1 : s->off[m->end - 1]) + 1; /* spans end on an ASCII cell */

    if (b - a >= PHONE_DISPLAY_MAX || m->end - m->start > PHONE_SPAN_MAX)
        return -1;
    memset(num, 0, sizeof(*num));
    if (m->intl) {
        num->e164[0] = '+';
        memcpy(num->e164 + 1, m->digits, m->ndigits + 1);
    } else {
        if (m->ndigits != 10 || !phone_nanp_valid(m->digits))
            return -1;
        num->e164[0] = '+';
        num->e164[1] = '1';
        memcpy(num->e164 + 2, m->digits, 11);
        num->supported = 1;
    }
    if (m->compact && phone_is_url_id(s, m, cls))
        return -1;
    memcpy(num->display, line + a, b - a);
    num->display[b - a] = '\0';
    memcpy(num->ext, m->ext, sizeof(num->ext));
    num->label = label;
    num->source = PHONE_SOURCE_PROFILE;
    num->line = s->line_no;
    num->offset = a;
    return 0;
}

/* 1 when a number written with spaces only ("1 312 555 0142") has another digit group right
 * before or after it, one space away (a card, account or id number in groups). */
static int phone_spaced_in_run(const unsigned char *cls, size_t n, const struct phone_match *m)
{
    size_t i, spaces = 0;

    for (i = m->start; i < m->end; i++) {
        unsigned char c = cls[i];
        if (c == ' ')
            spaces++;
        else if (!phone_is_digit(c) && c != '+')
            return 0;
    }
    if (spaces == 0)
        return 0;
    if (m->start >= 2 && cls[m->start - 1] == ' ' && phone_is_digit(cls[m->start - 2]))
        return 1;
    return m->end + 1 < n && cls[m->end] == ' ' && phone_is_digit(cls[m->end + 1]);
}

/* The cells the scan loop looks at: spaces (end of a URL), URL markers, number starts. */
static const unsigned char phone_hot[256] = {
    [' '] = 1, [':'] = 1, ['w'] = 1, ['W'] = 1, ['+'] = 1, ['('] = 1, ['0'] = 1, ['1'] = 1,
    ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

/*
 * Scan the cells of one line for numbers. A number after a marker (phone_other_from) that
 * starts at cell `from` or later, or labelled by a marker right after it, is someone else's;
 * so is every number of the line when s->other_lines says a marker above labels it. The
 * markers are looked for in one pass that never goes back. Returns 1 when the line holds a
 * number, and sets *tail when a marker follows the last number (it labels what comes next).
 */
static int phone_scan_cells(struct phone_scan *s, const char *line, size_t n, size_t from,
                            int *tail)
{
    size_t other_from = n, looked = from, after = 0;
    int found = 0;
    const unsigned char *cls = s->cur;
    size_t i, lo = 0, last_end = 0;
    int in_url = 0, first = 1;

    for (i = 0; i < n; i++) {
        unsigned char c = cls[i];
        struct phone_match m;
        struct phone_number num;
        enum phone_label label = PHONE_LABEL_NONE;
        size_t end, label_end = 0;
        int kind, hash;

        if (!phone_hot[c])
            continue;
        if (c == ' ') {
            in_url = 0;
            continue;
        }
        if (c == ':' && i + 2 < n && cls[i + 1] == '/' && cls[i + 2] == '/')
            in_url = 1;
        if ((c == 'w' || c == 'W') && (i == 0 || cls[i - 1] == ' ') && i + 3 < n &&
            (cls[i + 1] | 32) == 'w' && (cls[i + 2] | 32) == 'w' && cls[i + 3] == '.')
            in_url = 1;
        if (in_url || !(phone_is_digit(c) || c == '+' || c == '('))
            continue;
        if (!phone_left_ok(cls, i, last_end > 0 && i == last_end + 1) ||
            phone_match_at(&m, cls, n, i) != 0) {
            while (i + 1 < n && phone_is_digit(cls[i]) && phone_is_digit(cls[i + 1]))
                i++; /* the rest of a digit run cannot start a number */
            continue;
        }
        /* extension, then the right boundary (without the extension if that fails) */
        end = phone_extension(&m, cls, n, m.end);
        if (end && phone_right_ok(cls, n, end, !m.compact)) {
            m.end = end;
        } else {
            m.ext[0] = '\0';
            if (!phone_right_ok(cls, n, m.end, !m.compact)) {
                while (i + 1 < n && phone_is_digit(cls[i]) && phone_is_digit(cls[i + 1]))
                    i++;
                continue;
            }
        }
        /* "312 555 0142" inside a longer run of space-separated digit groups is not a phone */
        if (phone_spaced_in_run(cls, n, &m)) {
            i = m.end - 1;
            continue;
        }
        /* on the name line, the name's own words ("Jane Candidate") label nothing after it */
        kind = phone_word_before(cls, m.start >= from && lo < from ? from : lo, m.start, &hash);
        if (kind == PHONE_WORD_ID || (hash && kind < 0)) {
            i = m.end - 1;
            lo = m.end;
            continue;
        }
        if (kind >= PHONE_LABEL_MOBILE && kind <= PHONE_LABEL_OTHER)
            label = (enum phone_label)kind;
        else
            label = phone_label_after(cls, n, m.end, &label_end);
        if (label == PHONE_LABEL_NONE && first)
            label = s->prev_line_label;
        if (phone_accept(s, &m, line, label, &num) == 0) {
            if (other_from == n && looked < m.start) {
                size_t f = phone_other_from(cls, m.start, looked);
                other_from = f < m.start ? f : n;
                looked = m.start;
            }
            after = phone_other_after(cls, n, m.end);
            phone_record(s, &num, s->other_lines > 0 || m.start >= other_from || after);
            first = 0;
            found = 1;
            last_end = m.end;
        }
        i = m.end - 1;
        lo = label_end > m.end ? label_end : m.end;
    }
    /* a marker after the last number labels the lines below ("... · Recruiter: Pat Lee") */
    if (after > last_end)
        last_end = after; /* that marker is the last number's own */
    if (other_from < n && other_from >= last_end)
        *tail = 1;
    else
        *tail = phone_other_from(cls, n, last_end > looked ? last_end : looked) < n;
    return found;
}

/* Whether the line holds an ASCII digit (else it holds no number) and whether it is all ASCII;
 * one branch-free pass the compiler can vectorise. */
static void phone_survey(const char *line, size_t len, int *digit, int *ascii, int *ctrl)
{
    const unsigned char *u = (const unsigned char *)line;
    unsigned char high = 0, dig = 0, low = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        high |= u[i];
        dig |= (unsigned char)((unsigned char)(u[i] - '0') < 10);
        low |= (unsigned char)((u[i] < 0x20) | (u[i] == 0x7F));
    }
    *digit = dig != 0;
    *ascii = high < 0x80;
    *ctrl = low != 0;
}

/* phone_char_bit() of every byte of an ASCII line (for the name pre-filter). */
static uint64_t phone_line_chars(const char *line, size_t len)
{
    uint64_t mask = 0;
    size_t i;

    for (i = 0; i < len; i++)
        mask |= phone_char_bit((unsigned char)line[i]);
    return mask;
}

int phone_scan_line(struct phone_scan *s, const char *line, size_t len)
{
    size_t n;
    int digits, ascii, ctrl;

    if (len > UINT32_MAX - 1)
        return -1; /* cell offsets are 32-bit; callers cap lines far below this */
    phone_survey(line, len, &digits, &ascii, &ctrl);
    if (len + 1 > s->cap && phone_grow(s, len + 1) != 0)
        return -1;
    /* an ASCII line lacking one of the name's characters (either case) cannot hold it */
    /* the name line: the first line holding the name, or a later one where it stands more
     * alone (a banner or breadcrumb above the heading can hold the name too) */
    if ((s->name_line < 0 || s->name_key > 0) && s->name_len > 0 &&
        !(ascii &&
          (s->name_non_ascii || (phone_line_chars(line, len) & s->name_chars) != s->name_chars))) {
        size_t last = 0;
        size_t m = ascii ? phone_fold_ascii(s->fold, s->fold_flags, s->fold_off, line, len)
                         : phone_fold(s->fold, s->fold_flags, s->fold_off, s->cap, line, len);
        if (phone_line_has_name(s, s->fold, s->fold_flags, m, &last) &&
            !phone_name_in_address(line, len, s->fold_off[last])) {
            uint64_t key = phone_name_key(s, line, len, m, last, s->prev_heading);
            if (s->name_line < 0 || key < s->name_key)
                phone_name_line_set(s, s->fold_off[last], key);
        }
    }
    if (digits || len <= 160) {
        size_t from = 0, b;
        int tail = 0, found = 0;
        n = phone_cells(s, line, len, ascii, ctrl);
        if (s->name_line == (long)s->line_no) {
            /* on the name line, a marker before the name says nothing of what follows it */
            while (from < n && (s->ascii ? from : s->off[from]) <= s->name_end)
                from++;
            s->other_lines = 0;
        } else if (s->other_lines > 0 && phone_field_start(s->cur, n)) {
            s->other_lines = 0; /* "Phone: ...": a field of its own ends a marker's block */
        }
        if (digits)
            found = phone_scan_cells(s, line, n, from, &tail);
        else
            tail = phone_other_from(s->cur, n, from) < n;
        /* a marker with no number after it labels the lines below, up to the next number */
        if (tail)
            s->other_lines = PHONE_OTHER_LINES;
        else if (found)
            s->other_lines = 0;
        else if (s->other_lines > 0)
            s->other_lines--;
        s->prev_line_label = phone_label_line(s->cur, n);
        for (b = n; b > 0 && s->cur[b - 1] == ' '; b--)
            ;
        s->prev_heading = b > 0 && s->cur[b - 1] == ':';
    } else {
        s->prev_line_label = PHONE_LABEL_NONE;
        s->prev_heading = 0;
        if (s->other_lines > 0)
            s->other_lines--;
    }
    s->line_no++;
    return 0;
}

void phone_scan_finish(struct phone_scan *s, struct phone_result *out)
{
    size_t i, best = 0;
    int bt = 255;

    out->found = 0;
    out->alternatives_count = 0;
    out->name_line = s->name_line;
    out->truncated = s->truncated;
    for (i = 0; i < s->count; i++) {
        if (s->tier[i] < bt) {
            bt = s->tier[i];
            best = i;
        }
    }
    if (s->overflow_tier < bt) {
        out->found = 1;
        out->phone = s->overflow_best;
        bt = 255; /* every listed number is an alternative */
    } else if (bt < 255) {
        out->found = 1;
        out->phone = s->numbers[best];
    }
    for (i = 0; i < s->count; i++) {
        if (bt < 255 && i == best)
            continue;
        out->alternatives[out->alternatives_count++] = s->numbers[i];
    }
}

size_t phone_parse_values(struct phone_number *out, size_t max, const char *text, size_t len)
{
    struct phone_scan *s = malloc(sizeof(*s));
    size_t n = 0;

    if (!s)
        return 0;
    if (phone_scan_init(s, NULL, 0, NULL) == 0 && phone_scan_line(s, text, len) == 0) {
        for (n = 0; n < s->count && n < max; n++)
            out[n] = s->numbers[n];
    }
    phone_scan_free(s);
    free(s);
    return n;
}

int phone_value_has(const char *text, size_t len, const char *e164)
{
    struct phone_scan *s = malloc(sizeof(*s));
    int found = 0;
    size_t i;

    if (!s)
        return 0;
    if (phone_scan_init(s, NULL, 0, NULL) == 0 && phone_scan_line(s, text, len) == 0) {
        for (i = 0; i < s->count && found != 1; i++) {
            if (strcmp(s->numbers[i].e164, e164) == 0)
                found = s->numbers[i].ext[0] ? 2 : 1;
        }
    }
    phone_scan_free(s);
    free(s);
    return found;
}

int phone_parse_value(struct phone_number *out, const char *text, size_t len)
{
    struct phone_scan *s = malloc(sizeof(*s));
    int found = 0;

    if (!s)
        return 0;
    if (phone_scan_init(s, NULL, 0, NULL) == 0 && phone_scan_line(s, text, len) == 0 &&
        s->count > 0) {
        *out = s->numbers[0];
        found = 1;
    }
    phone_scan_free(s);
    free(s);
    return found;
}

int phone_gh_rank(const struct phone_number *n)
{
    int r;

    if (!n->supported)
        return 99;
    switch (n->label) {
    case PHONE_LABEL_MOBILE:
        r = 0;
        break;
    case PHONE_LABEL_OTHER:
    case PHONE_LABEL_NONE:
        r = 1;
        break;
    default:
        r = 2;
        break;
    }
    return n->ext[0] ? r + 10 : r;
}
