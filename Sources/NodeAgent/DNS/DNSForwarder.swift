import Foundation
import Logging
import NIOCore
import NIOPosix

/// Forwards queries for names outside the cluster to upstream resolvers (the host's, from its
/// resolv.conf), one after another with a short timeout each; the upstream's answer is
/// returned as it came (same id, so the client matches it).
public struct DNSForwarder: Sendable {
    public let upstreams: [SocketAddress]
    public let timeout: TimeAmount

    public init(upstreams: [SocketAddress], timeout: TimeAmount = .seconds(2)) {
        self.upstreams = upstreams
        self.timeout = timeout
    }

    /// The `nameserver` lines of a resolv.conf, skipping `exclude` (the cluster DNS address
    /// itself, so a node whose resolv.conf points at us does not loop). nil when none remain.
    public static func fromResolvConf(_ path: String = "/etc/resolv.conf", exclude: Set<String> = []) -> DNSForwarder? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var upstreams: [SocketAddress] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            let host = String(fields[1])
            guard !exclude.contains(host), let address = try? SocketAddress(ipAddress: host, port: 53) else { continue }
            upstreams.append(address)
        }
        return upstreams.isEmpty ? nil : DNSForwarder(upstreams: upstreams)
    }

    /// The first upstream answer, or nil when every upstream failed or timed out.
    func forward(_ query: [UInt8], overUDP: Bool) async -> [UInt8]? {
        for upstream in upstreams {
            if let answer = try? await ask(upstream, query) { return answer }
        }
        return nil
    }

    func ask(_ upstream: SocketAddress, _ query: [UInt8]) async throws -> [UInt8]? {
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let bindHost = upstream.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FirstDatagramHandler(promise: promise, from: upstream))
                }
            }
            .bind(host: bindHost, port: 0).get()
        let timeout = eventLoop.scheduleTask(in: self.timeout) { promise.fail(ChannelError.connectTimeout(self.timeout)) }
        defer {
            timeout.cancel()
            channel.close(promise: nil)
        }
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: upstream, data: ByteBuffer(bytes: query)))
        let answer = try await promise.futureResult.get()
        // Only an answer to this query (same id) counts.
        guard answer.count >= 2, query.count >= 2, answer[0] == query[0], answer[1] == query[1] else { return nil }
        return answer
    }
}

/// Completes the promise with the first datagram from the expected peer.
final class FirstDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let promise: EventLoopPromise<[UInt8]>
    let from: SocketAddress

    init(promise: EventLoopPromise<[UInt8]>, from: SocketAddress) {
        self.promise = promise
        self.from = from
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == from else { return }
        promise.succeed(Array(envelope.data.readableBytesView))
    }
}
