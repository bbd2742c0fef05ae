import Hummingbird
import NIOCore
import OCI

/// `GET /v2/<name>/tags/list`, `GET /v2/_catalog` and `GET /v2/<name>/referrers/<digest>`.
extension RegistryResponder {
    func listTags(name: String, request: Request) async throws -> Response {
        try await requireRepository(name)
        let all = try await store.tags(name)
        let page = try Pagination(request: request).apply(to: all)
        var response = try jsonResponse(TagList(name: name, tags: page.items))
        if let next = page.nextLast, let n = page.limit {
            response.headers[.link] = "</v2/\(name)/tags/list?n=\(n)&last=\(next)>; rel=\"next\""
        }
        return response
    }

    func catalog(_ request: Request) async throws -> Response {
        let all = try await store.repositories()
        let page = try Pagination(request: request).apply(to: all)
        var response = try jsonResponse(Catalog(repositories: page.items))
        if let next = page.nextLast, let n = page.limit {
            response.headers[.link] = "</v2/_catalog?n=\(n)&last=\(next)>; rel=\"next\""
        }
        return response
    }

    /// An image index listing the manifests whose `subject` is `digest`; empty (not 404)
    /// when there are none, as the spec requires.
    func listReferrers(name: String, digest digestString: String, request: Request) async throws -> Response {
        let subject = try parseDigest(digestString)
        try await requireRepository(name)
        var descriptors = try await store.referrers(name, subject: subject)
        let filter = request.uri.queryParameters.get("artifactType")
        if let filter {
            descriptors = descriptors.filter { $0.artifactType == filter }
        }
        var response = try jsonResponse(Index(mediaType: MediaType.ociIndex, manifests: descriptors),
                                        contentType: MediaType.ociIndex)
        if filter != nil { response.headers[.ociFiltersApplied] = "artifactType" }
        return response
    }

    private func jsonResponse<T: Encodable>(_ value: T, contentType: String = "application/json") throws -> Response {
        let buffer = try RegistryJSON.encode(value)
        return Response(status: .ok, headers: [.contentType: contentType, .contentLength: String(buffer.readableBytes)],
                        body: ResponseBody(byteBuffer: buffer))
    }
}

/// The `n` and `last` query parameters of tag and catalog listings.
struct Pagination {
    /// At most this many entries; nil for all of them.
    var limit: Int?
    /// Only entries after this one, in lexical order.
    var last: String?

    init(request: Request) throws {
        let query = request.uri.queryParameters
        if let n = query.get("n") {
            guard let value = Int(n), value >= 0 else {
                throw RegistryError(.unsupported, "invalid page size n", detail: n, status: .badRequest)
            }
            limit = value
        }
        last = query.get("last")
    }

    /// One page of `sorted`, and the `last` value of the next page when more remain.
    func apply(to sorted: [String]) -> (items: [String], nextLast: String?, limit: Int?) {
        var remaining = sorted[...]
        if let last { remaining = remaining.drop(while: { $0 <= last }) }
        guard let limit else { return (Array(remaining), nil, nil) }
        let items = Array(remaining.prefix(limit))
        let more = remaining.count > limit && limit > 0
        return (items, more ? items.last : nil, limit)
    }
}
