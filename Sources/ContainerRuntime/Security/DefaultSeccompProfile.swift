import OCI

/// The default seccomp filter for containers: Docker's default profile, which containerd and
/// Kubernetes (`RuntimeDefault`) also use, so workloads behave the same under skiff.
///
/// What it does (the profile's documented behaviour):
/// - Any system call not allowed below fails with EPERM (`SCMP_ACT_ERRNO`, errno 1): an
///   allowlist, so new kernel calls are refused until reviewed.
/// - About 350 ordinary calls are allowed on every architecture.
/// - Some calls are allowed only with certain argument values:
///   `personality` only for the query (0xffffffff) and the harmless domains PER_LINUX (0),
///   PER_LINUX32 (8), UNAME26 (0x20000) and their combination (0x20008);
///   `socket` for every family except AF_VSOCK (40), which would reach the host;
///   `clone` only when no CLONE_NEW* namespace bit is set (a masked compare of arg 0).
/// - `clone3` returns ENOSYS instead of EPERM (its flags live in a struct seccomp cannot
///   inspect), so libc falls back to `clone`, where the namespace check applies.
/// - Calls that only make sense with a capability are allowed when the container has it:
///   CAP_SYS_ADMIN lifts the namespace/mount group (mount, umount2, unshare, setns, clone
///   and clone3 unrestricted, bpf, fanotify_init, new mount API, quotactl, sethostname …),
///   CAP_SYS_PTRACE allows ptrace, process_vm_readv/writev, kcmp, pidfd_getfd,
///   process_madvise; CAP_SYS_MODULE (init/finit/delete_module), CAP_SYS_BOOT (reboot),
///   CAP_SYS_TIME (settimeofday, clock_settime …), CAP_SYSLOG (syslog), CAP_SYS_NICE
///   (NUMA memory policy calls), CAP_SYS_RAWIO (iopl, ioperm), CAP_SYS_PACCT (acct),
///   CAP_SYS_TTY_CONFIG (vhangup), CAP_DAC_READ_SEARCH (open_by_handle_at), CAP_SYS_CHROOT
///   (chroot), CAP_BPF (bpf), CAP_PERFMON (perf_event_open).
/// - Never allowed, whatever the capabilities: kexec_load, kexec_file_load, keyctl,
///   add_key, request_key, swapon, swapoff, pivot_root, userfaultfd, nfsservctl,
///   create_module, uselib, ustat, sysfs, _sysctl, and io_uring_setup/enter/register:
///   an io_uring ring performs I/O operations without passing through seccomp and has been
///   a steady source of kernel exploits, so Docker (25+) and containerd (2.0+) refuse it too.
///
/// One deliberate difference: Docker allows ptrace and process_vm_* without CAP_SYS_PTRACE
/// on kernels ≥ 4.8 (where ptrace can no longer bypass seccomp). skiff keeps them behind
/// CAP_SYS_PTRACE, the stricter older default, because reading other processes' memory is
/// rarely what a service needs.
///
/// CAP_SYS_RESOURCE adds no calls: every call it governs (setrlimit, prlimit64, …) is
/// already allowed, and the kernel checks the capability itself.
public enum DefaultSeccompProfile {
    /// The CPU architecture a filter is built for. A filter lists the native architecture
    /// and the compat ones the kernel accepts on it (i386 and x32 binaries on x86_64, 32-bit
    /// ARM on aarch64), so a 32-bit binary cannot use its different syscall numbers to slip
    /// past rules written for the native table.
    public enum Architecture: String, Sendable, CaseIterable {
        case x86_64
        case aarch64

        /// The architecture this binary was compiled for.
        public static var native: Architecture {
            #if arch(arm64)
            return .aarch64
            #else
            return .x86_64
            #endif
        }

        /// The `SCMP_ARCH_*` names for the filter's `architectures`.
        public var seccompArchitectures: [String] {
            switch self {
            case .x86_64: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
            case .aarch64: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]
            }
        }
    }

    /// errno values the profile returns (asm-generic/errno-base.h, errno.h).
    static let eperm: UInt32 = 1
    static let enosys: UInt32 = 38
    /// AF_VSOCK (linux/socket.h).
    static let afVsock: UInt64 = 40
    /// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
    /// CLONE_NEWPID | CLONE_NEWNET (linux/sched.h): the flags that create namespaces.
    public static let cloneNamespaceFlags: UInt64 =
        0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000

    /// Builds the filter for a container holding `capabilities` (names as in OCI
    /// `process.capabilities.bounding`, with or without `CAP_`).
    public static func docker(capabilities: [String], architecture: Architecture = .native) -> RuntimeSpec.Seccomp {
        let held = Set(capabilities.map(DefaultCapabilities.canonicalName))
        var rules: [RuntimeSpec.SeccompRule] = [
            RuntimeSpec.SeccompRule(names: alwaysAllowed, action: "SCMP_ACT_ALLOW"),
        ]
        rules.append(RuntimeSpec.SeccompRule(names: ["socket"], action: "SCMP_ACT_ALLOW",
                                             args: [RuntimeSpec.SeccompArg(index: 0, value: afVsock, op: "SCMP_CMP_NE")]))
        for persona in allowedPersonalities {
            rules.append(RuntimeSpec.SeccompRule(names: ["personality"], action: "SCMP_ACT_ALLOW",
                                                 args: [RuntimeSpec.SeccompArg(index: 0, value: persona, op: "SCMP_CMP_EQ")]))
        }
        rules.append(RuntimeSpec.SeccompRule(names: architectureSpecific(architecture), action: "SCMP_ACT_ALLOW"))
        if !held.contains("CAP_SYS_ADMIN") {
            // Threads and processes yes, namespaces no: all CLONE_NEW* bits must be clear.
            rules.append(RuntimeSpec.SeccompRule(
                names: ["clone"], action: "SCMP_ACT_ALLOW",
                args: [RuntimeSpec.SeccompArg(index: 0, value: cloneNamespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]
            ))
            rules.append(RuntimeSpec.SeccompRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: enosys))
        }
        for (capability, names) in capabilityGated where held.contains(capability) {
            rules.append(RuntimeSpec.SeccompRule(names: names, action: "SCMP_ACT_ALLOW"))
        }
        return RuntimeSpec.Seccomp(
            defaultAction: "SCMP_ACT_ERRNO",
            defaultErrnoRet: eperm,
            architectures: architecture.seccompArchitectures,
            syscalls: rules
        )
    }

    /// `personality(2)` arguments that are allowed: 0 PER_LINUX, 8 PER_LINUX32, 0x20000
    /// UNAME26, 0x20008 PER_LINUX32|UNAME26, 0xffffffff (query, changes nothing). Others
    /// (e.g. ADDR_NO_RANDOMIZE) would weaken the process's protections.
    static let allowedPersonalities: [UInt64] = [0x0, 0x8, 0x2_0000, 0x2_0008, 0xFFFF_FFFF]

    /// Calls that exist only on one architecture family.
    static func architectureSpecific(_ architecture: Architecture) -> [String] {
        switch architecture {
        case .x86_64: ["arch_prctl", "modify_ldt"]
        case .aarch64: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"]
        }
    }

    /// Calls allowed only while the container holds the capability (ordered for a stable profile).
    static let capabilityGated: [(String, [String])] = [
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYS_ADMIN", [
            "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
            "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
            "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
            "umount", "umount2", "unshare",
        ]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["delete_module", "init_module", "finit_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_PTRACE", ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
    ]

    /// Allowed for every container. Names cover every architecture's spelling (`chown32`,
    /// `_llseek`, `*_time64` on 32-bit); libseccomp skips names an architecture lacks.
    static let alwaysAllowed: [String] = [
        // sockets and I/O multiplexing
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen",
        "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg",
        "sendto", "setsockopt", "shutdown", "socketcall", "socketpair",
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64",
        "pselect6", "pselect6_time64", "select", "_newselect",
        // files and directories
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
        "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
        "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
        "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init",
        "inotify_init1", "inotify_rm_watch", "lchown", "lchown32", "lgetxattr", "link", "linkat",
        "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
        "mkdir", "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat",
        "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
        "readlink", "readlinkat", "readv", "removexattr", "rename", "renameat", "renameat2", "rmdir",
        "sendfile", "sendfile64", "setxattr", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64",
        "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice",
        "write", "writev", "cachestat",
        // asynchronous I/O (Linux AIO; io_uring is refused, see above)
        "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "ioprio_set",
        // memory
        "brk", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mlock", "mlock2",
        "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap",
        "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages", "map_shadow_stack",
        // processes, threads, scheduling
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid",
        "waitpid", "getcpu", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrlimit",
        "get_robust_list", "getrusage", "getsid", "get_thread_area", "gettid", "prctl", "prlimit64",
        "process_mrelease", "pidfd_open", "pidfd_send_signal", "rseq", "sched_getaffinity",
        "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "setpgid", "setpriority", "setrlimit", "set_robust_list", "setsid", "set_thread_area",
        "set_tid_address", "ugetrlimit", "uname", "sysinfo", "getrandom",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        // credentials
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid",
        "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
        "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
        "setreuid32", "setuid", "setuid32",
        // signals
        "kill", "tgkill", "tkill", "pause", "restart_syscall", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaltstack", "signalfd", "signalfd4",
        "sigprocmask", "sigreturn",
        // time and timers (reading only; setting the clock needs CAP_SYS_TIME)
        "adjtimex", "alarm", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "getitimer",
        "gettimeofday", "nanosleep", "setitimer", "time", "times", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
        // futexes and System V / POSIX IPC (namespaced per container)
        "futex", "futex_time64", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue", "ipc",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
        "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
        // pipes
        "pipe", "pipe2",
    ]
}
