import APIModel

/// Kubernetes `Status` objects for failures the front door itself produces (authentication,
/// routing, body limits, unsupported verbs). Everything deeper arrives as an `APIError`.
enum StatusDocument {
    static func failure(code: Int, reason: String, message: String, details: JSONValue? = nil) -> JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { status["details"] = details }
        return status
    }

    static func success(message: String? = nil) -> JSONValue {
        var status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success"]
        if let message { status["message"] = .string(message) }
        return status
    }

    static func unauthorized(_ message: String = "Unauthorized") -> (Int, JSONValue) {
        (401, failure(code: 401, reason: "Unauthorized", message: message))
    }

    static func forbidden(_ message: String) -> (Int, JSONValue) {
        (403, failure(code: 403, reason: "Forbidden", message: message))
    }

    static func notFound(_ message: String = "the server could not find the requested resource") -> (Int, JSONValue) {
        (404, failure(code: 404, reason: "NotFound", message: message, details: .emptyObject))
    }

    static func methodNotAllowed(_ message: String) -> (Int, JSONValue) {
        (405, failure(code: 405, reason: "MethodNotAllowed", message: message, details: .emptyObject))
    }

    static func badRequest(_ message: String) -> (Int, JSONValue) {
        (400, failure(code: 400, reason: "BadRequest", message: message))
    }

    static func tooLarge(limit: Int) -> (Int, JSONValue) {
        (413, failure(code: 413, reason: "RequestEntityTooLarge",
                      message: "the request body is larger than the server's limit of \(limit) bytes"))
    }

    static func serviceUnavailable(_ message: String) -> (Int, JSONValue) {
        (503, failure(code: 503, reason: "ServiceUnavailable", message: message))
    }

    static func internalError(_ message: String) -> (Int, JSONValue) {
        (500, failure(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)"))
    }
}
