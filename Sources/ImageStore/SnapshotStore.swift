#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import OCI

/// Unpacked layers, one directory per chain ID under `<root>/snapshots/<alg>/<hex>`, each
/// holding only its own layer's changes in overlayfs form; a container's root is an overlay
/// whose lower directories are its image's snapshots, top layer first.
///
/// A layer is unpacked into `<root>/snapshots/.tmp-*` and renamed into place only once its
/// content and diffID have been verified, so a snapshot directory that exists is complete.
/// When two unpacks of the same chain ID race, the second rename fails and its copy is
/// dropped: each layer ends up on disk once.
public struct SnapshotStore: Sendable {
    public let root: String

    public init(root: String) throws {
        self.root = "\(root)/snapshots"
        for a in Digest.Algorithm.allCases { try FS.mkdirs("\(self.root)/\(a.rawValue)") }
    }

    public func path(for chainID: Digest) -> String {
        "\(root)/\(chainID.algorithm.rawValue)/\(chainID.encoded)"
    }

    public func contains(_ chainID: Digest) -> Bool { FS.exists(path(for: chainID)) }

    /// Every snapshot present.
    public func list() -> [Digest] {
        Digest.Algorithm.allCases.flatMap { a in
            FS.listDir("\(root)/\(a.rawValue)").compactMap { try? Digest(algorithm: a, encoded: $0) }
        }.sorted()
    }

    public func remove(_ chainID: Digest) {
        // Rename away first so a half-removed snapshot is never seen under its name.
        let doomed = "\(root)/.tmp-remove-\(UInt64.random(in: 0...UInt64.max))"
        if Glibc.rename(path(for: chainID), doomed) == 0 { FS.removeTree(doomed) }
    }

    /// Unpacks `layer` (whose uncompressed digest must be `diffID`) as snapshot `chainID`,
    /// unless it exists. Returns whether this call did the unpacking.
    @discardableResult
    func unpack(layer: Descriptor, diffID: Digest, chainID: Digest, content: ContentStore,
                limits: UnpackLimits, logger: Logger) throws -> Bool {
        if contains(chainID) { return false }
        guard let compression = MediaType.layerCompression(layer.mediaType) else {
            throw ImageStoreError.unsupported("layer \(layer.digest) has media type \(layer.mediaType), which is not a layer type")
        }
        var template = Array("\(root)/.tmp-XXXXXX".utf8CString)
        guard let tmpPtr = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw ImageStoreError.system(operation: "mkdtemp in \(root)", errno: errno)
        }
        let tmp = String(cString: tmpPtr)
        var committed = false
        defer { if !committed { FS.removeTree(tmp) } }
        do {
            try apply(layer: layer, compression: compression, diffID: diffID, content: content, limits: limits, into: tmp)
        } catch let error as ImageStoreError {
            // A parse error may really be a rotten blob: say so if it is.
            if case .corruptBlob = error { throw error }
            try content.verify(layer.digest)
            throw error
        }
        if Glibc.rename(tmp, path(for: chainID)) != 0 {
            if errno == EEXIST || errno == ENOTEMPTY { return false } // another unpack won the race
            throw ImageStoreError.system(operation: "rename snapshot into \(path(for: chainID))", errno: errno)
        }
        committed = true
        try FS.fsyncDir("\(root)/\(chainID.algorithm.rawValue)")
        logger.debug("unpacked layer", metadata: ["layer": "\(layer.digest)", "chainID": "\(chainID)"])
        return true
    }

    private func apply(layer: Descriptor, compression: MediaType.LayerCompression, diffID: Digest,
                       content: ContentStore, limits: UnpackLimits, into dir: String) throws {
        let fd = try content.open(layer.digest)
        defer { close(fd) }
        let compressed = HashingSource(FileSource(fd: fd, what: "layer \(layer.digest)"), algorithm: layer.digest.algorithm)
        let kind: LayerCompressionKind
        switch compression {
        case .none: kind = .none
        case .gzip: kind = .gzip
        case .zstd: kind = .zstd
        }
        let plain = HashingSource(try decompressing(compressed, kind, limits: limits.decompression, what: "layer \(layer.digest)"),
                                  algorithm: diffID.algorithm)
        let reader = BufferedReader(plain)
        let unpacker = try LayerUnpacker(directory: dir, limits: limits)
        try unpacker.apply(TarReader(reader, maxEntrySize: limits.maxEntrySize))
        try reader.drain()
        while try !compressed.next().isEmpty {}
        try content.confirm(layer.digest, actual: try compressed.digest())
        let actualDiffID = try plain.digest()
        guard actualDiffID == diffID else {
            throw ImageStoreError.digestMismatch(expected: diffID, actual: actualDiffID, what: "diffID of layer \(layer.digest)")
        }
    }
}
