import Logging
import NIOCore
import NIOPosix

/// `portforward.k8s.io` on a SPDY session: per local connection kubectl opens an error stream
/// and a data stream carrying the same `port` and `requestID` headers. Once both are there this
/// side connects to 127.0.0.1:port inside the pod's network namespace and pipes the data stream
/// to that connection both ways; a failure to connect is written on the error stream.
final class PortForwardSession: SPDYApplication {
    private final class Pair {
        var port: UInt16
        var errorStream: UInt32?
        var dataStream: UInt32?
        var connection: (any Channel)?
        /// Data that arrived before the connection was up.
        var pending: [[UInt8]] = []
        var clientFinished = false
        var started = false
        init(port: UInt16) { self.port = port }
    }

    private let pod: String
    private let networkNamespace: String?
    private let logger: Logger
    private var session: SPDYSessionRef?
    private var pairs: [String: Pair] = [:]
    private var requestOfStream: [UInt32: String] = [:]

    init(pod: String, networkNamespace: String?, logger: Logger) {
        self.pod = pod
        self.networkNamespace = networkNamespace
        self.logger = logger
    }

    func sessionStarted(_ session: SPDYSessionRef) {
        self.session = session
    }

    func streamOpened(_ id: UInt32, headers: SPDYHeaders, fin: Bool) {
        guard let session else { return }
        guard let type = headers["streamtype"], type == "error" || type == "data",
              let portText = headers["port"], let port = UInt16(portText), port > 0 else {
            session.send(.rstStream(streamID: id, status: SPDYFrame.refusedStream))
            return
        }
        // Clients older than requestID pair streams by arrival; a port is then its own request.
        let request = headers["requestid"] ?? "port-\(port)"
        session.send(.synReply(streamID: id, headers: SPDYHeaders(), fin: false))
        let pair = pairs[request] ?? Pair(port: port)
        pairs[request] = pair
        requestOfStream[id] = request
        if type == "error" { pair.errorStream = id } else { pair.dataStream = id }
        if type == "data" && fin { pair.clientFinished = true }
        if pair.errorStream != nil, pair.dataStream != nil, !pair.started {
            pair.started = true
            connect(pair, request: request)
        }
    }

    func streamData(_ id: UInt32, bytes: [UInt8], fin: Bool) {
        guard let request = requestOfStream[id], let pair = pairs[request], id == pair.dataStream else { return }
        if let connection = pair.connection {
            if !bytes.isEmpty { connection.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) }
            if fin { connection.close(mode: .output, promise: nil) }
        } else {
            if !bytes.isEmpty { pair.pending.append(bytes) }
            if fin { pair.clientFinished = true }
        }
    }

    func streamReset(_ id: UInt32) {
        guard let request = requestOfStream[id], let pair = pairs[request] else { return }
        pair.connection?.close(promise: nil)
        forget(request)
    }

    func sessionClosed() {
        for pair in pairs.values { pair.connection?.close(promise: nil) }
        pairs = [:]
        requestOfStream = [:]
    }

    private func forget(_ request: String) {
        guard let pair = pairs.removeValue(forKey: request) else { return }
        for id in [pair.errorStream, pair.dataStream].compactMap({ $0 }) { requestOfStream[id] = nil }
    }

    private func connect(_ pair: Pair, request: String) {
        guard let session else { return }
        let port = pair.port, pod = self.pod, logger = self.logger
        let dataStream = pair.dataStream ?? 0, errorStream = pair.errorStream ?? 0
        let eventLoop = session.eventLoop
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        let connected = NetworkNamespaceDialer.connect(port: port, networkNamespace: networkNamespace, eventLoop: eventLoop) {
            PortForwardTargetHandler(session: session, dataStream: dataStream, errorStream: errorStream)
        }
        connected.whenComplete { result in
            let owner = this.value
            guard let pair = owner.pairs[request] else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                pair.connection = channel
                for chunk in pair.pending { channel.write(ByteBuffer(bytes: chunk), promise: nil) }
                channel.flush()
                pair.pending = []
                if pair.clientFinished { channel.close(mode: .output, promise: nil) }
            case .failure(let error):
                let message = "error forwarding port \(port) to pod \(pod): \(error)"
                logger.info("port-forward failed", metadata: ["pod": "\(pod)", "port": "\(port)", "error": "\(error)"])
                session.send([.data(streamID: errorStream, bytes: Array(message.utf8), fin: true),
                              .data(streamID: dataStream, bytes: [], fin: true)], thenClose: false)
                owner.forget(request)
            }
        }
    }
}

/// The pod side of one forwarded connection: what it reads goes out on the data stream; its
/// end (EOF or close) ends the data and error streams.
final class PortForwardTargetHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let session: SPDYSessionRef
    private let dataStream: UInt32
    private let errorStream: UInt32
    private var ended = false

    init(session: SPDYSessionRef, dataStream: UInt32, errorStream: UInt32) {
        self.session = session
        self.dataStream = dataStream
        self.errorStream = errorStream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes), !bytes.isEmpty {
            session.send(.data(streamID: dataStream, bytes: bytes, fin: false))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event as? ChannelEvent ?? .outputClosed { end() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func end() {
        guard !ended else { return }
        ended = true
        session.send([.data(streamID: dataStream, bytes: [], fin: true), .data(streamID: errorStream, bytes: [], fin: true)],
                     thenClose: false)
    }
}
