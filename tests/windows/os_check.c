/*
 * os_check — the operating-system layer (host/os.h) behaves the same on every platform: one
 * program, built against os_posix.c on Linux (ctest os_layer) and against os_win.c for
 * Windows (cmake/windows/, run under Wine by tests/windows/test_windows.py). Only os.h calls,
 * no platform #if. Prints one "ok"/"not ok" line per check (TAP-like); exit 0 only when all
 * pass.
 *   os_check DIR ECHO_HOST
 * DIR: a folder to work in, holding only "open" (mode 0755) and "link" (a symbolic link to
 * open/file); ECHO_HOST: the bare echo host
 * (tests/bench/echo_host.c) started as a child. TH_OS_CHECK_UTF8 in the environment must be
 * "caf\u00e9 \u2713".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

static int failures;

static void check(int cond, const char *what)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", what);
    if (!cond)
        failures++;
}

static void path(char *out, size_t outsz, const char *dir, const char *name)
{
    snprintf(out, outsz, "%s/%s", dir, name);
}

static void check_clock_env(void)
{
    int64_t t0 = os_mono_ms(), t1;
    const char *v = os_getenv("TH_OS_CHECK_UTF8");

    os_sleep_ms(30);
    t1 = os_mono_ms();
    check(t1 - t0 >= 25 && t1 - t0 < 5000, "os_mono_ms advances across os_sleep_ms(30)");
    check(os_wall_ms() > 1700000000000LL, "os_wall_ms is milliseconds since 1970");
    check(v && strcmp(v, "caf\xc3\xa9 \xe2\x9c\x93") == 0, "os_getenv gives UTF-8");
    check(os_getenv("TH_OS_CHECK_SURELY_UNSET") == NULL, "os_getenv of an unset variable: NULL");
    check(os_getpid() > 0, "os_getpid");
}

static void check_dirs(const char *root, char *sub, size_t subsz)
{
    struct os_stat st;
    char buf[4096];

    path(sub, subsz, root, "sub");
    check(os_mkdir_private(sub) == 0, "os_mkdir_private");
    check(os_mkdir_private(sub) == -1 && errno == EEXIST, "os_mkdir_private again: EEXIST");
    check(os_stat(&st, sub, 1) == 0 && st.kind == OS_KIND_DIR, "os_stat: a folder");
    check(st.is_private && st.is_owner, "the folder is owner-only and ours");
    path(buf, sizeof(buf), root, "open");
    check(os_stat(&st, buf, 1) == 0 && st.kind == OS_KIND_DIR && !st.is_private,
          "a folder others may read (DIR/open, mode 0755) is not private");
    path(buf, sizeof(buf), root, "link");
    if (os_getenv("TH_OS_CHECK_NO_LINKS")) {
        /* Wine 8 shows a Unix symbolic link as the file it points to, no reparse point */
        printf("ok - # SKIP the link checks: %s\n", os_getenv("TH_OS_CHECK_NO_LINKS"));
    } else {
        check(os_stat(&st, buf, 0) == 0 && st.kind == OS_KIND_LINK, "os_stat(follow 0): a link");
        check(os_open_file(buf, OS_OPEN_READ) == -1, "os_open_file refuses a symbolic link");
    }
    check(os_exe_dir(buf, sizeof(buf)) == 0 && os_stat(&st, buf, 1) == 0 && st.kind == OS_KIND_DIR,
          "os_exe_dir names a folder");
    check(os_data_dir(buf, sizeof(buf)) == 0 && buf[0], "os_data_dir");
    check(os_home_dir(buf, sizeof(buf)) == 0 && buf[0], "os_home_dir");
}

static void check_files(const char *sub)
{
    char a[4096], b[4096], log[4096];
    struct os_stat st;
    struct os_dir *d;
    const char *name;
    int fd, fd2, n = 0, only_a = 1;

    path(a, sizeof(a), sub, "a");
    path(b, sizeof(b), sub, "b");
    path(log, sizeof(log), sub, "log");
    fd = os_open_file(a, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    check(fd >= 0, "os_open_file CREATE|EXCL");
    check(os_write(fd, "hello", 5) == 5, "os_write");
    check(os_fsync(fd) == 0, "os_fsync");
    check(os_close(fd) == 0, "os_close");
    check(os_open_file(a, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL) == -1 && errno == EEXIST,
          "os_open_file CREATE|EXCL on an existing file: EEXIST");
    check(os_stat(&st, a, 0) == 0 && st.kind == OS_KIND_FILE && st.size == 5,
          "os_stat: a file of 5 bytes");
    check(st.is_private && st.is_owner, "a created file is owner-only and ours");

    fd = os_open_file(a, OS_OPEN_READ | OS_OPEN_WRITE);
    fd2 = os_open_file(a, OS_OPEN_READ | OS_OPEN_WRITE);
    check(fd >= 0 && fd2 >= 0, "two descriptors on one file");
    check(os_lock(fd) == 0, "os_lock");
    check(os_lock(fd2) == -1 && errno == EWOULDBLOCK, "os_lock by another: EWOULDBLOCK");
    check(os_unlock(fd) == 0 && os_lock(fd2) == 0, "after os_unlock the other gets it");
    (void)os_unlock(fd2);
    (void)os_close(fd);
    (void)os_close(fd2);

    fd = os_open_file(b, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_TRUNC);
    check(fd >= 0 && os_write(fd, "world!", 6) == 6 && os_fsync(fd) == 0 && os_close(fd) == 0,
          "a replacement written and flushed");
    check(os_replace(b, a) == 0, "os_replace over an existing file");
    check(os_fsync_dir(sub) == 0, "os_fsync_dir");
    check(os_stat(&st, a, 1) == 0 && st.size == 6, "the replaced file has the new content");
    check(os_access(b, OS_ACCESS_EXISTS) == -1, "the replacement's old name is gone");
    fd = os_open_file(a, OS_OPEN_READ);
    {
        char got[16] = "";
        long r = fd >= 0 ? os_read(fd, got, sizeof(got)) : -1;
        check(r == 6 && memcmp(got, "world!", 6) == 0, "os_read reads it back");
        if (fd >= 0)
            (void)os_close(fd);
    }

    fd = os_open_file(log, OS_OPEN_APPEND | OS_OPEN_CREATE);
    check(fd >= 0 && os_write(fd, "one\n", 4) == 4 && os_close(fd) == 0, "append, first");
    fd = os_open_file(log, OS_OPEN_APPEND | OS_OPEN_CREATE);
    check(fd >= 0 && os_write(fd, "two\n", 4) == 4 && os_close(fd) == 0, "append, second");
    check(os_stat(&st, log, 1) == 0 && st.size == 8, "appends add up (8 bytes)");

    check(os_dir_open(&d, sub) == 0, "os_dir_open");
    if (d) {
        while ((name = os_dir_next(d)) != NULL) {
            n++;
            if (strcmp(name, "a") != 0 && strcmp(name, "log") != 0)
                only_a = 0;
        }
        os_dir_close(d);
    }
    check(n == 2 && only_a, "os_dir_next lists a and log, not . or ..");
    check(os_unlink(a) == 0 && os_unlink(log) == 0, "os_unlink");
    check(os_stat(&st, a, 1) == -1 && errno == ENOENT, "os_stat after unlink: ENOENT");
}

static void check_child(const char *echo)
{
    static const char req[] = "{\"id\":1,\"type\":\"ping\"}";
    struct os_child c;
    struct os_exit ex;
    unsigned char hdr[4];
    char body[256];
    uint32_t n = sizeof(req) - 1, len = 0;
    int64_t t0;
    int killed = 0, w;
    size_t got = 0;

    check(os_child_start(&c, echo, "x", NULL) == 0, "os_child_start");
    if (c.in_fd < 0 || c.out_fd < 0)
        return;
    t0 = os_mono_ms();
    w = os_wait_readable(c.out_fd, 150);
    check(w == 0 && os_mono_ms() - t0 >= 120, "os_wait_readable times out on a quiet pipe");
    memcpy(hdr, &n, 4);
    check(os_child_send(&c, hdr, 4, req, n) == 0, "os_child_send");
    while (got < 4 && os_wait_readable(c.out_fd, 10000) > 0) {
        long r = os_read(c.out_fd, hdr + got, 4 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    memcpy(&len, hdr, 4);
    check(got == 4 && len > 0 && len < sizeof(body), "a reply header from the child");
    got = 0;
    while (got < len && len < sizeof(body) && os_wait_readable(c.out_fd, 10000) > 0) {
        long r = os_read(c.out_fd, body + got, len - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    body[got < sizeof(body) ? got : sizeof(body) - 1] = '\0';
    check(got == len && strstr(body, "\"ok\":true") != NULL, "the child's reply");
    os_child_wait(&ex, &c, 5000, &killed);
    check(!killed && ex.code == 0, "the child exits 0 at end of input");
}

/* The registry block (os_reg_*): a round trip under HKCU on Windows, ENOSYS elsewhere. */
static void check_registry(void)
{
    static const char key[] = "Software\\textus-host-os-check\\com.textus.greenhouse";
    static const char value[] = "C:\\Users\\caf\xc3\xa9 \xe2\x9c\x93\\com.textus.greenhouse.json";
    char got[512];

    if (strcmp(os_name(), "Windows") != 0) {
        check(os_reg_set_default(OS_REG_USER, key, value) == -1 && errno == ENOSYS,
              "os_reg_set_default: ENOSYS (no registry)");
        check(os_reg_get_default(got, sizeof(got), OS_REG_USER, OS_REG_VIEW_DEFAULT, key) == -1 &&
                  errno == ENOSYS,
              "os_reg_get_default: ENOSYS (no registry)");
        check(os_reg_delete(OS_REG_USER, key) == -1 && errno == ENOSYS,
              "os_reg_delete: ENOSYS (no registry)");
        return;
    }
    check(os_reg_get_default(got, sizeof(got), OS_REG_USER, OS_REG_VIEW_DEFAULT, key) == -1 &&
              errno == ENOENT,
          "os_reg_get_default: a missing key is ENOENT");
    check(os_reg_set_default(OS_REG_USER, key, value) == 0, "os_reg_set_default: HKCU key made");
    check(os_reg_get_default(got, sizeof(got), OS_REG_USER, OS_REG_VIEW_32, key) == 0 &&
              strcmp(got, value) == 0,
          "os_reg_get_default: the UTF-8 value read back (32-bit view)");
    check(os_reg_get_default(got, sizeof(got), OS_REG_USER, OS_REG_VIEW_64, key) == 0 &&
              strcmp(got, value) == 0,
          "os_reg_get_default: the UTF-8 value read back (64-bit view)");
    check(os_reg_get_default(got, 8, OS_REG_USER, OS_REG_VIEW_DEFAULT, key) == -1,
          "os_reg_get_default: a value that does not fit is an error");
    check(os_reg_delete(OS_REG_USER, key) == 0, "os_reg_delete: the key removed");
    check(os_reg_get_default(got, sizeof(got), OS_REG_USER, OS_REG_VIEW_DEFAULT, key) == -1 &&
              errno == ENOENT,
          "os_reg_get_default: ENOENT once deleted");
    check(os_reg_delete(OS_REG_USER, key) == -1 && errno == ENOENT,
          "os_reg_delete: a missing key is ENOENT");
    check(os_reg_delete(OS_REG_USER, "Software\\textus-host-os-check") == 0,
          "os_reg_delete: the parent key removed");
}

/*
 * The PATH block: os_which finds the echo host by its bare name once its folder is PATH
 * (Windows: through PATHEXT, "echo_host" finds echo_host.exe), not otherwise; os_same_file
 * tells it from this program. The user's PATH setting: ENOSYS off Windows (os_user_path_add
 * and _remove edit the registry: tests/windows/test_windows_install.py checks them).
 */
static void check_which(const char *echo)
{
    char dir[4096], name[256], found[4096], self[4096];
    const char *sep = os_path_last_sep(echo), *old = os_getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    size_t n;

    if (!sep || (size_t)(sep - echo) >= sizeof(dir) || strlen(sep + 1) >= sizeof(name)) {
        check(0, "os_which: the echo host's folder");
        free(saved);
        return;
    }
    memcpy(dir, echo, (size_t)(sep - echo));
    dir[sep - echo] = '\0';
    memcpy(name, sep + 1, strlen(sep + 1) + 1);
    n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".exe") == 0)
        name[n - 4] = '\0'; /* the bare name, as a person types it */
    check(os_setenv("PATH", dir) == 0, "os_setenv PATH");
    check(os_which(found, sizeof(found), name) == 0 && os_same_file(found, echo) == 1,
          "os_which finds a command in PATH by its bare name (PATHEXT on Windows)");
    check(os_exe_path(self, sizeof(self)) == 0 && os_same_file(self, echo) == 0 &&
              os_same_file(self, self) == 1,
          "os_same_file tells two programs apart, and a file from itself");
    check(os_which(found, sizeof(found), "th-no-such-command") == -1 && errno == ENOENT,
          "os_which: a command on no folder of PATH is ENOENT");
    check(os_same_file(echo, "th-no-such-file") == -1, "os_same_file: a missing file is -1");
    if (saved)
        (void)os_setenv("PATH", saved);
    free(saved);
    if (strcmp(os_name(), "Windows") != 0)
        check(os_user_path_has(dir) == -1 && errno == ENOSYS && os_user_path_add(dir) == -1 &&
                  os_user_path_remove(dir) == -1,
              "os_user_path_*: ENOSYS (no user PATH setting to edit)");
    else
        check(os_user_path_has("C:\\th-no-such-folder") == 0,
              "os_user_path_has: a folder not in the user's PATH");
}

/* interface version 2 (the second wave's calls) */
static void check_v2(const char *sub)
{
    char a[4096], buf[4096];
    struct os_stat st, fst;
    unsigned char ip[16];
    void *blk = malloc(100);
    int fd, fd2;

    path(a, sizeof(a), sub, "v2");
    fd = os_open_file(a, OS_OPEN_READ | OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_NONBLOCK);
    check(fd >= 0 && os_write(fd, "abc", 3) == 3, "os_open_file with OS_OPEN_NONBLOCK");
    check(os_fstat(&fst, fd) == 0 && fst.kind == OS_KIND_FILE && fst.size == 3 && fst.is_private &&
              fst.is_owner,
          "os_fstat: our owner-only file of 3 bytes");
    check(os_stat(&st, a, 0) == 0 && st.mtime_ns / 1000000000 == st.mtime_ms / 1000 &&
              st.mtime_ns > 0,
          "os_stat's mtime_ns agrees with mtime_ms");
    check(st.dev == fst.dev && st.ino == fst.ino && st.ino != 0 && st.ctime_ns == fst.ctime_ns,
          "os_stat and os_fstat agree on the file's identity (dev, ino, ctime)");
    fd2 = os_open_file(a, OS_OPEN_READ | OS_OPEN_WRITE);
    check(os_lock_wait(fd) == 0 && os_lock(fd2) == -1, "os_lock_wait holds the lock");
    check(os_unlock(fd) == 0 && os_lock_wait(fd2) == 0, "os_lock_wait gets it once free");
    (void)os_unlock(fd2);
    (void)os_close(fd2);
    check(os_fchmod_private(fd) == 0 && os_fstat(&fst, fd) == 0 && fst.is_private,
          "os_fchmod_private");
    (void)os_close(fd);
    check(os_unlink(a) == 0, "os_unlink (v2)");
    check(os_path_is_absolute(sub) && !os_path_is_absolute("rel/x") && !os_path_is_absolute(""),
          "os_path_is_absolute");
    {
        int win = strcmp(os_name(), "Windows") == 0;
        const char *mixed = "C:\\a/b\\c";
        check(os_path_sep() == (win ? '\\' : '/'), "os_path_sep is the system's own separator");
        check(os_path_last_sep(mixed) == mixed + (win ? 6 : 4) && !os_path_last_sep("x"),
              "os_path_last_sep ('\\' too on Windows)");
    }
    check(blk && os_block_size(blk) >= 100 && os_block_size(NULL) == 0,
          "os_block_size covers the block");
    free(blk);
    check(os_inet_pton(0, "127.0.0.1", ip) == 1 && ip[0] == 127 && ip[3] == 1 &&
              os_inet_pton(0, "localhost", ip) == 0,
          "os_inet_pton, IPv4");
    check(os_inet_pton(1, "::1", ip) == 1 && ip[15] == 1 && ip[0] == 0 &&
              os_inet_pton(1, "127.0.0.1", ip) == 0,
          "os_inet_pton, IPv6");
    check(os_config_dir(buf, sizeof(buf)) == 0 && os_path_is_absolute(buf), "os_config_dir");
    check(os_system_desc(buf, sizeof(buf)) == 0 && strncmp(buf, os_name(), strlen(os_name())) == 0,
          "os_system_desc starts with os_name");
    check(os_getcwd(buf, sizeof(buf)) == 0 && os_path_is_absolute(buf), "os_getcwd");
    check(os_access(sub, OS_ACCESS_WRITE_DIR) == 0, "os_access(WRITE_DIR) on our folder");
    check(os_term_echo(os_isatty(0) ? -1 : 0, 0) == -1, "os_term_echo on a non-terminal: -1");
}

int main(int argc, char **argv)
{
    char sub[4096];

    os_args_utf8(&argc, &argv);
    if (argc != 3) {
        fprintf(stderr, "usage: os_check DIR ECHO_HOST\n");
        return 2;
    }
    printf("# os_check on %s (os.h interface %d)\n", os_name(), OS_INTERFACE_VERSION);
    check_clock_env();
    check_dirs(argv[1], sub, sizeof(sub));
    check_files(sub);
    check_registry();
    check_v2(sub);
    check_child(argv[2]);
    check_which(argv[2]);
    printf("# %d failed\n", failures);
    return failures ? 1 : 0;
}
