// The container launch: a flat description prepared by the parent, a monitor process that
// owns the container, and a child that sets itself up in a fixed order and execs.
#ifndef CSYS_CONTAINER_H
#define CSYS_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "csys_hooks.h"

/// A mount, already parsed: `flags` are MS_* bits applied by mount(2) (for bind mounts by the
/// read-only remount that follows), `propagation` the MS_SHARED/… bits applied afterwards.
struct csys_mount {
    const char *source;
    const char *destination;   // absolute inside the container
    const char *fstype;        // NULL for bind mounts
    const char *data;          // filesystem options (`mode=755,size=65536k`), or NULL
    unsigned long flags;
    unsigned long propagation;
    int bind;                  // 0: not a bind mount; 1: bind; 2: rbind
    int cgroup;                // 1: the `cgroup` filesystem, mounted per the host's layout
};

struct csys_device {
    const char *path;          // absolute inside the container
    char type;                 // 'c', 'b', 'p' ('u' is treated as 'c')
    unsigned int major, minor;
    unsigned int mode;         // permission bits
    unsigned int uid, gid;
};

/// A namespace to join instead of creating: `flag` is its CLONE_NEW* bit.
struct csys_namespace_join {
    int flag;
    const char *path;
};

struct csys_rlimit {
    int resource;
    unsigned long long soft, hard;
};

/// The process-level security context shared by the container's init and by exec.
struct csys_process {
    const char *const *argv;   // NULL-terminated
    const char *const *envp;   // NULL-terminated
    const char *cwd;
    unsigned int uid, gid;
    const unsigned int *additional_gids;
    size_t additional_gid_count;
    int has_umask;
    unsigned int umask;
    int has_caps;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    int no_new_privs;
    const void *seccomp_bpf;   // struct sock_filter[], or NULL for no filter
    size_t seccomp_bpf_len;    // bytes
    unsigned int seccomp_flags;// SECCOMP_FILTER_FLAG_*
    const struct csys_rlimit *rlimits;
    size_t rlimit_count;
    int has_oom_score_adj;
    int oom_score_adj;
    int terminal;              // allocate a pty in the container; the master goes to the monitor
};

struct csys_container_config {
    int clone_flags;           // CLONE_NEW* for namespaces created
    int late_unshare_flags;    // unshared after the parent moved the child into its cgroup (CLONE_NEWCGROUP)
    const struct csys_namespace_join *joins;
    size_t join_count;
    const char *rootfs;        // absolute host path, becomes the root
    const char *overlay_data;  // when set, an overlay is mounted on `rootfs` first (lowerdir=…,upperdir=…,workdir=…)
    int rootfs_readonly;
    unsigned long rootfs_propagation; // applied to "/" before anything else (MS_PRIVATE|MS_REC by default)
    int cgroup_v2;             // the host is pure cgroup v2 (decides how a `cgroup` mount is made)
    const struct csys_mount *mounts;
    size_t mount_count;
    const struct csys_device *devices;
    size_t device_count;
    const char *const *masked_paths;
    size_t masked_count;
    const char *const *readonly_paths;
    size_t readonly_count;
    const char *hostname;
    const char *domainname;
    const char *const *sysctl_keys;
    const char *const *sysctl_values;
    size_t sysctl_count;
    const char *exec_fifo;     // `create`: wait for `start` to open this fifo before execve; NULL: exec at once
    struct csys_hooks create_container_hooks; // after the mounts, before pivot_root (runtime paths)
    struct csys_hooks start_container_hooks;  // after `start`, before execve (container paths)
    struct csys_process process;
};

/// How the monitor handles the container's stdio and where it records the exit.
struct csys_monitor_config {
    const char *exit_file;     // written atomically when the container exits (JSON)
    const char *log_path;      // CRI-format log; NULL: the container inherits the caller's stdio
    const char *console_socket;// terminal: send the pty master here instead of logging it
    const char *oom_file;      // memory.events / memory.oom_control to read `oom_kill N` from at exit, or NULL
    size_t log_line_max;       // longer lines are split into `P` (partial) records
    int stdin_fd;              // when >= 0 and not logging: the container's stdin (else inherited)
    int attached;              // 1: the monitor stays our child (the caller reaps it after EXIT, as
                               // `run` does); 0: double fork, so nobody has to reap it
};

enum csys_stage {
    CSYS_STAGE_MONITOR = 1,
    CSYS_STAGE_NAMESPACES,
    CSYS_STAGE_SYNC,
    CSYS_STAGE_ROOTFS,
    CSYS_STAGE_MOUNTS,
    CSYS_STAGE_DEVICES,
    CSYS_STAGE_PIVOT_ROOT,
    CSYS_STAGE_HOSTNAME,
    CSYS_STAGE_SYSCTL,
    CSYS_STAGE_MASKED_PATHS,
    CSYS_STAGE_READONLY_PATHS,
    CSYS_STAGE_TERMINAL,
    CSYS_STAGE_RLIMITS,
    CSYS_STAGE_OOM_SCORE,
    CSYS_STAGE_CREDENTIALS,
    CSYS_STAGE_CAPABILITIES,
    CSYS_STAGE_NO_NEW_PRIVS,
    CSYS_STAGE_SECCOMP,
    CSYS_STAGE_CWD,
    CSYS_STAGE_EXEC_FIFO,
    CSYS_STAGE_EXEC,
    CSYS_STAGE_HOOKS,
};

/// A message from a child to the parent over the sync socket.
struct csys_report {
    int32_t kind;              // CSYS_REPORT_*
    int32_t stage;             // enum csys_stage
    int32_t err;               // errno
    int32_t pid;               // for CSYS_REPORT_PID / EXIT
    int32_t exit_code;
    int32_t signal;
    int32_t monitor_pid;       // for CSYS_REPORT_PID
    int32_t oom_killed;        // for CSYS_REPORT_EXIT
    char message[472];
};
enum { CSYS_REPORT_ERROR = 1, CSYS_REPORT_READY = 2, CSYS_REPORT_PID = 3, CSYS_REPORT_EXIT = 4 };

struct csys_launch {
    pid_t container_pid;       // in the host pid namespace
    pid_t monitor_pid;
    int child_sock;            // parent end of the child's sync socket
    int monitor_sock;          // parent end of the monitor's socket: PID, later EXIT
    struct csys_report error;  // filled when launch fails in the monitor
};

/// Forks the monitor (double fork, setsid), which clones the container child. Returns 0 with
/// the pids once the child exists and waits for csys_container_resume; -1 with `out->error`.
int csys_container_launch(const struct csys_container_config *config,
                          const struct csys_monitor_config *monitor,
                          struct csys_launch *out);

/// Lets the child go on (after the parent put it into its cgroup) and waits until it has
/// either execed (exec_fifo NULL: the sync socket closes on exec), or is ready and waiting
/// for `start` (exec_fifo set), or failed. Returns 0, or -1 with `report` holding the error.
int csys_container_resume(int child_sock, struct csys_report *report);

/// Waits for the monitor's EXIT report on `monitor_sock`; returns 0 and fills `report`.
int csys_container_wait(int monitor_sock, struct csys_report *report);

/// Exec into a running container: join every namespace in `ns_paths` (opened first, joined
/// user → … → mount last), then fork so the pid namespace takes effect and exec `process`.
struct csys_exec_config {
    const char *const *ns_paths;
    const int *ns_flags;
    size_t ns_count;
    int stdin_fd, stdout_fd, stderr_fd; // -1: inherit
    struct csys_process process;
};

struct csys_exec_launch {
    pid_t pid;                 // the intermediate process; its exit status mirrors the exec'd one
    int sock;                  // parent end of the sync socket
    int pty_sock;              // process.terminal: receives the pty master, then a slave (csys_recv_fd); else -1
};

/// Forks the intermediate; it waits for csys_exec_resume (so the caller can put it in the
/// container's cgroup), joins the namespaces, forks the process and mirrors its exit.
int csys_exec_launch(const struct csys_exec_config *config, struct csys_exec_launch *out, struct csys_report *report);
int csys_exec_resume(int sock, struct csys_report *report);

#endif
