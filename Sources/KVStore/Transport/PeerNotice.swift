import NIOCore
import Raft

/// A member-to-member notice outside Raft, on the same peer connection as Raft messages.
///
/// Its first byte (0xF0) can never start a Raft message frame (those start with the codec
/// version, 1), so the receiver tells the two apart by that byte alone.
///
/// Today there is one notice: "you were removed". Raft alone cannot tell a removed member:
/// once the removal is applied, the others stop replicating to it, so it may never learn
/// that the entry removing it committed, and would campaign forever. Every member that
/// applies the removal sends this notice to the removed one before dropping its link.
public enum PeerNotice: Sendable, Equatable {
    case removed(member: NodeID, by: NodeID)

    static let marker: UInt8 = 0xF0
    static let removedKind: UInt8 = 1

    public static func isNotice(_ frame: ByteBuffer) -> Bool {
        frame.getInteger(at: frame.readerIndex, as: UInt8.self) == marker
    }

    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .removed(let member, let by):
            buffer.writeInteger(Self.marker)
            buffer.writeInteger(Self.removedKind)
            buffer.writeMultipleIntegers(member, by)
        }
        return buffer
    }

    public static func decode(_ frame: ByteBuffer) throws(PeerWireError) -> PeerNotice {
        var buffer = frame
        guard buffer.readInteger(as: UInt8.self) == marker, let kind = buffer.readInteger(as: UInt8.self) else {
            throw .truncated("notice header")
        }
        guard kind == removedKind else { throw .unknownMessageType(kind) }
        guard let (member, by) = buffer.readMultipleIntegers(as: (UInt64, UInt64).self) else {
            throw .truncated("removal notice")
        }
        return .removed(member: member, by: by)
    }
}
