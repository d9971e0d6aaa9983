/*
 * log — opt-in file log with redaction (see log.h).
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;

int log_open(const char *path)
{
    int fd;

    if (!path || !*path)
        return -1;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    log_close();
    log_fd = fd;
    return 0;
}

void log_close(void)
{
    if (log_fd >= 0)
        close(log_fd);
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

void log_redact(char *out, size_t outsz, const char *in)
{
    size_t o = 0, i = 0, n = strlen(in);

    if (outsz == 0)
        return;
    while (i < n && o + 1 < outsz) {
        size_t j = i, digits = 0, last = i;
        /* a phone-like run: digits and separators, starting with a digit or '+' or '(' */
        while (j < n && (log_is_digit(in[j]) || log_is_phone_sep(in[j]))) {
            if (log_is_digit(in[j])) {
                digits++;
                last = j;
            }
            j++;
        }
        if (digits >= 7) {
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
        j = i;
        while (j < n && log_is_token(in[j]))
            j++;
        if (j - i >= 20) {
            const char *r = "[redacted]";
            size_t rl = strlen(r);
            if (o + rl < outsz) {
                memcpy(out + o, r, rl);
                o += rl;
            }
            i = j;
            continue;
        }
        /* one character at a time, so a digit run inside a short token is still seen */
        out[o++] = in[i++];
    }
    out[o] = '\0';
}

void log_msg(const char *fmt, ...)
{
    char raw[2048], clean[2048], line[2200];
    va_list ap;
    time_t now;
    struct tm tm;
    char ts[32];
    int len;
    int saved = errno;

    if (log_fd < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    log_redact(clean, sizeof(clean), raw);
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    len = snprintf(line, sizeof(line), "%s [%ld] %s\n", ts, (long)getpid(), clean);
    if (len > 0) {
        size_t w = (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
        if (write(log_fd, line, w) < 0) {
            /* a log that cannot be written is not worth failing a request over */
        }
    }
    errno = saved;
}
