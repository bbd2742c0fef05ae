/// Compact binary encoding shared by store commands, the keyspace snapshot, WAL records and
/// snapshot files. Integers are little-endian fixed width or LEB128 varints; byte strings
/// carry a varint length. Hand-written rather than Codable because these bytes sit on the
/// write path (every proposal, every WAL record) and must stay byte-for-byte stable across
/// versions: every format that uses them starts with its own version byte.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func write(_ flag: Bool) {
        bytes.append(flag ? 1 : 0)
    }

    mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Unsigned LEB128.
    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Signed values use zig-zag so small negatives stay short.
    mutating func writeVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func writeLengthPrefixed(_ data: [UInt8]) {
        writeVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func writeRaw(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }
}

/// Why a byte string could not be decoded, with the offset at which decoding stopped.
public struct BinaryDecodingError: Error, Equatable, CustomStringConvertible, Sendable {
    public var offset: Int
    public var reason: String

    public var description: String { "malformed binary data at byte \(offset): \(reason)" }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws on short input.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    func failure(_ reason: String) -> BinaryDecodingError {
        BinaryDecodingError(offset: offset, reason: reason)
    }

    /// Goes back to an earlier offset (to re-read a tag a caller peeked at).
    mutating func rewind(to earlier: Int) {
        offset = min(offset, max(0, earlier))
    }

    mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard offset < end else { throw failure("unexpected end of data") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBool() throws(BinaryDecodingError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let other: throw BinaryDecodingError(offset: offset - 1, reason: "invalid boolean \(other)")
        }
    }

    mutating func readFixed32() throws(BinaryDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw failure("need 4 bytes, have \(remaining)") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    mutating func readFixed64() throws(BinaryDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw failure("need 8 bytes, have \(remaining)") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw failure("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw failure("varint longer than 10 bytes") }
        }
    }

    mutating func readSignedVarint() throws(BinaryDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A varint used as a count or length: must fit in what is left of the input, so a
    /// corrupt length can never make us allocate gigabytes.
    mutating func readCount(minElementSize: Int = 1) throws(BinaryDecodingError) -> Int {
        let start = offset
        let raw = try readVarint()
        guard raw <= UInt64(remaining / max(1, minElementSize)) else {
            throw BinaryDecodingError(offset: start, reason: "length \(raw) exceeds the \(remaining) bytes left")
        }
        return Int(raw)
    }

    mutating func readLengthPrefixed() throws(BinaryDecodingError) -> [UInt8] {
        let count = try readCount()
        return try readRaw(count)
    }

    mutating func readRaw(_ count: Int) throws(BinaryDecodingError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw failure("need \(count) bytes, have \(remaining)") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
