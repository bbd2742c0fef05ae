import APIModel
import APIServer
import Foundation
import KVStore
import Logging

/// Runs `body` against a real single-member store (Raft, WAL and snapshots on disk in a fresh
/// temporary directory, in process). The member is stopped and the directory removed when
/// `body` returns or throws.
func withTestStore<T: Sendable>(
    _ body: @Sendable (StoreNode) async throws -> T
) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-apistore-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    var logger = Logger(label: "skiff.kvstore.test")
    logger.logLevel = .warning
    // Port 0: a single member never dials itself, so its peer listener can be ephemeral.
    let peer = PeerAddress(host: "127.0.0.1", port: 0)
    var configuration = NodeConfiguration(
        name: "n0", dataDirectory: root.appendingPathComponent("n0"), clientURL: "http://127.0.0.1:0",
        peerAddress: peer, initialCluster: [(name: "n0", address: peer)])
    configuration.tickInterval = .milliseconds(10)
    configuration.electionTicks = 5
    let node = StoreNode(configuration: configuration, logger: logger) { directory, logger in
        try StoreStorage.open(directory: directory, logger: logger)
    }
    let running = Task { try await node.run() }
    do {
        try await StorageTestSupport.waitUntilServing(node, running: running)
        let result = try await body(node)
        await StorageTestSupport.stop(node, running: running)
        return result
    } catch {
        await StorageTestSupport.stop(node, running: running)
        throw error
    }
}

/// Runs `body` with an `ObjectStorage` (its watch cache running and primed) over a real
/// single-member store; everything is stopped and removed afterwards.
func withTestStorage<T: Sendable>(
    configuration: ObjectStorage.Configuration = ObjectStorage.Configuration(),
    _ body: @Sendable (ObjectStorage, StoreNode) async throws -> T
) async throws -> T {
    try await withTestStorage(over: { $0 }, configuration: configuration, body)
}

/// The same, with the storage reading through a store `makeStore` wraps around the node (tests
/// that break or pause the store's watch) and the storage's log at `logLevel`.
func withTestStorage<S: KeyValueStore, T: Sendable>(
    over makeStore: @Sendable (StoreNode) -> S,
    logLevel: Logger.Level = .warning,
    configuration: ObjectStorage.Configuration = ObjectStorage.Configuration(),
    _ body: @Sendable (ObjectStorage, S) async throws -> T
) async throws -> T {
    try await withTestStore { node in
        var logger = Logger(label: "skiff.apiserver.storage.test")
        logger.logLevel = logLevel
        let store = makeStore(node)
        let storage = ObjectStorage(store: store, logger: logger, configuration: configuration)
        let cache = Task { try await storage.run() }
        defer { cache.cancel() }
        do {
            try await storage.waitUntilReady()
            let result = try await body(storage, store)
            cache.cancel()
            _ = await cache.result
            return result
        } catch {
            cache.cancel()
            _ = await cache.result
            throw error
        }
    }
}

enum StorageTestSupport {
    struct StoreDidNotStart: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits until the member has elected itself and answers linearizable reads.
    static func waitUntilServing(_ node: StoreNode, running: Task<Void, any Error>) async throws {
        var lastError: (any Error)?
        for _ in 0..<500 {
            do {
                _ = try await node.currentRevision()
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw StoreDidNotStart(description: "the test store did not start serving: \(lastError.map { "\($0)" } ?? "unknown")")
    }

    static func stop(_ node: StoreNode, running: Task<Void, any Error>) async {
        node.stop()
        _ = await running.result
    }
}
