import Foundation

/// What decoding a body against its schema found. Unknown and duplicate fields are kept apart
/// from type errors because `fieldValidation` decides their fate: Strict → 400, Warn →
/// `Warning` headers, Ignore → dropped. Type errors always fail.
public struct StructuralReport: Sendable {
    /// `unknown field "spec.foo"` entries, as paths (`spec.foo`).
    public var unknownFields: [String] = []
    /// Paths of repeated keys (from `JSONParseResult.duplicates`).
    public var duplicateFields: [String] = []
    /// Wrong JSON types, out-of-range integers, bad base64.
    public var typeErrors: [FieldError] = []

    public init() {}

    /// Kubernetes' strict-decoding messages: `unknown field "spec.foo"`, `duplicate field "metadata.name"`.
    public var strictMessages: [String] {
        unknownFields.map { "unknown field \"\($0)\"" } + duplicateFields.map { "duplicate field \"\($0)\"" }
    }

    /// The 400 message under Strict: `strict decoding error: unknown field "spec.foo", …`, or nil.
    public var strictDecodingError: String? {
        let messages = strictMessages
        return messages.isEmpty ? nil : "strict decoding error: " + messages.joined(separator: ", ")
    }
}

public enum StructuralValidator {
    /// Walks `value` against `schema`. With `prune`, unknown fields are also removed from the
    /// returned value (what the apiserver stores under Warn/Ignore, as Go's decoder drops them).
    public static func validate(_ value: JSONValue, schema: Schema, duplicates: [String] = []) -> StructuralReport {
        var report = StructuralReport()
        report.duplicateFields = duplicates
        var stack: [JSONParser.PathSegment] = []
        stack.reserveCapacity(16)
        walk(value, schema, &stack, &report)
        return report
    }

    /// Removes every field the schema does not know (Kubernetes drops them when decoding).
    public static func prune(_ value: JSONValue, schema: Schema) -> JSONValue {
        switch (value, schema) {
        case (.object(let object), .object(let objectSchema)):
            if objectSchema.preservesUnknownFields { return value }
            var out = JSONObject()
            for (k, v) in object {
                guard let field = objectSchema.field(named: k) else { continue }
                out[k] = prune(v, schema: field.schema)
            }
            return .object(out)
        case (.object(let object), .map(let valueSchema)):
            var out = JSONObject()
            for (k, v) in object { out[k] = prune(v, schema: valueSchema) }
            return .object(out)
        case (.array(let items), .array(let arraySchema)):
            return .array(items.map { prune($0, schema: arraySchema.items) })
        default:
            return value
        }
    }

    static func typeError(_ path: FieldPath, _ value: JSONValue, _ expected: String) -> FieldError {
        FieldError(.typeInvalid, path, .string(value.typeName), "\(path) in body must be of type \(expected)")
    }

    /// `stack` is the path as segments; it is formatted only when something is reported, so a
    /// valid body costs no string building.
    static func walk(_ value: JSONValue, _ schema: Schema, _ stack: inout [JSONParser.PathSegment], _ report: inout StructuralReport) {
        var path: FieldPath { FieldPath(JSONParser.format(stack)) }
        // null is the zero value for every Go field: always accepted.
        if case .null = value { return }
        switch schema {
        case .any:
            return
        case .object(let objectSchema):
            guard case .object(let object) = value else {
                report.typeErrors.append(typeError(path, value, "object"))
                return
            }
            if objectSchema.preservesUnknownFields { return }
            for (key, member) in object {
                if let field = objectSchema.field(named: key) {
                    stack.append(.key(key))
                    walk(member, field.schema, &stack, &report)
                    stack.removeLast()
                } else {
                    report.unknownFields.append(path.child(key).description)
                }
            }
        case .map(let valueSchema):
            guard case .object(let object) = value else {
                report.typeErrors.append(typeError(path, value, "object"))
                return
            }
            for (key, member) in object {
                stack.append(.key(key))
                walk(member, valueSchema, &stack, &report)
                stack.removeLast()
            }
        case .array(let arraySchema):
            guard case .array(let items) = value else {
                report.typeErrors.append(typeError(path, value, "array"))
                return
            }
            for (i, item) in items.enumerated() {
                stack.append(.index(i))
                walk(item, arraySchema.items, &stack, &report)
                stack.removeLast()
            }
        case .string(let format):
            guard case .string(let s) = value else {
                report.typeErrors.append(typeError(path, value, "string"))
                return
            }
            switch format {
            case .byte:
                if Data(base64Encoded: s) == nil {
                    report.typeErrors.append(.invalid(path, .string(s), "illegal base64 data"))
                }
            case .dateTime:
                if !s.isEmpty, !isRFC3339(s) {
                    report.typeErrors.append(.invalid(path, .string(s), "must be an RFC 3339 date-time"))
                }
            case .plain:
                break
            }
        case .integer(let format):
            guard case .int(let i) = value else {
                report.typeErrors.append(typeError(path, value, "integer"))
                return
            }
            if format == .int32, i < Int64(Int32.min) || i > Int64(Int32.max) {
                report.typeErrors.append(.invalid(path, value, "must fit in a 32-bit integer"))
            }
        case .number:
            if value.doubleValue == nil { report.typeErrors.append(typeError(path, value, "number")) }
        case .boolean:
            if value.boolValue == nil { report.typeErrors.append(typeError(path, value, "boolean")) }
        case .intOrString:
            switch value {
            case .int, .string: break
            default: report.typeErrors.append(typeError(path, value, "integer,string"))
            }
        case .quantity:
            switch value {
            case .int, .double: break
            case .string(let s):
                if !Quantity.isValid(s) {
                    report.typeErrors.append(.invalid(path, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
                }
            default: report.typeErrors.append(typeError(path, value, "string"))
            }
        }
    }

    /// `2006-01-02T15:04:05Z` or with fraction and numeric offset.
    static func isRFC3339(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 20 else { return false }
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { b[$0] >= 48 && b[$0] <= 57 } }
        guard digits(0..<4), b[4] == 45, digits(5..<7), b[7] == 45, digits(8..<10), b[10] == 84 || b[10] == 116,
              digits(11..<13), b[13] == 58, digits(14..<16), b[16] == 58, digits(17..<19) else { return false }
        var i = 19
        if b[i] == 46 {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            if i == start { return false }
        }
        guard i < b.count else { return false }
        if b[i] == 90 || b[i] == 122 { return i == b.count - 1 }
        guard b[i] == 43 || b[i] == 45, b.count == i + 6 else { return false }
        return digits((i + 1)..<(i + 3)) && b[i + 3] == 58 && digits((i + 4)..<(i + 6))
    }
}

/// Resource quantities (`100m`, `1.5Gi`, `1e3`), enough to validate and compare them.
public enum Quantity {
    static let binarySuffixes: [String: Double] = ["Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776,
                                                   "Pi": 1125899906842624, "Ei": 1152921504606846976]
    static let decimalSuffixes: [String: Double] = ["n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6,
                                                    "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18]

    public static func isValid(_ s: String) -> Bool { value(of: s) != nil }

    /// The numeric value (approximate, as a Double), or nil when the syntax is wrong.
    public static func value(of s: String) -> Double? {
        var text = Substring(s)
        var sign = 1.0
        if text.first == "+" { text = text.dropFirst() } else if text.first == "-" { sign = -1; text = text.dropFirst() }
        let numberEnd = text.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? text.endIndex
        let number = text[..<numberEnd]
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ".", let base = Double(number) else { return nil }
        let suffix = String(text[numberEnd...])
        if let m = binarySuffixes[suffix] ?? decimalSuffixes[suffix] { return sign * base * m }
        if let first = suffix.first, first == "e" || first == "E" {
            guard let exponent = Int(suffix.dropFirst()) else { return nil }
            return sign * base * pow(10, Double(exponent))
        }
        return nil
    }

    /// The value of a JSON quantity (number or string).
    public static func value(of json: JSONValue) -> Double? {
        switch json {
        case .int, .double: return json.doubleValue
        case .string(let s): return value(of: s)
        default: return nil
        }
    }
}
