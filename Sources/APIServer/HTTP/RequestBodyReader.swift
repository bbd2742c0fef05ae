import Hummingbird

/// Reads a request body into memory, refusing more than the limit (→ 413) without buffering it:
/// a declared Content-Length over the limit fails before a byte is read.
enum RequestBodyReader {
    struct TooLarge: Error {}

    static func read(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw TooLarge() }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else { throw TooLarge() }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}
