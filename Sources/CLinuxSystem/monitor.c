// The monitor: parent of the container's init, owner of its stdio. It logs stdout/stderr in
// the CRI format (`<RFC3339Nano> stdout|stderr F|P <line>`), records the exit atomically in
// the exit file, tells a still-listening skiff, and exits after the container.
#define _GNU_SOURCE
#include "internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void csys_container_child(const struct csys_container_config *c, int sock, int pty_sock) __attribute__((noreturn));

enum { LOG_BUF = 16384 };

struct stream {
    int fd;
    const char *name;      // "stdout" / "stderr"
    char buf[LOG_BUF];
    size_t len;
};

static void format_time(char *out, size_t n) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, n - k, ".%09ldZ", ts.tv_nsec);
}

static void log_record(int log_fd, const char *stream, int partial, const char *data, size_t len) {
    if (log_fd < 0) return;
    char head[80];
    format_time(head, sizeof(head));
    size_t h = strlen(head);
    snprintf(head + h, sizeof(head) - h, " %s %c ", stream, partial ? 'P' : 'F');
    struct iovec iov[3] = {
        { .iov_base = head, .iov_len = strlen(head) },
        { .iov_base = (void *)data, .iov_len = len },
        { .iov_base = "\n", .iov_len = 1 },
    };
    ssize_t r;
    do { r = writev(log_fd, iov, 3); } while (r < 0 && errno == EINTR);
}

/// Emits every complete line in the buffer; a line longer than `max` goes out in P pieces.
static void flush_lines(struct stream *s, int log_fd, size_t max, int eof) {
    size_t start = 0;
    for (;;) {
        char *nl = memchr(s->buf + start, '\n', s->len - start);
        size_t avail = s->len - start;
        if (nl != NULL && (size_t)(nl - (s->buf + start)) <= max) {
            size_t line = (size_t)(nl - (s->buf + start));
            log_record(log_fd, s->name, 0, s->buf + start, line);
            start += line + 1;
        } else if (avail >= max) {
            log_record(log_fd, s->name, 1, s->buf + start, max);
            start += max;
        } else break;
    }
    if (eof && start < s->len) {
        log_record(log_fd, s->name, 0, s->buf + start, s->len - start);
        start = s->len;
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
}

/// Reads what is available; returns 0 on EOF (and closes), 1 otherwise.
static int pump(struct stream *s, int log_fd, size_t max) {
    if (s->len == sizeof(s->buf)) flush_lines(s, log_fd, max, 0);
    ssize_t r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (r <= 0) { // EOF, or EIO on a pty whose last slave closed
        flush_lines(s, log_fd, max, 1);
        close(s->fd);
        s->fd = -1;
        return 0;
    }
    s->len += (size_t)r;
    flush_lines(s, log_fd, max, 0);
    return 1;
}

static int read_oom_kills(const char *path) {
    if (path == NULL) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = strstr(buf, "oom_kill ");
    return p != NULL ? atoi(p + 9) : 0;
}

static void write_exit(const struct csys_monitor_config *m, pid_t pid, int status, int oom) {
    char when[64];
    format_time(when, sizeof(when));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    char json[256];
    int n = snprintf(json, sizeof(json),
                     "{\"pid\":%d,\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"finishedAt\":\"%s\"}\n",
                     (int)pid, code, sig, oom ? "true" : "false", when);
    if (m->exit_file != NULL) csys_write_file_atomic(m->exit_file, json, (size_t)n, 0644);
}

static int open_devnull(void) { return open("/dev/null", O_RDWR | O_CLOEXEC); }

/// Closes every fd above stdio except `keep` (ascending): the monitor lives on, so whatever
/// the caller had open (files being written, sockets) must not stay open with it.
static void close_inherited(const int *keep, int count) {
    unsigned int from = 3;
    for (int i = 0; i < count; i++) {
        if (keep[i] < 0 || (unsigned int)keep[i] < from) continue;
        if ((unsigned int)keep[i] > from) syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        from = (unsigned int)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

static int compare_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

void csys_monitor_run(const struct csys_container_config *c, const struct csys_monitor_config *m,
                      int child_sock, int monitor_sock) {
    struct csys_report r;
    int keep[3] = { child_sock, monitor_sock, m->stdin_fd };
    qsort(keep, 3, sizeof(int), compare_int);
    close_inherited(keep, 3);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_NAME, "skiff-monitor", 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);

    int log_fd = -1, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, pty_sv[2] = {-1, -1};
    if (m->log_path != NULL) {
        log_fd = open(m->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0) goto fail_errno_log;
    }
    if (c->process.terminal) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pty_sv) < 0) goto fail_errno;
    } else if (log_fd >= 0) {
        if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) goto fail_errno;
    }
    for (size_t i = 0; i < c->join_count; i++) {
        if (c->joins[i].flag != CLONE_NEWPID) continue;
        int fd = open(c->joins[i].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
            memset(&r, 0, sizeof(r));
            r.kind = CSYS_REPORT_ERROR; r.stage = CSYS_STAGE_NAMESPACES; r.err = errno;
            snprintf(r.message, sizeof(r.message), "joining pid namespace %s", c->joins[i].path);
            csys_send_report(monitor_sock, &r);
            _exit(1);
        }
        close(fd);
    }

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC);

    pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)(c->clone_flags | SIGCHLD), NULL, NULL, NULL, NULL);
    if (pid < 0) goto fail_errno_clone;
    if (pid == 0) {
        close(monitor_sock);
        if (c->process.terminal) {
            close(pty_sv[0]);
            int nul = open_devnull();
            if (m->console_socket == NULL && log_fd >= 0) { /* the pty replaces stdio */ }
            if (nul >= 0) { dup2(nul, 0); }
        } else if (log_fd >= 0) {
            int nul = open_devnull();
            if (nul < 0 || dup2(nul, 0) < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0)
                csys_child_fail(child_sock, CSYS_STAGE_MONITOR, errno, "setting up stdio pipes");
        } else if (m->stdin_fd >= 0) {
            dup2(m->stdin_fd, 0);
        }
        // Nothing of skiff's leaks into the container: every fd above stdio closes on exec.
        syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
        csys_container_child(c, child_sock, c->process.terminal ? pty_sv[1] : -1);
    }
    close(child_sock);
    if (pty_sv[1] >= 0) close(pty_sv[1]);
    if (out_pipe[1] >= 0) { close(out_pipe[1]); close(err_pipe[1]); }

    memset(&r, 0, sizeof(r));
    r.kind = CSYS_REPORT_PID;
    r.pid = pid;
    r.monitor_pid = getpid();
    csys_send_report(monitor_sock, &r);

    // The monitor keeps nothing of the caller's terminal or pipes.
    int nul = open_devnull();
    if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); dup2(nul, 2); if (nul > 2) close(nul); }
    if (m->stdin_fd > 2) close(m->stdin_fd);

    struct stream out = { .fd = out_pipe[0], .name = "stdout" };
    struct stream err = { .fd = err_pipe[0], .name = "stderr" };
    int pty_listen = pty_sv[0];
    size_t max = m->log_line_max > 0 && m->log_line_max < LOG_BUF ? m->log_line_max : LOG_BUF - 1;
    int exited = 0, status = 0, held_slave = -1;
    for (;;) {
        struct pollfd fds[4];
        int n = 0, i_sig = -1, i_out = -1, i_err = -1, i_pty = -1;
        if (!exited) { i_sig = n; fds[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN }; }
        if (out.fd >= 0) { i_out = n; fds[n++] = (struct pollfd){ .fd = out.fd, .events = POLLIN }; }
        if (err.fd >= 0) { i_err = n; fds[n++] = (struct pollfd){ .fd = err.fd, .events = POLLIN }; }
        if (pty_listen >= 0) { i_pty = n; fds[n++] = (struct pollfd){ .fd = pty_listen, .events = POLLIN }; }
        if (n == 0) break;
        // After the exit, stragglers holding the pipes get a short grace, not forever; a
        // pty (whose slave we hold, so it never reports EOF) just gets drained.
        int rc = poll(fds, (nfds_t)n, exited ? (held_slave >= 0 ? 50 : 200) : -1);
        if (rc < 0) { if (errno == EINTR) continue; break; }
        if (rc == 0) break;
        if (i_sig >= 0 && fds[i_sig].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) < 0) { /* drained below anyway */ }
            int st;
            pid_t w;
            while ((w = waitpid(-1, &st, WNOHANG)) > 0)
                if (w == pid) { exited = 1; status = st; }
        }
        if (i_out >= 0 && fds[i_out].revents) pump(&out, log_fd, max);
        if (i_err >= 0 && fds[i_err].revents) pump(&err, log_fd, max);
        if (i_pty >= 0 && fds[i_pty].revents) {
            int master = csys_recv_fd(pty_listen);
            if (master >= 0) {
                if (m->console_socket != NULL) {
                    int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                    struct sockaddr_un addr = { .sun_family = AF_UNIX };
                    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", m->console_socket);
                    if (cs >= 0 && connect(cs, (struct sockaddr *)&addr, sizeof(addr)) == 0) csys_send_fd(cs, master);
                    if (cs >= 0) close(cs);
                    close(master);
                } else {
                    out.fd = master; // the pty's output is the container's stdout
                    // Hold a slave open ourselves: when the container's last slave closes
                    // first, Linux returns EIO on the master and drops what was unread.
                    // The child sent a slave right after the master, so one is open all along.
                    held_slave = csys_recv_fd(pty_listen);
                }
            }
            close(pty_listen);
            pty_listen = -1;
        }
    }
    if (!exited) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    // Reap anything reparented to us (the container's own orphans, in a shared pid namespace).
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    int oom = read_oom_kills(m->oom_file) > 0;
    write_exit(m, pid, status, oom);
    memset(&r, 0, sizeof(r));
    r.kind = CSYS_REPORT_EXIT;
    r.pid = pid;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.oom_killed = oom;
    csys_send_report(monitor_sock, &r);
    _exit(0);

fail_errno_log:
    memset(&r, 0, sizeof(r));
    r.kind = CSYS_REPORT_ERROR; r.stage = CSYS_STAGE_MONITOR; r.err = errno;
    snprintf(r.message, sizeof(r.message), "opening container log %s", m->log_path);
    csys_send_report(monitor_sock, &r);
    _exit(1);
fail_errno_clone:
    memset(&r, 0, sizeof(r));
    r.kind = CSYS_REPORT_ERROR; r.stage = CSYS_STAGE_NAMESPACES; r.err = errno;
    snprintf(r.message, sizeof(r.message), "clone with namespace flags 0x%x", c->clone_flags);
    csys_send_report(monitor_sock, &r);
    _exit(1);
fail_errno:
    memset(&r, 0, sizeof(r));
    r.kind = CSYS_REPORT_ERROR; r.stage = CSYS_STAGE_MONITOR; r.err = errno;
    snprintf(r.message, sizeof(r.message), "setting up the container's stdio");
    csys_send_report(monitor_sock, &r);
    _exit(1);
}
