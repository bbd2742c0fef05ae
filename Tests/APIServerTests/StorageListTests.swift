import APIModel
import APIServer
import KVStore
import Testing

@Suite(.serialized) struct StorageListTests {
    let cms = StorageFixtures.configMaps

    @Test func pagesReturnEveryObjectExactlyOnce() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            var expected: [String] = []
            for index in 0..<120 {
                let namespace = index % 3 == 0 ? "other" : "default"
                let name = "cm-\(index)"
                _ = try await storage.create(cms, namespace: namespace, name: name, object: StorageFixtures.configMap(name, namespace: namespace), dryRun: false)
                expected.append("\(namespace)/\(name)")
            }
            var seen: [String] = []
            var token: String?
            var pages = 0
            var firstRevision: Int64?
            repeat {
                let page = try await storage.list(cms, namespace: nil, options: ListOptions(limit: 17, continueToken: token))
                if pages == 0 {
                    firstRevision = page.resourceVersion
                    #expect(page.remainingItemCount == Int64(120 - 17))
                    // Writes after the first page are not part of this list (one snapshot).
                    _ = try await storage.create(cms, namespace: "default", name: "zz-late", object: StorageFixtures.configMap("zz-late"), dryRun: false)
                    _ = try await storage.delete(cms, namespace: "default", name: "cm-1", preconditions: .none, dryRun: false)
                } else {
                    #expect(page.resourceVersion == firstRevision)
                }
                seen += page.items.map { "\($0.object["metadata"]?["namespace"]?.stringValue ?? "")/\(StorageFixtures.name($0.object))" }
                #expect(page.items.count <= 17)
                token = page.continueToken
                pages += 1
            } while token != nil && pages < 100
            #expect(pages == 8)
            #expect(seen.count == Set(seen).count)
            #expect(Set(seen) == Set(expected))
            #expect(seen == seen.sorted())

            let current = try await storage.list(cms, namespace: nil, options: ListOptions())
            #expect(current.items.count == 120)
            #expect(current.items.contains { StorageFixtures.name($0.object) == "zz-late" })
            #expect(!current.items.contains { StorageFixtures.name($0.object) == "cm-1" })
        }
    }

    @Test func namespaceAndSelectorsFilterLists() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            for index in 0..<30 {
                let namespace = index < 20 ? "default" : "kube-system"
                let tier = index % 2 == 0 ? "web" : "db"
                _ = try await storage.create(
                    cms, namespace: namespace, name: "c\(index)",
                    object: StorageFixtures.configMap("c\(index)", namespace: namespace, labels: ["tier": tier]), dryRun: false)
            }
            let inDefault = try await storage.list(cms, namespace: "default", options: ListOptions())
            #expect(inDefault.items.count == 20)
            let web = try await storage.list(cms, namespace: "default", options: ListOptions(labelSelector: try LabelSelector(parsing: "tier=web")))
            #expect(web.items.count == 10)
            let byName = try await storage.list(
                cms, namespace: nil, options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.name=c25")))
            #expect(byName.items.map { StorageFixtures.name($0.object) } == ["c25"])
            // Within a namespace the name is looked up directly; other selectors still apply.
            let direct = try await storage.list(
                cms, namespace: "kube-system", options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.name=c25"), resourceVersion: "0"))
            #expect(direct.items.map { StorageFixtures.name($0.object) } == ["c25"])
            let wrongNamespace = try await storage.list(
                cms, namespace: "default", options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.name=c25")))
            #expect(wrongNamespace.items.isEmpty)
            let filteredOut = try await storage.list(
                cms, namespace: "kube-system",
                options: ListOptions(labelSelector: try LabelSelector(parsing: "tier=web"), fieldSelector: try FieldSelector(parsing: "metadata.name=c25")))
            #expect(filteredOut.items.isEmpty)
            let notDefault = try await storage.list(
                cms, namespace: nil, options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.namespace!=default")))
            #expect(notDefault.items.count == 10)

            // Paging with a selector still finds every match once.
            var names: [String] = []
            var token: String?
            repeat {
                let page = try await storage.list(
                    cms, namespace: nil,
                    options: ListOptions(labelSelector: try LabelSelector(parsing: "tier in (db)"), limit: 4, continueToken: token))
                #expect(page.remainingItemCount == nil)
                names += page.items.map { StorageFixtures.name($0.object) }
                token = page.continueToken
            } while token != nil
            #expect(names.count == 15)
            #expect(Set(names).count == 15)

            do {
                _ = try await storage.list(cms, namespace: nil, options: ListOptions(fieldSelector: try FieldSelector(parsing: "spec.nodeName=n1")))
                Issue.record("an unsupported field selector must be refused")
            } catch let error as StorageError {
                #expect(error.code == 400)
                #expect(error.message.contains("spec.nodeName"))
            }
        }
    }

    @Test func resourceVersionSemantics() async throws {
        try await withTestStorage { storage, store in
            let cms = self.cms
            let first = try await storage.create(cms, namespace: "default", name: "v", object: StorageFixtures.configMap("v", data: ["k": "1"]), dryRun: false)
            let (second, _) = try await storage.update(cms, namespace: "default", name: "v", dryRun: false, allowCreate: false) { current in
                var object = try #require(current).object
                object["data"] = ["k": "2"]
                return object
            }

            // Unset: consistent, sees the latest write at once.
            let latest = try await storage.list(cms, namespace: "default", options: ListOptions())
            #expect(latest.resourceVersion >= second.resourceVersion)
            #expect(latest.items.first?.object["data"]?["k"]?.stringValue == "2")

            // "0" and NotOlderThan: at least that new.
            let any = try await storage.list(cms, namespace: "default", options: ListOptions(resourceVersion: "0"))
            #expect(any.items.count == 1)
            let notOlder = try await storage.list(
                cms, namespace: "default", options: ListOptions(resourceVersion: String(second.resourceVersion), resourceVersionMatch: "NotOlderThan"))
            #expect(notOlder.resourceVersion >= second.resourceVersion)

            // Exact: the state at that revision, from the store's history.
            let exact = try await storage.list(
                cms, namespace: "default", options: ListOptions(resourceVersion: String(first.resourceVersion), resourceVersionMatch: "Exact"))
            #expect(exact.resourceVersion == first.resourceVersion)
            #expect(exact.items.first?.object["data"]?["k"]?.stringValue == "1")
            #expect(exact.items.first?.resourceVersion == first.resourceVersion)

            // Compacted history: 410.
            _ = try await store.compact(KV.CompactionRequest(revision: second.resourceVersion))
            do {
                _ = try await storage.list(
                    cms, namespace: "default", options: ListOptions(resourceVersion: String(first.resourceVersion), resourceVersionMatch: "Exact"))
                Issue.record("an exact list below the compacted revision must fail")
            } catch let error as StorageError {
                #expect(error.code == 410)
            }

            // Bad input: 400.
            for options in [
                ListOptions(resourceVersion: "abc"), ListOptions(resourceVersionMatch: "Exact"),
                ListOptions(resourceVersion: "0", resourceVersionMatch: "Exact"),
                ListOptions(resourceVersion: "5", resourceVersionMatch: "Sometime"), ListOptions(continueToken: "not-a-token"),
            ] {
                do {
                    _ = try await storage.list(cms, namespace: "default", options: options)
                    Issue.record("expected a 400 for \(options)")
                } catch let error as StorageError {
                    #expect(error.code == 400)
                }
            }
        }
    }

    @Test func expiredContinueTokenIsGone() async throws {
        try await withTestStorage { storage, store in
            let cms = self.cms
            for index in 0..<6 {
                _ = try await storage.create(cms, namespace: "default", name: "e\(index)", object: StorageFixtures.configMap("e\(index)"), dryRun: false)
            }
            let first = try await storage.list(cms, namespace: "default", options: ListOptions(limit: 2))
            let token = try #require(first.continueToken)
            _ = try await storage.create(cms, namespace: "default", name: "e9", object: StorageFixtures.configMap("e9"), dryRun: false)
            _ = try await store.compact(KV.CompactionRequest(revision: try await storage.currentResourceVersion()))
            do {
                _ = try await storage.list(cms, namespace: "default", options: ListOptions(limit: 2, continueToken: token))
                Issue.record("a continue token below the compacted revision must fail")
            } catch let error as StorageError {
                #expect(error.code == 410)
                #expect(error.reason == "Expired")
            }
        }
    }

    @Test func cacheMatchesTheStoreAfterABurst() async throws {
        try await withTestStorage { storage, store in
            let cms = self.cms
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<25 {
                            let name = "b\(writer)-\(index)"
                            _ = try await storage.create(cms, namespace: "default", name: name, object: StorageFixtures.configMap(name), dryRun: false)
                            if index % 3 == 0 {
                                _ = try await storage.update(cms, namespace: "default", name: name, dryRun: false, allowCreate: false) { current in
                                    var object = try #require(current).object
                                    object["data"] = ["i": .string(String(index))]
                                    return object
                                }
                            }
                            if index % 5 == 0 {
                                _ = try await storage.delete(cms, namespace: "default", name: name, preconditions: .none, dryRun: false)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let cached = try await storage.list(cms, namespace: nil, options: ListOptions())
            let prefix = Array("/registry/core/configmaps/".utf8)
            let raw = try await store.range(KV.RangeRequest(key: prefix, rangeEnd: KV.prefixEnd(of: prefix)))
            #expect(cached.items.count == raw.kvs.count)
            #expect(cached.items.count == 8 * 25 - 8 * 5)
            for (item, kv) in zip(cached.items, raw.kvs) {
                #expect(item.resourceVersion == kv.modRevision)
                let stored = try JSONValue.parse(kv.value).value
                #expect(StorageFixtures.name(item.object) == StorageFixtures.name(stored))
                #expect(item.object["data"] == stored["data"])
            }
        }
    }
}
