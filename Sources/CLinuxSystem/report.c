#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void csys_send_report(int sock, const struct csys_report *report) {
    ssize_t r;
    do { r = send(sock, report, sizeof(*report), MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
}

void csys_child_fail(int sock, int stage, int err, const char *fmt, ...) {
    struct csys_report report;
    memset(&report, 0, sizeof(report));
    report.kind = CSYS_REPORT_ERROR;
    report.stage = stage;
    report.err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(report.message, sizeof(report.message), fmt, ap);
    va_end(ap);
    csys_send_report(sock, &report);
    // Shell conventions: 127 command not found, 126 not executable, 1 any setup failure.
    _exit(stage == CSYS_STAGE_EXEC ? (err == ENOENT ? 127 : 126) : 1);
}

int csys_read_report(int sock, struct csys_report *report) {
    ssize_t r;
    memset(report, 0, sizeof(*report));
    do { r = recv(sock, report, sizeof(*report), 0); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (r == 0) return 0;
    return 1;
}

void csys_child_run_hooks(const struct csys_hooks *hooks, const char *what, int sock, int also_stderr, int result_fd) {
    // After fork of a threaded parent malloc is off limits: the state buffer is mapped.
    size_t before = strlen(hooks->state_before_pid), after = strlen(hooks->state_after_pid);
    size_t size = before + after + 16;
    char *state = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (state == MAP_FAILED) csys_child_fail(sock, CSYS_STAGE_HOOKS, errno, "%s hooks: mapping the state", what);
    memcpy(state, hooks->state_before_pid, before);
    int n = snprintf(state + before, 16, "%d", (int)getpid());
    memcpy(state + before + (size_t)n, hooks->state_after_pid, after);
    size_t len = before + (size_t)n + after;
    for (size_t i = 0; i < hooks->count; i++) {
        const struct csys_hook *h = &hooks->hooks[i];
        char output[256];
        int status = 0, err = 0;
        int rc = csys_run_hook(h, state, len, output, sizeof(output), &status, &err);
        if (rc == CSYS_HOOK_OK) continue;
        char message[400];
        if (rc == CSYS_HOOK_NOT_STARTED)
            snprintf(message, sizeof(message), "%s hook %zu (%s) could not start: %s", what, i, h->path, strerror(err));
        else if (rc == CSYS_HOOK_TIMED_OUT)
            snprintf(message, sizeof(message), "%s hook %zu (%s) timed out after %d s and was killed; output: %s", what, i, h->path, h->timeout, output);
        else if (WIFSIGNALED(status))
            snprintf(message, sizeof(message), "%s hook %zu (%s) killed by signal %d; output: %s", what, i, h->path, WTERMSIG(status), output);
        else
            snprintf(message, sizeof(message), "%s hook %zu (%s) exited %d; output: %s", what, i, h->path, WEXITSTATUS(status), output);
        if (also_stderr) dprintf(2, "skiff: %s\n", message);
        if (result_fd >= 0) {
            // `start` reads this instead of the "0" that lets it return successfully.
            if (write(result_fd, "1", 1) == 1) {
                ssize_t ignored = write(result_fd, message, strlen(message));
                (void)ignored;
            }
        }
        csys_child_fail(sock, CSYS_STAGE_HOOKS, rc == CSYS_HOOK_NOT_STARTED ? err : 0, "%s", message);
    }
    munmap(state, size);
}
