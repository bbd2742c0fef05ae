import NIOCore

/// Hand-written JSON for the hottest call, `/v3/kv/put`: its request and response have a
/// fixed, flat shape, and going through Foundation's JSONDecoder/JSONEncoder (with the
/// property wrappers of `KVJSONCoding.swift`) costs more CPU than the rest of the put's
/// HTTP handling. Anything outside the plain shape — escapes in strings, unknown or
/// repeated fields, a prevKV to return — makes these functions return nil, and the caller
/// uses the Codable path, which stays the one definition of the wire format (and produces
/// its error messages).
enum GatewayFastJSON {
    /// A put request of the plain shape, or nil.
    static func decodePut(_ body: ByteBuffer) -> KV.PutRequest? {
        body.withUnsafeReadableBytes { bytes in
            var parser = FlatObjectParser(bytes: bytes)
            var request = KV.PutRequest(key: [], value: [])
            var seen: UInt8 = 0
            let ok = parser.parse { name, value in
                let bit: UInt8
                switch name {
                case "key":
                    guard case .string(let text) = value, let decoded = Base64.decode(text) else { return false }
                    request.key = decoded
                    bit = 1
                case "value":
                    guard case .string(let text) = value, let decoded = Base64.decode(text) else { return false }
                    request.value = decoded
                    bit = 2
                case "lease":
                    guard let lease = value.integer else { return false }
                    request.lease = lease
                    bit = 4
                case "prev_kv":
                    guard case .bool(let flag) = value else { return false }
                    request.prevKV = flag
                    bit = 8
                default:
                    return false
                }
                guard seen & bit == 0 else { return false }
                seen |= bit
                return true
            }
            return ok ? request : nil
        }
    }

    /// A put response without prevKV, encoded exactly as `JSONEncoder` writes it; nil otherwise.
    static func encodePut(_ response: KV.PutResponse, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer? {
        guard response.prevKV == nil else { return nil }
        var buffer = allocator.buffer(capacity: 160)
        buffer.writeStaticString("{")
        if let header = response.header {
            buffer.writeStaticString("\"header\":{")
            var first = true
            func field(_ name: StaticString, _ value: String, _ isZero: Bool) {
                guard !isZero else { return }
                if !first { buffer.writeStaticString(",") }
                first = false
                buffer.writeStaticString(name)
                buffer.writeString(value)
                buffer.writeStaticString("\"")
            }
            field("\"cluster_id\":\"", String(header.clusterID), header.clusterID == 0)
            field("\"member_id\":\"", String(header.memberID), header.memberID == 0)
            field("\"revision\":\"", String(header.revision), header.revision == 0)
            field("\"raft_term\":\"", String(header.raftTerm), header.raftTerm == 0)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("}")
        return buffer
    }
}

/// A JSON value of a flat object, as much as the fast path understands.
enum FlatJSONValue {
    case string(Substring.UTF8View)
    case bool(Bool)
    case number(Int64)

    /// etcd's gateway writes 64-bit integers as strings and reads either form.
    var integer: Int64? {
        switch self {
        case .number(let value): return value
        case .string(let text): return Int64(String(decoding: text, as: UTF8.self))
        case .bool: return nil
        }
    }
}

/// Parses `{"name": value, …}` where values are escape-free strings, booleans or integers.
struct FlatObjectParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Calls `field` per member; false (give up) on anything else or when `field` says so.
    mutating func parse(_ field: (String, FlatJSONValue) -> Bool) -> Bool {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "}")) { return atEnd() }
        while true {
            skipSpace()
            guard let name = string() else { return false }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard let value = value(), field(String(decoding: name, as: UTF8.self), value) else { return false }
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return false }
            return atEnd()
        }
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// An escape-free string's bytes (no copy of the body beyond the slice).
    private mutating func string() -> Substring.UTF8View? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text[...].utf8
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    private mutating func value() -> FlatJSONValue? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "t"):
            return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            index += 1
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return Int64(text).map { .number($0) }
        default:
            return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }
}

/// Strict standard base64 (padding required, no whitespace), as protobuf's JSON writes bytes.
enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func decode(_ text: Substring.UTF8View) -> [UInt8]? {
        let count = text.count
        guard count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count / 4 * 3)
        var quad: UInt32 = 0
        var filled = 0
        var padding = 0
        for character in text {
            if character == UInt8(ascii: "=") {
                padding += 1
                quad <<= 6
            } else {
                guard padding == 0 else { return nil }
                let value = table[Int(character)]
                guard value != 0xFF else { return nil }
                quad = quad << 6 | UInt32(value)
            }
            filled += 1
            if filled == 4 {
                output.append(UInt8(truncatingIfNeeded: quad >> 16))
                output.append(UInt8(truncatingIfNeeded: quad >> 8))
                output.append(UInt8(truncatingIfNeeded: quad))
                quad = 0
                filled = 0
            }
        }
        guard padding <= 2 else { return nil }
        output.removeLast(padding)
        return output
    }
}
