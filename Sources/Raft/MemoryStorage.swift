/// An in-memory `RaftStorage`: the reference implementation of the storage contract, used by
/// tests and the simulation, and a model for a durable implementation.
///
/// `entries[0]` is a dummy entry holding the index and term of the latest snapshot, so the term
/// of the entry just before the first available one is always known. Not thread-safe: owned by
/// the same task as the `RawNode` reading it.
public final class MemoryStorage: RaftStorage {
    public private(set) var hardState = HardState()
    private var currentSnapshot = Snapshot()
    /// `log[i].index == log[0].index + i`; `log[0]` is the snapshot marker.
    private var log: [Entry] = [Entry(term: 0, index: 0)]

    public init() {}

    public func initialState() throws -> (HardState, ConfState) {
        (hardState, currentSnapshot.metadata.confState)
    }

    public func setHardState(_ state: HardState) {
        hardState = state
    }

    private var offset: UInt64 { log[0].index }

    public func firstIndex() throws -> UInt64 { offset + 1 }

    public func lastIndex() throws -> UInt64 { offset + UInt64(log.count) - 1 }

    public func term(of index: UInt64) throws -> UInt64 {
        if index < offset { throw RaftStorageError.compacted }
        let i = Int(index - offset)
        if i >= log.count { throw RaftStorageError.unavailable }
        return log[i].term
    }

    public func entries(from lo: UInt64, to hi: UInt64, maxBytes: UInt64) throws -> [Entry] {
        if lo <= offset { throw RaftStorageError.compacted }
        if hi > (try lastIndex()) + 1 { throw RaftStorageError.unavailable }
        if lo >= hi { return [] }
        return limitSize(log[Int(lo - offset)..<Int(hi - offset)], maxBytes: maxBytes)
    }

    public func snapshot() throws -> Snapshot { currentSnapshot }

    /// Replaces the whole log with `snapshot` (a follower receiving one from its leader).
    public func applySnapshot(_ snapshot: Snapshot) throws {
        if currentSnapshot.metadata.index >= snapshot.metadata.index {
            throw RaftStorageError.snapshotOutOfDate
        }
        currentSnapshot = snapshot
        log = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the state machine as of applied `index`; the caller then usually
    /// calls `compact(to:)` to drop the entries it covers. `confState` nil keeps the current one.
    @discardableResult
    public func createSnapshot(index: UInt64, confState: ConfState?, data: [UInt8]) throws -> Snapshot {
        if index <= currentSnapshot.metadata.index { throw RaftStorageError.snapshotOutOfDate }
        if index > (try lastIndex()) { throw RaftStorageError.unavailable }
        currentSnapshot.metadata.index = index
        currentSnapshot.metadata.term = log[Int(index - offset)].term
        if let confState { currentSnapshot.metadata.confState = confState }
        currentSnapshot.data = data
        return currentSnapshot
    }

    /// Discards every entry before `index` (which stays, as the new marker).
    public func compact(to index: UInt64) throws {
        if index <= offset { throw RaftStorageError.compacted }
        if index > (try lastIndex()) { throw RaftStorageError.unavailable }
        let i = Int(index - offset)
        var fresh: [Entry] = []
        fresh.reserveCapacity(log.count - i)
        fresh.append(Entry(term: log[i].term, index: log[i].index))
        fresh.append(contentsOf: log[(i + 1)...])
        log = fresh
    }

    /// Appends entries, first dropping any stored suffix they conflict with (the `Ready.entries`
    /// contract). Entries already covered by the snapshot are ignored.
    public func append(_ entries: [Entry]) throws {
        guard let first = entries.first else { return }
        let firstKept = offset + 1
        let last = first.index + UInt64(entries.count) - 1
        if last < firstKept { return }
        var incoming = entries[...]
        if first.index < firstKept {
            incoming = entries[Int(firstKept - first.index)...]
        }
        guard let start = incoming.first?.index else { return }
        let position = Int(start - offset)
        if position > log.count {
            throw RaftStorageError.unavailable  // a gap: the caller skipped entries
        }
        if position < log.count {
            log.removeSubrange(position...)
        }
        log.append(contentsOf: incoming)
    }
}

/// Returns a prefix of `entries` whose total size stays within `maxBytes`, but at least one entry.
@usableFromInline func limitSize(_ entries: ArraySlice<Entry>, maxBytes: UInt64) -> [Entry] {
    if entries.isEmpty { return [] }
    var size: UInt64 = 0
    var end = entries.startIndex
    while end < entries.endIndex {
        size += entries[end].byteSize
        if end > entries.startIndex && size > maxBytes { break }
        end += 1
    }
    return Array(entries[entries.startIndex..<end])
}
