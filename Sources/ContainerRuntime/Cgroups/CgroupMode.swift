import CLinuxSystem
#if canImport(Glibc)
import Glibc
#endif

/// How the host lays out its cgroup filesystems.
public enum CgroupMode: Sendable, Equatable, CustomStringConvertible {
    /// Legacy: one `cgroup` (v1) filesystem per controller (or group of controllers) under the root.
    case v1
    /// Unified: the root itself is a `cgroup2` filesystem holding every controller.
    case v2
    /// v1 controller hierarchies plus a `cgroup2` filesystem at `<root>/unified` that owns
    /// no controllers (systemd's "hybrid" layout). Resources go to v1; the unified
    /// hierarchy still offers process tracking, `cgroup.kill` and `cgroup.events`.
    case hybrid

    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2: "v2"
        case .hybrid: "hybrid"
        }
    }

    /// Detects the layout under `root` from the mount table, the same test runc, crun and
    /// systemd make (they ask `statfs(2)` for the filesystem type): a `cgroup2` mount at the
    /// root is v2; otherwise a `cgroup2` mount at `<root>/unified` is hybrid; otherwise any
    /// `cgroup` (v1) mount below the root is v1.
    public static func detect(root: String = "/sys/fs/cgroup") throws -> CgroupMode {
        // The common pure-v2 case costs one statfs instead of parsing the mount table.
        if isCgroup2(root) { return .v2 }
        return try detect(root: root, mounts: MountInfoEntry.readCurrent())
    }

    /// Whether `path` is the root of a cgroup2 filesystem: statfs(2) reports
    /// CGROUP2_SUPER_MAGIC (what runc and crun check). A directory inside a cgroup2 mount
    /// reports the same type, so this is only asked about the cgroup root itself.
    static func isCgroup2(_ path: String) -> Bool {
        csys_statfs_type(path) == 0x6367_7270
    }

    static func detect(root: String, mounts: [MountInfoEntry]) throws -> CgroupMode {
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        // The last mount on a path is the visible one.
        func type(at path: String) -> String? { mounts.last(where: { $0.mountPoint == path })?.fileSystemType }
        if type(at: root) == "cgroup2" { return .v2 }
        if type(at: root + "/unified") == "cgroup2" { return .hybrid }
        if mounts.contains(where: { $0.fileSystemType == "cgroup" && ($0.mountPoint == root || $0.mountPoint.hasPrefix(root + "/")) }) {
            return .v1
        }
        throw CgroupError.notMounted("neither cgroup v1 nor cgroup2 is mounted at \(root)")
    }
}
