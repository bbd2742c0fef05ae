import Foundation

/// Turns one protobuf message into the JSON object its Go type marshals to, driven by
/// `ProtobufSchema`. Unknown field numbers are skipped (newer clients may send newer fields);
/// wire types that do not match the schema, truncation and bad UTF-8 are errors.
struct ProtobufJSONDecoder {
    let bytes: [UInt8]
    let schema = ProtobufSchema.shared

    /// Value fields whose JSON tag has no omitempty, so Go writes them even when zero (the
    /// protobuf descriptors do not say; these are the ones in the kinds decoded here).
    static let keepZero: Set<String> = [
        "scheduling.v1.PriorityClass.value", "core.v1.HTTPHeader.value",
        "policy.v1.PodDisruptionBudgetStatus.disruptionsAllowed", "policy.v1.PodDisruptionBudgetStatus.currentHealthy",
        "policy.v1.PodDisruptionBudgetStatus.desiredHealthy", "policy.v1.PodDisruptionBudgetStatus.expectedPods",
        "apps.v1.DaemonSetStatus.currentNumberScheduled", "apps.v1.DaemonSetStatus.numberMisscheduled",
        "apps.v1.DaemonSetStatus.desiredNumberScheduled", "apps.v1.DaemonSetStatus.numberReady",
        "apps.v1.ReplicaSetStatus.replicas", "apps.v1.StatefulSetStatus.replicas",
        "core.v1.ReplicationControllerStatus.replicas", "autoscaling.v1.ScaleStatus.replicas",
        "core.v1.ContainerStatus.ready", "core.v1.ContainerStatus.restartCount",
        "authorization.v1.SubjectAccessReviewStatus.allowed",
    ]

    func message(_ name: String, range: Range<Int>, depth: Int) throws(ProtobufFieldError) -> JSONObject {
        guard depth < KubernetesProtobuf.maxDepth else {
            throw ProtobufFieldError(path: [], reason: "messages nested more than \(KubernetesProtobuf.maxDepth) deep")
        }
        guard let message = schema.messages[name] else {
            throw ProtobufFieldError(path: [], reason: "no schema for message \(name)")
        }
        var singles = [JSONValue?](repeating: nil, count: message.fields.count)
        var lists = [[JSONValue]](repeating: [], count: message.fields.count)
        var maps = [JSONObject](repeating: JSONObject(), count: message.fields.count)
        var reader = ProtobufReader(bytes, range: range)
        while let (number, wireType) = try wire({ () throws(ProtobufDecodingError) in try reader.fieldHeader() }) {
            guard let index = message.indexByNumber[number] else {
                try wire { () throws(ProtobufDecodingError) in try reader.skip(wireType, number: number) }
                continue
            }
            let field = message.fields[index]
            do throws(ProtobufFieldError) {
                switch (field.kind, field.cardinality) {
                case (.map(let keyKind, let valueKind), _):
                    let entry = try expectLength(wireType, &reader)
                    let (key, value) = try mapEntry(keyKind, valueKind, range: entry, depth: depth)
                    maps[index][key] = value
                case (let kind, .repeated) where wireType == .lengthDelimited && kind.isPackable:
                    let packed = try wire { () throws(ProtobufDecodingError) in try reader.lengthDelimited() }
                    var inner = ProtobufReader(bytes, range: packed)
                    while !inner.isAtEnd {
                        lists[index].append(try value(kind, wireType: kind.wireType, &inner, depth: depth))
                    }
                case (let kind, .repeated):
                    lists[index].append(try value(kind, wireType: wireType, &reader, depth: depth))
                case (let kind, _):
                    singles[index] = try value(kind, wireType: wireType, &reader, depth: depth)
                }
            } catch {
                var error = error
                let position = field.cardinality == .repeated && !field.kind.isMap ? "[\(lists[index].count)]" : nil
                if let position { error.path.append(position) }
                error.path.append(field.name)
                throw error
            }
        }

        var object = JSONObject()
        for (index, field) in message.fields.enumerated() {
            if field.kind.isMap {
                if !maps[index].isEmpty { object[field.name] = .object(maps[index]) }
                continue
            }
            switch field.cardinality {
            case .repeated:
                if !lists[index].isEmpty { object[field.name] = .array(lists[index]) }
            case .pointer:
                if let value = singles[index] { object[field.name] = value }
            case .inline:
                for (key, value) in singles[index]?.objectValue ?? JSONObject() { object[key] = value }
            case .value:
                guard let value = singles[index] else { continue }
                if Self.isZero(value, kind: field.kind), !Self.keepZero.contains("\(name).\(field.name)") { continue }
                object[field.name] = value
            }
        }
        return object
    }

    /// Go's omitempty zero values (nested messages are structs: never omitted; a zero time is
    /// JSON null, left out here; a zero IntOrString is left out, which defaulting treats as unset).
    static func isZero(_ value: JSONValue, kind: ProtobufSchema.Kind) -> Bool {
        switch kind {
        case .message: return false
        default: break
        }
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .bool(let b): return !b
        case .array(let a): return a.isEmpty
        case .object: return false
        }
    }

    func mapEntry(_ keyKind: ProtobufSchema.Kind, _ valueKind: ProtobufSchema.Kind, range: Range<Int>,
                  depth: Int) throws(ProtobufFieldError) -> (String, JSONValue) {
        var reader = ProtobufReader(bytes, range: range)
        var key: JSONValue = .string("")
        var value: JSONValue? = nil
        while let (number, wireType) = try wire({ () throws(ProtobufDecodingError) in try reader.fieldHeader() }) {
            switch number {
            case 1: key = try self.value(keyKind, wireType: wireType, &reader, depth: depth)
            case 2: value = try self.value(valueKind, wireType: wireType, &reader, depth: depth)
            default: try wire { () throws(ProtobufDecodingError) in try reader.skip(wireType, number: number) }
            }
        }
        let keyText: String
        switch key {
        case .string(let s): keyText = s
        case .int(let i): keyText = String(i)
        case .bool(let b): keyText = String(b)
        default: keyText = ""
        }
        return (keyText, value ?? Self.zero(of: valueKind))
    }

    static func zero(of kind: ProtobufSchema.Kind) -> JSONValue {
        switch kind {
        case .string, .quantity, .bytes: return .string("")
        case .int, .intOrString: return .int(0)
        case .bool: return .bool(false)
        case .double, .float: return .double(0)
        case .stringList: return .array([])
        case .message: return .emptyObject
        default: return .null
        }
    }

    func value(_ kind: ProtobufSchema.Kind, wireType: ProtobufReader.WireType, _ reader: inout ProtobufReader,
               depth: Int) throws(ProtobufFieldError) -> JSONValue {
        guard wireType == kind.wireType else {
            throw ProtobufFieldError(path: [], reason: "wire type \(wireType.rawValue), expected \(kind.wireType.rawValue)")
        }
        switch kind {
        case .int:
            return .int(Int64(bitPattern: try wire { () throws(ProtobufDecodingError) in try reader.varint() }))
        case .bool:
            return .bool(try wire { () throws(ProtobufDecodingError) in try reader.varint() } != 0)
        case .double:
            return .double(Double(bitPattern: try wire { () throws(ProtobufDecodingError) in try reader.fixed64() }))
        case .float:
            return .double(Double(Float(bitPattern: try wire { () throws(ProtobufDecodingError) in try reader.fixed32() })))
        case .string:
            return .string(try string(expectLength(wireType, &reader)))
        case .bytes:
            return .string(Data(bytes[try expectLength(wireType, &reader)]).base64EncodedString())
        case .message(let name):
            return .object(try message(name, range: expectLength(wireType, &reader), depth: depth + 1))
        case .map:
            throw ProtobufFieldError(path: [], reason: "map value outside a map field")
        case .time, .microTime:
            let fields = try scalars(expectLength(wireType, &reader))
            let seconds = fields[1].map { Int64(bitPattern: $0) } ?? 0
            let nanos = fields[2].map { Int64(bitPattern: $0) } ?? 0
            if seconds == 0, nanos == 0 { return .null }
            return .string(ProtobufTime.rfc3339(seconds: seconds, nanos: nanos, micro: kind == .microTime))
        case .duration:
            let fields = try scalars(expectLength(wireType, &reader))
            return .string(ProtobufTime.goDuration(nanoseconds: fields[1].map { Int64(bitPattern: $0) } ?? 0))
        case .quantity:
            return .string(try stringField(1, in: expectLength(wireType, &reader)) ?? "")
        case .intOrString:
            let range = try expectLength(wireType, &reader)
            let fields = try scalars(range)
            if fields[1] == 1 { return .string(try stringField(3, in: range) ?? "") }
            return .int(Int64(Int32(truncatingIfNeeded: Int64(bitPattern: fields[2] ?? 0))))
        case .fieldsV1, .rawExtension:
            let range = try expectLength(wireType, &reader)
            guard let raw = try bytesField(1, in: range) else { return .emptyObject }
            return try embedded(raw)
        case .stringList:
            let range = try expectLength(wireType, &reader)
            var inner = ProtobufReader(bytes, range: range)
            var items: [JSONValue] = []
            while let (number, type) = try wire({ () throws(ProtobufDecodingError) in try inner.fieldHeader() }) {
                if number == 1, type == .lengthDelimited {
                    items.append(.string(try string(wire { () throws(ProtobufDecodingError) in try inner.lengthDelimited() })))
                } else {
                    try wire { () throws(ProtobufDecodingError) in try inner.skip(type, number: number) }
                }
            }
            return .array(items)
        }
    }

    /// Raw JSON carried in FieldsV1/RawExtension. An embedded protobuf object is refused rather
    /// than decoded, so hostile input cannot recurse without bound.
    func embedded(_ range: Range<Int>) throws(ProtobufFieldError) -> JSONValue {
        let raw = Array(bytes[range])
        if raw.isEmpty { return .emptyObject }
        if raw.starts(with: KubernetesProtobuf.magic) {
            throw ProtobufFieldError(path: [], reason: "embedded protobuf objects are not supported; send JSON")
        }
        do { return try JSONValue.parse(raw).value } catch {
            throw ProtobufFieldError(path: [], reason: "embedded raw bytes are not JSON")
        }
    }

    /// The varint fields of a small message (Time, IntOrString, Duration) by number; others skipped.
    func scalars(_ range: Range<Int>) throws(ProtobufFieldError) -> [Int: UInt64] {
        var reader = ProtobufReader(bytes, range: range)
        var result: [Int: UInt64] = [:]
        while let (number, type) = try wire({ () throws(ProtobufDecodingError) in try reader.fieldHeader() }) {
            if type == .varint {
                result[number] = try wire { () throws(ProtobufDecodingError) in try reader.varint() }
            } else {
                try wire { () throws(ProtobufDecodingError) in try reader.skip(type, number: number) }
            }
        }
        return result
    }

    func bytesField(_ wanted: Int, in range: Range<Int>) throws(ProtobufFieldError) -> Range<Int>? {
        var reader = ProtobufReader(bytes, range: range)
        var found: Range<Int>? = nil
        while let (number, type) = try wire({ () throws(ProtobufDecodingError) in try reader.fieldHeader() }) {
            if number == wanted, type == .lengthDelimited {
                found = try wire { () throws(ProtobufDecodingError) in try reader.lengthDelimited() }
            } else {
                try wire { () throws(ProtobufDecodingError) in try reader.skip(type, number: number) }
            }
        }
        return found
    }

    func stringField(_ wanted: Int, in range: Range<Int>) throws(ProtobufFieldError) -> String? {
        guard let found = try bytesField(wanted, in: range) else { return nil }
        return try string(found)
    }

    func string(_ range: Range<Int>) throws(ProtobufFieldError) -> String {
        guard let s = String(bytes: bytes[range], encoding: .utf8) else {
            throw ProtobufFieldError(path: [], reason: "invalid UTF-8 in string")
        }
        return s
    }

    func expectLength(_ wireType: ProtobufReader.WireType, _ reader: inout ProtobufReader) throws(ProtobufFieldError) -> Range<Int> {
        guard wireType == .lengthDelimited else {
            throw ProtobufFieldError(path: [], reason: "wire type \(wireType.rawValue), expected 2")
        }
        return try wire { () throws(ProtobufDecodingError) in try reader.lengthDelimited() }
    }

    /// Runs a reader step, turning its error into a field error for the path to be added to.
    func wire<T>(_ body: () throws(ProtobufDecodingError) -> T) throws(ProtobufFieldError) -> T {
        do { return try body() } catch { throw ProtobufFieldError(path: [], reason: error.message) }
    }
}

extension ProtobufSchema.Kind {
    var wireType: ProtobufReader.WireType {
        switch self {
        case .int, .bool: return .varint
        case .double: return .fixed64
        case .float: return .fixed32
        default: return .lengthDelimited
        }
    }

    var isPackable: Bool { wireType != .lengthDelimited }

    var isMap: Bool { if case .map = self { return true } else { return false } }
}
