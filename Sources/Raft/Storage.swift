/// Why storage could not answer.
public enum RaftStorageError: Error, Equatable {
    /// The requested index is below the first index: it was compacted into a snapshot.
    case compacted
    /// The requested index is above the last index.
    case unavailable
    /// A snapshot older than the one already held was offered.
    case snapshotOutOfDate
    /// The snapshot is being produced; ask again later (the leader retries on the next probe).
    case snapshotTemporarilyUnavailable
}

/// Read access to the persisted log, which the Raft core consults but never writes.
///
/// Contract:
/// - The application writes to storage (from `Ready`) before calling `advance`; Raft only reads.
/// - Indexes `firstIndex() ..< lastIndex() + 1` are available. `firstIndex() - 1` is the index of
///   the latest snapshot (or of the dummy entry at 0 for a fresh log), and `term(of:)` must
///   answer for it too, so the entry before the first available one can be matched.
/// - `entries(from:to:maxBytes:)` returns `[lo, hi)`, truncated to at most `maxBytes` in total
///   but always at least one entry when the range is not empty. It throws `.compacted` when
///   `lo < firstIndex()` and `.unavailable` when `hi > lastIndex() + 1`.
/// - `term(of:)` throws `.compacted` below `firstIndex() - 1` and `.unavailable` above `lastIndex()`.
/// - `snapshot()` returns the latest snapshot, or throws `.snapshotTemporarilyUnavailable`.
/// - `initialState()` returns the persisted hard state and the membership as of the latest
///   snapshot plus any applied conf changes persisted by the application.
public protocol RaftStorage: AnyObject {
    func initialState() throws -> (HardState, ConfState)
    func entries(from lo: UInt64, to hi: UInt64, maxBytes: UInt64) throws -> [Entry]
    func term(of index: UInt64) throws -> UInt64
    func firstIndex() throws -> UInt64
    func lastIndex() throws -> UInt64
    func snapshot() throws -> Snapshot
}
