import Logging
import Raft

/// Raft snapshots on disk, one file per snapshot: `<index>-<term>.snap` (16 hex digits each,
/// so names sort by index). A file is written to `<name>.tmp`, fsynced, renamed into place
/// and the directory fsynced, so a crash leaves either the whole new file or none — a stray
/// temp file is ignored and removed. Each file is CRC-checked (`SnapshotFileFormat`); a bad
/// one is renamed to `.broken` and the next older one is used.
///
/// Not thread-safe: owned by the node loop's task.
public final class SnapshotFiles {
    public let directory: String
    /// How many snapshot files `save` leaves behind (older ones are pruned).
    public let retain: Int
    private let logger = Logger(label: "skiff.kvstore.snapshot")

    public init(directory: String, retain: Int = 3) throws(FileIOError) {
        self.directory = directory
        self.retain = max(1, retain)
        try DirectoryIO.create(directory)
        for name in try DirectoryIO.list(directory) where name.hasSuffix(".snap.tmp") {
            try DirectoryIO.remove(directory + "/" + name)
        }
    }

    static func fileName(index: UInt64, term: UInt64) -> String {
        hex16(index) + "-" + hex16(term) + ".snap"
    }

    /// Durably writes `snapshot`, then prunes all but the newest `retain` files.
    public func save(_ snapshot: Snapshot) throws(FileIOError) {
        let name = Self.fileName(index: snapshot.metadata.index, term: snapshot.metadata.term)
        let temporary = directory + "/" + name + ".tmp"
        try DirectoryIO.remove(temporary)
        let file = try DataFile.open(temporary, create: true)
        do {
            try file.append(SnapshotFileFormat.encode(snapshot))
            try file.fullSync()
            file.close()
        } catch {
            file.close()
            try? DirectoryIO.remove(temporary)
            throw error
        }
        try DirectoryIO.rename(temporary, to: directory + "/" + name)
        try DirectoryIO.sync(directory)
        try prune()
    }

    /// Snapshot file names (valid or not), newest first.
    public func fileNames() throws(FileIOError) -> [String] {
        try DirectoryIO.list(directory).filter { $0.hasSuffix(".snap") && $0.count == 38 }.sorted(by: >)
    }

    /// The newest snapshot that reads back intact, or nil if there is none. Files that fail
    /// their checksum are renamed to `<name>.broken` (kept for inspection) and skipped.
    public func loadNewest() throws(FileIOError) -> Snapshot? {
        for name in try fileNames() {
            let path = directory + "/" + name
            let file = try DataFile.open(path)
            let bytes = try file.readAll()
            file.close()
            do {
                let snapshot = try SnapshotFileFormat.decode(bytes)
                guard Self.fileName(index: snapshot.metadata.index, term: snapshot.metadata.term) == name else {
                    throw SnapshotFileError(reason: "file name does not match its index/term")
                }
                return snapshot
            } catch {
                logger.error("snapshot file unreadable; skipping it", metadata: ["file": "\(path)", "error": "\(error)"])
                try DirectoryIO.rename(path, to: path + ".broken")
            }
        }
        return nil
    }

    private func prune() throws(FileIOError) {
        let names = try fileNames()
        guard names.count > retain else { return }
        for name in names[retain...] { try DirectoryIO.remove(directory + "/" + name) }
        try DirectoryIO.sync(directory)
    }
}

public struct SnapshotFileError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { "invalid snapshot file: \(reason)" }
}

/// Layout of a snapshot file:
///
///     "SKSNAP" | version u8 = 1 | index varint | term varint | voters (count, ids…)
///     | learners (count, ids…) | data (length, bytes) | crc32c u32le of everything before
enum SnapshotFileFormat {
    static let magic: [UInt8] = Array("SKSNAP".utf8)
    static let formatVersion: UInt8 = 1

    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: snapshot.data.count + 64)
        writer.writeRaw(magic)
        writer.write(formatVersion)
        writer.writeVarint(snapshot.metadata.index)
        writer.writeVarint(snapshot.metadata.term)
        for ids in [snapshot.metadata.confState.voters, snapshot.metadata.confState.learners] {
            writer.writeVarint(UInt64(ids.count))
            for id in ids { writer.writeVarint(id) }
        }
        writer.writeLengthPrefixed(snapshot.data)
        var bytes = writer.bytes
        withUnsafeBytes(of: CRC32C.checksum(bytes).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Snapshot {
        guard bytes.count >= magic.count + 5, Array(bytes.prefix(magic.count)) == magic else {
            throw SnapshotFileError(reason: "missing SKSNAP header")
        }
        let end = bytes.count - 4
        var trailer = ByteReader(bytes, from: end)
        let stored = try trailer.readFixed32()
        let computed = CRC32C.checksum(bytes[0..<end])
        guard stored == computed else {
            throw SnapshotFileError(reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        var reader = ByteReader(bytes, from: magic.count, to: end)
        let version = try reader.readByte()
        guard version == formatVersion else { throw SnapshotFileError(reason: "unsupported format version \(version)") }
        var metadata = SnapshotMetadata(index: try reader.readVarint(), term: try reader.readVarint())
        var lists: [[UInt64]] = []
        for _ in 0..<2 {
            let count = try reader.readCount()
            var ids: [UInt64] = []
            for _ in 0..<count { ids.append(try reader.readVarint()) }
            lists.append(ids)
        }
        metadata.confState = ConfState(voters: lists[0], learners: lists[1])
        let data = try reader.readLengthPrefixed()
        guard reader.isAtEnd else { throw SnapshotFileError(reason: "\(reader.remaining) trailing bytes") }
        return Snapshot(metadata: metadata, data: data)
    }
}
