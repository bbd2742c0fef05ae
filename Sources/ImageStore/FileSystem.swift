#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Thin POSIX helpers: every failure becomes `ImageStoreError.system` naming the call and path.
enum FS {
    static func check(_ rc: Int32, _ op: @autoclosure () -> String) throws {
        if rc < 0 { throw ImageStoreError.system(operation: op(), errno: errno) }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw ImageStoreError.system(operation: "open \(path)", errno: errno) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ what: @autoclosure () -> String) throws {
        var off = 0
        while off < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = Glibc.write(fd, base.advanced(by: off), bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageStoreError.system(operation: "write \(what())", errno: errno)
            }
            off += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ what: @autoclosure () -> String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, what()) }
    }

    /// Reads up to `max` bytes; an empty array means end of file.
    static func read(_ fd: Int32, max: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: max)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageStoreError.system(operation: "read \(what())", errno: errno)
            }
            buf.removeSubrange(n...)
            return buf
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var out: [UInt8] = []
        while true {
            let chunk = try read(fd, max: 1 << 20, path)
            if chunk.isEmpty { return out }
            out += chunk
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : nil
    }

    static func mkdirs(_ path: String, mode: mode_t = 0o755) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw ImageStoreError.system(operation: "mkdir -p \(path): \(error)", errno: EIO)
        }
    }

    static func fsyncDir(_ dir: String) throws {
        let fd = try open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try check(fsync(fd), "fsync \(dir)")
    }

    static func rename(_ from: String, _ to: String) throws {
        try check(Glibc.rename(from, to), "rename \(from) -> \(to)")
    }

    /// Writes `bytes` to `path` so that readers see the old content or the new, never a mix:
    /// a temp file in the same directory, fsync, rename over, fsync the directory.
    static func atomicWrite(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = "\(dir)/.tmp-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode)
        do {
            try writeAll(fd, bytes, tmp)
            try check(fsync(fd), "fsync \(tmp)")
            close(fd)
            try rename(tmp, path)
            try fsyncDir(dir)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }

    /// Removes `path` recursively without following symlinks; missing is fine.
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            // Make sure we can descend (a layer may contain a 0o000 directory).
            chmod(path, 0o700)
            if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
                for n in names { removeTree("\(path)/\(n)") }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    static func listDir(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []
    }
}
