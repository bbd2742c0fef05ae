import ContainerRuntime
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Plain HTTP on the streaming server: container logs, and the answer to any request that did
/// not upgrade (a refused upgrade gets the reason it was refused as a Status). One request per
/// connection; the connection closes after the response.
final class StreamHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let sessions: StreamSessions
    private let connection: StreamConnection
    private var responding = false

    init(sessions: StreamSessions, connection: StreamConnection) {
        self.sessions = sessions
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !responding else { return }
        responding = true
        if let refusal = connection.refusal.withLock({ $0.take() }) {
            Self.respond(error: refusal, on: context.channel)
            return
        }
        let request: StreamRequest
        do {
            request = try StreamRequest(uri: head.uri)
        } catch {
            Self.respond(error: error, on: context.channel)
            return
        }
        guard head.method == .GET || !request.isUpgrade else {
            Self.respond(error: StreamRequestError.badRequest("this endpoint needs an upgrade to WebSocket or SPDY/3.1"), on: context.channel)
            return
        }
        guard case .logs = request else {
            Self.respond(error: StreamRequestError.badRequest("this endpoint needs an upgrade to WebSocket or SPDY/3.1"), on: context.channel)
            return
        }
        Self.startLogs(channel: context.channel, backend: sessions.backend, request: request)
    }

    private static func startLogs(channel: any Channel, backend: any PodStreamBackend, request: StreamRequest) {
        let task = Task { await streamLogs(channel: channel, backend: backend, request: request) }
        channel.closeFuture.whenComplete { _ in task.cancel() }
    }

    private static func streamLogs(channel: any Channel, backend: any PodStreamBackend, request: StreamRequest) async {
        guard case .logs(let namespace, let pod, let container, let options) = request else { return }
        do {
            let target = try await backend.resolve(namespace: namespace, pod: pod, container: container, previous: options.previous)
            let runtime = backend.runtime, id = target.runtimeID
            let follower = ContainerLogFollower(path: target.logPath) { (try? runtime.inspect(id: id))?.status == .running }
            let fd = try follower.open()
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "Content-Type", value: "text/plain")
            head.headers.add(name: "Connection", value: "close")
            try await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
            var formatter = ContainerLogFormatter(options: options)
            for await batch in follower.lines(fd: fd, follow: options.follow && !options.previous, fromEnd: false) {
                let bytes = formatter.format(batch)
                if !bytes.isEmpty {
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes)))).get()
                }
                if formatter.exhausted { break }
            }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            try? await channel.close()
        } catch {
            Self.respond(error: error, on: channel)
        }
    }

    static func respond(error: any Error, on channel: any Channel) {
        let failure = StreamRequestError(error)
        let body = failure.statusJSON
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: failure.code))
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
    }
}
