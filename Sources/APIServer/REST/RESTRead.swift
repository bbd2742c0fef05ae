import APIModel

extension RESTHandler {
    /// GET of one object (or of its `/status`, which is the same object); `resourceVersion=0`
    /// may be served from the watch cache.
    func get(_ request: RESTRequest) async throws -> RESTResponse {
        let stored = try await storageCall {
            try await storage.get(request.resource, namespace: request.namespace, name: request.name ?? "",
                                  resourceVersion: request.queryValue("resourceVersion"))
        }
        return RESTResponse(code: 200, payload: .object(stored.object))
    }

    /// LIST with selectors, paging and resourceVersion semantics (all resolved by storage).
    func list(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try parseListOptions(request)
        let result = try await storageCall { try await storage.list(request.resource, namespace: request.namespace, options: options) }
        return RESTResponse(code: 200, payload: .list(items: result.items.map(\.object), resourceVersion: String(result.resourceVersion),
                                                       continueToken: result.continueToken, remainingItemCount: result.remainingItemCount))
    }

    /// The list query parameters; a malformed selector, limit or match → 400 naming it.
    func parseListOptions(_ request: RESTRequest) throws -> ListOptions {
        var options = ListOptions()
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            do { options.labelSelector = try LabelSelector(parsing: text) } catch {
                throw APIError.badRequest("unable to parse requirement: \(error)")
            }
        }
        if let text = request.queryValue("fieldSelector"), !text.isEmpty {
            do { options.fieldSelector = try FieldSelector(parsing: text) } catch {
                throw APIError.badRequest("\(error)")
            }
        }
        if let text = request.queryValue("limit"), !text.isEmpty {
            guard let limit = Int(text), limit >= 0 else { throw APIError.badRequest("invalid limit \"\(text)\": must be a non-negative integer") }
            options.limit = limit > 0 ? limit : nil
        }
        if let token = request.queryValue("continue"), !token.isEmpty { options.continueToken = token }
        if let rv = request.queryValue("resourceVersion"), !rv.isEmpty {
            guard Int64(rv) != nil else {
                throw APIError.badRequest("invalid resource version \"\(rv)\": resourceVersion must be an integer")
            }
            options.resourceVersion = rv
        }
        if let match = request.queryValue("resourceVersionMatch"), !match.isEmpty {
            guard match == "NotOlderThan" || match == "Exact" else {
                throw APIError.invalid(qualifiedKind: "ListOptions.meta.k8s.io", group: "meta.k8s.io", kind: "ListOptions", name: "",
                                       errors: [.notSupported(FieldPath("resourceVersionMatch"), .string(match), ["Exact", "NotOlderThan"])])
            }
            guard options.resourceVersion != nil else {
                throw APIError.invalid(qualifiedKind: "ListOptions.meta.k8s.io", group: "meta.k8s.io", kind: "ListOptions", name: "",
                                       errors: [.forbidden(FieldPath("resourceVersionMatch"),
                                                           "resourceVersionMatch is forbidden unless resourceVersion is provided")])
            }
            options.resourceVersionMatch = match
        }
        return options
    }
}
