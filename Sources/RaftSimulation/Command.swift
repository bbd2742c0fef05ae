/// A client command of the simulated key-value store, as carried in a log entry.
public struct Command: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case put = 1
        /// A read through the log (the other read path is ReadIndex).
        case get = 2
    }

    public var kind: Kind
    public var client: Int
    public var seq: UInt64
    public var key: String
    public var value: String

    public init(kind: Kind, client: Int, seq: UInt64, key: String, value: String = "") {
        self.kind = kind
        self.client = client
        self.seq = seq
        self.key = key
        self.value = value
    }

    /// Unique per client request; the state machine applies each at most once.
    public var requestID: UInt64 { UInt64(client) << 40 | seq }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        append(&out, UInt64(client))
        append(&out, seq)
        let k = Array(key.utf8)
        out.append(UInt8(k.count))
        out.append(contentsOf: k)
        out.append(contentsOf: value.utf8)
        return out
    }

    public init?(decoding bytes: [UInt8]) {
        guard bytes.count >= 18, let kind = Kind(rawValue: bytes[0]) else { return nil }
        let keyLength = Int(bytes[17])
        guard bytes.count >= 18 + keyLength else { return nil }
        self.kind = kind
        client = Int(read(bytes, 1))
        seq = read(bytes, 9)
        key = String(decoding: bytes[18..<(18 + keyLength)], as: UTF8.self)
        value = String(decoding: bytes[(18 + keyLength)...], as: UTF8.self)
    }
}

func append(_ out: inout [UInt8], _ v: UInt64) {
    for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
}

func read(_ bytes: [UInt8], _ at: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
    return v
}
