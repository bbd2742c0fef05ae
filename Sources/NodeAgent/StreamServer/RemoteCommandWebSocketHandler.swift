import NIOCore
import NIOWebSocket
import Synchronization

/// exec/attach over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`): every binary message
/// starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize, and in
/// v5 255 to close a channel (the client sends `255 0` at the end of stdin). Pings get pongs.
final class RemoteCommandWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let stdinChannel: UInt8 = 0, stdoutChannel: UInt8 = 1, stderrChannel: UInt8 = 2
    static let statusChannel: UInt8 = 3, resizeChannel: UInt8 = 4, closeChannel: UInt8 = 255

    private let version: Int
    private let start: (any RemoteCommandOutput) -> any RemoteCommandInput
    private var input: (any RemoteCommandInput)?

    init(version: Int, start: @escaping (any RemoteCommandOutput) -> any RemoteCommandInput) {
        self.version = version
        self.start = start
    }

    func handlerAdded(context: ChannelHandlerContext) {
        input = start(WebSocketRemoteCommandOutput(channel: context.channel))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            var payload = frame.unmaskedData
            guard let channel = payload.readInteger(as: UInt8.self) else { return }
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            switch channel {
            case Self.stdinChannel: input?.stdin(bytes)
            case Self.resizeChannel:
                for size in TerminalSizeParser.sizes(in: bytes) { input?.resize(width: size.width, height: size.height) }
            case Self.closeChannel where version >= 5:
                if bytes.first == Self.stdinChannel { input?.closeStdin() }
            default: break
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            input?.connectionClosed()
            var code = context.channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .normalClosure)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
                .whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        input?.connectionClosed()
        input = nil
        context.fireChannelInactive()
    }
}

/// Writes a remote command's output as channel-prefixed binary messages; after `finish` (the
/// Status on channel 3 and a normal close) further output is dropped.
struct WebSocketRemoteCommandOutput: RemoteCommandOutput {
    let channel: any Channel
    private let finished = SharedFlag()

    init(channel: any Channel) { self.channel = channel }

    func write(_ stream: RemoteCommandStream, _ bytes: [UInt8]) {
        guard !finished.isSet else { return }
        let id = stream == .stdout ? RemoteCommandWebSocketHandler.stdoutChannel : RemoteCommandWebSocketHandler.stderrChannel
        send([id] + bytes)
    }

    func finish(status: RemoteCommandStatus) {
        guard finished.set() else { return }
        send([RemoteCommandWebSocketHandler.statusChannel] + status.json)
        let channel = self.channel
        var code = channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .normalClosure)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    private func send(_ message: [UInt8]) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: message)), promise: nil)
    }
}

/// A flag set once, from any thread.
final class SharedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Sets it; true only for the caller that set it first.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Port-forward over WebSocket (`SPDY/3.1+portforward.k8s.io`, kubectl ≥ 1.31): the binary
/// messages carry a SPDY/3.1 byte stream, cut anywhere. Inbound they become plain bytes for
/// the SPDY session above; its bytes go out as binary messages. Pings get pongs.
final class WebSocketByteTunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .continuation:
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var code = context.channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .normalClosure)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
                .whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: bytes)), promise: promise)
    }
}
