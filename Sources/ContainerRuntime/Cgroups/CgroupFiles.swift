#if canImport(Glibc)
import Glibc
#endif

/// Minimal file operations for cgroup filesystems, straight on the system calls.
///
/// Why not Foundation: cgroup control files must be written with ONE `write(2)` per value
/// (the kernel parses each write as a whole command, a short or split write changes its
/// meaning), their sizes are reported as 4096/0 so "read whole file" helpers misbehave, and
/// every error has to keep its errno (EBUSY on rmdir, EINVAL on a bad value, ENOENT when a
/// controller is not enabled) because callers act on it.
enum CgroupFiles {
    /// Reads a cgroup file to its end.
    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupError.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CgroupError.system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a file holding one value, without the trailing newline.
    static func readTrimmed(_ path: String) throws -> String {
        try read(path).trimmingWhitespace()
    }

    /// Reads a file holding one unsigned number.
    static func readNumber(_ path: String) throws -> UInt64 {
        let text = try readTrimmed(path)
        guard let value = UInt64(text) else { throw CgroupError.malformedFile(path: path, content: text) }
        return value
    }

    /// Writes `value` to an existing cgroup file in a single `write(2)`.
    static func write(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupError.system(operation: "open for write", path: path, errno: errno) }
        defer { close(fd) }
        var bytes = Array(value.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw CgroupError.system(operation: "write \"\(value)\" to", path: path, errno: errno)
            }
            if n != bytes.count {
                throw CgroupError.system(operation: "short write \"\(value)\" to", path: path, errno: EIO)
            }
            return
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents. Returns the directories it created, outermost first.
    @discardableResult
    static func makeDirectories(_ path: String) throws -> [String] {
        var created: [String] = []
        var current = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o755) == 0 {
                created.append(current)
            } else if errno != EEXIST {
                throw CgroupError.system(operation: "mkdir", path: current, errno: errno)
            }
        }
        return created
    }

    /// Names of the sub-directories of `path` (child cgroups).
    static func subdirectories(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw CgroupError.system(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let isDir = entry.pointee.d_type == UInt8(DT_DIR)
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if isDir && name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes one cgroup directory, retrying while the kernel still reports it busy
    /// (tasks that were just killed linger until they are reaped). A missing directory is success.
    static func removeDirectory(_ path: String, retryFor seconds: Double = 2.0) throws {
        var delay: UInt32 = 5_000
        var waited: UInt32 = 0
        while true {
            if rmdir(path) == 0 { return }
            let code = errno
            if code == ENOENT { return }
            guard code == EBUSY || code == EAGAIN, Double(waited) / 1_000_000 < seconds else {
                throw CgroupError.system(operation: "rmdir", path: path, errno: code)
            }
            usleep(delay)
            waited += delay
            delay = min(delay * 2, 100_000)
        }
    }

    /// Removes `path` and every cgroup below it, deepest first (a container may have made
    /// its own sub-cgroups through its cgroup namespace).
    static func removeTree(_ path: String, retryFor seconds: Double = 2.0) throws {
        guard isDirectory(path) else { return }
        for child in try subdirectories(path) {
            try removeTree(path + "/" + child, retryFor: seconds)
        }
        try removeDirectory(path, retryFor: seconds)
    }

    /// Pids listed in a `cgroup.procs`-style file.
    static func readPids(_ path: String) throws -> [Int32] {
        let text = try read(path)
        return try text.split(whereSeparator: \.isNewline).map { line in
            guard let pid = Int32(line) else { throw CgroupError.malformedFile(path: path, content: text) }
            return pid
        }
    }

    /// Parses a flat-keyed file (`key value` per line), e.g. `memory.events`, `cpu.stat`.
    static func readKeyed(_ path: String) throws -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in try read(path).split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2, let value = UInt64(fields[1]) else { continue }
            result[String(fields[0])] = value
        }
        return result
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
