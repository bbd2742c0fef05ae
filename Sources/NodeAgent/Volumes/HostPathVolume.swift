#if canImport(Glibc)
import Glibc
#endif
import LinuxSystem

/// hostPath volumes: the node path itself, checked (or created) according to its `type`.
enum HostPathVolume {
    static func prepare(path: String, type: String, volume: String) throws {
        guard path.hasPrefix("/") else { throw VolumeError.invalid(volume: volume, reason: "hostPath \(path) is not absolute") }
        var info = stat()
        let exists = stat(path, &info) == 0
        let kind = info.st_mode & S_IFMT
        func require(_ expected: mode_t, _ name: String) throws {
            guard exists else { throw VolumeError.invalid(volume: volume, reason: "hostPath type check failed: \(path) does not exist") }
            guard kind == expected else { throw VolumeError.invalid(volume: volume, reason: "hostPath type check failed: \(path) is not a \(name)") }
        }
        switch type {
        case "":
            return
        case "DirectoryOrCreate":
            if !exists {
                try Files.makeDirectories(path, mode: 0o755)
                return
            }
            try require(S_IFDIR, "directory")
        case "Directory": try require(S_IFDIR, "directory")
        case "FileOrCreate":
            if !exists {
                if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try Files.makeDirectories(String(path[..<slash])) }
                let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw SystemError.current("create \(path)") }
                close(fd)
                return
            }
            try require(S_IFREG, "file")
        case "File": try require(S_IFREG, "file")
        case "Socket": try require(S_IFSOCK, "socket")
        case "CharDevice": try require(S_IFCHR, "character device")
        case "BlockDevice": try require(S_IFBLK, "block device")
        default:
            throw VolumeError.invalid(volume: volume, reason: "unknown hostPath type \"\(type)\"")
        }
    }
}
