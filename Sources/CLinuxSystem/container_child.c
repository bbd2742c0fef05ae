// The container's init before execve, in crun's fixed order: join namespaces → wait for the
// parent (cgroup) → mounts → pivot_root → hostname → sysctls → masked/read-only paths →
// terminal → process setup (rlimits … seccomp) → execve. Runs C only.
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static void write_sysctl(const char *key, const char *value, int sock) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
    if (n < 0 || n >= (int)sizeof(path)) csys_child_fail(sock, CSYS_STAGE_SYSCTL, ENAMETOOLONG, "sysctl %s", key);
    for (char *p = path + 10; *p; p++) if (*p == '.') *p = '/';
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) csys_child_fail(sock, CSYS_STAGE_SYSCTL, errno, "opening sysctl %s", key);
    size_t len = strlen(value);
    if (write(fd, value, len) != (ssize_t)len) csys_child_fail(sock, CSYS_STAGE_SYSCTL, errno, "setting sysctl %s=%s", key, value);
    close(fd);
}

static void mask_path(const char *path, int sock) {
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return;
        csys_child_fail(sock, CSYS_STAGE_MASKED_PATHS, errno, "stat masked path %s", path);
    }
    int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL)
                                 : mount("/dev/null", path, NULL, MS_BIND, NULL);
    if (rc < 0) csys_child_fail(sock, CSYS_STAGE_MASKED_PATHS, errno, "masking %s", path);
}

static void readonly_path(const char *path, int sock) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        csys_child_fail(sock, CSYS_STAGE_READONLY_PATHS, errno, "bind mounting %s", path);
    }
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_READONLY_PATHS, errno, "remounting %s read-only", path);
}

/// Allocates a pty from the container's own devpts; the master (and a slave) go over
/// `pty_sock` (to the monitor for the init, to the caller for exec).
void csys_setup_terminal(int pty_sock, int sock) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "opening /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "unlocking the pty");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "opening the pty peer");
    if (csys_send_fd(pty_sock, master) < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "sending the pty master");
    // A slave travels too: in flight and then in the monitor it keeps the pty from hanging up
    // (and dropping unread output) if we exit before the monitor has read everything.
    if (csys_send_fd(pty_sock, slave) < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "sending the pty slave");
    close(master);
    close(pty_sock);
    if (setsid() < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "TIOCSCTTY");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) csys_child_fail(sock, CSYS_STAGE_TERMINAL, errno, "dup2 pty");
    if (slave > 2) close(slave);
}

/// The container child's main. Never returns.
__attribute__((noreturn))
void csys_container_child(const struct csys_container_config *c, int sock, int pty_sock) {
    // Undo what the monitor set for itself; the container starts with default dispositions.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);

    for (size_t i = 0; i < c->join_count; i++) {
        if (c->joins[i].flag == CLONE_NEWPID) continue; // joined by the monitor before clone
        int fd = open(c->joins[i].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "opening namespace %s", c->joins[i].path);
        if (setns(fd, c->joins[i].flag) < 0) csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "joining namespace %s", c->joins[i].path);
        close(fd);
    }

    struct csys_report go;
    int r = csys_read_report(sock, &go);
    if (r <= 0) _exit(1); // the parent gave up
    // A cgroup namespace is rooted at the cgroup we are in now: the container's own.
    if (c->late_unshare_flags != 0 && unshare(c->late_unshare_flags) < 0)
        csys_child_fail(sock, CSYS_STAGE_NAMESPACES, errno, "unsharing namespaces 0x%x", c->late_unshare_flags);

    int fifo_fd = -1;
    if (c->exec_fifo != NULL) {
        fifo_fd = open(c->exec_fifo, O_PATH | O_CLOEXEC);
        if (fifo_fd < 0) csys_child_fail(sock, CSYS_STAGE_EXEC_FIFO, errno, "opening exec fifo %s", c->exec_fifo);
    }

    csys_setup_rootfs(c, sock);

    if (c->hostname != NULL && sethostname(c->hostname, strlen(c->hostname)) < 0)
        csys_child_fail(sock, CSYS_STAGE_HOSTNAME, errno, "sethostname %s", c->hostname);
    if (c->domainname != NULL && setdomainname(c->domainname, strlen(c->domainname)) < 0)
        csys_child_fail(sock, CSYS_STAGE_HOSTNAME, errno, "setdomainname %s", c->domainname);
    for (size_t i = 0; i < c->sysctl_count; i++) write_sysctl(c->sysctl_keys[i], c->sysctl_values[i], sock);
    for (size_t i = 0; i < c->masked_count; i++) mask_path(c->masked_paths[i], sock);
    for (size_t i = 0; i < c->readonly_count; i++) readonly_path(c->readonly_paths[i], sock);
    if (c->rootfs_readonly && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "remounting the root read-only");
    if (c->process.terminal) csys_setup_terminal(pty_sock, sock);
    else if (pty_sock >= 0) close(pty_sock);

    csys_process_exec(&c->process, sock, fifo_fd, &c->start_container_hooks);
}
