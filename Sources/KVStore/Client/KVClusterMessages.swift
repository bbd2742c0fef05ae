/// Wire shapes of the gateway's watch, cluster and maintenance services. The cluster and
/// maintenance messages use camelCase names on the wire because etcd's protobuf field
/// names for them are camelCase (`peerURLs`, `dbSize`).
extension KV {
    public struct WatchCreateRequest: Codable, Sendable, Hashable {
        @Base64Bytes public var key: [UInt8] = []
        @Base64Bytes public var rangeEnd: [UInt8] = []
        /// 0 starts after the current revision; otherwise replay history from this revision.
        @JSONInteger public var startRevision: Int64 = 0
        @JSONFlag public var progressNotify: Bool = false
        @JSONFlag public var prevKV: Bool = false

        public init(key: [UInt8], rangeEnd: [UInt8] = [], startRevision: Int64 = 0, prevKV: Bool = false) {
            self.key = key
            self.rangeEnd = rangeEnd
            self.startRevision = startRevision
            self.prevKV = prevKV
        }

        enum CodingKeys: String, CodingKey {
            case key, rangeEnd = "range_end", startRevision = "start_revision"
            case progressNotify = "progress_notify", prevKV = "prev_kv"
        }
    }

    /// The body of `POST /v3/watch`: the gateway accepts one create request per stream.
    public struct WatchRequest: Codable, Sendable, Hashable {
        public var createRequest: WatchCreateRequest?

        public init(createRequest: WatchCreateRequest) { self.createRequest = createRequest }

        enum CodingKeys: String, CodingKey { case createRequest = "create_request" }
    }

    public struct Event: Codable, Sendable, Hashable {
        public enum EventType: String, Codable, Sendable { case put = "PUT", delete = "DELETE" }
        /// Left out on the wire for PUT (protobuf's zero value).
        public var type: EventType?
        public var kv: KeyValue?
        public var prevKV: KeyValue?

        public init(type: EventType, kv: KeyValue, prevKV: KeyValue? = nil) {
            self.type = type == .put ? nil : type
            self.kv = kv
            self.prevKV = prevKV
        }

        public var effectiveType: EventType { type ?? .put }

        enum CodingKeys: String, CodingKey { case type, kv, prevKV = "prev_kv" }
    }

    public struct WatchResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var watchID: Int64 = 0
        @JSONFlag public var created: Bool = false
        @JSONFlag public var canceled: Bool = false
        @JSONInteger public var compactRevision: Int64 = 0
        public var cancelReason: String?
        @JSONList public var events: [Event] = []

        public init(
            header: ResponseHeader?, created: Bool = false, canceled: Bool = false,
            compactRevision: Int64 = 0, cancelReason: String? = nil, events: [Event] = []
        ) {
            self.header = header
            self.created = created
            self.canceled = canceled
            self.compactRevision = compactRevision
            self.cancelReason = cancelReason
            self.events = events
        }

        enum CodingKeys: String, CodingKey {
            case header, watchID = "watch_id", created, canceled, compactRevision = "compact_revision"
            case cancelReason = "cancel_reason", events
        }
    }

    /// One line of a streaming response: `{"result": …}` or `{"error": …}`.
    public struct StreamLine<Result: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
        public var result: Result?
        public var error: ErrorBody?

        public init(result: Result) { self.result = result }
        public init(error: ErrorBody) { self.error = error }
    }

    public struct Member: Codable, Sendable, Hashable {
        @JSONInteger public var id: UInt64 = 0
        public var name: String?
        @JSONList public var peerURLs: [String] = []
        @JSONList public var clientURLs: [String] = []
        @JSONFlag public var isLearner: Bool = false

        public init(id: UInt64, name: String?, peerURLs: [String], clientURLs: [String], isLearner: Bool) {
            self.id = id
            self.name = name
            self.peerURLs = peerURLs
            self.clientURLs = clientURLs
            self.isLearner = isLearner
        }

        enum CodingKeys: String, CodingKey { case id = "ID", name, peerURLs, clientURLs, isLearner }
    }

    public struct MemberListResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONList public var members: [Member] = []

        public init(header: ResponseHeader?, members: [Member]) {
            self.header = header
            self.members = members
        }
    }

    public struct MemberAddRequest: Codable, Sendable, Hashable {
        @JSONList public var peerURLs: [String] = []
        @JSONFlag public var isLearner: Bool = false
        /// skiff's additions (etcd learns them when the member starts and publishes them):
        /// the new member's name and client URL.
        public var name: String?
        public var clientURL: String?

        public init(peerURLs: [String], isLearner: Bool, name: String? = nil, clientURL: String? = nil) {
            self.peerURLs = peerURLs
            self.isLearner = isLearner
            self.name = name
            self.clientURL = clientURL
        }
    }

    public struct MemberAddResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        public var member: Member?
        @JSONList public var members: [Member] = []

        public init(header: ResponseHeader?, member: Member, members: [Member]) {
            self.header = header
            self.member = member
            self.members = members
        }
    }

    /// Body of member remove and member promote.
    public struct MemberIDRequest: Codable, Sendable, Hashable {
        @JSONInteger public var id: UInt64 = 0

        public init(id: UInt64) { self.id = id }

        enum CodingKeys: String, CodingKey { case id = "ID" }
    }

    public struct StatusResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        public var version: String?
        @JSONInteger public var dbSize: Int64 = 0
        @JSONInteger public var leader: UInt64 = 0
        @JSONInteger public var raftIndex: UInt64 = 0
        @JSONInteger public var raftTerm: UInt64 = 0
        @JSONInteger public var raftAppliedIndex: UInt64 = 0
        @JSONList public var errors: [String] = []
        @JSONFlag public var isLearner: Bool = false

        public init(
            header: ResponseHeader?, version: String, dbSize: Int64, leader: UInt64, raftIndex: UInt64,
            raftTerm: UInt64, raftAppliedIndex: UInt64, isLearner: Bool
        ) {
            self.header = header
            self.version = version
            self.dbSize = dbSize
            self.leader = leader
            self.raftIndex = raftIndex
            self.raftTerm = raftTerm
            self.raftAppliedIndex = raftAppliedIndex
            self.isLearner = isLearner
        }
    }

    /// One chunk of `POST /v3/maintenance/snapshot`.
    public struct SnapshotChunk: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var remainingBytes: UInt64 = 0
        @Base64Bytes public var blob: [UInt8] = []

        public init(header: ResponseHeader?, remainingBytes: UInt64, blob: [UInt8]) {
            self.header = header
            self.remainingBytes = remainingBytes
            self.blob = blob
        }

        enum CodingKeys: String, CodingKey { case header, remainingBytes = "remaining_bytes", blob }
    }
}
