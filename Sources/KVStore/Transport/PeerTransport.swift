import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Where a member listens for Raft traffic from its peers.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port` or a URL such as `http://host:port`.
    public init(parsing text: String) throws {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
            (1...65535).contains(port)
        else {
            throw PeerAddressError(text: text)
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw PeerAddressError(text: text) }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct PeerAddressError: Error, CustomStringConvertible {
    public var text: String
    public var description: String { "'\(text)' is not an address of the form host:port" }
}

/// TCP transport between members: one listening socket for inbound frames and one
/// outgoing `PeerLink` per peer. It moves opaque frames; `RaftMessageCodec` gives them
/// meaning. Inbound frames are handed to `onFrame` on a NIO thread: the receiver must
/// only enqueue (the node loop does the work), never block.
///
/// With `tls` set, both directions are mutual TLS against the peer CA (see `PeerTLS`);
/// without it, plain TCP where peers are trusted by address (a development setup).
public final class PeerTransport: Sendable {
    public let localID: UInt64
    private let group: any EventLoopGroup
    private let tls: PeerTLS?
    private let logger: Logger
    private let onFrame: @Sendable (ByteBuffer) -> Void
    private let onUnreachable: @Sendable (UInt64) -> Void
    private let links = Mutex<[UInt64: PeerLink]>([:])
    private let listener = Mutex<(any Channel)?>(nil)

    public init(
        localID: UInt64,
        group: any EventLoopGroup,
        logger: Logger,
        tls: PeerTLS? = nil,
        onFrame: @escaping @Sendable (ByteBuffer) -> Void,
        onUnreachable: @escaping @Sendable (UInt64) -> Void
    ) {
        self.localID = localID
        self.group = group
        self.logger = logger
        self.tls = tls
        self.onFrame = onFrame
        self.onUnreachable = onUnreachable
    }

    /// Binds the peer listener. Returns the bound port (useful when asked for port 0).
    @discardableResult
    public func listen(on address: PeerAddress) async throws -> Int {
        let onFrame = self.onFrame
        let tls = self.tls
        let logger = self.logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(tls.serverHandler())
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(PeerFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        PeerInboundHandler(onFrame: onFrame, logger: tls == nil ? nil : logger))
                }
            }
            .bind(host: address.host, port: address.port).get()
        listener.withLock { $0 = channel }
        return channel.localAddress?.port ?? address.port
    }

    /// Adds or re-points the link to `peerID`.
    public func setPeer(_ peerID: UInt64, address: PeerAddress) {
        guard peerID != localID else { return }
        let existing: PeerLink? = links.withLock { links in
            if let link = links[peerID] { return link }
            let link = PeerLink(
                peerID: peerID, host: address.host, port: address.port,
                eventLoop: group.next(), logger: logger, tls: tls, onUnreachable: onUnreachable)
            links[peerID] = link
            link.warmUp()
            return nil
        }
        existing?.update(host: address.host, port: address.port)
    }

    public func removePeer(_ peerID: UInt64) {
        let link = links.withLock { $0.removeValue(forKey: peerID) }
        link?.close()
    }

    public func hasPeer(_ peerID: UInt64) -> Bool {
        links.withLock { $0[peerID] != nil }
    }

    /// Sends already-encoded frames to one peer; unknown peers are reported unreachable.
    public func send(to peerID: UInt64, frames: [ByteBuffer], completion: (@Sendable (Bool) -> Void)? = nil) {
        guard let link = links.withLock({ $0[peerID] }) else {
            onUnreachable(peerID)
            completion?(false)
            return
        }
        link.send(frames, completion: completion)
    }

    public func shutdown() async {
        let all = links.withLock { links in
            defer { links.removeAll() }
            return Array(links.values)
        }
        for link in all { link.close() }
        let channel = listener.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
    }
}

/// Hands each decoded inbound frame to the transport's receiver. With TLS on, a connection
/// that fails (typically a handshake refused: a certificate from another CA, or none) is
/// logged with the remote address, so a misconfigured member is visible on both sides.
private final class PeerInboundHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let onFrame: @Sendable (ByteBuffer) -> Void
    let logger: Logger?

    init(onFrame: @escaping @Sendable (ByteBuffer) -> Void, logger: Logger?) {
        self.onFrame = onFrame
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onFrame(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger?.warning(
            "refused a peer connection",
            metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)"])
        context.close(promise: nil)
    }
}
