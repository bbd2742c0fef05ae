import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// TLS connections to a kubelet's streaming server.
enum KubeletConnection {
    static func connect(host: String, port: Int, sslContext: NIOSSLContext, timeout: TimeAmount,
                        on eventLoop: (any EventLoop)? = nil,
                        handler: @escaping @Sendable () -> any ChannelHandler) async throws -> any Channel {
        let group: any EventLoopGroup = eventLoop ?? MultiThreadedEventLoopGroup.singleton
        // An IP address is verified against the certificate's IP names; a name is sent as SNI.
        let serverHostname = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHandler(handler())
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw NodeStreamError(code: 502, reason: "BadGateway", message: "cannot reach the node's streaming server at \(host):\(port): \(error)")
        }
    }
}

/// An HTTP/1.1 response read from raw bytes: the head, then the body (chunked, sized, or up
/// to the end of the connection) as it arrives.
struct NodeResponseHead {
    var status: Int
    var headers: [(name: String, value: String)]

    init?(_ text: String) {
        var lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        self.status = status
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }

    subscript(name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Decodes `Transfer-Encoding: chunked` incrementally.
struct ChunkedDecoder {
    private var buffer: [UInt8] = []
    private var remainingInChunk = 0
    private var expectingCRLF = false
    private(set) var finished = false

    struct Malformed: Error {}

    mutating func feed(_ bytes: [UInt8]) throws -> [UInt8] {
        buffer += bytes
        var out: [UInt8] = []
        var index = 0
        while !finished {
            if remainingInChunk > 0 {
                let take = min(remainingInChunk, buffer.count - index)
                if take == 0 { break }
                out += buffer[index..<index + take]
                index += take
                remainingInChunk -= take
                if remainingInChunk == 0 { expectingCRLF = true }
                continue
            }
            if expectingCRLF {
                guard buffer.count - index >= 2 else { break }
                index += 2
                expectingCRLF = false
                continue
            }
            guard let lineEnd = buffer[index...].firstIndex(of: 10) else { break }
            let line = String(decoding: buffer[index..<lineEnd], as: UTF8.self)
            let sizeText = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw Malformed() }
            index = lineEnd + 1
            if size == 0 { finished = true } else { remainingInChunk = size }
        }
        buffer.removeFirst(index)
        return out
    }
}

/// A GET to the kubelet whose response body is streamed (container logs).
struct KubeletHTTPClient {
    let channel: any Channel
    let handler: NIOLoopBound<ResponseStreamHandler>

    static func connect(host: String, port: Int, sslContext: NIOSSLContext, timeout: TimeAmount) async throws -> KubeletHTTPClient {
        let channel = try await KubeletConnection.connect(host: host, port: port, sslContext: sslContext, timeout: timeout) {
            ResponseStreamHandler()
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ResponseStreamHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return KubeletHTTPClient(channel: channel, handler: handler)
    }

    /// Sends the GET; returns the body once a 200 head arrived, or throws the node's refusal.
    func get(path: String, host: String, describing: String) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let headPromise = channel.eventLoop.makePromise(of: NodeResponseHead.self)
        let handler = self.handler, channel = self.channel
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
        try await channel.eventLoop.submit {
            handler.value.start(head: headPromise, body: continuation)
            channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
        }.get()
        continuation.onTermination = { _ in channel.close(promise: nil) }
        let head: NodeResponseHead
        do {
            head = try await headPromise.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw NodeStreamError(code: 502, reason: "BadGateway", message: "\(describing): the node's streaming server failed: \(error)")
        }
        guard head.status == 200 else {
            var body: [UInt8] = []
            for try await chunk in stream { body += chunk }
            throw NodeStreamError.fromNode(status: head.status, body: body, describing: describing)
        }
        return stream
    }
}

/// Reads a response head, then hands the decoded body to a stream consumer.
final class ResponseStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var head: EventLoopPromise<NodeResponseHead>?
    private var body: AsyncThrowingStream<[UInt8], any Error>.Continuation?
    private var collected: [UInt8] = []
    private var headDone = false
    private var chunked: ChunkedDecoder?
    private var remaining: Int?

    func start(head: EventLoopPromise<NodeResponseHead>, body: AsyncThrowingStream<[UInt8], any Error>.Continuation) {
        self.head = head
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        if headDone {
            deliver(bytes, context: context)
            return
        }
        collected += bytes
        guard let end = collected.firstRange(of: [13, 10, 13, 10]) else { return }
        let text = String(decoding: collected[..<end.upperBound], as: UTF8.self)
        let rest = Array(collected[end.upperBound...])
        collected = []
        headDone = true
        guard let parsed = NodeResponseHead(text) else {
            head?.fail(TunnelError.closedBeforeHead)
            body?.finish()
            context.close(promise: nil)
            return
        }
        if parsed["transfer-encoding"]?.lowercased().contains("chunked") == true { chunked = ChunkedDecoder() }
        else if let length = parsed["content-length"].flatMap(Int.init) { remaining = length }
        head?.succeed(parsed)
        head = nil
        deliver(rest, context: context)
    }

    private func deliver(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var payload = bytes
        do {
            if var decoder = chunked {
                payload = try decoder.feed(bytes)
                chunked = decoder
                if decoder.finished { finish(context: context) }
            } else if let left = remaining {
                payload = Array(bytes.prefix(left))
                remaining = left - payload.count
                if remaining == 0 { finish(context: context) }
            }
        } catch {
            body?.finish(throwing: error)
            body = nil
            context.close(promise: nil)
            return
        }
        if !payload.isEmpty { body?.yield(payload) }
    }

    private func finish(context: ChannelHandlerContext) {
        let continuation = body
        body = nil
        context.eventLoop.assumeIsolated().execute { continuation?.finish() }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        head?.fail(TunnelError.closedBeforeHead)
        head = nil
        body?.finish()
        body = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        head?.fail(error)
        head = nil
        body?.finish(throwing: error)
        body = nil
        context.close(promise: nil)
    }
}

extension NodeStreamError {
    /// The node's own refusal, its Status message kept when it sent one.
    static func fromNode(status: Int, body: [UInt8], describing: String) -> NodeStreamError {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let message = object["message"] as? String {
            return NodeStreamError(code: status, reason: object["reason"] as? String ?? "InternalError", message: message)
        }
        let text = String(decoding: body, as: UTF8.self)
        return NodeStreamError(code: status, reason: "InternalError",
                               message: "\(describing): the node answered \(status)\(text.isEmpty ? "" : ": " + text)")
    }
}
