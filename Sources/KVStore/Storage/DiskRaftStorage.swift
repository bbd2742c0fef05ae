import Logging
import Raft

/// The durable `RaftStorage`: an in-memory copy of the log (what Raft reads, fast) backed by
/// the WAL and snapshot files (what survives a crash). Layout under `directory`: `wal/` and
/// `snap/`.
///
/// Write contract (node loop, per `Ready`):
/// - `applySnapshot(_:)` if the Ready has a snapshot (durable when it returns);
/// - `save(hardState:entries:)` for its hard state and entries, then `sync()` — before sending
///   the Ready's messages. Many Readies may share one `sync()` (group commit) as long as no
///   message of theirs is sent before it.
/// - Later, `createSnapshot(index:confState:data:)` + `compact(to:)` to bound the log.
///
/// The in-memory log behaves exactly like Raft's `MemoryStorage`: `log[0]` is a dummy entry
/// carrying the snapshot's index and term.
///
/// Not thread-safe: owned by the node loop's task, like the `RawNode` that reads it.
public final class DiskRaftStorage: RaftStorage {
    public let wal: WAL
    public let snapshots: SnapshotFiles
    /// What opening found (torn tail, segments replayed …).
    public let recovery: RecoveryReport

    private var hardState: HardState
    private var currentSnapshot: Snapshot
    /// `log[i].index == log[0].index + i`; `log[0]` is the snapshot marker.
    private var log: [Entry]
    private let logger = Logger(label: "skiff.kvstore.storage")

    /// Opens (or creates) the storage in `directory`: loads the newest valid snapshot, replays
    /// the WAL and keeps the entries after the snapshot.
    public init(
        directory: String, metadata: WALMetadata = WALMetadata(), walOptions: WAL.Options = WAL.Options(),
        retainSnapshots: Int = 3
    ) throws {
        snapshots = try SnapshotFiles(directory: directory + "/snap", retain: retainSnapshots)
        let snapshot = try snapshots.loadNewest() ?? Snapshot()
        let (wal, report) = try WAL.open(directory: directory + "/wal", metadata: metadata, options: walOptions)
        self.wal = wal
        self.recovery = report
        self.currentSnapshot = snapshot
        let base = snapshot.metadata.index
        var log = [Entry(term: snapshot.metadata.term, index: base)]
        let after = report.entries.drop { $0.index <= base }
        if let first = after.first {
            guard first.index == base + 1 else {
                throw DiskRaftStorageError.logGap(snapshotIndex: base, firstEntry: first.index)
            }
            // Entries older in term than the snapshot predate a snapshot received from the
            // leader (crash before its WAL marker): they are superseded, drop them.
            if first.term >= snapshot.metadata.term { log.append(contentsOf: after) }
        }
        self.log = log
        // The snapshot's entries are committed by definition; a hard state saved before the
        // snapshot arrived may lag behind it.
        var state = report.hardState
        state.commit = max(state.commit, base)
        self.hardState = state
        if let marker = report.snapshotMarker, marker.index > base {
            logger.warning("WAL refers to a snapshot newer than any readable snapshot file", metadata: [
                "walSnapshotIndex": "\(marker.index)", "loadedSnapshotIndex": "\(base)",
            ])
        }
    }

    // MARK: RaftStorage

    public func initialState() throws -> (HardState, ConfState) {
        (hardState, currentSnapshot.metadata.confState)
    }

    private var offset: UInt64 { log[0].index }

    public func firstIndex() throws -> UInt64 { offset + 1 }

    public func lastIndex() throws -> UInt64 { offset + UInt64(log.count) - 1 }

    public func term(of index: UInt64) throws -> UInt64 {
        if index < offset { throw RaftStorageError.compacted }
        let i = index - offset
        if i >= UInt64(log.count) { throw RaftStorageError.unavailable }
        return log[Int(i)].term
    }

    public func entries(from lo: UInt64, to hi: UInt64, maxBytes: UInt64) throws -> [Entry] {
        if lo <= offset { throw RaftStorageError.compacted }
        if hi > (try lastIndex()) + 1 { throw RaftStorageError.unavailable }
        if lo >= hi { return [] }
        var size: UInt64 = 0
        var end = Int(lo - offset)
        let stop = Int(hi - offset)
        while end < stop {
            size += log[end].byteSize
            if end > Int(lo - offset) && size > maxBytes { break }
            end += 1
        }
        return Array(log[Int(lo - offset)..<end])
    }

    public func snapshot() throws -> Snapshot { currentSnapshot }

    /// The persisted hard state as last saved.
    public var currentHardState: HardState { hardState }

    // MARK: Writes

    /// Appends entries (dropping any stored suffix they conflict with; entries the snapshot
    /// already covers are ignored) and records `hardState`. Durable after `sync()`.
    public func save(hardState: HardState?, entries: [Entry]) throws {
        // Refuse before touching memory, so memory and the WAL never disagree.
        if let huge = entries.first(where: { $0.data.count > WAL.maxEntrySize }) {
            throw WALError.recordTooLarge(huge.data.count)
        }
        let kept = try appendToMemory(entries)
        try wal.save(hardState: hardState, entries: kept)
        if let hardState { self.hardState = hardState }
    }

    /// `save(hardState:entries:)`, then `sync()` when `sync` is true (Ready's `mustSync`);
    /// without sync the records wait for the next `sync()` (group commit).
    public func save(hardState: HardState?, entries: [Entry], sync: Bool) throws {
        try save(hardState: hardState, entries: entries)
        if sync { try wal.sync() }
    }

    /// `save(hardState: nil, entries:)`.
    public func append(_ entries: [Entry]) throws {
        try save(hardState: nil, entries: entries)
    }

    /// `save(hardState:entries: [])`.
    public func setHardState(_ state: HardState) throws {
        try save(hardState: state, entries: [])
    }

    /// One fdatasync for everything saved since the last one.
    public func sync() throws {
        try wal.sync()
    }

    private func appendToMemory(_ entries: [Entry]) throws -> [Entry] {
        guard let first = entries.first else { return [] }
        let firstKept = offset + 1
        let last = first.index + UInt64(entries.count) - 1
        if last < firstKept { return [] }
        var incoming = entries[...]
        if first.index < firstKept { incoming = entries[Int(firstKept - first.index)...] }
        guard let start = incoming.first?.index else { return [] }
        let position = Int(start - offset)
        if position > log.count { throw RaftStorageError.unavailable }  // a gap: entries were skipped
        if position < log.count { log.removeSubrange(position...) }
        log.append(contentsOf: incoming)
        return Array(incoming)
    }

    /// Installs a snapshot received from the leader: the file and a WAL marker are durable
    /// when this returns; the in-memory log restarts after it.
    public func applySnapshot(_ snapshot: Snapshot) throws {
        if currentSnapshot.metadata.index >= snapshot.metadata.index { throw RaftStorageError.snapshotOutOfDate }
        try snapshots.save(snapshot)
        try wal.saveSnapshotMarker(index: snapshot.metadata.index, term: snapshot.metadata.term)
        hardState.commit = max(hardState.commit, snapshot.metadata.index)
        try wal.save(hardState: hardState, entries: [])
        try wal.sync()
        currentSnapshot = snapshot
        log = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the state machine as of applied `index` (durable when it
    /// returns). Usually followed by `compact(to:)`. `confState` nil keeps the current one.
    @discardableResult
    public func createSnapshot(index: UInt64, confState: ConfState?, data: [UInt8]) throws -> Snapshot {
        if index <= currentSnapshot.metadata.index { throw RaftStorageError.snapshotOutOfDate }
        if index > (try lastIndex()) { throw RaftStorageError.unavailable }
        var snapshot = currentSnapshot
        snapshot.metadata.index = index
        snapshot.metadata.term = try term(of: index)
        if let confState { snapshot.metadata.confState = confState }
        snapshot.data = data
        try snapshots.save(snapshot)
        try wal.saveSnapshotMarker(index: index, term: snapshot.metadata.term)
        try wal.sync()
        currentSnapshot = snapshot
        return snapshot
    }

    /// Discards entries before `index` from memory and releases WAL segments the durable
    /// snapshot makes unnecessary.
    public func compact(to index: UInt64) throws {
        if index <= offset { throw RaftStorageError.compacted }
        if index > (try lastIndex()) { throw RaftStorageError.unavailable }
        let i = Int(index - offset)
        var fresh: [Entry] = [Entry(term: log[i].term, index: log[i].index)]
        fresh.reserveCapacity(log.count - i)
        fresh.append(contentsOf: log[(i + 1)...])
        log = fresh
        // Replay after a crash needs every entry after the newest snapshot file.
        try wal.releaseBefore(index: min(index, currentSnapshot.metadata.index + 1))
    }
}

public enum DiskRaftStorageError: Error, CustomStringConvertible, Sendable {
    /// The WAL's entries start after the snapshot's index + 1: entries are missing.
    case logGap(snapshotIndex: UInt64, firstEntry: UInt64)

    public var description: String {
        switch self {
        case .logGap(let snapshotIndex, let firstEntry):
            "storage inconsistent: newest snapshot is at index \(snapshotIndex) but the WAL resumes at \(firstEntry)"
        }
    }
}
