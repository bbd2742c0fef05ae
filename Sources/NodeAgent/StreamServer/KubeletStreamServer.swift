import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PKI

/// The kubelet's streaming server: the HTTPS API the apiserver proxies `pods/log`, `pods/exec`,
/// `pods/attach` and `pods/portforward` to (`/containerLogs/…`, `/exec/…`, `/attach/…`,
/// `/portForward/…`). TLS with the node's serving identity; only clients presenting a
/// certificate from `clientCAs` (the apiserver) get in. HTTP/1.1, with upgrades to WebSocket
/// (exec/attach channels, SPDY tunnelled for port-forward) and to SPDY/3.1.
public final class KubeletStreamServer: Sendable {
    let configuration: KubeletConfiguration
    let backend: any PodStreamBackend
    let logger: Logger
    private let boundPort = StreamServerPort()

    public init(configuration: KubeletConfiguration, backend: any PodStreamBackend, logger: Logger) {
        self.configuration = configuration
        self.backend = backend
        self.logger = logger
    }

    /// The port it listens on once bound (useful with port 0).
    public func listeningPort() async throws -> Int {
        try await boundPort.value()
    }

    /// Serves until cancelled.
    public func run() async throws {
        do {
            try await serve()
        } catch {
            boundPort.fail(error)
            throw error
        }
        boundPort.fail(CancellationError())
    }

    private func serve() async throws {
        guard let identity = configuration.servingIdentity else {
            throw StreamServerError.noServingIdentity
        }
        guard !configuration.clientCAs.isEmpty else { throw StreamServerError.noClientCAs }
        // Writes to a pipe whose reader is gone (an exec's stdin after it exited) must fail, not kill.
        signal(SIGPIPE, SIG_IGN)
        let tls = try TLSConfigurations.server(identity: identity, trustRoots: configuration.clientCAs,
                                               clientCertificates: .required, applicationProtocols: ["http/1.1"])
        let sslContext = try NIOSSLContext(configuration: tls)
        let sessions = StreamSessions(backend: backend, logger: logger)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    try sessions.configureHTTP(channel)
                }
            }
        let server = try await bootstrap.bind(host: configuration.streamingAddress, port: configuration.streamingPort).get()
        boundPort.fulfil(server.localAddress?.port ?? configuration.streamingPort)
        logger.info("streaming server listening", metadata: ["address": "\(configuration.streamingAddress):\(server.localAddress?.port ?? 0)"])
        await withTaskCancellationHandler {
            try? await server.closeFuture.get()
        } onCancel: {
            server.close(promise: nil)
        }
    }
}

public enum StreamServerError: Error, CustomStringConvertible {
    case noServingIdentity
    case noClientCAs

    public var description: String {
        switch self {
        case .noServingIdentity: "the streaming server needs a serving certificate (KubeletConfiguration.servingIdentity)"
        case .noClientCAs: "the streaming server needs the CAs of its clients (KubeletConfiguration.clientCAs)"
        }
    }
}
