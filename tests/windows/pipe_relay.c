/*
 * pipe_relay — a test tool for the Windows build, run under Wine (tests/windows/): starts
 * a program with its stdin and stdout on Windows anonymous pipes (CreatePipe), as Chrome
 * starts a native-messaging host, and relays its own stdin and stdout to them. Under Wine a
 * test's own pipes are Unix pipes, which PeekNamedPipe cannot look into; through this relay
 * the host gets real Windows pipes, so os_wait_readable's PeekNamedPipe polling is what
 * runs. Exits with the program's exit code (125 when it cannot be started).
 *   pipe_relay.exe PROGRAM.exe [ARG]
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

struct relay {
    HANDLE from, to;
    int close_to; /* close `to` at end of input: the program sees end of file */
};

static DWORD WINAPI relay_main(void *arg)
{
    struct relay *r = arg;
    char buf[65536];
    DWORD n, w;

    while (ReadFile(r->from, buf, sizeof(buf), &n, NULL) && n > 0) {
        DWORD off = 0;
        while (off < n) {
            if (!WriteFile(r->to, buf + off, n - off, &w, NULL))
                goto done;
            off += w;
        }
    }
done:
    if (r->close_to)
        CloseHandle(r->to);
    return 0;
}

int main(int argc, char **argv)
{
    SECURITY_ATTRIBUTES inherit = {sizeof(inherit), NULL, TRUE};
    HANDLE in_r, in_w, out_r, out_w, t_in, t_out;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    struct relay to_child, from_child;
    char cmd[4096];
    DWORD code = 125;

    if (argc < 2)
        return 125;
    snprintf(cmd, sizeof(cmd), "\"%s\"%s%s%s", argv[1], argc > 2 ? " \"" : "",
             argc > 2 ? argv[2] : "", argc > 2 ? "\"" : "");
    if (!CreatePipe(&in_r, &in_w, &inherit, 0) || !CreatePipe(&out_r, &out_w, &inherit, 0))
        return 125;
    SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
        return 125;
    CloseHandle(in_r);
    CloseHandle(out_w);
    to_child.from = GetStdHandle(STD_INPUT_HANDLE);
    to_child.to = in_w;
    to_child.close_to = 1;
    from_child.from = out_r;
    from_child.to = GetStdHandle(STD_OUTPUT_HANDLE);
    from_child.close_to = 0;
    t_in = CreateThread(NULL, 0, relay_main, &to_child, 0, NULL);
    t_out = CreateThread(NULL, 0, relay_main, &from_child, 0, NULL);
    WaitForSingleObject(pi.hProcess, INFINITE);
    WaitForSingleObject(t_out, 10000); /* everything it wrote, relayed */
    GetExitCodeProcess(pi.hProcess, &code);
    (void)t_in; /* may stay blocked reading our stdin: ExitProcess ends it */
    ExitProcess(code);
}
