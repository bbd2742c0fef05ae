import APIModel

/// Why a request failed: the apiserver's `Status` (code, reason, message, the whole document)
/// or a transport failure before any answer.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The apiserver answered with a non-2xx status; `reason` is the Status reason
    /// (`NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Invalid`, …).
    case status(code: Int, reason: String, message: String, body: JSONValue?)
    /// No usable answer: connection refused, TLS failure, timeout, a body that is not JSON.
    case transport(String)
    /// A kubeconfig or connection setting that cannot be used.
    case configuration(String)
    /// A stub not yet written (only while the module is being built).
    case unimplemented(String)

    public var code: Int? { if case .status(let code, _, _, _) = self { return code } else { return nil } }
    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    /// 410: the resourceVersion a list or watch started from was compacted away.
    public var isGone: Bool { code == 410 }
    public var isInvalid: Bool { code == 422 }
    public var isTooManyRequests: Bool { code == 429 }

    public var reason: String? { if case .status(_, let reason, _, _) = self { return reason } else { return nil } }

    public var description: String {
        switch self {
        case .status(let code, let reason, let message, _): return "\(code) \(reason): \(message)"
        case .transport(let message): return "transport: \(message)"
        case .configuration(let message): return "configuration: \(message)"
        case .unimplemented(let what): return "not implemented: \(what)"
        }
    }
}
