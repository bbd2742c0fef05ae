/// The few protobuf wire-format primitives the OpenAPI v2 document needs: varints,
/// length-delimited strings and nested messages, booleans and doubles. proto3 semantics: a
/// scalar equal to its default is not written, except where the caller asks (oneof members).
struct OpenAPIV2ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wire: WireType) {
        varint(UInt64(field) << 3 | wire.rawValue)
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// A string field; the empty string is the proto3 default and is omitted.
    mutating func string(_ field: Int, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        lengthDelimited(field, Array(value.utf8))
    }

    /// A repeated string field: one length-delimited record per element (strings are never packed).
    mutating func strings(_ field: Int, _ values: [String]) {
        for value in values { lengthDelimited(field, Array(value.utf8)) }
    }

    /// A bool field; `false` is omitted unless `always` (a oneof member must say it is set).
    mutating func bool(_ field: Int, _ value: Bool?, always: Bool = false) {
        guard let value, value || always else { return }
        tag(field, .varint)
        varint(value ? 1 : 0)
    }

    mutating func int64(_ field: Int, _ value: Int64?) {
        guard let value, value != 0 else { return }
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double?) {
        guard let value, value != 0 else { return }
        tag(field, .fixed64)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    /// A nested message, written even when empty: presence of a sub-message is meaningful
    /// (an object schema with an empty `properties` is not one without).
    mutating func message(_ field: Int, _ build: (inout OpenAPIV2ProtobufWriter) -> Void) {
        var inner = OpenAPIV2ProtobufWriter()
        build(&inner)
        lengthDelimited(field, inner.bytes)
    }
}
