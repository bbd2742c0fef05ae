import Logging
import NIOCore
import NIOPosix

/// The one outgoing TCP connection from this member to one peer.
///
/// Raft tolerates lost messages (it retransmits), so a link never queues while it is down:
/// frames sent while disconnected are dropped, the peer is reported unreachable (so the
/// leader falls back to probing), and the link reconnects with exponential backoff.
/// Frames of one `send` call are written back to back and flushed once, so one Ready batch
/// costs one syscall per peer.
///
/// Safe to share across threads: every mutable field is read and written only on
/// `eventLoop` (each entry point hops there with `execute`, and the channel is created on
/// the same loop so its callbacks run there too), which serialises all access.
final class PeerLink: @unchecked Sendable {
    let peerID: UInt64
    let eventLoop: any EventLoop
    private(set) var host: String
    private(set) var port: Int
    private let logger: Logger
    private let tls: PeerTLS?
    private let onUnreachable: @Sendable (UInt64) -> Void

    private var channel: (any Channel)?
    private var connecting = false
    private var reconnectScheduled = false
    private var closed = false
    private var backoff = PeerLink.initialBackoff
    private var lastLoggedFailure: NIODeadline = .distantPast

    static let initialBackoff = TimeAmount.milliseconds(50)
    static let maximumBackoff = TimeAmount.seconds(2)

    init(
        peerID: UInt64, host: String, port: Int, eventLoop: any EventLoop, logger: Logger,
        tls: PeerTLS? = nil, onUnreachable: @escaping @Sendable (UInt64) -> Void
    ) {
        self.peerID = peerID
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.logger = logger
        self.tls = tls
        self.onUnreachable = onUnreachable
    }

    /// Writes `frames` (already-encoded messages) and flushes once. `completion`, if given,
    /// learns whether the last frame was written to the socket (used for snapshots).
    func send(_ frames: [ByteBuffer], completion: (@Sendable (Bool) -> Void)? = nil) {
        eventLoop.execute { self.sendOnLoop(frames, completion: completion) }
    }

    /// Points the link at a new address (a member's peer URL changed); reconnects lazily.
    func update(host: String, port: Int) {
        eventLoop.execute {
            guard host != self.host || port != self.port else { return }
            self.host = host
            self.port = port
            self.channel?.close(promise: nil)
            self.channel = nil
        }
    }

    func close() {
        eventLoop.execute {
            self.closed = true
            self.channel?.close(promise: nil)
            self.channel = nil
        }
    }

    /// Starts connecting ahead of the first message, so the first heartbeat is not lost.
    func warmUp() {
        eventLoop.execute { self.connectIfNeeded() }
    }

    private func sendOnLoop(_ frames: [ByteBuffer], completion: (@Sendable (Bool) -> Void)?) {
        eventLoop.assertInEventLoop()
        guard !closed else {
            completion?(false)
            return
        }
        guard let channel, channel.isActive else {
            connectIfNeeded()
            onUnreachable(peerID)
            completion?(false)
            return
        }
        // A peer that stopped reading (overloaded or hung) must not make us buffer without
        // bound: drop, and let Raft's flow control and retransmission take over.
        guard channel.isWritable else {
            onUnreachable(peerID)
            completion?(false)
            return
        }
        for (index, frame) in frames.enumerated() {
            if let completion, index == frames.count - 1 {
                let promise = eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { result in
                    if case .success = result { completion(true) } else { completion(false) }
                }
                channel.write(frame, promise: promise)
            } else {
                channel.write(frame, promise: nil)
            }
        }
        channel.flush()
    }

    private func connectIfNeeded() {
        eventLoop.assertInEventLoop()
        guard !closed, channel == nil, !connecting, !reconnectScheduled else { return }
        connecting = true
        let tls = self.tls
        let host = self.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.connectTimeout, value: .seconds(1))
            .channelOption(
                ChannelOptions.writeBufferWaterMark,
                value: .init(low: 8 << 20, high: 64 << 20)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(tls.clientHandler(host: host))
                        try channel.pipeline.syncOperations.addHandler(
                            PeerLinkErrorHandler { [weak self] error in self?.connectionFailed(error) })
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        MessageToByteHandler(PeerFrameEncoder()))
                }
            }
        bootstrap.connect(host: host, port: port).whenComplete { result in
            self.connecting = false
            switch result {
            case .success(let channel):
                if self.closed {
                    channel.close(promise: nil)
                    return
                }
                self.logger.debug("connected to peer", metadata: ["peer": "\(self.peerID)"])
                self.channel = channel
                self.backoff = PeerLink.initialBackoff
                channel.closeFuture.whenComplete { _ in
                    if self.channel === channel {
                        self.channel = nil
                        self.scheduleReconnect()
                    }
                }
            case .failure(let error):
                let now = NIODeadline.now()
                if now - self.lastLoggedFailure > .seconds(5) {
                    self.lastLoggedFailure = now
                    self.logger.info(
                        "cannot reach peer",
                        metadata: [
                            "peer": "\(self.peerID)", "address": "\(self.host):\(self.port)",
                            "error": "\(error)",
                        ])
                }
                self.scheduleReconnect()
            }
        }
    }

    /// A TLS failure on an established TCP connection (the peer's certificate is not from our
    /// peer CA or does not name the address, or the peer refused ours). Logged at most every
    /// five seconds; the channel closes and the usual backoff reconnects.
    private func connectionFailed(_ error: any Error) {
        eventLoop.assertInEventLoop()
        let now = NIODeadline.now()
        if now - lastLoggedFailure > .seconds(5) {
            lastLoggedFailure = now
            logger.warning(
                "peer connection failed",
                metadata: ["peer": "\(peerID)", "address": "\(host):\(port)", "error": "\(error)"])
        }
    }

    private func scheduleReconnect() {
        eventLoop.assertInEventLoop()
        guard !closed, !reconnectScheduled else { return }
        reconnectScheduled = true
        let delay = backoff
        backoff = min(backoff * 2, PeerLink.maximumBackoff)
        eventLoop.scheduleTask(in: delay) {
            self.reconnectScheduled = false
            self.connectIfNeeded()
        }
    }
}

/// Reports errors on an outgoing peer connection (TLS handshake failures) and closes it.
private final class PeerLinkErrorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let onError: (any Error) -> Void

    init(onError: @escaping (any Error) -> Void) {
        self.onError = onError
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        onError(error)
        context.close(promise: nil)
    }
}
