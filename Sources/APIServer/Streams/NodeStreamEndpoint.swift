import APIModel
import Hummingbird
import NIOCore
import PKI

/// `pods/{log,exec,attach,portforward,proxy}` and `nodes/proxy`, `services/proxy`: checks the
/// object exists (so a missing pod is a 404 like in Kubernetes), then hands the request to the
/// node agent through `NodeStreams`. Without an agent, or for streams the seam does not carry
/// yet (exec, attach and port-forward need WebSocket upgrades), the answer is a 503 Status.
struct NodeStreamEndpoint: Sendable {
    let rest: RESTHandler
    let nodeStreams: (any NodeStreams)?

    func respond(resource: ResourceInfo, subresource: String, path: ResourcePath, query: URLQuery,
                 user: AuthenticatedUser) async -> Response {
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
        guard subresource == "log" else {
            return JSONResponses.make(StatusDocument.serviceUnavailable("\(subresource) is not supported for \(described) yet"))
        }
        let request = NodeStreamRequest(subresource: subresource, namespace: path.namespace, name: name, object: object,
                                        query: query.values, user: user)
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
