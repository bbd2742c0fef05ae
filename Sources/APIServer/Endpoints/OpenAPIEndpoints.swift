import APIModel
import Hummingbird

/// `/openapi/v3` (the index of per group-version documents, each URL carrying `?hash=`) and
/// the documents themselves. `/openapi/v2` is a 404, which kubectl tolerates.
enum OpenAPIEndpoints {
    static func respond(path: [String], query: URLQuery, documents: OpenAPIDocuments = .shared) -> Response {
        guard path.count >= 2, path[0] == "openapi" else { return JSONResponses.make(StatusDocument.notFound()) }
        guard path[1] == "v3" else { return JSONResponses.make(StatusDocument.notFound()) }
        if path.count == 2 { return JSONResponses.make(200, documents.root) }
        let key = path.dropFirst(2).joined(separator: "/")
        guard let bytes = documents.document(path: key) else { return JSONResponses.make(StatusDocument.notFound()) }
        var response = JSONResponses.bytes(200, bytes)
        if let hash = query["hash"], hash == documents.hashes[key] {
            // The URL names the content: clients may cache it for good.
            response.headers[.cacheControl] = "public, immutable"
        }
        if let hash = documents.hashes[key] { response.headers[.eTag] = "\"\(hash)\"" }
        return response
    }
}
