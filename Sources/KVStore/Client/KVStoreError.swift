/// Why a store request failed, with the gRPC code etcd would use, so the HTTP endpoint and
/// etcd clients classify it the same way.
public struct KVStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalidArgument(_ message: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.invalidArgument, message: message)
    }

    /// The revision asked for was compacted away (etcd's exact wording, clients match it).
    public static func compacted(revision: Int64, compactRevision: Int64) -> KVStoreError {
        KVStoreError(
            code: GatewayErrorCode.outOfRange,
            message: "etcdserver: mvcc: required revision has been compacted (asked \(revision), compacted at \(compactRevision))")
    }

    public static func futureRevision(_ revision: Int64, current: Int64) -> KVStoreError {
        KVStoreError(
            code: GatewayErrorCode.outOfRange,
            message: "etcdserver: mvcc: required revision is a future revision (asked \(revision), current \(current))")
    }

    /// Retryable: the proposal was not (and will never be) committed.
    public static func noLeader(_ detail: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.unavailable, message: "etcdserver: no leader: \(detail) (safe to retry)")
    }

    /// NOT safe to blindly retry: the write may or may not have been applied.
    public static func timeout(_ detail: String) -> KVStoreError {
        KVStoreError(
            code: GatewayErrorCode.deadlineExceeded,
            message: "etcdserver: request timed out, unknown outcome: \(detail)")
    }

    /// The write was handed to Raft but this member cannot tell whether it was applied
    /// (it stopped, or the outcome did not arrive in time). Not safe to blindly retry.
    public static func unknownOutcome(_ detail: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.deadlineExceeded, message: "etcdserver: unknown outcome: \(detail)")
    }

    /// Retryable: nothing was proposed.
    public static func stopped(_ detail: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.unavailable, message: "etcdserver: server stopped: \(detail)")
    }

    public static func notFound(_ message: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.notFound, message: message)
    }

    public static func failedPrecondition(_ message: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.failedPrecondition, message: message)
    }

    public static func `internal`(_ message: String) -> KVStoreError {
        KVStoreError(code: GatewayErrorCode.internal, message: message)
    }

    /// Any error as a store error; unknown ones become internal errors.
    public static func wrapping(_ error: any Error) -> KVStoreError {
        if let error = error as? KVStoreError { return error }
        if case GatewayClientError.server(_, let body) = error {
            return KVStoreError(code: body.code ?? GatewayErrorCode.internal, message: body.description)
        }
        return .internal("\(error)")
    }

    /// The status grpc-gateway answers for this code.
    public var httpStatus: Int {
        switch code {
        case GatewayErrorCode.invalidArgument, GatewayErrorCode.outOfRange, GatewayErrorCode.failedPrecondition: return 400
        case GatewayErrorCode.notFound: return 404
        case GatewayErrorCode.deadlineExceeded: return 504
        case GatewayErrorCode.unimplemented: return 501
        case GatewayErrorCode.unavailable: return 503
        default: return 500
        }
    }
}
