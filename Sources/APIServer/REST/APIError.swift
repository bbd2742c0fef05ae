import APIModel

/// Every failure of the REST layer, as the Kubernetes `Status` it is rendered as. The router
/// writes `status` as the body with `code` as the HTTP status; nothing else is needed.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var status: JSONValue

    public init(code: Int, status: JSONValue) {
        self.code = code
        self.status = status
    }

    /// A storage failure; its Status already names the resource.
    public init(_ error: StorageError) {
        self.init(code: error.code, status: error.status)
    }

    public var reason: String { status["reason"]?.stringValue ?? "" }
    public var message: String { status["message"]?.stringValue ?? "" }
    public var description: String { "\(code) \(reason): \(message)" }

    /// A failure Status with the given parts; `details` only when something names an object.
    public static func status(code: Int, reason: String, message: String, name: String? = nil, group: String? = nil,
                              kind: String? = nil, causes: [JSONValue] = []) -> APIError
    {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message),
        ]
        if !reason.isEmpty { status["reason"] = .string(reason) }
        if name != nil || kind != nil || !causes.isEmpty {
            var details = JSONValue.emptyObject
            if let name { details["name"] = .string(name) }
            if let group, !group.isEmpty { details["group"] = .string(group) }
            if let kind { details["kind"] = .string(kind) }
            if !causes.isEmpty { details["causes"] = .array(causes) }
            status["details"] = details
        }
        status["code"] = .int(Int64(code))
        return APIError(code: code, status: status)
    }

    /// 404: `pods "x" not found`.
    public static func notFound(_ resource: ResourceInfo, name: String) -> APIError {
        status(code: 404, reason: "NotFound", message: "\(resource.qualifiedPlural) \"\(name)\" not found",
               name: name, group: resource.group, kind: resource.plural)
    }

    /// 404 for a namespace that does not exist (creating into it).
    public static func namespaceNotFound(_ namespace: String) -> APIError {
        status(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found", name: namespace, kind: "namespaces")
    }

    /// 409: `pods "x" already exists`.
    public static func alreadyExists(_ resource: ResourceInfo, name: String) -> APIError {
        status(code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedPlural) \"\(name)\" already exists",
               name: name, group: resource.group, kind: resource.plural)
    }

    /// The words of an optimistic-concurrency failure.
    public static let modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again"

    /// 409 Conflict: `Operation cannot be fulfilled on pods "x": <detail>`.
    public static func conflict(_ resource: ResourceInfo, name: String, detail: String = modifiedMessage,
                                causes: [JSONValue] = []) -> APIError
    {
        status(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": \(detail)",
               name: name, group: resource.group, kind: resource.plural, causes: causes)
    }

    /// 400 BadRequest with the message as given.
    public static func badRequest(_ message: String) -> APIError {
        status(code: 400, reason: "BadRequest", message: message)
    }

    /// 422 Invalid, one cause per field error.
    public static func invalid(_ resource: ResourceInfo, name: String, errors: [FieldError]) -> APIError {
        invalid(qualifiedKind: resource.qualifiedKind, group: resource.group, kind: resource.kind, name: name, errors: errors)
    }

    public static func invalid(qualifiedKind: String, group: String, kind: String, name: String, errors: [FieldError]) -> APIError {
        APIError(code: 422, status: errors.invalidStatus(qualifiedKind: qualifiedKind, group: group, kind: kind, name: name))
    }

    /// 403: `namespaces "default" is forbidden: <detail>`.
    public static func forbidden(_ resource: ResourceInfo, name: String, detail: String, causes: [JSONValue] = []) -> APIError {
        status(code: 403, reason: "Forbidden", message: "\(resource.qualifiedPlural) \"\(name)\" is forbidden: \(detail)",
               name: name, group: resource.group, kind: resource.plural, causes: causes)
    }

    /// 415 for a body in a format the verb does not take.
    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        status(code: 415, reason: "UnsupportedMediaType",
               message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "),
               causes: contentType.isEmpty ? [] : [["reason": "UnsupportedMediaType", "message": .string(contentType)]])
    }

    /// 413 for a body over the limit.
    public static func requestEntityTooLarge(_ message: String) -> APIError {
        status(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: \(message)")
    }

    /// 405 for a verb the resource does not serve.
    public static func methodNotAllowed(_ resource: ResourceInfo, verb: String) -> APIError {
        status(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource",
               group: resource.group, kind: resource.plural)
    }

    /// 429, e.g. an eviction a disruption budget forbids.
    public static func tooManyRequests(_ message: String, causes: [JSONValue] = []) -> APIError {
        status(code: 429, reason: "TooManyRequests", message: message, causes: causes)
    }

    /// 500: a bug or a failure the client cannot fix.
    public static func internalError(_ message: String) -> APIError {
        status(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
               causes: [["message": .string(message)]])
    }

    /// 504 when the store did not answer in time.
    public static func timeout(_ message: String) -> APIError {
        status(code: 504, reason: "Timeout", message: message)
    }
}
