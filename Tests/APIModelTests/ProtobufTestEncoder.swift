/// A tiny protobuf writer for tests: builds messages from field numbers so the decoder can be
/// checked against hand-made wire bytes.
struct ProtobufTestEncoder {
    var bytes: [UInt8] = []

    static func message(_ build: (inout ProtobufTestEncoder) -> Void) -> [UInt8] {
        var encoder = ProtobufTestEncoder()
        build(&encoder)
        return encoder.bytes
    }

    /// `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
    static func envelope(apiVersion: String, kind: String, raw: [UInt8], contentEncoding: String? = nil,
                         contentType: String = "") -> [UInt8] {
        [0x6b, 0x38, 0x73, 0x00] + message { unknown in
            unknown.message(1) { meta in
                meta.string(1, apiVersion)
                meta.string(2, kind)
            }
            unknown.bytes(2, raw)
            if let contentEncoding { unknown.string(3, contentEncoding) }
            unknown.string(4, contentType)
        }
    }

    mutating func rawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ number: Int, _ wireType: UInt64) { rawVarint(UInt64(number) << 3 | wireType) }

    mutating func varint(_ number: Int, _ value: Int64) {
        key(number, 0)
        rawVarint(UInt64(bitPattern: value))
    }

    mutating func bool(_ number: Int, _ value: Bool) { varint(number, value ? 1 : 0) }

    mutating func bytes(_ number: Int, _ value: [UInt8]) {
        key(number, 2)
        rawVarint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ number: Int, _ value: String) { bytes(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ build: (inout ProtobufTestEncoder) -> Void) {
        bytes(number, Self.message(build))
    }

    /// A map<string,string> entry.
    mutating func entry(_ number: Int, _ key: String, _ value: String) {
        message(number) { e in
            e.string(1, key)
            e.string(2, value)
        }
    }

    /// A map<string,Quantity> entry.
    mutating func quantityEntry(_ number: Int, _ key: String, _ value: String) {
        message(number) { e in
            e.string(1, key)
            e.message(2) { q in q.string(1, value) }
        }
    }

    /// An IntOrString: type 0 with intVal, or type 1 with strVal.
    mutating func intOrString(_ number: Int, int: Int64? = nil, string: String? = nil) {
        message(number) { v in
            v.varint(1, string == nil ? 0 : 1)
            v.varint(2, int ?? 0)
            v.string(3, string ?? "")
        }
    }

    /// A metav1.Time {seconds, nanos}.
    mutating func time(_ number: Int, seconds: Int64, nanos: Int64 = 0) {
        message(number) { t in
            t.varint(1, seconds)
            t.varint(2, nanos)
        }
    }
}
