// The last steps before execve, shared by a container's init and by exec: rlimits, OOM score,
// umask, cwd, groups/gid/uid with the spec's capabilities kept, ambient caps, no_new_privs,
// seccomp. Without no_new_privs the filter is installed while still fully privileged (it
// needs CAP_SYS_ADMIN then); with it, as the very last step.
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void apply_seccomp(const struct csys_process *p, int sock) {
    struct sock_fprog prog = {
        .len = (unsigned short)(p->seccomp_bpf_len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)p->seccomp_bpf,
    };
    long rc = p->seccomp_flags != 0
        ? syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &prog)
        : prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    if (rc < 0) csys_child_fail(sock, CSYS_STAGE_SECCOMP, errno, "installing the seccomp filter");
}

static void set_caps(const struct csys_process *p, int sock) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(p->cap_effective >> (32 * i));
        data[i].permitted = (uint32_t)(p->cap_permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(p->cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &header, data) < 0) csys_child_fail(sock, CSYS_STAGE_CAPABILITIES, errno, "capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        csys_child_fail(sock, CSYS_STAGE_CAPABILITIES, errno, "clearing ambient capabilities");
    // The kernel only keeps ambient capabilities that are also permitted and inheritable;
    // specs (crun's and runc's defaults among them) often list ambient ones without
    // inheritable, which runc and crun skip rather than fail on. So do we.
    uint64_t ambient = p->cap_ambient & p->cap_inheritable & p->cap_permitted;
    for (int cap = 0; cap < 64; cap++) {
        if ((ambient >> cap) & 1) {
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                csys_child_fail(sock, CSYS_STAGE_CAPABILITIES, errno, "raising ambient capability %d", cap);
        }
    }
}

static void drop_bounding(const struct csys_process *p, int sock) {
    for (int cap = 0; cap < 64; cap++) {
        if ((p->cap_bounding >> cap) & 1) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; // past the kernel's last capability
            csys_child_fail(sock, CSYS_STAGE_CAPABILITIES, errno, "dropping bounding capability %d", cap);
        }
    }
}

static const char *find_env(const char *const *envp, const char *name) {
    size_t n = strlen(name);
    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') return *envp + n + 1;
    return NULL;
}

/// execve with a PATH search in the *container's* environment (execvpe would use ours).
static int exec_in_path(const struct csys_process *p) {
    const char *file = p->argv[0];
    char *const *argv = (char *const *)p->argv;
    char *const *envp = (char *const *)p->envp;
    if (strchr(file, '/') != NULL) return execve(file, argv, envp);
    const char *path = find_env(p->envp, "PATH");
    if (path == NULL) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saved = ENOENT;
    char candidate[PATH_MAX];
    while (*path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end != NULL ? (size_t)(end - path) : strlen(path);
        if (len > 0 && len + strlen(file) + 2 < sizeof(candidate)) {
            memcpy(candidate, path, len);
            candidate[len] = '/';
            strcpy(candidate + len + 1, file);
            execve(candidate, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        if (end == NULL) break;
        path = end + 1;
    }
    errno = saved;
    return -1;
}

void csys_process_exec(const struct csys_process *p, int sock, int exec_fifo_fd, const struct csys_hooks *start_hooks) {
    for (size_t i = 0; i < p->rlimit_count; i++) {
        struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
        if (setrlimit(p->rlimits[i].resource, &rl) < 0)
            csys_child_fail(sock, CSYS_STAGE_RLIMITS, errno, "setrlimit %d", p->rlimits[i].resource);
    }
    if (p->has_oom_score_adj) {
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
        if (fd < 0 || write(fd, buf, (size_t)n) != n)
            csys_child_fail(sock, CSYS_STAGE_OOM_SCORE, errno, "writing oom_score_adj %d", p->oom_score_adj);
        close(fd);
    }
    umask(p->has_umask ? p->umask : 022);
    if (p->cwd != NULL && chdir(p->cwd) < 0) csys_child_fail(sock, CSYS_STAGE_CWD, errno, "chdir to cwd %s", p->cwd);

    int seccomp_early = p->seccomp_bpf != NULL && !p->no_new_privs;
    if (p->has_caps) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) csys_child_fail(sock, CSYS_STAGE_CAPABILITIES, errno, "PR_SET_KEEPCAPS");
        drop_bounding(p, sock);
    }
    if (seccomp_early) apply_seccomp(p, sock);
    if (setgroups(p->additional_gid_count, (const gid_t *)p->additional_gids) < 0)
        csys_child_fail(sock, CSYS_STAGE_CREDENTIALS, errno, "setgroups");
    if (setresgid(p->gid, p->gid, p->gid) < 0) csys_child_fail(sock, CSYS_STAGE_CREDENTIALS, errno, "setgid %u", p->gid);
    if (setresuid(p->uid, p->uid, p->uid) < 0) csys_child_fail(sock, CSYS_STAGE_CREDENTIALS, errno, "setuid %u", p->uid);
    if (p->has_caps) set_caps(p, sock);
    if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        csys_child_fail(sock, CSYS_STAGE_NO_NEW_PRIVS, errno, "PR_SET_NO_NEW_PRIVS");

    if (exec_fifo_fd >= 0) {
        // `create`: tell the parent we are ready, then block until `start` opens the fifo.
        struct csys_report ready;
        memset(&ready, 0, sizeof(ready));
        ready.kind = CSYS_REPORT_READY;
        csys_send_report(sock, &ready);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", exec_fifo_fd);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            dprintf(2, "skiff: opening the exec fifo: %s\n", strerror(errno));
            _exit(126);
        }
        // startContainer hooks run before the byte `start` waits for, so a failing hook is
        // an error of `start` (runtime-spec: the runtime must generate an error and stop the
        // container), not a silent exit.
        if (start_hooks != NULL && start_hooks->count > 0)
            csys_child_run_hooks(start_hooks, "startContainer", sock, 1, fd);
        if (write(fd, "0", 1) != 1) _exit(126);
        close(fd);
        close(exec_fifo_fd);
    } else if (start_hooks != NULL && start_hooks->count > 0) {
        // `run`: the parent still listens on the socket.
        csys_child_run_hooks(start_hooks, "startContainer", sock, 0, -1);
    }
    if (p->seccomp_bpf != NULL && !seccomp_early) apply_seccomp(p, sock);
    exec_in_path(p);
    int err = errno;
    if (exec_fifo_fd >= 0) dprintf(2, "skiff: exec %s: %s\n", p->argv[0], strerror(err));
    csys_child_fail(sock, CSYS_STAGE_EXEC, err, "exec %s", p->argv[0]);
}
