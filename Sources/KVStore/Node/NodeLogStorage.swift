import Raft

/// The durable Raft log as the node loop drives it: Raft reads it (`RaftStorage`), the loop
/// writes each Ready into it. Used only from the node loop's thread.
public protocol NodeLogStorage: RaftStorage {
    /// Persists a Ready's hard state and entries (appending; an entry at an index already
    /// stored replaces it and everything after it). Returns only once durable when `sync`.
    func save(hardState: HardState?, entries: [Entry], sync: Bool) throws
    /// Persists and adopts a snapshot received from the leader, discarding the log it covers.
    func applySnapshot(_ snapshot: Snapshot) throws
    /// Records a snapshot of the local state machine at `index` (already applied).
    func createSnapshot(index: UInt64, confState: ConfState, data: [UInt8]) throws
    /// Discards log entries up to and including `index` (covered by a snapshot).
    func compact(to index: UInt64) throws
}

/// In-memory log: for tests and for a member started without a data directory. Loses
/// everything on exit, by design.
extension MemoryStorage: NodeLogStorage {
    public func save(hardState: HardState?, entries: [Entry], sync: Bool) throws {
        if let hardState { setHardState(hardState) }
        if !entries.isEmpty { try append(entries) }
    }

    public func createSnapshot(index: UInt64, confState: ConfState, data: [UInt8]) throws {
        _ = try createSnapshot(index: index, confState: Optional(confState), data: data)
    }
}
