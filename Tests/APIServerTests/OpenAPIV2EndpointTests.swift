import APIModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import APIServer

/// `/openapi/v2`: the gnostic protobuf kubectl asks for by name, Swagger JSON for JSON-only
/// clients, and the old `/swagger-2.0.0.pb-v1` name.
@Suite("OpenAPI v2 endpoint", .serialized)
struct OpenAPIV2EndpointTests {
    static let protobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    /// The answer's type: `@` would not parse as a media type in Go's `mime` package.
    static let protobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// Collects a Hummingbird response body (the writer is consumed, so bytes go to a box).
    final class Sink { var bytes: [UInt8] = [] }
    struct Collector: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws { sink.bytes += Array(buffer.readableBytesView) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    static func body(_ response: Response) async throws -> [UInt8] {
        let sink = Sink()
        try await response.body.write(Collector(sink: sink))
        return sink.bytes
    }

    static func respond(_ path: [String], accept: String?) -> Response {
        OpenAPIEndpoints.respond(path: path, query: URLQuery(nil), accept: accept)
    }

    @Test("content negotiation: protobuf by name or by default, JSON for JSON-only clients")
    func negotiation() async throws {
        let shared = OpenAPIV2Document.shared
        for accept in [Self.protobufAccept, Self.protobufType, Self.protobufAccept + ", application/json", nil, "application/vnd.kubernetes.protobuf"] {
            let response = Self.respond(["openapi", "v2"], accept: accept)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == Self.protobufType, "\(accept ?? "no Accept")")
            #expect(try await Self.body(response) == shared.protobuf)
            #expect(response.headers[.eTag] == "\"\(shared.hash)\"")
        }
        for accept in ["application/json", "application/json;q=0.9, */*;q=0.8", "*/*"] {
            let response = Self.respond(["openapi", "v2"], accept: accept)
            #expect(response.headers[.contentType] == "application/json", "\(accept)")
            let json = try JSONValue.parse(try await Self.body(response)).value
            #expect(json["swagger"] == "2.0")
            #expect(json["definitions"]?["io.k8s.api.apps.v1.Deployment"] != nil)
        }
        let legacy = Self.respond(["swagger-2.0.0.pb-v1"], accept: "application/json")
        #expect(legacy.headers[.contentType] == Self.protobufType)
        #expect(try await Self.body(legacy) == shared.protobuf)
        #expect(Self.respond(["openapi", "v2", "extra"], accept: nil).status == .notFound)
        #expect(Self.respond(["openapi", "v3"], accept: nil).status == .ok)
    }

    @Test("served by a live server the way kubectl asks for it")
    func live() async throws {
        try await withLiveServer(tls: false) { server in
            let response = try await server.admin.send(.GET, server.baseURL + "/openapi/v2?timeout=32s",
                                                       headers: [("Accept", Self.protobufAccept)])
            #expect(response.status == 200)
            #expect(response.contentType == Self.protobufType)
            #expect(response.body == OpenAPIV2Document.shared.protobuf)
            // The message opens with field 1, `swagger: "2.0"`.
            #expect(Array(response.body.prefix(5)) == [0x0A, 0x03] + Array("2.0".utf8))
        }
    }
}
