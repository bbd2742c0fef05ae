import APIModel
import AsyncHTTPClient
import Foundation
import Testing

@testable import APIServer

/// Resource URLs through the router into the REST handlers and back, over a live server.
@Suite("APIServer resource routing", .serialized)
struct APIServerResourceRoutingTests {
    static let configMap: JSONValue = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": "settings", "labels": ["app": "web"]], "data": ["mode": "fast"],
    ]

    @Test("create, get, list, update, patch and delete a config map")
    func crudRound() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let collection = server.baseURL + "/api/v1/namespaces/default/configmaps"
            let created = try await client.sendJSON(.POST, collection, Self.configMap)
            #expect(created.status == 201)
            #expect(created.json?["metadata"]?["uid"]?.stringValue?.isEmpty == false)

            let fetched = try await client.send(.GET, collection + "/settings")
            #expect(fetched.status == 200)
            #expect(fetched.json?["data"]?["mode"] == "fast")

            let listed = try await client.send(.GET, collection + "?labelSelector=app%3Dweb")
            #expect(listed.json?["kind"] == "ConfigMapList")
            #expect(listed.json?["items"]?.arrayValue?.count == 1)
            #expect(listed.json?["metadata"]?["resourceVersion"]?.stringValue?.isEmpty == false)

            var changed = fetched.json ?? .null
            changed["data"] = ["mode": "slow"]
            let updated = try await client.sendJSON(.PUT, collection + "/settings", changed)
            #expect(updated.status == 200)
            #expect(updated.json?["data"]?["mode"] == "slow")

            let patched = try await client.send(.PATCH, collection + "/settings",
                                                headers: [("Content-Type", "application/merge-patch+json")],
                                                body: Array(#"{"data":{"extra":"yes"}}"#.utf8))
            #expect(patched.status == 200)
            #expect(patched.json?["data"]?["extra"] == "yes")

            let deleted = try await client.send(.DELETE, collection + "/settings")
            #expect(deleted.status == 200)
            let gone = try await client.send(.GET, collection + "/settings")
            #expect(gone.status == 404)
            #expect(gone.json?["reason"] == "NotFound")
        }
    }

    @Test("Table output carries the resource's columns and row metadata")
    func tableOutput() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
            let table = try await client.send(.GET, server.baseURL + "/api/v1/namespaces?limit=500", headers: [("Accept", accept)])
            #expect(table.json?["kind"] == "Table")
            let columns = table.json?["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(columns.first == "Name")
            #expect(columns.contains("Age"))
            let rows = table.json?["rows"]?.arrayValue ?? []
            #expect(rows.contains { $0["object"]?["metadata"]?["name"] == "default" })
            #expect(table.json?["metadata"]?["resourceVersion"]?.stringValue?.isEmpty == false)

            let one = try await client.send(.GET, server.baseURL + "/api/v1/namespaces/default", headers: [("Accept", accept)])
            #expect(one.json?["kind"] == "Table")
            #expect(one.json?["rows"]?.arrayValue?.count == 1)
        }
    }

    @Test("warnings become Warning headers; metadata-only lists when asked")
    func warningsAndPartialMetadata() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let collection = server.baseURL + "/api/v1/namespaces/default/configmaps"
            var body = Self.configMap
            body["bogus"] = 1
            let warned = try await client.sendJSON(.POST, collection + "?fieldValidation=Warn", body)
            #expect(warned.status == 201)
            #expect(warned.headers["warning"].contains { $0.hasPrefix("299 - \"") && $0.contains("bogus") })

            let accept = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"
            let partial = try await client.send(.GET, collection, headers: [("Accept", accept)])
            #expect(partial.json?["kind"] == "PartialObjectMetadataList")
            #expect(partial.json?["items"]?[0]?["metadata"]?["name"] == "settings")
            #expect(partial.json?["items"]?[0]?["data"] == nil)
        }
    }

    @Test("methods a URL does not serve get 405, unknown resources 404, each a Status")
    func routingErrors() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let put = try await client.sendJSON(.PUT, server.baseURL + "/api/v1/namespaces/default/configmaps", Self.configMap)
            #expect(put.status == 405)
            #expect(put.json?["kind"] == "Status")
            let unknown = try await client.send(.GET, server.baseURL + "/api/v1/namespaces/default/widgets")
            #expect(unknown.status == 404)
            #expect(unknown.json?["kind"] == "Status")
            let log = try await client.send(.GET, server.baseURL + "/api/v1/namespaces/default/pods/nope/log")
            #expect(log.status == 404)
        }
    }
}
