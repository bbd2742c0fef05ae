import APIModel
import APIServer
import KVStore
import Testing

@Suite(.serialized) struct StorageWatchTests {
    let cms = StorageFixtures.configMaps

    private func setData(_ storage: ObjectStorage, _ name: String, _ value: String) async throws -> StoredObject {
        try await storage.update(cms, namespace: "default", name: name, dryRun: false, allowCreate: false) { current in
            var object = try #require(current).object
            object["data"] = ["v": .string(value)]
            return object
        }.object
    }

    @Test func watchFromAResourceVersionSkipsNothing() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let start = try await storage.create(cms, namespace: "default", name: "w0", object: StorageFixtures.configMap("w0"), dryRun: false)
            var revisions: [Int64] = []
            for index in 1...20 {
                revisions.append(try await storage.create(cms, namespace: "default", name: "w\(index)", object: StorageFixtures.configMap("w\(index)"), dryRun: false).resourceVersion)
            }
            let collector = StorageEventCollector(
                try await storage.watch(cms, namespace: "default", options: WatchOptions(resourceVersion: String(start.resourceVersion))))
            for index in 1...10 {
                revisions.append(try await self.setData(storage, "w\(index)", "x").resourceVersion)
            }
            revisions.append(try await storage.delete(cms, namespace: "default", name: "w0", preconditions: .none, dryRun: false).resourceVersion)
            let events = await collector.waitFor(31)
            #expect(events.count == 31)
            #expect(events.map(\.resourceVersion) == revisions)
            #expect(events.prefix(20).allSatisfy { $0.type == .added })
            #expect(events.dropFirst(20).prefix(10).allSatisfy { $0.type == .modified })
            #expect(events.last?.type == .deleted)
            #expect(events.last.map { StorageFixtures.name($0.object) } == "w0")
            #expect(events.last?.object["metadata"]?["resourceVersion"]?.stringValue == String(revisions.last ?? 0))
            for event in events {
                let line = String(decoding: event.encodedLine, as: UTF8.self)
                #expect(line.hasPrefix(#"{"type":"\#(event.type.rawValue)","object":{"#))
                #expect(line.hasSuffix("}\n"))
                let parsed = try JSONValue.parse(event.encodedLine).value
                #expect(parsed["object"] == event.object)
            }
            collector.cancel()
        }
    }

    @Test func unsetAndZeroStartWithTheCurrentState() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            for index in 0..<5 {
                _ = try await storage.create(cms, namespace: "default", name: "s\(index)", object: StorageFixtures.configMap("s\(index)"), dryRun: false)
            }
            _ = try await storage.create(cms, namespace: "elsewhere", name: "x", object: StorageFixtures.configMap("x", namespace: "elsewhere"), dryRun: false)
            for version in [nil, "0"] as [String?] {
                let collector = StorageEventCollector(
                    try await storage.watch(cms, namespace: "default", options: WatchOptions(resourceVersion: version)))
                let initial = await collector.waitFor(5)
                #expect(initial.count == 5)
                #expect(initial.allSatisfy { $0.type == .added })
                #expect(Set(initial.map { StorageFixtures.name($0.object) }) == Set((0..<5).map { "s\($0)" }))
                let written = try await self.setData(storage, "s3", version ?? "unset")
                let next = await collector.waitFor(6)
                #expect(next.count == 6)
                #expect(next.last?.type == .modified)
                #expect(next.last?.resourceVersion == written.resourceVersion)
                collector.cancel()
            }
        }
    }

    @Test func selectorTransitionsAddAndDelete() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let collector = StorageEventCollector(
                try await storage.watch(
                    cms, namespace: nil,
                    options: WatchOptions(labelSelector: try LabelSelector(parsing: "app=web"), resourceVersion: String(try await storage.currentResourceVersion()))))
            let object = StorageFixtures.configMap("t", labels: ["app": "db"])
            _ = try await storage.create(cms, namespace: "default", name: "t", object: object, dryRun: false)
            func relabel(_ value: String) async throws -> StoredObject {
                try await storage.update(cms, namespace: "default", name: "t", dryRun: false, allowCreate: false) { current in
                    StorageFixtures.withLabel(try #require(current).object, "app", value)
                }.object
            }
            let matched = try await relabel("web")
            let changed = try await self.setData(storage, "t", "1")
            let unmatched = try await relabel("db")
            _ = try await self.setData(storage, "t", "2")
            _ = try await storage.delete(cms, namespace: "default", name: "t", preconditions: .none, dryRun: false)
            // A matching object to mark the end of the sequence.
            let marker = try await storage.create(
                cms, namespace: "default", name: "m", object: StorageFixtures.configMap("m", labels: ["app": "web"]), dryRun: false)

            let events = await collector.waitFor(4)
            #expect(events.map(\.type) == [.added, .modified, .deleted, .added])
            #expect(events.map(\.resourceVersion) == [matched.resourceVersion, changed.resourceVersion, unmatched.resourceVersion, marker.resourceVersion])
            // The DELETED of an object that stopped matching carries its last matching state.
            #expect(events[2].object["metadata"]?["labels"]?["app"]?.stringValue == "web")
            #expect(events[2].object["metadata"]?["resourceVersion"]?.stringValue == String(unmatched.resourceVersion))
            collector.cancel()
        }
    }

    @Test func fieldSelectorWatch() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let collector = StorageEventCollector(
                try await storage.watch(
                    cms, namespace: nil, options: WatchOptions(fieldSelector: try FieldSelector(parsing: "metadata.name=only"))))
            _ = try await storage.create(cms, namespace: "default", name: "other", object: StorageFixtures.configMap("other"), dryRun: false)
            let only = try await storage.create(cms, namespace: "default", name: "only", object: StorageFixtures.configMap("only"), dryRun: false)
            let events = await collector.waitFor(1)
            #expect(events.map(\.resourceVersion) == [only.resourceVersion])
            collector.cancel()
        }
    }

    @Test func tooOldResourceVersionIsExpired() async throws {
        let configuration = ObjectStorage.Configuration(eventsPerResource: 8)
        try await withTestStorage(configuration: configuration) { storage, _ in
            let cms = self.cms
            let start = try await storage.currentResourceVersion()
            for index in 0..<20 {
                _ = try await storage.create(cms, namespace: "default", name: "o\(index)", object: StorageFixtures.configMap("o\(index)"), dryRun: false)
            }
            let collector = StorageEventCollector(
                try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: String(start))))
            let events = await collector.waitFor(1)
            #expect(events.count == 1)
            #expect(events.first?.type == .error)
            #expect(events.first?.object["code"]?.intValue == 410)
            #expect(events.first?.object["reason"]?.stringValue == "Expired")
            #expect(await collector.waitForEnd())
        }
    }

    @Test func watchersShareOneEncoding() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let from = String(try await storage.currentResourceVersion())
            let collectors = try await (0..<10).asyncMap { _ in
                StorageEventCollector(try await storage.watch(cms, namespace: "default", options: WatchOptions(resourceVersion: from)))
            }
            _ = try await storage.create(cms, namespace: "default", name: "shared", object: StorageFixtures.configMap("shared"), dryRun: false)
            var addresses: Set<UInt> = []
            for collector in collectors {
                let events = await collector.waitFor(1)
                #expect(events.count == 1)
                if let line = events.first?.encodedLine {
                    _ = line.withUnsafeBufferPointer { addresses.insert(UInt(bitPattern: $0.baseAddress)) }
                }
                collector.cancel()
            }
            // One buffer, referenced by every watcher: encoded once.
            #expect(addresses.count == 1)
        }
    }

    @Test func aSlowWatcherDoesNotStallOthers() async throws {
        let configuration = ObjectStorage.Configuration(watcherBuffer: 10)
        try await withTestStorage(configuration: configuration) { storage, _ in
            let cms = self.cms
            let from = String(try await storage.currentResourceVersion())
            // Never consumed: its buffer fills and it is ended.
            let slow = try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: from))
            let fast = StorageEventCollector(try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: from)))
            for index in 0..<40 {
                _ = try await storage.create(cms, namespace: "default", name: "f\(index)", object: StorageFixtures.configMap("f\(index)"), dryRun: false)
            }
            let events = await fast.waitFor(40)
            #expect(events.count == 40)
            #expect(!fast.hasEnded)
            // The slow watcher got what fitted its buffer, then its stream ended (it would relist).
            let drained = StorageEventCollector(slow)
            #expect(await drained.waitForEnd())
            #expect(drained.events.count <= 11)
            #expect(drained.events.map(\.resourceVersion) == events.prefix(drained.events.count).map(\.resourceVersion))
            fast.cancel()
        }
    }

    @Test func bookmarksWhenAllowed() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let created = try await storage.create(cms, namespace: "default", name: "bm", object: StorageFixtures.configMap("bm"), dryRun: false)
            let collector = StorageEventCollector(
                try await storage.watch(
                    cms, namespace: "default",
                    options: WatchOptions(resourceVersion: String(created.resourceVersion), allowBookmarks: true, bookmarkInterval: .milliseconds(50))))
            let events = await collector.waitFor(1)
            #expect(events.first?.type == .bookmark)
            #expect((events.first?.resourceVersion ?? 0) >= created.resourceVersion)
            #expect(events.first?.object["kind"]?.stringValue == "ConfigMap")
            #expect(events.first?.object["metadata"]?["resourceVersion"]?.stringValue == String(events.first?.resourceVersion ?? 0))
            collector.cancel()
        }
    }

    @Test func noBookmarksUnlessAskedAndOnlyTheWatchedNamespace() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            let collector = StorageEventCollector(
                try await storage.watch(
                    cms, namespace: "mine",
                    options: WatchOptions(resourceVersion: String(try await storage.currentResourceVersion()), bookmarkInterval: .milliseconds(5))))
            try await Task.sleep(for: .milliseconds(100))
            _ = try await storage.create(cms, namespace: "theirs", name: "t", object: StorageFixtures.configMap("t", namespace: "theirs"), dryRun: false)
            let mine = try await storage.create(cms, namespace: "mine", name: "m", object: StorageFixtures.configMap("m", namespace: "mine"), dryRun: false)
            let events = await collector.waitFor(1)
            #expect(events.map(\.type) == [.added])
            #expect(events.map(\.resourceVersion) == [mine.resourceVersion])
            collector.cancel()
        }
    }

    @Test func aFutureResourceVersionTimesOut() async throws {
        let configuration = ObjectStorage.Configuration(catchUpTimeout: .milliseconds(200))
        try await withTestStorage(configuration: configuration) { storage, _ in
            let future = try await storage.currentResourceVersion() + 1_000
            do {
                _ = try await storage.watch(self.cms, namespace: nil, options: WatchOptions(resourceVersion: String(future)))
                Issue.record("a watch from a future resourceVersion must fail")
            } catch let error as StorageError {
                #expect(error.code == 504)
                #expect(error.message.contains("Too large resource version"))
            }
            do {
                _ = try await storage.list(self.cms, namespace: nil, options: ListOptions(resourceVersion: String(future)))
                Issue.record("a list from a future resourceVersion must fail")
            } catch let error as StorageError {
                #expect(error.code == 504)
            }
            do {
                _ = try await storage.watch(self.cms, namespace: nil, options: WatchOptions(resourceVersion: "x1"))
                Issue.record("a malformed resourceVersion must fail")
            } catch let error as StorageError {
                #expect(error.code == 400)
            }
        }
    }

    @Test func endedWatchersAreForgotten() async throws {
        try await withTestStorage { storage, _ in
            let cms = self.cms
            for _ in 0..<3 {
                let collector = StorageEventCollector(try await storage.watch(cms, namespace: nil, options: WatchOptions()))
                collector.cancel()
                #expect(await collector.waitForEnd())
            }
            // Writes after consumers left still work and reach a new watcher.
            let collector = StorageEventCollector(
                try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: String(try await storage.currentResourceVersion()))))
            let created = try await storage.create(cms, namespace: "default", name: "after", object: StorageFixtures.configMap("after"), dryRun: false)
            let events = await collector.waitFor(1)
            #expect(events.map(\.resourceVersion) == [created.resourceVersion])
            collector.cancel()
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
