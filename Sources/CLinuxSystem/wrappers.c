#define _GNU_SOURCE
#include "csys_wrappers.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int csys_errno(void) { return errno; }
int csys_setns(int fd, int nstype) { return setns(fd, nstype); }
int csys_unshare(int flags) { return unshare(flags); }
int csys_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data) {
    return mount(source, target, fstype, flags, data);
}
int csys_umount2(const char *target, int flags) { return umount2(target, flags); }
int csys_pivot_root(const char *new_root, const char *put_old) { return (int)syscall(SYS_pivot_root, new_root, put_old); }
int csys_kill(pid_t pid, int sig) { return kill(pid, sig); }
int csys_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int csys_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

pid_t csys_waitpid(pid_t pid, int *status, int options) {
    pid_t r;
    do { r = waitpid(pid, status, options); } while (r < 0 && errno == EINTR);
    return r;
}
int csys_wifexited(int status) { return WIFEXITED(status); }
int csys_wexitstatus(int status) { return WEXITSTATUS(status); }
int csys_wifsignaled(int status) { return WIFSIGNALED(status); }
int csys_wtermsig(int status) { return WTERMSIG(status); }

int csys_send_fd(int sock, int fd) {
    char data = 'F';
    struct iovec iov = { .iov_base = &data, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof(u));
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

long long csys_statfs_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) < 0) return -1;
    return (long long)info.f_type;
}

int csys_send_fd_to_path(const char *path, int fd) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) { errno = ENAMETOOLONG; return -1; }
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    int rc = connect(s, (struct sockaddr *)&addr, sizeof(addr));
    if (rc == 0) rc = csys_send_fd(s, fd);
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

int csys_recv_fd(int sock) {
    char data;
    struct iovec iov = { .iov_base = &data, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r <= 0) { if (r == 0) errno = ECONNRESET; return -1; }
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

int csys_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int csys_write_file_atomic(const char *path, const void *buf, size_t len, unsigned int mode) {
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) { errno = ENAMETOOLONG; return -1; }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    if (csys_write_all(fd, buf, len) < 0) { int e = errno; close(fd); unlink(tmp); errno = e; return -1; }
    if (close(fd) < 0) { int e = errno; unlink(tmp); errno = e; return -1; }
    if (rename(tmp, path) < 0) { int e = errno; unlink(tmp); errno = e; return -1; }
    return 0;
}

/// The one piece of global state here: a signal handler can only reach a global.
static volatile pid_t forward_target;

static void forward_signal(int sig) {
    int saved = errno;
    if (forward_target > 0) kill(forward_target, sig);
    errno = saved;
}

int csys_forward_signals(pid_t target) {
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
    forward_target = target;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigset_t forwarded;
    sigemptyset(&forwarded);
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        if (sigaction(signals[i], &sa, NULL) < 0) return -1;
        sigaddset(&forwarded, signals[i]);
    }
    // A process can inherit these signals blocked (a parent's thread mask survives exec);
    // a foreground CLI that forwards them must be able to receive them, so unblock them in
    // the thread that waits for the container.
    return pthread_sigmask(SIG_UNBLOCK, &forwarded, NULL) == 0 ? 0 : -1;
}
