import Glibc

/// A failed system call on a file, with the operation, the path and errno.
public struct FileIOError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// An open file descriptor for append-only data files (WAL segments, snapshot files), with
/// the durability calls spelled out. Not thread-safe: one owner at a time.
final class DataFile {
    let path: String
    private var fd: Int32
    /// Where the next append lands: the end of the data, which in a preallocated file is
    /// before the end of the file.
    private(set) var size: Int

    private init(path: String, fd: Int32, size: Int) {
        self.path = path
        self.fd = fd
        self.size = size
    }

    /// Opens (or with `create`, creates exclusively) a file for reading and appending.
    static func open(_ path: String, create: Bool = false) throws(FileIOError) -> DataFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw FileIOError(operation: create ? "create" : "open", path: path, errno: errno) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else {
            let error = errno
            Glibc.close(fd)
            throw FileIOError(operation: "seek", path: path, errno: error)
        }
        return DataFile(path: path, fd: fd, size: Int(end))
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// The whole file.
    func readAll() throws(FileIOError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress.map { $0 + done }, size - done, off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FileIOError(operation: "read", path: path, errno: n == 0 ? EIO : errno) }
            done += n
        }
        return bytes
    }

    /// Writes `bytes` at the end of the file (page cache only; see `dataSync`).
    func append(_ bytes: [UInt8]) throws(FileIOError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress.map { $0 + done }, bytes.count - done, off_t(size + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FileIOError(operation: "write", path: path, errno: errno) }
            done += n
        }
        size += bytes.count
    }

    /// fdatasync(2): the data and the size are on stable storage when this returns.
    func dataSync() throws(FileIOError) {
        guard fdatasync(fd) == 0 else { throw FileIOError(operation: "fdatasync", path: path, errno: errno) }
    }

    /// fsync(2), for files about to be renamed into place (metadata included).
    func fullSync() throws(FileIOError) {
        guard fsync(fd) == 0 else { throw FileIOError(operation: "fsync", path: path, errno: errno) }
    }

    /// Reserves disk blocks up to `length` bytes (the file's size becomes at least `length`;
    /// the data end `size` is unchanged). Appends into reserved space then change no
    /// allocation metadata, so fdatasync has less to commit. Returns false where the file
    /// system cannot reserve space (the file then simply grows as it is written).
    func preallocate(_ length: Int) throws(FileIOError) -> Bool {
        let result = posix_fallocate(fd, 0, off_t(length))
        if result == 0 { return true }
        if result == EOPNOTSUPP || result == EINVAL { return false }
        throw FileIOError(operation: "fallocate", path: path, errno: result)
    }

    /// Moves the data end (after recovery found where the data in a preallocated file ends).
    func setDataEnd(_ offset: Int) {
        size = offset
    }

    func truncate(to length: Int) throws(FileIOError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw FileIOError(operation: "truncate", path: path, errno: errno) }
        size = length
    }
}

/// Directory operations the durable files need.
enum DirectoryIO {
    /// Creates `path` and missing parents. Each directory created is made durable in its
    /// parent (fsync of the parent), so a WAL synced inside it cannot vanish with its name.
    static func create(_ path: String) throws(FileIOError) {
        var parent = path.hasPrefix("/") ? "/" : "."
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 {
                try sync(parent)
            } else if errno != EEXIST {
                throw FileIOError(operation: "mkdir", path: prefix, errno: errno)
            }
            parent = prefix
        }
    }

    /// Names of the entries of a directory (no "." / "..").
    static func list(_ path: String) throws(FileIOError) -> [String] {
        guard let dir = opendir(path) else { throw FileIOError(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// fsync on the directory, so created, renamed and removed names are durable.
    static func sync(_ path: String) throws(FileIOError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(operation: "open directory", path: path, errno: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw FileIOError(operation: "fsync directory", path: path, errno: errno) }
    }

    static func rename(_ from: String, to: String) throws(FileIOError) {
        guard Glibc.rename(from, to) == 0 else { throw FileIOError(operation: "rename to \(to)", path: from, errno: errno) }
    }

    static func remove(_ path: String) throws(FileIOError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw FileIOError(operation: "unlink", path: path, errno: errno) }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
