import APIModel
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PKI
import X509

/// `NodeStreams` over the kubelets' streaming servers: finds the node a pod is bound to, its
/// InternalIP and `status.daemonEndpoints.kubeletEndpoint.Port`, and talks to it over TLS
/// trusting `trustRoots` and presenting the apiserver's kubelet-client certificate. Logs are
/// a streamed GET; exec, attach and port-forward are upgrades relayed byte for byte.
public struct KubeletProxy: NodeStreams {
    /// Reads a Node object by name (nil when there is none).
    public typealias NodeLookup = @Sendable (String) async throws -> JSONValue?

    let sslContext: NIOSSLContext
    let nodes: NodeLookup
    let logger: Logger
    let connectTimeout: TimeAmount

    public init(identity: CertifiedKey?, trustRoots: [Certificate], nodes: @escaping NodeLookup, logger: Logger,
                connectTimeout: TimeAmount = .seconds(10)) throws {
        let tls = try TLSConfigurations.client(trustRoots: trustRoots, identity: identity, applicationProtocols: ["http/1.1"])
        self.sslContext = try NIOSSLContext(configuration: tls)
        self.nodes = nodes
        self.logger = logger
        self.connectTimeout = connectTimeout
    }

    // MARK: logs

    public func openLog(_ request: NodeStreamRequest) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        let target = try await resolve(request)
        var query = request.query
        query["container"] = nil
        let path = "/containerLogs/\(target.pathSegments)" + Self.encodeQuery(query)
        let connection = try await KubeletHTTPClient.connect(host: target.host, port: target.port, sslContext: sslContext,
                                                             timeout: connectTimeout)
        return try await connection.get(path: path, host: "\(target.host):\(target.port)", describing: target.described)
    }

    // MARK: upgrades

    public func proxyUpgrade(_ request: NodeStreamRequest, upgrade: NodeUpgradeRequest, client: any Channel) async throws -> NodeUpgradeResult {
        let target = try await resolve(request)
        var query = request.query
        query["container"] = nil
        let endpoint: String
        switch request.subresource {
        case "exec": endpoint = "exec"
        case "attach": endpoint = "attach"
        case "portforward": endpoint = "portForward"
        default:
            throw NodeStreamError(code: 400, reason: "BadRequest", message: "\(request.subresource) cannot be upgraded")
        }
        let segments = endpoint == "portForward" ? target.podSegments : target.pathSegments
        let path = "/\(endpoint)/\(segments)" + Self.encodeQuery(query)
        var head = "\(upgrade.method) \(path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
        for (name, value) in upgrade.headers where Self.forwardedHeaders.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        return try await UpgradeRelay.run(head: head, host: target.host, port: target.port, sslContext: sslContext,
                                          timeout: connectTimeout, client: client, describing: target.described)
    }

    /// The request headers that negotiate the upgrade; credentials for the apiserver stay there.
    static let forwardedHeaders: Set<String> = [
        "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
        "sec-websocket-extensions", "x-stream-protocol-version", "user-agent", "content-length", "origin",
    ]

    // MARK: resolving the node

    struct Target {
        var host: String
        var port: Int
        var namespace: String
        var pod: String
        var container: String?
        var described: String
        var pathSegments: String { [namespace, pod, container ?? ""].map(Self.escape).joined(separator: "/") }
        var podSegments: String { [namespace, pod].map(Self.escape).joined(separator: "/") }
        static func escape(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? s }
    }

    func resolve(_ request: NodeStreamRequest) async throws -> Target {
        let namespace = request.namespace ?? ""
        let described = "pod \(namespace)/\(request.name)"
        guard let pod = request.object else {
            throw NodeStreamError(code: 404, reason: "NotFound", message: "pods \"\(request.name)\" not found")
        }
        var container: String?
        if request.subresource != "portforward" {
            container = try Self.container(of: pod, requested: request.query["container"]?.last, described: described)
        }
        guard let nodeName = pod["spec"]?["nodeName"]?.stringValue, !nodeName.isEmpty else {
            throw NodeStreamError(code: 400, reason: "BadRequest", message: "\(described) does not have a host assigned")
        }
        let node: JSONValue?
        do {
            node = try await nodes(nodeName)
        } catch {
            throw NodeStreamError(code: 503, reason: "ServiceUnavailable", message: "\(described): cannot read node \(nodeName): \(error)")
        }
        guard let node else {
            throw NodeStreamError(code: 503, reason: "ServiceUnavailable", message: "\(described) is bound to node \(nodeName), which does not exist")
        }
        let addresses = node["status"]?["addresses"]?.arrayValue ?? []
        guard let address = addresses.first(where: { $0["type"]?.stringValue == "InternalIP" })?["address"]?.stringValue, !address.isEmpty else {
            throw NodeStreamError(code: 503, reason: "ServiceUnavailable", message: "node \(nodeName) of \(described) reports no InternalIP address")
        }
        guard let port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"]?.intValue, port > 0, port < 65536 else {
            throw NodeStreamError(code: 503, reason: "ServiceUnavailable", message: "node \(nodeName) of \(described) reports no kubelet port")
        }
        return Target(host: address, port: Int(port), namespace: namespace, pod: request.name, container: container, described: described)
    }

    /// The container a request means: the named one (which must exist), else the one the
    /// `kubectl.kubernetes.io/default-container` annotation names, else the first.
    static func container(of pod: JSONValue, requested: String?, described: String) throws -> String {
        let spec = pod["spec"]
        let names = ["containers", "initContainers", "ephemeralContainers"].flatMap { key in
            (spec?[key]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
        if let requested, !requested.isEmpty {
            guard names.contains(requested) else {
                throw NodeStreamError(code: 400, reason: "BadRequest", message: "container \(requested) is not valid for \(described)")
            }
            return requested
        }
        if let annotated = pod["metadata"]?["annotations"]?["kubectl.kubernetes.io/default-container"]?.stringValue, names.contains(annotated) {
            return annotated
        }
        guard let first = (spec?["containers"]?.arrayValue ?? []).first?["name"]?.stringValue else {
            throw NodeStreamError(code: 400, reason: "BadRequest", message: "\(described) has no containers")
        }
        return first
    }

    static func encodeQuery(_ query: [String: [String]]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let pairs = query.keys.sorted().flatMap { key in
            (query[key] ?? []).map { value in
                "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
            }
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}
