/// Request and response values of the keyspace, mirroring etcd's KV service (`etcdserverpb`)
/// so the apiserver can speak the same semantics: single key, range, prefix, from-key.

/// Reads keys. `rangeEnd` empty: the single key `key`. `rangeEnd == [0]`: every key ≥ `key`
/// (and `key == [0]` too: every key). Otherwise the half-open range `[key, rangeEnd)`; use
/// `RangeRequest.prefixEnd(of:)` for a prefix.
public struct RangeRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    /// Maximum number of keys returned; 0 means no limit.
    public var limit: Int64
    /// Read the keyspace as of this revision; 0 means the current revision.
    public var revision: Int64
    /// Return only the count of matching keys, no key-values.
    public var countOnly: Bool
    /// Return key-values without their values.
    public var keysOnly: Bool

    public init(
        key: [UInt8], rangeEnd: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0,
        countOnly: Bool = false, keysOnly: Bool = false
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.countOnly = countOnly
        self.keysOnly = keysOnly
    }

    /// A request for every key starting with `prefix`.
    public static func prefix(_ prefix: [UInt8], limit: Int64 = 0, revision: Int64 = 0) -> RangeRequest {
        RangeRequest(key: prefix, rangeEnd: prefixEnd(of: prefix), limit: limit, revision: revision)
    }

    /// The smallest key greater than every key with this prefix: the prefix with its last
    /// byte below 0xff incremented and what follows dropped; `[0]` ("to the end") if the
    /// prefix is empty or all 0xff.
    public static func prefixEnd(of prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

public struct RangeResponse: Sendable, Equatable {
    /// Matching key-values in key order (empty with `countOnly`), at most `limit`.
    public var kvs: [KeyValue]
    /// Number of keys in the range, regardless of `limit`.
    public var count: Int64
    /// True if `limit` cut the result short.
    public var more: Bool
    /// The store's current revision when the read was served.
    public var revision: Int64

    public init(kvs: [KeyValue] = [], count: Int64 = 0, more: Bool = false, revision: Int64 = 0) {
        self.kvs = kvs
        self.count = count
        self.more = more
        self.revision = revision
    }
}

public struct PutRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Return the key-value as it was before this put.
    public var prevKV: Bool
    public var lease: Int64

    public init(key: [UInt8], value: [UInt8], prevKV: Bool = false, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.prevKV = prevKV
        self.lease = lease
    }
}

public struct PutResponse: Sendable, Equatable {
    /// The revision of the write.
    public var revision: Int64
    public var prevKV: KeyValue?

    public init(revision: Int64, prevKV: KeyValue? = nil) {
        self.revision = revision
        self.prevKV = prevKV
    }
}

/// Deletes the keys a `RangeRequest` with the same `key`/`rangeEnd` would select.
public struct DeleteRangeRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var prevKV: Bool

    public init(key: [UInt8], rangeEnd: [UInt8] = [], prevKV: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.prevKV = prevKV
    }
}

public struct DeleteRangeResponse: Sendable, Equatable {
    /// The store's revision after the delete (unchanged if nothing was deleted).
    public var revision: Int64
    public var deleted: Int64
    /// The deleted key-values, when asked for.
    public var prevKVs: [KeyValue]

    public init(revision: Int64, deleted: Int64, prevKVs: [KeyValue] = []) {
        self.revision = revision
        self.deleted = deleted
        self.prevKVs = prevKVs
    }
}

/// One guard of a transaction: `target(key) <result> operand`. A range compare holds only if
/// it holds for every key in the range. A missing key compares as all-zero revisions and
/// version, and fails every value compare (etcd's rule).
public struct Compare: Sendable, Equatable {
    public enum Target: UInt8, Sendable, Equatable { case value = 0, version, createRevision, modRevision }
    public enum Result: UInt8, Sendable, Equatable { case equal = 0, notEqual, greater, less }

    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var target: Target
    public var result: Result
    /// Operand of a `.value` compare.
    public var value: [UInt8]
    /// Operand of a `.version`, `.createRevision` or `.modRevision` compare.
    public var operand: Int64

    public init(
        key: [UInt8], rangeEnd: [UInt8] = [], target: Target, result: Result,
        value: [UInt8] = [], operand: Int64 = 0
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.target = target
        self.result = result
        self.value = value
        self.operand = operand
    }

    public static func value(_ key: [UInt8], _ result: Result, _ value: [UInt8]) -> Compare {
        Compare(key: key, target: .value, result: result, value: value)
    }

    public static func version(_ key: [UInt8], _ result: Result, _ version: Int64) -> Compare {
        Compare(key: key, target: .version, result: result, operand: version)
    }

    public static func createRevision(_ key: [UInt8], _ result: Result, _ revision: Int64) -> Compare {
        Compare(key: key, target: .createRevision, result: result, operand: revision)
    }

    public static func modRevision(_ key: [UInt8], _ result: Result, _ revision: Int64) -> Compare {
        Compare(key: key, target: .modRevision, result: result, operand: revision)
    }
}

public indirect enum RequestOp: Sendable, Equatable {
    case range(RangeRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
}

public indirect enum ResponseOp: Sendable, Equatable {
    case range(RangeResponse)
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
}

/// If every compare holds, run `success`, else `failure`. The whole transaction is one
/// revision; its reads see its own earlier writes.
public struct TxnRequest: Sendable, Equatable {
    public var compare: [Compare]
    public var success: [RequestOp]
    public var failure: [RequestOp]

    public init(compare: [Compare] = [], success: [RequestOp] = [], failure: [RequestOp] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }
}

public struct TxnResponse: Sendable, Equatable {
    public var succeeded: Bool
    /// One response per operation of the branch that ran, in order.
    public var responses: [ResponseOp]
    /// The store's revision after the transaction.
    public var revision: Int64

    public init(succeeded: Bool, responses: [ResponseOp] = [], revision: Int64) {
        self.succeeded = succeeded
        self.responses = responses
        self.revision = revision
    }
}
