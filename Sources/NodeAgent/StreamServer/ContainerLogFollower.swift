import Foundation

/// Reads a container's CRI log file as whole lines: what is there now, then (when following)
/// every line appended after, until the container stops. A log file replaced by a new one at
/// the same path (rotation, a new instance) is noticed by its inode and read from the start.
final class ContainerLogFollower: Sendable {
    let path: String
    let isRunning: @Sendable () -> Bool
    let pollInterval: Duration

    init(path: String, pollInterval: Duration = .milliseconds(100), isRunning: @escaping @Sendable () -> Bool) {
        self.path = path
        self.pollInterval = pollInterval
        self.isRunning = isRunning
    }

    /// Opens the log now, so that a missing file is an error before any byte is streamed.
    func open() throws(StreamRequestError) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound("the container's log \(path) does not exist (yet)") }
            throw .internalError("cannot open the container's log \(path): errno \(errno)")
        }
        return fd
    }

    /// The lines: first the existing ones (in one batch, with `fromEnd` none of them), then,
    /// with `follow`, each batch appended later; ends when the container has stopped and the
    /// log has been read to its end, or when the consumer stops listening.
    func lines(fd initialFD: Int32, follow: Bool, fromEnd: Bool) -> AsyncStream<[CRILogParser.Line]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [CRILogParser.Line].self, bufferingPolicy: .bufferingOldest(64))
        let task = Task { [self] in
            var fd = initialFD
            defer { close(fd) }
            var parser = CRILogParser()
            if fromEnd {
                lseek(fd, 0, SEEK_END)
            } else {
                let existing = Self.readAvailable(fd)
                var first = parser.feed(existing)
                if !follow, let last = parser.flush() { first.append(last) }
                continuation.yield(first)
            }
            guard follow else { continuation.finish(); return }
            var idlePolls = 0
            while !Task.isCancelled {
                let bytes = Self.readAvailable(fd)
                if !bytes.isEmpty {
                    idlePolls = 0
                    let lines = parser.feed(bytes)
                    if !lines.isEmpty { continuation.yield(lines) }
                    continue
                }
                if let replacement = replaced(fd) {
                    close(fd)
                    fd = replacement
                    parser = CRILogParser()
                    continue
                }
                idlePolls += 1
                // Checking the container costs a state read: every few idle polls is enough.
                if idlePolls % 5 == 0, !isRunning() {
                    let rest = parser.feed(Self.readAvailable(fd)) + (parser.flush().map { [$0] } ?? [])
                    if !rest.isEmpty { continuation.yield(rest) }
                    break
                }
                try? await Task.sleep(for: pollInterval)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// A new file at the path (another inode): opened, for reading from its start.
    private func replaced(_ fd: Int32) -> Int32? {
        var current = stat(), opened = stat()
        guard stat(path, &current) == 0, fstat(fd, &opened) == 0 else { return nil }
        guard current.st_ino != opened.st_ino || current.st_dev != opened.st_dev else { return nil }
        let fresh = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        return fresh >= 0 ? fresh : nil
    }

    static func readAvailable(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { out += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return out
    }
}

/// Turns log lines into what `pods/log` sends: the text of each line with its newline, with
/// `timestamps` prefixed by the line's time, filtered by `since`, cut to `tailLines` (of the
/// existing log) and `limitBytes` (of everything sent).
struct ContainerLogFormatter {
    let options: ContainerLogOptions
    private(set) var remainingBytes: Int?
    private var firstBatch = true

    init(options: ContainerLogOptions) {
        self.options = options
        self.remainingBytes = options.limitBytes
    }

    var exhausted: Bool { remainingBytes.map { $0 <= 0 } ?? false }

    mutating func format(_ batch: [CRILogParser.Line]) -> [UInt8] {
        var lines = batch
        if let since = options.since {
            lines = lines.filter { CRITimestamp.parse($0.timestamp).map { $0 >= since } ?? true }
        }
        if firstBatch, let tail = options.tailLines { lines = Array(lines.suffix(tail)) }
        firstBatch = false
        var out: [UInt8] = []
        for line in lines {
            if options.timestamps { out += Array((CRITimestamp.rfc3339Nano(line.timestamp) + " ").utf8) }
            out += line.text
            out.append(UInt8(ascii: "\n"))
        }
        if let remaining = remainingBytes {
            if out.count > remaining { out.removeLast(out.count - remaining) }
            remainingBytes = remaining - out.count
        }
        return out
    }
}
