import APIModel
import AsyncHTTPClient
import Foundation
import Testing

@testable import APIServer

/// Bad request bodies over HTTP: each answered with a 4xx Status that names the problem.
@Suite("APIServer bad input", .serialized)
struct APIServerBadInputTests {
    @Test("malformed JSON and YAML, oversize bodies and unknown content types")
    func badBodies() async throws {
        try await withLiveServer(tls: false, maxRequestBodyBytes: 64 * 1024) { server in
            let client = server.admin
            let collection = server.baseURL + "/api/v1/namespaces/default/configmaps"

            let json = try await client.send(.POST, collection, headers: [("Content-Type", "application/json")],
                                             body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x""#.utf8))
            #expect(json.status == 400)
            #expect(json.json?["kind"] == "Status")

            let yaml = try await client.send(.POST, collection, headers: [("Content-Type", "application/yaml")],
                                             body: Array("apiVersion: v1\nkind: ConfigMap\nmetadata: [name: {x\n".utf8))
            #expect(yaml.status == 400)
            #expect(yaml.json?["kind"] == "Status")

            let big: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"],
                                  "data": ["blob": .string(String(repeating: "x", count: 100 * 1024))]]
            let oversize = try await client.sendJSON(.POST, collection, big)
            #expect(oversize.status == 413)
            #expect(oversize.json?["reason"] == "RequestEntityTooLarge")
            #expect(oversize.json?["message"]?.stringValue?.contains("limit") == true)

            let unknown = try await client.send(.POST, collection, headers: [("Content-Type", "text/csv")],
                                                body: Array("a,b".utf8))
            #expect(unknown.status == 415)
            #expect(unknown.json?["kind"] == "Status")

            for result in [json, yaml, oversize, unknown] {
                #expect(result.status < 500)
                #expect(result.json?["message"]?.stringValue?.isEmpty == false)
            }
            let stillThere = try await client.send(.GET, collection + "/big")
            #expect(stillThere.status == 404)
        }
    }
}
