#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem

/// Small, allocation-light file helpers: the runtime's state lives in a handful of small
/// files on tmpfs, and `run` reads them on its hot path, so these avoid Foundation.
public enum Files {
    /// The whole file, or `nil` when it does not exist.
    public static func read(_ path: String) throws(SystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .current("open \(path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .current("read \(path)")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    public static func readString(_ path: String) throws(SystemError) -> String? {
        guard let bytes = try read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `bytes` to `path` through a temporary file and `rename`, so readers see the old
    /// or the new content, never a torn one.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let rc = bytes.withUnsafeBytes { csys_write_file_atomic(path, $0.baseAddress, $0.count, UInt32(mode)) }
        if rc != 0 { throw .current("write \(path)") }
    }

    public static func write(_ path: String, _ bytes: [UInt8], flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC, mode: mode_t = 0o644) throws(SystemError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw .current("open \(path)") }
        defer { close(fd) }
        let rc = bytes.withUnsafeBytes { csys_write_all(fd, $0.baseAddress, $0.count) }
        if rc != 0 { throw .current("write \(path)") }
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p` with `mode` for the directories it creates.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        if errno != ENOENT { throw .current("mkdir \(path)") }
        var parent = path
        while parent.count > 1, parent.last == "/" { parent.removeLast() }
        if let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
            try makeDirectories(String(parent[..<slash]), mode: mode)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw .current("mkdir \(path)") }
    }

    /// Names in a directory (without `.` and `..`), or `[]` when it does not exist.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `rm -rf` that never crosses into a mounted filesystem.
    public static func removeTree(_ path: String) throws(SystemError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw .current("lstat \(path)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) {
                let child = path + "/" + name
                var cst = stat()
                if lstat(child, &cst) == 0, (cst.st_mode & S_IFMT) == S_IFDIR, cst.st_dev != st.st_dev {
                    throw SystemError(operation: "remove \(child): a mount point", errno: EBUSY)
                }
                try removeTree(child)
            }
            if rmdir(path) != 0 && errno != ENOENT { throw .current("rmdir \(path)") }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw .current("unlink \(path)")
        }
    }

    /// The target of a symbolic link, e.g. `/proc/1/ns/net` → `net:[4026531840]`.
    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
