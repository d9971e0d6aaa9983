/*
 * fuzz_extract — libFuzzer target over the phone extractor (phone.h). Input:
 * line 1 the candidate name, line 2 the URL, the rest the profile lines
 * (split at '\n'; any bytes, not necessarily UTF-8). Aborts unless every
 * number reported is sound: the default is a valid +1 NANP number, every
 * display is the exact text of its line at its offset, and the e164 digits
 * occur in order in that display, and the candidate id read from the URL
 * follows the Greenhouse id rule. Also runs phone_parse_value on the input.
 * Seeds include NUL bytes inside the name, the URL and the lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_line {
    const char *p;
    size_t len;
};

/* 1 when the digits of want appear in order among the digits of text. */
static int fz_digits_in_order(const char *want, const char *text)
{
    for (; *text && *want; text++) {
        if (*text == *want)
            want++;
    }
    return *want == '\0';
}

static void fz_check(const struct phone_number *n, const struct fz_line *lines, size_t nlines,
                     int must_be_supported)
{
    size_t dlen = strlen(n->display);
    const char *digits;

    if (n->line >= nlines || dlen == 0 || dlen >= PHONE_DISPLAY_MAX)
        abort();
    if (n->offset + dlen > lines[n->line].len ||
        memcmp(lines[n->line].p + n->offset, n->display, dlen) != 0)
        abort();
    if (n->e164[0] != '+')
        abort();
    if (n->supported) {
        if (!phone_e164_nanp_valid(n->e164)) /* the rule every verb taking "to" applies */
            abort();
        digits = n->e164 + 2; /* the "1" may be implied */
    } else {
        size_t k = strlen(n->e164);
        if (must_be_supported || n->e164[1] == '1' || k < 8 || k > 16)
            abort();
        digits = n->e164 + 1;
    }
    if (!fz_digits_in_order(digits, n->display))
        abort();
    if (n->ext[0] && (strlen(n->ext) > 6 || !strstr(n->display, n->ext)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct fz_line *lines = NULL;
    struct phone_scan *s = malloc(sizeof(*s));
    struct phone_result *r = malloc(sizeof(*r));
    struct phone_number one;
    const char *name = "", *url_p = "";
    size_t name_len = 0, url_len = 0, nlines = 0, i, start, field = 0;
    char *url;

    if (!s || !r)
        abort();
    lines = malloc((size + 1) * sizeof(*lines));
    if (!lines)
        abort();
    for (i = 0, start = 0; i <= size; i++) {
        if (i < size && in[i] != '\n')
            continue;
        if (field == 0) {
            name = in + start;
            name_len = i - start;
        } else if (field == 1) {
            url_p = in + start;
            url_len = i - start;
        } else {
            lines[nlines].p = in + start;
            lines[nlines++].len = i - start;
        }
        field++;
        start = i + 1;
    }
    url = malloc(url_len + 1);
    if (!url)
        abort();
    memcpy(url, url_p, url_len);
    url[url_len] = '\0';
    if (phone_scan_init(s, name, name_len, url) != 0)
        abort();
    {
        char id[32];
        if (phone_candidate_id(id, sizeof(id), url) && !phone_gh_id_valid(id))
            abort(); /* extract_phone's candidate id follows the Greenhouse id rule */
    }
    for (i = 0; i < nlines; i++) {
        if (phone_scan_line(s, lines[i].p, lines[i].len) != 0)
            abort();
    }
    phone_scan_finish(s, r);
    phone_scan_free(s);
    if (r->found) {
        fz_check(&r->phone, lines, nlines, 1);
        if (r->phone.source != PHONE_SOURCE_PROFILE || r->name_line < 0 ||
            r->phone.line < (size_t)r->name_line)
            abort(); /* the default is beneath the candidate's name, never above it */
    }
    if (r->alternatives_count > PHONE_MAX_NUMBERS)
        abort();
    for (i = 0; i < r->alternatives_count; i++) {
        fz_check(&r->alternatives[i], lines, nlines, 0);
        if (r->found && strcmp(r->alternatives[i].e164, r->phone.e164) == 0 &&
            strcmp(r->alternatives[i].ext, r->phone.ext) == 0)
            abort(); /* the default is not repeated among the alternatives */
    }
    if (!r->found && r->alternatives_count > 0) {
        for (i = 0; i < r->alternatives_count; i++) {
            if (r->alternatives[i].supported && r->alternatives[i].source == PHONE_SOURCE_PROFILE)
                abort(); /* a +1 number beneath the name was seen but not chosen */
        }
    }
    if (phone_parse_value(&one, in, size)) {
        struct fz_line whole = {in, size};
        one.line = 0;
        fz_check(&one, &whole, 1, 0);
    }
    free(url);
    free(lines);
    free(s);
    free(r);
    return 0;
}
