import NIOCore

/// One SPDY/3.1 frame as far as the streaming server needs it (draft-mbelshe-httpbis-spdy-00
/// section 2.2 and 2.6; SPDY/3.1 only adds session-level WINDOW_UPDATE). Header blocks are
/// kept decoded here; `SPDYFrameCodec` compresses and decompresses them.
enum SPDYFrame: Equatable, Sendable {
    case synStream(streamID: UInt32, associatedTo: UInt32, headers: SPDYHeaders, fin: Bool, unidirectional: Bool)
    case synReply(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case rstStream(streamID: UInt32, status: UInt32)
    case settings
    case ping(id: UInt32)
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
    case headers(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case windowUpdate(streamID: UInt32, delta: UInt32)
    case data(streamID: UInt32, bytes: [UInt8], fin: Bool)
    /// A control frame type this server does not act on (ignored, as the spec asks).
    case unknown(type: UInt16)

    static let version: UInt16 = 3
    static let flagFin: UInt8 = 0x01
    static let flagUnidirectional: UInt8 = 0x02

    enum ControlType: UInt16 {
        case synStream = 1, synReply = 2, rstStream = 3, settings = 4, ping = 6, goAway = 7, headers = 8, windowUpdate = 9
    }

    /// RST_STREAM status codes used here.
    static let protocolError: UInt32 = 1
    static let invalidStream: UInt32 = 2
    static let refusedStream: UInt32 = 3
    static let cancel: UInt32 = 5
}

/// A header block: names are lowercase in SPDY; a value may hold several values separated by NUL.
struct SPDYHeaders: Equatable, Sendable {
    var fields: [(name: String, value: String)] = []

    init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name == lower }.map { $0.value }
    }

    static func == (a: SPDYHeaders, b: SPDYHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The uncompressed name/value block: count, then length-prefixed names and values.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt32(UInt32(fields.count))
        for field in fields {
            let name = Array(field.name.lowercased().utf8), value = Array(field.value.utf8)
            out.appendUInt32(UInt32(name.count)); out += name
            out.appendUInt32(UInt32(value.count)); out += value
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws(SPDYProtocolError) -> SPDYHeaders {
        var reader = ByteReader(bytes)
        let count = try reader.uint32()
        guard count <= 1024 else { throw .malformed("a header block with \(count) entries") }
        var fields: [(name: String, value: String)] = []
        for _ in 0..<count {
            let name = try reader.bytes(Int(try reader.uint32()))
            let value = try reader.bytes(Int(try reader.uint32()))
            fields.append((String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self)))
        }
        return SPDYHeaders(fields)
    }
}

struct SPDYProtocolError: Error, CustomStringConvertible {
    var description: String
    static func malformed(_ what: String) -> SPDYProtocolError { SPDYProtocolError(description: "malformed SPDY frame: \(what)") }
}

/// Reads big-endian integers and byte runs, throwing instead of trapping on short input.
struct ByteReader {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func uint32() throws(SPDYProtocolError) -> UInt32 {
        let b = try self.bytes(4)
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    mutating func bytes(_ n: Int) throws(SPDYProtocolError) -> [UInt8] {
        guard n >= 0, index + n <= bytes.count else { throw .malformed("truncated") }
        defer { index += n }
        return Array(bytes[index..<index + n])
    }

    var remaining: [UInt8] { Array(bytes[index...]) }
}

extension Array where Element == UInt8 {
    mutating func appendUInt32(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)])
    }
    mutating func appendUInt16(_ v: UInt16) { append(contentsOf: [UInt8(v >> 8), UInt8(v & 0xff)]) }
}
