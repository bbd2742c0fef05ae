// Process tree: skiff ─fork→ intermediate (setsid) ─fork→ monitor ─clone(CLONE_NEW*)→ init.
// The intermediate exits at once, so the monitor is reparented away from skiff: the
// container lives on when skiff exits or is killed. Two SEQPACKET socketpairs carry the
// reports: one to the child (GO, then ERROR/READY or EOF on exec), one to the monitor
// (PID, later EXIT).
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

void csys_container_child(const struct csys_container_config *c, int sock, int pty_sock) __attribute__((noreturn));

static void fail_report(struct csys_report *r, int stage, int err, const char *what) {
    memset(r, 0, sizeof(*r));
    r->kind = CSYS_REPORT_ERROR;
    r->stage = stage;
    r->err = err;
    snprintf(r->message, sizeof(r->message), "%s", what);
}

int csys_container_launch(const struct csys_container_config *c, const struct csys_monitor_config *m,
                          struct csys_launch *out) {
    memset(out, 0, sizeof(*out));
    out->child_sock = out->monitor_sock = -1;
    int child_sv[2], mon_sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, child_sv) < 0) {
        fail_report(&out->error, CSYS_STAGE_MONITOR, errno, "socketpair");
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, mon_sv) < 0) {
        fail_report(&out->error, CSYS_STAGE_MONITOR, errno, "socketpair");
        close(child_sv[0]); close(child_sv[1]);
        return -1;
    }
    if (m->attached) {
        // One fork fewer on the hot path of `run`: the monitor is our child and we reap it.
        // It still outlives us if we die (it is then reparented), so containers survive.
        pid_t mon = fork();
        if (mon < 0) {
            fail_report(&out->error, CSYS_STAGE_MONITOR, errno, "fork");
            close(child_sv[0]); close(child_sv[1]); close(mon_sv[0]); close(mon_sv[1]);
            return -1;
        }
        if (mon == 0) {
            close(child_sv[0]);
            close(mon_sv[0]);
            setsid();
            csys_monitor_run(c, m, child_sv[1], mon_sv[1]);
        }
        close(child_sv[1]);
        close(mon_sv[1]);
        struct csys_report r;
        int got = csys_read_report(mon_sv[0], &r);
        if (got <= 0 || r.kind != CSYS_REPORT_PID) {
            if (got > 0) out->error = r;
            else fail_report(&out->error, CSYS_STAGE_MONITOR, got < 0 ? errno : EPIPE, "the monitor exited before starting the container");
            close(child_sv[0]);
            close(mon_sv[0]);
            int status;
            while (waitpid(mon, &status, 0) < 0 && errno == EINTR) {}
            return -1;
        }
        out->container_pid = r.pid;
        out->monitor_pid = r.monitor_pid;
        out->child_sock = child_sv[0];
        out->monitor_sock = mon_sv[0];
        return 0;
    }
    pid_t mid = fork();
    if (mid < 0) {
        fail_report(&out->error, CSYS_STAGE_MONITOR, errno, "fork");
        close(child_sv[0]); close(child_sv[1]); close(mon_sv[0]); close(mon_sv[1]);
        return -1;
    }
    if (mid == 0) {
        close(child_sv[0]);
        close(mon_sv[0]);
        setsid();
        pid_t mon = fork();
        if (mon == 0) csys_monitor_run(c, m, child_sv[1], mon_sv[1]);
        if (mon < 0) {
            struct csys_report r;
            fail_report(&r, CSYS_STAGE_MONITOR, errno, "forking the monitor");
            csys_send_report(mon_sv[1], &r);
        }
        _exit(0);
    }
    close(child_sv[1]);
    close(mon_sv[1]);

    // Read the monitor's report before reaping the intermediate: it exits in parallel with
    // the monitor's clone, and waiting for it first would add a scheduling round trip.
    struct csys_report r;
    int got = csys_read_report(mon_sv[0], &r);
    int status;
    while (waitpid(mid, &status, 0) < 0 && errno == EINTR) {}
    if (got <= 0 || r.kind != CSYS_REPORT_PID) {
        if (got > 0) out->error = r;
        else fail_report(&out->error, CSYS_STAGE_MONITOR, got < 0 ? errno : EPIPE, "the monitor exited before starting the container");
        close(child_sv[0]);
        close(mon_sv[0]);
        return -1;
    }
    out->container_pid = r.pid;
    out->monitor_pid = r.monitor_pid;
    out->child_sock = child_sv[0];
    out->monitor_sock = mon_sv[0];
    return 0;
}

int csys_container_resume(int child_sock, struct csys_report *report) {
    struct csys_report go;
    memset(&go, 0, sizeof(go));
    go.kind = CSYS_REPORT_READY;
    if (send(child_sock, &go, sizeof(go), MSG_NOSIGNAL) < 0) {
        fail_report(report, CSYS_STAGE_SYNC, errno, "the container process exited before setup");
        return -1;
    }
    int got = csys_read_report(child_sock, report);
    if (got == 0) return 0;                                  // execve closed the socket
    if (got < 0) { fail_report(report, CSYS_STAGE_SYNC, errno, "reading the container's report"); return -1; }
    if (report->kind == CSYS_REPORT_READY) return 0;         // waiting for `start`
    return -1;
}

int csys_container_wait(int monitor_sock, struct csys_report *report) {
    for (;;) {
        int got = csys_read_report(monitor_sock, report);
        if (got <= 0) {
            fail_report(report, CSYS_STAGE_MONITOR, got < 0 ? errno : EPIPE, "the monitor exited without reporting");
            return -1;
        }
        if (report->kind == CSYS_REPORT_EXIT) return 0;
    }
}
