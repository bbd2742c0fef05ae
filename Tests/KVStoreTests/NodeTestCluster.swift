import Foundation
import Hummingbird
import Logging
import NIOCore
import Raft
import ServiceLifecycle

@testable import KVStore

/// In-process members (real loop threads, real loopback TCP between them, real HTTP
/// endpoints) with in-memory logs: the fast companion of the process tests.
final class NodeTestCluster: Sendable {
    let nodes: [StoreNode]
    let clientURLs: [String]
    let groups: [ServiceGroup]
    let root: URL

    /// `configure` adjusts each member's configuration (by index) before it starts.
    init(size: Int, configure: (Int, inout NodeConfiguration) throws -> Void = { _, _ in }) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-node-\(UUID().uuidString)")
        let peerPorts = try (0..<size).map { _ in try ClusterHarness.freePort() }
        let clientPorts = try (0..<size).map { _ in try ClusterHarness.freePort() }
        let initial = (0..<size).map { (name: "n\($0)", address: PeerAddress(host: "127.0.0.1", port: peerPorts[$0])) }
        var nodes: [StoreNode] = []
        var groups: [ServiceGroup] = []
        var urls: [String] = []
        for index in 0..<size {
            var logger = Logger(label: "skiff.kvstore.test")
            logger.logLevel = .warning
            var configuration = NodeConfiguration(
                name: "n\(index)", dataDirectory: root.appendingPathComponent("n\(index)"),
                clientURL: "http://127.0.0.1:\(clientPorts[index])", peerAddress: initial[index].address,
                initialCluster: initial)
            configuration.tickInterval = .milliseconds(20)
            configuration.snapshotEvery = 50
            configuration.retainedEntries = 10
            try configure(index, &configuration)
            let node = StoreNode(configuration: configuration, logger: logger) { _, _ in (MemoryStorage(), "memory") }
            let app = Application(
                router: GatewayRoutes.router(store: node, admin: node, logger: logger),
                configuration: .init(address: .hostname("127.0.0.1", port: clientPorts[index])), logger: logger)
            let group = ServiceGroup(services: [node, app], logger: logger)
            nodes.append(node)
            groups.append(group)
            urls.append(configuration.clientURL)
            Task { try await group.run() }
        }
        self.nodes = nodes
        self.groups = groups
        self.clientURLs = urls
    }

    /// Waits until some member leads and a write through every endpoint works.
    func waitUntilWritable() async throws {
        for url in clientURLs {
            let client = GatewayClient(endpoints: [url], timeout: .seconds(2))
            var attempts = 0
            while true {
                do {
                    _ = try await client.put(KV.PutRequest(key: Array("ready".utf8), value: [1]))
                    break
                } catch {
                    attempts += 1
                    if attempts > 200 { throw error }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    /// Waits until `condition` holds for the status of member `index` (polling; gives up after
    /// `attempts` × 50 ms and returns false).
    func waitFor(_ index: Int, attempts: Int = 200, _ condition: (NodeStatus) -> Bool) async -> Bool {
        for _ in 0..<attempts {
            if condition(nodes[index].status) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(nodes[index].status)
    }

    func shutdown() async {
        for group in groups { await group.triggerGracefulShutdown() }
        try? await Task.sleep(for: .milliseconds(100))
        try? FileManager.default.removeItem(at: root)
    }
}
