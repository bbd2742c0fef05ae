import NIOCore
import Raft

/// Binary encoding of `Raft.Message` for the peer wire (one message per frame).
///
/// Layout (integers big-endian, as NIO writes them): version (1), type (1), to, from, term,
/// logTerm, index, commit, rejectHint (8 each), reject (1), context (u32 length + bytes),
/// entries (u32 count, then per entry: term, index (8 each), kind (1), data (u32 length +
/// bytes)), snapshot flag (1) and, when set: index, term (8 each), voters and learners
/// (u32 count + 8 each), data (u64 length + bytes). Hand-written rather than Codable:
/// every append and heartbeat goes through it, and entries are copied once, straight
/// into the frame.
public enum RaftMessageCodec {
    static let version: UInt8 = 1

    public static func encode(_ message: Message, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var size = 80 + message.context.count
        for entry in message.entries { size += 21 + entry.data.count }
        if let snapshot = message.snapshot {
            size += 32 + snapshot.data.count
                + 8 * (snapshot.metadata.confState.voters.count + snapshot.metadata.confState.learners.count)
        }
        var buffer = allocator.buffer(capacity: size)
        encode(message, into: &buffer)
        return buffer
    }

    public static func encode(_ message: Message, into buffer: inout ByteBuffer) {
        buffer.writeInteger(version)
        buffer.writeInteger(message.type.rawValue)
        buffer.writeMultipleIntegers(
            message.to, message.from, message.term, message.logTerm, message.index, message.commit,
            message.rejectHint)
        buffer.writeInteger(UInt8(message.reject ? 1 : 0))
        buffer.writeInteger(UInt32(message.context.count))
        buffer.writeBytes(message.context)
        buffer.writeInteger(UInt32(message.entries.count))
        for entry in message.entries {
            buffer.writeMultipleIntegers(entry.term, entry.index, entry.kind.rawValue, UInt32(entry.data.count))
            buffer.writeBytes(entry.data)
        }
        if let snapshot = message.snapshot {
            buffer.writeInteger(UInt8(1))
            buffer.writeMultipleIntegers(snapshot.metadata.index, snapshot.metadata.term)
            writeIDs(snapshot.metadata.confState.voters, into: &buffer)
            writeIDs(snapshot.metadata.confState.learners, into: &buffer)
            buffer.writeInteger(UInt64(snapshot.data.count))
            buffer.writeBytes(snapshot.data)
        } else {
            buffer.writeInteger(UInt8(0))
        }
    }

    public static func decode(_ frame: ByteBuffer) throws(PeerWireError) -> Message {
        var buffer = frame
        let version: UInt8 = try read(&buffer, "version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let rawType: UInt8 = try read(&buffer, "type")
        guard let type = MessageType(rawValue: rawType) else { throw .unknownMessageType(rawType) }
        var message = Message(type: type)
        guard
            let (to, from, term, logTerm, index, commit, rejectHint) = buffer.readMultipleIntegers(
                as: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64).self)
        else { throw .truncated("header") }
        message.to = to
        message.from = from
        message.term = term
        message.logTerm = logTerm
        message.index = index
        message.commit = commit
        message.rejectHint = rejectHint
        message.reject = try read(&buffer, "reject") as UInt8 != 0
        message.context = try readBytes(&buffer, count: Int(try read(&buffer, "context length") as UInt32), "context")
        let entryCount = Int(try read(&buffer, "entry count") as UInt32)
        // Each entry takes at least 21 bytes: a corrupt count cannot make us reserve gigabytes.
        guard entryCount <= buffer.readableBytes / 21 else { throw .truncated("entries") }
        message.entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            guard
                let (term, index, rawKind, length) = buffer.readMultipleIntegers(
                    as: (UInt64, UInt64, UInt8, UInt32).self)
            else { throw .truncated("entry header") }
            guard let kind = Entry.Kind(rawValue: rawKind) else { throw .truncated("entry kind \(rawKind)") }
            let data = try readBytes(&buffer, count: Int(length), "entry data")
            message.entries.append(Entry(term: term, index: index, kind: kind, data: data))
        }
        if try read(&buffer, "snapshot flag") as UInt8 == 1 {
            guard let (index, term) = buffer.readMultipleIntegers(as: (UInt64, UInt64).self) else {
                throw .truncated("snapshot metadata")
            }
            let voters = try readIDs(&buffer)
            let learners = try readIDs(&buffer)
            let length: UInt64 = try read(&buffer, "snapshot length")
            guard length <= UInt64(buffer.readableBytes) else { throw .truncated("snapshot data") }
            let data = try readBytes(&buffer, count: Int(length), "snapshot data")
            message.snapshot = Snapshot(
                metadata: SnapshotMetadata(
                    index: index, term: term, confState: ConfState(voters: voters, learners: learners)),
                data: data)
        }
        return message
    }

    private static func writeIDs(_ ids: [NodeID], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(ids.count))
        for id in ids { buffer.writeInteger(id) }
    }

    private static func readIDs(_ buffer: inout ByteBuffer) throws(PeerWireError) -> [NodeID] {
        let count = Int(try read(&buffer, "member count") as UInt32)
        guard count <= buffer.readableBytes / 8 else { throw .truncated("member ids") }
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try read(&buffer, "member id")) }
        return ids
    }

    private static func read<T: FixedWidthInteger>(_ buffer: inout ByteBuffer, _ what: String) throws(PeerWireError) -> T {
        guard let value = buffer.readInteger(as: T.self) else { throw .truncated(what) }
        return value
    }

    private static func readBytes(_ buffer: inout ByteBuffer, count: Int, _ what: String) throws(PeerWireError) -> [UInt8] {
        guard count == 0 || count <= buffer.readableBytes, let bytes = buffer.readBytes(length: count) else {
            throw .truncated(what)
        }
        return bytes
    }
}
