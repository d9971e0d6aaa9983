/*
 * os_posix — the operating-system layer on Linux and macOS (see os.h).
 *
 * Compiled everywhere, empty on Windows (os_win.c is its twin there), the way SQLite keeps
 * os_unix.c and os_win.c. The only file besides os_win.c where a platform macro may appear.
 * [core]
 */
#include "os.h"

#ifndef _WIN32

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __APPLE__
#include <malloc/malloc.h>
#include <mach-o/dyld.h>
#else
#include <malloc.h>
#endif
#include <termios.h>

/* ---- clock ------------------------------------------------------------------------------ */

static int64_t os_clock_ms(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0; /* not for these two clocks on a POSIX system */
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t os_mono_ms(void)
{
    return os_clock_ms(CLOCK_MONOTONIC);
}

int os_local_tm(struct tm *out, int64_t epoch_s)
{
    time_t t = (time_t)epoch_s;

    if ((int64_t)t != epoch_s)
        return -1;
    tzset();
    return localtime_r(&t, out) ? 0 : -1;
}

int64_t os_wall_ms(void)
{
    return os_clock_ms(CLOCK_REALTIME);
}

void os_sleep_ms(int ms)
{
    struct timespec nap;

    if (ms <= 0)
        return;
    nap.tv_sec = ms / 1000;
    nap.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
        ;
}

/* ---- process ---------------------------------------------------------------------------- */

/*
 * No core dumps, ever: a crash must not leave the credentials on disk. The store's own
 * memory is excluded from cores (sodium_malloc), but libcurl's request buffers hold
 * "Authorization: Bearer <token>" and the Basic header in ordinary heap. RLIMIT_CORE 0 (soft
 * and hard, so no child can raise it) stops a core file; PR_SET_DUMPABLE 0 (Linux) also
 * stops a core piped to a handler (core_pattern "|...", e.g. apport, which may keep a core
 * whatever the limit) and makes the process's memory unreadable to other processes of the
 * same user (ptrace, /proc/<pid>/mem). A debugger that starts the host still works.
 */
void os_harden_process(void)
{
    struct rlimit none = {0, 0};

    (void)setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

void os_std_fds_ensure(void)
{
    int fd;

    for (fd = 0; fd <= 2; fd++) {
        int n;
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* the lowest free number: fd itself, as every lower one is open */
        n = open("/dev/null", O_RDWR);
        if (n >= 0 && n != fd) {
            (void)dup2(n, fd);
            (void)close(n);
        }
    }
}

int os_native_stdio(void)
{
    int out;

    signal(SIGPIPE, SIG_IGN); /* a closed port shows up as EPIPE, handled as a clean exit */
    out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
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

void os_args_utf8(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

const char *os_getenv(const char *name)
{
    return getenv(name);
}

long os_getpid(void)
{
    return (long)getpid();
}

const char *os_name(void)
{
    static struct utsname u;
    static int done;

    if (!done) {
        if (uname(&u) != 0)
            snprintf(u.sysname, sizeof(u.sysname), "unknown");
        done = 1;
    }
    return u.sysname;
}

int os_exe_path(char *out, size_t outsz)
{
    char path[PATH_MAX];
#ifdef __APPLE__
    char raw[PATH_MAX];
    uint32_t sz = sizeof(raw);
    if (_NSGetExecutablePath(raw, &sz) != 0 || !realpath(raw, path))
        return -1;
#else
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return -1;
    path[n] = '\0';
#endif
    return snprintf(out, outsz, "%s", path) < (int)outsz ? 0 : -1;
}

int os_exe_dir(char *out, size_t outsz)
{
    char *slash;

    if (os_exe_path(out, outsz) != 0)
        return -1;
    slash = strrchr(out, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

int os_home_dir(char *out, size_t outsz)
{
    const char *home = getenv("HOME");
    struct passwd *pw;

    /* an absolute $HOME, else the account's (a relative one is never taken) */
    if (!home || home[0] != '/') {
        pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || home[0] != '/') {
        errno = ENOENT;
        return -1;
    }
    return snprintf(out, outsz, "%s", home) < (int)outsz ? 0 : -1;
}

/* A per-user directory: on macOS ~/Library/Application Support; elsewhere $<xdg_var> when
 * absolute, else ~/<home_rel> (the XDG base directory rule). */
static int os_user_dir(char *out, size_t outsz, const char *xdg_var, const char *home_rel)
{
    char home[PATH_MAX];
    int n;
#ifdef __APPLE__
    (void)xdg_var;
    (void)home_rel;
    if (os_home_dir(home, sizeof(home)) != 0)
        return -1;
    n = snprintf(out, outsz, "%s/Library/Application Support", home);
#else
    const char *xdg = getenv(xdg_var);
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, outsz, "%s", xdg);
    } else {
        if (os_home_dir(home, sizeof(home)) != 0)
            return -1;
        n = snprintf(out, outsz, "%s/%s", home, home_rel);
    }
#endif
    return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int os_data_dir(char *out, size_t outsz)
{
    return os_user_dir(out, outsz, "XDG_DATA_HOME", ".local/share");
}

int os_process_alive(long pid)
{
    if (pid <= 0)
        return 0;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* ---- files ------------------------------------------------------------------------------ */

int os_open_file(const char *path, unsigned flags)
{
    int oflags = O_CLOEXEC | O_NOFOLLOW;

    if ((flags & OS_OPEN_READ) && (flags & (OS_OPEN_WRITE | OS_OPEN_APPEND)))
        oflags |= O_RDWR;
    else if (flags & (OS_OPEN_WRITE | OS_OPEN_APPEND))
        oflags |= O_WRONLY;
    else
        oflags |= O_RDONLY;
    if (flags & OS_OPEN_APPEND)
        oflags |= O_APPEND;
    if (flags & OS_OPEN_CREATE)
        oflags |= O_CREAT;
    if (flags & OS_OPEN_EXCL)
        oflags |= O_EXCL;
    if (flags & OS_OPEN_TRUNC)
        oflags |= O_TRUNC;
    if (flags & OS_OPEN_NONBLOCK)
        oflags |= O_NONBLOCK;
    return open(path, oflags, 0600);
}

int os_close(int fd)
{
    return close(fd);
}

long os_read(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return (long)n;
    }
}

long os_write(int fd, const void *buf, size_t len)
{
    for (;;) {
        ssize_t n = write(fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return (long)n;
    }
}

int os_write2(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
    struct iovec iov[2];
    size_t total = alen + blen, done = 0;

    while (done < total) {
        ssize_t n;
        int cnt = 0;
        if (done < alen) {
            iov[cnt].iov_base = (char *)a + done;
            iov[cnt].iov_len = alen - done;
            cnt++;
            if (blen) {
                iov[cnt].iov_base = (void *)b;
                iov[cnt].iov_len = blen;
                cnt++;
            }
        } else {
            iov[cnt].iov_base = (char *)b + (done - alen);
            iov[cnt].iov_len = total - done;
            cnt++;
        }
        n = writev(fd, iov, cnt);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int os_wait_readable(int fd, int timeout_ms)
{
    struct pollfd pfd;

    for (;;) {
        int r;
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
        if (r > 0)
            return 1; /* readable, hung up or in error: read() tells which */
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

int os_fsync(int fd)
{
    return fsync(fd);
}

int os_replace(const char *from, const char *to)
{
    return rename(from, to);
}

int os_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int os_unlink(const char *path)
{
    return unlink(path);
}

int os_lock(int fd)
{
    return flock(fd, LOCK_EX | LOCK_NB);
}

int os_unlock(int fd)
{
    return flock(fd, LOCK_UN);
}

int os_mkdir_private(const char *path)
{
    return mkdir(path, 0700);
}

int os_chmod_private(const char *path, int is_dir)
{
    return chmod(path, is_dir ? 0700 : 0600);
}

#define OS_NSEC(ts) ((int64_t)(ts).tv_sec * 1000000000LL + (ts).tv_nsec)
#ifdef __APPLE__
#define OS_MTIM(sb) OS_NSEC((sb).st_mtimespec)
#define OS_CTIM(sb) OS_NSEC((sb).st_ctimespec)
#else
#define OS_MTIM(sb) OS_NSEC((sb).st_mtim)
#define OS_CTIM(sb) OS_NSEC((sb).st_ctim)
#endif

static void os_stat_fill(struct os_stat *st, const struct stat *sbp)
{
    const struct stat sb = *sbp;

    st->kind = S_ISREG(sb.st_mode)   ? OS_KIND_FILE
               : S_ISDIR(sb.st_mode) ? OS_KIND_DIR
               : S_ISLNK(sb.st_mode) ? OS_KIND_LINK
                                     : OS_KIND_OTHER;
    st->size = (uint64_t)sb.st_size;
    st->mtime_ms = (int64_t)sb.st_mtime * 1000;
    st->mode = (unsigned)(sb.st_mode & 07777);
    st->is_private = (sb.st_mode & 077) == 0;
    st->is_owner = sb.st_uid == geteuid();
    st->mtime_ns = OS_MTIM(sb);
    st->ctime_ns = OS_CTIM(sb);
    st->dev = (uint64_t)sb.st_dev;
    st->ino = (uint64_t)sb.st_ino;
    st->uid = (long)sb.st_uid;
}

int os_stat(struct os_stat *st, const char *path, int follow)
{
    struct stat sb;

    if ((follow ? stat(path, &sb) : lstat(path, &sb)) != 0)
        return -1;
    os_stat_fill(st, &sb);
    return 0;
}

int os_fstat(struct os_stat *st, int fd)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0)
        return -1;
    os_stat_fill(st, &sb);
    return 0;
}

int os_access(const char *path, enum os_access_mode mode)
{
    int m = mode == OS_ACCESS_READ        ? R_OK
            : mode == OS_ACCESS_EXEC      ? X_OK
            : mode == OS_ACCESS_WRITE_DIR ? W_OK | X_OK
                                          : F_OK;

    return access(path, m) == 0 ? 0 : -1;
}

struct os_dir {
    DIR *dh;
};

int os_dir_open(struct os_dir **d, const char *path)
{
    DIR *dh = opendir(path);

    *d = NULL;
    if (!dh)
        return -1;
    *d = malloc(sizeof(**d));
    if (!*d) {
        closedir(dh);
        return -1;
    }
    (*d)->dh = dh;
    return 0;
}

const char *os_dir_next(struct os_dir *d)
{
    struct dirent *de;

    while ((de = readdir(d->dh)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return de->d_name;
    }
    return NULL;
}

void os_dir_close(struct os_dir *d)
{
    if (!d)
        return;
    closedir(d->dh);
    free(d);
}

/* ---- terminal --------------------------------------------------------------------------- */

int os_isatty(int fd)
{
    return isatty(fd);
}

int os_term_ansi(int fd)
{
    return isatty(fd);
}

int os_term_width(int fd)
{
    struct winsize ws;

    if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
        return ws.ws_col;
    return 0;
}

/* ---- engine modules --------------------------------------------------------------------- */

void *os_module_open(const char *path, char *why, size_t whysz)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        const char *e = dlerror();
        snprintf(why, whysz, "%s", e ? e : "unknown error");
    }
    return h;
}

void *os_module_symbol(void *module, const char *name)
{
    return dlsym(module, name);
}

/* ---- child processes -------------------------------------------------------------------- */

int os_child_start(struct os_child *c, const char *exe, const char *arg, const char *cwd)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    pid_t pid;

    c->pid = -1;
    c->handle = NULL;
    c->in_fd = c->out_fd = -1;
    if (pipe(in) != 0)
        return -1;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        if (devnull >= 0)
            dup2(devnull, STDERR_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        if (cwd && cwd[0] && chdir(cwd) != 0)
            _exit(126);
        execl(exe, exe, arg, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->pid = (long)pid;
    c->in_fd = in[1];
    c->out_fd = out[0];
    return 0;
}

int os_child_send(struct os_child *c, const void *a, size_t alen, const void *b, size_t blen)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int rc = os_write2(c->in_fd, a, alen, b, blen);

    signal(SIGPIPE, old);
    return rc;
}

void os_child_wait(struct os_exit *ex, struct os_child *c, int ms, int *killed)
{
    int64_t end = os_mono_ms() + ms;
    int status = 0;
    pid_t pid = (pid_t)c->pid;

    *killed = 0;
    if (c->in_fd >= 0)
        close(c->in_fd);
    c->in_fd = -1;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            goto done;
        if (os_mono_ms() >= end)
            break;
        os_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    *killed = 1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
done:
    if (c->out_fd >= 0)
        close(c->out_fd);
    c->out_fd = -1;
    ex->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ex->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* ---- interface version 2 ---------------------------------------------------------------- */

int os_lock_wait(int fd)
{
    return flock(fd, LOCK_EX);
}

int os_fchmod_private(int fd)
{
    return fchmod(fd, 0600);
}

int os_inet_pton(int v6, const char *text, unsigned char out[16])
{
    return inet_pton(v6 ? AF_INET6 : AF_INET, text, out) == 1;
}

int os_system_desc(char *out, size_t outsz)
{
    struct utsname u;

    if (uname(&u) != 0)
        return -1;
    return snprintf(out, outsz, "%s %s %s", u.sysname, u.release, u.machine) < (int)outsz ? 0 : -1;
}

int os_getcwd(char *out, size_t outsz)
{
    return getcwd(out, outsz) ? 0 : -1;
}

long os_uid(void)
{
    return (long)geteuid();
}

int os_path_is_absolute(const char *path)
{
    return path && path[0] == '/';
}

size_t os_block_size(void *p)
{
    if (!p)
        return 0;
#ifdef __APPLE__
    return malloc_size(p);
#else
    return malloc_usable_size(p);
#endif
}

static struct termios os_term_saved;
static int os_term_saved_fd = -1;

int os_term_echo(int fd, int on)
{
    struct termios quiet;

    if (on) {
        if (os_term_saved_fd != fd)
            return -1;
        os_term_saved_fd = -1;
        return tcsetattr(fd, TCSADRAIN, &os_term_saved);
    }
    if (tcgetattr(fd, &os_term_saved) != 0)
        return -1;
    quiet = os_term_saved;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    if (tcsetattr(fd, TCSADRAIN, &quiet) != 0)
        return -1;
    os_term_saved_fd = fd;
    return 0;
}

int os_config_dir(char *out, size_t outsz)
{
    return os_user_dir(out, outsz, "XDG_CONFIG_HOME", ".config");
}

int os_dirs_shared(void)
{
#ifdef __APPLE__
    return 1;
#else
    return 0;
#endif
}

char os_path_sep(void)
{
    return '/';
}

const char *os_path_last_sep(const char *path)
{
    return strrchr(path, '/');
}

int os_setenv(const char *name, const char *value)
{
    return setenv(name, value, 1);
}

int os_unsetenv(const char *name)
{
    return unsetenv(name);
}

FILE *os_memstream_open(char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    return open_memstream(buf, len);
}

int os_memstream_close(FILE *f)
{
    return fclose(f) == 0 ? 0 : -1;
}

int os_protect_key(unsigned char **out, size_t *outlen, const unsigned char *key, size_t keylen)
{
    (void)key;
    (void)keylen;
    *out = NULL;
    *outlen = 0;
    return 0;
}

int os_unprotect_key(unsigned char *key, size_t keylen, const unsigned char *blob, size_t bloblen)
{
    (void)key;
    (void)keylen;
    (void)blob;
    (void)bloblen;
    errno = ENOTSUP;
    return -1;
}

void os_exit_now(int code)
{
    _exit(code);
}

void os_kill_self(void)
{
    raise(SIGKILL);
    _exit(137);
}

/* ==== registry (issue P item 4) — appended block, see os.h: no registry on POSIX ========== */

int os_reg_set_default(enum os_reg_root root, const char *key, const char *value)
{
    (void)root;
    (void)key;
    (void)value;
    errno = ENOSYS;
    return -1;
}

int os_reg_get_default(char *out, size_t outsz, enum os_reg_root root, enum os_reg_view view,
                       const char *key)
{
    (void)root;
    (void)view;
    (void)key;
    if (outsz)
        out[0] = '\0';
    errno = ENOSYS;
    return -1;
}

int os_reg_delete(enum os_reg_root root, const char *key)
{
    (void)root;
    (void)key;
    errno = ENOSYS;
    return -1;
}

/* ==== end of the registry block ============================================================== */

/* ==== os_fopen, os_perm_text (UTF-8 paths, permission fixes in the platform's words) ======== */

FILE *os_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

void os_perm_ok_text(char *out, size_t outsz, const struct os_stat *st)
{
    snprintf(out, outsz, "%04o", st->mode);
}

int os_shell_quote(char *out, size_t outsz, const char *s)
{
    size_t used = 0;

    if (!outsz)
        return -1;
    out[used++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t len = piece ? 4 : 1;
        if (used + len + 2 > outsz) {
            out[0] = '\0';
            return -1;
        }
        if (piece)
            memcpy(out + used, piece, len);
        else
            out[used] = *s;
        used += len;
    }
    out[used++] = '\'';
    out[used] = '\0';
    return 0;
}

void os_perm_text(char *why, size_t whysz, char *fix, size_t fixsz, enum os_perm_problem what,
                  const struct os_stat *st, const char *path, int is_dir)
{
    char q[4 * PATH_MAX + 8];

    if (os_shell_quote(q, sizeof(q), path) != 0)
        snprintf(q, sizeof(q), "'%s'", "(the path above)");
    switch (what) {
    case OS_PERM_NOT_OWNER:
        snprintf(why, whysz, "belongs to another user (uid %ld)", st ? st->uid : -1L);
        snprintf(fix, fixsz, "chown %ld %s", os_uid(), q);
        break;
    case OS_PERM_SHARED:
        snprintf(why, whysz, "is accessible by group or others (mode %04o)", st ? st->mode : 0u);
        snprintf(fix, fixsz, "chmod %s %s", is_dir ? "700" : "600", q);
        break;
    default:
        snprintf(why, whysz, "cannot be read by you");
        snprintf(fix, fixsz, "chmod %s %s", is_dir ? "700" : "600", q);
        break;
    }
}

/* ==== commands on PATH (see os.h) ========================================================== */

int os_which(char *out, size_t outsz, const char *name)
{
    const char *path = getenv("PATH"), *p, *end;
    char cand[PATH_MAX];
    struct stat st;

    if (!path || !*path) {
        errno = ENOENT;
        return -1;
    }
    for (p = path;; p = end + 1) {
        int n;
        end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        if (end == p) /* an empty entry: the current folder, as the shell reads it */
            n = snprintf(cand, sizeof(cand), "./%s", name);
        else
            n = snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - p), p, name);
        if (n > 0 && (size_t)n < sizeof(cand) && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
            access(cand, X_OK) == 0) {
            if ((size_t)snprintf(out, outsz, "%s", cand) >= outsz) {
                errno = ENAMETOOLONG;
                return -1;
            }
            return 0;
        }
        if (!*end)
            break;
    }
    errno = ENOENT;
    return -1;
}

int os_same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return -1;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int os_user_path_has(const char *dir)
{
    (void)dir;
    errno = ENOSYS;
    return -1;
}

int os_user_path_add(const char *dir)
{
    (void)dir;
    errno = ENOSYS;
    return -1;
}

int os_user_path_remove(const char *dir)
{
    (void)dir;
    errno = ENOSYS;
    return -1;
}

int os_path_setting_has(const char *dir)
{
    (void)dir;
    errno = ENOSYS;
    return -1;
}

int os_which_new_terminal(char *out, size_t outsz, const char *name)
{
    (void)name;
    if (outsz)
        out[0] = '\0';
    errno = ENOSYS;
    return -1;
}

/* ==== end of the PATH block ================================================================== */

#endif /* !_WIN32 */
