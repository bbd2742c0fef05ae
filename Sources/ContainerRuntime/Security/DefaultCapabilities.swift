/// Linux capability names and numbers, and the set a container gets by default.
///
/// The runtime maps the names in `process.capabilities` (OCI) to bits with `number(of:)`;
/// names are accepted with or without the `CAP_` prefix, in any case.
public enum DefaultCapabilities {
    /// Docker's (and containerd's, and hence Kubernetes') default capability set: enough for
    /// ordinary services running as root in a container (change file ownership, bind low
    /// ports, switch users, raw sockets for ping), and nothing that reaches the host's
    /// kernel state (no CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE …).
    public static let docker: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// Every capability Linux defines (as of 5.9, when CAP_CHECKPOINT_RESTORE made 40 the
    /// last), indexed by its number: `all[n]` is the name of bit `n` (linux/capability.h).
    public static let all: [String] = [
        "CAP_CHOWN",              // 0
        "CAP_DAC_OVERRIDE",       // 1
        "CAP_DAC_READ_SEARCH",    // 2
        "CAP_FOWNER",             // 3
        "CAP_FSETID",             // 4
        "CAP_KILL",               // 5
        "CAP_SETGID",             // 6
        "CAP_SETUID",             // 7
        "CAP_SETPCAP",            // 8
        "CAP_LINUX_IMMUTABLE",    // 9
        "CAP_NET_BIND_SERVICE",   // 10
        "CAP_NET_BROADCAST",      // 11
        "CAP_NET_ADMIN",          // 12
        "CAP_NET_RAW",            // 13
        "CAP_IPC_LOCK",           // 14
        "CAP_IPC_OWNER",          // 15
        "CAP_SYS_MODULE",         // 16
        "CAP_SYS_RAWIO",          // 17
        "CAP_SYS_CHROOT",         // 18
        "CAP_SYS_PTRACE",         // 19
        "CAP_SYS_PACCT",          // 20
        "CAP_SYS_ADMIN",          // 21
        "CAP_SYS_BOOT",           // 22
        "CAP_SYS_NICE",           // 23
        "CAP_SYS_RESOURCE",       // 24
        "CAP_SYS_TIME",           // 25
        "CAP_SYS_TTY_CONFIG",     // 26
        "CAP_MKNOD",              // 27
        "CAP_LEASE",              // 28
        "CAP_AUDIT_WRITE",        // 29
        "CAP_AUDIT_CONTROL",      // 30
        "CAP_SETFCAP",            // 31
        "CAP_MAC_OVERRIDE",       // 32
        "CAP_MAC_ADMIN",          // 33
        "CAP_SYSLOG",             // 34
        "CAP_WAKE_ALARM",         // 35
        "CAP_BLOCK_SUSPEND",      // 36
        "CAP_AUDIT_READ",         // 37
        "CAP_PERFMON",            // 38
        "CAP_BPF",                // 39
        "CAP_CHECKPOINT_RESTORE", // 40
    ]

    /// The highest capability number known here. A kernel may know fewer
    /// (`/proc/sys/kernel/cap_last_cap`); the runtime must skip bits above the kernel's.
    public static var lastCapability: Int { all.count - 1 }

    private static let numbers: [String: Int] = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })

    /// `CAP_SYS_ADMIN`, `cap_sys_admin` and `SYS_ADMIN` all become `CAP_SYS_ADMIN`.
    public static func canonicalName(_ name: String) -> String {
        let upper = name.uppercased()
        return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }

    /// The bit number of a capability name, or `nil` if Linux has no such capability.
    public static func number(of name: String) -> Int? {
        numbers[canonicalName(name)]
    }
}
