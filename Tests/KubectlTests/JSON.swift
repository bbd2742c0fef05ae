import Foundation

/// A decoded JSON document with subscript paths, for asserting on kubectl's `-o json` output.
struct JSON: Sendable, Equatable, CustomStringConvertible {
    indirect enum Value: Sendable, Equatable {
        case null, bool(Bool), number(Double), string(String), array([Value]), object([String: Value])
    }
    let value: Value

    init(_ value: Value) { self.value = value }

    init?(parsing text: String) {
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)) else { return nil }
        self.value = value
    }

    /// `json["spec", "replicas"]`, `json["items", 0, "metadata", "name"]`.
    subscript(_ path: any JSONPathElement...) -> JSON? { self[path] }

    subscript(_ path: [any JSONPathElement]) -> JSON? {
        var current = value
        for element in path {
            switch (current, element) {
            case (.object(let object), let key as String):
                guard let next = object[key] else { return nil }
                current = next
            case (.array(let array), let index as Int):
                guard array.indices.contains(index) else { return nil }
                current = array[index]
            default: return nil
            }
        }
        return JSON(current)
    }

    var string: String? { if case .string(let s) = value { s } else { nil } }
    var int: Int? { if case .number(let n) = value { Int(n) } else { nil } }
    var array: [JSON] { if case .array(let a) = value { a.map(JSON.init) } else { [] } }
    var keys: Set<String> { if case .object(let o) = value { Set(o.keys) } else { [] } }
    var isNull: Bool { value == .null }
    /// `{"a":"b"}` as a String dictionary (labels, annotations, data).
    var stringMap: [String: String] {
        guard case .object(let object) = value else { return [:] }
        return object.compactMapValues { if case .string(let s) = $0 { s } else { nil } }
    }

    var description: String { "\(value)" }
}

extension JSON.Value: Decodable {
    /// Bool before number: JSONDecoder refuses to read a number as a Bool and vice versa, so
    /// the first type that decodes is the JSON type.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON.Value].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON.Value].self))
        }
    }
}

protocol JSONPathElement: Sendable {}
extension String: JSONPathElement {}
extension Int: JSONPathElement {}
