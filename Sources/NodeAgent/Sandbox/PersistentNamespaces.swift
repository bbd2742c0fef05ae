#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem
import LinuxSystem

/// A pod's namespaces that outlive any process: each is bind-mounted on a file, which keeps
/// it alive until the file is unmounted. Containers join them by path.
enum PersistentNamespaces {
    /// Creates new namespaces of `kinds` (of network, ipc, uts) on a short-lived thread,
    /// sets `hostname` in the uts one, and bind-mounts each at `paths[kind]`. A path that is
    /// already a namespace mount is left as it is (set-up is idempotent).
    static func create(_ kinds: [NamespaceKind], at paths: [NamespaceKind: String], hostname: String?) async throws {
        let missing = kinds.filter { kind in paths[kind].map { !isNamespaceMount($0) } ?? false }
        guard !missing.isEmpty else { return }
        try await NamespaceThread.run {
            var flags: Int32 = 0
            for kind in missing { flags |= kind.cloneFlag }
            guard csys_unshare(flags) == 0 else { throw SystemError.current("unshare \(missing.map(\.rawValue))") }
            if missing.contains(.uts), let hostname {
                let rc = hostname.withCString { sethostname($0, strlen($0)) }
                guard rc == 0 else { throw SystemError.current("sethostname \(hostname)") }
            }
            for kind in missing {
                guard let target = paths[kind] else { continue }
                let fd = open(target, O_RDONLY | O_CREAT | O_CLOEXEC, 0o444)
                guard fd >= 0 else { throw SystemError.current("create \(target)") }
                close(fd)
                let source = "/proc/thread-self/ns/\(kind.procName)"
                guard csys_mount(source, target, nil, UInt(MS_BIND), nil) == 0 else {
                    throw SystemError.current("bind-mount \(source) on \(target)")
                }
            }
        }
    }

    /// Unmounts and removes a namespace file; a missing one is not an error.
    static func remove(_ path: String) throws {
        if csys_umount2(path, Int32(MNT_DETACH)) != 0 {
            let code = errno
            if code != EINVAL && code != ENOENT { throw SystemError(operation: "unmount \(path)", errno: code) }
        }
        if unlink(path) != 0 && errno != ENOENT { throw SystemError.current("remove \(path)") }
    }

    /// Whether `path` is a mounted namespace (nsfs), not just the empty file under it.
    static func isNamespaceMount(_ path: String) -> Bool {
        // NSFS_MAGIC from linux/magic.h.
        csys_statfs_type(path) == 0x6e73_6673
    }
}
