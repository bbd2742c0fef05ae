#define _GNU_SOURCE
#include "csys_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int csys_run_hook(const struct csys_hook *hook, const char *state, size_t state_len,
                  char *output, size_t output_size, int *wait_status, int *err) {
    size_t used = 0;
    if (output != NULL && output_size > 0) output[0] = 0;
    *wait_status = 0;
    *err = 0;
    int in[2], out[2], report[2];
    if (pipe2(in, O_CLOEXEC) < 0) { *err = errno; return CSYS_HOOK_NOT_STARTED; }
    if (pipe2(out, O_CLOEXEC) < 0) { *err = errno; close(in[0]); close(in[1]); return CSYS_HOOK_NOT_STARTED; }
    // The exec error travels back on a CLOEXEC pipe: EOF means execve succeeded.
    if (pipe2(report, O_CLOEXEC) < 0) {
        *err = errno;
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        return CSYS_HOOK_NOT_STARTED;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *err = errno;
        close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(report[0]); close(report[1]);
        return CSYS_HOOK_NOT_STARTED;
    }
    if (pid == 0) {
        // The caller may be a thread with signals blocked; a hook starts like a fresh process.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) {
            int e = errno;
            (void)!write(report[1], &e, sizeof(e));
            _exit(127);
        }
        static const char *const empty[] = { NULL };
        execve(hook->path, (char *const *)hook->argv, (char *const *)(hook->envp != NULL ? hook->envp : empty));
        int e = errno;
        (void)!write(report[1], &e, sizeof(e));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(report[1]);
    int exec_errno = 0;
    ssize_t got;
    do { got = read(report[0], &exec_errno, sizeof(exec_errno)); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof(exec_errno)) {
        close(in[1]);
        close(out[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *err = exec_errno;
        return CSYS_HOOK_NOT_STARTED;
    }

    // The state fits in the pipe buffer; a hook that never reads stdin must not block us.
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    size_t written = 0;
    while (written < state_len) {
        ssize_t w = write(in[1], state + written, state_len - written);
        if (w < 0) { if (errno == EINTR) continue; break; }
        written += (size_t)w;
    }
    close(in[1]);

    long long deadline = hook->timeout > 0 ? now_ms() + (long long)hook->timeout * 1000 : -1;
    int status = 0, exited = 0, timed_out = 0, open_out = 1;
    while (!exited) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) { exited = 1; break; }
        if (r < 0 && errno != EINTR) { *err = errno; break; }
        if (deadline >= 0 && now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
            timed_out = 1;
            break;
        }
        // Wait for output or a short slice: the hook may exit while a child of its keeps
        // the output pipe open, so EOF alone does not mean it is done.
        struct pollfd p = { .fd = out[0], .events = POLLIN, .revents = 0 };
        int ready = poll(&p, open_out ? 1 : 0, 5);
        if (ready > 0 && open_out) {
            char scratch[512];
            char *dest = scratch;
            size_t room = sizeof(scratch);
            if (output != NULL && used + 1 < output_size) { dest = output + used; room = output_size - 1 - used; }
            ssize_t n = read(out[0], dest, room);
            if (n > 0 && dest != scratch) { used += (size_t)n; output[used] = 0; }
            if (n == 0) open_out = 0;
        }
    }
    // Whatever is left without blocking (a grandchild may still hold the pipe).
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    while (open_out && output != NULL && used + 1 < output_size) {
        ssize_t n = read(out[0], output + used, output_size - 1 - used);
        if (n <= 0) break;
        used += (size_t)n;
        output[used] = 0;
    }
    close(out[0]);
    *wait_status = status;
    if (timed_out) return CSYS_HOOK_TIMED_OUT;
    if (!exited) return CSYS_HOOK_FAILED;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? CSYS_HOOK_OK : CSYS_HOOK_FAILED;
}
