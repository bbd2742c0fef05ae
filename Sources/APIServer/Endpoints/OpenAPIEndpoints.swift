import APIModel
import Foundation
import Hummingbird

/// `/openapi/v3` (the index of per group-version documents, each URL carrying `?hash=`) and
/// the documents themselves; `/openapi/v2` (and its old name `/swagger-2.0.0.pb-v1`), the
/// Swagger 2.0 document kubectl 1.27/1.28 need for `apply`, `create`, `replace`, `edit` and
/// `explain`.
enum OpenAPIEndpoints {
    static func respond(path: [String], query: URLQuery, accept: String? = nil, documents: OpenAPIDocuments = .shared,
                        v2: OpenAPIV2Document? = nil) -> Response
    {
        if path == ["swagger-2.0.0.pb-v1"] { return v2Response(v2 ?? .shared, protobuf: true) }
        guard path.count >= 2, path[0] == "openapi" else { return JSONResponses.make(StatusDocument.notFound()) }
        if path[1] == "v2", path.count == 2 { return v2Response(v2 ?? .shared, protobuf: wantsProtobuf(accept)) }
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

    /// kubectl asks for the protobuf form by name; JSON goes to clients that accept JSON (or
    /// anything) but not protobuf. Without an Accept header the caller's preference is unknown,
    /// and protobuf is what the clients that depend on this document read.
    static func wantsProtobuf(_ accept: String?) -> Bool {
        guard let accept, !accept.isEmpty else { return true }
        let types = accept.split(separator: ",").map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
        if types.contains(where: { $0.hasSuffix("+protobuf") || $0 == "application/protobuf" }) { return true }
        return !types.contains(where: { $0 == "application/json" || $0 == "*/*" || $0 == "application/*" })
    }

    static func v2Response(_ document: OpenAPIV2Document, protobuf: Bool) -> Response {
        var response = protobuf
            ? JSONResponses.bytes(200, document.protobuf, contentType: OpenAPIV2Document.protobufMediaType)
            : JSONResponses.bytes(200, document.json)
        response.headers[.eTag] = "\"\(document.hash)\""
        response.headers[.vary] = "Accept"
        return response
    }
}
