import OCI

/// The starting-point config.json `runtime spec` writes, like `runc spec` / `crun spec`:
/// new pid, network, ipc, uts and mount namespaces; the standard /proc, /dev, /dev/pts,
/// /dev/shm, /dev/mqueue, /sys mounts; runc's masked and read-only paths; the capabilities
/// runc's default keeps; `rootfs` beside config.json.
public enum DefaultRuntimeSpec {
    /// runc's default capability set for `runc spec`.
    public static let capabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

    public static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ]

    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    public static let mounts: [RuntimeSpec.Mount] = [
        .init(destination: "/proc", type: "proc", source: "proc"),
        .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        .init(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]

    public static func make(args: [String] = ["sh"], terminal: Bool = true, rootfs: String = "rootfs",
                            hostname: String = "skiff") -> RuntimeSpec {
        var process = RuntimeSpec.Process(
            terminal: terminal, user: .init(uid: 0, gid: 0), args: args,
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], cwd: "/",
            capabilities: .uniform(capabilities),
            rlimits: [.init(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true)
        process.capabilities?.inheritable = nil
        var linux = RuntimeSpec.Linux(
            namespaces: ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { RuntimeSpec.Namespace(type: $0) },
            maskedPaths: maskedPaths, readonlyPaths: readonlyPaths)
        linux.resources = RuntimeSpec.Resources(devices: [.init(allow: false, access: "rwm")])
        return RuntimeSpec(process: process, root: .init(path: rootfs, readonly: true), hostname: hostname,
                           mounts: mounts, linux: linux)
    }
}
