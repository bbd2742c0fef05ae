import APIModel
import APIServer
import KVStore
import Testing

@Suite(.serialized) struct StorageCRUDTests {
    let cms = StorageFixtures.configMaps

    @Test func createGetUpdateDelete() async throws {
        try await withTestStorage { storage, store in
            let created = try await storage.create(
                cms, namespace: "default", name: "a", object: StorageFixtures.configMap("a", data: ["k": "1"]), dryRun: false)
            #expect(created.resourceVersion > 0)
            #expect(created.object["metadata"]?["resourceVersion"]?.stringValue == String(created.resourceVersion))

            // The stored bytes carry no resourceVersion; it is stamped on read.
            let raw = try await store.range(KV.RangeRequest(key: Array("/registry/core/configmaps/default/a".utf8)))
            let stored = try JSONValue.parse(try #require(raw.kvs.first).value).value
            #expect(stored["metadata"]?["resourceVersion"] == nil)

            let got = try await storage.get(cms, namespace: "default", name: "a")
            #expect(got.resourceVersion == created.resourceVersion)
            #expect(got.object == created.object)
            // resourceVersion "0": any version will do (the cache's, once it has one).
            let anyVersion = try await storage.get(cms, namespace: "default", name: "a", resourceVersion: "0")
            #expect(anyVersion.object["metadata"]?["name"]?.stringValue == "a")

            await #expect(throws: StorageError.self) {
                try await storage.create(cms, namespace: "default", name: "a", object: StorageFixtures.configMap("a"), dryRun: false)
            }
            do {
                _ = try await storage.create(cms, namespace: "default", name: "a", object: StorageFixtures.configMap("a"), dryRun: false)
            } catch let error as StorageError {
                #expect(error.code == 409)
                #expect(error.reason == "AlreadyExists")
                #expect(error.status["details"]?["name"]?.stringValue == "a")
                #expect(error.status["details"]?["kind"]?.stringValue == "configmaps")
                #expect(error.message == #"configmaps "a" already exists"#)
            }

            let (updated, createdByUpdate) = try await storage.update(
                cms, namespace: "default", name: "a", dryRun: false, allowCreate: false
            ) { current in
                var object = try #require(current).object
                object["data"] = ["k": "2"]
                return object
            }
            #expect(!createdByUpdate)
            #expect(updated.resourceVersion > created.resourceVersion)
            #expect(updated.object["data"]?["k"]?.stringValue == "2")

            // An unchanged result writes nothing.
            let before = try await storage.currentResourceVersion()
            let (same, _) = try await storage.update(cms, namespace: "default", name: "a", dryRun: false, allowCreate: false) {
                try #require($0).object
            }
            #expect(same.resourceVersion == updated.resourceVersion)
            #expect(try await storage.currentResourceVersion() == before)

            let deleted = try await storage.delete(cms, namespace: "default", name: "a", preconditions: .none, dryRun: false)
            #expect(deleted.object["data"]?["k"]?.stringValue == "2")
            #expect(deleted.resourceVersion > updated.resourceVersion)
            await #expect(throws: StorageError.self) { try await storage.get(cms, namespace: "default", name: "a") }
            do {
                _ = try await storage.delete(cms, namespace: "default", name: "a", preconditions: .none, dryRun: false)
                Issue.record("deleting a missing object must fail")
            } catch let error as StorageError {
                #expect(error.code == 404)
                #expect(error.message == #"configmaps "a" not found"#)
            }
        }
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let first = try await storage.create(cms, namespace: "default", name: "c", object: StorageFixtures.configMap("c"), dryRun: false)
            _ = try await storage.update(cms, namespace: "default", name: "c", dryRun: false, allowCreate: false) { current in
                var object = try #require(current).object
                object["data"] = ["x": "1"]
                return object
            }
            // A client's update carrying the first resourceVersion: the transform refuses it.
            let clientVersion = first.resourceVersion
            do {
                _ = try await storage.update(cms, namespace: "default", name: "c", dryRun: false, allowCreate: false) { current in
                    guard let current, current.resourceVersion == clientVersion else {
                        throw StorageError.staleResourceVersion(cms, name: "c")
                    }
                    return current.object
                }
                Issue.record("a stale update must be refused")
            } catch let error as StorageError {
                #expect(error.code == 409)
                #expect(error.reason == "Conflict")
                #expect(error.message.contains("the object has been modified"))
            }
        }
    }

    @Test func deletePreconditions() async throws {
        try await withTestStorage { storage, _ in
            var object = StorageFixtures.configMap("d")
            object.modify("metadata") { $0?["uid"] = "uid-1" }
            let created = try await storage.create(cms, namespace: "default", name: "d", object: object, dryRun: false)
            do {
                _ = try await storage.delete(
                    cms, namespace: "default", name: "d", preconditions: DeletePreconditions(uid: "uid-2"), dryRun: false)
                Issue.record("a uid precondition mismatch must fail")
            } catch let error as StorageError {
                #expect(error.code == 409)
                #expect(error.message.contains("uid-2"))
            }
            do {
                _ = try await storage.delete(
                    cms, namespace: "default", name: "d",
                    preconditions: DeletePreconditions(resourceVersion: String(created.resourceVersion + 100)), dryRun: false)
                Issue.record("a resourceVersion precondition mismatch must fail")
            } catch let error as StorageError {
                #expect(error.code == 409)
            }
            let deleted = try await storage.delete(
                cms, namespace: "default", name: "d",
                preconditions: DeletePreconditions(uid: "uid-1", resourceVersion: String(created.resourceVersion)), dryRun: false)
            #expect(deleted.object["metadata"]?["uid"]?.stringValue == "uid-1")
        }
    }

    @Test func dryRunNeverWrites() async throws {
        try await withTestStorage { storage, _ in
            let start = try await storage.currentResourceVersion()
            let wouldBe = try await storage.create(
                cms, namespace: "default", name: "dry", object: StorageFixtures.configMap("dry"), dryRun: true)
            #expect(StorageFixtures.name(wouldBe.object) == "dry")
            #expect(try await storage.currentResourceVersion() == start)
            await #expect(throws: StorageError.self) { try await storage.get(cms, namespace: "default", name: "dry") }

            _ = try await storage.create(cms, namespace: "default", name: "real", object: StorageFixtures.configMap("real"), dryRun: false)
            let afterCreate = try await storage.currentResourceVersion()
            let (preview, _) = try await storage.update(cms, namespace: "default", name: "real", dryRun: true, allowCreate: false) { current in
                var object = try #require(current).object
                object["data"] = ["k": "v"]
                return object
            }
            #expect(preview.object["data"]?["k"]?.stringValue == "v")
            _ = try await storage.delete(cms, namespace: "default", name: "real", preconditions: .none, dryRun: true)
            #expect(try await storage.currentResourceVersion() == afterCreate)
            let still = try await storage.get(cms, namespace: "default", name: "real")
            #expect(still.object["data"] == nil)
        }
    }

    @Test func updateCanCreate() async throws {
        try await withTestStorage { storage, _ in
            await #expect(throws: StorageError.self) {
                try await storage.update(self.cms, namespace: "default", name: "u", dryRun: false, allowCreate: false) { _ in
                    StorageFixtures.configMap("u")
                }
            }
            let (object, created) = try await storage.update(cms, namespace: "default", name: "u", dryRun: false, allowCreate: true) { current in
                #expect(current == nil)
                return StorageFixtures.configMap("u")
            }
            #expect(created)
            #expect(object.resourceVersion > 0)
        }
    }

    @Test func concurrentGuaranteedUpdatesLoseNothing() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            _ = try await storage.create(
                cms, namespace: "default", name: "counter", object: StorageFixtures.configMap("counter", data: ["n": "0"]), dryRun: false)
            let writers = 16, increments = 10
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        for _ in 0..<increments {
                            _ = try await storage.update(cms, namespace: "default", name: "counter", dryRun: false, allowCreate: false) { current in
                                var object = try #require(current).object
                                let n = Int(object["data"]?["n"]?.stringValue ?? "0") ?? 0
                                object["data"] = ["n": .string(String(n + 1))]
                                return object
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await storage.get(cms, namespace: "default", name: "counter")
            #expect(final.object["data"]?["n"]?.stringValue == String(writers * increments))
        }
    }

    @Test func clusterScopedKeys() async throws {
        try await withTestStorage { storage, store in
            let nodes = StorageFixtures.nodes
            let node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]]
            _ = try await storage.create(nodes, namespace: nil, name: "n1", object: node, dryRun: false)
            let raw = try await store.range(KV.RangeRequest(key: Array("/registry/core/nodes/n1".utf8)))
            #expect(raw.kvs.count == 1)
            let list = try await storage.list(nodes, namespace: nil, options: ListOptions())
            #expect(list.items.map { StorageFixtures.name($0.object) } == ["n1"])
        }
    }
}
