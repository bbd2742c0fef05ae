/// A path to a field in Kubernetes' notation: `spec.template.spec.containers[0].image`,
/// map keys in brackets (`metadata.labels[app]`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public private(set) var description: String

    public init(_ path: String = "") { description = path }
    public init(stringLiteral value: String) { description = value }

    public func child(_ name: String) -> FieldPath {
        FieldPath(description.isEmpty ? name : description + "." + name)
    }

    public func index(_ i: Int) -> FieldPath { FieldPath(description + "[\(i)]") }

    public func key(_ k: String) -> FieldPath { FieldPath(description + "[\(k)]") }
}

/// One validation failure, as Kubernetes reports it in `Status.details.causes`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum ErrorType: String, Sendable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case typeInvalid = "FieldValueTypeInvalid"

        /// The human words Kubernetes prints for the type.
        public var words: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid, .typeInvalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            }
        }
    }

    public var type: ErrorType
    public var field: String
    public var badValue: JSONValue?
    public var detail: String

    public init(_ type: ErrorType, _ field: FieldPath, _ badValue: JSONValue? = nil, _ detail: String = "") {
        self.type = type
        self.field = field.description
        self.badValue = badValue
        self.detail = detail
    }

    public static func required(_ f: FieldPath, _ detail: String = "") -> FieldError { FieldError(.required, f, nil, detail) }
    public static func invalid(_ f: FieldPath, _ v: JSONValue?, _ detail: String) -> FieldError { FieldError(.invalid, f, v, detail) }
    public static func forbidden(_ f: FieldPath, _ detail: String) -> FieldError { FieldError(.forbidden, f, nil, detail) }
    public static func duplicate(_ f: FieldPath, _ v: JSONValue?) -> FieldError { FieldError(.duplicate, f, v) }
    public static func tooLong(_ f: FieldPath, _ v: JSONValue?, _ max: Int) -> FieldError {
        FieldError(.tooLong, f, v, "must have at most \(max) bytes")
    }
    public static func notSupported(_ f: FieldPath, _ v: JSONValue?, _ valid: [String]) -> FieldError {
        FieldError(.notSupported, f, v, "supported values: " + valid.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    /// The message without the field, as in `details.causes[].message`:
    /// `Invalid value: -1: must be greater than or equal to 0`.
    public var body: String {
        var s = type.words
        switch type {
        case .required, .forbidden, .tooLong, .tooMany:
            break
        default:
            if let badValue {
                switch badValue {
                case .string(let str): s += ": \"\(str)\""
                default: s += ": \(badValue.jsonString())"
                }
            }
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    /// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
    public var description: String { field + ": " + body }

    /// One entry of `Status.details.causes`.
    public var cause: JSONValue {
        ["reason": .string(type.rawValue), "message": .string(body), "field": .string(field)]
    }
}

extension Array where Element == FieldError {
    /// The 422 `Status` the apiserver returns for these errors: reason `Invalid`, with one cause
    /// per error, and Kubernetes' message (`Deployment.apps "web" is invalid: [a, b]`).
    public func invalidStatus(qualifiedKind: String, group: String, kind: String, name: String) -> JSONValue {
        let list = count == 1 ? self[0].description : "[" + map(\.description).joined(separator: ", ") + "]"
        var details: JSONValue = ["name": .string(name), "group": .string(group), "kind": .string(kind)]
        details["causes"] = .array(map(\.cause))
        return [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string("\(qualifiedKind) \"\(name)\" is invalid: \(list)"),
            "reason": "Invalid", "details": details, "code": 422,
        ]
    }
}
