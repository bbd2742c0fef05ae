import APIModel
import AsyncHTTPClient
import Foundation
import KVStore
import NIOCore
import Testing

@testable import APIServer

/// Watches over HTTP: chunked JSON lines in order, ended by `timeoutSeconds`, 410 when the
/// requested resourceVersion is compacted away, Table-shaped events when asked.
@Suite("APIServer watch over HTTP", .serialized)
struct APIServerWatchHTTPTests {
    /// Reads a watch response to its end, one parsed event per line.
    static func readEvents(_ client: HTTPClient, _ url: String, headers: [(String, String)] = []) async throws -> (status: Int, contentType: String?, events: [JSONValue]) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(120))
        var pending: [UInt8] = []
        var events: [JSONValue] = []
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[..<newline]
                if !line.isEmpty { events.append(try JSONValue.parse(line).value) }
                pending.removeSubrange(...newline)
            }
        }
        return (Int(response.status.code), response.headers.first(name: "content-type"), events)
    }

    static func configMap(_ name: String, _ value: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["v": .string(value)]]
    }

    @Test("events arrive in order as JSON lines and timeoutSeconds ends the stream")
    func eventsInOrder() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let collection = server.baseURL + "/api/v1/namespaces/default/configmaps"
            let list = try await client.send(.GET, collection)
            let listRV = list.json?["metadata"]?["resourceVersion"]?.stringValue ?? "0"
            #expect(try await client.sendJSON(.POST, collection, Self.configMap("w", "1")).status == 201)
            #expect(try await client.send(.PATCH, collection + "/w", headers: [("Content-Type", "application/merge-patch+json")],
                                          body: Array(#"{"data":{"v":"2"}}"#.utf8)).status == 200)
            #expect(try await client.send(.DELETE, collection + "/w").status == 200)

            let watched = try await Self.readEvents(
                client, collection + "?watch=true&resourceVersion=\(listRV)&timeoutSeconds=2&allowWatchBookmarks=true")
            #expect(watched.status == 200)
            #expect(watched.contentType == "application/json")
            let changes = watched.events.filter { $0["type"] != "BOOKMARK" }
            #expect(changes.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "MODIFIED", "DELETED"])
            #expect(changes.allSatisfy { $0["object"]?["metadata"]?["name"] == "w" })
            #expect(changes.dropFirst().first?["object"]?["data"]?["v"] == "2")
        }
    }

    @Test("a watch from a resourceVersion older than the watch cache gets one ERROR event with a 410 Status")
    func expired() async throws {
        // History written and compacted before the server starts: the cache begins after it.
        let prepare: @Sendable (any KeyValueStore) async throws -> Void = { store in
            for index in 0..<5 {
                _ = try await store.put(KV.PutRequest(key: Array("/registry/unrelated/\(index)".utf8), value: Array("{}".utf8)))
            }
            _ = try await store.compact(KV.CompactionRequest(revision: try await store.currentRevision()))
        }
        try await withLiveServer(tls: false, prepare: prepare) { server in
            let client = server.admin
            let collection = server.baseURL + "/api/v1/namespaces/default/configmaps"
            let watched = try await Self.readEvents(client, collection + "?watch=1&resourceVersion=2&timeoutSeconds=5")
            #expect(watched.status == 200)
            #expect(watched.events.count == 1)
            #expect(watched.events.first?["type"] == "ERROR")
            #expect(watched.events.first?["object"]?["code"] == 410)
            #expect(watched.events.first?["object"]?["reason"] == "Expired")
        }
    }

    @Test("with the Table Accept header each event carries a one-row Table")
    func tableEvents() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            let watched = try await Self.readEvents(
                client, server.baseURL + "/api/v1/namespaces?watch=true&timeoutSeconds=1", headers: [("Accept", accept)])
            #expect(watched.events.count >= 4)
            #expect(watched.events.allSatisfy { $0["type"] == "ADDED" && $0["object"]?["kind"] == "Table" })
            #expect(watched.events.first?["object"]?["rows"]?.arrayValue?.count == 1)
        }
    }
}

/// A watch whose client leaves is released on the server: its storage watcher goes away.
@Suite("APIServer watch cleanup", .serialized)
struct APIServerWatchCleanupTests {
    static func watcherCount(_ server: LiveServer) -> Int {
        server.server.storage.cache.state.withLock { state in
            state.resources.values.reduce(0) { $0 + $1.watchers.count }
        }
    }

    /// Polls (with async sleeps, never blocking) until `condition` holds, for at most ~20 s.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test("a client that disconnects mid-watch releases the server's watcher (HTTP/1.1 and HTTP/2)",
          arguments: [false, true])
    func clientLeaves(tls: Bool) async throws {
        try await withLiveServer(tls: tls) { server in
            let url = server.baseURL + "/api/v1/namespaces/default/configmaps?watch=true"
            try await server.withClient(identity: server.pki.admin) { client in
                let reading = Task {
                    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
                    for try await _ in response.body {}
                }
                let registered = try await Self.eventually { Self.watcherCount(server) == 1 }
                #expect(registered)
                reading.cancel()
                _ = await reading.result
                let released = try await Self.eventually { Self.watcherCount(server) == 0 }
                #expect(released)
            }
        }
    }
}
