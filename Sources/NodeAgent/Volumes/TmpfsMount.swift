#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem
import LinuxSystem

/// tmpfs mounts for memory-backed emptyDirs and for secret and projected volumes (secret
/// data never touches the disk).
enum TmpfsMount {
    /// Whether `path` is the root of a mount (its device differs from its parent's).
    static func isMountPoint(_ path: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(path, &own) == 0, stat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev || own.st_ino == parent.st_ino
    }

    /// Mounts a tmpfs at `path` (created if needed) unless one is mounted there already.
    static func ensure(_ path: String, sizeBytes: Int64? = nil) throws {
        try Files.makeDirectories(path)
        guard !isMountPoint(path) else { return }
        var options = "mode=0755"
        if let sizeBytes, sizeBytes > 0 { options += ",size=\(sizeBytes)" }
        let flags = UInt(MS_NOSUID) | UInt(MS_NODEV)
        guard csys_mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            throw SystemError.current("mount tmpfs on \(path)")
        }
    }

    /// Unmounts whatever is mounted at `path` (and under it); nothing mounted is fine.
    static func unmount(_ path: String) throws {
        while isMountPoint(path) {
            guard csys_umount2(path, Int32(MNT_DETACH)) == 0 else {
                if errno == EINVAL { return }
                throw SystemError.current("unmount \(path)")
            }
        }
    }
}
