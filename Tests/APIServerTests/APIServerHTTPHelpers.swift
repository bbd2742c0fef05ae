import APIModel
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A whole response, read into memory.
struct HTTPResult: Sendable {
    var status: Int
    var version: HTTPVersion
    var headers: HTTPHeaders
    var body: [UInt8]

    var json: JSONValue? { try? JSONValue.parse(body).value }
    var text: String { String(decoding: body, as: UTF8.self) }
    var contentType: String? { headers.first(name: "content-type") }
}

extension HTTPClient {
    /// Sends one request and reads the whole response.
    func send(_ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [],
              body: [UInt8]? = nil) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return HTTPResult(status: Int(response.status.code), version: response.version, headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func sendJSON(_ method: HTTPMethod, _ url: String, _ object: JSONValue, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(method, url, headers: [("Content-Type", "application/json")] + headers, body: object.encoded())
    }
}
