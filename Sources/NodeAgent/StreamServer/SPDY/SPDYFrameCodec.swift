import NIOCore

/// Turns the byte stream of a SPDY/3.1 session into frames and frames into bytes, with the
/// session's header compression. One codec per connection: the zlib contexts span all frames.
final class SPDYFrameCodec {
    private let compression: SPDYHeaderCompression
    private var pending = ByteBuffer()
    /// Frames above this are refused (data frames from kubectl are at most 32 KiB).
    static let maxFrameLength = 16 << 20

    init() throws(SPDYProtocolError) {
        compression = try SPDYHeaderCompression()
    }

    /// Appends received bytes and returns every complete frame they finish.
    func receive(_ buffer: inout ByteBuffer) throws(SPDYProtocolError) -> [SPDYFrame] {
        pending.writeBuffer(&buffer)
        var frames: [SPDYFrame] = []
        while pending.readableBytes >= 8 {
            let start = pending.readerIndex
            guard let word0 = pending.getInteger(at: start, as: UInt32.self),
                  let word1 = pending.getInteger(at: start + 4, as: UInt32.self) else { break }
            let length = Int(word1 & 0x00ff_ffff)
            guard length <= Self.maxFrameLength else { throw .malformed("a frame of \(length) bytes") }
            guard pending.readableBytes >= 8 + length else { break }
            pending.moveReaderIndex(forwardBy: 8)
            let payload = pending.readBytes(length: length) ?? []
            let flags = UInt8(word1 >> 24)
            if word0 & 0x8000_0000 == 0 {
                frames.append(.data(streamID: word0 & 0x7fff_ffff, bytes: payload, fin: flags & SPDYFrame.flagFin != 0))
            } else {
                let version = UInt16((word0 >> 16) & 0x7fff), type = UInt16(word0 & 0xffff)
                guard version == SPDYFrame.version else { throw .malformed("SPDY version \(version)") }
                frames.append(try control(type: type, flags: flags, payload: payload))
            }
        }
        pending.discardReadBytes()
        return frames
    }

    private func control(type: UInt16, flags: UInt8, payload: [UInt8]) throws(SPDYProtocolError) -> SPDYFrame {
        var reader = ByteReader(payload)
        let fin = flags & SPDYFrame.flagFin != 0
        switch SPDYFrame.ControlType(rawValue: type) {
        case .synStream:
            let id = try reader.uint32() & 0x7fff_ffff
            let associated = try reader.uint32() & 0x7fff_ffff
            _ = try reader.bytes(2)  // priority and slot
            let headers = try SPDYHeaders.decode(try compression.decompress(reader.remaining))
            return .synStream(streamID: id, associatedTo: associated, headers: headers, fin: fin,
                              unidirectional: flags & SPDYFrame.flagUnidirectional != 0)
        case .synReply:
            let id = try reader.uint32() & 0x7fff_ffff
            return .synReply(streamID: id, headers: try SPDYHeaders.decode(try compression.decompress(reader.remaining)), fin: fin)
        case .headers:
            let id = try reader.uint32() & 0x7fff_ffff
            return .headers(streamID: id, headers: try SPDYHeaders.decode(try compression.decompress(reader.remaining)), fin: fin)
        case .rstStream:
            return .rstStream(streamID: try reader.uint32() & 0x7fff_ffff, status: try reader.uint32())
        case .settings:
            return .settings
        case .ping:
            return .ping(id: try reader.uint32())
        case .goAway:
            let last = try reader.uint32() & 0x7fff_ffff
            let status = (try? reader.uint32()) ?? 0
            return .goAway(lastGoodStreamID: last, status: status)
        case .windowUpdate:
            return .windowUpdate(streamID: try reader.uint32() & 0x7fff_ffff, delta: try reader.uint32() & 0x7fff_ffff)
        case nil:
            return .unknown(type: type)
        }
    }

    /// The wire form of `frame`; compresses its header block in this session's stream.
    func encode(_ frame: SPDYFrame) -> [UInt8] {
        switch frame {
        case .data(let id, let bytes, let fin):
            var out: [UInt8] = []
            out.appendUInt32(id & 0x7fff_ffff)
            out.appendUInt32(UInt32(fin ? SPDYFrame.flagFin : 0) << 24 | UInt32(bytes.count))
            return out + bytes
        case .synStream(let id, let associated, let headers, let fin, let unidirectional):
            var body: [UInt8] = []
            body.appendUInt32(id); body.appendUInt32(associated); body += [0, 0]
            body += compression.compress(headers.encoded())
            let flags = (fin ? SPDYFrame.flagFin : 0) | (unidirectional ? SPDYFrame.flagUnidirectional : 0)
            return controlFrame(.synStream, flags: flags, body)
        case .synReply(let id, let headers, let fin):
            var body: [UInt8] = []
            body.appendUInt32(id)
            body += compression.compress(headers.encoded())
            return controlFrame(.synReply, flags: fin ? SPDYFrame.flagFin : 0, body)
        case .headers(let id, let headers, let fin):
            var body: [UInt8] = []
            body.appendUInt32(id)
            body += compression.compress(headers.encoded())
            return controlFrame(.headers, flags: fin ? SPDYFrame.flagFin : 0, body)
        case .rstStream(let id, let status):
            var body: [UInt8] = []
            body.appendUInt32(id); body.appendUInt32(status)
            return controlFrame(.rstStream, flags: 0, body)
        case .ping(let id):
            var body: [UInt8] = []
            body.appendUInt32(id)
            return controlFrame(.ping, flags: 0, body)
        case .goAway(let last, let status):
            var body: [UInt8] = []
            body.appendUInt32(last); body.appendUInt32(status)
            return controlFrame(.goAway, flags: 0, body)
        case .windowUpdate(let id, let delta):
            var body: [UInt8] = []
            body.appendUInt32(id); body.appendUInt32(delta)
            return controlFrame(.windowUpdate, flags: 0, body)
        case .settings:
            var body: [UInt8] = []
            body.appendUInt32(0)
            return controlFrame(.settings, flags: 0, body)
        case .unknown:
            return []
        }
    }

    private func controlFrame(_ type: SPDYFrame.ControlType, flags: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt16(0x8000 | SPDYFrame.version)
        out.appendUInt16(type.rawValue)
        out.appendUInt32(UInt32(flags) << 24 | UInt32(body.count))
        return out + body
    }
}
