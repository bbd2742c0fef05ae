#if canImport(Glibc)
import Glibc
#endif

/// Linux namespaces by their OCI names, with their `CLONE_NEW*` flags and `/proc/PID/ns` names.
public enum NamespaceKind: String, Sendable, CaseIterable {
    case pid, network, mount, ipc, uts, user, cgroup, time

    /// The `CLONE_NEW*` bit (linux/sched.h; glibc hides these without _GNU_SOURCE).
    public var cloneFlag: Int32 {
        switch self {
        case .pid: return 0x2000_0000
        case .network: return 0x4000_0000
        case .mount: return 0x0002_0000
        case .ipc: return 0x0800_0000
        case .uts: return 0x0400_0000
        case .user: return 0x1000_0000
        case .cgroup: return 0x0200_0000
        case .time: return 0x80
        }
    }

    /// The file name under `/proc/PID/ns/`.
    public var procName: String {
        switch self {
        case .pid: return "pid"
        case .network: return "net"
        case .mount: return "mnt"
        case .ipc: return "ipc"
        case .uts: return "uts"
        case .user: return "user"
        case .cgroup: return "cgroup"
        case .time: return "time"
        }
    }

    /// The order exec joins them in: mount last, so the other `/proc` paths still resolve.
    public static let joinOrder: [NamespaceKind] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]
}
