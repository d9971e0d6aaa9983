/*
 * phone — finds the phone number listed beneath the candidate's name in the
 * visible text of a Greenhouse profile header and normalises it to E.164.
 *
 * Texting the wrong person is the failure this module exists to prevent, so it
 * is strict: a number is accepted only in the written forms listed in
 * PROTOCOL.md (verb extract_phone) and only when it is a valid NANP number
 * (area code and exchange [2-9]XX, neither N11). Dates, times, years, ZIP
 * codes, amounts, GPAs, IP addresses, ids, digit runs of 12 or more, digits
 * glued to words or inside URLs and vanity numbers are never phone numbers.
 * International numbers (+44 ...) are recognised but marked unsupported.
 * Only a number beneath the name can be the default: one above it (a referrer's,
 * a recruiter's, an office line) or labelled as someone else's ("Referred by",
 * "Recruiter:", "Coordinator" on a line above, "(referrer)" after it: the grammar
 * is in phone.c and PROTOCOL.md) is listed as PHONE_SOURCE_OTHER, never chosen.
 *
 * Use: phone_scan_init(), then phone_scan_line() for each line in document
 * order, then phone_scan_finish() and phone_scan_free(). The scanner makes one
 * linear pass over each line (no rescans), so the cost is linear in the input.
 * Pure C: no I/O, no allocation beyond its scratch buffers, no global state.
 * [core]
 */
#ifndef TH_PHONE_H
#define TH_PHONE_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

#define PHONE_E164_MAX    17   /* '+', up to 15 digits, NUL */
#define PHONE_EXT_MAX     8    /* up to 6 digits, NUL */
#define PHONE_DISPLAY_MAX 128  /* a number's text as written, NUL; longer spans are rejected */
#define PHONE_MAX_NUMBERS 64   /* distinct numbers kept per profile (the rest: truncated) */
#define PHONE_NAME_MAX    1024 /* bytes of candidate name the matcher considers */
#define PHONE_URL_IDS     8    /* digit runs of the URL remembered as ids */

enum phone_label {
    PHONE_LABEL_NONE = 0,
    PHONE_LABEL_MOBILE, /* Mobile, Cell, Cellular */
    PHONE_LABEL_HOME,
    PHONE_LABEL_WORK, /* Work, Office, Business */
    PHONE_LABEL_FAX,
    PHONE_LABEL_OTHER
};

/*
 * Where a number was read. Only PROFILE and GREENHOUSE numbers can be the default:
 * PROFILE is beneath the candidate's name (on a line after the name line, or after the name
 * on its line) and not on a line part that names someone else; OTHER is every other number
 * of the page (above the name, before it on its line, anywhere when the name is not on the
 * page, or after "Referred by", "Recruiter:", "Agency:" ...), offered as an alternative only.
 */
enum phone_source { PHONE_SOURCE_PROFILE = 0, PHONE_SOURCE_GREENHOUSE, PHONE_SOURCE_OTHER };

struct phone_number {
    char e164[PHONE_E164_MAX];       /* "+1NXXNXXXXXX", or "+<cc>..." when !supported */
    char display[PHONE_DISPLAY_MAX]; /* the exact bytes of the line, extension included */
    char ext[PHONE_EXT_MAX];         /* extension digits, "" when none */
    enum phone_label label;
    enum phone_source source;
    int supported; /* 1 for a valid +1 NANP number (TextUs can text it) */
    size_t line;   /* index of the line it was read from */
    size_t offset; /* byte offset of display within that line */
};

struct phone_result {
    int found; /* 1 when phone holds the default number (beneath the candidate's name) */
    struct phone_number phone;                           /* the default: always supported */
    struct phone_number alternatives[PHONE_MAX_NUMBERS]; /* every other number, in order */
    size_t alternatives_count;
    int truncated;  /* 1 when more than PHONE_MAX_NUMBERS distinct numbers were seen */
    long name_line; /* index of the line holding the candidate's name, -1 if none */
};

/* The scanner's state; treat the members as private. */
struct phone_scan {
    uint32_t name[PHONE_NAME_MAX];       /* the folded name, letters and digits only */
    uint16_t kmp[PHONE_NAME_MAX];        /* KMP failure table over name[] */
    uint16_t word_start[PHONE_NAME_MAX]; /* where each word of the name starts in name[] */
    size_t name_len;
    size_t word_count;
    uint64_t name_chars; /* phone_char_bit() of each ASCII character of the folded name */
    int name_non_ascii;  /* the folded name has a non-ASCII letter: no ASCII line holds it */
    char url_ids[PHONE_URL_IDS][24];
    size_t url_id_count;
    /* per-line scratch, grown to the longest line */
    unsigned char *cls;
    uint32_t *off;
    uint32_t *fold;
    uint32_t *fold_off; /* byte offset in the line of each folded code point */
    unsigned char *fold_flags;
    size_t cap;
    const unsigned char *cur; /* the current line's cells: cls, or the line itself */
    int ascii;                /* the current line is all ASCII: cell k is byte k, off[] unused */
    /* progress */
    size_t line_no;
    long name_line;
    size_t name_end;   /* byte offset (in the name line) of the name's last code point */
    uint64_t name_key; /* phone_name_key() of the name line: lower stands more alone */
    enum phone_label prev_line_label;
    int other_lines;  /* a marker above labels up to this many more lines (up to a number) */
    int prev_heading; /* the previous line ends with ':' ("Possible duplicate:") */
    /* numbers seen, distinct, in document order; tier: lower is a better default */
    struct phone_number numbers[PHONE_MAX_NUMBERS];
    unsigned char tier[PHONE_MAX_NUMBERS];
    size_t count;
    int truncated;
    struct phone_number overflow_best; /* a better default seen after the list filled */
    int overflow_tier;
};

/*
 * Start a scan. name: the candidate's name (UTF-8, may be empty); url: the
 * profile URL (its digit runs are ids, never phone numbers; may be NULL).
 * Returns 0, or -1 when out of memory.
 */
int phone_scan_init(struct phone_scan *s, const char *name, size_t name_len,
                    const char *url) TH_WUR;

/* Scan the next line (need not be NUL-terminated or valid UTF-8). Returns 0, or -1 (out of
 * memory, or a line of 4 GiB or more). */
int phone_scan_line(struct phone_scan *s, const char *line, size_t len) TH_WUR;

/* Choose the default number and list the alternatives (see PROTOCOL.md for the rule). */
void phone_scan_finish(struct phone_scan *s, struct phone_result *out);

/* Free the scratch buffers (safe on a zeroed or finished scan). */
void phone_scan_free(struct phone_scan *s);

/*
 * Parse one free-text phone value as typed into a system (e.g. Greenhouse's
 * phone_numbers[].value): the first number in it, by the same rules as the
 * profile scanner. Returns 1 and fills *out, or 0 when the text holds none.
 */
int phone_parse_value(struct phone_number *out, const char *text, size_t len) TH_WUR;

/*
 * Whether a free-text phone value (a Greenhouse record's phone_numbers[].value, which may hold
 * several: "303-555-0124 / 720-555-0199") holds the number e164: 1 written without an
 * extension, 2 only with one ("(303) 555-0123 ext. 45": a desk line, not the same number to
 * text), 0 not at all (or out of memory).
 */
int phone_value_has(const char *text, size_t len, const char *e164) TH_WUR;

/* Every number of such a value, in order, at most max of them into out; returns how many. */
size_t phone_parse_values(struct phone_number *out, size_t max, const char *text, size_t len);

/* Greenhouse ids (candidates, users) are positive integers of at most 18 digits. */
#define PHONE_GH_ID_MAX_DIGITS 18

/*
 * The candidate id: the digits of "/people/<id>" in a profile URL, when they
 * follow the Greenhouse id rule (phone_gh_id_valid) and are followed by the
 * end, '/', '?' or '#'. Returns 1 and writes the NUL-terminated digits to out,
 * or 0 when the URL has none (or outsz is small).
 */
int phone_candidate_id(char *out, size_t outsz, const char *url) TH_WUR;

/*
 * The Greenhouse id rule, for every verb that takes a candidate id: 1-18 ASCII
 * digits, the first not 0 ("0", "0000", "01001" and 19-digit runs are refused).
 */
int phone_gh_id_valid(const char *s) TH_WUR;

/* 1 when d[0..10) are ten ASCII digits forming a valid NANP number (NPA-NXX-XXXX). */
int phone_nanp_valid(const char *d) TH_WUR;

/*
 * 1 when s is exactly "+1" and ten digits that phone_nanp_valid accepts: the one
 * rule for a number to text, used by extract_phone and by every verb taking "to".
 */
int phone_e164_nanp_valid(const char *s) TH_WUR;

/* "mobile", "home", "work", "fax", "other", or NULL for PHONE_LABEL_NONE. */
const char *phone_label_name(enum phone_label label);

/* The label for a type word such as Greenhouse's "mobile"/"home"/"work"/"skype"/"other". */
enum phone_label phone_label_from_type(const char *type);

/*
 * extract_phone's Greenhouse fallback preference among a candidate's Greenhouse numbers (also
 * a bulk's rule, bulk.c): mobile 0, other or unlabelled 1, home/work/the rest 2, +10 with an
 * extension; 99 a number TextUs cannot text (not US/Canada). Lowest wins, the first on a tie.
 */
int phone_gh_rank(const struct phone_number *n);

#endif
