import APIModel
@testable import APIServer
import Foundation
import Testing

/// kubectl 1.32's typed-client writes arrive as protobuf; the bodies are the ones captured
/// from real kubectl for the protobuf decoder's own tests.
@Suite("REST protobuf bodies", .serialized)
struct RESTProtobufTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("APIModelTests/Fixtures/Protobuf")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name + ".bin")))
    }

    @Test func createAndDeleteWithProtobufBodies() async throws {
        try await withRESTHandler { h in
            let proto = KubernetesProtobuf.mediaType
            let ns = try await h.handle(request(.create, R.namespaces, raw: try Self.fixture("namespace"), contentType: proto))
            #expect(ns.code == 201)
            #expect(ns.body["status"]?["phase"] == "Active")
            let cm = try await h.handle(request(.create, R.configmaps, raw: try Self.fixture("configmap"), contentType: proto,
                                                query: ["fieldValidation": "Strict"]))
            #expect(cm.code == 201)
            #expect(cm.body["data"]?["level"] == "3")
            let name = cm.body.metaString("name") ?? ""
            let deleted = try await h.handle(request(.delete, R.configmaps, name: name, raw: try Self.fixture("drain-delete"),
                                                     contentType: proto))
            #expect(deleted.code == 200)
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: name), code: 404)
            // Garbage in the protobuf media type: 400, nothing written.
            _ = try await expectAPIError(h, request(.create, R.configmaps, raw: [0x6b, 0x38, 0x73, 0x00, 0xff, 0xff], contentType: proto),
                                         code: 400)
        }
    }
}
