import Synchronization

/// The multi-version keyspace with etcd's semantics: every write transaction gets the next
/// cluster-wide revision, every key keeps its versions until compaction, reads may go back
/// to any revision not yet compacted, and `watchHub` streams changes.
///
/// Threading: the node loop's single apply task calls `apply(_:)` with committed commands in
/// log order — that order is what makes all members identical, so nothing else may call
/// `apply`. Reads (`range`, revisions, `snapshotData`) are safe from any task: the state sits
/// behind a mutex, and each call sees one consistent revision.
public final class MVCCStore: Sendable {
    /// etcd's default `--max-txn-ops`: the most compares, or operations per branch, in a txn.
    public static let maxTxnOps = 128

    private let state: Mutex<KeySpace>
    /// Watch the keyspace here; fed on every applied write.
    public let watchHub: WatchHub

    /// An empty keyspace at revision 1.
    public init(watchHub: WatchHub = WatchHub()) {
        self.state = Mutex(KeySpace())
        self.watchHub = watchHub
        watchHub.reset(log: [], compactedRevision: 0, currentRevision: 1)
    }

    private init(keySpace: sending KeySpace, log: [RevisionEvents], watchHub: WatchHub) {
        let compacted = keySpace.compactedRevision, current = keySpace.currentRevision
        self.state = Mutex(keySpace)
        self.watchHub = watchHub
        watchHub.reset(log: log, compactedRevision: compacted, currentRevision: current)
    }

    /// Applies one committed command. Deterministic: the result and the new state depend only
    /// on the previous state and the command. A refused command changes nothing.
    public func apply(_ command: StoreCommand) -> StoreResult {
        state.withLock { keySpace in
            let (result, changes) = keySpace.apply(command)
            if let changes { watchHub.publish(changes) }
            if case .compact = result { watchHub.compact(to: keySpace.compactedRevision) }
            return result
        }
    }

    /// Reads keys; throws `.compacted`, `.futureRevision` or `.keyEmpty`.
    public func range(_ request: RangeRequest) throws(StoreError) -> RangeResponse {
        try state.withLock { keySpace throws(StoreError) in try keySpace.range(request) }
    }

    /// Answers a transaction for which `isReadOnly` holds from the current state (see
    /// `ReadOnlyTxn.swift`); safe from any task, like `range`. Fails as the log path would.
    public func readOnlyTxn(_ txn: TxnRequest) throws(StoreError) -> TxnResponse {
        precondition(txn.isReadOnly, "readOnlyTxn needs a read-only transaction")
        return try state.withLock { keySpace throws(StoreError) in try keySpace.evaluateReadOnly(txn) }
    }

    /// Granted leases (id → TTL seconds): what a new leader starts its lease clock from.
    public var leases: [Int64: Int64] { state.withLock { $0.leases } }

    /// The TTL of a lease and its attached keys (sorted), nil if not granted.
    public func lease(_ id: Int64) -> (ttl: Int64, keys: [[UInt8]])? {
        state.withLock { keySpace in
            guard let ttl = keySpace.leases[id] else { return nil }
            return (ttl, (keySpace.leaseKeys[id] ?? []).sorted(by: keyLess))
        }
    }

    /// The revision of the newest applied write (1 for an empty store).
    public var currentRevision: Int64 { state.withLock { $0.currentRevision } }

    /// Reads below this revision fail with `.compacted`; 0 if never compacted.
    public var compactedRevision: Int64 { state.withLock { $0.compactedRevision } }

    /// Number of keys that currently exist.
    public var keyCount: Int {
        state.withLock { keySpace in
            var live = 0
            for history in keySpace.histories.values where history.live != nil { live += 1 }
            return live
        }
    }

    // MARK: State-machine snapshot

    /// The whole keyspace — every retained version, the compacted and current revisions — as
    /// the bytes of a Raft snapshot (format in `KeySpaceCoding`).
    public func snapshotData() -> [UInt8] {
        state.withLock { KeySpaceCoding.encode($0) }
    }

    /// A new store holding the keyspace `snapshotData()` produced, with a fresh watch hub.
    public static func restore(from bytes: [UInt8], watchHub: WatchHub = WatchHub()) throws(StoreError) -> MVCCStore {
        let keySpace = try KeySpaceCoding.decode(bytes)
        let log = KeySpaceCoding.eventLog(of: keySpace)
        return MVCCStore(keySpace: keySpace, log: log, watchHub: watchHub)
    }

    /// Replaces this store's keyspace with a snapshot (a follower installing the leader's
    /// snapshot). Current watchers end with `StoreError.watchReset` and must re-list.
    public func replaceContents(withSnapshot bytes: [UInt8]) throws(StoreError) {
        let restored = try KeySpaceCoding.decode(bytes)
        let log = KeySpaceCoding.eventLog(of: restored)
        state.withLock { keySpace in
            keySpace = restored
            watchHub.reset(log: log, compactedRevision: restored.compactedRevision, currentRevision: restored.currentRevision)
        }
    }
}
