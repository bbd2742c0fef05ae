import APIModel
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import KVStore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import X509

/// The Kubernetes API server: Hummingbird over TLS (HTTP/2 and HTTP/1.1 by ALPN) or plain
/// HTTP, in front of the REST handlers and the watch cache over the replicated store.
///
/// `run()` starts the watch cache, waits until it is primed, creates the default namespaces,
/// then serves until cancelled or gracefully shut down (it is a ServiceLifecycle `Service`).
public final class APIServer: Service, Sendable {
    public let configuration: APIServerConfiguration
    let store: any KeyValueStore
    let nodeStreams: (any NodeStreams)?
    let logger: Logger
    /// The watch cache and object access over the store (run by `run()`).
    let storage: ObjectStorage
    let rest: RESTHandler
    private let boundPort = PortPromise()

    public init(configuration: APIServerConfiguration, store: any KeyValueStore,
                nodeStreams: (any NodeStreams)? = nil, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        let storage = ObjectStorage(store: store, logger: logger)
        self.storage = storage
        self.rest = RESTHandler(storage: storage, logger: logger)
        self.nodeStreams = nodeStreams ?? Self.kubeletProxy(configuration: configuration, storage: storage, logger: logger)
    }

    /// The proxy to the kubelets when the configuration has a kubelet client identity. A
    /// configuration the proxy cannot use (an unreadable key) is logged and leaves streams at 503.
    private static func kubeletProxy(configuration: APIServerConfiguration, storage: ObjectStorage, logger: Logger) -> (any NodeStreams)? {
        guard configuration.kubeletClientIdentity != nil || !configuration.kubeletTrustRoots.isEmpty else { return nil }
        guard let nodes = ResourceRegistry.resource(group: "", version: "v1", plural: "nodes") else { return nil }
        do {
            return try KubeletProxy(identity: configuration.kubeletClientIdentity, trustRoots: configuration.kubeletTrustRoots,
                                    nodes: { name in
                                        do {
                                            return try await storage.get(nodes, namespace: nil, name: name).object
                                        } catch let error as APIError where error.code == 404 {
                                            return nil
                                        }
                                    }, logger: logger)
        } catch {
            logger.error("the kubelet client configuration is unusable; pod logs, exec and port-forward stay unavailable",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The port the server listens on, once bound (useful with port 0). Throws if `run()` failed
    /// before binding or ended.
    public func listeningPort() async throws -> Int {
        try await boundPort.value()
    }

    public func run() async throws {
        do {
            try await serve()
            boundPort.fail(APIServerError.stopped)
        } catch {
            boundPort.fail(error)
            throw error
        }
    }

    /// The watch cache runs beside the HTTP server; the server starts listening only once the
    /// cache is primed and the default namespaces exist, and whichever of the two ends first
    /// (cancellation, graceful shutdown, a failed store watch) ends the other.
    private func serve() async throws {
        let storage = self.storage, rest = self.rest
        let responder = APIResponder(
            configuration: configuration,
            authenticator: RequestAuthenticator(configuration: configuration),
            discovery: DiscoveryEndpoints(serverAddress: advertisedAddress),
            resources: ResourceEndpoint(configuration: configuration, rest: rest, storage: storage, nodeStreams: nodeStreams,
                                        logger: logger),
            healthChecks: [HealthCheck(name: "ping") { nil }, .store(store)],
            readyChecks: [],
            logger: logger
        )
        let application = Application(
            responder: responder,
            server: try serverBuilder(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { [boundPort] channel in
                boundPort.fulfil(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storage.run() }
            group.addTask {
                try await storage.waitUntilReady()
                try await rest.bootstrap()
                try await application.run()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// What legacy `/api` discovery advertises: the configured address, else host:port.
    private var advertisedAddress: String {
        configuration.serverAddress ?? "\(configuration.host):\(configuration.port)"
    }

    /// TLS with ALPN (`h2`, `http/1.1`) when configured, otherwise HTTP/1.1 in the clear.
    private func serverBuilder() throws -> HTTPServerBuilder {
        guard var tls = configuration.tls else { return .http1() }
        if !configuration.clientCA.isEmpty {
            tls.trustRoots = .certificates(try configuration.clientCA.map {
                try NIOSSLCertificate(bytes: $0.serializeAsPEM().derBytes, format: .der)
            })
            if tls.certificateVerification == .none { tls.certificateVerification = .optionalVerification }
        }
        return try .http2Upgrade(tlsConfiguration: tls)
    }
}

public enum APIServerError: Error, Sendable, CustomStringConvertible {
    case stopped

    public var description: String {
        switch self {
        case .stopped: "the apiserver is not running"
        }
    }
}
