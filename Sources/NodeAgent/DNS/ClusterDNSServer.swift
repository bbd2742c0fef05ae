import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The cluster DNS server: UDP and TCP (RFC 7766, two-byte length prefix) on one address,
/// answering through a `ClusterDNSResponder`. In process, so a lookup is a dictionary read of
/// the current table, with no pod or proxy hop in between.
public final class ClusterDNSServer: Sendable {
    public let host: String
    public let requestedPort: Int
    let responder: ClusterDNSResponder
    let logger: Logger
    let ports = Mutex<(udp: Int?, tcp: Int?)>((nil, nil))

    public init(host: String, port: Int = 53, responder: ClusterDNSResponder,
                logger: Logger = Logger(label: "skiff.dns")) {
        self.host = host
        self.requestedPort = port
        self.responder = responder
        self.logger = logger
    }

    /// The UDP port once listening (port 0 picks one; TCP listens on the same number).
    public var port: Int? { ports.withLock { $0.udp } }

    /// Listens until the task is cancelled.
    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let responder = self.responder
        let logger = self.logger
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPQueryHandler(responder: responder, logger: logger))
                }
            }
            .bind(host: host, port: requestedPort).get()
        let udpPort = udp.localAddress?.port ?? requestedPort
        let tcp: Channel
        do {
            tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(TCPFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(TCPQueryHandler(responder: responder))
                    }
                }
                .bind(host: host, port: udpPort).get()
        } catch {
            try? await udp.close()
            throw error
        }
        ports.withLock { $0 = (udpPort, tcp.localAddress?.port) }
        logger.info("cluster DNS listening", metadata: ["address": "\(host):\(udpPort)"])
        await withTaskCancellationHandler {
            try? await udp.closeFuture.get()
        } onCancel: {
            udp.close(promise: nil)
            tcp.close(promise: nil)
        }
        try? await tcp.close()
    }
}

/// One datagram, one answer, sent back to whoever asked.
final class UDPQueryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let responder: ClusterDNSResponder
    let logger: Logger

    init(responder: ClusterDNSResponder, logger: Logger) {
        self.responder = responder
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        let channel = context.channel
        let responder = self.responder
        Task {
            guard let answer = await responder.respond(to: bytes, overUDP: true) else { return }
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer)),
                                  promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A send to a client that went away (ICMP unreachable) must not close the server.
        logger.debug("cluster DNS: \(error)")
    }
}

/// Two-byte big-endian length, then the message.
struct TCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

/// Answers each framed query on the connection, in order of arrival.
final class TCPQueryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let responder: ClusterDNSResponder

    init(responder: ClusterDNSResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        let channel = context.channel
        let responder = self.responder
        Task {
            guard let answer = await responder.respond(to: bytes, overUDP: false) else { return }
            var buffer = channel.allocator.buffer(capacity: answer.count + 2)
            buffer.writeInteger(UInt16(answer.count))
            buffer.writeBytes(answer)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
