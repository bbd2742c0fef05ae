// Linux only (skiff targets Linux): Glibc for the POSIX calls.
import Glibc
import NIOCore
import NIOPosix

/// A failed system call on the registry's storage, with the operation, the path and errno.
struct StorageError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var errno: Int32

    var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Blocking POSIX file operations used by the registry's storage.
///
/// Every function here blocks; callers run them on the NIO thread pool through
/// `DiskIO.run` so that no event loop and no cooperative-pool thread waits on the disk.
enum DiskIO {
    /// Runs `body` on the shared blocking thread pool.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    static func fail(_ operation: String, _ path: String) -> StorageError {
        StorageError(operation: operation, path: path, errno: Glibc.errno)
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        let err = Glibc.errno
        if err == EEXIST { return }
        guard err == ENOENT else { throw StorageError(operation: "mkdir", path: path, errno: err) }
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw StorageError(operation: "mkdir", path: path, errno: err)
        }
        try makeDirectories(String(path[..<slash]))
        if mkdir(path, 0o755) != 0, Glibc.errno != EEXIST { throw fail("mkdir", path) }
    }

    /// Size of a regular file, or nil when nothing is there.
    static func fileSize(_ path: String) throws -> Int64? {
        var info = stat()
        if stat(path, &info) != 0 {
            if Glibc.errno == ENOENT || Glibc.errno == ENOTDIR { return nil }
            throw fail("stat", path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Seconds since the epoch of the file's last modification, or nil when nothing is there.
    static func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mtim.tv_sec)
    }

    /// Seconds since the epoch, now.
    static func now() -> Int { Int(time(nil)) }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The whole file, or nil when it does not exist. Only for small files (links, tags, manifests).
    static func readSmallFile(_ path: String, limit: Int = 8 << 20) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if Glibc.errno == ENOENT || Glibc.errno == ENOTDIR { return nil }
            throw fail("open", path)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw fail("read", path)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
            if result.count > limit { throw StorageError(operation: "read", path: path, errno: EFBIG) }
        }
        return result
    }

    /// Writes `bytes` to `path` so that readers see either the old file or the new one, never
    /// a part: write a temporary file beside it, fsync, rename over, fsync the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, temporaryDirectory: String) throws {
        let temporary = temporaryDirectory + "/" + randomName()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("open", temporary) }
        do {
            try writeAll(fd: fd, bytes: bytes, path: temporary)
            guard fsync(fd) == 0 else { throw fail("fsync", temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try renameDurably(from: temporary, to: path)
    }

    /// Creates or replaces a small file, without fsync (for state that may be lost in a crash).
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        try writeAll(fd: fd, bytes: bytes, path: path)
    }

    static func writeAll(fd: Int32, bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    throw fail("write", path)
                }
                offset += n
            }
        }
    }

    /// Writes a ByteBuffer at an absolute offset of an open file.
    static func pwriteAll(fd: Int32, buffer: ByteBuffer, offset: Int64, path: String) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress.map { $0 + done }, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    throw fail("pwrite", path)
                }
                done += n
            }
        }
    }

    /// Renames and then fsyncs the destination's directory, so the new name survives a crash.
    static func renameDurably(from source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else { throw fail("rename", "\(source) -> \(destination)") }
        try syncDirectory(containing: destination)
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync", path) }
    }

    static func syncDirectory(containing path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync", directory) }
    }

    /// Creates an empty file if none exists (links: their existence is the information).
    static func touch(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("open", path) }
        close(fd)
    }

    /// Removes a file; true when it existed.
    @discardableResult
    static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if Glibc.errno == ENOENT || Glibc.errno == ENOTDIR { return false }
        throw fail("unlink", path)
    }

    /// Removes a directory tree (only ever called on the registry's own staging directories).
    static func removeTree(_ path: String) {
        for entry in (try? listDirectory(path)) ?? [] {
            let child = path + "/" + entry
            if isDirectory(child) { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }

    /// Names in a directory, without `.` and `..`; empty when the directory does not exist.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if Glibc.errno == ENOENT || Glibc.errno == ENOTDIR { return [] }
            throw fail("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// A random 128-bit name in hex, for temporary files and upload sessions.
    static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension DiskIO {
    /// Calls `body` with successive chunks of a file (up to `length` bytes when given).
    static func forEachChunk(ofFile path: String, length: Int64? = nil,
                             _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        var remaining = length ?? Int64.max
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let n = read(fd, buffer.baseAddress, want)
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw fail("read", path)
            }
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= Int64(n)
        }
    }
}
