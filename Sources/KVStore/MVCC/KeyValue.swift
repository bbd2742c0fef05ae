/// One version of one key, as etcd's `mvccpb.KeyValue` describes it.
public struct KeyValue: Sendable, Equatable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Revision of the write that created the key (since its last deletion).
    public var createRevision: Int64
    /// Revision of the last write to the key (for a DELETE event: the deletion's revision).
    public var modRevision: Int64
    /// Number of writes since the key was created; 0 for a deleted key.
    public var version: Int64
    /// Lease the key is attached to (0: none); revoking or expiring the lease deletes the key.
    public var lease: Int64

    public init(
        key: [UInt8], value: [UInt8] = [], createRevision: Int64 = 0, modRevision: Int64 = 0,
        version: Int64 = 0, lease: Int64 = 0
    ) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }
}

/// Why the keyspace refused a request. Equatable so callers and tests can match exactly.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The requested revision is older than the compacted revision (carried).
    case compacted(Int64)
    /// The requested revision is newer than the store's current revision.
    case futureRevision
    /// A put or compare named the empty key.
    case keyEmpty
    /// A transaction carried more operations than `MVCCStore.maxTxnOps`.
    case tooManyOps
    /// A transaction writes the same key twice (a put twice, or a put inside a deleted range).
    case duplicateKey
    /// The watcher fell so far behind that its buffer overflowed; it was cancelled.
    case watcherTooSlow
    /// The watch was cancelled because the keyspace was replaced from a snapshot; re-list.
    case watchReset
    /// A command, keyspace snapshot or file could not be decoded.
    case corrupt(String)
    /// A put named a lease that was never granted, or was revoked; or a revoke named one.
    case leaseNotFound
    /// A grant asked for an id that is already granted.
    case leaseExists

    public var description: String {
        switch self {
        case .compacted(let revision): "required revision has been compacted (compacted revision \(revision))"
        case .futureRevision: "required revision is a future revision"
        case .keyEmpty: "key is not provided"
        case .tooManyOps: "too many operations in txn request"
        case .duplicateKey: "duplicate key given in txn request"
        case .watcherTooSlow: "watcher cancelled: it fell too far behind and its buffer overflowed"
        case .watchReset: "watch cancelled: the keyspace was restored from a snapshot"
        case .corrupt(let why): "corrupt data: \(why)"
        case .leaseNotFound: "requested lease not found"
        case .leaseExists: "lease already exists"
        }
    }
}
