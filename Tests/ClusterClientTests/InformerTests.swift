import APIModel
import ClusterClient
import ClusterTestSupport
import Synchronization
import Testing

/// Records what an informer's handlers are told, in order.
final class HandlerLog: Sendable {
    enum Entry: Hashable, Sendable {
        case add(String)
        case update(String)
        case delete(String)
    }

    let entries = Mutex<[Entry]>([])
    let updates = Mutex<[(old: JSONValue, new: JSONValue)]>([])

    var handler: InformerHandler {
        InformerHandler(
            onAdd: { object in self.entries.withLock { $0.append(.add(object.name)) } },
            onUpdate: { old, new in
                self.entries.withLock { $0.append(.update(new.name)) }
                self.updates.withLock { $0.append((old, new)) }
            },
            onDelete: { object in self.entries.withLock { $0.append(.delete(object.name)) } })
    }

    var snapshot: [Entry] { entries.withLock { $0 } }

    func entries(for name: String) -> [Entry] {
        snapshot.filter {
            switch $0 {
            case .add(let n), .update(let n), .delete(let n): return n == name
            }
        }
    }
}

/// Runs `informer` for the duration of `body`.
func running<T: Sendable>(_ informer: SharedInformer, _ body: () async throws -> T) async throws -> T {
    let task = Task { await informer.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    await task.value
    return result
}

@Suite("SharedInformer against a real apiserver")
struct InformerTests {
    @Test("lists, then watches: handlers see adds, updates and deletes in order; the store follows")
    func listThenWatch() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.configMaps, Fixtures.configMap("before", data: ["v": "1"]))
            let informer = SharedInformer(client: client, resource: .configMaps, namespace: "default")
            let log = HandlerLog()
            informer.addHandler(log.handler)
            try await running(informer) {
                await informer.waitForSync()
                #expect(informer.hasSynced)
                #expect(log.entries(for: "before") == [.add("before")])
                #expect(informer.get(namespace: "default", name: "before")?["data"]?["v"] == "1")

                _ = try await client.create(.configMaps, Fixtures.configMap("after"))
                _ = try await client.patch(.configMaps, namespace: "default", name: "after", type: .merge, ["data": ["x": "y"]])
                try await client.delete(.configMaps, namespace: "default", name: "before")
                #expect(try await eventually { log.entries(for: "before").count == 2 && log.entries(for: "after").count == 2 })
                #expect(log.entries(for: "after") == [.add("after"), .update("after")])
                #expect(log.entries(for: "before") == [.add("before"), .delete("before")])
                #expect(informer.get("default/before") == nil)
                #expect(informer.get("default/after")?["data"]?["x"] == "y")
                #expect(!informer.lastSyncResourceVersion.isEmpty)
            }
        }
    }

    @Test("a handler added late receives an add for every object already in the store")
    func lateHandler() async throws {
        try await withTestCluster { cluster in
            for index in 0..<3 { _ = try await cluster.client.create(.configMaps, Fixtures.configMap("late-\(index)")) }
            let informer = SharedInformer(client: cluster.client, resource: .configMaps, namespace: "default")
            try await running(informer) {
                await informer.waitForSync()
                let log = HandlerLog()
                informer.addHandler(log.handler)
                #expect(try await eventually { log.snapshot.count >= 3 })
                #expect(Set(log.snapshot) == Set((0..<3).map { HandlerLog.Entry.add("late-\($0)") }))
                _ = try await cluster.client.create(.configMaps, Fixtures.configMap("late-new"))
                #expect(try await eventually { log.snapshot.contains(.add("late-new")) })
            }
        }
    }

    @Test("indexes, namespace lists and label and field selectors")
    func indexesAndSelectors() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.namespaces, ["metadata": ["name": "other"]])
            _ = try await client.create(.configMaps, Fixtures.configMap("a", labels: ["tier": "web"]))
            _ = try await client.create(.configMaps, Fixtures.configMap("b", labels: ["tier": "db"]))
            _ = try await client.create(.configMaps, Fixtures.configMap("c", namespace: "other", labels: ["tier": "web"]))
            let all = SharedInformer(client: client, resource: .configMaps)
            all.addIndex("tier") { [$0.labels["tier"] ?? ""] }
            let web = SharedInformer(client: client, resource: .configMaps, labelSelector: "tier=web")
            let named = SharedInformer(client: client, resource: .configMaps, fieldSelector: "metadata.name=b")
            let scoped = SharedInformer(client: client, resource: .configMaps, namespace: "other")
            let tasks = [all, web, named, scoped].map { informer in Task { await informer.run() } }
            defer { tasks.forEach { $0.cancel() } }
            for informer in [all, web, named, scoped] { await informer.waitForSync() }
            #expect(Set(all.byIndex("tier", "web").map(\.key)) == ["default/a", "other/c"])
            #expect(all.byIndex("tier", "db").map(\.key) == ["default/b"])
            #expect(Set(all.list(namespace: "other").map(\.name)).isSuperset(of: ["c"]))
            #expect(!all.list(namespace: "other").contains { $0.name == "a" })
            #expect(Set(web.list().map(\.key)) == ["default/a", "other/c"])
            #expect(named.list().map(\.key) == ["default/b"])
            #expect(scoped.list().allSatisfy { $0.namespace == "other" })
            // A relabelled object moves between index values and leaves the selected informer.
            _ = try await client.patch(.configMaps, namespace: "default", name: "a", type: .merge, ["metadata": ["labels": ["tier": "db"]]])
            #expect(try await eventually { Set(all.byIndex("tier", "db").map(\.key)) == ["default/a", "default/b"] })
            #expect(try await eventually { web.get("default/a") == nil })
            for task in tasks { task.cancel() }
        }
    }

    @Test("after a 410 the informer relists: deletes for vanished objects, updates for changed ones, adds for new ones")
    func relistAfterGone() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let keep = try await client.create(.configMaps, Fixtures.configMap("keep", data: ["v": "1"]))
            _ = try await client.create(.configMaps, Fixtures.configMap("vanish"))
            _ = try await client.create(.configMaps, Fixtures.configMap("same"))
            let informer = SharedInformer(client: client, resource: .configMaps, namespace: "default")
            let log = HandlerLog()
            informer.addHandler(log.handler)
            try await running(informer) {
                await informer.waitForSync()
                let before = log.snapshot.count
                // While the apiserver is down: changes no watch sees, and history its new cache lacks.
                try await cluster.restartAPIServer {
                    try await cluster.storeDelete(.configMaps, namespace: "default", name: "vanish")
                    var changed = keep
                    changed["data"]?["v"] = "2"
                    try await cluster.storePut(.configMaps, namespace: "default", name: "keep", object: changed)
                    try await cluster.storePut(.configMaps, namespace: "default", name: "appeared",
                                               object: Fixtures.configMap("appeared"))
                    try await cluster.storeBumpRevision(writes: 3)
                }
                #expect(try await eventually(seconds: 60) { informer.get("default/appeared") != nil })
                let after = Array(log.snapshot.dropFirst(before))
                #expect(after.contains(.delete("vanish")))
                #expect(after.contains(.update("keep")))
                #expect(after.contains(.add("appeared")))
                #expect(!after.contains(.update("same")))
                #expect(informer.get("default/vanish") == nil)
                #expect(informer.get("default/keep")?["data"]?["v"] == "2")
                // The informer watches again after the relist.
                _ = try await client.create(.configMaps, Fixtures.configMap("later"))
                #expect(try await eventually { informer.get("default/later") != nil })
            }
        }
    }

    @Test("watches that time out resume from the last resourceVersion without duplicate or missed events")
    func watchTimeoutResumes() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let informer = SharedInformer(client: client, resource: .configMaps, namespace: "default", watchTimeoutSeconds: 1)
            let log = HandlerLog()
            informer.addHandler(log.handler)
            try await running(informer) {
                await informer.waitForSync()
                for index in 0..<8 {
                    _ = try await client.create(.configMaps, Fixtures.configMap("t-\(index)"))
                    try await Task.sleep(for: .milliseconds(400))
                }
                #expect(try await eventually { (0..<8).allSatisfy { informer.get("default/t-\($0)") != nil } })
                try await Task.sleep(for: .seconds(1.5))
                for index in 0..<8 {
                    #expect(log.entries(for: "t-\(index)") == [.add("t-\(index)")])
                }
            }
        }
    }

    @Test("the factory shares one informer per resource and selectors, and starts informers created while running")
    func factory() async throws {
        try await withTestCluster { cluster in
            let factory = InformerFactory(client: cluster.client)
            let pods = factory.informer(for: .pods)
            #expect(factory.informer(for: .pods) === pods)
            #expect(factory.informer(for: .pods, labelSelector: "a=b") !== pods)
            let running = Task { await factory.run() }
            defer { running.cancel() }
            await factory.waitForSync()
            #expect(pods.hasSynced)
            let late = factory.informer(for: .namespaces)
            await late.waitForSync()
            #expect(late.list().contains { $0.name == "default" })
            running.cancel()
            await running.value
        }
    }
}
