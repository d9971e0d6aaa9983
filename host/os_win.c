/*
 * os_win — the operating-system layer on Windows (see os.h).
 *
 * Compiled everywhere, empty except on Windows (os_posix.c is its twin), the way SQLite
 * keeps os_win.c. Win32 W APIs throughout: UTF-8 at os.h, UTF-16 to Windows (paths,
 * environment, command lines). Descriptors are the C runtime's, in binary mode; the
 * HANDLE behind one is _get_osfhandle's. Files and folders created here get a protected
 * DACL that grants the current user alone (SDDL "D:P(A;;FA;;;<user SID>)"): owner-only,
 * as 0600/0700 on POSIX, whatever the parent folder would have passed on.
 * Cross-built with mingw-w64 (scripts/build-windows.sh) and tested under Wine
 * (tests/windows/); what Wine cannot tell (real DACL enforcement, WER) is listed in
 * README.md, Platforms.
 * [core]
 */
#include "os.h"

#ifdef _WIN32

#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <aclapi.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <malloc.h>
#include <sddl.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wchar.h>

/* Paths are UTF-8 here; Windows takes up to 32767 UTF-16 units with the W APIs. */
#define OS_WPATH_MAX 32768
/* An environment variable's value: at most 32767 UTF-16 units, its terminating NUL included. */
#define OS_ENV_VALUE_MAX 32767

/* ---- helpers ---------------------------------------------------------------------------- */

static void os_set_errno(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
        errno = ENOENT;
        break;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
        errno = EACCES;
        break;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
        errno = EEXIST;
        break;
    case ERROR_LOCK_VIOLATION:
    case ERROR_IO_PENDING:
        errno = EWOULDBLOCK;
        break;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
        errno = EPIPE;
        break;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        errno = ENOMEM;
        break;
    default:
        errno = EIO;
        break;
    }
}

/* A malloc()ed UTF-16 copy of a UTF-8 string, or NULL (errno EINVAL for bad UTF-8). */
static wchar_t *os_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0 || n > OS_WPATH_MAX) {
        errno = EINVAL;
        return NULL;
    }
    w = malloc((size_t)n * sizeof(*w));
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

/* UTF-16 to UTF-8 into out: 0, or -1 when it does not fit. */
static int os_narrow(char *out, size_t outsz, const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out,
                                (int)(outsz > INT32_MAX ? INT32_MAX : outsz), NULL, NULL);
    if (n <= 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static HANDLE os_handle(int fd)
{
    return (HANDLE)_get_osfhandle(fd);
}

/* The current user's SID as a string (LocalFree it), or NULL. */
static wchar_t *os_user_sid_string(void)
{
    HANDLE tok;
    union {
        TOKEN_USER tu;
        char buf[256];
    } u;
    DWORD len = 0;
    wchar_t *s = NULL;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    if (GetTokenInformation(tok, TokenUser, &u, sizeof(u), &len))
        ConvertSidToStringSidW(u.tu.User.Sid, &s);
    CloseHandle(tok);
    return s;
}

/*
 * A security descriptor whose protected DACL grants the current user alone full access
 * (inherited by what a folder holds). LocalFree it. NULL on failure.
 */
static PSECURITY_DESCRIPTOR os_private_sd(int is_dir)
{
    wchar_t *sid = os_user_sid_string(), sddl[256];
    PSECURITY_DESCRIPTOR sd = NULL;

    if (!sid)
        return NULL;
    if (_snwprintf(sddl, 256, L"D:P(A;%ls;FA;;;%ls)", is_dir ? L"OICI" : L"", sid) > 0)
        ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL);
    LocalFree(sid);
    return sd;
}

/* ---- clock ------------------------------------------------------------------------------ */

int64_t os_mono_ms(void)
{
    LARGE_INTEGER c, f;

    if (!QueryPerformanceFrequency(&f) || !QueryPerformanceCounter(&c) || f.QuadPart <= 0)
        return (int64_t)GetTickCount64();
    return (int64_t)(c.QuadPart / f.QuadPart) * 1000 +
           (c.QuadPart % f.QuadPart) * 1000 / f.QuadPart;
}

int os_local_tm(struct tm *out, int64_t epoch_s)
{
    __time64_t t = (__time64_t)epoch_s;

    _tzset();
    return _localtime64_s(out, &t) == 0 ? 0 : -1;
}

int64_t os_wall_ms(void)
{
    FILETIME ft;
    ULARGE_INTEGER t;

    GetSystemTimePreciseAsFileTime(&ft);
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    /* 100 ns ticks since 1601-01-01 */
    return (int64_t)((t.QuadPart - 116444736000000000ULL) / 10000ULL);
}

void os_sleep_ms(int ms)
{
    if (ms > 0)
        Sleep((DWORD)ms);
}

/* ---- process ---------------------------------------------------------------------------- */

static LONG WINAPI os_crash_filter(EXCEPTION_POINTERS *info)
{
    /* one fixed line on stderr first, so that a crash is never silent (exit 3 alone says little
       and, under Wine, looked like Wine's own startup to the test drivers): no allocation, no
       CRT, the code formatted by hand into a stack buffer */
    static const char hex[] = "0123456789abcdef";
    char line[] = "textus-host: crashed (exception 0x00000000)\n";
    DWORD code = info && info->ExceptionRecord ? info->ExceptionRecord->ExceptionCode : 0, n;
    size_t at = sizeof("textus-host: crashed (exception 0x") - 1;
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    int i;

    for (i = 7; i >= 0; i--, code >>= 4)
        line[at + (size_t)i] = hex[code & 0xf];
    if (err && err != INVALID_HANDLE_VALUE)
        (void)WriteFile(err, line, (DWORD)(sizeof(line) - 1), &n, NULL);
    /* end now: no Windows Error Reporting dump of a heap that may hold credentials */
    TerminateProcess(GetCurrentProcess(), 3);
    return EXCEPTION_EXECUTE_HANDLER;
}

#define OS_WER_EXCLUDED                                                                            \
    L"Software\\Microsoft\\Windows\\Windows Error Reporting\\ExcludedApplications"

/*
 * A closed standard fd here is a CRT fd 0-2 with no handle (its std handle missing: a parent
 * that gave none, or Wine's for a closed Unix fd; the CRT then reports -1 or -2): pointed at
 * NUL, so that no later _open_osfhandle takes its number.
 */
void os_std_fds_ensure(void)
{
    int fd;

    for (fd = 0; fd <= 2; fd++) {
        intptr_t h = _get_osfhandle(fd);
        int n;
        if (h != -1 && h != -2 && h != 0)
            continue;
        n = _open("NUL", _O_RDWR | _O_BINARY);
        if (n >= 0 && n != fd) {
            (void)_dup2(n, fd);
            (void)_close(n);
        }
    }
}

/*
 * No crash dumps, ever (os.h): no error dialog (SetErrorMode); an unhandled exception ends
 * the process before Windows Error Reporting sees it; no heap in any report made anyway
 * (WerSetFlags NOHEAP, kernel32); and this executable excluded from WER for this user, for the
 * fail-fast crashes no filter sees: the registry value WerAddExcludedApplication(name, FALSE)
 * writes
 * (https://learn.microsoft.com/en-us/windows/win32/api/werapi/nf-werapi-weraddexcludedapplication),
 * read first and written only while missing, without loading wer.dll (~15 ms per start under
 * Wine). The read takes RegGetValueW from kernelbase.dll (every process has it loaded; advapi32's
 * export forwards there since Windows 8), so that ADVAPI32.dll, delay-loaded (cmake/windows/),
 * is loaded only by what needs it (a missing value, DACLs, the key): not by a ping. Each step on
 * its own: where one fails, the others still hold.
 */
void os_harden_process(void)
{
    typedef HRESULT(WINAPI * wer_flags_fn)(DWORD);
    typedef LSTATUS(WINAPI * reg_get_fn)(HKEY, LPCWSTR, LPCWSTR, DWORD, LPDWORD, PVOID, LPDWORD);
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll"), kb = GetModuleHandleW(L"kernelbase.dll");
    FARPROC f = k32 ? GetProcAddress(k32, "WerSetFlags") : NULL;
    FARPROC g = kb ? GetProcAddress(kb, "RegGetValueW") : NULL;
    reg_get_fn reg_get = g ? (reg_get_fn)(void (*)(void))g : RegGetValueW;
    wchar_t exe[MAX_PATH], *name;
    DWORD n, v = 0, vsz = sizeof(v), one = 1;

    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(os_crash_filter);
    if (f)
        ((wer_flags_fn)(void (*)(void))f)(1 /* WER_FAULT_REPORTING_FLAG_NOHEAP */);
    n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return;
    name = wcsrchr(exe, L'\\');
    name = name ? name + 1 : exe;
    if (reg_get(HKEY_CURRENT_USER, OS_WER_EXCLUDED, name, RRF_RT_REG_DWORD, NULL, &v, &vsz) !=
            ERROR_SUCCESS ||
        v != 1)
        RegSetKeyValueW(HKEY_CURRENT_USER, OS_WER_EXCLUDED, name, REG_DWORD, &one, sizeof(one));
}

int os_native_stdio(void)
{
    int out;
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);

    /* binary: a 0x1A byte is not end of file, 0x0A stays one byte */
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    out = _dup(1);
    if (out < 0)
        return -1;
    _setmode(out, _O_BINARY);
    SetHandleInformation(os_handle(out), HANDLE_FLAG_INHERIT, 0);
    if (_dup2(2, 1) != 0) {
        int nul = _open("NUL", _O_WRONLY | _O_BINARY);
        if (nul < 0 || _dup2(nul, 1) != 0) {
            _close(out);
            return -1;
        }
        _close(nul);
    }
    SetStdHandle(STD_OUTPUT_HANDLE, err != INVALID_HANDLE_VALUE && err ? err : os_handle(1));
    return out;
}

void os_args_utf8(int *argc, char ***argv)
{
    int n = 0, i;
    typedef wchar_t **(WINAPI * split_fn)(const wchar_t *, int *);
    const wchar_t *line = GetCommandLineW(), *c;
    wchar_t **w;
    char **out;
    HMODULE shell32;
    FARPROC split;

    /* all ASCII: the runtime's argv is already exact (and shell32, ~8 ms to load under Wine,
       stays unloaded: Chrome's origin and --parent-window=N are ASCII) */
    for (c = line; *c && *c < 0x80; c++)
        ;
    if (!*c)
        return;
    shell32 = LoadLibraryExW(L"shell32.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    split = shell32 ? GetProcAddress(shell32, "CommandLineToArgvW") : NULL;
    w = split ? ((split_fn)(void (*)(void))split)(line, &n) : NULL;
    if (!w)
        return;
    out = calloc((size_t)n + 1, sizeof(*out));
    for (i = 0; out && i < n; i++) {
        int len = WideCharToMultiByte(CP_UTF8, 0, w[i], -1, NULL, 0, NULL, NULL);
        out[i] = len > 0 ? malloc((size_t)len) : NULL;
        if (!out[i]) {
            out = NULL; /* keep the runtime's argv (leaks a little, once, at start) */
            break;
        }
        WideCharToMultiByte(CP_UTF8, 0, w[i], -1, out[i], len, NULL, NULL);
    }
    LocalFree(w);
    if (out) {
        *argc = n;
        *argv = out; /* lives as long as the process */
    }
}

/* One cached UTF-8 value per variable name (os.h: valid until the next call for that name). */
struct os_env_slot {
    char *name;
    char *value;
};
static struct os_env_slot os_env_cache[32];

const char *os_getenv(const char *name)
{
    wchar_t *wname = os_wide(name), *wval = NULL;
    DWORD n;
    size_t i, free_slot = TH_ARRAY_SIZE(os_env_cache);
    char *val = NULL;
    int len;

    if (!wname)
        return NULL;
    n = GetEnvironmentVariableW(wname, NULL, 0);
    if (n > 0 && (wval = malloc(n * sizeof(wchar_t))) != NULL &&
        GetEnvironmentVariableW(wname, wval, n) < n) {
        len = WideCharToMultiByte(CP_UTF8, 0, wval, -1, NULL, 0, NULL, NULL);
        if (len > 0 && (val = malloc((size_t)len)) != NULL)
            WideCharToMultiByte(CP_UTF8, 0, wval, -1, val, len, NULL, NULL);
    }
    free(wval);
    free(wname);
    if (!val)
        return NULL;
    for (i = 0; i < TH_ARRAY_SIZE(os_env_cache); i++) {
        if (os_env_cache[i].name && strcmp(os_env_cache[i].name, name) == 0) {
            free(os_env_cache[i].value);
            os_env_cache[i].value = val;
            return val;
        }
        if (!os_env_cache[i].name && free_slot == TH_ARRAY_SIZE(os_env_cache))
            free_slot = i;
    }
    if (free_slot == TH_ARRAY_SIZE(os_env_cache) ||
        !(os_env_cache[free_slot].name = _strdup(name))) {
        free(val);
        return NULL;
    }
    os_env_cache[free_slot].value = val;
    return val;
}

long os_getpid(void)
{
    return (long)GetCurrentProcessId();
}

const char *os_name(void)
{
    return "Windows";
}

int os_exe_dir(char *out, size_t outsz)
{
    wchar_t *w = malloc(OS_WPATH_MAX * sizeof(wchar_t)), *slash;
    DWORD n;
    int rc = -1;

    if (!w)
        return -1;
    n = GetModuleFileNameW(NULL, w, OS_WPATH_MAX);
    if (n > 0 && n < OS_WPATH_MAX) {
        slash = wcsrchr(w, L'\\');
        if (slash) {
            *slash = L'\0';
            rc = os_narrow(out, outsz, w);
        }
    }
    free(w);
    return rc;
}

int os_exe_path(char *out, size_t outsz)
{
    wchar_t *w = malloc(OS_WPATH_MAX * sizeof(wchar_t));
    DWORD n;
    int rc = -1;

    if (!w)
        return -1;
    n = GetModuleFileNameW(NULL, w, OS_WPATH_MAX);
    if (n > 0 && n < OS_WPATH_MAX)
        rc = os_narrow(out, outsz, w);
    free(w);
    return rc;
}

int os_home_dir(char *out, size_t outsz)
{
    const char *p = os_getenv("USERPROFILE");

    if (!p || !*p) {
        errno = ENOENT;
        return -1;
    }
    return snprintf(out, outsz, "%s", p) < (int)outsz ? 0 : -1;
}

int os_data_dir(char *out, size_t outsz)
{
    const char *p = os_getenv("LOCALAPPDATA");

    if (!p || !*p) {
        errno = ENOENT;
        return -1;
    }
    return snprintf(out, outsz, "%s", p) < (int)outsz ? 0 : -1;
}

int os_process_alive(long pid)
{
    HANDLE h;
    DWORD code = 0;
    int alive;

    if (pid <= 0)
        return 0;
    h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    if (!h)
        return GetLastError() == ERROR_ACCESS_DENIED;
    alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    CloseHandle(h);
    return alive;
}

/* ---- files ------------------------------------------------------------------------------ */

int os_open_file(const char *path, unsigned flags)
{
    wchar_t *w = os_wide(path);
    DWORD access = 0, disp;
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    HANDLE h;
    int crt = _O_BINARY, fd;

    if (!w)
        return -1;
    if (flags & OS_OPEN_READ)
        access |= GENERIC_READ;
    if (flags & OS_OPEN_WRITE)
        access |= GENERIC_WRITE;
    if (flags & OS_OPEN_APPEND)
        access |= FILE_APPEND_DATA | SYNCHRONIZE;
    if (!access)
        access = GENERIC_READ;
    if ((flags & OS_OPEN_CREATE) && (flags & OS_OPEN_EXCL))
        disp = CREATE_NEW;
    else if ((flags & OS_OPEN_CREATE) && (flags & OS_OPEN_TRUNC))
        disp = CREATE_ALWAYS;
    else if (flags & OS_OPEN_CREATE)
        disp = OPEN_ALWAYS;
    else if (flags & OS_OPEN_TRUNC)
        disp = TRUNCATE_EXISTING;
    else
        disp = OPEN_EXISTING;
    if (flags & OS_OPEN_CREATE) {
        sa.lpSecurityDescriptor = os_private_sd(0);
        if (!sa.lpSecurityDescriptor) {
            free(w);
            errno = EACCES;
            return -1;
        }
    }
    h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, disp,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE)
        os_set_errno(GetLastError());
    if (sa.lpSecurityDescriptor)
        LocalFree(sa.lpSecurityDescriptor);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    {
        /* O_NOFOLLOW: the reparse point itself was opened; refuse it, as POSIX does */
        BY_HANDLE_FILE_INFORMATION bh;
        if (GetFileInformationByHandle(h, &bh) &&
            (bh.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
            CloseHandle(h);
            errno = ELOOP;
            return -1;
        }
    }
    if (!(flags & (OS_OPEN_WRITE | OS_OPEN_APPEND)))
        crt |= _O_RDONLY;
    else if (!(flags & OS_OPEN_READ))
        crt |= _O_WRONLY;
    if (flags & OS_OPEN_APPEND)
        crt |= _O_APPEND;
    fd = _open_osfhandle((intptr_t)h, crt);
    if (fd < 0)
        CloseHandle(h);
    return fd;
}

int os_close(int fd)
{
    return _close(fd);
}

long os_write(int fd, const void *buf, size_t len)
{
    long n = (long)_write(fd, buf, len > 0x40000000u ? 0x40000000u : (unsigned)len);

    /* a reader that went away: the C runtime says EINVAL for ERROR_PIPE_NOT_CONNECTED (what
       Wine gives for a Unix pipe whose reader closed) and may for ERROR_NO_DATA */
    if (n < 0) {
        DWORD e = GetLastError();
        if (e == ERROR_BROKEN_PIPE || e == ERROR_NO_DATA || e == ERROR_PIPE_NOT_CONNECTED)
            errno = EPIPE;
    }
    return n;
}

static int os_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        long n = os_write(fd, p, len);
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int os_write2(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
    char *one = alen + blen <= 65536 ? malloc(alen + blen) : NULL;
    int rc;

    if (one) {
        /* one write: a reader never sees the header without the body that follows */
        memcpy(one, a, alen);
        if (blen)
            memcpy(one + alen, b, blen);
        rc = os_write_all(fd, one, alen + blen);
        free(one);
        return rc;
    }
    if (os_write_all(fd, a, alen) != 0)
        return -1;
    return os_write_all(fd, b, blen);
}

/*
 * Waiting on a pipe with a timeout. The C runtime has no poll() and a pipe handle cannot be
 * waited on, so: PeekNamedPipe polling, 1 ms at first, then up to 10 ms between looks (a
 * Windows anonymous pipe, as Chrome gives the host, is a named pipe underneath). Where the
 * handle cannot be peeked (ERROR_NOT_SUPPORTED: e.g. a Unix pipe under Wine), a reader
 * thread (the pump) takes over that descriptor for good: it reads into a buffer, and
 * os_read and os_wait_readable serve the descriptor from the buffer, waiting on a condition
 * variable with the timeout. Bytes read before the pump started were read by os_read
 * directly, so the order is kept. One pumped descriptor (stdin) is all the host needs.
 */
#define OS_PUMP_CAP   (256 * 1024)
#define OS_PUMP_CHUNK (64 * 1024)

struct os_pump {
    int fd;
    HANDLE h;
    CRITICAL_SECTION lock;
    CONDITION_VARIABLE changed; /* data, end of file, or room again */
    char *buf;
    size_t len;
    int eof;
};
static struct os_pump *os_pumped;

static DWORD WINAPI os_pump_main(void *arg)
{
    struct os_pump *p = arg;
    char *chunk = malloc(OS_PUMP_CHUNK);

    for (;;) {
        DWORD n = 0;
        BOOL ok;
        EnterCriticalSection(&p->lock);
        while (p->len + OS_PUMP_CHUNK > OS_PUMP_CAP)
            SleepConditionVariableCS(&p->changed, &p->lock, INFINITE);
        LeaveCriticalSection(&p->lock);
        ok = chunk && ReadFile(p->h, chunk, OS_PUMP_CHUNK, &n, NULL);
        EnterCriticalSection(&p->lock);
        if (!ok || n == 0) {
            p->eof = 1; /* end of file, a broken pipe or an error: the reader sees 0 */
        } else {
            memcpy(p->buf + p->len, chunk, n);
            p->len += n;
        }
        WakeAllConditionVariable(&p->changed);
        LeaveCriticalSection(&p->lock);
        if (p->eof)
            break;
    }
    free(chunk);
    return 0;
}

static struct os_pump *os_pump_for(int fd)
{
    return os_pumped && os_pumped->fd == fd ? os_pumped : NULL;
}

static struct os_pump *os_pump_start(int fd, HANDLE h)
{
    struct os_pump *p;
    HANDLE t;

    if (os_pumped)
        return NULL; /* one is all the host needs */
    p = calloc(1, sizeof(*p));
    if (!p || !(p->buf = malloc(OS_PUMP_CAP))) {
        free(p);
        return NULL;
    }
    p->fd = fd;
    p->h = h;
    InitializeCriticalSection(&p->lock);
    InitializeConditionVariable(&p->changed);
    t = CreateThread(NULL, 64 * 1024, os_pump_main, p, 0, NULL);
    if (!t) {
        DeleteCriticalSection(&p->lock);
        free(p->buf);
        free(p);
        return NULL;
    }
    CloseHandle(t); /* it lives as long as the process, blocked in ReadFile at worst */
    os_pumped = p;
    return p;
}

/* 1 data or end of file, 0 timeout. */
static int os_pump_wait(struct os_pump *p, int timeout_ms)
{
    int64_t end = os_mono_ms() + timeout_ms;
    int r;

    EnterCriticalSection(&p->lock);
    while (p->len == 0 && !p->eof) {
        int64_t left = timeout_ms < 0 ? -1 : end - os_mono_ms();
        if (timeout_ms >= 0 && left <= 0)
            break;
        SleepConditionVariableCS(&p->changed, &p->lock, left < 0 ? INFINITE : (DWORD)left);
    }
    r = p->len > 0 || p->eof;
    LeaveCriticalSection(&p->lock);
    return r;
}

static long os_pump_read(struct os_pump *p, void *buf, size_t len)
{
    size_t n;

    EnterCriticalSection(&p->lock);
    while (p->len == 0 && !p->eof)
        SleepConditionVariableCS(&p->changed, &p->lock, INFINITE);
    n = len < p->len ? len : p->len;
    memcpy(buf, p->buf, n);
    memmove(p->buf, p->buf + n, p->len - n);
    p->len -= n;
    WakeAllConditionVariable(&p->changed);
    LeaveCriticalSection(&p->lock);
    return (long)n;
}

long os_read(int fd, void *buf, size_t len)
{
    struct os_pump *p = os_pump_for(fd);

    if (p)
        return os_pump_read(p, buf, len);
    return (long)_read(fd, buf, len > 0x40000000u ? 0x40000000u : (unsigned)len);
}

int os_wait_readable(int fd, int timeout_ms)
{
    HANDLE h = os_handle(fd);
    struct os_pump *p = os_pump_for(fd);
    int64_t end = timeout_ms < 0 ? 0 : os_mono_ms() + timeout_ms;
    int nap = 1;

    if (p)
        return os_pump_wait(p, timeout_ms);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    switch (GetFileType(h)) {
    case FILE_TYPE_PIPE:
        for (;;) {
            DWORD avail = 0;
            if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL)) {
                DWORD e = GetLastError();
                if (e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED)
                    return 1; /* the writer is gone: the read sees end of file */
                p = os_pump_start(fd, h);
                if (!p)
                    return 1; /* no timeout then, but never a lost byte: the read blocks */
                return os_pump_wait(p, timeout_ms);
            }
            if (avail > 0)
                return 1;
            if (timeout_ms >= 0 && os_mono_ms() >= end)
                return 0;
            Sleep((DWORD)nap);
            if (nap < 10)
                nap++;
        }
    case FILE_TYPE_CHAR: {
        DWORD r = WaitForSingleObject(h, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
        if (r == WAIT_OBJECT_0)
            return 1;
        if (r == WAIT_TIMEOUT)
            return 0;
        return 1; /* not waitable (e.g. NUL): let the read tell */
    }
    default:
        return 1; /* a disk file is always ready */
    }
}

int os_fsync(int fd)
{
    if (!FlushFileBuffers(os_handle(fd))) {
        os_set_errno(GetLastError());
        return -1;
    }
    return 0;
}

/* 40 tries, 5 ms more each time: about 4 s in all before a replace gives up */
#define OS_REPLACE_TRIES 40

int os_replace(const char *from, const char *to)
{
    wchar_t *wf = os_wide(from), *wt = os_wide(to);
    int rc = -1;

    if (wf && wt) {
        /* Windows refuses to replace a file another process has open (a reader of the store,
           for a moment) with ERROR_ACCESS_DENIED or a sharing violation: retry for a while,
           as SQLite's os_win.c does (winRetryIoerr), before calling it a failure */
        int tries;
        for (tries = 0; tries < OS_REPLACE_TRIES; tries++) {
            DWORD e;
            if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
                rc = 0;
                break;
            }
            e = GetLastError();
            os_set_errno(e);
            if (e != ERROR_ACCESS_DENIED && e != ERROR_SHARING_VIOLATION &&
                e != ERROR_LOCK_VIOLATION)
                break;
            Sleep((DWORD)(5 * (tries + 1)));
        }
    }
    free(wf);
    free(wt);
    return rc;
}

int os_fsync_dir(const char *dir)
{
    (void)dir; /* MOVEFILE_WRITE_THROUGH already waited for the entry to reach the disk */
    return 0;
}

int os_unlink(const char *path)
{
    wchar_t *w = os_wide(path);
    int rc = -1;

    if (w) {
        if (DeleteFileW(w))
            rc = 0;
        else
            os_set_errno(GetLastError());
    }
    free(w);
    return rc;
}

int os_lock(int fd)
{
    OVERLAPPED ov;

    memset(&ov, 0, sizeof(ov));
    if (!LockFileEx(os_handle(fd), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, MAXDWORD,
                    MAXDWORD, &ov)) {
        os_set_errno(GetLastError());
        return -1;
    }
    return 0;
}

int os_unlock(int fd)
{
    OVERLAPPED ov;

    memset(&ov, 0, sizeof(ov));
    return UnlockFileEx(os_handle(fd), 0, MAXDWORD, MAXDWORD, &ov) ? 0 : -1;
}

int os_mkdir_private(const char *path)
{
    wchar_t *w = os_wide(path);
    SECURITY_ATTRIBUTES sa = {sizeof(sa), os_private_sd(1), FALSE};
    int rc = -1;

    if (w && sa.lpSecurityDescriptor) {
        if (CreateDirectoryW(w, &sa))
            rc = 0;
        else
            os_set_errno(GetLastError());
    } else if (w) {
        errno = EACCES;
    }
    if (sa.lpSecurityDescriptor)
        LocalFree(sa.lpSecurityDescriptor);
    free(w);
    return rc;
}

int os_chmod_private(const char *path, int is_dir)
{
    wchar_t *w = os_wide(path);
    PSECURITY_DESCRIPTOR sd = os_private_sd(is_dir);
    int rc = -1;

    if (w && sd) {
        if (SetFileSecurityW(w, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                             sd))
            rc = 0;
        else
            os_set_errno(GetLastError());
    } else {
        errno = EACCES;
    }
    if (sd)
        LocalFree(sd);
    free(w);
    return rc;
}

/*
 * Whether path's DACL grants nobody but the current user (and LocalSystem and the
 * Administrators group, who can take any file anyway: as root with 0600 on POSIX), and
 * whether the user owns it. Under Wine the DACL read back is made from the Unix mode.
 */
static void os_check_private_sd(struct os_stat *st, PSECURITY_DESCRIPTOR sd)
{
    wchar_t *me = os_user_sid_string();
    PSID my_sid = NULL, owner = NULL;
    PACL dacl = NULL;
    BOOL present = FALSE, defaulted = FALSE;

    st->is_private = st->is_owner = 0;
    if (!me || !ConvertStringSidToSidW(me, &my_sid)) {
        if (me)
            LocalFree(me);
        return;
    }
    {
        if (GetSecurityDescriptorOwner(sd, &owner, &defaulted) && owner)
            st->is_owner = EqualSid(owner, my_sid);
        if (GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present && dacl) {
            WORD i;
            st->is_private = 1;
            for (i = 0; i < dacl->AceCount; i++) {
                ACE_HEADER *ace;
                if (!GetAce(dacl, i, (void **)&ace))
                    continue;
                if (ace->AceType == ACCESS_ALLOWED_ACE_TYPE) {
                    PSID who = (PSID) & ((ACCESS_ALLOWED_ACE *)ace)->SidStart;
                    if (!EqualSid(who, my_sid) && !IsWellKnownSid(who, WinLocalSystemSid) &&
                        !IsWellKnownSid(who, WinBuiltinAdministratorsSid))
                        st->is_private = 0;
                }
            }
        }
    }
    LocalFree(my_sid);
    LocalFree(me);
}

static void os_check_private(struct os_stat *st, const wchar_t *w)
{
    DWORD need = 0;
    PSECURITY_DESCRIPTOR sd;

    st->is_private = st->is_owner = 0;
    GetFileSecurityW(w, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, NULL, 0, &need);
    if (need == 0 || !(sd = malloc(need)))
        return;
    if (GetFileSecurityW(w, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, sd, need,
                         &need))
        os_check_private_sd(st, sd);
    free(sd);
}

int os_stat(struct os_stat *st, const char *path, int follow)
{
    wchar_t *w = os_wide(path);
    WIN32_FILE_ATTRIBUTE_DATA a;
    ULARGE_INTEGER t;
    BY_HANDLE_FILE_INFORMATION bh;
    DWORD attrs;
    int is_link;

    if (!w)
        return -1;
    if (!GetFileAttributesExW(w, GetFileExInfoStandard, &a)) {
        os_set_errno(GetLastError());
        free(w);
        return -1;
    }
    attrs = a.dwFileAttributes;
    t.LowPart = a.ftLastWriteTime.dwLowDateTime;
    t.HighPart = a.ftLastWriteTime.dwHighDateTime;
    st->size = ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
    is_link = (attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    if (is_link && follow) {
        HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        if (h == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(h, &bh)) {
            os_set_errno(GetLastError());
            if (h != INVALID_HANDLE_VALUE)
                CloseHandle(h);
            free(w);
            return -1;
        }
        CloseHandle(h);
        attrs = bh.dwFileAttributes;
        t.LowPart = bh.ftLastWriteTime.dwLowDateTime;
        t.HighPart = bh.ftLastWriteTime.dwHighDateTime;
        st->size = ((uint64_t)bh.nFileSizeHigh << 32) | bh.nFileSizeLow;
        is_link = 0;
    }
    st->kind = is_link                                 ? OS_KIND_LINK
               : (attrs & FILE_ATTRIBUTE_DIRECTORY)    ? OS_KIND_DIR
               : (attrs & FILE_ATTRIBUTE_DEVICE) != 0u ? OS_KIND_OTHER
                                                       : OS_KIND_FILE;
    st->mtime_ms = (int64_t)((t.QuadPart - 116444736000000000ULL) / 10000ULL);
    st->mtime_ns = (int64_t)(t.QuadPart - 116444736000000000ULL) * 100;
    st->ctime_ns = 0;
    st->dev = st->ino = 0;
    if (st->kind == OS_KIND_FILE) {
        /* the identity (volume serial, file index) and change time, as os_fstat gives them:
           store_changed tells a replaced file by them */
        HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        FILE_BASIC_INFO bi;
        if (h != INVALID_HANDLE_VALUE) {
            if (GetFileInformationByHandle(h, &bh)) {
                st->dev = bh.dwVolumeSerialNumber;
                st->ino = ((uint64_t)bh.nFileIndexHigh << 32) | bh.nFileIndexLow;
            }
            if (GetFileInformationByHandleEx(h, FileBasicInfo, &bi, sizeof(bi)))
                st->ctime_ns = (int64_t)(bi.ChangeTime.QuadPart - 116444736000000000LL) * 100;
            CloseHandle(h);
        }
    }
    os_check_private(st, w);
    st->uid = st->is_owner ? 0 : -1;
    st->mode = st->kind == OS_KIND_DIR ? (st->is_private ? 0700u : 0777u)
                                       : (st->is_private ? 0600u : 0666u);
    free(w);
    return 0;
}

int os_access(const char *path, enum os_access_mode mode)
{
    wchar_t *w = os_wide(path);
    DWORD attrs;
    int rc = -1;

    if (!w)
        return -1;
    attrs = GetFileAttributesW(w);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        os_set_errno(GetLastError());
    } else if (mode == OS_ACCESS_EXISTS) {
        rc = 0;
    } else if (mode == OS_ACCESS_EXEC) {
        rc = (attrs & FILE_ATTRIBUTE_DIRECTORY) ? -1 : 0;
    } else if (mode == OS_ACCESS_WRITE_DIR) {
        /* a folder's read-only attribute means nothing to Windows; its DACL decides, and
           creating the file then says so */
        rc = (attrs & FILE_ATTRIBUTE_DIRECTORY) ? 0 : -1;
        if (rc != 0)
            errno = ENOTDIR;
    } else {
        HANDLE h =
            CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        if (h != INVALID_HANDLE_VALUE) {
            CloseHandle(h);
            rc = 0;
        } else {
            os_set_errno(GetLastError());
        }
    }
    free(w);
    return rc;
}

struct os_dir {
    HANDLE find;
    WIN32_FIND_DATAW data;
    int have; /* data holds an entry not returned yet */
    char name[MAX_PATH * 4];
};

int os_dir_open(struct os_dir **d, const char *path)
{
    size_t n = strlen(path);
    char *pattern = malloc(n + 3);
    wchar_t *w;

    *d = NULL;
    if (!pattern)
        return -1;
    memcpy(pattern, path, n);
    memcpy(pattern + n, "\\*", 3);
    w = os_wide(pattern);
    free(pattern);
    if (!w)
        return -1;
    *d = calloc(1, sizeof(**d));
    if (!*d) {
        free(w);
        return -1;
    }
    (*d)->find = FindFirstFileW(w, &(*d)->data);
    free(w);
    if ((*d)->find == INVALID_HANDLE_VALUE) {
        os_set_errno(GetLastError());
        free(*d);
        *d = NULL;
        return -1;
    }
    (*d)->have = 1;
    return 0;
}

const char *os_dir_next(struct os_dir *d)
{
    while (d->have || FindNextFileW(d->find, &d->data)) {
        d->have = 0;
        if (wcscmp(d->data.cFileName, L".") == 0 || wcscmp(d->data.cFileName, L"..") == 0)
            continue;
        if (os_narrow(d->name, sizeof(d->name), d->data.cFileName) == 0)
            return d->name;
    }
    return NULL;
}

void os_dir_close(struct os_dir *d)
{
    if (!d)
        return;
    FindClose(d->find);
    free(d);
}

/* ---- terminal --------------------------------------------------------------------------- */

int os_isatty(int fd)
{
    return _isatty(fd) != 0;
}

int os_term_ansi(int fd)
{
    HANDLE h = os_handle(fd);
    DWORD mode;

    if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
        return 0;
    /* ENABLE_VIRTUAL_TERMINAL_PROCESSING: Windows 10 1511 and later */
    if (!(mode & 0x0004) && !SetConsoleMode(h, mode | 0x0004))
        return 0;
    SetConsoleOutputCP(CP_UTF8); /* the check marks are UTF-8 */
    return 1;
}

int os_term_width(int fd)
{
    CONSOLE_SCREEN_BUFFER_INFO info;

    if (!GetConsoleScreenBufferInfo(os_handle(fd), &info))
        return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

/* ---- engine modules --------------------------------------------------------------------- */

void *os_module_open(const char *path, char *why, size_t whysz)
{
    wchar_t *w = os_wide(path);
    HMODULE h = NULL;

    if (w) {
        wchar_t *c;
        for (c = w; *c; c++) /* LoadLibraryExW wants backslashes in a full path */
            if (*c == L'/')
                *c = L'\\';
        /* the module's own dependencies: beside it, beside the exe, System32; never the
           current folder or PATH (DLL planting) */
        h = LoadLibraryExW(w, NULL,
                           LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_APPLICATION_DIR |
                               LOAD_LIBRARY_SEARCH_SYSTEM32);
    }
    if (!h)
        snprintf(why, whysz, "Windows error %lu", (unsigned long)GetLastError());
    free(w);
    return (void *)h;
}

void *os_module_symbol(void *module, const char *name)
{
    FARPROC f = GetProcAddress((HMODULE)module, name);
    void *p;

    memcpy(&p, &f, sizeof(p)); /* the API tables are data, exported by name */
    return p;
}

/* ---- child processes -------------------------------------------------------------------- */

int os_child_start(struct os_child *c, const char *exe, const char *arg, const char *cwd)
{
    SECURITY_ATTRIBUTES inherit = {sizeof(inherit), NULL, TRUE};
    HANDLE in_r = NULL, in_w = NULL, out_r = NULL, out_w = NULL, nul;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *wexe = os_wide(exe), *warg = os_wide(arg ? arg : ""), *wcwd = NULL, *cmd = NULL;
    size_t len;
    int ok = 0;

    c->pid = -1;
    c->handle = NULL;
    c->in_fd = c->out_fd = -1;
    if (cwd && cwd[0])
        wcwd = os_wide(cwd);
    nul = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                      OPEN_EXISTING, 0, NULL);
    if (!wexe || !warg || wcschr(wexe, L'"') || wcschr(warg, L'"'))
        goto done;
    len = wcslen(wexe) + wcslen(warg) + 6;
    cmd = malloc(len * sizeof(wchar_t));
    if (!cmd || _snwprintf(cmd, len, L"\"%ls\" \"%ls\"", wexe, warg) < 0)
        goto done;
    if (!CreatePipe(&in_r, &in_w, &inherit, 0) || !CreatePipe(&out_r, &out_w, &inherit, 0))
        goto done;
    SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = nul != INVALID_HANDLE_VALUE ? nul : out_w;
    if (!CreateProcessW(wexe, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, wcwd, &si, &pi))
        goto done;
    CloseHandle(pi.hThread);
    c->pid = (long)pi.dwProcessId;
    c->handle = pi.hProcess;
    c->in_fd = _open_osfhandle((intptr_t)in_w, _O_WRONLY | _O_BINARY);
    c->out_fd = _open_osfhandle((intptr_t)out_r, _O_RDONLY | _O_BINARY);
    in_w = out_r = NULL;
    ok = 1;
done:
    if (!ok)
        os_set_errno(GetLastError());
    if (in_r)
        CloseHandle(in_r);
    if (out_w)
        CloseHandle(out_w);
    if (in_w)
        CloseHandle(in_w);
    if (out_r)
        CloseHandle(out_r);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    free(wexe);
    free(warg);
    free(wcwd);
    free(cmd);
    return ok ? 0 : -1;
}

int os_child_send(struct os_child *c, const void *a, size_t alen, const void *b, size_t blen)
{
    return os_write2(c->in_fd, a, alen, b, blen);
}

void os_child_wait(struct os_exit *ex, struct os_child *c, int ms, int *killed)
{
    DWORD code = 0;

    *killed = 0;
    ex->code = -1;
    ex->signal = 0;
    if (c->in_fd >= 0)
        _close(c->in_fd);
    c->in_fd = -1;
    if (c->handle) {
        if (WaitForSingleObject(c->handle, ms < 0 ? INFINITE : (DWORD)ms) != WAIT_OBJECT_0) {
            TerminateProcess(c->handle, 1);
            *killed = 1;
            WaitForSingleObject(c->handle, INFINITE);
        }
        if (GetExitCodeProcess(c->handle, &code))
            ex->code = (int)code;
        CloseHandle(c->handle);
        c->handle = NULL;
    }
    if (c->out_fd >= 0)
        _close(c->out_fd);
    c->out_fd = -1;
}

/* ---- interface version 2 ---------------------------------------------------------------- */

int os_fstat(struct os_stat *st, int fd)
{
    HANDLE h = os_handle(fd);
    BY_HANDLE_FILE_INFORMATION bh;
    ULARGE_INTEGER t;
    PSECURITY_DESCRIPTOR sd = NULL;

    if (h == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(h, &bh)) {
        os_set_errno(GetLastError());
        return -1;
    }
    t.LowPart = bh.ftLastWriteTime.dwLowDateTime;
    t.HighPart = bh.ftLastWriteTime.dwHighDateTime;
    st->size = ((uint64_t)bh.nFileSizeHigh << 32) | bh.nFileSizeLow;
    st->kind = (bh.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? OS_KIND_LINK
               : (bh.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)   ? OS_KIND_DIR
                                                                    : OS_KIND_FILE;
    st->mtime_ms = (int64_t)((t.QuadPart - 116444736000000000ULL) / 10000ULL);
    st->mtime_ns = (int64_t)(t.QuadPart - 116444736000000000ULL) * 100;
    st->ctime_ns = 0;
    {
        FILE_BASIC_INFO bi;
        if (GetFileInformationByHandleEx(h, FileBasicInfo, &bi, sizeof(bi)))
            st->ctime_ns = (int64_t)(bi.ChangeTime.QuadPart - 116444736000000000LL) * 100;
    }
    st->dev = bh.dwVolumeSerialNumber;
    st->ino = ((uint64_t)bh.nFileIndexHigh << 32) | bh.nFileIndexLow;
    st->is_private = st->is_owner = 0;
    if (GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                        NULL, NULL, NULL, NULL, &sd) == ERROR_SUCCESS) {
        os_check_private_sd(st, sd);
        LocalFree(sd);
    }
    st->mode = st->kind == OS_KIND_DIR ? (st->is_private ? 0700u : 0777u)
                                       : (st->is_private ? 0600u : 0666u);
    st->uid = st->is_owner ? 0 : -1;
    return 0;
}

int os_lock_wait(int fd)
{
    OVERLAPPED ov;

    memset(&ov, 0, sizeof(ov));
    if (!LockFileEx(os_handle(fd), LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &ov)) {
        os_set_errno(GetLastError());
        return -1;
    }
    return 0;
}

int os_fchmod_private(int fd)
{
    /* a descriptor's handle has no WRITE_DAC: set the DACL by the file's own final path */
    wchar_t w[OS_WPATH_MAX];
    PSECURITY_DESCRIPTOR sd;
    DWORD n = GetFinalPathNameByHandleW(os_handle(fd), w, OS_WPATH_MAX, 0);
    int rc = -1;

    if (n == 0 || n >= OS_WPATH_MAX) {
        os_set_errno(GetLastError());
        return -1;
    }
    sd = os_private_sd(0);
    if (sd &&
        SetFileSecurityW(w, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, sd))
        rc = 0;
    else
        os_set_errno(sd ? GetLastError() : ERROR_ACCESS_DENIED);
    if (sd)
        LocalFree(sd);
    return rc;
}

int os_inet_pton(int v6, const char *text, unsigned char out[16])
{
    return inet_pton(v6 ? AF_INET6 : AF_INET, text, out) == 1;
}

int os_system_desc(char *out, size_t outsz)
{
    /* GetVersionEx lies without a manifest; RtlGetVersion (ntdll) tells the truth */
    typedef LONG(WINAPI * rtl_get_version)(OSVERSIONINFOW *);
    OSVERSIONINFOW v;
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version get = nt ? (rtl_get_version)(void *)GetProcAddress(nt, "RtlGetVersion") : NULL;

    memset(&v, 0, sizeof(v));
    v.dwOSVersionInfoSize = sizeof(v);
    if (!get || get(&v) != 0)
        return snprintf(out, outsz, "Windows unknown x86_64") < (int)outsz ? 0 : -1;
    return snprintf(out, outsz, "Windows %lu.%lu.%lu x86_64", (unsigned long)v.dwMajorVersion,
                    (unsigned long)v.dwMinorVersion, (unsigned long)v.dwBuildNumber) < (int)outsz
               ? 0
               : -1;
}

int os_getcwd(char *out, size_t outsz)
{
    wchar_t w[OS_WPATH_MAX];
    DWORD n = GetCurrentDirectoryW(OS_WPATH_MAX, w);
    size_t i;

    if (n == 0 || n >= OS_WPATH_MAX) {
        os_set_errno(GetLastError());
        return -1;
    }
    if (os_narrow(out, outsz, w) != 0)
        return -1;
    for (i = 0; out[i]; i++)
        if (out[i] == '\\')
            out[i] = '/';
    return 0;
}

long os_uid(void)
{
    return 0;
}

int os_path_is_absolute(const char *path)
{
    if (!path)
        return 0;
    if (((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
        path[1] == ':' && (path[2] == '\\' || path[2] == '/'))
        return 1;
    return (path[0] == '\\' || path[0] == '/') && (path[1] == '\\' || path[1] == '/');
}

size_t os_block_size(void *p)
{
    return p ? _msize(p) : 0;
}

static DWORD os_term_saved_mode;
static int os_term_saved_fd = -1;

int os_term_echo(int fd, int on)
{
    HANDLE h = os_handle(fd);
    DWORD mode;

    if (on) {
        if (os_term_saved_fd != fd)
            return -1;
        os_term_saved_fd = -1;
        return SetConsoleMode(h, os_term_saved_mode) ? 0 : -1;
    }
    if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
        return -1;
    os_term_saved_mode = mode;
    if (!SetConsoleMode(h, (mode & ~(DWORD)ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT))
        return -1;
    os_term_saved_fd = fd;
    return 0;
}

int os_config_dir(char *out, size_t outsz)
{
    return os_data_dir(out, outsz);
}

int os_dirs_shared(void)
{
    return 1;
}

char os_path_sep(void)
{
    return '\\';
}

const char *os_path_last_sep(const char *path)
{
    const char *s = strrchr(path, '/'), *b = strrchr(path, '\\');

    return b && (!s || b > s) ? b : s;
}

int os_setenv(const char *name, const char *value)
{
    return _putenv_s(name, value) == 0 ? 0 : -1;
}

int os_unsetenv(const char *name)
{
    return _putenv_s(name, "") == 0 ? 0 : -1; /* an empty value removes it */
}

/* One memory stream at a time (doctor's report): where its text goes on close. */
static FILE *os_mem_file;
static char **os_mem_buf;
static size_t *os_mem_len;

FILE *os_memstream_open(char **buf, size_t *len)
{
    wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
    int fd;

    *buf = NULL;
    *len = 0;
    if (os_mem_file || !GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"th", 0, name))
        return NULL;
    /* _O_TEMPORARY: deleted when the last descriptor closes; _O_SHORT_LIVED: kept in memory */
    fd = _wopen(name, _O_RDWR | _O_BINARY | _O_TRUNC | _O_TEMPORARY | _O_SHORT_LIVED | _O_NOINHERIT,
                _S_IREAD | _S_IWRITE);
    if (fd < 0) {
        DeleteFileW(name);
        return NULL;
    }
    if (os_fchmod_private(fd) != 0) { /* owner-only, or not at all */
        _close(fd);
        return NULL;
    }
    os_mem_file = _fdopen(fd, "w+b");
    if (!os_mem_file) {
        _close(fd);
        return NULL;
    }
    os_mem_buf = buf;
    os_mem_len = len;
    return os_mem_file;
}

int os_memstream_close(FILE *f)
{
    long n;
    char *b = NULL;
    int rc = -1;

    if (!f || f != os_mem_file)
        return -1;
    if (fflush(f) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b = malloc((size_t)n + 1)) != NULL && fread(b, 1, (size_t)n, f) == (size_t)n) {
        b[n] = '\0';
        *os_mem_buf = b;
        *os_mem_len = (size_t)n;
        b = NULL;
        rc = 0;
    }
    free(b);
    fclose(f);
    os_mem_file = NULL;
    return rc;
}

int os_protect_key(unsigned char **out, size_t *outlen, const unsigned char *key, size_t keylen)
{
    DATA_BLOB in, blob;

    *out = NULL;
    *outlen = 0;
    in.pbData = (BYTE *)key;
    in.cbData = (DWORD)keylen;
    memset(&blob, 0, sizeof(blob));
    if (!CryptProtectData(&in, L"textus-host store key", NULL, NULL, NULL,
                          CRYPTPROTECT_UI_FORBIDDEN, &blob)) {
        os_set_errno(GetLastError());
        return -1;
    }
    *out = malloc(blob.cbData);
    if (*out) {
        memcpy(*out, blob.pbData, blob.cbData);
        *outlen = blob.cbData;
    }
    LocalFree(blob.pbData);
    if (!*out) {
        errno = ENOMEM;
        return -1;
    }
    return 1;
}

int os_unprotect_key(unsigned char *key, size_t keylen, const unsigned char *blob, size_t bloblen)
{
    DATA_BLOB in, plain;
    int rc = -1;

    in.pbData = (BYTE *)blob;
    in.cbData = (DWORD)bloblen;
    memset(&plain, 0, sizeof(plain));
    if (!CryptUnprotectData(&in, NULL, NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &plain)) {
        errno = EINVAL;
        return -1;
    }
    if (plain.cbData == keylen) {
        memcpy(key, plain.pbData, keylen);
        rc = 0;
    } else {
        errno = EINVAL;
    }
    SecureZeroMemory(plain.pbData, plain.cbData);
    LocalFree(plain.pbData);
    return rc;
}

void os_exit_now(int code)
{
    _exit(code);
}

void os_kill_self(void)
{
    TerminateProcess(GetCurrentProcess(), 137);
    _exit(137);
}

/* ==== registry (issue P item 4) — appended block, see os.h ================================ */

static HKEY os_reg_hkey(enum os_reg_root root)
{
    return root == OS_REG_MACHINE ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
}

static REGSAM os_reg_sam(enum os_reg_view view)
{
    return view == OS_REG_VIEW_32 ? KEY_WOW64_32KEY : view == OS_REG_VIEW_64 ? KEY_WOW64_64KEY : 0;
}

int os_reg_set_default(enum os_reg_root root, const char *key, const char *value)
{
    wchar_t *wkey = os_wide(key), *wval = os_wide(value);
    HKEY h = NULL;
    LSTATUS rc = ERROR_OUTOFMEMORY;

    if (wkey && wval) {
        rc = RegCreateKeyExW(os_reg_hkey(root), wkey, 0, NULL, REG_OPTION_NON_VOLATILE,
                             KEY_SET_VALUE, NULL, &h, NULL);
        if (rc == ERROR_SUCCESS) {
            rc = RegSetValueExW(h, NULL, 0, REG_SZ, (const BYTE *)wval,
                                (DWORD)((wcslen(wval) + 1) * sizeof(wchar_t)));
            RegCloseKey(h);
        }
    }
    free(wkey);
    free(wval);
    if (rc != ERROR_SUCCESS) {
        os_set_errno((DWORD)rc);
        return -1;
    }
    return 0;
}

int os_reg_get_default(char *out, size_t outsz, enum os_reg_root root, enum os_reg_view view,
                       const char *key)
{
    wchar_t *wkey = os_wide(key), *buf = NULL;
    HKEY h = NULL;
    DWORD type = 0, bytes = 0;
    LSTATUS rc;
    int ret = -1;

    if (!wkey)
        return -1;
    rc = RegOpenKeyExW(os_reg_hkey(root), wkey, 0, KEY_QUERY_VALUE | os_reg_sam(view), &h);
    free(wkey);
    if (rc != ERROR_SUCCESS) {
        os_set_errno((DWORD)rc);
        return -1;
    }
    rc = RegQueryValueExW(h, NULL, NULL, &type, NULL, &bytes);
    if (rc == ERROR_SUCCESS && type != REG_SZ && type != REG_EXPAND_SZ)
        rc = ERROR_FILE_NOT_FOUND;
    if (rc == ERROR_SUCCESS) {
        buf = calloc((size_t)bytes / sizeof(wchar_t) + 1, sizeof(wchar_t));
        if (!buf)
            rc = ERROR_OUTOFMEMORY;
        else
            rc = RegQueryValueExW(h, NULL, NULL, &type, (BYTE *)buf, &bytes);
    }
    RegCloseKey(h);
    if (rc != ERROR_SUCCESS)
        os_set_errno((DWORD)rc);
    else
        ret = os_narrow(out, outsz, buf); /* calloc'ed one unit more: always terminated */
    free(buf);
    return ret;
}

int os_reg_delete(enum os_reg_root root, const char *key)
{
    wchar_t *wkey = os_wide(key);
    LSTATUS rc;

    if (!wkey)
        return -1;
    rc = RegDeleteKeyW(os_reg_hkey(root), wkey);
    free(wkey);
    if (rc != ERROR_SUCCESS) {
        os_set_errno((DWORD)rc);
        return -1;
    }
    return 0;
}

/* ==== end of the registry block ============================================================== */

/* ==== os_fopen, os_perm_text (UTF-8 paths, permission fixes in the platform's words) ======== */

FILE *os_fopen(const char *path, const char *mode)
{
    wchar_t *w = os_wide(path), *wm = os_wide(mode);
    FILE *f = NULL;

    if (w && wm)
        f = _wfopen(w, wm);
    free(w);
    free(wm);
    return f;
}

/*
 * The fixes are icacls commands for PowerShell: /inheritance:r drops the inherited entries
 * (the usual way a folder is shared), /grant:r leaves the user (Full control, inherited by
 * what is inside a folder: (OI)(CI)) and SYSTEM, which os_check_private accepts as root is on
 * POSIX. ${env:USERNAME} is PowerShell's own expansion: the command is right for whoever runs
 * it. Taking a file back from another account needs an administrator: /setowner.
 */
void os_perm_ok_text(char *out, size_t outsz, const struct os_stat *st)
{
    (void)st;
    snprintf(out, outsz, "owner-only access list");
}

/* PowerShell: 'text', each single quote doubled. PowerShell takes U+2018..U+201B (UTF-8
 * E2 80 98..9B) for ' as well: doubled too, or Bob’s would end the word. */
int os_shell_quote(char *out, size_t outsz, const char *s)
{
    size_t used = 0;

    if (!outsz)
        return -1;
    out[used++] = '\'';
    while (*s) {
        size_t len = 1, k;
        int dbl = 0;
        if (*s == '\'')
            dbl = 1;
        else if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
                 (unsigned char)s[2] >= 0x98 && (unsigned char)s[2] <= 0x9B)
            dbl = 1, len = 3;
        if (used + len * (size_t)(dbl + 1) + 2 > outsz) {
            out[0] = '\0';
            return -1;
        }
        for (k = 0; k <= (size_t)dbl; k++, used += len)
            memcpy(out + used, s, len);
        s += len;
    }
    out[used++] = '\'';
    out[used] = '\0';
    return 0;
}

void os_perm_text(char *why, size_t whysz, char *fix, size_t fixsz, enum os_perm_problem what,
                  const struct os_stat *st, const char *path, int is_dir)
{
    const char *inh = is_dir ? "(OI)(CI)" : "";
    char *q = malloc(2 * OS_WPATH_MAX), user[256];

    (void)st;
    if (!q || os_shell_quote(q, 2 * OS_WPATH_MAX, path) != 0) {
        snprintf(why, whysz, "has an access list that is not owner-only");
        snprintf(fix, fixsz, "reinstall the host, or ask IT to set the access list right");
        free(q);
        return;
    }
    switch (what) {
    case OS_PERM_NOT_OWNER:
        snprintf(why, whysz, "belongs to another Windows account (its owner is not you)");
        if (!getenv("USERNAME") || os_shell_quote(user, sizeof(user), getenv("USERNAME")) != 0)
            snprintf(user, sizeof(user), "\"${env:USERNAME}\"");
        snprintf(fix, fixsz, "in a PowerShell run as administrator: icacls %s /setowner %s%s", q,
                 user, is_dir ? " /t" : "");
        free(q);
        return;
    case OS_PERM_SHARED:
        snprintf(why, whysz,
                 "has an access list that lets other users in (it must grant only you and "
                 "SYSTEM)");
        break;
    default:
        snprintf(why, whysz, "cannot be read by you (its access list does not grant you)");
        break;
    }
    /* the path single-quoted (nothing in it expanded); ${env:USERNAME} in a word of its own */
    snprintf(fix, fixsz,
             "in PowerShell: icacls %s /inheritance:r /grant:r \"${env:USERNAME}:%sF\" "
             "\"SYSTEM:%sF\"",
             q, inh, inh);
    free(q);
}

/* ==== commands on PATH (see os.h) ========================================================== */

/* A malloc()ed copy of an environment variable (UTF-16), or NULL when it is unset or empty. */
static wchar_t *os_env_wide(const wchar_t *name)
{
    DWORD n = GetEnvironmentVariableW(name, NULL, 0), m;
    wchar_t *w;

    if (n <= 1)
        return NULL;
    w = malloc((size_t)n * sizeof(*w));
    if (!w)
        return NULL;
    m = GetEnvironmentVariableW(name, w, n);
    if (m == 0 || m >= n) {
        free(w);
        return NULL;
    }
    return w;
}

/*
 * The PATH entry that starts at p: its end (a ';' outside double quotes, or the end of the
 * text). cmd and PowerShell read "C:\x;y" as one folder: a ';' inside quotes splits nothing.
 */
static const wchar_t *os_path_entry_end(const wchar_t *p)
{
    int quoted = 0;

    for (; *p && (quoted || *p != L';'); p++)
        if (*p == L'"')
            quoted = !quoted;
    return p;
}

/* The search of os_which in the PATH text path (may be NULL: nothing found). */
static int os_which_in(char *out, size_t outsz, const wchar_t *path, const char *name);

int os_which(char *out, size_t outsz, const char *name)
{
    wchar_t *path = os_env_wide(L"PATH");
    int rc = os_which_in(out, outsz, path, name), err = errno;

    free(path);
    errno = err;
    return rc;
}

static int os_which_in(char *out, size_t outsz, const wchar_t *path, const char *name)
{
    wchar_t *exts = os_env_wide(L"PATHEXT"), *wname = os_wide(name);
    wchar_t *cand = malloc(OS_WPATH_MAX * sizeof(wchar_t));
    wchar_t *full = malloc(OS_WPATH_MAX * sizeof(wchar_t));
    const wchar_t *p, *end, *e, *eend, *ext = exts ? exts : L".COM;.EXE;.BAT;.CMD";
    int rc = -1, err = ENOENT;

    if (!wname || !cand || !full) {
        err = wname ? ENOMEM : EINVAL;
        goto done;
    }
    for (p = path; p && *p; p = *end ? end + 1 : end) {
        size_t dl;
        end = os_path_entry_end(p);
        dl = (size_t)(end - p);
        if (dl >= 2 && p[0] == L'"' && p[dl - 1] == L'"') /* "C:\Program Files\x" */
            p++, dl -= 2;
        if (wmemchr(p, L'"', dl)) /* a stray quote: a folder no shell would find */
            continue;
        while (dl > 1 && (p[dl - 1] == L'\\' || p[dl - 1] == L'/'))
            dl--;
        if (dl == 0 || dl + wcslen(wname) + 2 >= OS_WPATH_MAX)
            continue;
        for (e = ext; *e; e = *eend ? eend + 1 : eend) {
            size_t el, at;
            DWORD attr, fl;
            eend = wcschr(e, L';');
            if (!eend)
                eend = e + wcslen(e);
            el = (size_t)(eend - e);
            if (el == 0 || dl + wcslen(wname) + el + 2 >= OS_WPATH_MAX)
                continue;
            memcpy(cand, p, dl * sizeof(wchar_t));
            at = dl;
            cand[at++] = L'\\';
            memcpy(cand + at, wname, wcslen(wname) * sizeof(wchar_t)); /* lengths checked above */
            at += wcslen(wname);
            memcpy(cand + at, e, el * sizeof(wchar_t));
            cand[at + el] = L'\0';
            attr = GetFileAttributesW(cand);
            if (attr == INVALID_FILE_ATTRIBUTES || (attr & FILE_ATTRIBUTE_DIRECTORY))
                continue;
            fl = GetFullPathNameW(cand, OS_WPATH_MAX, full, NULL);
            rc = os_narrow(out, outsz, fl > 0 && fl < OS_WPATH_MAX ? full : cand);
            err = rc == 0 ? 0 : ENAMETOOLONG;
            goto done;
        }
    }
done:
    free(exts);
    free(wname);
    free(cand);
    free(full);
    if (rc != 0)
        errno = err;
    return rc;
}

/* The identity of a file (volume, index): 0, or -1 with errno. */
static int os_file_id(const char *path, BY_HANDLE_FILE_INFORMATION *info)
{
    wchar_t *w = os_wide(path);
    HANDLE h;
    BOOL ok;

    if (!w)
        return -1;
    h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        os_set_errno(GetLastError());
        return -1;
    }
    ok = GetFileInformationByHandle(h, info);
    if (!ok)
        os_set_errno(GetLastError());
    CloseHandle(h);
    return ok ? 0 : -1;
}

int os_same_file(const char *a, const char *b)
{
    BY_HANDLE_FILE_INFORMATION ia, ib;

    if (os_file_id(a, &ia) != 0 || os_file_id(b, &ib) != 0)
        return -1;
    return ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
           ia.nFileIndexHigh == ib.nFileIndexHigh && ia.nFileIndexLow == ib.nFileIndexLow;
}

/*
 * One PATH entry in the form entries are compared in: %VARIABLES% expanded when expand (a
 * REG_EXPAND_SZ value: Windows expands nothing in a REG_SZ one), quotes and trailing
 * separators dropped (not the one of "C:\"). A malloc()ed string, or NULL.
 */
static wchar_t *os_path_entry_norm(const wchar_t *s, size_t len, int expand)
{
    wchar_t *raw = malloc((len + 1) * sizeof(wchar_t)), *x = NULL;
    DWORD n;
    size_t l;

    if (!raw)
        return NULL;
    memcpy(raw, s, len * sizeof(wchar_t));
    raw[len] = L'\0';
    if (!expand) {
        x = raw;
        raw = NULL;
        goto unquote;
    }
    n = ExpandEnvironmentStringsW(raw, NULL, 0);
    if (n > 0 && (x = malloc((size_t)n * sizeof(wchar_t))) != NULL &&
        ExpandEnvironmentStringsW(raw, x, n) != n) {
        free(x);
        x = NULL;
    }
unquote:
    free(raw);
    if (!x)
        return NULL;
    l = wcslen(x);
    if (l >= 2 && x[0] == L'"' && x[l - 1] == L'"') {
        memmove(x, x + 1, (l - 2) * sizeof(wchar_t));
        l -= 2;
        x[l] = L'\0';
    }
    while (l > 1 && (x[l - 1] == L'\\' || x[l - 1] == L'/') && x[l - 2] != L':')
        x[--l] = L'\0';
    return x;
}

static int os_path_entry_is(const wchar_t *entry, size_t len, int expand, const wchar_t *dir_norm)
{
    wchar_t *e = os_path_entry_norm(entry, len, expand);
    int same = e && CompareStringOrdinal(e, -1, dir_norm, -1, TRUE) == CSTR_EQUAL;

    free(e);
    return same;
}

#define OS_ENV_MACHINE L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"

/* HKCU\Environment's Path (machine: HKLM's, read only): its text (malloc()ed, "" when
 * absent) and type, 0; or -1. */
static int os_user_path_read(HKEY *h, wchar_t **value, DWORD *type, REGSAM sam, int machine)
{
    DWORD bytes = 0;
    LSTATUS rc;

    *value = NULL;
    *type = REG_EXPAND_SZ;
    *h = NULL;
    if (machine) /* the machine's: read only */
        rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, OS_ENV_MACHINE, 0, KEY_QUERY_VALUE, h);
    else if (sam & KEY_SET_VALUE)
        rc = RegCreateKeyExW(HKEY_CURRENT_USER, L"Environment", 0, NULL, REG_OPTION_NON_VOLATILE,
                             sam, NULL, h, NULL);
    else /* a look only: nothing created */
        rc = RegOpenKeyExW(HKEY_CURRENT_USER, L"Environment", 0, sam, h);
    if (rc == ERROR_FILE_NOT_FOUND && !(sam & KEY_SET_VALUE) && !machine) {
        *h = NULL;
        *value = calloc(1, sizeof(wchar_t));
        return *value ? 0 : -1;
    }
    if (rc != ERROR_SUCCESS) {
        os_set_errno((DWORD)rc);
        return -1;
    }
    rc = RegQueryValueExW(*h, L"Path", NULL, type, NULL, &bytes);
    if (rc == ERROR_FILE_NOT_FOUND) {
        *type = REG_EXPAND_SZ;
        bytes = 0;
    } else if (rc != ERROR_SUCCESS || (*type != REG_SZ && *type != REG_EXPAND_SZ)) {
        RegCloseKey(*h);
        os_set_errno(rc != ERROR_SUCCESS ? (DWORD)rc : ERROR_INVALID_DATA);
        return -1;
    }
    *value = calloc((size_t)bytes / sizeof(wchar_t) + 1, sizeof(wchar_t));
    if (!*value) {
        RegCloseKey(*h);
        errno = ENOMEM;
        return -1;
    }
    if (bytes &&
        (rc = RegQueryValueExW(*h, L"Path", NULL, type, (BYTE *)*value, &bytes)) != ERROR_SUCCESS) {
        free(*value);
        *value = NULL;
        RegCloseKey(*h);
        os_set_errno((DWORD)rc);
        return -1;
    }
    return 0;
}

/* Tell the running programs (Explorer, which starts new terminals) that the environment
 * changed. user32.dll is loaded here, never at start-up; a program that does not answer
 * within 5 s is skipped (SMTO_ABORTIFHUNG). */
static void os_env_broadcast(void)
{
    typedef LRESULT(WINAPI * send_fn)(HWND, UINT, WPARAM, LPARAM, UINT, UINT, PDWORD_PTR);
    HMODULE u = LoadLibraryExW(L"user32.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    FARPROC f = u ? GetProcAddress(u, "SendMessageTimeoutW") : NULL;
    DWORD_PTR res = 0;

    if (f)
        ((send_fn)(void (*)(void))f)(HWND_BROADCAST, WM_SETTINGCHANGE, 0, (LPARAM)L"Environment",
                                     SMTO_ABORTIFHUNG, 5000, &res);
}

/* has (what 0), add (1) or remove (2) dir in the user's Path (what 3: has, in the machine's). */
static int os_user_path_op(const char *dir, int what)
{
    wchar_t *wdir = os_wide(dir), *norm = NULL, *value = NULL, *next = NULL;
    const wchar_t *p, *end;
    HKEY h = NULL;
    DWORD type;
    size_t vlen, dlen, used = 0;
    int found = 0, rc = -1, machine = what == 3;
    LSTATUS st = ERROR_SUCCESS;

    if (what == 3)
        what = 0;
    if (!wdir || !(norm = os_path_entry_norm(wdir, wcslen(wdir), 0))) {
        free(wdir);
        return -1;
    }
    if (what == 1 && (wcschr(wdir, L';') || wcschr(wdir, L'"'))) {
        /* written as is, it would be two entries (or a broken one): never written */
        free(wdir);
        free(norm);
        errno = EINVAL;
        return -1;
    }
    if (os_user_path_read(&h, &value, &type, KEY_QUERY_VALUE | (what ? KEY_SET_VALUE : 0),
                          machine) != 0)
        goto out;
    vlen = wcslen(value);
    dlen = wcslen(wdir);
    next = malloc((vlen + dlen + 2) * sizeof(wchar_t));
    if (!next) {
        errno = ENOMEM;
        goto out;
    }
    for (p = value; *p; p = *end ? end + 1 : end) {
        end = os_path_entry_end(p); /* "C:\x;y" is one entry */
        if (what == 2 && wcschr(wdir, L';') && wcslen(p) >= dlen &&
            CompareStringOrdinal(p, (int)dlen, wdir, (int)dlen, TRUE) == CSTR_EQUAL &&
            (p[dlen] == L';' || p[dlen] == L'\0'))
            end = p + dlen; /* C:\x;y written unquoted (an older install): its two halves */
        if (what == 2 && (size_t)(end - p) == dlen && wcschr(wdir, L';') &&
            CompareStringOrdinal(p, (int)dlen, wdir, (int)dlen, TRUE) == CSTR_EQUAL) {
            found = 1;
            if (what == 2)
                continue;
        } else if (os_path_entry_is(p, (size_t)(end - p), type == REG_EXPAND_SZ, norm)) {
            found = 1;
            if (what == 2)
                continue; /* dropped, with its separator */
        }
        if (used)
            next[used++] = L';';
        memcpy(next + used, p, (size_t)(end - p) * sizeof(wchar_t));
        used += (size_t)(end - p);
    }
    if (what == 0 || (what == 1 && found) || (what == 2 && !found)) {
        rc = what == 0 ? found : 0;
        goto out;
    }
    if (what == 1) { /* the value as it was, then ";dir" */
        used = vlen;
        memcpy(next, value, vlen * sizeof(wchar_t));
        if (used && next[used - 1] != L';')
            next[used++] = L';';
        memcpy(next + used, wdir, dlen * sizeof(wchar_t));
        used += dlen;
        if (used + 1 > OS_ENV_VALUE_MAX) { /* an environment variable holds no more */
            errno = E2BIG;
            goto out;
        }
    }
    next[used] = L'\0';
    if (used == 0)
        st = RegDeleteValueW(h, L"Path");
    else
        st = RegSetValueExW(h, L"Path", 0, type, (const BYTE *)next,
                            (DWORD)((used + 1) * sizeof(wchar_t)));
    if (st != ERROR_SUCCESS) {
        os_set_errno((DWORD)st);
        goto out;
    }
    os_env_broadcast();
    rc = 1;
out:
    if (h)
        RegCloseKey(h);
    free(wdir);
    free(norm);
    free(value);
    free(next);
    return rc;
}

int os_user_path_has(const char *dir)
{
    return os_user_path_op(dir, 0);
}

int os_user_path_add(const char *dir)
{
    return os_user_path_op(dir, 1);
}

int os_user_path_remove(const char *dir)
{
    return os_user_path_op(dir, 2);
}

int os_path_setting_has(const char *dir)
{
    int m = os_user_path_op(dir, 3), u;

    if (m == 1)
        return 2;
    u = os_user_path_op(dir, 0);
    if (u == 1)
        return 1;
    return m < 0 || u < 0 ? -1 : 0;
}

/* A PATH value as a new process gets it: %VARIABLES% expanded when it is REG_EXPAND_SZ. */
static wchar_t *os_path_value_expanded(int machine)
{
    HKEY h = NULL;
    DWORD type, n;
    wchar_t *value = NULL, *x;

    if (os_user_path_read(&h, &value, &type, KEY_QUERY_VALUE, machine) != 0)
        return NULL;
    if (h)
        RegCloseKey(h);
    if (type != REG_EXPAND_SZ)
        return value;
    n = ExpandEnvironmentStringsW(value, NULL, 0);
    x = n ? malloc((size_t)n * sizeof(wchar_t)) : NULL;
    if (!x || ExpandEnvironmentStringsW(value, x, n) != n) {
        free(x);
        x = NULL;
        errno = ENOMEM;
    }
    free(value);
    return x;
}

int os_which_new_terminal(char *out, size_t outsz, const char *name)
{
    wchar_t *m = os_path_value_expanded(1), *u = m ? os_path_value_expanded(0) : NULL, *all;
    size_t ml, ul;
    int rc = -1, err;

    if (!m || !u) {
        err = errno ? errno : EIO;
        free(m);
        free(u);
        errno = err;
        return -1;
    }
    ml = wcslen(m);
    ul = wcslen(u);
    all = malloc((ml + ul + 2) * sizeof(wchar_t));
    if (!all) {
        err = ENOMEM;
    } else if (ml + ul + 2 > OS_ENV_VALUE_MAX) { /* longer than a variable holds */
        err = E2BIG;
    } else { /* the machine's entries first, then the user's: Windows' order */
        memcpy(all, m, ml * sizeof(wchar_t));
        all[ml] = L';';
        memcpy(all + ml + 1, u, (ul + 1) * sizeof(wchar_t));
        rc = os_which_in(out, outsz, all, name);
        err = errno;
    }
    free(all);
    free(m);
    free(u);
    errno = err;
    return rc;
}

/* ==== end of the PATH block ================================================================== */

#endif /* _WIN32 */
