// One-line wrappers over syscalls and macros Swift cannot call directly (variadic ioctl/prctl,
// raw syscalls without glibc wrappers, errno access).
#ifndef CSYS_WRAPPERS_H
#define CSYS_WRAPPERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int csys_errno(void);
int csys_setns(int fd, int nstype);
int csys_unshare(int flags);
int csys_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data);
int csys_umount2(const char *target, int flags);
int csys_pivot_root(const char *new_root, const char *put_old);
int csys_kill(pid_t pid, int sig);
int csys_pidfd_open(pid_t pid);
int csys_pidfd_send_signal(int pidfd, int sig);
/// waitpid that retries on EINTR; returns the raw wait status in *status.
pid_t csys_waitpid(pid_t pid, int *status, int options);
int csys_wifexited(int status);
int csys_wexitstatus(int status);
int csys_wifsignaled(int status);
int csys_wtermsig(int status);
/// Sends a file descriptor over a connected unix socket (SCM_RIGHTS).
int csys_send_fd(int sock, int fd);
/// statfs(2)'s f_type for `path` (the filesystem's magic number), or -1 with errno.
long long csys_statfs_type(const char *path);
/// Connects to the unix stream socket at `path` and sends `fd` (runc's --console-socket).
int csys_send_fd_to_path(const char *path, int fd);
/// Receives a file descriptor sent with csys_send_fd; returns it or -1.
int csys_recv_fd(int sock);
/// Writes all of buf, retrying on EINTR and short writes.
int csys_write_all(int fd, const void *buf, size_t len);
/// Writes `len` bytes to `path` atomically: a temporary file in the same directory, fsync-free
/// (state files live on tmpfs), then rename.
int csys_write_file_atomic(const char *path, const void *buf, size_t len, unsigned int mode);

/// Installs process-wide handlers that pass SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
/// and SIGWINCH on to `target` (what `runtime run` in the foreground does, as runc does).
/// For a command-line process only: it takes over those signals for the whole process.
int csys_forward_signals(pid_t target);

#endif
