// Exec into a running container. skiff ─fork→ intermediate: waits for GO (the caller has put
// it into the container's cgroup), opens every namespace first, joins them (mount last, so
// the other paths still resolve), then forks: setns(pid) only applies to children. The
// grandchild sets up the process like the container's init and execs; the intermediate
// mirrors its exit status.
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noreturn))
static void exec_intermediate(const struct csys_exec_config *c, int sock, int pty_sock) {
    struct csys_report go;
    if (csys_read_report(sock, &go) <= 0) _exit(1);
    int fds[16];
    if (c->ns_count > 16) csys_child_fail(sock, CSYS_STAGE_NAMESPACES, E2BIG, "too many namespaces");
    for (size_t i = 0; i < c->ns_count; i++) {
        fds[i] = open(c->ns_paths[i], O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "opening namespace %s", c->ns_paths[i]);
    }
    for (size_t i = 0; i < c->ns_count; i++) {
        if (setns(fds[i], c->ns_flags[i]) < 0)
            csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "joining namespace %s", c->ns_paths[i]);
        close(fds[i]);
    }
    if (c->stdin_fd >= 0 && dup2(c->stdin_fd, 0) < 0) csys_child_fail(sock, CSYS_STAGE_SYNC, errno, "dup2 stdin");
    if (c->stdout_fd >= 0 && dup2(c->stdout_fd, 1) < 0) csys_child_fail(sock, CSYS_STAGE_SYNC, errno, "dup2 stdout");
    if (c->stderr_fd >= 0 && dup2(c->stderr_fd, 2) < 0) csys_child_fail(sock, CSYS_STAGE_SYNC, errno, "dup2 stderr");
    syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
    pid_t pid = fork();
    if (pid < 0) csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "fork into the pid namespace");
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        // The pty comes from the container's devpts (we are in its mount namespace now).
        if (c->process.terminal) csys_setup_terminal(pty_sock, sock);
        csys_process_exec(&c->process, sock, -1, NULL);
    }
    close(sock);
    if (pty_sock >= 0) close(pty_sock);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) _exit(1);
    }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    kill(getpid(), sig);
    _exit(128 + sig);
}

int csys_exec_launch(const struct csys_exec_config *c, struct csys_exec_launch *out, struct csys_report *report) {
    memset(out, 0, sizeof(*out));
    memset(report, 0, sizeof(*report));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        report->kind = CSYS_REPORT_ERROR; report->stage = CSYS_STAGE_SYNC; report->err = errno;
        snprintf(report->message, sizeof(report->message), "socketpair");
        return -1;
    }
    int pty[2] = { -1, -1 };
    if (c->process.terminal && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pty) < 0) {
        report->kind = CSYS_REPORT_ERROR; report->stage = CSYS_STAGE_TERMINAL; report->err = errno;
        snprintf(report->message, sizeof(report->message), "socketpair for the terminal");
        close(sv[0]); close(sv[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        report->kind = CSYS_REPORT_ERROR; report->stage = CSYS_STAGE_SYNC; report->err = errno;
        snprintf(report->message, sizeof(report->message), "fork");
        close(sv[0]); close(sv[1]);
        if (pty[0] >= 0) { close(pty[0]); close(pty[1]); }
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        if (pty[0] >= 0) close(pty[0]);
        exec_intermediate(c, sv[1], pty[1]);
    }
    close(sv[1]);
    if (pty[1] >= 0) close(pty[1]);
    out->pid = pid;
    out->sock = sv[0];
    out->pty_sock = pty[0];
    return 0;
}

int csys_exec_resume(int sock, struct csys_report *report) {
    return csys_container_resume(sock, report);
}
