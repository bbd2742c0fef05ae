import Glibc
import Synchronization

/// An exclusive `flock` on `<data-dir>/lock`, held for as long as the member runs, so two
/// processes can never open the same member's WAL (two writers appending to one log would
/// corrupt it; a stale reader would serve old data). The kernel drops the lock when the
/// process dies, so a SIGKILLed member never leaves a stale lock behind. The holder's pid is
/// written into the file only to make the refusal message useful.
final class DataDirectoryLock: Sendable {
    let path: String
    private let fd: Mutex<Int32>

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = Mutex(fd)
    }

    static func acquire(directory: String) throws -> DataDirectoryLock {
        let path = directory + "/lock"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw NodeError.io(operation: "open lock file", path: path, detail: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = readHolder(fd)
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw NodeError.dataDirectoryInUse(
                    path: directory, holder: holder.map { "process \($0)" } ?? "another process")
            }
            throw NodeError.io(operation: "lock", path: path, detail: String(cString: strerror(code)))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return DataDirectoryLock(path: path, fd: fd)
    }

    private static func readHolder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count].filter { (0x30...0x39).contains($0) }, as: UTF8.self))
    }

    /// Releases the lock (closing the descriptor drops it). The file stays: removing it would
    /// race with a process that opened it and is about to lock it.
    func release() {
        fd.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }
}
