/// The messages of the key-value API, shaped exactly like etcd's v3 API and its JSON gateway
/// (`/v3/kv/*`), field for field: the in-process store, the HTTP endpoint and the HTTP client
/// all speak them, so one client drives skiff and etcd alike. See `KVJSONCoding.swift`.
public enum KV {}

extension KV {
    public struct ResponseHeader: Codable, Sendable, Hashable {
        @JSONInteger public var clusterID: UInt64 = 0
        @JSONInteger public var memberID: UInt64 = 0
        @JSONInteger public var revision: Int64 = 0
        @JSONInteger public var raftTerm: UInt64 = 0

        public init(clusterID: UInt64 = 0, memberID: UInt64 = 0, revision: Int64 = 0, raftTerm: UInt64 = 0) {
            self.clusterID = clusterID
            self.memberID = memberID
            self.revision = revision
            self.raftTerm = raftTerm
        }

        enum CodingKeys: String, CodingKey {
            case clusterID = "cluster_id", memberID = "member_id", revision, raftTerm = "raft_term"
        }
    }

    public struct KeyValue: Codable, Sendable, Hashable {
        @Base64Bytes public var key: [UInt8] = []
        @JSONInteger public var createRevision: Int64 = 0
        @JSONInteger public var modRevision: Int64 = 0
        @JSONInteger public var version: Int64 = 0
        @Base64Bytes public var value: [UInt8] = []
        @JSONInteger public var lease: Int64 = 0

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

        enum CodingKeys: String, CodingKey {
            case key, createRevision = "create_revision", modRevision = "mod_revision", version, value, lease
        }
    }

    public struct PutRequest: Codable, Sendable, Hashable {
        @Base64Bytes public var key: [UInt8] = []
        @Base64Bytes public var value: [UInt8] = []
        @JSONInteger public var lease: Int64 = 0
        @JSONFlag public var prevKV: Bool = false
        @JSONFlag public var ignoreValue: Bool = false
        @JSONFlag public var ignoreLease: Bool = false

        public init(key: [UInt8], value: [UInt8], prevKV: Bool = false, lease: Int64 = 0) {
            self.key = key
            self.value = value
            self.prevKV = prevKV
            self.lease = lease
        }

        enum CodingKeys: String, CodingKey {
            case key, value, lease, prevKV = "prev_kv", ignoreValue = "ignore_value", ignoreLease = "ignore_lease"
        }
    }

    public struct PutResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        public var prevKV: KeyValue?

        public init(header: ResponseHeader?, prevKV: KeyValue? = nil) {
            self.header = header
            self.prevKV = prevKV
        }

        enum CodingKeys: String, CodingKey { case header, prevKV = "prev_kv" }
    }

    public struct RangeRequest: Codable, Sendable, Hashable {
        @Base64Bytes public var key: [UInt8] = []
        /// Empty: the single key. `[0]`: every key ≥ `key`. Otherwise the half-open `[key, rangeEnd)`.
        @Base64Bytes public var rangeEnd: [UInt8] = []
        @JSONInteger public var limit: Int64 = 0
        /// 0 reads the latest revision.
        @JSONInteger public var revision: Int64 = 0
        /// Serve from the local replica without a ReadIndex round (may be stale).
        @JSONFlag public var serializable: Bool = false
        @JSONFlag public var keysOnly: Bool = false
        @JSONFlag public var countOnly: Bool = false

        public init(
            key: [UInt8], rangeEnd: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0,
            serializable: Bool = false, keysOnly: Bool = false, countOnly: Bool = false
        ) {
            self.key = key
            self.rangeEnd = rangeEnd
            self.limit = limit
            self.revision = revision
            self.serializable = serializable
            self.keysOnly = keysOnly
            self.countOnly = countOnly
        }

        enum CodingKeys: String, CodingKey {
            case key, rangeEnd = "range_end", limit, revision, serializable
            case keysOnly = "keys_only", countOnly = "count_only"
        }
    }

    public struct RangeResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONList public var kvs: [KeyValue] = []
        @JSONFlag public var more: Bool = false
        @JSONInteger public var count: Int64 = 0

        public init(header: ResponseHeader?, kvs: [KeyValue], more: Bool, count: Int64) {
            self.header = header
            self.kvs = kvs
            self.more = more
            self.count = count
        }
    }

    public struct DeleteRangeRequest: Codable, Sendable, Hashable {
        @Base64Bytes public var key: [UInt8] = []
        @Base64Bytes public var rangeEnd: [UInt8] = []
        @JSONFlag public var prevKV: Bool = false

        public init(key: [UInt8], rangeEnd: [UInt8] = [], prevKV: Bool = false) {
            self.key = key
            self.rangeEnd = rangeEnd
            self.prevKV = prevKV
        }

        enum CodingKeys: String, CodingKey { case key, rangeEnd = "range_end", prevKV = "prev_kv" }
    }

    public struct DeleteRangeResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var deleted: Int64 = 0
        @JSONList public var prevKVs: [KeyValue] = []

        public init(header: ResponseHeader?, deleted: Int64, prevKVs: [KeyValue] = []) {
            self.header = header
            self.deleted = deleted
            self.prevKVs = prevKVs
        }

        enum CodingKeys: String, CodingKey { case header, deleted, prevKVs = "prev_kvs" }
    }

    public struct Compare: Codable, Sendable, Hashable {
        public enum Result: String, Codable, Sendable { case equal = "EQUAL", greater = "GREATER", less = "LESS", notEqual = "NOT_EQUAL" }
        public enum Target: String, Codable, Sendable { case version = "VERSION", create = "CREATE", mod = "MOD", value = "VALUE", lease = "LEASE" }

        public var result: Result?
        public var target: Target?
        @Base64Bytes public var key: [UInt8] = []
        @Base64Bytes public var rangeEnd: [UInt8] = []
        @JSONInteger public var version: Int64 = 0
        @JSONInteger public var createRevision: Int64 = 0
        @JSONInteger public var modRevision: Int64 = 0
        @Base64Bytes public var value: [UInt8] = []
        @JSONInteger public var lease: Int64 = 0

        public init(key: [UInt8], target: Target, result: Result, operand: Int64 = 0, value: [UInt8] = []) {
            self.key = key
            self.target = target
            self.result = result
            switch target {
            case .version: version = operand
            case .create: createRevision = operand
            case .mod: modRevision = operand
            case .lease: lease = operand
            case .value: self.value = value
            }
        }

        /// Protobuf enums default to their first value (EQUAL, VERSION) when left out.
        public var effectiveResult: Result { result ?? .equal }
        public var effectiveTarget: Target { target ?? .version }

        enum CodingKeys: String, CodingKey {
            case result, target, key, rangeEnd = "range_end", version
            case createRevision = "create_revision", modRevision = "mod_revision", value, lease
        }
    }

    /// One operation of a transaction branch: exactly one field is set.
    public struct RequestOp: Codable, Sendable, Hashable {
        public var requestRange: RangeRequest?
        public var requestPut: PutRequest?
        public var requestDeleteRange: DeleteRangeRequest?
        public var requestTxn: TxnRequest?

        public init(
            range: RangeRequest? = nil, put: PutRequest? = nil, deleteRange: DeleteRangeRequest? = nil,
            txn: TxnRequest? = nil
        ) {
            self.requestRange = range
            self.requestPut = put
            self.requestDeleteRange = deleteRange
            self.requestTxn = txn
        }

        enum CodingKeys: String, CodingKey {
            case requestRange = "request_range", requestPut = "request_put"
            case requestDeleteRange = "request_delete_range", requestTxn = "request_txn"
        }
    }

    public struct ResponseOp: Codable, Sendable, Hashable {
        public var responseRange: RangeResponse?
        public var responsePut: PutResponse?
        public var responseDeleteRange: DeleteRangeResponse?
        public var responseTxn: TxnResponse?

        public init(
            range: RangeResponse? = nil, put: PutResponse? = nil, deleteRange: DeleteRangeResponse? = nil,
            txn: TxnResponse? = nil
        ) {
            self.responseRange = range
            self.responsePut = put
            self.responseDeleteRange = deleteRange
            self.responseTxn = txn
        }

        enum CodingKeys: String, CodingKey {
            case responseRange = "response_range", responsePut = "response_put"
            case responseDeleteRange = "response_delete_range", responseTxn = "response_txn"
        }
    }

    public final class TxnRequest: Codable, Sendable, Hashable {
        public let compare: [Compare]
        public let success: [RequestOp]
        public let failure: [RequestOp]

        public init(compare: [Compare], success: [RequestOp], failure: [RequestOp]) {
            self.compare = compare
            self.success = success
            self.failure = failure
        }

        public required init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            compare = try c.decodeIfPresent([Compare].self, forKey: .compare) ?? []
            success = try c.decodeIfPresent([RequestOp].self, forKey: .success) ?? []
            failure = try c.decodeIfPresent([RequestOp].self, forKey: .failure) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if !compare.isEmpty { try c.encode(compare, forKey: .compare) }
            if !success.isEmpty { try c.encode(success, forKey: .success) }
            if !failure.isEmpty { try c.encode(failure, forKey: .failure) }
        }

        public static func == (lhs: TxnRequest, rhs: TxnRequest) -> Bool {
            lhs.compare == rhs.compare && lhs.success == rhs.success && lhs.failure == rhs.failure
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(compare)
            hasher.combine(success)
            hasher.combine(failure)
        }

        enum CodingKeys: String, CodingKey { case compare, success, failure }
    }

    public final class TxnResponse: Codable, Sendable, Hashable {
        public let header: ResponseHeader?
        public let succeeded: Bool
        public let responses: [ResponseOp]

        public init(header: ResponseHeader?, succeeded: Bool, responses: [ResponseOp]) {
            self.header = header
            self.succeeded = succeeded
            self.responses = responses
        }

        public required init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            header = try c.decodeIfPresent(ResponseHeader.self, forKey: .header)
            succeeded = try c.decodeIfPresent(Bool.self, forKey: .succeeded) ?? false
            responses = try c.decodeIfPresent([ResponseOp].self, forKey: .responses) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(header, forKey: .header)
            if succeeded { try c.encode(true, forKey: .succeeded) }
            if !responses.isEmpty { try c.encode(responses, forKey: .responses) }
        }

        public static func == (lhs: TxnResponse, rhs: TxnResponse) -> Bool {
            lhs.header == rhs.header && lhs.succeeded == rhs.succeeded && lhs.responses == rhs.responses
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(header)
            hasher.combine(succeeded)
            hasher.combine(responses)
        }

        enum CodingKeys: String, CodingKey { case header, succeeded, responses }
    }

    public struct CompactionRequest: Codable, Sendable, Hashable {
        @JSONInteger public var revision: Int64 = 0
        @JSONFlag public var physical: Bool = false

        public init(revision: Int64, physical: Bool = false) {
            self.revision = revision
            self.physical = physical
        }
    }

    public struct CompactionResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        public init(header: ResponseHeader?) { self.header = header }
    }

    /// The body of every failed gateway call, as grpc-gateway writes it.
    public struct ErrorBody: Codable, Sendable, Hashable, Error, CustomStringConvertible {
        public var error: String?
        public var message: String?
        public var code: Int?

        public init(message: String, code: Int) {
            self.error = message
            self.message = message
            self.code = code
        }

        public var description: String { message ?? error ?? "unknown error (code \(code ?? -1))" }
    }
}

extension KV {
    /// The `range_end` that selects every key starting with `prefix`: the prefix with its
    /// last byte below 0xff incremented (and the rest dropped). All 0xff: `[0]`, every key.
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
