#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCI

/// A pull source of bytes: the shape every stage of layer decoding shares (file → hash →
/// decompress → hash → tar). Synchronous and single-owner: a pipeline lives inside one call.
protocol ByteSource: AnyObject {
    /// The next chunk, or an empty array at the end of the stream.
    func next() throws -> [UInt8]
}

/// A push sink of bytes: the shape every stage of archive writing shares.
protocol ByteSink: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Flushes whatever the stage buffers; no write may follow.
    func finish() throws
}

/// Bytes of a file descriptor, optionally a window `[offset, offset+length)` read with `pread`.
final class FileSource: ByteSource {
    private let fd: Int32
    private let what: String
    private var offset: Int64
    private var remaining: Int64?
    private let chunk: Int

    init(fd: Int32, what: String, offset: Int64 = 0, length: Int64? = nil, chunk: Int = 256 << 10) {
        self.fd = fd
        self.what = what
        self.offset = offset
        self.remaining = length
        self.chunk = chunk
    }

    func next() throws -> [UInt8] {
        var want = chunk
        if let r = remaining { want = Int(min(Int64(chunk), r)) }
        if want == 0 { return [] }
        var buf = [UInt8](repeating: 0, count: want)
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageStoreError.system(operation: "read \(what)", errno: errno)
            }
            if n == 0, remaining != nil {
                throw ImageStoreError.malformedArchive("\(what): unexpected end of file")
            }
            buf.removeSubrange(n...)
            offset += Int64(n)
            if let r = remaining { remaining = r - Int64(n) }
            return buf
        }
    }
}

/// Bytes held in memory.
final class BytesSource: ByteSource {
    private var bytes: [UInt8]?
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func next() throws -> [UInt8] {
        defer { bytes = nil }
        return bytes ?? []
    }
}

/// Passes bytes through while hashing them, so a stream can be verified once consumed.
final class HashingSource: ByteSource {
    private let inner: ByteSource
    private(set) var hasher: DigestHasher
    init(_ inner: ByteSource, algorithm: Digest.Algorithm = .sha256) {
        self.inner = inner
        self.hasher = DigestHasher(algorithm)
    }
    func next() throws -> [UInt8] {
        let c = try inner.next()
        hasher.update(c)
        return c
    }
    var count: Int64 { hasher.count }
    func digest() throws -> Digest { try hasher.finalize() }
}

/// Hands out exact byte counts over a chunked source: what a tar reader needs.
final class BufferedReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private(set) var consumed: Int64 = 0

    init(_ source: ByteSource) { self.source = source }

    private func fill() throws -> Bool {
        if position < buffer.count { return true }
        let c = try source.next()
        if c.isEmpty { return false }
        buffer = c
        position = 0
        return true
    }

    /// Exactly `n` bytes, or fewer only at end of stream.
    func read(_ n: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            guard try fill() else { break }
            let take = min(n - out.count, buffer.count - position)
            out += buffer[position..<(position + take)]
            position += take
        }
        consumed += Int64(out.count)
        return out
    }

    /// Up to `max` bytes as they come (at least one unless at end of stream).
    func readSome(max: Int) throws -> [UInt8] {
        guard try fill() else { return [] }
        let take = min(max, buffer.count - position)
        let out = Array(buffer[position..<(position + take)])
        position += take
        consumed += Int64(take)
        return out
    }

    /// Skips `n` bytes; returns false if the stream ended first.
    func skip(_ n: Int64) throws -> Bool {
        var left = n
        while left > 0 {
            let c = try readSome(max: Int(min(left, 1 << 20)))
            if c.isEmpty { return false }
            left -= Int64(c.count)
        }
        return true
    }

    /// Reads the source to its end (so hashes over it are complete).
    func drain() throws {
        while try !readSome(max: 1 << 20).isEmpty {}
    }
}

/// Writes to a file descriptor.
final class FileSink: ByteSink {
    private let fd: Int32
    private let what: String
    init(fd: Int32, what: String) { self.fd = fd; self.what = what }
    func write(_ bytes: [UInt8]) throws { try FS.writeAll(fd, bytes, what) }
    func finish() throws {}
}

/// Passes bytes through to `inner` while hashing and counting them.
final class HashingSink: ByteSink {
    private let inner: ByteSink?
    private(set) var hasher = DigestHasher()
    init(_ inner: ByteSink?) { self.inner = inner }
    func write(_ bytes: [UInt8]) throws {
        hasher.update(bytes)
        try inner?.write(bytes)
    }
    func finish() throws { try inner?.finish() }
    var count: Int64 { hasher.count }
    func digest() throws -> Digest { try hasher.finalize() }
}

/// Collects bytes in memory.
final class BytesSink: ByteSink {
    private(set) var bytes: [UInt8] = []
    func write(_ b: [UInt8]) throws { bytes += b }
    func finish() throws {}
}
