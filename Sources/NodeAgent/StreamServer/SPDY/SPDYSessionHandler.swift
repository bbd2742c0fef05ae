import Logging
import NIOCore

/// What runs on a SPDY session: remote commands or port-forwarding. Called on the event loop.
protocol SPDYApplication: AnyObject {
    func sessionStarted(_ session: SPDYSessionRef)
    func streamOpened(_ id: UInt32, headers: SPDYHeaders, fin: Bool)
    func streamData(_ id: UInt32, bytes: [UInt8], fin: Bool)
    func streamReset(_ id: UInt32)
    func sessionClosed()
}

/// The server side of a SPDY/3.1 session on an upgraded connection (or inside a WebSocket
/// tunnel): parses frames, answers pings, and hands streams to its application. The client
/// opens every stream; this side replies to each and sends data on them.
final class SPDYSessionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let codec: SPDYFrameCodec
    private let application: any SPDYApplication
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var closed = false

    init(application: any SPDYApplication, logger: Logger) throws {
        self.codec = try SPDYFrameCodec()
        self.application = application
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        application.sessionStarted(SPDYSessionRef(handler: NIOLoopBound(self, eventLoop: context.eventLoop), eventLoop: context.eventLoop))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let frames: [SPDYFrame]
        do {
            frames = try codec.receive(&buffer)
        } catch {
            logger.debug("closing a SPDY session on a bad frame", metadata: ["error": "\(error)"])
            send(.goAway(lastGoodStreamID: 0, status: SPDYFrame.protocolError))
            close()
            return
        }
        for frame in frames {
            switch frame {
            case .synStream(let id, _, let headers, let fin, _):
                application.streamOpened(id, headers: headers, fin: fin)
            case .data(let id, let bytes, let fin):
                application.streamData(id, bytes: bytes, fin: fin)
            case .headers(let id, _, let fin):
                if fin { application.streamData(id, bytes: [], fin: true) }
            case .rstStream(let id, _):
                application.streamReset(id)
            case .ping(let id):
                send(.ping(id: id))
            case .goAway:
                close()
            case .synReply, .settings, .windowUpdate, .unknown:
                break  // kubectl's SPDY library does no flow control; nothing to act on
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closed {
            closed = true
            application.sessionClosed()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("SPDY session error", metadata: ["error": "\(error)"])
        close()
    }

    // MARK: Sending (on the event loop)

    func send(_ frame: SPDYFrame, flushed: EventLoopPromise<Void>? = nil) {
        guard let context, !closed else {
            flushed?.succeed()
            return
        }
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: codec.encode(frame))), promise: flushed)
    }

    /// Sends the frames in order; with `thenClose`, closes once the last is written.
    func send(_ frames: [SPDYFrame], thenClose: Bool) {
        guard let context, !closed else { return }
        let encoded = frames.map { ByteBuffer(bytes: codec.encode($0)) }
        for bytes in encoded.dropLast() { context.write(NIOAny(bytes), promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        if let last = encoded.last {
            context.writeAndFlush(NIOAny(last), promise: written)
        } else {
            written.succeed()
        }
        if thenClose { written.futureResult.assumeIsolated().whenComplete { _ in self.close() } }
    }

    func close() {
        guard let context, !closed else { return }
        closed = true
        application.sessionClosed()
        context.close(promise: nil)
    }
}

/// A handle on a session usable from any thread: each call runs on the session's event loop,
/// in the order made.
struct SPDYSessionRef: Sendable {
    let handler: NIOLoopBound<SPDYSessionHandler>
    let eventLoop: any EventLoop

    func send(_ frame: SPDYFrame) {
        run { $0.send(frame) }
    }

    /// Sends the frames, then closes the connection once they are written.
    func send(_ frames: [SPDYFrame], thenClose: Bool) {
        run { $0.send(frames, thenClose: thenClose) }
    }

    func close() {
        run { $0.close() }
    }

    private func run(_ body: @escaping @Sendable (SPDYSessionHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            let handler = self.handler
            eventLoop.execute { body(handler.value) }
        }
    }
}

