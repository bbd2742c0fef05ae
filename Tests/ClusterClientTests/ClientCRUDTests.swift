import APIModel
import ClusterClient
import ClusterTestSupport
import Testing

@Suite("ClusterClient CRUD against a real apiserver")
struct ClientCRUDTests {
    @Test("create, get, list, update, patch and delete a ConfigMap")
    func roundTrip() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let created = try await client.create(.configMaps, Fixtures.configMap("one", data: ["a": "1"]))
            #expect(created.name == "one")
            #expect(!created.uid.isEmpty)
            #expect(!created.resourceVersion.isEmpty)

            var fetched = try await client.get(.configMaps, namespace: "default", name: "one")
            #expect(fetched["data"]?["a"] == "1")

            fetched["data"]?["a"] = "2"
            let updated = try await client.update(.configMaps, fetched)
            #expect(updated["data"]?["a"] == "2")
            #expect(updated.resourceVersion != created.resourceVersion)

            let list = try await client.list(.configMaps, namespace: "default")
            #expect(list.items.contains { $0.name == "one" && $0["kind"] == "ConfigMap" })
            #expect(!list.resourceVersion.isEmpty)

            let deleted = try await client.delete(.configMaps, namespace: "default", name: "one")
            #expect(deleted.name == "one" || deleted["kind"] == "Status")
            await #expect(throws: ClientError.self) { try await client.get(.configMaps, namespace: "default", name: "one") }
        }
    }

    @Test("a stale resourceVersion conflicts; a missing object is not found; a second create already exists")
    func errors() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let first = try await client.create(.configMaps, Fixtures.configMap("c", data: ["v": "1"]))
            var newer = first
            newer["data"]?["v"] = "2"
            _ = try await client.update(.configMaps, newer)
            var stale = first
            stale["data"]?["v"] = "3"
            do {
                _ = try await client.update(.configMaps, stale)
                Issue.record("a stale update succeeded")
            } catch let error as ClientError {
                #expect(error.isConflict)
                #expect(!error.isAlreadyExists)
            }
            do {
                _ = try await client.get(.configMaps, namespace: "default", name: "missing")
                Issue.record("get of a missing object succeeded")
            } catch let error as ClientError {
                #expect(error.isNotFound)
                #expect(error.reason == "NotFound")
            }
            do {
                _ = try await client.create(.configMaps, Fixtures.configMap("c"))
                Issue.record("a duplicate create succeeded")
            } catch let error as ClientError {
                #expect(error.isAlreadyExists)
                #expect(!error.isConflict)
            }
            do {
                try await client.delete(.configMaps, namespace: "default", name: "c",
                                        options: DeleteOptions(preconditionUID: "not-the-uid"))
                Issue.record("a delete with a wrong uid precondition succeeded")
            } catch let error as ClientError {
                #expect(error.code == 409)
            }
        }
    }

    @Test("merge, JSON, strategic merge and apply patches")
    func patches() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.configMaps, Fixtures.configMap("p", data: ["a": "1"]))
            let merged = try await client.patch(.configMaps, namespace: "default", name: "p", type: .merge, ["data": ["b": "2"]])
            #expect(merged["data"]?["a"] == "1" && merged["data"]?["b"] == "2")
            let jsonPatched = try await client.patch(.configMaps, namespace: "default", name: "p", type: .json,
                                                     [["op": "remove", "path": "/data/a"]])
            #expect(jsonPatched["data"]?["a"] == nil && jsonPatched["data"]?["b"] == "2")
            let strategic = try await client.patch(.configMaps, namespace: "default", name: "p", type: .strategicMerge,
                                                   ["metadata": ["labels": ["x": "y"]]])
            #expect(strategic.labels == ["x": "y"])
            let applied = try await client.patch(
                .configMaps, namespace: "default", name: "applied", type: .apply,
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["k": "v"]],
                fieldManager: "tester", force: true)
            #expect(applied["data"]?["k"] == "v")
            let managers = applied["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("tester"))
        }
    }

    @Test("listAll follows continue tokens; selectors filter; deleteCollection removes the selected")
    func pagingAndCollections() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            for index in 0..<7 {
                _ = try await client.create(.configMaps, Fixtures.configMap("page-\(index)", labels: ["set": index % 2 == 0 ? "even" : "odd"]))
            }
            let firstPage = try await client.list(.configMaps, namespace: "default", options: ListOptions(limit: 3))
            #expect(firstPage.items.count == 3)
            #expect(firstPage.continueToken != nil)
            let all = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(limit: 3))
            #expect(Set(all.items.map(\.name)).isSuperset(of: Set((0..<7).map { "page-\($0)" })))
            let even = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(labelSelector: "set in (even)"))
            #expect(even.items.count == 4)
            try await client.deleteCollection(.configMaps, namespace: "default", options: ListOptions(labelSelector: "set=odd"))
            let left = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(labelSelector: "set"))
            #expect(Set(left.items.map(\.name)) == ["page-0", "page-2", "page-4", "page-6"])
        }
    }

    @Test("typed views, status and binding subresources, raw requests")
    func typedAndSubresources() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(Node(Fixtures.node("worker")))
            let pod = try await client.create(Pod(Fixtures.pod("bind-me")))
            #expect(pod.nodeName == nil)
            let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding",
                                      "metadata": ["name": "bind-me", "namespace": "default"],
                                      "target": ["apiVersion": "v1", "kind": "Node", "name": "worker"]]
            _ = try await client.create(.pods, namespace: "default", binding, name: "bind-me", subresource: "binding")
            var bound = try await client.get(Pod.self, namespace: "default", name: "bind-me")
            #expect(bound.nodeName == "worker")
            bound.phase = "Running"
            let running = try await client.updateStatus(bound)
            #expect(running.phase == "Running")
            let nodes = try await client.list(Node.self)
            #expect(nodes.map(\.name).contains("worker"))
            let version = try await client.raw(method: "GET", path: "/version")
            #expect(version.status == 200)
            #expect(String(decoding: version.body, as: UTF8.self).contains("gitVersion"))
        }
    }
}
