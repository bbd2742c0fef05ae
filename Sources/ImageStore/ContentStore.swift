#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCI

/// Content-addressed blobs under `<root>/blobs/<algorithm>/<hex>`.
///
/// Every blob enters through a temp file in its final directory that is hashed while written,
/// fsynced, checked against the expected digest and size, then renamed into place (and the
/// directory fsynced): a blob path either holds verified content or does not exist. Content
/// that rots on disk later (a flipped bit) is caught when read or verified: the blob is
/// removed and `ImageStoreError.corruptBlob` says it must be fetched again.
public struct ContentStore: Sendable {
    public let root: String

    public init(root: String) throws {
        self.root = root
        for a in Digest.Algorithm.allCases { try FS.mkdirs("\(root)/blobs/\(a.rawValue)") }
        try FS.mkdirs("\(root)/ingest")
    }

    public func path(for digest: Digest) -> String {
        "\(root)/blobs/\(digest.algorithm.rawValue)/\(digest.encoded)"
    }

    /// Where an unfinished download of `digest` is kept so it can be resumed.
    func partialPath(for digest: Digest) -> String {
        "\(root)/ingest/\(digest.algorithm.rawValue)-\(digest.encoded).partial"
    }

    public func contains(_ digest: Digest) -> Bool { FS.exists(path(for: digest)) }

    public func size(of digest: Digest) -> Int64? { FS.fileSize(path(for: digest)) }

    /// Every blob present, sorted.
    public func list() -> [Digest] {
        Digest.Algorithm.allCases.flatMap { a in
            FS.listDir("\(root)/blobs/\(a.rawValue)").compactMap { try? Digest(algorithm: a, encoded: $0) }
        }.sorted()
    }

    /// Stores `bytes`, verifying them against `expected` when given; returns their digest.
    @discardableResult
    public func write(_ bytes: [UInt8], expected: Digest? = nil, what: String = "blob") throws -> Digest {
        try ingest(BytesSource(bytes), expected: expected, expectedSize: Int64(bytes.count), what: what).digest
    }

    /// Streams `source` into the store, hashing as it goes. With `expected`, a mismatch stores
    /// nothing; without, the content is stored under the digest computed.
    func ingest(_ source: ByteSource, expected: Digest?, expectedSize: Int64?, what: String) throws -> (digest: Digest, size: Int64) {
        let algorithm = expected?.algorithm ?? .sha256
        if let expected, contains(expected) {
            // Already present: drain nothing, trust the verified copy.
            if let s = size(of: expected) { return (expected, s) }
        }
        let dir = "\(root)/blobs/\(algorithm.rawValue)"
        let tmp = "\(dir)/.tmp-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        var ok = false
        defer {
            if !ok { close(fd); unlink(tmp) }
        }
        var hasher = DigestHasher(algorithm)
        while true {
            let chunk = try source.next()
            if chunk.isEmpty { break }
            hasher.update(chunk)
            if let expectedSize, hasher.count > expectedSize {
                throw ImageStoreError.sizeMismatch(expected: expectedSize, actual: hasher.count, what: what)
            }
            try FS.writeAll(fd, chunk, tmp)
        }
        let digest = try hasher.finalize()
        if let expectedSize, hasher.count != expectedSize {
            throw ImageStoreError.sizeMismatch(expected: expectedSize, actual: hasher.count, what: what)
        }
        if let expected, expected != digest {
            throw ImageStoreError.digestMismatch(expected: expected, actual: digest, what: what)
        }
        try FS.check(fsync(fd), "fsync \(tmp)")
        close(fd)
        ok = true
        do {
            try FS.rename(tmp, path(for: digest))
            try FS.fsyncDir(dir)
        } catch {
            unlink(tmp)
            throw error
        }
        return (digest, hasher.count)
    }

    /// Moves a completed, already verified download into place.
    func commitPartial(_ partial: String, as digest: Digest) throws {
        try FS.rename(partial, path(for: digest))
        try FS.fsyncDir("\(root)/blobs/\(digest.algorithm.rawValue)")
    }

    /// The whole blob, verified against its digest. For small blobs (manifests, configs).
    public func read(_ digest: Digest, maxSize: Int64 = 16 << 20) throws -> [UInt8] {
        let p = path(for: digest)
        guard let size = FS.fileSize(p) else { throw ImageStoreError.blobNotFound(digest) }
        guard size <= maxSize else { throw ImageStoreError.limitExceeded("blob \(digest) is \(size) bytes, more than \(maxSize)") }
        let bytes = try FS.readFile(p)
        let actual = try DigestHasher.digest(of: bytes, digest.algorithm)
        if actual != digest { throw quarantine(digest, detail: "content hashes to \(actual)") }
        return bytes
    }

    /// Opens the blob for streaming. The caller must hash what it reads (`HashingSource`) and
    /// call `confirm` at the end, so corrupt content is never used silently.
    func open(_ digest: Digest) throws -> Int32 {
        let p = path(for: digest)
        guard FS.exists(p) else { throw ImageStoreError.blobNotFound(digest) }
        return try FS.open(p, O_RDONLY)
    }

    /// Checks a streamed read's hash; on mismatch removes the blob and throws `corruptBlob`.
    func confirm(_ digest: Digest, actual: Digest) throws {
        if actual != digest { throw quarantine(digest, detail: "content hashes to \(actual)") }
    }

    /// Re-hashes a blob from disk; a corrupt blob is removed and reported.
    public func verify(_ digest: Digest) throws {
        let fd = try open(digest)
        defer { close(fd) }
        let src = HashingSource(FileSource(fd: fd, what: path(for: digest)), algorithm: digest.algorithm)
        while try !src.next().isEmpty {}
        try confirm(digest, actual: try src.digest())
    }

    /// Removes a blob; missing is fine.
    public func delete(_ digest: Digest) {
        unlink(path(for: digest))
    }

    private func quarantine(_ digest: Digest, detail: String) -> ImageStoreError {
        unlink(path(for: digest))
        return .corruptBlob(digest, detail: detail)
    }
}
