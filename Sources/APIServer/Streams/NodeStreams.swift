import APIModel
import PKI

/// The seam to the node agent for the streaming pod subresources (`log`, `exec`, `attach`,
/// `portforward`) and `nodes/proxy`. The apiserver resolves the URL, authenticates and
/// authorizes, then hands the request here; the node agent (a later issue) implements it.
/// Without an implementation the apiserver answers 503 with a Status naming the pod.
public protocol NodeStreams: Sendable {
    /// `GET …/pods/<name>/log`: the container's log as raw byte chunks, ending with the log (or,
    /// with `follow=true`, running until the client leaves and the consumer stops iterating).
    /// Throws a `NodeStreamError` before any byte for a pod or container that cannot be
    /// served; that becomes the response's Status.
    func openLog(_ request: NodeStreamRequest) async throws -> AsyncThrowingStream<[UInt8], any Error>
}

/// One streaming request: which pod (or node), which subresource, the raw query, and who asks.
public struct NodeStreamRequest: Sendable {
    /// `log`, `exec`, `attach`, `portforward` or `proxy`.
    public var subresource: String
    public var namespace: String?
    /// The pod (or, for `proxy`, the node) name.
    public var name: String
    /// The pod or node object as stored, so the agent need not read it again.
    public var object: JSONValue?
    /// Decoded query (`container`, `follow`, `tailLines`, `command`, …).
    public var query: [String: [String]]
    public var user: AuthenticatedUser

    public init(subresource: String, namespace: String?, name: String, object: JSONValue? = nil,
                query: [String: [String]], user: AuthenticatedUser) {
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.object = object
        self.query = query
        self.user = user
    }
}

/// A failure the node agent reports before any byte is streamed; rendered as a Status.
public struct NodeStreamError: Error, Sendable {
    public var code: Int
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }
}
