/*
 * os — the operating-system layer: every call the host makes to the operating system goes
 * through this one small interface, with one implementation per platform family, the way
 * SQLite keeps os_unix.c/os_win.c and libuv src/unix/src/win:
 *   os_posix.c  Linux and macOS (POSIX, plus prctl on Linux and dyld on macOS);
 *   os_win.c    Windows (Win32 W APIs, UTF-16 inside, UTF-8 at this interface).
 * Business code includes os.h, never a platform header, and is the same file on every
 * platform: no #if on a platform macro outside os.h and os_*.c (tests/house/
 * test_platform.py counts them; its allowlist of files not moved yet may only shrink).
 *
 * Interface version 2 (OS_INTERFACE_VERSION): add functions, never change one's meaning.
 * Conventions: paths and environment values are UTF-8; a file is an int descriptor (a C
 * runtime descriptor on Windows, whose HANDLE _get_osfhandle gives); functions return 0
 * (or a count) on success and -1 on failure with errno set (os_win.c maps GetLastError);
 * output first, explicit sizes. Every descriptor opened here is close-on-exec / not
 * inherited, and every file or folder created here is owner-only (mode 0600/0700 on POSIX,
 * a protected DACL granting only the current user on Windows).
 *
 * Moved onto it: wave 1 now.c, term.c, log.c, frame.c, engine.c, main.c, doctor.c; wave 2
 * (interface version 2: os_fstat, os_lock_wait, os_term_echo, os_config_dir, ...) every other
 * host file: none includes a POSIX-only header or tests a platform macro
 * (tests/house/test_platform.py gates both). The executable exports the layer, so the engine
 * and store modules call it too.
 * [core, engine, store]
 */
#ifndef TH_OS_H
#define TH_OS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common.h"

#define OS_INTERFACE_VERSION 2

/* ---- clock ------------------------------------------------------------------------------ */

/* A monotonic clock in ms (only differences mean something). */
int64_t os_mono_ms(void);
/* The wall clock in ms since 1970-01-01T00:00:00Z. */
int64_t os_wall_ms(void);
/* The local (this computer's) calendar time of epoch_s, with the current time zone:
 * 0, or -1 when it cannot be represented. */
struct tm;
int os_local_tm(struct tm *out, int64_t epoch_s) TH_WUR;
/* Sleep about ms milliseconds. */
void os_sleep_ms(int ms);

/* ---- process ---------------------------------------------------------------------------- */

/*
 * Make the process impossible to dump, before anything else runs. POSIX: RLIMIT_CORE 0
 * (soft and hard) and, on Linux, PR_SET_DUMPABLE 0 (no core piped to a handler, memory
 * unreadable to other processes of the user). Windows: SetErrorMode (no error dialog), no
 * Windows Error Reporting dump (WerAddExcludedApplication, WerSetFlags NOHEAP) and an
 * unhandled exception ends the process at once. Failures are ignored.
 */
void os_harden_process(void);

/*
 * Native-messaging stdio: stdin and the frame descriptor in binary mode (Windows: a 0x1A
 * byte is not end of file, 0x0A is not turned into 0x0D 0x0A), a closed pipe reported as
 * an error rather than a signal, and stdout protected: frames go to a private duplicate of
 * descriptor 1, which is then pointed at stderr (or the null device), so a stray print
 * can never corrupt the channel. Returns the frame descriptor, or -1.
 */
int os_native_stdio(void) TH_WUR;

/* Make argv UTF-8 (Windows: from the UTF-16 command line; POSIX: argv is left as it is). */
void os_args_utf8(int *argc, char ***argv);

/* The value of an environment variable (UTF-8), or NULL; valid until the next call for name. */
const char *os_getenv(const char *name);

/* This process's id. */
long os_getpid(void);

/* "Linux", "Darwin", "Windows", ... (uname's sysname). */
const char *os_name(void);

/* The folder of the running executable, without a trailing separator. */
int os_exe_dir(char *out, size_t outsz) TH_WUR;
/* The running executable's own full path (doctor's fixes name it on Windows). */
int os_exe_path(char *out, size_t outsz) TH_WUR;

/* The user's home folder (HOME, else the account's; Windows: USERPROFILE). */
int os_home_dir(char *out, size_t outsz) TH_WUR;

/*
 * The per-user folder for application data, without "textus-host": $XDG_DATA_HOME or
 * ~/.local/share (Linux), ~/Library/Application Support (macOS), %LOCALAPPDATA% (Windows).
 */
int os_data_dir(char *out, size_t outsz) TH_WUR;

/* 1 when a process with this id runs (or cannot be signalled by us), 0 when it does not. */
int os_process_alive(long pid);

/* ---- files ------------------------------------------------------------------------------ */

enum os_open_flags {
    OS_OPEN_READ = 1,
    OS_OPEN_WRITE = 2,
    OS_OPEN_APPEND = 4,
    OS_OPEN_CREATE = 8,
    OS_OPEN_EXCL = 16,
    OS_OPEN_TRUNC = 32,
    OS_OPEN_NONBLOCK = 64 /* POSIX: O_NONBLOCK (a FIFO does not hang the open); Windows: none */
};

/*
 * Open a file (never following a symbolic link at the last component; Windows: the reparse
 * point itself is opened). A file created here is owner-only. Returns a descriptor or -1.
 */
int os_open_file(const char *path, unsigned flags) TH_WUR;
int os_close(int fd);

/* read()/write() with EINTR retried: the count, 0 at end of file (read), or -1. */
long os_read(int fd, void *buf, size_t len) TH_WUR;
long os_write(int fd, const void *buf, size_t len) TH_WUR;

/*
 * Write a then b, all of it (one gathered write where the platform has one). 0, or -1 with
 * errno: EPIPE when the reader is gone.
 */
int os_write2(int fd, const void *a, size_t alen, const void *b, size_t blen) TH_WUR;

/*
 * Wait until fd has input, end of file or an error (a read then tells which): 1; 0 after
 * timeout_ms (< 0: no limit); -1 on error. Works on a pipe (Windows: PeekNamedPipe polling,
 * as the C runtime has no poll), a terminal or a file (always ready).
 */
int os_wait_readable(int fd, int timeout_ms) TH_WUR;

/* Flush a file's data and metadata to the disk (fsync; Windows: FlushFileBuffers). */
int os_fsync(int fd) TH_WUR;

/*
 * Replace `to` by `from` atomically (rename; Windows: MoveFileExW REPLACE_EXISTING |
 * WRITE_THROUGH). Flush `from` first (os_fsync), and the folder after (os_fsync_dir).
 */
int os_replace(const char *from, const char *to) TH_WUR;
/* Flush a folder's entries (POSIX: fsync of the folder; Windows: nothing to do, 0). */
int os_fsync_dir(const char *dir) TH_WUR;
int os_unlink(const char *path); /* not TH_WUR: a best-effort removal is common */

/* An exclusive lock on an open file, without waiting: 0, or -1 (errno EWOULDBLOCK if held). */
int os_lock(int fd) TH_WUR;
int os_unlock(int fd);

/* A folder, owner-only (mode 0700; Windows: a DACL granting only the current user). */
int os_mkdir_private(const char *path) TH_WUR;
/* Make an existing file or folder owner-only. */
int os_chmod_private(const char *path, int is_dir) TH_WUR;

enum os_kind { OS_KIND_FILE = 1, OS_KIND_DIR = 2, OS_KIND_LINK = 3, OS_KIND_OTHER = 4 };

struct os_stat {
    enum os_kind kind;
    uint64_t size;
    int64_t mtime_ms;
    unsigned mode; /* POSIX permission bits; Windows: 0600/0700 when private, else 0666/0777 */
    /* no access for group or others (Windows: the DACL grants only the user, LocalSystem
       and Administrators, as root may read a 0600 file) */
    int is_private;
    int is_owner; /* owned by the current user */
    /* interface version 2 (appended): what identifies one version of a file */
    int64_t mtime_ns; /* modification time, ns since 1970 (Windows: 100 ns steps) */
    int64_t ctime_ns; /* status change time (Windows: the NTFS change time, or 0) */
    uint64_t dev;     /* device (Windows: volume serial number; 0 when not known) */
    uint64_t ino;     /* inode (Windows: the file index; 0 when not known) */
    long uid;         /* the owner's uid (Windows: 0 when is_owner, else -1) */
};

/* Stat a path; follow = 0 looks at a symbolic link itself (lstat). */
int os_stat(struct os_stat *st, const char *path, int follow) TH_WUR;

/*
 * fopen with a UTF-8 path. Windows: _wfopen on the UTF-16 path (plain fopen reads the path in
 * the ANSI code page, so a folder named "José Núñez 王芳" is not found); POSIX: fopen. Every
 * fopen of a path outside this layer goes through here (tests/house/test_platform.py).
 */
FILE *os_fopen(const char *path, const char *mode);

/*
 * Permission trouble with path, in the platform's own words: why (no leading space, e.g.
 * "is accessible by group or others (mode 0777)" / "has an access list that lets other users
 * in") and fix, a whole command that sets it right (POSIX: chmod 700 / chmod 600 / chown;
 * Windows: an icacls command for PowerShell that leaves the user and SYSTEM alone on it, as
 * os_chmod_private does, or takes the ownership back). st may be NULL for OS_PERM_UNREADABLE.
 */
enum os_perm_problem {
    OS_PERM_NOT_OWNER = 1, /* it belongs to another user */
    OS_PERM_SHARED = 2,    /* others may read it */
    OS_PERM_UNREADABLE = 3 /* the user cannot open it */
};
void os_perm_text(char *why, size_t whysz, char *fix, size_t fixsz, enum os_perm_problem what,
                  const struct os_stat *st, const char *path, int is_dir);

/*
 * s as one word of the platform's shell, into out, for a command a message prints: POSIX sh
 * 'text' (each ' as '\''); Windows PowerShell 'text' with each single quote doubled (' and
 * the typographic ones PowerShell also takes for it, U+2018..U+201B). Nothing inside is
 * expanded: a folder named a$(calc)b, `x or $HOME stays text (double quotes would run or expand
 * it). 0; -1 (out "") when it does not fit. Every path put into a printed command goes here.
 */
int os_shell_quote(char *out, size_t outsz, const char *s) TH_WUR;

/*
 * Permissions that are right, in the platform's own words, into out: POSIX the mode ("0700",
 * "0600"); Windows "owner-only access list" (st->mode is made up there: Windows keeps an
 * access list, not a Unix mode, so printing it would tell nothing true).
 */
void os_perm_ok_text(char *out, size_t outsz, const struct os_stat *st);

enum os_access_mode {
    OS_ACCESS_EXISTS = 0,
    OS_ACCESS_READ = 1,
    OS_ACCESS_EXEC = 2,
    OS_ACCESS_WRITE_DIR = 3 /* a folder we may create files in (W_OK | X_OK) */
};
/* 0 when path exists and (for READ/EXEC) the current user may read/run it, else -1. */
int os_access(const char *path, enum os_access_mode mode);

/* A folder listing: os_dir_next returns each entry's name (not . or ..), then NULL. */
struct os_dir;
int os_dir_open(struct os_dir **d, const char *path) TH_WUR;
const char *os_dir_next(struct os_dir *d);
void os_dir_close(struct os_dir *d);

/* ---- terminal --------------------------------------------------------------------------- */

int os_isatty(int fd);
/*
 * 1 when fd is a terminal that understands ANSI escape sequences (POSIX: a tty; Windows: a
 * console whose virtual-terminal processing could be turned on), else 0.
 */
int os_term_ansi(int fd);
/* The terminal's width in columns, or 0 when unknown. */
int os_term_width(int fd);

/* ---- engine modules --------------------------------------------------------------------- */

/*
 * Load a module by its full path (dlopen RTLD_NOW|RTLD_LOCAL; Windows: LoadLibraryExW with
 * LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | APPLICATION_DIR | SYSTEM32, so its own dependencies come
 * from beside it or the system, never the current folder or PATH). NULL with why on failure.
 */
void *os_module_open(const char *path, char *why, size_t whysz);
void *os_module_symbol(void *module, const char *name);

/* ---- child processes (doctor's ping) ---------------------------------------------------- */

struct os_child {
    long pid;
    void *handle; /* Windows: the process HANDLE */
    int in_fd;    /* write end of the child's stdin */
    int out_fd;   /* read end of the child's stdout */
};

/*
 * Start exe with one argument in folder cwd (NULL: ours), its stdin and stdout pipes to us,
 * its stderr to the null device. A child that cannot run exe exits with 127 (POSIX) or is
 * reported here (-1, Windows).
 */
int os_child_start(struct os_child *c, const char *exe, const char *arg, const char *cwd) TH_WUR;

/*
 * Write a then b to the child's stdin, all of it (a child that closed its stdin gives -1,
 * never a SIGPIPE). 0 or -1.
 */
int os_child_send(struct os_child *c, const void *a, size_t alen, const void *b,
                  size_t blen) TH_WUR;

/* How a child ended: code >= 0 when it exited, else signal > 0 (POSIX) when killed. */
struct os_exit {
    int code;
    int signal;
};

/*
 * Wait up to ms for the child to end, then kill it (*killed = 1) and reap it. Closes the
 * child's pipes that are still open.
 */
void os_child_wait(struct os_exit *ex, struct os_child *c, int ms, int *killed);

/* ---- interface version 2 (wave 2): appended ----------------------------------------------- */

/* Stat an open file (fstat): the same fields as os_stat. */
int os_fstat(struct os_stat *st, int fd) TH_WUR;

/* An exclusive lock on an open file, waiting for it: 0, or -1 (EINTR: call again). */
int os_lock_wait(int fd) TH_WUR;

/* Make an open file owner-only (fchmod 0600; Windows: the protected DACL of os_chmod_private). */
int os_fchmod_private(int fd) TH_WUR;

/*
 * Parse an IPv4 (v6 = 0: 4 bytes) or IPv6 (v6 = 1: 16 bytes) address in text form into out,
 * network order (inet_pton): 1 parsed, 0 not an address of that family.
 */
int os_inet_pton(int v6, const char *text, unsigned char out[16]);

/* The system for a report: uname's "sysname release machine" (Windows: "Windows 10.0.19045
 * x86_64"). */
int os_system_desc(char *out, size_t outsz) TH_WUR;

/* The current folder (getcwd). */
int os_getcwd(char *out, size_t outsz) TH_WUR;

/* The current user's id for messages (POSIX: geteuid; Windows: 0). */
long os_uid(void);

/* 1 when path is absolute (POSIX: starts with /; Windows: C:\... or \\server\...). */
int os_path_is_absolute(const char *path);

/*
 * The usable size of a block malloc() returned (malloc_usable_size, malloc_size, _msize),
 * so that a wipe covers all of it. 0 for NULL.
 */
size_t os_block_size(void *p);

/*
 * Terminal echo of fd (stdin) off (on = 0) or back as it was (on = 1): input typed while off
 * is not shown, a line is still read whole (POSIX: ECHO and ECHONL off, ICANON on;
 * Windows: the console's ENABLE_ECHO_INPUT off, ENABLE_LINE_INPUT on). One saved state per
 * process. 0 when done, -1 when fd is not a terminal (nothing changed).
 */
int os_term_echo(int fd, int on);

/*
 * The per-user folder for configuration, without "textus-host": $XDG_CONFIG_HOME or
 * ~/.config (Linux), ~/Library/Application Support (macOS), %LOCALAPPDATA% (Windows).
 */
int os_config_dir(char *out, size_t outsz) TH_WUR;
/* 1 where os_config_dir and os_data_dir are one folder by design (macOS, Windows), else 0. */
int os_dirs_shared(void);

/*
 * Path separators: the one this system writes between the parts of a path it builds ('\\'
 * on Windows, '/' elsewhere), and the last separator in path, or NULL (Windows reads '/' and
 * '\\' alike; POSIX only '/').
 */
char os_path_sep(void);
const char *os_path_last_sep(const char *path);

/* Set or remove an environment variable (setenv/unsetenv; Windows: _putenv_s, which the C
 * runtime's own time functions read). 0 or -1. */
int os_setenv(const char *name, const char *value);
int os_unsetenv(const char *name);

/*
 * A stream that writes into memory (open_memstream): after os_memstream_close, *buf holds
 * the text (malloc'd, NUL-terminated) and *len its length. Windows, whose C runtime has no
 * such stream: a temporary file in the user's %TEMP% (owner-only, deleted when closed),
 * read back on close. NULL / -1 on failure (then *buf is NULL).
 */
FILE *os_memstream_open(char **buf, size_t *len);
int os_memstream_close(FILE *f) TH_WUR;

/*
 * A secret key wrapped for the current user at rest. Windows: DPAPI (CryptProtectData, user
 * scope, no UI): 1, with the wrapped blob in *out (malloc'd, *outlen bytes; not secret).
 * POSIX: 0 and *out NULL, the identity: the key file's owner-only mode (0600) is the
 * protection, as before. -1 on failure.
 */
int os_protect_key(unsigned char **out, size_t *outlen, const unsigned char *key,
                   size_t keylen) TH_WUR;
/*
 * Unwrap a blob os_protect_key made into key (exactly keylen bytes): 0, or -1 (errno EINVAL
 * for a blob of another user or machine or a damaged one; ENOTSUP where nothing is wrapped,
 * POSIX). The plain copy DPAPI hands back is wiped before it is freed.
 */
int os_unprotect_key(unsigned char *key, size_t keylen, const unsigned char *blob,
                     size_t bloblen) TH_WUR;

/* End the process at once with code: no atexit handlers, no stdio flush (_exit). */
void os_exit_now(int code) __attribute__((noreturn));

/* End the process as a kill does (POSIX: SIGKILL, else _exit(137); Windows: 137). */
void os_kill_self(void) __attribute__((noreturn));

/* ==== registry (issue P item 4: install, uninstall, doctor) — appended block ============== */

/*
 * The Windows registry, for the native-messaging keys Chrome, Edge, Chromium and Brave read
 * (Software\<browser>\NativeMessagingHosts\<host name>, default value = the manifest's
 * full path). Keys are UTF-8 paths below the root, separated by backslashes. POSIX has no
 * registry: every call fails with errno ENOSYS.
 */
enum os_reg_root {
    OS_REG_USER = 1 /* HKEY_CURRENT_USER */,
    OS_REG_MACHINE = 2 /* HKEY_LOCAL_MACHINE */
};
/* Which view of HKLM\Software: 32-bit (WOW6432Node, the one Chrome reads first) or 64-bit. */
enum os_reg_view { OS_REG_VIEW_DEFAULT = 0, OS_REG_VIEW_32 = 1, OS_REG_VIEW_64 = 2 };

/* Create key (and its parents) and set its default value to a REG_SZ string. */
int os_reg_set_default(enum os_reg_root root, const char *key, const char *value) TH_WUR;
/*
 * The key's default value (REG_SZ or REG_EXPAND_SZ, not expanded) into out: 0; -1 with
 * errno ENOENT when the key or its default value is absent, ENAMETOOLONG when it does not fit.
 */
int os_reg_get_default(char *out, size_t outsz, enum os_reg_root root, enum os_reg_view view,
                       const char *key) TH_WUR;
/* Delete key (which must have no subkeys): 0; -1 with errno ENOENT when it is absent. */
int os_reg_delete(enum os_reg_root root, const char *key) TH_WUR;

/* ==== end of the registry block ============================================================== */

/* ==== commands on PATH (issue P: a bare `textus-host <verb>` in a message must run) ======= */

/*
 * Resolve a bare command name as the user's shell does, in this process's PATH: each folder in
 * order (POSIX: an executable regular file `name`, an empty entry being the current folder;
 * Windows, PowerShell's rule: `name` plus each extension of PATHEXT, .COM;.EXE;.BAT;.CMD when
 * it is unset, a quoted folder unquoted, the current folder not searched unless PATH names it).
 * The full path found into out: 0. -1 with errno ENOENT when no folder has it (or there is no
 * PATH), another errno when the search could not be made.
 */
int os_which(char *out, size_t outsz, const char *name) TH_WUR;

/*
 * 1 when a and b are the same file (POSIX: device and inode, through symbolic links; Windows:
 * volume serial number and file index), 0 when they are not, -1 (errno) when either cannot
 * be looked at.
 */
int os_same_file(const char *a, const char *b) TH_WUR;

/*
 * The current user's PATH setting, which new terminals get after the machine's: Windows
 * HKCU\Environment, value Path (POSIX: none; every call -1 with errno ENOSYS: shell start-up
 * files are the user's, never edited). dir matches an entry without regard to case, quotes, a
 * trailing backslash or %VARIABLES% (expanded in a REG_EXPAND_SZ value only, as Windows does);
 * entries are split at a ';' outside double quotes ("C:\x;y" is one, as cmd reads it).
 *   os_user_path_has     1 dir is one of its folders, 0 it is not, -1 it cannot be read;
 *   os_user_path_add     append dir when it is not there, keeping every other entry and the
 *                        value's type (a new value is REG_EXPAND_SZ): 1 appended, 0 already
 *                        there, -1 failed: errno EINVAL when dir has a ';' or '"' (it would
 *                        be two entries: never written), E2BIG when the value would be longer
 *                        than a variable holds (32767 characters), nothing changed;
 *   os_user_path_remove  remove the entries equal to dir and nothing else (a dir with a ';'
 *                        also where an older install wrote it unquoted, as two entries; a
 *                        value left empty is deleted): 1 removed, 0 not there, -1 failed.
 * After a change new terminals are told (WM_SETTINGCHANGE "Environment", SendMessageTimeoutW
 * from user32.dll, loaded only then: never by a ping).
 */
int os_user_path_has(const char *dir) TH_WUR;
int os_user_path_add(const char *dir) TH_WUR;
int os_user_path_remove(const char *dir) TH_WUR;

/*
 * Which PATH setting holds dir (compared as above): 2 the machine's (HKLM\SYSTEM\...\Session
 * Manager\Environment: only an administrator changes it, and its entries come first), 1 the
 * user's, 0 neither (this terminal's PATH alone has it), -1 (errno) it cannot be read.
 */
int os_path_setting_has(const char *dir) TH_WUR;

/*
 * os_which in the PATH a terminal started now has (the machine's setting, then the user's,
 * each expanded as Windows does), not this process's: 0 out is the file found; -1 errno
 * ENOENT none, E2BIG the two together are longer than a variable holds, another errno they
 * cannot be read (POSIX: ENOSYS).
 */
int os_which_new_terminal(char *out, size_t outsz, const char *name) TH_WUR;

/* ==== end of the PATH block ================================================================== */

/*
 * Point each of fds 0, 1 and 2 that is closed at the null device (/dev/null; Windows: NUL), so
 * that no file the process opens later (the log, a store file) takes a standard number and
 * gets what was meant for stdout or stderr. First thing in main. Failures are ignored.
 */
void os_std_fds_ensure(void);

#endif
