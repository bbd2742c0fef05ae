/// A single-server membership change, carried as the data of a `.confChange` log entry.
///
/// Changes are applied one at a time (Raft thesis §4.1): any two majorities of the old and new
/// configurations overlap when they differ by one server, so no joint consensus is needed.
/// Promoting a learner to voter is `addNode` for a node that is currently a learner.
public struct ConfChange: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// Add a voter, or promote an existing learner to voter.
        case addNode = 0
        case removeNode = 1
        /// Add a non-voting member that receives the log (to catch up before promotion).
        case addLearner = 2
    }

    public var kind: Kind
    public var nodeID: NodeID
    /// Opaque to Raft; the application uses it for e.g. the new member's address.
    public var context: [UInt8]

    public init(kind: Kind, nodeID: NodeID, context: [UInt8] = []) {
        self.kind = kind
        self.nodeID = nodeID
        self.context = context
    }

    /// Layout: version byte (1), kind (1), node id (8, little endian), context length (4, LE), context.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14 + context.count)
        out.append(Self.formatVersion)
        out.append(kind.rawValue)
        appendLittleEndian(&out, nodeID)
        appendLittleEndian(&out, UInt32(context.count))
        out.append(contentsOf: context)
        return out
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 14 else {
            throw ConfChangeDecodingError.truncated(length: bytes.count)
        }
        guard bytes[0] == Self.formatVersion else {
            throw ConfChangeDecodingError.unknownVersion(bytes[0])
        }
        guard let kind = Kind(rawValue: bytes[1]) else {
            throw ConfChangeDecodingError.unknownKind(bytes[1])
        }
        let nodeID: UInt64 = readLittleEndian(bytes, at: 2)
        let length = Int(readLittleEndian(bytes, at: 10) as UInt32)
        guard bytes.count == 14 + length else {
            throw ConfChangeDecodingError.badContextLength(declared: length, available: bytes.count - 14)
        }
        self.kind = kind
        self.nodeID = nodeID
        self.context = Array(bytes[14...])
    }

    static let formatVersion: UInt8 = 1
}

/// Why bytes could not be read as a `ConfChange`.
public enum ConfChangeDecodingError: Error, Equatable, CustomStringConvertible {
    case truncated(length: Int)
    case unknownVersion(UInt8)
    case unknownKind(UInt8)
    case badContextLength(declared: Int, available: Int)

    public var description: String {
        switch self {
        case .truncated(let length):
            return "conf change: \(length) bytes is shorter than the 14-byte header"
        case .unknownVersion(let v):
            return "conf change: unknown format version \(v)"
        case .unknownKind(let k):
            return "conf change: unknown change kind \(k)"
        case .badContextLength(let declared, let available):
            return "conf change: context length \(declared) but \(available) bytes follow the header"
        }
    }
}

@inlinable func appendLittleEndian<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
    var v = value.littleEndian
    withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
}

@inlinable func readLittleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
    var value: T = 0
    for i in 0..<(T.bitWidth / 8) {
        value |= T(bytes[offset + i]) << (8 * i)
    }
    return value
}
