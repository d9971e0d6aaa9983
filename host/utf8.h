/*
 * utf8 — strict UTF-8 validation and decoding (cJSON does not validate).
 * Rejects overlong forms, surrogates and code points above U+10FFFF.
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

#endif
