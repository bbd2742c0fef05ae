import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import PKI

/// HTTPS to the apiserver as the admin user (client certificate from `<data>/pki`), the way
/// kubectl authenticates. Two clients: one that may use HTTP/2 for the verbs (what client-go
/// does) and one HTTP/1.1 pool for long-lived watches, one connection each.
final class BenchClient: Sendable {
    let server: String
    let http: HTTPClient
    let streams: HTTPClient

    init(server: String, dataDirectory: String, connections: Int) throws {
        let directory = PKIDirectory(dataDirectory: dataDirectory)
        guard let ca = try directory.load(ClusterPKI.caName), let admin = try directory.load(ClusterPKI.adminName) else {
            throw BenchError("no CA or admin certificate under \(directory.path)")
        }
        let tls = try TLSConfigurations.client(trustRoots: [ca.certificate], identity: admin)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var streaming = HTTPClient.Configuration(tlsConfiguration: tls)
        streaming.httpVersion = .http1Only
        streaming.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        streaming.timeout = .init(connect: .seconds(10))
        streams = HTTPClient(eventLoopGroupProvider: .singleton, configuration: streaming)
        self.server = server
    }

    func shutdown() async throws {
        try await http.shutdown()
        try await streams.shutdown()
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var ok: Bool { (200..<300).contains(status) }
    }

    /// The HTTP methods the bench uses (NIOHTTP1's type is not a dependency of this target).
    enum Method: Sendable { case GET, POST, PUT, PATCH }

    func send(_ method: Method, _ path: String, body: String? = nil,
              contentType: String = "application/json") async throws -> Reply {
        var request = HTTPClientRequest(url: server + path)
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .PUT: request.method = .PUT
        case .PATCH: request.method = .PATCH
        }
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "skiff-apiserver-bench")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    /// Creates the namespace unless it exists.
    func ensureNamespace(_ name: String) async throws {
        let reply = try await send(.POST, "/api/v1/namespaces",
                                   body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#)
        guard reply.ok || reply.status == 409 else {
            throw BenchError("creating namespace \(name): HTTP \(reply.status) \(reply.body.prefix(300))")
        }
    }

    static func configMap(_ name: String, namespace: String, resourceVersion: String? = nil, payload: String) -> String {
        let version = resourceVersion.map { #","resourceVersion":"\#($0)""# } ?? ""
        return #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"\#(namespace)"\#(version)},"data":{"payload":"\#(payload)"}}"#
    }

    /// `metadata.resourceVersion` of a returned object, without decoding all of it.
    static func resourceVersion(in body: String) -> String? {
        guard let range = body.range(of: #""resourceVersion":""#) else { return nil }
        let rest = body[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
