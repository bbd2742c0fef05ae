/// The shape of the protobuf messages skiff decodes: for each message, its fields by number with
/// their JSON names and value kinds. Parsed once from the compact table in
/// ProtobufSchemaTable.swift (generated from the Kubernetes protobuf descriptors).
struct ProtobufSchema: Sendable {
    indirect enum Kind: Sendable, Equatable {
        case string, int, bool, bytes, double, float
        /// metav1.Time (RFC 3339, seconds), metav1.MicroTime (microseconds), metav1.Duration.
        case time, microTime, duration
        /// resource.Quantity, intstr.IntOrString, metav1.FieldsV1, runtime.RawExtension, and
        /// authorization's ExtraValue (a message wrapping a string list, JSON array).
        case quantity, intOrString, fieldsV1, rawExtension, stringList
        case message(String)
        case map(key: Kind, value: Kind)
    }

    enum Cardinality: Sendable {
        /// A Go value field: proto always carries it, JSON omits it when zero (omitempty).
        case value
        /// A Go pointer field: present only when set, and then emitted even when zero.
        case pointer
        case repeated
        /// A Go embedded struct with `json:",inline"`: its fields appear in the parent object.
        case inline
    }

    struct Field: Sendable {
        var number: Int
        var name: String
        var kind: Kind
        var cardinality: Cardinality
    }

    struct Message: Sendable {
        var name: String
        /// Declaration order, which is the Go struct's (and so the JSON's) field order.
        var fields: [Field]
        var indexByNumber: [Int: Int]
    }

    var messages: [String: Message]

    static let shared: ProtobufSchema = ProtobufSchema(parsing: table)

    init(parsing text: String) {
        var messages: [String: Message] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.trimmingPrefixSpaces().split(separator: "|")
            guard let name = parts.first.map(String.init) else { continue }
            var fields: [Field] = []
            var index: [Int: Int] = [:]
            for part in parts.dropFirst() {
                let tokens = part.split(separator: " ")
                guard tokens.count == 3, let number = Int(tokens[0]) else { continue }
                var code = Substring(tokens[2])
                var cardinality = Cardinality.value
                if code.hasSuffix("*") { cardinality = .repeated; code = code.dropLast() }
                else if code.hasSuffix("?") { cardinality = .pointer; code = code.dropLast() }
                else if code.hasSuffix("^") { cardinality = .inline; code = code.dropLast() }
                guard let kind = Self.kind(code) else { continue }
                index[number] = fields.count
                fields.append(Field(number: number, name: String(tokens[1]), kind: kind, cardinality: cardinality))
            }
            messages[name] = Message(name: name, fields: fields, indexByNumber: index)
        }
        self.messages = messages
    }

    static func kind(_ code: Substring) -> Kind? {
        if code.hasPrefix("m:") { return .message(String(code.dropFirst(2))) }
        if code.hasPrefix("M") {
            let rest = code.dropFirst()
            guard let colon = rest.firstIndex(of: ":"), let key = kind(rest[..<colon]),
                  let value = kind(rest[rest.index(after: colon)...]) else { return nil }
            return .map(key: key, value: value)
        }
        switch code {
        case "s": return .string
        case "i": return .int
        case "b": return .bool
        case "y": return .bytes
        case "d": return .double
        case "f": return .float
        case "T": return .time
        case "U": return .microTime
        case "D": return .duration
        case "Q": return .quantity
        case "I": return .intOrString
        case "F": return .fieldsV1
        case "R": return .rawExtension
        case "X": return .stringList
        default: return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingPrefixSpaces() -> Substring { drop { $0 == " " } }
}
