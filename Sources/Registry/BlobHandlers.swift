import Hummingbird
import NIOCore
import OCI

/// `GET`/`HEAD`/`DELETE /v2/<name>/blobs/<digest>`.
extension RegistryResponder {
    /// Size of the chunks read from disk for a blob response: large enough that a 50 MB
    /// layer is a few dozen reads, small enough to keep memory per download flat.
    static let blobChunkLength = 512 * 1024

    func getBlob(name: String, digest digestString: String, request: Request) async throws -> Response {
        let digest = try parseDigest(digestString)
        try await requireRepository(name)
        guard let size = try await store.linkedBlobSize(name, digest) else {
            throw RegistryError.blobUnknown(digest.description)
        }
        var headers: HTTPFields = [
            .dockerContentDigest: digest.description,
            .contentType: "application/octet-stream",
            .acceptRanges: "bytes",
            .eTag: "\"\(digest)\"",
        ]
        // Nil for an empty blob, which has no byte to address.
        var range: ClosedRange<Int64>? = size > 0 ? 0...(size - 1) : nil
        var status = HTTPResponse.Status.ok
        if let rangeHeader = request.headers[.range] {
            guard let requested = ByteRanges.parseRange(rangeHeader, size: size) else {
                throw RegistryError(.rangeInvalid, "requested range not satisfiable",
                                    detail: "\(rangeHeader) of a \(size)-byte blob",
                                    status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound)/\(size)"
        }
        headers[.contentLength] = String(range?.count ?? 0)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let path = store.layout.blob(digest)
        let body = ResponseBody(contentLength: range.count) { writer in
            try await BlobReader.stream(path: path, range: range, chunkLength: Self.blobChunkLength, to: &writer)
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Removes the blob from this repository (other repositories keep it; unreferenced
    /// content is not collected).
    func deleteBlob(name: String, digest digestString: String) async throws -> Response {
        let digest = try parseDigest(digestString)
        try await requireRepository(name)
        guard try await store.unlinkBlob(name, digest) else { throw RegistryError.blobUnknown(digest.description) }
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }
}
