import Foundation
import NIOCore
import NIOHTTP1

/// The `Upgrade: SPDY/3.1` path (kubectl ≤ 1.29 for exec/attach, ≤ 1.30 for port-forward): the
/// stream protocol comes from `X-Stream-Protocol-Version` and is echoed in the 101.
struct SPDYServerUpgrader: HTTPServerProtocolUpgrader, Sendable {
    let sessions: StreamSessions
    let connection: StreamConnection

    var supportedProtocol: String { "SPDY/3.1" }
    var requiredUpgradeHeaders: [String] { [] }

    func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead,
                              initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders.self)
        let sessions = self.sessions, connection = self.connection
        let offered = upgradeRequest.headers["X-Stream-Protocol-Version"]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let uri = upgradeRequest.uri
        promise.completeWithTask {
            do {
                let (prepared, chosen) = try await sessions.prepare(uri: uri, offered: offered, webSocket: false)
                connection.prepared.withLock { $0 = prepared }
                connection.channelProtocol.withLock { $0 = chosen }
                var headers = initialResponseHeaders
                headers.add(name: "X-Stream-Protocol-Version", value: chosen)
                return headers
            } catch {
                connection.refusal.withLock { $0 = StreamRequestError(error) }
                throw error
            }
        }
        return promise.futureResult
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        let channel = context.channel
        return context.eventLoop.makeCompletedFuture {
            guard let prepared = connection.prepared.withLock({ $0.take() }) else { throw StreamRequestError.internalError("no upgrade prepared") }
            try sessions.installSPDYSession(prepared, on: channel)
        }
    }
}
