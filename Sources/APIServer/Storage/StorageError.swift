import APIModel
import KVStore

/// A storage failure as the Kubernetes `Status` the apiserver answers with.
///
/// `status` is complete (kind, apiVersion, status, message, reason, details naming the
/// resource, code) so the REST layer can send it as is.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    /// Kubernetes' StatusReason: NotFound, AlreadyExists, Conflict, Expired, Gone, BadRequest,
    /// Timeout, ServiceUnavailable, InternalError, TooManyRequests, Invalid.
    public var reason: String
    public var message: String
    public var status: JSONValue

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message), "reason": .string(reason),
        ]
        if let details { status["details"] = details }
        status["code"] = .int(Int64(code))
        self.status = status
    }

    public var description: String { "\(code) \(reason): \(message)" }

    private static func details(_ resource: ResourceInfo, name: String) -> JSONValue {
        ["name": .string(name), "group": .string(resource.group), "kind": .string(resource.plural)]
    }

    /// `pods "web" not found`.
    public static func notFound(_ resource: ResourceInfo, name: String) -> StorageError {
        StorageError(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedPlural) \"\(name)\" not found",
            details: details(resource, name: name))
    }

    /// `pods "web" already exists`.
    public static func alreadyExists(_ resource: ResourceInfo, name: String) -> StorageError {
        StorageError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedPlural) \"\(name)\" already exists",
            details: details(resource, name: name))
    }

    /// `Operation cannot be fulfilled on pods "web": <detail>`.
    public static func conflict(_ resource: ResourceInfo, name: String, detail: String) -> StorageError {
        StorageError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": \(detail)",
            details: details(resource, name: name))
    }

    /// The usual stale-resourceVersion conflict.
    public static func staleResourceVersion(_ resource: ResourceInfo, name: String) -> StorageError {
        conflict(resource, name: name, detail: "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 410 Expired: the resourceVersion or continue token is older than what is kept.
    public static func expired(_ message: String) -> StorageError {
        StorageError(code: 410, reason: "Expired", message: message)
    }

    /// 410 Gone (a watch or list resourceVersion that was compacted away).
    public static func gone(_ message: String) -> StorageError {
        StorageError(code: 410, reason: "Gone", message: message)
    }

    public static func badRequest(_ message: String) -> StorageError {
        StorageError(code: 400, reason: "BadRequest", message: message)
    }

    /// 504: e.g. a resourceVersion newer than the cache reaches in time.
    public static func timeout(_ message: String, retryAfterSeconds: Int = 1) -> StorageError {
        StorageError(
            code: 504, reason: "Timeout", message: message,
            details: ["retryAfterSeconds": .int(Int64(retryAfterSeconds))])
    }

    /// 503: the store or the cache is not available (yet); safe to retry.
    public static func unavailable(_ message: String) -> StorageError {
        StorageError(code: 503, reason: "ServiceUnavailable", message: message, details: ["retryAfterSeconds": 1])
    }

    public static func `internal`(_ message: String) -> StorageError {
        StorageError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    /// A store failure as the status a client can act on: compaction → 410, unknown
    /// outcome → 504, unavailability → 503, anything else → 500.
    public static func wrapping(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        let storeError = KVStoreError.wrapping(error)
        if storeError.message.contains("compacted") {
            return .gone("The resourceVersion for the provided list is too old (\(storeError.message))")
        }
        switch storeError.httpStatus {
        case 503: return .unavailable("the store is unavailable: \(storeError.message)")
        case 504: return .timeout("the store did not answer in time: \(storeError.message)")
        default: return .internal(storeError.message)
        }
    }
}
