import APIModel
import ClusterClient
import ClusterTestSupport
import Testing

@Suite("ClusterClient watch against a real apiserver")
struct ClientWatchTests {
    @Test("a watch from a list's resourceVersion sees add, modify and delete in order")
    func addModifyDelete() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let list = try await client.list(.configMaps, namespace: "default")
            let stream = client.watch(.configMaps, namespace: "default",
                                      options: ListOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 30))
            _ = try await client.create(.configMaps, Fixtures.configMap("w", data: ["v": "1"]))
            _ = try await client.patch(.configMaps, namespace: "default", name: "w", type: .merge, ["data": ["v": "2"]])
            try await client.delete(.configMaps, namespace: "default", name: "w")
            var seen: [WatchEvent] = []
            for try await event in stream {
                if event.type == .bookmark { continue }
                seen.append(event)
                if seen.count == 3 { break }
            }
            #expect(seen.map(\.type) == [.added, .modified, .deleted])
            #expect(seen.allSatisfy { $0.object.name == "w" })
            #expect(seen[1].object["data"]?["v"] == "2")
        }
    }

    @Test("a watch ends when the server's timeoutSeconds passes")
    func serverTimeout() async throws {
        try await withTestCluster { cluster in
            let start = ContinuousClock.now
            for try await _ in cluster.client.watch(.configMaps, namespace: "default", options: ListOptions(timeoutSeconds: 1)) {}
            #expect(ContinuousClock.now - start < .seconds(30))
        }
    }

    @Test("a watch from a resourceVersion older than a restarted apiserver's cache reports 410")
    func gone() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let old = try await client.create(.configMaps, Fixtures.configMap("old")).resourceVersion
            try await cluster.restartAPIServer { try await cluster.storeBumpRevision(writes: 3) }
            var sawGone = false
            do {
                for try await event in client.watch(.configMaps, namespace: "default",
                                                    options: ListOptions(resourceVersion: old, timeoutSeconds: 5)) {
                    if event.type == .error, event.object["code"]?.intValue == 410 { sawGone = true; break }
                }
            } catch let error as ClientError {
                sawGone = error.isGone
            }
            #expect(sawGone)
            // The restarted apiserver still answers the same client.
            #expect(try await client.get(.configMaps, namespace: "default", name: "old").name == "old")
        }
    }
}
