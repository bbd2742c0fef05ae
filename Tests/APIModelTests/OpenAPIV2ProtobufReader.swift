/// A minimal protobuf wire-format reader for the tests: enough to walk the gnostic
/// `openapi.v2.Document` the server encodes, independently of the writer that produced it.
struct OpenAPIV2ProtoMessage {
    enum ReadError: Error { case truncated, badWireType(UInt64) }

    struct Field {
        var number: Int
        var varint: UInt64?
        var bytes: [UInt8]?
    }

    var fields: [Field] = []

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw ReadError.truncated }
                let byte = bytes[i]
                i += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                fields.append(Field(number: number, varint: try varint()))
            case 1, 5:
                let size = key & 7 == 1 ? 8 : 4
                guard i + size <= bytes.count else { throw ReadError.truncated }
                fields.append(Field(number: number, bytes: Array(bytes[i..<i + size])))
                i += size
            case 2:
                let length = Int(try varint())
                guard length >= 0, i + length <= bytes.count else { throw ReadError.truncated }
                fields.append(Field(number: number, bytes: Array(bytes[i..<i + length])))
                i += length
            default:
                throw ReadError.badWireType(key & 7)
            }
        }
    }

    func string(_ number: Int) -> String? {
        fields.last { $0.number == number }?.bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    func strings(_ number: Int) -> [String] {
        fields.filter { $0.number == number }.compactMap { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    func bool(_ number: Int) -> Bool? {
        fields.last { $0.number == number }?.varint.map { $0 != 0 }
    }

    func message(_ number: Int) throws -> OpenAPIV2ProtoMessage? {
        guard let bytes = fields.last(where: { $0.number == number })?.bytes else { return nil }
        return try OpenAPIV2ProtoMessage(bytes)
    }

    func messages(_ number: Int) throws -> [OpenAPIV2ProtoMessage] {
        try fields.filter { $0.number == number }.compactMap { try $0.bytes.map(OpenAPIV2ProtoMessage.init) }
    }

    /// A gnostic `Named*` list (name = 1, value = 2) as a dictionary.
    func named(_ number: Int) throws -> [String: OpenAPIV2ProtoMessage] {
        var out: [String: OpenAPIV2ProtoMessage] = [:]
        for entry in try messages(number) {
            if let name = entry.string(1), let value = try entry.message(2) { out[name] = value }
        }
        return out
    }

    /// The `yaml` text of each vendor extension in `number` (repeated NamedAny), by name.
    func extensions(_ number: Int) throws -> [String: String] {
        try named(number).compactMapValues { $0.string(2) }
    }
}
