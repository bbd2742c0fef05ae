import NIOCore
import NIOSSL

/// One end of a byte tunnel between two connections on the same event loop: what one end
/// reads, the other writes. Reading pauses while the other end cannot keep up, and either end
/// closing closes both.
///
/// On the kubelet connection it first collects the HTTP response head (`awaitHead`); on the
/// client connection it sits right above TLS, below the HTTP codec, so that once installed the
/// HTTP layer above sees nothing more and whatever it still writes is dropped.
final class TunnelEndpoint: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Any
    typealias OutboundOut = ByteBuffer

    private enum Mode {
        /// Collecting the response head of an upgrade; bytes after it are kept.
        case awaitingHead(EventLoopPromise<(head: String, rest: ByteBuffer)>, ByteBuffer)
        /// Head delivered; holding bytes until a partner is linked.
        case holding(ByteBuffer)
        case relaying
    }

    private var mode: Mode
    private var context: ChannelHandlerContext?
    private var partner: TunnelEndpoint?
    private var closed = false

    /// A client-side endpoint, relaying from the start.
    init() {
        mode = .holding(ByteBuffer())
    }

    /// A node-side endpoint that first reads the response head.
    init(head: EventLoopPromise<(head: String, rest: ByteBuffer)>) {
        mode = .awaitingHead(head, ByteBuffer())
    }

    /// Links two endpoints (on the same event loop); held bytes flow at once.
    static func link(_ a: TunnelEndpoint, _ b: TunnelEndpoint) {
        a.partner = b
        b.partner = a
        a.releaseHeld()
        b.releaseHeld()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch mode {
        case .awaitingHead(let promise, var collected):
            collected.writeBuffer(&buffer)
            let view = collected.readableBytesView
            if let end = view.firstRange(of: [13, 10, 13, 10]) {
                let headLength = view.distance(from: view.startIndex, to: end.upperBound)
                let head = collected.readString(length: headLength) ?? ""
                mode = .holding(ByteBuffer())
                promise.succeed((head, collected))
            } else if collected.readableBytes > 64 * 1024 {
                mode = .holding(ByteBuffer())
                promise.fail(TunnelError.oversizedHead)
            } else {
                mode = .awaitingHead(promise, collected)
            }
        case .holding(var held):
            held.writeBuffer(&buffer)
            mode = .holding(held)
        case .relaying:
            partner?.deliver(buffer)
        }
    }

    /// Whatever is above is done with this connection (the apiserver's HTTP layer on the client
    /// side): its writes go nowhere. The tunnel writes through `deliver`.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {}

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        partner?.setReading(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .awaitingHead(let promise, _) = mode {
            mode = .holding(ByteBuffer())
            promise.fail(TunnelError.closedBeforeHead)
        }
        closed = true
        partner?.closeConnection()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Writes raw bytes on this connection, below the HTTP layer.
    func deliver(_ buffer: ByteBuffer) {
        guard let context, !closed else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func closeConnection() {
        guard let context, !closed else { return }
        closed = true
        context.close(promise: nil)
    }

    private func releaseHeld() {
        guard case .holding(let held) = mode else { return }
        mode = .relaying
        if held.readableBytes > 0 { partner?.deliver(held) }
        if closed { partner?.closeConnection() }
    }

    private func setReading(_ on: Bool) {
        guard let context else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: on).whenComplete { _ in }
        if on { context.read() }
    }

    /// What a node-side endpoint received after the head and holds (the body of a refusal).
    func takeHeld() -> ByteBuffer {
        guard case .holding(let held) = mode else { return ByteBuffer() }
        mode = .holding(ByteBuffer())
        return held
    }
}

enum TunnelError: Error, CustomStringConvertible {
    case oversizedHead
    case closedBeforeHead

    var description: String {
        switch self {
        case .oversizedHead: "the node's response head is larger than 64 KiB"
        case .closedBeforeHead: "the node closed the connection before answering"
        }
    }
}
