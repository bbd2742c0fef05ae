import APIModel
import Hummingbird
import NIOCore
import PKI

/// `pods/{log,exec,attach,portforward,proxy}` and `nodes/proxy`, `services/proxy`: checks the
/// object exists (so a missing pod is a 404 like in Kubernetes), then hands the request to the
/// node agent through `NodeStreams`: logs as a streamed body, exec/attach/port-forward as an
/// HTTP/1.1 upgrade relayed to the node. Without an agent the answer is a 503 Status.
struct NodeStreamEndpoint: Sendable {
    let rest: RESTHandler
    let nodeStreams: (any NodeStreams)?

    func respond(resource: ResourceInfo, subresource: String, path: ResourcePath, query: URLQuery,
                 user: AuthenticatedUser, request httpRequest: Request, channel: any Channel) async -> Response {
        guard let name = path.name else { return JSONResponses.make(StatusDocument.notFound()) }
        let object: JSONValue
        do {
            let response = try await rest.handle(RESTRequest(
                verb: .get, resource: resource, subresource: nil, namespace: path.namespace, name: name,
                query: [:], contentType: nil, body: [], user: user, userAgent: nil))
            guard case .object(let stored) = response.payload else { return JSONResponses.make(StatusDocument.notFound()) }
            object = stored
        } catch let error as APIError {
            return JSONResponses.make(error.code, error.status)
        } catch {
            return JSONResponses.make(StatusDocument.internalError("\(error)"))
        }
        let described = path.namespace.map { "\(resource.singular) \($0)/\(name)" } ?? "\(resource.singular) \(name)"
        guard let nodeStreams else {
            return JSONResponses.make(StatusDocument.serviceUnavailable("no node agent serves \(described) (\(subresource))"))
        }
        let request = NodeStreamRequest(subresource: subresource, namespace: path.namespace, name: name, object: object,
                                        query: query.values, user: user)
        if ["exec", "attach", "portforward"].contains(subresource), resource.plural == "pods" {
            return await upgrade(request, httpRequest: httpRequest, channel: channel, nodeStreams: nodeStreams, described: described)
        }
        guard subresource == "log" else {
            return JSONResponses.make(StatusDocument.serviceUnavailable("\(subresource) is not supported for \(described) yet"))
        }
        let chunks: AsyncThrowingStream<[UInt8], any Error>
        do {
            chunks = try await nodeStreams.openLog(request)
        } catch let error as NodeStreamError {
            return JSONResponses.make(error.code, StatusDocument.failure(code: error.code, reason: error.reason, message: error.message))
        } catch {
            return JSONResponses.make(StatusDocument.serviceUnavailable("\(described): \(error)"))
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        })
    }
}

extension NodeStreamEndpoint {
    /// exec/attach/portforward: only as an upgrade (WebSocket or SPDY/3.1 over HTTP/1.1),
    /// relayed to the node; the node's refusal comes back as it was sent.
    func upgrade(_ request: NodeStreamRequest, httpRequest: Request, channel: any Channel, nodeStreams: any NodeStreams,
                 described: String) async -> Response {
        let connection = (httpRequest.headers[.connection] ?? "").lowercased()
        guard connection.contains("upgrade"), let protocolName = httpRequest.headers[.upgrade], !protocolName.isEmpty else {
            return JSONResponses.make(StatusDocument.badRequest(
                "\(request.subresource) for \(described) needs an upgrade to WebSocket or SPDY/3.1 (Connection: Upgrade)"))
        }
        if let phase = request.object?["status"]?["phase"]?.stringValue, phase == "Succeeded" || phase == "Failed",
           request.subresource != "portforward" {
            return JSONResponses.make(StatusDocument.badRequest(
                "cannot \(request.subresource) into a container in a completed pod; current phase is \(phase)"))
        }
        let headers = httpRequest.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let upgrade = NodeUpgradeRequest(method: httpRequest.method.rawValue, headers: headers)
        do {
            switch try await nodeStreams.proxyUpgrade(request, upgrade: upgrade, client: channel) {
            case .upgraded:
                // The connection now belongs to the tunnel and is closed: nothing reaches the client.
                return Response(status: .switchingProtocols)
            case .refused(let status, let contentType, let body):
                var fields = HTTPFields()
                fields[.contentType] = contentType ?? "application/json"
                return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
            }
        } catch let error as NodeStreamError {
            return JSONResponses.make(error.code, StatusDocument.failure(code: error.code, reason: error.reason, message: error.message))
        } catch {
            return JSONResponses.make(StatusDocument.serviceUnavailable("\(described): \(error)"))
        }
    }
}
