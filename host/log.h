/*
 * log — opt-in diagnostic log, to a file only (never stdout), with phone
 * numbers and secret-looking tokens redacted before anything is written.
 * Logging is off unless log_open() was given a path.
 * [core]
 */
#ifndef TH_LOG_H
#define TH_LOG_H

#include "common.h"

#include <stddef.h>

/*
 * Start logging to path (appended, created 0600; a regular file only). Returns 0, -1 when it
 * cannot be opened (errno set), -2 when it is not a regular file (a FIFO, a device, a folder);
 * logging stays off then.
 */
int log_open(const char *path);
void log_close(void);
int log_enabled(void);

/* printf-style; the formatted line is redacted, then written with a timestamp and pid. */
void log_msg(const char *fmt, ...) TH_PRINTF(1, 2);

/*
 * Copy in to out (always NUL-terminated), replacing every run of 20 or more
 * token characters [A-Za-z0-9_+/=.-] with "[redacted]" as a whole (digits
 * included), and masking every other run of 7 or more digits (with the usual
 * phone separators " -.()+" inside it) except its last two digits. The output is
 * never longer than in; when out is too small it is a prefix of the whole
 * redaction (a "[redacted]" that does not fit ends it).
 */
void log_redact(char *out, size_t outsz, const char *in);

/* log_redact's token rule alone (runs of 20 or more token characters as "[redacted]"; digits
 * are kept): for a server's own text shown in a reply (apijson_error_message), where the
 * numbers a person reads (HTTP statuses, ids) stay as they are. */
void log_redact_tokens(char *out, size_t outsz, const char *in);

#endif
