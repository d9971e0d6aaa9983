/*
 * main — entry point. Chrome starts the host with the caller's origin
 * ("chrome-extension://<id>/") as argv[1] (plus --parent-window=N on
 * Windows): that is native-messaging mode. Anything else is the command line.
 * In every mode the process first makes itself impossible to dump.
 * [core]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frame.h"
#include "log.h"
#include "os.h"
#include "protocol.h"

static int main_is_origin_arg(const char *arg)
{
    return arg && strncmp(arg, "chrome-extension://", 19) == 0;
}

/* TEXTUS_HOST_STALL_TIMEOUT_MS: how long a started frame may take to arrive (tests shorten it). */
static void main_stall_timeout(void)
{
    const char *v = os_getenv("TEXTUS_HOST_STALL_TIMEOUT_MS");
    char *end = NULL;
    long ms;

    if (!v || !*v)
        return;
    ms = strtol(v, &end, 10);
    if (*end == '\0' && ms > 0 && ms <= 3600000L)
        frame_set_stall_timeout((int)ms);
}

/*
 * Open the log TEXTUS_HOST_LOG names; when it cannot be, one line on stderr says so (a run
 * without its log is then never mistaken for one whose code never ran) and the host goes on.
 */
static void main_log_open(const char *path)
{
    int rc = log_open(path);

    if (rc == -2)
        fprintf(stderr, "textus-host: cannot open the log TEXTUS_HOST_LOG names: not a regular "
                        "file; going on without it\n");
    else if (rc != 0)
        fprintf(stderr,
                "textus-host: cannot open the log TEXTUS_HOST_LOG names: %s; going on "
                "without it\n",
                strerror(errno));
}

/*
 * Keep frames and everything else apart (frames go to a private duplicate of stdout, which
 * then points at stderr), in binary mode: os_native_stdio (os.h) says how on each platform.
 */
static int main_native(const char *origin)
{
    int out_fd, rc;
    const char *log_path = os_getenv("TEXTUS_HOST_LOG");

    /* binary stdio, SIGPIPE ignored (EPIPE is a clean exit), fd 1 pointed at stderr */
    out_fd = os_native_stdio();
    if (out_fd < 0) {
        fprintf(stderr, "textus-host: cannot set up stdout for native messaging\n");
        return PROTO_EXIT_IO;
    }
    main_stall_timeout();
    if (log_path)
        main_log_open(log_path);
    log_msg("start origin=%s", origin ? origin : "(none)");
    rc = proto_serve(0, out_fd, origin);
    log_msg("exit code=%d", rc);
    log_close();
    os_close(out_fd);
    return rc;
}

/*
 * The command line. With TEXTUS_HOST_LOG set its log says, as native mode's does, that the
 * host's code ran ("start cli <command>", first) and how it ended ("exit code=N", last): the
 * command's name only, never its arguments (they may hold numbers or secrets). Under Wine
 * that first line tells a process that died inside Wine's startup from the host's own
 * failure (tests/windows/wine_host.sh).
 */
static int main_cli(int argc, char **argv)
{
    const char *log_path = os_getenv("TEXTUS_HOST_LOG");
    const char *name = argc >= 2 ? argv[1] : "";
    size_t i, n = strlen(name);
    int rc;

    for (i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '-'))
            break;
    if (n == 0 || n > 24 || i < n)
        name = n ? "(other)" : "(none)";
    if (log_path)
        main_log_open(log_path);
    log_msg("start cli %s", name);
    rc = cli_main(argc, argv);
    log_msg("exit code=%d", rc);
    log_close();
    return rc;
}

/* First no dumps (os_harden_process: os.h says what each platform does and why). */
int main(int argc, char **argv)
{
    os_harden_process();
    /* a closed fd 0-2 at the null device, before any file opens (the log would take fd 1) */
    os_std_fds_ensure();
    os_args_utf8(&argc, &argv);
    if (argc >= 2 && main_is_origin_arg(argv[1]))
        return main_native(argv[1]);
    /* no origin at all: a sandboxed browser's portal starts hosts this way */
    if (argc == 1 && !os_isatty(0))
        return main_native(NULL);
    if (argc == 2 && strncmp(argv[1], "--parent-window=", 16) == 0)
        return main_native(NULL);
    return main_cli(argc, argv);
}
