/// The `fieldValidation` query parameter: what to do with unknown and duplicate fields.
public enum FieldValidationMode: String, Sendable {
    /// Reject the request (400, `strict decoding error: …`).
    case strict = "Strict"
    /// Accept, drop the fields and answer with `Warning` headers (the server default).
    case warn = "Warn"
    /// Accept and drop the fields silently.
    case ignore = "Ignore"

    /// Parses the query value; nil or empty means the default, Warn.
    public init(queryValue: String?) throws {
        guard let queryValue, !queryValue.isEmpty else {
            self = .warn
            return
        }
        guard let mode = FieldValidationMode(rawValue: queryValue) else {
            throw BodyDecodingError.badRequest("fieldValidation must be one of Ignore, Warn or Strict, got \"\(queryValue)\"")
        }
        self = mode
    }
}

/// Why a request body was refused, with the status the apiserver should answer.
public enum BodyDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 BadRequest: malformed JSON/YAML, wrong kind, strict-decoding failures.
    case badRequest(String)
    /// 422 Invalid: values of the wrong type, reported per field like Kubernetes does for CRDs.
    case invalid([FieldError])

    public var description: String {
        switch self {
        case .badRequest(let message): return message
        case .invalid(let errors): return errors.map(\.description).joined(separator: ", ")
        }
    }
}

/// A decoded request body, ready for defaulting and semantic validation.
public struct DecodedBody: Sendable {
    /// The object, with unknown fields dropped (under Warn/Ignore) and `apiVersion`/`kind` checked.
    public var object: JSONValue
    /// `Warning` header texts under Warn: `unknown field "spec.foo"`, `duplicate field "x"`.
    public var warnings: [String]
}

/// The first step of every write: bytes → JSON value checked against the kind's schema.
public enum BodyDecoder {
    /// Decodes a create/update body of `resource`'s kind (or of `expectedKind`, for subresources
    /// such as Scale and Eviction). YAML is accepted when `contentType` says so.
    public static func decode(_ bytes: [UInt8], contentType: String = "application/json", resource: ResourceInfo,
                              expectedKind: GroupVersionKind? = nil, fieldValidation: FieldValidationMode,
                              limits: JSONParseOptions = JSONParseOptions()) throws -> DecodedBody
    {
        let gvk = expectedKind ?? resource.gvk
        guard let schema = ResourceRegistry.schema(for: gvk) ?? (gvk == resource.gvk ? resource.schema : nil) else {
            throw BodyDecodingError.badRequest("no schema for \(gvk)")
        }
        var value: JSONValue
        var duplicates: [String] = []
        if contentType.contains("yaml") {
            do {
                value = try JSONValue.parseYAML(String(decoding: bytes, as: UTF8.self))
            } catch let error as YAMLDecodingError {
                throw BodyDecodingError.badRequest(error.description)
            }
        } else {
            do {
                let result = try JSONValue.parse(bytes, options: limits)
                value = result.value
                duplicates = result.duplicates
            } catch let error as JSONParseError {
                throw BodyDecodingError.badRequest("json parse error: \(error.description)")
            }
        }
        guard case .object = value else {
            throw BodyDecodingError.badRequest("the body must be a JSON object, got \(value.typeName)")
        }
        // Like Kubernetes, a body that leaves out kind or apiVersion gets them from the URL it was
        // sent to (the official Python client sends bodies without them); a body that names
        // another kind or version is refused below.
        for (field, implied) in [("kind", gvk.kind), ("apiVersion", gvk.apiVersion)] {
            switch value[field] {
            case nil, .null?, .string("")?: value[field] = .string(implied)
            default: break
            }
        }
        guard let kind = value["kind"]?.stringValue else {
            throw BodyDecodingError.badRequest("the kind in the body must be a string, got \(value["kind"]?.typeName ?? "nothing")")
        }
        guard let apiVersion = value["apiVersion"]?.stringValue else {
            throw BodyDecodingError.badRequest("the API version in the body must be a string, got \(value["apiVersion"]?.typeName ?? "nothing")")
        }
        if kind != gvk.kind {
            throw BodyDecodingError.badRequest("the kind in the body (\(kind)) does not match the expected kind (\(gvk.kind))")
        }
        if apiVersion != gvk.apiVersion {
            throw BodyDecodingError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(gvk.apiVersion))")
        }
        let report = StructuralValidator.validate(value, schema: schema, duplicates: duplicates)
        if !report.typeErrors.isEmpty { throw BodyDecodingError.invalid(report.typeErrors) }
        var warnings: [String] = []
        switch fieldValidation {
        case .strict:
            if let message = report.strictDecodingError { throw BodyDecodingError.badRequest(message) }
        case .warn:
            warnings = report.strictMessages
        case .ignore:
            break
        }
        if !report.unknownFields.isEmpty { value = StructuralValidator.prune(value, schema: schema) }
        return DecodedBody(object: value, warnings: warnings)
    }
}
