import APIModel
import AsyncHTTPClient
import Foundation
import PKI
import Testing

@testable import APIServer

/// Who gets in: client certificates verified against the cluster CA, bearer tokens, and 401
/// for nobody; plain HTTP lets anonymous requests through (tests and loopback only).
@Suite("APIServer transport and authentication", .serialized)
struct APIServerTransportTests {
    @Test("an admin client certificate authenticates over HTTP/2, a token over TLS too")
    func certificateAndToken() async throws {
        try await withLiveServer { server in
            let admin = server.admin
            let withCert = try await admin.send(.GET, server.baseURL + "/api/v1/namespaces/default")
            #expect(withCert.status == 200)
            #expect(withCert.json?["metadata"]?["name"] == "default")
            #expect(withCert.version == .http2)

            let anonymous = server.anonymous
            let withToken = try await anonymous.send(.GET, server.baseURL + "/api/v1/namespaces",
                                                     headers: [("Authorization", "Bearer \(server.token)")])
            #expect(withToken.status == 200)
            #expect(withToken.json?["kind"] == "NamespaceList")
        }
    }

    @Test("no credentials, or a wrong token, get a 401 Status; public paths stay readable")
    func unauthenticated() async throws {
        try await withLiveServer { server in
            let client = server.anonymous
            let none = try await client.send(.GET, server.baseURL + "/api/v1/namespaces")
            #expect(none.status == 401)
            #expect(none.json?["kind"] == "Status")
            #expect(none.json?["reason"] == "Unauthorized")
            let wrong = try await client.send(.GET, server.baseURL + "/api/v1/namespaces",
                                              headers: [("Authorization", "Bearer not-a-token")])
            #expect(wrong.status == 401)
            let version = try await client.send(.GET, server.baseURL + "/version")
            #expect(version.status == 200)
        }
    }

    @Test("a client certificate from another CA is refused at the handshake")
    func foreignCertificate() async throws {
        try await withLiveServer { server in
            let foreignDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-foreign-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: foreignDirectory) }
            let foreign = try ClusterPKI.loadOrCreate(dataDirectory: foreignDirectory.path, options: PKIOptions(nodeName: "other"))
            try await server.withClient(identity: foreign.admin) { client in
                await #expect(throws: (any Error).self) {
                    _ = try await client.send(.GET, server.baseURL + "/api/v1/namespaces")
                }
            }
        }
    }

    @Test("plain HTTP serves anonymous requests")
    func plainHTTP() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let namespaces = try await client.send(.GET, server.baseURL + "/api/v1/namespaces")
            #expect(namespaces.status == 200)
            let names = namespaces.json?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            #expect(Set(names).isSuperset(of: ["default", "kube-system", "kube-public", "kube-node-lease"]))
        }
    }
}
