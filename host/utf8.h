/*
 * utf8 — strict UTF-8 validation and decoding (cJSON does not validate).
 * Rejects overlong forms, surrogates and code points above U+10FFFF. Also the
 * one check of JSON text that cJSON does not make: U+0000 and raw control
 * characters (utf8_json_clean). And utf8_clip: the project's one way to shorten a
 * text for a person, at a word with "…", never inside a UTF-8 sequence.
 * [core]
 */
#ifndef TH_UTF8_H
#define TH_UTF8_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

/* 1 when buf[0..len) is well-formed UTF-8. */
int utf8_valid(const char *buf, size_t len) TH_WUR;

/*
 * Decode one code point at s[0..len). Returns the number of bytes used (1-4)
 * and stores the code point in *cp, or returns 0 on a malformed sequence.
 */
size_t utf8_decode(uint32_t *cp, const char *s, size_t len);

/*
 * 1 when the JSON text buf[0..len) holds no U+0000 and no raw control
 * character: no "\u0000" escape in a string or key, no byte below 0x20 inside
 * a string or key (RFC 8259 section 7 forbids them there), and none between
 * tokens other than tab, LF and CR. cJSON accepts raw control bytes and ends a
 * string at U+0000, so a field would silently lose what follows. Otherwise 0,
 * with *where (may be NULL) set to the byte offset of the first offence.
 */
int utf8_json_clean(const char *buf, size_t len, size_t *where) TH_WUR;

/*
 * The one way a text for a person is shortened to fit a buffer: never a sentence cut
 * mid-word. Copies in[0..inlen) (up to a NUL) into out[0..outsz) NUL-terminated. When it
 * does not fit, it ends at the end of the last whole word that leaves room for "…"
 * (U+2026, 3 bytes), trailing spaces and punctuation that would dangle (",;:(") dropped,
 * and "…" appended; a single word longer than the buffer is cut at a character boundary
 * (never inside a UTF-8 sequence), also with "…". Returns 1 when the text was shortened,
 * else 0. outsz 0 writes nothing; an out smaller than 4 bytes gets what fits, no "…".
 */
int utf8_clip(char *out, size_t outsz, const char *in, size_t inlen);

#endif
