import NIOCore
import NIOSSL

/// Proxies one upgrade: sends the request head to the kubelet on the client connection's event
/// loop, waits for its response head, and on 101 splices the two connections together below
/// the apiserver's HTTP codec (the client gets the kubelet's 101 and everything after it
/// byte for byte). Returns when the tunnel has closed, or with the kubelet's refusal.
enum UpgradeRelay {
    static func run(head request: String, host: String, port: Int, sslContext: NIOSSLContext, timeout: TimeAmount,
                    client: any Channel, describing: String) async throws -> NodeUpgradeResult {
        let eventLoop = client.eventLoop
        let headPromise = eventLoop.makePromise(of: (head: String, rest: ByteBuffer).self)
        let node = try await KubeletConnection.connect(host: host, port: port, sslContext: sslContext, timeout: timeout,
                                                       on: eventLoop) { TunnelEndpoint(head: headPromise) }
        let nodeEndpoint = try await eventLoop.submit {
            let endpoint = try node.pipeline.syncOperations.handler(type: TunnelEndpoint.self)
            endpoint.deliver(ByteBuffer(string: request))
            return NIOLoopBound(endpoint, eventLoop: eventLoop)
        }.get()

        let response: (head: String, rest: ByteBuffer)
        do {
            response = try await headPromise.futureResult.get()
        } catch {
            node.close(promise: nil)
            throw NodeStreamError(code: 502, reason: "BadGateway", message: "\(describing): the node's streaming server failed: \(error)")
        }
        guard let parsed = NodeResponseHead(response.head) else {
            node.close(promise: nil)
            throw NodeStreamError(code: 502, reason: "BadGateway", message: "\(describing): the node sent a malformed response")
        }
        guard parsed.status == 101 else {
            return try await refusal(parsed, rest: response.rest, node: node, endpoint: nodeEndpoint)
        }

        try await eventLoop.submit {
            let clientEndpoint = TunnelEndpoint()
            let pipeline = client.pipeline.syncOperations
            if let tls = try? pipeline.handler(type: NIOSSLServerHandler.self) {
                try pipeline.addHandler(clientEndpoint, position: .after(tls))
            } else {
                try pipeline.addHandler(clientEndpoint, position: .first)
            }
            clientEndpoint.deliver(ByteBuffer(string: response.head))
            if response.rest.readableBytes > 0 { clientEndpoint.deliver(response.rest) }
            TunnelEndpoint.link(clientEndpoint, nodeEndpoint.value)
        }.get()
        await withTaskCancellationHandler {
            try? await client.closeFuture.get()
            try? await node.closeFuture.get()
        } onCancel: {
            client.close(promise: nil)
            node.close(promise: nil)
        }
        return .upgraded
    }

    /// The kubelet said no: its answer (a Status, usually) goes back as an ordinary response.
    private static func refusal(_ head: NodeResponseHead, rest: ByteBuffer, node: any Channel,
                                endpoint: NIOLoopBound<TunnelEndpoint>) async throws -> NodeUpgradeResult {
        var body = rest
        let expected = head["content-length"].flatMap(Int.init)
        if expected.map({ body.readableBytes < $0 }) ?? true {
            // The kubelet closes after a refusal; what came meanwhile is held by the endpoint.
            try? await node.closeFuture.get()
            var more = try await node.eventLoop.submit { endpoint.value.takeHeld() }.get()
            body.writeBuffer(&more)
        } else {
            node.close(promise: nil)
        }
        var bytes = body.readBytes(length: body.readableBytes) ?? []
        if let expected, bytes.count > expected { bytes.removeLast(bytes.count - expected) }
        return .refused(status: head.status, contentType: head["content-type"], body: bytes)
    }
}
