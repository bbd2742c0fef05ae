/// etcd's Lease API messages (`/v3/lease/*` on the JSON gateway), field for field. Field
/// names are the protobuf originals (`ID`, `TTL`, `grantedTTL`), as etcd's gateway writes them.
extension KV {
    public struct LeaseGrantRequest: Codable, Sendable, Hashable {
        /// Requested time to live in seconds (raised to the store's minimum).
        @JSONInteger public var ttl: Int64 = 0
        /// Wanted id; 0 lets the store choose.
        @JSONInteger public var id: Int64 = 0

        public init(ttl: Int64, id: Int64 = 0) {
            self.ttl = ttl
            self.id = id
        }

        enum CodingKeys: String, CodingKey { case ttl = "TTL", id = "ID" }
    }

    public struct LeaseGrantResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var id: Int64 = 0
        @JSONInteger public var ttl: Int64 = 0
        public var error: String?

        public init(header: ResponseHeader?, id: Int64, ttl: Int64) {
            self.header = header
            self.id = id
            self.ttl = ttl
        }

        enum CodingKeys: String, CodingKey { case header, id = "ID", ttl = "TTL", error }
    }

    public struct LeaseRevokeRequest: Codable, Sendable, Hashable {
        @JSONInteger public var id: Int64 = 0

        public init(id: Int64) { self.id = id }

        enum CodingKeys: String, CodingKey { case id = "ID" }
    }

    public struct LeaseRevokeResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?

        public init(header: ResponseHeader?) { self.header = header }
    }

    public struct LeaseKeepAliveRequest: Codable, Sendable, Hashable {
        @JSONInteger public var id: Int64 = 0

        public init(id: Int64) { self.id = id }

        enum CodingKeys: String, CodingKey { case id = "ID" }
    }

    /// `ttl` is the renewed TTL; 0 means the lease does not exist (any more).
    public struct LeaseKeepAliveResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var id: Int64 = 0
        @JSONInteger public var ttl: Int64 = 0

        public init(header: ResponseHeader?, id: Int64, ttl: Int64) {
            self.header = header
            self.id = id
            self.ttl = ttl
        }

        enum CodingKeys: String, CodingKey { case header, id = "ID", ttl = "TTL" }
    }

    public struct LeaseTimeToLiveRequest: Codable, Sendable, Hashable {
        @JSONInteger public var id: Int64 = 0
        /// Also list the keys attached to the lease.
        @JSONFlag public var keys: Bool = false

        public init(id: Int64, keys: Bool = false) {
            self.id = id
            self.keys = keys
        }

        enum CodingKeys: String, CodingKey { case id = "ID", keys }
    }

    /// `ttl` is the time left in seconds, -1 when the lease does not exist (etcd's answer).
    public struct LeaseTimeToLiveResponse: Codable, Sendable, Hashable {
        public var header: ResponseHeader?
        @JSONInteger public var id: Int64 = 0
        @JSONInteger public var ttl: Int64 = 0
        @JSONInteger public var grantedTTL: Int64 = 0
        @JSONList public var keys: [Base64Key] = []

        public init(header: ResponseHeader?, id: Int64, ttl: Int64, grantedTTL: Int64, keys: [[UInt8]] = []) {
            self.header = header
            self.id = id
            self.ttl = ttl
            self.grantedTTL = grantedTTL
            self.keys = keys.map(Base64Key.init)
        }

        enum CodingKeys: String, CodingKey { case header, id = "ID", ttl = "TTL", grantedTTL, keys }
    }

    /// One key in a list, as base64 (protobuf `repeated bytes`).
    public struct Base64Key: Codable, Sendable, Hashable {
        @Base64Bytes public var bytes: [UInt8] = []

        public init(_ bytes: [UInt8]) { self.bytes = bytes }

        public init(from decoder: any Decoder) throws {
            _bytes = try Base64Bytes(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            try _bytes.encode(to: encoder)
        }
    }
}
