import APIModel
import APIServer
import KVStore
import Logging
import Synchronization
import Testing

/// The real store, with switches that break its open watches (as a lost connection to a
/// remote store or a store-side cancellation would) or hold their events back (a cache that
/// lags behind the store).
final class InterruptibleStore: KeyValueStore {
    struct WatchBroken: Error {}

    let base: StoreNode
    typealias Outlet = AsyncThrowingStream<KV.WatchResponse, any Error>.Continuation

    private let open = Mutex<[Outlet]>([])
    private let held = Mutex<(paused: Bool, responses: [(Outlet, KV.WatchResponse)])>((false, []))

    init(base: StoreNode) { self.base = base }

    func range(_ request: KV.RangeRequest) async throws -> KV.RangeResponse { try await base.range(request) }
    func put(_ request: KV.PutRequest) async throws -> KV.PutResponse { try await base.put(request) }
    func deleteRange(_ request: KV.DeleteRangeRequest) async throws -> KV.DeleteRangeResponse { try await base.deleteRange(request) }
    func txn(_ request: KV.TxnRequest) async throws -> KV.TxnResponse { try await base.txn(request) }
    func compact(_ request: KV.CompactionRequest) async throws -> KV.CompactionResponse { try await base.compact(request) }
    func currentRevision() async throws -> Int64 { try await base.currentRevision() }

    func watch(_ request: KV.WatchCreateRequest) -> AsyncThrowingStream<KV.WatchResponse, any Error> {
        let upstream = base.watch(request)
        let (stream, continuation) = AsyncThrowingStream<KV.WatchResponse, any Error>.makeStream()
        let relay = Task {
            do {
                for try await response in upstream { self.deliver(response, to: continuation) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in relay.cancel() }
        open.withLock { $0.append(continuation) }
        return stream
    }

    private func deliver(_ response: KV.WatchResponse, to outlet: Outlet) {
        held.withLock { held in
            if held.paused { held.responses.append((outlet, response)) } else { outlet.yield(response) }
        }
    }

    /// Holds watch events back until `resume()`.
    func pause() { held.withLock { $0.paused = true } }

    /// Delivers what was held, in order, and stops holding.
    func resume() {
        held.withLock { held in
            for (outlet, response) in held.responses { outlet.yield(response) }
            held = (false, [])
        }
    }

    /// Ends every open watch with an error.
    func breakWatches() {
        let all = open.withLock { open in
            defer { open = [] }
            return open
        }
        for continuation in all { continuation.finish(throwing: WatchBroken()) }
    }
}

@Suite(.serialized) struct StorageResyncTests {
    @Test func aBrokenStoreWatchRePrimesTheCache() async throws {
        try await withTestStorage(over: { InterruptibleStore(base: $0) }, logLevel: .critical) { storage, store in
            let cms = StorageFixtures.configMaps

            let before = try await storage.create(cms, namespace: "default", name: "r0", object: StorageFixtures.configMap("r0"), dryRun: false)
            let watcher = StorageEventCollector(
                try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: String(before.resourceVersion))))
            store.breakWatches()
            // Watchers of the broken cache end (their clients re-watch or relist).
            #expect(await watcher.waitForEnd())

            for index in 1...5 {
                _ = try await storage.create(cms, namespace: "default", name: "r\(index)", object: StorageFixtures.configMap("r\(index)"), dryRun: false)
            }
            // A consistent list waits for the re-primed cache and sees every write.
            let list = try await storage.list(cms, namespace: nil, options: ListOptions())
            #expect(list.items.map { StorageFixtures.name($0.object) } == (0...5).map { "r\($0)" })

            // Watching from the list's revision works on the new cache.
            let fresh = StorageEventCollector(
                try await storage.watch(cms, namespace: nil, options: WatchOptions(resourceVersion: String(list.resourceVersion))))
            let later = try await storage.create(cms, namespace: "default", name: "r6", object: StorageFixtures.configMap("r6"), dryRun: false)
            let events = await fresh.waitFor(1)
            #expect(events.map(\.resourceVersion) == [later.resourceVersion])
            fresh.cancel()

        }
    }
}

@Suite(.serialized) struct StorageStaleCacheTests {
    @Test func writersRecoverFromAStaleCachedCopy() async throws {
        try await withTestStorage(over: { InterruptibleStore(base: $0) }, logLevel: .critical) { storage, store in
            let cms = StorageFixtures.configMaps

            let first = try await storage.create(cms, namespace: "default", name: "s", object: StorageFixtures.configMap("s", data: ["v": "1"]), dryRun: false)
            _ = try await storage.get(cms, namespace: "default", name: "s")
            #expect(try await storage.list(cms, namespace: nil, options: ListOptions()).items.count == 1)
            store.pause()
            let (second, _) = try await storage.update(cms, namespace: "default", name: "s", dryRun: false, allowCreate: false) { current in
                var object = try #require(current).object
                object["data"] = ["v": "2"]
                return object
            }
            #expect(second.resourceVersion > first.resourceVersion)

            // The cache still holds version 1. A client that read version 2 must not get a
            // false conflict: the refused cached copy is replaced by a fresh read.
            let secondVersion = second.resourceVersion
            let (third, _) = try await storage.update(cms, namespace: "default", name: "s", dryRun: false, allowCreate: false) { current in
                guard let current, current.resourceVersion == secondVersion else {
                    throw StorageError.staleResourceVersion(cms, name: "s")
                }
                var object = current.object
                object["data"] = ["v": "3"]
                return object
            }
            #expect(third.object["data"]?["v"]?.stringValue == "3")

            // "Unchanged" judged on a stale copy is confirmed against the store: no lost write.
            let before = try await storage.currentResourceVersion()
            let (same, _) = try await storage.update(cms, namespace: "default", name: "s", dryRun: false, allowCreate: false) {
                try #require($0).object
            }
            #expect(same.resourceVersion == third.resourceVersion)
            #expect(same.object["data"]?["v"]?.stringValue == "3")
            #expect(try await storage.currentResourceVersion() == before)

            // A delete precondition on the newest version passes although the cache is behind.
            let deleted = try await storage.delete(
                cms, namespace: "default", name: "s",
                preconditions: DeletePreconditions(resourceVersion: String(third.resourceVersion)), dryRun: false)
            #expect(deleted.object["data"]?["v"]?.stringValue == "3")

            store.resume()
            let list = try await storage.list(cms, namespace: nil, options: ListOptions())
            #expect(list.items.isEmpty)
        }
    }
}
