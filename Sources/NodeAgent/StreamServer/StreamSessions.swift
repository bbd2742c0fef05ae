import ContainerRuntime
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// What an upgraded connection will run, decided (pod resolved, protocol negotiated) before the
/// 101 goes out, so that a missing pod or an unsupported protocol is an ordinary HTTP error.
enum PreparedUpgrade: Sendable {
    case exec(StreamTarget, ExecProcess.Options)
    case attach(StreamTarget, ExecProcess.Options)
    case portForward(pod: String, networkNamespace: String?)
}

/// The state one connection carries from its upgrade attempt to the handlers after it.
final class StreamConnection: Sendable {
    let prepared = Mutex<PreparedUpgrade?>(nil)
    /// Why the upgrade was refused; the HTTP handler answers with it.
    let refusal = Mutex<StreamRequestError?>(nil)
    /// The negotiated channel protocol (`v5.channel.k8s.io`, `v4.channel.k8s.io`, …).
    let channelProtocol = Mutex<String>("")
}

/// Builds each connection's pipeline and decides upgrades.
struct StreamSessions: Sendable {
    let backend: any PodStreamBackend
    let logger: Logger

    static let webSocketChannelProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]
    static let webSocketPortForwardProtocol = "SPDY/3.1+portforward.k8s.io"
    static let spdyChannelProtocols = ["v4.channel.k8s.io"]
    static let spdyPortForwardProtocol = "portforward.k8s.io"

    func configureHTTP(_ channel: any Channel) throws {
        let connection = StreamConnection()
        let sessions = self
        let webSocket = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20, automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                promise.completeWithTask {
                    do {
                        let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }
                            .map { $0.trimmingCharacters(in: .whitespaces) }
                        let (prepared, chosen) = try await sessions.prepare(uri: head.uri, offered: offered, webSocket: true)
                        connection.prepared.withLock { $0 = prepared }
                        connection.channelProtocol.withLock { $0 = chosen }
                        return HTTPHeaders([("Sec-WebSocket-Protocol", chosen)])
                    } catch {
                        connection.refusal.withLock { $0 = StreamRequestError(error) }
                        return nil
                    }
                }
                return promise.futureResult
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    guard let prepared = connection.prepared.withLock({ $0.take() }) else { throw StreamRequestError.internalError("no upgrade prepared") }
                    try channel.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                                                    maxAccumulatedFrameSize: 16 << 20))
                    try sessions.installWebSocketSession(prepared, protocol: connection.channelProtocol.withLock { $0 }, on: channel)
                }
            })
        let spdy = SPDYServerUpgrader(sessions: self, connection: connection)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [webSocket, spdy], completionHandler: { context in
                // The plain-HTTP handler leaves before the upgraded protocol's handlers arrive.
                if let handler = try? context.pipeline.syncOperations.handler(type: StreamHTTPHandler.self) {
                    context.pipeline.syncOperations.removeHandler(handler, promise: nil)
                }
            }),
            withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(StreamHTTPHandler(sessions: self, connection: connection))
    }

    /// Resolves the pod and container, and picks the protocol from those the client offers.
    func prepare(uri: String, offered: [String], webSocket: Bool) async throws -> (PreparedUpgrade, String) {
        let request = try StreamRequest(uri: uri)
        let prepared: PreparedUpgrade
        let supported: [String]
        switch request {
        case .logs:
            throw StreamRequestError.badRequest("container logs are not an upgrade")
        case .exec(let namespace, let pod, let container, let options):
            let target = try await backend.resolve(namespace: namespace, pod: pod, container: container, previous: false)
            prepared = .exec(target, options)
            supported = webSocket ? Self.webSocketChannelProtocols : Self.spdyChannelProtocols
        case .attach(let namespace, let pod, let container, let options):
            let target = try await backend.resolve(namespace: namespace, pod: pod, container: container, previous: false)
            prepared = .attach(target, options)
            supported = webSocket ? Self.webSocketChannelProtocols : Self.spdyChannelProtocols
        case .portForward(let namespace, let pod):
            let networkNamespace = try await backend.networkNamespace(namespace: namespace, pod: pod)
            prepared = .portForward(pod: "\(namespace)/\(pod)", networkNamespace: networkNamespace)
            supported = webSocket ? [Self.webSocketPortForwardProtocol] : [Self.spdyPortForwardProtocol]
        }
        guard let chosen = supported.first(where: { offered.contains($0) }) else {
            throw StreamRequestError.badRequest(
                "none of the offered stream protocols \(offered) is supported; this server speaks \(supported.joined(separator: ", "))")
        }
        return (prepared, chosen)
    }

    func installWebSocketSession(_ prepared: PreparedUpgrade, protocol chosen: String, on channel: any Channel) throws {
        switch prepared {
        case .exec, .attach:
            let handler = RemoteCommandWebSocketHandler(version: chosen.hasPrefix("v5") ? 5 : 4) { output in
                self.startRemoteCommand(prepared, output: output)
            }
            try channel.pipeline.syncOperations.addHandler(handler)
        case .portForward(let pod, let networkNamespace):
            try channel.pipeline.syncOperations.addHandler(WebSocketByteTunnelHandler())
            try installPortForward(pod: pod, networkNamespace: networkNamespace, on: channel)
        }
    }

    func installSPDYSession(_ prepared: PreparedUpgrade, on channel: any Channel) throws {
        switch prepared {
        case .exec(_, let options), .attach(_, let options):
            let application = RemoteCommandSPDYSession(options: options, logger: logger) { output in
                self.startRemoteCommand(prepared, output: output)
            }
            try channel.pipeline.syncOperations.addHandler(try SPDYSessionHandler(application: application, logger: logger))
        case .portForward(let pod, let networkNamespace):
            try installPortForward(pod: pod, networkNamespace: networkNamespace, on: channel)
        }
    }

    private func installPortForward(pod: String, networkNamespace: String?, on channel: any Channel) throws {
        let application = PortForwardSession(pod: pod, networkNamespace: networkNamespace, logger: logger)
        try channel.pipeline.syncOperations.addHandler(try SPDYSessionHandler(application: application, logger: logger))
    }

    /// Starts the process (exec) or the output follower (attach) behind a connection.
    func startRemoteCommand(_ prepared: PreparedUpgrade, output: any RemoteCommandOutput) -> any RemoteCommandInput {
        switch prepared {
        case .exec(let target, let options):
            let process = ExecProcess(runtime: backend.runtime, containerID: target.runtimeID, options: options, output: output, logger: logger)
            process.start()
            return process
        case .attach(let target, let options):
            let session = AttachSession(runtime: backend.runtime, target: target, options: options, output: output, logger: logger)
            session.start()
            return session
        case .portForward:
            preconditionFailure("port-forward is not a remote command")
        }
    }
}

extension Optional {
    /// The value, leaving nil behind.
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
