import APIModel

extension RESTHandler {
    /// Routes `/status`, `/scale`, `/binding`, `/eviction` and `/finalize`; any other
    /// subresource (log, exec, attach, portforward, proxy, token…) is the router's or not served.
    func handleSubresource(_ sub: String, _ request: RESTRequest) async throws -> RESTResponse {
        switch (sub, request.verb) {
        case ("status", .get): return try await get(request)
        case ("status", .update): return try await update(request, scope: .status)
        case ("status", .patch): return try await patch(request, scope: .status)
        case ("finalize", .update): return try await update(request, scope: .finalize)
        case ("scale", .get): return try await getScale(request)
        case ("scale", .update): return try await updateScale(request)
        case ("scale", .patch): return try await patchScale(request)
        case ("binding", .create): return try await bind(request)
        case ("eviction", .create): return try await evict(request)
        default:
            throw APIError.methodNotAllowed(request.resource, verb: request.verb.rawValue)
        }
    }

    /// The Success Status the pod subresources answer with (201).
    static func successStatus(code: Int) -> JSONValue {
        ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success", "code": .int(Int64(code))]
    }
}
