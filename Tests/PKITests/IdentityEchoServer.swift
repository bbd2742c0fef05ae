import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import PKI

/// A real HTTPS server on 127.0.0.1 that answers every request with the identity
/// `CertificateIdentity` extracted from the client certificate: "user=<cn> groups=<o,...>" or
/// "anonymous". It is what the apiserver's authenticator will do, minus the API.
final class IdentityEchoServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(configuration: TLSConfiguration) async throws {
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let operations = channel.pipeline.syncOperations
                        try operations.addHandler(NIOSSLServerHandler(context: context))
                        try operations.configureHTTPServerPipeline()
                        try operations.addHandler(IdentityEchoHandler())
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class IdentityEchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body: String
        do {
            let tls = try context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            if let user = try CertificateIdentity.user(fromPeer: tls.peerCertificate) {
                body = "user=\(user.name) groups=\(user.groups.joined(separator: ","))"
            } else {
                body = "anonymous"
            }
        } catch {
            body = "error: \(error)"
        }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        head.headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in boundContext.value.close(promise: nil) }
    }
}

/// The client side: a NIOSSL connection that sends one HTTP/1.1 request and collects the raw
/// response, plus the ALPN protocol the handshake settled on.
struct TLSResponse: Sendable {
    var negotiatedProtocol: String?
    var raw: String
    var body: String { raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
}

func requestOverTLS(port: Int, configuration: TLSConfiguration, serverHostname: String) async throws -> TLSResponse {
    let context = try NIOSSLContext(configuration: configuration)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let promise = group.next().makePromise(of: TLSResponse.self)
    do {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    // SNI cannot carry an IP address; NIOSSL then checks the IP SANs against the peer address.
                    let sniName = ServingNames.isIPAddress(serverHostname) ? nil : serverHostname
                    try operations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sniName))
                    try operations.addHandler(ResponseCollector(promise: promise, host: serverHostname))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        _ = channel
    } catch {
        promise.fail(error)
    }
    let result: Result<TLSResponse, any Error>
    do {
        result = .success(try await promise.futureResult.get())
    } catch {
        result = .failure(error)
    }
    try? await group.shutdownGracefully()
    return try result.get()
}

private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let promise: EventLoopPromise<TLSResponse>
    let host: String
    var response = TLSResponse(negotiatedProtocol: nil, raw: "")
    var completed = false

    init(promise: EventLoopPromise<TLSResponse>, host: String) {
        self.promise = promise
        self.host = host
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent {
            response.negotiatedProtocol = negotiated
            let request = "GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        response.raw += buffer.readString(length: buffer.readableBytes) ?? ""
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !completed else { return }
        completed = true
        if response.raw.isEmpty {
            promise.fail(ChannelError.eof)
        } else {
            promise.succeed(response)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !completed {
            completed = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}

/// Runs `body` against a fresh server and always shuts the server down, even when `body` throws.
func withIdentityEchoServer<T>(
    _ configuration: TLSConfiguration, _ body: (IdentityEchoServer) async throws -> T
) async throws -> T {
    let server = try await IdentityEchoServer(configuration: configuration)
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}
