/*
 * log — opt-in file log with redaction (see log.h).
 * [core]
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iso8601.h"
#include "os.h"

/* A run of this many token characters is a secret; this many digits, a number. */
#define LOG_SECRET_MIN 20
#define LOG_NUMBER_MIN 7

static int log_fd = -1;

int log_open(const char *path)
{
    struct os_stat st;
    int fd;

    if (!path || !*path)
        return -1;
    /* owner-only, never through a symbolic link, not inherited; non-blocking, so that a FIFO
       named there does not hang the open (a regular file's writes are not changed by it) */
    fd = os_open_file(path, OS_OPEN_APPEND | OS_OPEN_CREATE | OS_OPEN_NONBLOCK);
    if (fd < 0)
        return -1;
    if (os_fstat(&st, fd) != 0 || st.kind != OS_KIND_FILE) {
        os_close(fd);
        return -2;
    }
    log_close();
    log_fd = fd;
    return 0;
}

void log_close(void)
{
    if (log_fd >= 0)
        os_close(log_fd);
    log_fd = -1;
}

int log_enabled(void)
{
    return log_fd >= 0;
}

static int log_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int log_is_phone_sep(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+';
}

static int log_is_token(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || log_is_digit(c) || c == '_' ||
           c == '+' || c == '/' || c == '=' || c == '.' || c == '-';
}

/*
 * The length of the run of token characters that starts at in[i] when it is a
 * secret (20 or more), else 0. Only a run's first character starts it: log_redact
 * never stops inside a secret, so a token character before i means a short run.
 */
static size_t log_secret_at(const char *in, size_t n, size_t i)
{
    size_t j = i;

    if (i > 0 && log_is_token(in[i - 1]))
        return 0;
    while (j < n && log_is_token(in[j]))
        j++;
    return j - i >= LOG_SECRET_MIN ? j - i : 0;
}

/* log_redact (numbers 1) or log_redact_tokens (numbers 0). */
static void log_redact_ex(char *out, size_t outsz, const char *in, int numbers)
{
    static const char marker[] = "[redacted]";
    size_t o = 0, i = 0, n = strlen(in), plain_until = numbers ? 0 : n;

    if (outsz == 0)
        return;
    while (i < n && o + 1 < outsz) {
        size_t secret = log_secret_at(in, n, i);
        if (secret > 0) {
            if (o + sizeof(marker) - 1 >= outsz)
                break; /* no room for the whole marker: the line ends here */
            memcpy(out + o, marker, sizeof(marker) - 1);
            o += sizeof(marker) - 1;
            i += secret;
            continue;
        }
        if (i >= plain_until) {
            /* a number: digits and separators up to the next secret, 7 digits or more */
            size_t j = i, digits = 0, last = i;
            while (j < n && (log_is_digit(in[j]) || log_is_phone_sep(in[j])) &&
                   (j == i || log_secret_at(in, n, j) == 0)) {
                if (log_is_digit(in[j])) {
                    digits++;
                    last = j;
                }
                j++;
            }
            if (digits >= LOG_NUMBER_MIN) {
                size_t k, seen = 0;
                for (k = i; k <= last && o + 1 < outsz; k++) {
                    if (log_is_digit(in[k])) {
                        seen++;
                        out[o++] = seen + 2 > digits ? in[k] : '*';
                    } else {
                        out[o++] = in[k];
                    }
                }
                i = last + 1;
                continue;
            }
            plain_until = j; /* a run starting before j ends at j too: no number there */
        }
        /* one character at a time, so a number inside a short token is still seen */
        out[o++] = in[i++];
    }
    out[o] = '\0';
}

void log_redact(char *out, size_t outsz, const char *in)
{
    log_redact_ex(out, outsz, in, 1);
}

void log_redact_tokens(char *out, size_t outsz, const char *in)
{
    log_redact_ex(out, outsz, in, 0);
}

void log_msg(const char *fmt, ...)
{
    char raw[2048], clean[2048], line[2200];
    va_list ap;
    char ts[ISO8601_UTC_MAX];
    int len;
    int saved = errno;

    if (log_fd < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    log_redact(clean, sizeof(clean), raw);
    if (iso8601_format_utc(ts, sizeof(ts), (int64_t)time(NULL)) != 0)
        ts[0] = '\0';
    len = snprintf(line, sizeof(line), "%s [%ld] %s\n", ts, os_getpid(), clean);
    if (len > 0) {
        size_t w = (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
        if (os_write(log_fd, line, w) < 0) {
            /* a log that cannot be written is not worth failing a request over */
        }
    }
    errno = saved;
}
