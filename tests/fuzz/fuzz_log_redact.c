/*
 * fuzz_log_redact — libFuzzer target for log_redact (log.c), checking what
 * log.h promises of every output rather than only that nothing crashes:
 *   - nothing is written past outsz, the output is terminated and never longer
 *     than the input;
 *   - no 7 ASCII digits in a row and no 20 token characters [A-Za-z0-9_+/=.-]
 *     in a row survive (a number keeps at most its last two digits, a token of
 *     20 or more becomes "[redacted]");
 *   - a smaller buffer gets a prefix of what a large one gets;
 *   - a known secret and a known phone number planted in the input (between
 *     spaces, at an offset the input chooses) do not survive.
 * Input: byte 0 picks the small buffer size, byte 1 the planting offset, the
 * rest (up to its first NUL) is the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define GUARD 16

static const char planted_secret[] = "tk_FUZZ_canary_7f3a9c2e1b";
static const char planted_number[] = "555-867-5309";
static const char number_body[] = "867-53"; /* what masking must hide */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_is_token(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '/' || c == '=' || c == '.' || c == '-';
}

/* log_redact into a fresh buffer of outsz bytes plus a guard; aborts on a write past outsz. */
static char *fz_redact(const char *in, size_t outsz)
{
    char *out = malloc(outsz + GUARD);
    size_t k;

    if (!out)
        abort();
    memset(out, 0x5A, outsz + GUARD);
    log_redact(out, outsz, in);
    for (k = outsz; k < outsz + GUARD; k++)
        if ((unsigned char)out[k] != 0x5A)
            abort(); /* wrote past outsz */
    if (outsz > 0 && !memchr(out, '\0', outsz))
        abort(); /* not terminated inside the buffer */
    return out;
}

static void fz_check_promise(const char *out)
{
    size_t digits = 0, token = 0;

    for (; *out; out++) {
        digits = (*out >= '0' && *out <= '9') ? digits + 1 : 0;
        token = fz_is_token(*out) ? token + 1 : 0;
        if (digits >= 7 || token >= 20)
            abort(); /* a number or a secret survived */
    }
}

static void fz_one(const char *in, size_t small)
{
    size_t inlen = strlen(in), big = inlen + 1, outlen;
    char *full = fz_redact(in, big), *part;

    outlen = strlen(full);
    if (outlen > inlen)
        abort(); /* redaction never lengthens */
    fz_check_promise(full);
    part = fz_redact(in, small);
    if (small > 0) {
        size_t pl = strlen(part);
        if (pl >= small || pl > outlen || memcmp(part, full, pl) != 0)
            abort(); /* a smaller buffer must get a prefix of the whole redaction */
        fz_check_promise(part);
    }
    free(part);
    free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t small = size > 0 ? data[0] : 64, at, tlen, plen;
    const char *text = size > 2 ? (const char *)data + 2 : "";
    char *in, *planted;
    static const size_t extra = sizeof(planted_secret) + sizeof(planted_number) + 4;

    tlen = size > 2 ? size - 2 : 0;
    in = malloc(tlen + 1);
    if (!in)
        abort();
    if (tlen)
        memcpy(in, text, tlen);
    in[tlen] = '\0';
    tlen = strlen(in);
    fz_one(in, small);

    /* the same text with a secret and a number planted between spaces */
    at = size > 1 ? data[1] % (tlen + 1) : 0;
    plen = tlen + extra;
    planted = malloc(plen + 1);
    if (!planted)
        abort();
    memcpy(planted, in, at);
    plen = at;
    planted[plen++] = ' ';
    memcpy(planted + plen, planted_secret, sizeof(planted_secret) - 1);
    plen += sizeof(planted_secret) - 1;
    planted[plen++] = ' ';
    memcpy(planted + plen, planted_number, sizeof(planted_number) - 1);
    plen += sizeof(planted_number) - 1;
    planted[plen++] = ' ';
    memcpy(planted + plen, in + at, tlen - at);
    plen += tlen - at;
    planted[plen] = '\0';
    fz_one(planted, small);
    {
        char *out = fz_redact(planted, plen + 1);
        if (!strstr(in, "canary") && strstr(out, "canary"))
            abort(); /* the planted secret survived */
        if (!strstr(in, number_body) && strstr(out, number_body))
            abort(); /* the planted number survived */
        free(out);
    }
    free(planted);
    free(in);
    return 0;
}
