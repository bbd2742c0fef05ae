import APIModel
import AsyncHTTPClient
import Foundation
import KVStore
import Logging
import NIOCore
import NIOSSL
import PKI
import ServiceLifecycle

@testable import APIServer

/// A real apiserver on an ephemeral loopback port over a real single-member store, with a
/// fresh cluster PKI in a temporary directory; everything is removed when the body returns.
struct LiveServer: Sendable {
    let port: Int
    let tls: Bool
    let pki: ClusterPKI
    /// A bearer token the server knows (user `token-user`, group `testers`).
    let token: String
    let directory: URL
    /// The store under the server, for tests that act on it directly (compaction).
    let store: any KeyValueStore

    var baseURL: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }

    static let token = "0123456789abcdef0123456789abcdef"

    /// The server itself, for tests that look inside (its storage).
    let server: APIServer
    /// Presents the admin client certificate (over TLS).
    let admin: HTTPClient
    /// Presents no certificate.
    let anonymous: HTTPClient

    /// Runs `body` with a client presenting `identity`, shut down afterwards.
    /// A refused handshake surfaces only when the connect timeout passes, hence a short default.
    func withClient<T: Sendable>(identity: CertifiedKey?, connectTimeout: TimeAmount = .seconds(2),
                                 _ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = try Self.makeClient(tls: tls, pki: pki, identity: identity, connectTimeout: connectTimeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A client trusting the cluster CA and presenting `identity` (e.g. `pki.admin`) if given.
    static func makeClient(tls: Bool, pki: ClusterPKI, identity: CertifiedKey?,
                           connectTimeout: TimeAmount = .seconds(10)) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: .seconds(60))
        if tls {
            var tlsConfiguration = try TLSConfigurations.client(trustRoots: [pki.ca.certificate], identity: identity)
            tlsConfiguration.certificateVerification = .noHostnameVerification
            configuration.tlsConfiguration = tlsConfiguration
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// `prepare` runs against the bare store before the server (and its watch cache) starts.
func withLiveServer(tls: Bool = true, maxRequestBodyBytes: Int = 3 * 1024 * 1024,
                    prepare: @Sendable (any KeyValueStore) async throws -> Void = { _ in },
                    _ body: @Sendable (LiveServer) async throws -> Void) async throws {
    try await withTestStore { store in
        try await prepare(store)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-apiserver-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "skiff.apiserver.test")
        logger.logLevel = .warning
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: directory.path, options: PKIOptions(nodeName: "test-node"),
                                              logger: logger)
        var configuration = APIServerConfiguration(host: "127.0.0.1", port: 0, maxRequestBodyBytes: maxRequestBodyBytes)
        if tls {
            configuration.tls = try TLSConfigurations.server(identity: pki.apiServer, trustRoots: [pki.ca.certificate],
                                                             clientCertificates: .optional)
            configuration.clientCA = [pki.ca.certificate]
        }
        configuration.tokenAuthenticator = StaticTokenAuthenticator(
            users: [LiveServer.token: AuthenticatedUser(name: "token-user", groups: ["testers"])])
        let server = APIServer(configuration: configuration, store: store, logger: logger)
        let admin = try LiveServer.makeClient(tls: tls, pki: pki, identity: pki.admin)
        let anonymous = try LiveServer.makeClient(tls: tls, pki: pki, identity: nil)
        // A service group, as `skiff server` runs it: the test ends it with a graceful shutdown.
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        do {
            let port = try await server.listeningPort()
            try await body(LiveServer(port: port, tls: tls, pki: pki, token: LiveServer.token, directory: directory,
                                      store: store, server: server, admin: admin, anonymous: anonymous))
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            try? await admin.shutdown()
            try? await anonymous.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
        try await admin.shutdown()
        try await anonymous.shutdown()
    }
}
