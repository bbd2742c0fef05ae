/// A bounds-checked reader of protobuf wire format over a byte array. Every read checks the
/// remaining length, so truncated or hostile input becomes an error, never a trap.
struct ProtobufReader {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    let bytes: [UInt8]
    private(set) var index: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.index = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { index >= end }

    mutating func varint() throws(ProtobufDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else { throw ProtobufDecodingError("truncated varint") }
            let byte = bytes[index]
            index += 1
            if shift == 63, byte > 1 { throw ProtobufDecodingError("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw ProtobufDecodingError("varint longer than 10 bytes") }
        }
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func fieldHeader() throws(ProtobufDecodingError) -> (number: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else { throw ProtobufDecodingError("invalid field number \(number)") }
        guard let wireType = WireType(rawValue: Int(key & 7)) else {
            throw ProtobufDecodingError("field \(number) has invalid wire type \(key & 7)")
        }
        return (Int(number), wireType)
    }

    /// The byte range of a length-delimited value, advancing past it.
    mutating func lengthDelimited() throws(ProtobufDecodingError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - index) else {
            throw ProtobufDecodingError("length \(length) runs past the end of the message")
        }
        let start = index
        index += Int(length)
        return start..<index
    }

    mutating func fixed64() throws(ProtobufDecodingError) -> UInt64 {
        guard end - index >= 8 else { throw ProtobufDecodingError("truncated fixed64") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
        index += 8
        return value
    }

    mutating func fixed32() throws(ProtobufDecodingError) -> UInt32 {
        guard end - index >= 4 else { throw ProtobufDecodingError("truncated fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[index + i]) << (8 * UInt32(i)) }
        index += 4
        return value
    }

    /// Skips a field this decoder does not know (newer API fields), as protobuf readers must.
    mutating func skip(_ wireType: WireType, number: Int) throws(ProtobufDecodingError) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup, .endGroup: throw ProtobufDecodingError("field \(number) uses deprecated group encoding")
        }
    }
}
