import NIOCore

/// The peer wire is a stream of frames: a 4-byte big-endian length, then that many bytes
/// holding one encoded Raft message. A length prefix (not a delimiter) lets snapshot
/// payloads of any content travel unescaped, and lets the reader allocate once per frame.
enum PeerFrame {
    /// Largest frame accepted. Snapshots of the whole keyspace travel as one frame, so this
    /// is generous; anything bigger is a corrupt or hostile stream and closes the connection.
    static let maximumSize = 1 << 30

    /// Appends `payload` with its length prefix to `buffer`.
    static func write(_ payload: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(payload.readableBytes))
        var payload = payload
        buffer.writeBuffer(&payload)
    }
}

/// Errors the peer wire reports; each names what was wrong with the stream.
public enum PeerWireError: Error, CustomStringConvertible, Equatable {
    case frameTooLarge(length: Int, maximum: Int)
    case truncated(String)
    case unknownMessageType(UInt8)
    case unsupportedVersion(UInt8)

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let maximum):
            return "peer frame of \(length) bytes exceeds the maximum of \(maximum) bytes"
        case .truncated(let what):
            return "peer message truncated while reading \(what)"
        case .unknownMessageType(let type):
            return "peer message has unknown type \(type)"
        case .unsupportedVersion(let version):
            return "peer message has unsupported codec version \(version)"
        }
    }
}

/// Splits the inbound byte stream into frames (see `PeerFrame`).
struct PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maximumSize: Int

    init(maximumSize: Int = PeerFrame.maximumSize) {
        self.maximumSize = maximumSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        let frameLength = Int(length)
        if frameLength > maximumSize {
            throw PeerWireError.frameTooLarge(length: frameLength, maximum: maximumSize)
        }
        guard buffer.readableBytes >= 4 + frameLength else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: frameLength) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Writes each outbound payload as one frame.
struct PeerFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        PeerFrame.write(data, into: &out)
    }
}
