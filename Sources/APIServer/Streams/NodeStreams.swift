import APIModel
import NIOCore
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

    /// `exec`, `attach`, `portforward` with `Connection: Upgrade`: sends the same upgrade to the
    /// node and, when it answers 101, relays that answer to `client` (the HTTP/1.1 connection
    /// the request came on) and then bytes both ways until either side closes. Any other answer
    /// is returned for the apiserver to send as an ordinary response. Throws a `NodeStreamError`
    /// when the node cannot be reached.
    func proxyUpgrade(_ request: NodeStreamRequest, upgrade: NodeUpgradeRequest, client: any Channel) async throws -> NodeUpgradeResult
}

extension NodeStreams {
    public func proxyUpgrade(_ request: NodeStreamRequest, upgrade: NodeUpgradeRequest, client: any Channel) async throws -> NodeUpgradeResult {
        throw NodeStreamError(code: 503, reason: "ServiceUnavailable",
                              message: "\(request.subresource) is not supported for pod \(request.namespace ?? "")/\(request.name)")
    }
}

/// The parts of the client's upgrade request that go to the node: the method (kubectl uses GET
/// for WebSocket and POST for SPDY) and the headers that negotiate the protocol.
public struct NodeUpgradeRequest: Sendable {
    public var method: String
    public var headers: [(name: String, value: String)]

    public init(method: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.headers = headers
    }
}

/// How an upgrade ended: proxied (the connection is now closed), or refused by the node with
/// an ordinary response.
public enum NodeUpgradeResult: Sendable {
    case upgraded
    case refused(status: Int, contentType: String?, body: [UInt8])
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
