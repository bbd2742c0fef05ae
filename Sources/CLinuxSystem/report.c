#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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
