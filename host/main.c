/*
 * main — entry point. Chrome starts the host with the caller's origin
 * ("chrome-extension://<id>/") as argv[1] (plus --parent-window=N on
 * Windows): that is native-messaging mode. Anything else is the command line.
 * In every mode the process first makes itself impossible to dump.
 * [core]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "frame.h"
#include "log.h"
#include "protocol.h"

/*
 * Keep frames and everything else apart: frames go to a private duplicate of
 * fd 1, and fd 1 itself is pointed at stderr, so a stray print from us or a
 * library can never corrupt the channel. Returns the frame fd, or -1.
 */
static int main_protect_stdout(void)
{
    int out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

    if (out < 0)
        return -1;
    if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0) {
            close(out);
            return -1;
        }
        close(devnull);
    }
    return out;
}

/*
 * No core dumps, ever: a crash must not leave the credentials on disk. The
 * store's own memory is excluded from cores (sodium_malloc), but libcurl's
 * request buffers hold "Authorization: Bearer <token>" and the Basic header in
 * ordinary heap. RLIMIT_CORE 0 (soft and hard, so no child can raise it) stops
 * a core file; PR_SET_DUMPABLE 0 (Linux) also stops a core piped to a handler
 * (core_pattern "|...", e.g. apport, which may keep a core whatever the limit)
 * and makes the process's memory unreadable to other processes of the same user (ptrace,
 * /proc/<pid>/mem). A debugger that starts the host (gdb, valgrind) still works.
 * Failures are ignored: there is nothing better to do than to go on.
 */
static void main_no_core_dumps(void)
{
    struct rlimit none = {0, 0};

    (void)setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static int main_is_origin_arg(const char *arg)
{
    return arg && strncmp(arg, "chrome-extension://", 19) == 0;
}

/* TEXTUS_HOST_STALL_TIMEOUT_MS: how long a started frame may take to arrive (tests shorten it). */
static void main_stall_timeout(void)
{
    const char *v = getenv("TEXTUS_HOST_STALL_TIMEOUT_MS");
    char *end = NULL;
    long ms;

    if (!v || !*v)
        return;
    ms = strtol(v, &end, 10);
    if (*end == '\0' && ms > 0 && ms <= 3600000L)
        frame_set_stall_timeout((int)ms);
}

static int main_native(const char *origin)
{
    int out_fd, rc;
    const char *log_path = getenv("TEXTUS_HOST_LOG");

    signal(SIGPIPE, SIG_IGN); /* a closed port shows up as EPIPE, handled as a clean exit */
    out_fd = main_protect_stdout();
    if (out_fd < 0) {
        fprintf(stderr, "textus-host: cannot set up stdout for native messaging\n");
        return PROTO_EXIT_IO;
    }
    main_stall_timeout();
    if (log_path)
        log_open(log_path);
    log_msg("start origin=%s", origin ? origin : "(none)");
    rc = proto_serve(STDIN_FILENO, out_fd, origin);
    log_msg("exit code=%d", rc);
    log_close();
    close(out_fd);
    return rc;
}

int main(int argc, char **argv)
{
    main_no_core_dumps();
    if (argc >= 2 && main_is_origin_arg(argv[1]))
        return main_native(argv[1]);
    /* no origin at all: a sandboxed browser's portal starts hosts this way */
    if (argc == 1 && !isatty(STDIN_FILENO))
        return main_native(NULL);
    if (argc == 2 && strncmp(argv[1], "--parent-window=", 16) == 0)
        return main_native(NULL);
    return cli_main(argc, argv);
}
