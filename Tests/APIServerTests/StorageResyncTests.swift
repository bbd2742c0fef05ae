import APIModel
import APIServer
import KVStore
import Logging
import Synchronization
import Testing

/// The real store, with a switch that breaks its open watches (as a lost connection to a
/// remote store or a store-side cancellation would).
final class InterruptibleStore: KeyValueStore {
    struct WatchBroken: Error {}

    let base: StoreNode
    private let open = Mutex<[AsyncThrowingStream<KV.WatchResponse, any Error>.Continuation]>([])

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
                for try await response in upstream { continuation.yield(response) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in relay.cancel() }
        open.withLock { $0.append(continuation) }
        return stream
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
        try await withTestStore { node in
            let cms = StorageFixtures.configMaps
            let store = InterruptibleStore(base: node)
            var logger = Logger(label: "skiff.apiserver.storage.test")
            logger.logLevel = .critical
            let storage = ObjectStorage(store: store, logger: logger)
            let cache = Task { try await storage.run() }
            defer { cache.cancel() }
            try await storage.waitUntilReady()

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

            cache.cancel()
            _ = await cache.result
        }
    }
}
