import Logging
import Raft

/// The write-ahead log: append-only segment files of CRC-checked records (see `WALRecord`),
/// holding Raft entries, hard states, snapshot markers and the member's identity.
///
/// Durability contract with the node loop (Raft's "persist before send"):
/// 1. For each `Ready`, call `save(hardState:entries:)` with its hard state and entries.
/// 2. Call `sync()` once — after any number of saves (group commit) — BEFORE sending the
///    Ready's messages or acknowledging anything that depends on them. Only `sync()` makes
///    saved records durable; records saved but not synced may be lost in a crash.
/// 3. Apply committed entries and call `advance()` afterwards.
///
/// Segments are cut when the active one passes `Options.segmentSize`; each new segment starts
/// with the metadata, the current hard state and the newest snapshot marker, so releasing
/// older segments (`releaseBefore(index:)`) never loses them.
///
/// Not thread-safe: owned by the node loop's task.
public final class WAL {
    public struct Options: Sendable {
        /// Start a new segment once the active one reaches this size.
        public var segmentSize: Int
        /// Saved records are written to the OS once this many bytes are pending (still not
        /// durable until `sync()`).
        public var writeBufferSize: Int
        /// Reserve each segment's blocks up front (fallocate, as etcd does), so an append
        /// does not grow the file and fdatasync has no size change to commit.
        public var preallocate: Bool

        public init(segmentSize: Int = 64 << 20, writeBufferSize: Int = 4 << 20, preallocate: Bool = true) {
            self.segmentSize = max(4096, segmentSize)
            self.writeBufferSize = writeBufferSize
            self.preallocate = preallocate
        }
    }

    public let directory: String
    public let options: Options
    public let metadata: WALMetadata

    private var segments: [SegmentName]
    private var active: DataFile
    private var pending: [UInt8] = []
    private var lastIndex: UInt64
    private var hardState: HardState
    private var marker: SnapshotMarker?
    private let logger = Logger(label: "skiff.kvstore.wal")

    /// The largest entry payload a record can hold.
    public static let maxEntrySize = WALRecord.maxPayload - 64

    /// Number of fdatasync calls issued (group-commit effectiveness; tests and metrics).
    public private(set) var syncCount = 0

    private init(
        directory: String, options: Options, metadata: WALMetadata, segments: [SegmentName],
        active: DataFile, lastIndex: UInt64, hardState: HardState, marker: SnapshotMarker?
    ) {
        self.directory = directory
        self.options = options
        self.metadata = metadata
        self.segments = segments
        self.active = active
        self.lastIndex = lastIndex
        self.hardState = hardState
        self.marker = marker
    }

    /// Opens the WAL in `directory` (created if missing), replaying every segment. A torn
    /// tail of the last segment is truncated and returned in the report (and logged); any
    /// other bad data throws `WALError.corrupt` naming the file and offset.
    /// `metadata` is written into a new WAL; for an existing one a non-zero `nodeID` must match.
    public static func open(
        directory: String, metadata: WALMetadata = WALMetadata(), options: Options = Options()
    ) throws(WALError) -> (WAL, RecoveryReport) {
        do {
            try DirectoryIO.create(directory)
            let names = try DirectoryIO.list(directory).compactMap(SegmentName.init(fileName:)).sorted()
            if names.isEmpty { return try create(directory: directory, metadata: metadata, options: options) }
            var replay = WALReplay()
            var dataEnd = 0
            for (position, name) in names.enumerated() {
                if position > 0, name.sequence != names[position - 1].sequence + 1 {
                    throw WALError.missingSegment(after: names[position - 1].fileName, expectedSequence: names[position - 1].sequence + 1)
                }
                dataEnd = try replay.replay(segment: directory + "/" + name.fileName, isLast: position == names.count - 1)
            }
            try replay.finish()
            let found = replay.metadata ?? metadata
            if metadata.nodeID != 0 && found != metadata {
                throw WALError.metadataMismatch(expected: metadata, found: found)
            }
            let lastName = names[names.count - 1]
            let active = try DataFile.open(directory + "/" + lastName.fileName)
            active.setDataEnd(dataEnd)
            if options.preallocate { _ = try active.preallocate(options.segmentSize) }
            let lastIndex = replay.entries.last?.index ?? replay.marker?.index ?? 0
            let wal = WAL(
                directory: directory, options: options, metadata: found, segments: names, active: active,
                lastIndex: lastIndex, hardState: replay.hardState, marker: replay.marker)
            if active.size == 0 {
                // The last segment lost even its header to the torn write: rewrite the header.
                try active.append(wal.segmentHeader())
                try active.dataSync()
            }
            let report = RecoveryReport(
                metadata: found, hardState: replay.hardState, entries: replay.entries, snapshotMarker: replay.marker,
                segments: names.map(\.fileName), recordCount: replay.recordCount, tornTail: replay.tornTail)
            if let torn = report.tornTail {
                wal.logger.warning("WAL torn tail truncated", metadata: [
                    "file": "\(torn.file)", "offset": "\(torn.offset)", "droppedBytes": "\(torn.droppedBytes)",
                    "reason": "\(torn.reason)",
                ])
            }
            return (wal, report)
        } catch let error as WALError {
            throw error
        } catch let error as FileIOError {
            throw .io(error)
        } catch {
            throw .io(FileIOError(operation: "open WAL (\(error))", path: directory, errno: 0))
        }
    }

    private static func create(
        directory: String, metadata: WALMetadata, options: Options
    ) throws(FileIOError) -> (WAL, RecoveryReport) {
        let name = SegmentName(sequence: 0, firstIndex: 0)
        let file = try DataFile.open(directory + "/" + name.fileName, create: true)
        if options.preallocate { _ = try file.preallocate(options.segmentSize) }
        let wal = WAL(
            directory: directory, options: options, metadata: metadata, segments: [name], active: file,
            lastIndex: 0, hardState: HardState(), marker: nil)
        try file.append(wal.segmentHeader())
        try file.dataSync()
        try DirectoryIO.sync(directory)
        let report = RecoveryReport(
            metadata: metadata, hardState: HardState(), entries: [], snapshotMarker: nil,
            segments: [name.fileName], recordCount: 1, tornTail: nil)
        return (wal, report)
    }

    private func segmentHeader() -> [UInt8] {
        var header: [UInt8] = []
        WALRecord.metadata(metadata).frame(into: &header)
        if !hardState.isEmpty { WALRecord.hardState(hardState).frame(into: &header) }
        if let marker { WALRecord.snapshotMarker(marker).frame(into: &header) }
        return header
    }

    // MARK: Writing

    /// Buffers `entries` (which may overwrite a suffix: replay keeps the newest write of each
    /// index and drops what followed it) and then `hardState`, if given. Not durable until
    /// `sync()`.
    public func save(hardState: HardState?, entries: [Entry]) throws(WALError) {
        for entry in entries {
            guard entry.data.count <= Self.maxEntrySize else { throw .recordTooLarge(entry.data.count) }
            WALRecord.entry(entry).frame(into: &pending)
            lastIndex = entry.index
        }
        if let hardState, hardState != self.hardState {
            WALRecord.hardState(hardState).frame(into: &pending)
            self.hardState = hardState
        }
        if pending.count >= options.writeBufferSize { try flush() }
    }

    /// Records that a snapshot at `index`/`term` exists (see `SnapshotFiles`). Call after the
    /// snapshot file is durable, then `sync()`.
    public func saveSnapshotMarker(index: UInt64, term: UInt64) throws(WALError) {
        let marker = SnapshotMarker(index: index, term: term)
        WALRecord.snapshotMarker(marker).frame(into: &pending)
        self.marker = marker
        lastIndex = max(lastIndex, index)
    }

    /// Writes everything saved so far and makes it durable with a single fdatasync.
    public func sync() throws(WALError) {
        do {
            try flushThrowingIO()
            try active.dataSync()
            syncCount += 1
            if active.size >= options.segmentSize { try cut() }
        } catch {
            throw .io(error)
        }
    }

    private func flush() throws(WALError) {
        do { try flushThrowingIO() } catch { throw .io(error) }
    }

    private func flushThrowingIO() throws(FileIOError) {
        guard !pending.isEmpty else { return }
        try active.append(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Starts the next segment; the previous one is already synced.
    private func cut() throws(FileIOError) {
        guard let last = segments.last else { return }
        let name = SegmentName(sequence: last.sequence + 1, firstIndex: lastIndex + 1)
        let file = try DataFile.open(directory + "/" + name.fileName, create: true)
        if options.preallocate { _ = try file.preallocate(options.segmentSize) }
        try file.append(segmentHeader())
        try file.dataSync()
        try DirectoryIO.sync(directory)
        active.close()
        active = file
        segments.append(name)
        logger.debug("WAL segment cut", metadata: ["segment": "\(name.fileName)"])
    }

    /// Removes segments holding only entries below `index` (already covered by a durable
    /// snapshot). The active segment always stays.
    public func releaseBefore(index: UInt64) throws(WALError) {
        var removable = 0
        while removable + 1 < segments.count && segments[removable + 1].firstIndex <= index { removable += 1 }
        guard removable > 0 else { return }
        do {
            for name in segments[..<removable] { try DirectoryIO.remove(directory + "/" + name.fileName) }
            segments.removeFirst(removable)
            try DirectoryIO.sync(directory)
        } catch {
            throw .io(error)
        }
    }

    /// Where the next record lands in the active segment (tests, diagnostics).
    var activeDataEnd: Int { active.size + pending.count }

    /// Segment file names currently on disk, oldest first.
    public var segmentFiles: [String] { segments.map(\.fileName) }

    /// Syncs what is pending and closes the active segment.
    public func close() throws(WALError) {
        try sync()
        active.close()
    }
}
